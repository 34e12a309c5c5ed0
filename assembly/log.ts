// The treatment log in flash: an append-only ring of sectors, each record sealed by a CRC and a
// commit word written last, and one-word checkpoints between records. Power may fail at any write and
// any single bit may flip: a record whose commit word or CRC does not hold is skipped, a reader that
// meets one resynchronises on the next good record, and every other record survives.
// docs/treatment-log.md is the format; tools/lib/log-format.ts reads the same format from an image.
//
// Sector: words 0-2 the sequence number three times, word 3 MAGIC (written last), then records. The
// sequence number is the bitwise majority of its copies and MAGIC is accepted one bit off, so one
// flipped bit neither hides a sector nor moves the ring's newest sector (which the next erase follows).
// Record: header (0xA5 << 24 | type << 16 | payload words), payload, CRC-32 of header and payload,
// commit word 0x00000000 (accepted one bit off: the CRC has already proved the record whole).
// Checkpoint: one word (count << 16 | ~count & 0xFFFF) right after a record or another checkpoint;
// any torn write or flipped bit breaks the complement. An erased word reads 0xFFFFFFFF, which a
// payload may hold too: the end of a sector's records is where its programmed words end.
//
// Reading walks the ring oldest first from a cursor, a bounded number of flash reads at a time
// (logSeek, logSeekStep), so `LOG i` never holds a control tick for long. At start-up only the sector
// headers are read; the end of the newest sector's records and the walk that counts them run a slice
// per tick (logStartupStep, driven by session.ts). Records appended before that is done wait in a
// short queue and go to flash, in order, after it.
import { STATIC_HEADER_BYTES, checked, checkedSet, staticArray } from "./statics";
import { flash_sectors, flash_sector_bytes, flash_read, flash_program, flash_erase } from "./hal";
import { crc32Word } from "./crc32";
import { noteHeavyWork } from "./budget";
import { logSectors } from "./cartstore";

const MAGIC: u32 = 0x504c4f47; // "PLOG"
const ERASED: u32 = 0xffffffff;
const TAG: u32 = 0xa5;
const SECTOR_HEADER_BYTES: i32 = 16;
export const LOG_MAX_PAYLOAD: i32 = 12;
const MAX_SECTORS: i32 = 64;

/** Payload of the record to append. */
export const logPayload: StaticArray<u32> = staticArray<u32>(
  memory.data(STATIC_HEADER_BYTES + LOG_MAX_PAYLOAD * 4, 16),
  LOG_MAX_PAYLOAD,
);
/** Payload of the record last passed by the reader (logReadType, logReadWords). */
export const logReadPayload: StaticArray<u32> = staticArray<u32>(
  memory.data(STATIC_HEADER_BYTES + LOG_MAX_PAYLOAD * 4, 16),
  LOG_MAX_PAYLOAD,
);
export let logReadType: i32 = 0;
export let logReadWords: i32 = 0;
/** The count of the checkpoint word last passed by the reader. */
export let logReadCheckpoint: u32 = 0;

/** valid sectors, oldest first */
const order: StaticArray<i32> = staticArray<i32>(memory.data(STATIC_HEADER_BYTES + MAX_SECTORS * 4, 16), MAX_SECTORS);
/** the sequence number of each sector in order[] */
const orderSeq: StaticArray<u32> = staticArray<u32>(
  memory.data(STATIC_HEADER_BYTES + MAX_SECTORS * 4, 16),
  MAX_SECTORS,
);
/** committed records in each sector */
const sectorRecords: StaticArray<i32> = staticArray<i32>(
  memory.data(STATIC_HEADER_BYTES + MAX_SECTORS * 4, 16),
  MAX_SECTORS,
);
let validSectors: i32 = 0;
let sectors: i32 = 0;
let sectorBytes: i32 = 0;
let current: i32 = -1; // sector being written, -1 before the first record
let currentSeq: u32 = 0;
let writeOffset: i32 = 0;
let records: i32 = 0;

let reads: i32 = 0; // flash reads so far (the reader's budget counts them)

function word(offset: i32): u32 {
  reads++;
  return <u32>flash_read(offset);
}

/** A checkpoint word for `count` (its low 16 bits). */
export function checkpointWord(count: u32): u32 {
  return ((count & 0xffff) << 16) | (~count & 0xffff);
}

