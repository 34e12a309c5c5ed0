// The treatment-log storage (HAL flash_*): the flash model, which survives power cuts and resets.
import { HalImports, HalPart } from '../hal.js';
import { Flash } from '../flash.js';

export class LogStorage implements HalPart {
  constructor(readonly flash: Flash) {}

  imports(): HalImports {
    const f = this.flash;
    return {
      flash_sectors: (): number => f.sectors,
      flash_sector_bytes: (): number => f.sectorBytes,
      flash_read: (offset: number): number => f.read(offset),
      flash_program: (offset: number, value: number): number => f.program(offset, value),
      flash_erase: (sector: number): number => f.erase(sector),
    };
  }
}
