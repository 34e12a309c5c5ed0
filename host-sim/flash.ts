// The treatment-log flash: sectors of 32-bit words, erased to 0xFFFFFFFF, programming only clears
// bits. A write that power leaves unfinished is torn as on NOR flash: a program clears only some of
// its bits, an erase resets only some words. A power cut can be set to fall on any chosen write (that
// write is torn and the pen loses power); the storage part (parts/storage.ts) tears the write in flight
// when the power is cut at any other moment.
import { Rng } from './rng.js';

export class PowerCut extends Error {
  constructor(readonly write: number) {
    super(`power cut during flash write ${write}`);
  }
}

export class Flash {
  readonly words: Uint32Array;
  /** program and erase calls so far (the first is number 1) */
  writes = 0;
  /** the write that the power cut falls on (1-based), or 0 for none */
  cutAtWrite = 0;

  constructor(
    readonly sectors: number,
    readonly sectorBytes: number,
    private readonly rng: Rng,
  ) {
    this.words = new Uint32Array((sectors * sectorBytes) / 4).fill(0xffffffff);
  }

  /** A copy with the same contents, as the flash survives a power cycle. */
  clone(rng: Rng): Flash {
    const f = new Flash(this.sectors, this.sectorBytes, rng);
    f.words.set(this.words);
    return f;
  }

  private index(offset: number): number {
    if (!Number.isInteger(offset) || offset < 0 || offset & 3 || offset >= this.words.length * 4) return -1;
    return offset >> 2;
  }

  read(offset: number): number {
    const i = this.index(offset);
    return i < 0 ? -1 : this.words[i] | 0;
  }

  program(offset: number, value: number): number {
    const i = this.index(offset);
    if (i < 0) return -1;
    const v = value >>> 0;
    if (++this.writes === this.cutAtWrite) {
      this.tearProgram(offset, v);
      throw new PowerCut(this.writes);
    }
    if ((~this.words[i] & v) >>> 0 !== 0) return -2; // a 0 would have to become 1
    this.words[i] = (this.words[i] & v) >>> 0;
    return 0;
  }

  erase(sector: number): number {
    if (!Number.isInteger(sector) || sector < 0 || sector >= this.sectors) return -1;
    const from = (sector * this.sectorBytes) / 4;
    const to = from + this.sectorBytes / 4;
    if (++this.writes === this.cutAtWrite) {
      this.tearErase(sector);
      throw new PowerCut(this.writes);
    }
    this.words.fill(0xffffffff, from, to);
    return 0;
  }

  /** A program of `value` at `offset` cut short: a random part of the bits that should clear did. */
  tearProgram(offset: number, value: number): void {
    const i = this.index(offset);
    if (i < 0) return;
    const clears = ~(value >>> 0) >>> 0;
    this.words[i] = (this.words[i] & ~(clears & this.randomWord())) >>> 0;
  }

  /** An erase of `sector` cut short: a random part of its words reads erased, the rest keep their bits. */
  tearErase(sector: number): void {
    const from = (sector * this.sectorBytes) / 4;
    const to = from + this.sectorBytes / 4;
    for (let i = from; i < to; i++) if (this.rng.next() < 0.5) this.words[i] = 0xffffffff;
  }

  private randomWord(): number {
    return Math.floor(this.rng.next() * 4294967296) >>> 0;
  }
}
