// The treatment log's flash format read straight from an image (docs/treatment-log.md): the same walk
// as the firmware's reader (assembly/log.ts), so both can be held to one another on the same images,
// and an image can be checked without a pen. Also writes records, for tests and fixtures.
import { crc32 } from 'node:zlib';

const MAGIC = 0x504c4f47;
const ERASED = 0xffffffff;
const TAG = 0xa5;
export const SECTOR_HEADER_BYTES = 16;
export const LOG_MAX_PAYLOAD = 12;
const MAX_SECTORS = 64;

export interface LogRecordRead {
  type: number;
  payload: number[];
  /** byte offset of its header in the flash */
  offset: number;
  /** checkpoint counts that follow it (each the low 16 bits of a stroke count) */
  checkpoints: number[];
}

export interface LogImage {
  words: Uint32Array;
  sectors: number;
  sectorBytes: number;
}

const popcount = (x: number): number => {
  let n = 0;
  for (let v = x >>> 0; v; v &= v - 1) n++;
  return n;
};

export const checkpointWord = (count: number): number => (((count & 0xffff) << 16) | (~count & 0xffff)) >>> 0;
const isCheckpoint = (w: number): boolean => w >>> 16 === (~w & 0xffff);

/** CRC-32 (zlib) of words as they sit in flash, little-endian. */
export function crcWords(words: readonly number[]): number {
  const b = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => b.writeUInt32LE(w >>> 0, i * 4));
  return crc32(b) >>> 0;
}

/** The sector's sequence number (majority of three copies), or undefined when it has no valid header. */
export function sectorSeq(img: LogImage, s: number): number | undefined {
  const w = (i: number): number => img.words[(s * img.sectorBytes) / 4 + i];
  if (popcount(w(3) ^ MAGIC) > 1) return undefined;
  const [a, b, c] = [w(0), w(1), w(2)];
  const seq = ((a & b) | (a & c) | (b & c)) >>> 0;
  return seq === ERASED ? undefined : seq;
}

/** Every committed record, oldest first, each with the checkpoint words that follow it. */
export function readLogImage(img: LogImage): LogRecordRead[] {
  const sectors = Math.min(img.sectors, MAX_SECTORS);
  const sb = img.sectorBytes & ~3;
  const valid: { s: number; seq: number }[] = [];
  for (let s = 0; s < sectors; s++) {
    const seq = sectorSeq(img, s);
    if (seq !== undefined) valid.push({ s, seq });
  }
  // stable by sequence number: equal numbers keep sector order, as the firmware's insertion does
  valid.sort((x, y) => x.seq - y.seq);
  if (!valid.length) return [];
  const current = valid[valid.length - 1].s;
  let writeEnd = SECTOR_HEADER_BYTES;
  for (let o = sb - 4; o >= SECTOR_HEADER_BYTES; o -= 4) {
    if (img.words[(current * sb + o) / 4] !== ERASED) {
      writeEnd = o + 4;
      break;
    }
  }
  const out: LogRecordRead[] = [];
  for (const { s } of valid) {
    const end = s === current ? writeEnd : sb;
    let o = SECTOR_HEADER_BYTES;
    let clean = true;
    while (o + 4 <= end) {
      const base = (s * sb + o) / 4;
      const header = img.words[base];
      const n = header & 0xffff;
      if (header >>> 24 === TAG && n <= LOG_MAX_PAYLOAD && o + (n + 3) * 4 <= end) {
        const words = Array.from(img.words.subarray(base, base + n + 1));
        if (crcWords(words) === img.words[base + n + 1] && popcount(img.words[base + n + 2]) <= 1) {
          out.push({ type: (header >>> 16) & 0xff, payload: words.slice(1), offset: s * sb + o, checkpoints: [] });
          o += (n + 3) * 4;
          clean = true;
          continue;
        }
      }
      o += 4;
      if (clean && isCheckpoint(header)) {
        if (out.length) out[out.length - 1].checkpoints.push(header >>> 16);
        continue;
      }
      clean = false;
    }
  }
  return out;
}

