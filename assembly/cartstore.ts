// The cartridges this pen has used, kept power-safe: the serials (a bounded list, oldest out) and the
// cartridge of the treatment under way, so that exactly that cartridge is accepted back after a
// watchdog reset or a brief power loss. Two sectors at the end of the log flash, written in turn.
//
// Sector: word 0 MAGIC (written last, after the copy it commits), word 1 sequence number, then entries.
// Entry (4 words): 0xC5 << 24 | kind, serial, RTC seconds, CRC-32 of the three (written last: a torn
// entry fails it and is skipped). Kinds: 1 used, 2 marked used and the session's own, 3 session closed.
// When the active sector is nearly full, the list is copied into the other one (erased first) a few
// entries per tick, and the copy's header is written last: a power cut keeps the older sector.
import { STATIC_HEADER_BYTES, checked, checkedSet, staticArray } from "./statics";
import { flash_sectors, flash_sector_bytes, flash_read, flash_program, flash_erase, rtc_seconds } from "./hal";
import { crc32Word } from "./crc32";

export const STORE_SECTORS: i32 = 2;
/** the log keeps at least this many sectors: a smaller flash has no store (the list lives in RAM) */
const MIN_LOG_SECTORS: i32 = 4;
/** most serials remembered */
export const USED_CAPACITY: i32 = 32;
/** a treatment session is resumable for at most this long after its cartridge was marked (s) */
export const SESSION_MAX_S: u32 = 2 * 3600;

const MAGIC: u32 = 0x43555345; // "CUSE"
const ERASED: u32 = 0xffffffff;
const TAG: u32 = 0xc5 << 24;
const K_USED: u32 = 1;
const K_OPEN: u32 = 2;
const K_CLOSE: u32 = 3;
const HEADER_BYTES: i32 = 8;
const ENTRY_BYTES: i32 = 16;
// an entry costs about 300 instructions on the Cortex-M4: a tick does one, never more than two
const SCAN_ENTRIES_PER_TICK: i32 = 2;
const COPY_ENTRIES_PER_TICK: i32 = 1;

const P_NONE: i32 = 0; // no store: RAM only
const P_SCAN: i32 = 1;
const P_READY: i32 = 2;
const P_ERASE: i32 = 3;
const P_COPY: i32 = 4;

const ring: StaticArray<u32> = staticArray<u32>(
  memory.data(STATIC_HEADER_BYTES + USED_CAPACITY * 4, 16),
  USED_CAPACITY,
);
let head: i32 = 0; // index of the oldest serial
let count: i32 = 0;
let capacity: i32 = USED_CAPACITY;
let open: bool = false;
let openSerial: u32 = 0;
let openAt: u32 = 0;

let phase: i32 = P_NONE;
let firstSector: i32 = 0;
let sectorBytes: i32 = 0;
let active: i32 = -1; // 0 or 1: which store sector is written; -1 none yet
let activeSeq: u32 = 0;
let offset: i32 = 0; // next entry's byte offset in the active sector
let copied: i32 = 0; // entries of the list copied so far
let pendingMark: bool = false; // a mark taken into the list, not yet written
let pendingSerial: u32 = 0;
let pendingAt: u32 = 0;
let pendingClose: bool = false; // the session closed, not yet written
let closeSerial: u32 = 0;
let closeAt: u32 = 0;

/** Sectors the treatment log may use: all but the store's when the flash is large enough for both. */
export function logSectors(): i32 {
  const n = flash_sectors();
  return n >= MIN_LOG_SECTORS + STORE_SECTORS ? n - STORE_SECTORS : n;
}

/** At start-up: find the active store sector; its entries are read by storeTick, a few a tick. */
export function storeInit(): void {
  head = 0;
  count = 0;
  open = false;
  pendingMark = false;
  pendingClose = false;
  active = -1;
  activeSeq = 0;
  const n = flash_sectors();
  if (n < MIN_LOG_SECTORS + STORE_SECTORS) {
    phase = P_NONE;
    capacity = USED_CAPACITY;
    return;
  }
  firstSector = n - STORE_SECTORS;
  sectorBytes = flash_sector_bytes() & ~3;
  // a copy needs the whole list and the open session, with room left over
  const perSector = (sectorBytes - HEADER_BYTES) / ENTRY_BYTES;
  capacity = min(USED_CAPACITY, perSector / 2 - 1);
  for (let s = 0; s < STORE_SECTORS; s++) {
    const base = (firstSector + s) * sectorBytes;
    if (<u32>flash_read(base) != MAGIC) continue;
    const seq = <u32>flash_read(base + 4);
    if (seq == ERASED) continue;
    if (active < 0 || seq > activeSeq) {
      active = s;
      activeSeq = seq;
    }
  }
  offset = HEADER_BYTES;
  phase = active < 0 ? P_READY : P_SCAN;
}