function isCheckpoint(w: u32): bool {
  return w >>> 16 == (~w & 0xffff);
}

let headerSeq: u32 = 0;

/** Whether sector s has a header (MAGIC at most one bit off); its sequence number in headerSeq. */
function readSectorHeader(s: i32): bool {
  const base = s * sectorBytes;
  if (popcnt<u32>(word(base + 12) ^ MAGIC) > 1) return false;
  const a = word(base);
  const b = word(base + 4);
  const c = word(base + 8);
  headerSeq = (a & b) | (a & c) | (b & c);
  return headerSeq != ERASED;
}

const PHASE_TAIL: i32 = 0; // looking for the end of the newest sector's records
const PHASE_WALK: i32 = 1; // counting the records
const PHASE_SCANNED: i32 = 2; // counted: the session's start-up still to finish (logOpen)
const PHASE_READY: i32 = 3;
let phase: i32 = PHASE_READY;
let tailOffset: i32 = 0;

/** Find the sectors and their order (their headers only). At start-up; logStartupStep does the rest. */
export function logInit(): void {
  sectors = min(logSectors(), MAX_SECTORS); // the last sectors may hold the cartridge store
  sectorBytes = flash_sector_bytes() & ~3;
  current = -1;
  validSectors = 0;
  records = 0;
  walkValid = false;
  queued = 0;
  phase = PHASE_SCANNED;
  if (sectors <= 0 || sectorBytes < SECTOR_HEADER_BYTES + 16) {
    sectors = 0;
    return;
  }
  // valid sectors by sequence number, oldest first (insertion into the ordered list)
  for (let s = 0; s < sectors; s++) {
    checkedSet(sectorRecords, s, 0);
    if (!readSectorHeader(s)) continue;
    const seq = headerSeq;
    let k = validSectors++;
    while (k > 0 && checked(orderSeq, k - 1) > seq) {
      checkedSet(order, k, checked(order, k - 1));
      checkedSet(orderSeq, k, checked(orderSeq, k - 1));
      k--;
    }
    checkedSet(order, k, s);
    checkedSet(orderSeq, k, seq);
  }
  if (validSectors == 0) return;
  current = checked(order, validSectors - 1);
  currentSeq = checked(orderSeq, validSectors - 1);
  writeOffset = SECTOR_HEADER_BYTES;
  tailOffset = sectorBytes - 4;
  phase = PHASE_TAIL;
}

/** The log's records are counted and the start-up is finished: the log takes records again. */
export function logScanned(): bool {
  return phase >= PHASE_SCANNED;
}
export function logReady(): bool {
  return phase == PHASE_READY;
}

/**
 * One step of the start-up scan: in the newest sector, a word looked at from its end back to its last
 * programmed word (WALK_SKIP); then the walk over every record that counts them (its results). WALK_END
 * once done.
 */
export function logStartupStep(): i32 {
  if (phase == PHASE_TAIL) {
    // append after the last programmed word, whatever a power cut or a flipped bit left there
    if (tailOffset < SECTOR_HEADER_BYTES || word(current * sectorBytes + tailOffset) != ERASED) {
      writeOffset = tailOffset + 4;
      phase = PHASE_WALK;
      walkReset();
    } else {
      tailOffset -= 4;
    }
    return WALK_SKIP;
  }
  if (phase != PHASE_WALK) return WALK_END;
  const r = walkStep();
  if (r == WALK_RECORD) {
    const s = checked(order, walkK);
    checkedSet(sectorRecords, s, checked(sectorRecords, s) + 1);
    records++;
  } else if (r == WALK_END) {
    walkValid = false;
    phase = PHASE_SCANNED;
  }
  return r;
}

/** Flash reads so far (a slice of work counts them). */
export function logReads(): i32 {
  return reads;
}

/** The start-up is finished (any record it had to write is written): queued records may go now. */
export function logOpen(): void {
  phase = PHASE_READY;
}

/** Committed records in the log. */
export function logCount(): i32 {
  return records;
}

