// The cartridge's ID chip on the pen's bus (HAL cartridge_read, cartridge_write), and the user taking a
// cartridge off or fitting one; its fault is a cartridge pulled off while stroking. The simulator's
// cartridge factory certifies the chips it makes with the maker's (development) key.
import { HalImports, HalPart } from '../hal.js';
import { FaultSource, FaultTable } from '../faults.js';
import { SimClock } from '../clock.js';
import { Trace } from '../trace.js';
import { Board } from '../../boards/board.js';
import { Rng } from '../rng.js';
import { CartridgeChip, ChipSpec } from '../cartridge-chip.js';
import { KeyObject } from 'node:crypto';

/** lot number of the genuine cartridges the simulator fits by itself */
const FACTORY_LOT = 2611;

export class CartridgeReader implements HalPart, FaultSource {
  chip: CartridgeChip | undefined;

  /** `spec` null: no cartridge fitted; undefined: a new genuine one of `type`, serial from `entropy`. */
  constructor(
    private readonly board: Board,
    private readonly type: string,
    private readonly makerKey: KeyObject,
    private readonly entropy: Rng,
    private readonly clock: SimClock,
    private readonly trace: Trace | undefined,
    spec?: ChipSpec | null,
  ) {
    this.chip = spec === null ? undefined : this.makeChip(spec ?? this.factorySpec());
  }

  imports(): HalImports {
    return {
      cartridge_read: (addr: number): number => this.chip?.read(addr, this.clock.nowMs) ?? -1,
      cartridge_write: (addr: number, value: number): number =>
        this.chip ? this.chip.write(addr, value, this.clock.nowMs) : -1,
    };
  }

  makeChip(spec: ChipSpec): CartridgeChip {
    return new CartridgeChip(this.board, spec, this.makerKey);
  }

  remove(): void {
    this.chip = undefined;
    this.trace?.event(this.clock.tTicks, 'user', 'cartridge removed');
  }

  fit(chip: CartridgeChip): void {
    this.chip = chip;
    this.trace?.event(this.clock.tTicks, 'user', `cartridge ${chip.serial} fitted`);
  }

  private factorySpec(): ChipSpec {
    return { type: this.type, serial: 100000 + Math.floor(this.entropy.next() * 900000), lot: FACTORY_LOT };
  }

  faults(): FaultTable {
    return {
      cartridge_removed: { inject: () => this.remove(), clear: () => this.fit(this.makeChip(this.factorySpec())) },
    };
  }
}