/** Reads the store at start-up, and copies it into the other sector when the active one fills. */
export function storeTick(): void {
  if (phase == P_SCAN) {
    for (let i = 0; i < SCAN_ENTRIES_PER_TICK; i++) {
      if (offset + ENTRY_BYTES > sectorBytes) {
        phase = P_READY;
        return;
      }
      const at = sectorBase(active) + offset;
      const tag = <u32>flash_read(at);
      if (tag == ERASED) {
        phase = P_READY;
        return;
      }
      const serial = <u32>flash_read(at + 4);
      const t = <u32>flash_read(at + 8);
      offset += ENTRY_BYTES;
      if (<u32>flash_read(at + 12) != entryCrc(tag, serial, t)) continue; // torn: skip it
      apply(tag & 0xff, serial, t);
    }
    return;
  }
  if (phase == P_READY && active < 0) {
    makeFirstSector(); // before the first entry is due, so that writing it is one entry's work
    return;
  }
  if (phase == P_READY && pendingMark) {
    if (append(K_OPEN, pendingSerial, pendingAt)) pendingMark = false;
    return; // else full: after the copy
  }
  if (phase == P_READY && pendingClose) {
    if (append(K_CLOSE, closeSerial, closeAt)) pendingClose = false;
    return;
  }
  if (phase == P_READY && active >= 0 && offset + 2 * ENTRY_BYTES > sectorBytes) phase = P_ERASE;
  if (phase == P_ERASE) {
    flash_erase(firstSector + other());
    copied = 0;
    offset = HEADER_BYTES;
    phase = P_COPY;
    return;
  }
  if (phase == P_COPY) copyTick();
}

function copyTick(): void {
  const to = sectorBase(other());
  for (let i = 0; i < COPY_ENTRIES_PER_TICK; i++) {
    if (copied < count) {
      const s = checked(ring, (head + copied) % capacity);
      copied++;
      if (open && s == openSerial) continue; // written as the session's own below
      writeEntry(to + offset, K_USED, s, 0);
      offset += ENTRY_BYTES;
      continue;
    }
    if (open) {
      writeEntry(to + offset, K_OPEN, openSerial, openAt);
      offset += ENTRY_BYTES;
    }
    // commit: the sequence number, then the magic word
    flash_program(to + 4, <i32>(activeSeq + 1));
    flash_program(to, <i32>MAGIC);
    active = other();
    activeSeq++;
    phase = P_READY;
    return;
  }
}

/** The list is read and writable (false while it is read at start-up or copied). */
export function storeReady(): bool {
  return phase == P_READY || phase == P_NONE;
}

/** This pen has used `serial` (and still remembers it). */
export function serialUsed(serial: u32): bool {
  for (let i = 0; i < count; i++) if (checked(ring, (head + i) % capacity) == serial) return true;
  return false;
}

/** `serial` is the cartridge of the treatment session still open (a reset or power loss came in between). */
export function isOpenSession(serial: u32): bool {
  return open && serial == openSerial && <u32>rtc_seconds() - openAt <= SESSION_MAX_S;
}

/**
 * At a cartridge's first stroke: its serial is used, and the session is its own. The list takes it at
 * once; the flash in the next tick (storeTick), so that the start's tick stays within its budget.
 */
export function storeMarkUsed(serial: u32): void {
  const t = <u32>rtc_seconds();
  apply(K_OPEN, serial, t);
  if (phase == P_NONE) return;
  pendingMark = true;
  pendingSerial = serial;
  pendingAt = t;
}

/** The last mark is in flash (or there is no store). */
export function storeMarkWritten(): bool {
  return !pendingMark;
}

/** The session's cartridge was taken off, or the pen switched off: it is not accepted back any more. */
export function storeCloseSession(): void {
  if (!open) return;
  open = false;
  if (phase == P_NONE) return;
  pendingClose = true; // written after any pending mark, in a later tick
  closeSerial = openSerial;
  closeAt = <u32>rtc_seconds();
}

function apply(kind: u32, serial: u32, t: u32): void {
  if (kind == K_CLOSE) {
    if (open && serial == openSerial) open = false;
    return;
  }
  if (!serialUsed(serial)) remember(serial);
  if (kind == K_OPEN) {
    open = true;
    openSerial = serial;
    openAt = t;
  } else if (open && serial == openSerial) open = false;
}

function remember(serial: u32): void {
  if (count == capacity) {
    head = (head + 1) % capacity; // oldest out
    count--;
  }
  checkedSet(ring, (head + count) % capacity, serial);
  count++;
}

/** A store that was never written: its first sector, empty, header last. */
function makeFirstSector(): void {
  flash_erase(firstSector);
  flash_program(sectorBase(0) + 4, 1);
  flash_program(sectorBase(0), <i32>MAGIC);
  active = 0;
  activeSeq = 1;
  offset = HEADER_BYTES;
}

/** Append one entry to the active sector. RAM-only without a store. */
function append(kind: u32, serial: u32, t: u32): bool {
  if (phase == P_NONE) return true;
  if (active < 0 || offset + ENTRY_BYTES > sectorBytes) return false; // not made yet, or full until the copy
  writeEntry(sectorBase(active) + offset, kind, serial, t);
  offset += ENTRY_BYTES;
  return true;
}

function writeEntry(at: i32, kind: u32, serial: u32, t: u32): void {
  const tag = TAG | kind;
  flash_program(at, <i32>tag);
  flash_program(at + 4, <i32>serial);
  flash_program(at + 8, <i32>t);
  flash_program(at + 12, <i32>entryCrc(tag, serial, t));
}

function entryCrc(tag: u32, serial: u32, t: u32): u32 {
  return ~crc32Word(crc32Word(crc32Word(0xffffffff, tag), serial), t);
}

function sectorBase(s: i32): i32 {
  return (firstSector + s) * sectorBytes;
}

function other(): i32 {
  return active == 0 ? 1 : 0;
}
