// The treatment log in flash: an append-only ring of sectors, each record sealed by a CRC and a
// commit word written last. Power may fail at any write: a record whose commit word is not fully
// written is never returned, and every record completed before the failure survives.
//
// Sector: word 0 MAGIC (written after the sequence number), word 1 sequence number, then records.
// Record: header (0xA5 << 24 | type << 16 | payload words), payload, CRC-32 of header and payload,
// commit word 0x00000000. An erased word reads 0xFFFFFFFF; programming only clears bits.
import { STATIC_HEADER_BYTES, checked, checkedSet, staticArray } from "./statics";
import { flash_sectors, flash_sector_bytes, flash_read, flash_program, flash_erase } from "./hal";
import { crc32Word } from "./crc32";
import { noteHeavyWork } from "./budget";
import { logSectors } from "./cartstore";

const MAGIC: u32 = 0x504c4f47; // "PLOG"
const ERASED: u32 = 0xffffffff;
const TAG: u32 = 0xa5;
const HEADER_BYTES: i32 = 8;
export const LOG_MAX_PAYLOAD: i32 = 12;
const MAX_SECTORS: i32 = 64;

/** Payload of the record to append, and of the record last read. */
export const logPayload: StaticArray<u32> = staticArray<u32>(
  memory.data(STATIC_HEADER_BYTES + LOG_MAX_PAYLOAD * 4, 16),
  LOG_MAX_PAYLOAD,
);
export let logReadType: i32 = 0;
export let logReadWords: i32 = 0;

let sectors: i32 = 0;
let sectorBytes: i32 = 0;
let current: i32 = -1; // sector being written, -1 before the first record
let currentSeq: u32 = 0;
let writeOffset: i32 = 0;

function word(offset: i32): u32 {
  return <u32>flash_read(offset);
}

function sectorValid(s: i32): bool {
  return word(s * sectorBytes) == MAGIC && word(s * sectorBytes + 4) != ERASED;
}

/** Find the newest sector and the end of its records. Call at start-up. */
export function logInit(): void {
  sectors = min(logSectors(), MAX_SECTORS); // the last sectors may hold the cartridge store
  sectorBytes = flash_sector_bytes() & ~3;
  current = -1;
  // the newest sector is the valid one with the highest sequence number
  for (let s = 0; s < sectors; s++) {
    if (!sectorValid(s)) continue;
    const seq = word(s * sectorBytes + 4);
    if (current < 0 || seq > currentSeq) {
      current = s;
      currentSeq = seq;
    }
  }
  if (current < 0) return;
  // append after the last programmed word, whatever a power cut left there
  writeOffset = HEADER_BYTES;
  for (let o = sectorBytes - 4; o >= HEADER_BYTES; o -= 4) {
    if (word(current * sectorBytes + o) != ERASED) {
      writeOffset = o + 4;
      break;
    }
  }
}

/** Append a record of `words` payload words (logPayload). False if the flash refused a write. */
export function logAppend(type: i32, words: i32): bool {
  if (sectors <= 0 || words < 0 || words > LOG_MAX_PAYLOAD) return false;
  noteHeavyWork();
  const bytes = (words + 3) * 4;
  if (HEADER_BYTES + bytes > sectorBytes) return false;
  if (current < 0 || writeOffset + bytes > sectorBytes) {
    if (!openNextSector()) return false;
  }
  const base = current * sectorBytes + writeOffset;
  const header: u32 = (TAG << 24) | ((<u32>(type & 0xff)) << 16) | (<u32>words);
  let crc: u32 = crc32Word(0xffffffff, header);
  if (flash_program(base, <i32>header) != 0) {
    writeOffset += 4;
    return false;
  }
  for (let i = 0; i < words; i++) {
    crc = crc32Word(crc, checked(logPayload, i));
    if (flash_program(base + 4 + 4 * i, <i32>checked(logPayload, i)) != 0) {
      writeOffset += 4 * (i + 2);
      return false;
    }
  }
  crc = ~crc;
  writeOffset += bytes;
  if (flash_program(base + 4 + 4 * words, <i32>crc) != 0) return false;
  return flash_program(base + 8 + 4 * words, 0) == 0; // the commit word: the record exists from here on
}

function openNextSector(): bool {
  const next = current < 0 ? 0 : (current + 1) % sectors;
  if (flash_erase(next) != 0) return false;
  const seq = current < 0 ? 1 : currentSeq + 1;
  // sequence first, magic last: a sector with a torn header is not valid
  if (flash_program(next * sectorBytes + 4, <i32>seq) != 0) return false;
  if (flash_program(next * sectorBytes, <i32>MAGIC) != 0) return false;
  current = next;
  currentSeq = seq;
  writeOffset = HEADER_BYTES;
  return true;
}

let found: bool = false;

/** Loads committed record `index` (0 = oldest) into logPayload, logReadType, logReadWords. */
export function logRead(index: i32): bool {
  if (index < 0) return false;
  scan(index);
  return found;
}

/** Committed records in the log. */
export function logCount(): i32 {
  return scan(-1);
}

/**
 * Visits committed records oldest first, stopping at `index`; returns how many it passed. Sectors are
 * written in ring order, so the oldest is the next valid one after the newest.
 */
function scan(index: i32): i32 {
  found = false;
  let n = 0;
  if (current < 0) return 0;
  for (let v = 1; v <= sectors; v++) {
    const s = (current + v) % sectors;
    if (!sectorValid(s)) continue;
    let o = HEADER_BYTES;
    while (o + 12 <= sectorBytes) {
      const base = s * sectorBytes + o;
      const header = word(base);
      if (header == ERASED) break;
      const words = <i32>(header & 0xffff);
      if (header >>> 24 != TAG || words > LOG_MAX_PAYLOAD || o + (words + 3) * 4 > sectorBytes) {
        o += 4;
        continue;
      }
      let crc: u32 = crc32Word(0xffffffff, header);
      for (let i = 0; i < words; i++) crc = crc32Word(crc, word(base + 4 + 4 * i));
      if (~crc != word(base + 4 + 4 * words) || word(base + 8 + 4 * words) != 0) {
        o += 4;
        continue;
      } // torn or corrupt: resync
      if (n == index) {
        for (let i = 0; i < words; i++) checkedSet(logPayload, i, word(base + 4 + 4 * i));
        logReadType = <i32>((header >>> 16) & 0xff);
        logReadWords = words;
        found = true;
        return n;
      }
      n++;
      o += (words + 3) * 4;
    }
  }
  return n;
}