// records appended before the start-up scan was done (or behind those), in order: type, words, payload
const QUEUE_RECORDS: i32 = 4;
const QUEUE_STRIDE: i32 = LOG_MAX_PAYLOAD + 2;
const queue: StaticArray<u32> = staticArray<u32>(
  memory.data(STATIC_HEADER_BYTES + QUEUE_RECORDS * QUEUE_STRIDE * 4, 16),
  QUEUE_RECORDS * QUEUE_STRIDE,
);
let queued: i32 = 0;
let holdWrites: bool = false;

/**
 * While held, an appended record waits in the queue (the tick is busy: treatment.ts) and is written by
 * logWriteQueued in a later tick, in order.
 */
export function logHoldWrites(hold: bool): void {
  holdWrites = hold;
}

/** Records waiting: for the start-up scan, or appended while writes were held. */
export function logQueued(): i32 {
  return queued;
}

/**
 * Append a record of `words` payload words (logPayload); before the start-up scan is done, while
 * records wait or while writes are held, it waits too (false if the queue is full). False if the
 * flash refused a write.
 */
export function logAppend(type: i32, words: i32): bool {
  if (sectors <= 0 || words < 0 || words > LOG_MAX_PAYLOAD) return false;
  if (phase == PHASE_READY && queued == 0 && !holdWrites) return logWrite(type, words);
  if (queued >= QUEUE_RECORDS) return false;
  const at = queued++ * QUEUE_STRIDE;
  // flagged: appended before the session number was known
  checkedSet(queue, at, (<u32>type) | (phase == PHASE_READY ? 0 : 0x100));
  checkedSet(queue, at + 1, <u32>words);
  for (let i = 0; i < words; i++) checkedSet(queue, at + 2 + i, checked(logPayload, i));
  return true;
}

/**
 * Write the oldest waiting record; one appended before the start-up was done gets `session` as its
 * session number (word 0). False if none waits.
 */
export function logWriteQueued(session: u32): bool {
  if (phase != PHASE_READY || queued == 0) return false;
  const type = <i32>(checked(queue, 0) & 0xff);
  const early = (checked(queue, 0) & 0x100) != 0;
  const words = <i32>checked(queue, 1);
  for (let i = 0; i < words; i++) checkedSet(logPayload, i, checked(queue, 2 + i));
  if (early && words > 0) checkedSet(logPayload, 0, session);
  queued--;
  for (let i = 0; i < queued * QUEUE_STRIDE; i++) checkedSet(queue, i, checked(queue, i + QUEUE_STRIDE));
  logWrite(type, words);
  return true;
}

/** Write a record now (logPayload), ahead of any waiting one: the start-up's own. False if the flash refused a write. */
export function logWrite(type: i32, words: i32): bool {
  if (sectors <= 0 || words < 0 || words > LOG_MAX_PAYLOAD) return false;
  noteHeavyWork();
  const bytes = (words + 3) * 4;
  if (SECTOR_HEADER_BYTES + bytes > sectorBytes) return false;
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
  if (flash_program(base + 8 + 4 * words, 0) != 0) return false; // the commit word: the record exists from here on
  checkedSet(sectorRecords, current, checked(sectorRecords, current) + 1);
  records++;
  return true;
}

/** Append a checkpoint word for `count`. False if the flash refused it. */
export function logAppendCheckpoint(count: u32): bool {
  if (sectors <= 0 || phase != PHASE_READY) return false;
  noteHeavyWork();
  if (current < 0 || writeOffset + 4 > sectorBytes) {
    if (!openNextSector()) return false;
  }
  const at = current * sectorBytes + writeOffset;
  writeOffset += 4;
  return flash_program(at, <i32>checkpointWord(count)) == 0;
}

function openNextSector(): bool {
  const next = current < 0 ? 0 : (current + 1) % sectors;
  walkValid = false; // records move down the ring: a cursor's index no longer holds
  // the sector leaves the ring before it is erased
  let k = 0;
  while (k < validSectors && checked(order, k) != next) k++;
  if (k < validSectors) {
    records -= checked(sectorRecords, next);
    for (let j = k; j < validSectors - 1; j++) {
      checkedSet(order, j, checked(order, j + 1));
      checkedSet(orderSeq, j, checked(orderSeq, j + 1));
    }
    validSectors--;
  }
  checkedSet(sectorRecords, next, 0);
  if (flash_erase(next) != 0) return false;
  const seq: u32 = current < 0 ? 1 : currentSeq + 1;
  const base = next * sectorBytes;
  // the sequence number's copies first, magic last: a sector with a torn header is not valid
  for (let i = 0; i < 3; i++) if (flash_program(base + 4 * i, <i32>seq) != 0) return false;
  if (flash_program(base + 12, <i32>MAGIC) != 0) return false;
  checkedSet(order, validSectors, next);
  checkedSet(orderSeq, validSectors++, seq);
  current = next;
  currentSeq = seq;
  writeOffset = SECTOR_HEADER_BYTES;
  return true;
}