/**
 * Appends records the way the firmware does (for fixtures: a full log to read), ring order, from an
 * erased or a written image. Returns the number of records written.
 */
export class LogImageWriter {
  private current = -1;
  private seq = 0;
  private offset = 0;

  constructor(private readonly img: LogImage) {
    const valid: { s: number; seq: number }[] = [];
    for (let s = 0; s < img.sectors; s++) {
      const q = sectorSeq(img, s);
      if (q !== undefined) valid.push({ s, seq: q });
    }
    valid.sort((x, y) => x.seq - y.seq);
    if (!valid.length) return;
    const last = valid[valid.length - 1];
    this.current = last.s;
    this.seq = last.seq;
    this.offset = SECTOR_HEADER_BYTES;
    for (let o = img.sectorBytes - 4; o >= SECTOR_HEADER_BYTES; o -= 4) {
      if (img.words[(last.s * img.sectorBytes + o) / 4] !== ERASED) {
        this.offset = o + 4;
        break;
      }
    }
  }

  append(type: number, payload: readonly number[]): void {
    const n = payload.length;
    const bytes = (n + 3) * 4;
    if (this.current < 0 || this.offset + bytes > this.img.sectorBytes) this.nextSector();
    const header = ((TAG << 24) | ((type & 0xff) << 16) | n) >>> 0;
    const words = [header, ...payload.map((w) => w >>> 0)];
    this.put([...words, crcWords(words), 0]);
  }

  checkpoint(count: number): void {
    if (this.current < 0 || this.offset + 4 > this.img.sectorBytes) this.nextSector();
    this.put([checkpointWord(count)]);
  }

  private put(words: number[]): void {
    const at = (this.current * this.img.sectorBytes + this.offset) / 4;
    words.forEach((w, i) => (this.img.words[at + i] = (this.img.words[at + i] & w) >>> 0));
    this.offset += words.length * 4;
  }

  private nextSector(): void {
    const next = this.current < 0 ? 0 : (this.current + 1) % this.img.sectors;
    const at = (next * this.img.sectorBytes) / 4;
    this.img.words.fill(ERASED, at, at + this.img.sectorBytes / 4);
    this.seq = this.current < 0 ? 1 : this.seq + 1;
    this.img.words.set([this.seq, this.seq, this.seq, MAGIC], at);
    this.current = next;
    this.offset = SECTOR_HEADER_BYTES;
  }
}

/**
 * A log as months of use leave it: sessions of strokes (an opening record, a checkpoint a second, a
 * closing record) and events, written until the ring has gone round and every sector is full.
 * Deterministic: the same geometry gives the same image. `startS` is the time of the first record.
 */
export function fillLog(img: LogImage, startS = 1_790_000_000): void {
  const w = new LogImageWriter(img);
  const total = img.sectors * img.sectorBytes;
  let written = 0;
  let t = startS;
  for (let session = 1; written < total * 1.5; session++) {
    const depthUm = 250 + 250 * (session % 8);
    const rateHz = 40 + 10 * (session % 9);
    const seconds = 3 + (session % 5);
    const settings = (session % 10) + 1; // a zone, home mode, no clamp
    const serial = 100000 + session;
    w.append(3, [session, t, settings, depthUm, rateHz, 16, serial, 2611]);
    for (let s = 1; s <= seconds; s++) w.checkpoint(s * rateHz);
    const strokes = seconds * rateHz;
    w.append(1, [session, t, t + seconds, settings, depthUm, rateHz, strokes, strokes * 16, serial, 2611, 0]);
    w.append(2, [session, t + seconds + 1, 7, 300]); // idle auto-off
    written += (11 + seconds + 14 + 7) * 4;
    t += 86_400;
  }
}
