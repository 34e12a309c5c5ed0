// The treatment-log storage (HAL flash_*): the flash model, which survives power cuts and resets, and
// how long its writes take. The firmware sees a write done at once; the part itself finishes it over
// the chip's program or erase time, one write after the other. A power cut tears the write then in
// flight as NOR flash would (flash.ts) and the writes queued behind it never happen.
import { HalImports, HalPart } from '../hal.js';
import { Flash, PowerCut } from '../flash.js';
import { SimClock } from '../clock.js';
import { Board } from '../../boards/board.js';

/** Program and erase times (s) of the log's storage part. */
export interface StorageTiming {
  programWordS: number;
  eraseSectorS: number;
}

/**
 * SPI NOR flash of the W25Q16 class (datasheet typical figures): a word is a 4-byte program (the
 * first byte 30 us, the next ones 2.5 us each, about 40 us), a 4 KiB sector erase 45 ms. Backup SRAM
 * (kept by VBAT) writes a word in one bus cycle: nothing is ever in flight when the supply goes.
 */
const NOR_TIMING: StorageTiming = { programWordS: 40e-6, eraseSectorS: 45e-3 };
const SRAM_TIMING: StorageTiming = { programWordS: 0, eraseSectorS: 0 };

export function storageTiming(board: Board): StorageTiming {
  return /SRAM/i.test(board.storage?.part ?? '') ? SRAM_TIMING : NOR_TIMING;
}

/** A write the firmware made that the chip may still be doing: what it overwrote, and when it is done. */
interface Write {
  kind: 'program' | 'erase';
  /** byte offset of a program, sector of an erase */
  at: number;
  value: number;
  firstWord: number;
  before: Uint32Array;
  startTicks: number;
  doneTicks: number;
}

export class LogStorage implements HalPart {
  private inFlight: Write[] = [];

  constructor(
    readonly flash: Flash,
    private readonly clock: SimClock,
    private readonly timing: StorageTiming,
  ) {}

  imports(): HalImports {
    const f = this.flash;
    return {
      flash_sectors: (): number => f.sectors,
      flash_sector_bytes: (): number => f.sectorBytes,
      flash_read: (offset: number): number => f.read(offset),
      flash_program: (offset: number, value: number): number => this.program(offset, value),
      flash_erase: (sector: number): number => this.erase(sector),
    };
  }

  /** Writes the firmware made that the chip has not finished yet. */
  unfinished(): number {
    const now = this.clock.tTicks;
    return this.inFlight.filter((w) => w.doneTicks > now).length;
  }

  /** The supply is gone now: the write in flight is torn, the ones queued behind it never happen. */
  powerCut(): void {
    const now = this.clock.tTicks;
    const unfinished = this.inFlight.filter((w) => w.doneTicks > now);
    this.inFlight = [];
    for (let k = unfinished.length - 1; k >= 0; k--)
      this.flash.words.set(unfinished[k].before, unfinished[k].firstWord);
    const torn = unfinished.find((w) => w.startTicks <= now);
    if (!torn) return;
    if (torn.kind === 'program') this.flash.tearProgram(torn.at, torn.value);
    else this.flash.tearErase(torn.at);
  }

  private program(offset: number, value: number): number {
    const ok = Number.isInteger(offset) && offset >= 0 && !(offset & 3) && offset < this.flash.words.length * 4;
    const first = ok ? offset >> 2 : 0;
    const before = ok ? this.flash.words.slice(first, first + 1) : undefined;
    const r = this.write(() => this.flash.program(offset, value));
    if (r === 0 && before) this.started('program', offset, value, first, before, this.timing.programWordS);
    return r;
  }

  private erase(sector: number): number {
    const ok = Number.isInteger(sector) && sector >= 0 && sector < this.flash.sectors;
    const first = ok ? (sector * this.flash.sectorBytes) / 4 : 0;
    const before = ok ? this.flash.words.slice(first, first + this.flash.sectorBytes / 4) : undefined;
    const r = this.write(() => this.flash.erase(sector));
    if (r === 0 && before) this.started('erase', sector, 0, first, before, this.timing.eraseSectorS);
    return r;
  }

  /** A write; when the flash's own cut falls on it, every earlier write counts as finished. */
  private write(fn: () => number): number {
    try {
      return fn();
    } catch (e) {
      if (e instanceof PowerCut) this.inFlight = [];
      throw e;
    }
  }

  private started(
    kind: Write['kind'],
    at: number,
    value: number,
    firstWord: number,
    before: Uint32Array,
    durationS: number,
  ): void {
    const now = this.clock.tTicks;
    if (durationS <= 0) return;
    this.inFlight = this.inFlight.filter((w) => w.doneTicks > now);
    const last = this.inFlight[this.inFlight.length - 1];
    const startTicks = Math.max(now, last ? last.doneTicks : now);
    const doneTicks = startTicks + Math.max(1, Math.round(durationS * this.clock.timerHz));
    this.inFlight.push({ kind, at, value, firstWord, before, startTicks, doneTicks });
  }
}