// ---- reading: a cursor that walks the ring oldest first --------------------------------------

export const WALK_END: i32 = -1;
export const WALK_SKIP: i32 = 0;
export const WALK_RECORD: i32 = 1;
export const WALK_CHECKPOINT: i32 = 2;

let walkValid: bool = false;
let walkK: i32 = 0; // index in order[]
let walkO: i32 = 0; // byte offset in that sector
let walkN: i32 = 0; // committed records before the cursor
let walkClean: bool = true; // the cursor follows a good record: a checkpoint word here is one

/** Put the cursor before the oldest record. */
export function walkReset(): void {
  walkValid = true;
  walkK = 0;
  walkO = SECTOR_HEADER_BYTES;
  walkN = 0;
  walkClean = true;
}

/**
 * One step of the cursor: a record (WALK_RECORD, loaded into logReadPayload, logReadType,
 * logReadWords), a checkpoint (WALK_CHECKPOINT, logReadCheckpoint), a word skipped, or the end.
 * At most LOG_MAX_PAYLOAD + 3 flash reads.
 */
export function walkStep(): i32 {
  if (walkK >= validSectors) return WALK_END;
  const s = checked(order, walkK);
  const end = s == current ? writeOffset : sectorBytes;
  if (walkO + 4 > end) {
    walkK++;
    walkO = SECTOR_HEADER_BYTES;
    walkClean = true;
    return walkK >= validSectors ? WALK_END : WALK_SKIP;
  }
  const base = s * sectorBytes + walkO;
  const header = word(base);
  const words = <i32>(header & 0xffff);
  if (header >>> 24 == TAG && words <= LOG_MAX_PAYLOAD && walkO + (words + 3) * 4 <= end) {
    let crc: u32 = crc32Word(0xffffffff, header);
    for (let i = 0; i < words; i++) {
      const w = word(base + 4 + 4 * i);
      checkedSet(logReadPayload, i, w);
      crc = crc32Word(crc, w);
    }
    if (~crc == word(base + 4 + 4 * words) && popcnt<u32>(word(base + 8 + 4 * words)) <= 1) {
      logReadType = <i32>((header >>> 16) & 0xff);
      logReadWords = words;
      walkO += (words + 3) * 4;
      walkN++;
      walkClean = true;
      return WALK_RECORD;
    }
  }
  walkO += 4;
  if (walkClean && isCheckpoint(header)) {
    logReadCheckpoint = header >>> 16;
    return WALK_CHECKPOINT;
  }
  walkClean = false; // torn, flipped or erased: on to the next good record
  return WALK_SKIP;
}

let seekTarget: i32 = 0;

/** Start looking for record `index` (0 = oldest): from the cursor when it has not passed it. */
export function logSeek(index: i32): void {
  seekTarget = index;
  if (!walkValid || walkN > index) walkReset();
}

/** A slice of the search, about `maxReads` flash reads: 1 found (logRead*), -1 no such record, 0 not yet. */
export function logSeekStep(maxReads: i32): i32 {
  if (seekTarget < 0 || seekTarget >= records) return -1;
  if (!walkValid) walkReset(); // a sector was recycled under the search: the indices moved, start again
  const start = reads;
  while (reads - start < maxReads) {
    const r = walkStep();
    if (r == WALK_END) return -1;
    if (r == WALK_RECORD && walkN - 1 == seekTarget) return 1;
  }
  return 0;
}

/** Loads committed record `index` (0 = oldest) into logReadPayload, logReadType, logReadWords, at once. */
export function logRead(index: i32): bool {
  if (index < 0) return false;
  logSeek(index);
  return logSeekStep(0x7fffffff) == 1;
}
