// Treatment sessions in the log: each stretch of strokes at one setting (a new depth or rate, a
// pause, a stop or a fault closes it) opens with a record once its first stroke is queued, counts its
// strokes in a checkpoint word each second, and closes with a segment record; event records for
// faults, refusals and authentication. A segment that a reset or a power loss left open is closed at
// the next start-up from its last checkpoint, with the reason. docs/treatment-log.md has the layout.
import { STATIC_HEADER_BYTES, checked, checkedSet, staticArray } from "./statics";
import { noteHeavyWork, tickIsFree } from "./budget";
import { rtc_seconds, reset_cause } from "./hal";
import {
  REC_SEGMENT,
  REC_EVENT,
  REC_SEGMENT_OPEN,
  SEGMENT_WORDS,
  EVENT_WORDS,
  SEGMENT_OPEN_WORDS,
  END_CLOSED,
  END_POWER_LOSS,
  END_WATCHDOG_RESET,
  END_FIRMWARE_RESET,
  RESET_POWER_ON,
  RESET_WATCHDOG,
} from "./abi";
import {
  logInit,
  logAppend,
  logWrite,
  logWriteQueued,
  logAppendCheckpoint,
  logPayload,
  logReadPayload,
  logReadType,
  logReadCheckpoint,
  logStartupStep,
  logScanned,
  logReady,
  logOpen,
  logReads,
  WALK_RECORD,
  WALK_CHECKPOINT,
} from "./log";

let sessionNo: u32 = 0;
let open: bool = false;
let segLive: bool = false; // a stretch of strokes runs (begun, not yet closed)
let segOpenWritten: bool = false; // its opening record is in the log
let segCheckpointed: u32 = 0; // strokes in the last checkpoint written
let segStart: u32 = 0;
let segStrokes: u32 = 0;
let segFaults: u32 = 0;
let segDepthUm: i32 = 0;
let segFreqHz: i32 = 0;
let segClamp: i32 = 0;
let segZone: i32 = 0;
let segMode: i32 = 0;
let segNeedles: i32 = 0;
let segSerial: u32 = 0;
let segLot: u32 = 0;
let sessionStart: u32 = 0;

/** flash reads a tick for the start-up scan: with their CRC, well inside the tick budget */
const STARTUP_READS_PER_TICK: i32 = 12;

// what the start-up scan has seen: the last opening record without its close (kept in `interrupted`),
// and the strokes its checkpoints counted
const interrupted: StaticArray<u32> = staticArray<u32>(
  memory.data(STATIC_HEADER_BYTES + SEGMENT_OPEN_WORDS * 4, 16),
  SEGMENT_OPEN_WORDS,
);
let pending: bool = false;
let checkpoints: u32 = 0;
let lastCount: u32 = 0;
let counted: u32 = 0;

/** Start reading the log (its headers now, the rest a slice per tick: sessionStartupTick). */
export function sessionInit(): void {
  logInit();
  open = false;
  segLive = false;
  segOpenWritten = false;
  sessionNo = 0;
  pending = false;
}

/** The start-up is done: the session numbers are known and the log takes records. */
export function sessionReady(): bool {
  return logReady();
}

/**
 * Each tick until the log is read: a slice of the start-up scan; at its end, the next session's number
 * and the closing record of a segment left open. True if it did work this tick.
 */
export function sessionStartupTick(): bool {
  if (logReady()) return false;
  if (!tickIsFree()) return true; // this tick already did its heavy piece (or the cartridge check's): the scan waits
  noteHeavyWork();
  if (logScanned()) {
    // the record closing an interrupted stretch gets a tick of its own: after a watchdog reset, the
    // scan's last reads and that record in one tick took the STM32F405 port to 5,550 instructions
    completeStartup();
    return true;
  }
  const start = logReads();
  while (!logScanned() && logReads() - start < STARTUP_READS_PER_TICK) scanStep(logStartupStep());
  return true;
}

function completeStartup(): void {
  logOpen();
  if (pending) closeInterrupted();
  pending = false;
}

/** Read the rest of the log at once (a session starts before the start-up scan is done: not in use, as homing takes longer). */
function finishStartup(): void {
  while (!logScanned()) scanStep(logStartupStep());
  if (!logReady()) completeStartup();
}

function scanStep(r: i32): void {
  if (r == WALK_CHECKPOINT) {
    if (!pending) return;
    counted += (logReadCheckpoint - lastCount) & 0xffff;
    lastCount = logReadCheckpoint;
    checkpoints++;
    return;
  }
  if (r != WALK_RECORD) return;
  sessionNo = checked(logReadPayload, 0);
  if (logReadType == REC_SEGMENT_OPEN) {
    for (let i = 0; i < SEGMENT_OPEN_WORDS; i++) checkedSet(interrupted, i, checked(logReadPayload, i));
    pending = true;
    checkpoints = 0;
    lastCount = 0;
    counted = 0;
  } else if (
    logReadType == REC_SEGMENT &&
    pending &&
    checked(logReadPayload, 0) == checked(interrupted, 0) &&
    checked(logReadPayload, 1) == checked(interrupted, 1)
  ) {
    pending = false;
  }
}

/** The segment of `interrupted` (its opening record) was cut short: its closing record, from its checkpoints. */
function closeInterrupted(): void {
  const strokes = counted;
  const cause = reset_cause();
  const end =
    cause == RESET_POWER_ON ? END_POWER_LOSS : cause == RESET_WATCHDOG ? END_WATCHDOG_RESET : END_FIRMWARE_RESET;
  // opening record: session, start, zone | mode << 8 | clamp << 16, depth, rate, needles, serial, lot
  const session = checked(interrupted, 0);
  const start = checked(interrupted, 1);
  const settings = checked(interrupted, 2);
  const depthUm = checked(interrupted, 3);
  const freqHz = checked(interrupted, 4);
  const needles = checked(interrupted, 5);
  const serial = checked(interrupted, 6);
  const lot = checked(interrupted, 7);
  // the strokes ran at the segment's rate from its start; without a rate, a checkpoint is about a second
  const seconds = freqHz > 0 ? (strokes + freqHz / 2) / freqHz : checkpoints;
  putSegmentTimes(session, start, start + seconds, settings | ((<u32>end) << 24));
  putSegmentStrokes(depthUm, freqHz, strokes, needles);
  putSegmentCartridge(serial, lot, 0);
  logWrite(REC_SEGMENT, SEGMENT_WORDS); // ahead of the records that waited for the scan
}

/** A segment record's payload, in three parts (a port's wasm runtime takes at most 8 values a function type). */
function putSegmentTimes(session: u32, start: u32, end: u32, settings: u32): void {
  checkedSet(logPayload, 0, session);
  checkedSet(logPayload, 1, start);
  checkedSet(logPayload, 2, end);
  checkedSet(logPayload, 3, settings);
}

function putSegmentStrokes(depthUm: u32, freqHz: u32, strokes: u32, needles: u32): void {
  checkedSet(logPayload, 4, depthUm);
  checkedSet(logPayload, 5, freqHz);
  checkedSet(logPayload, 6, strokes);
  checkedSet(logPayload, 7, strokes * needles);
}

function putSegmentCartridge(serial: u32, lot: u32, faults: u32): void {
  checkedSet(logPayload, 8, serial);
  checkedSet(logPayload, 9, lot);
  checkedSet(logPayload, 10, faults);
}

/** A record that waited (for the start-up scan, or for a tick that was not busy), written now (one a tick). True if one was. */
export function writeWaitingRecord(): bool {
  return logWriteQueued(sessionNo);
}

export function sessionNumber(): u32 {
  return sessionNo;
}
export function sessionOpen(): bool {
  return open;
}
/** Seconds since the session started (0 outside a session). */
export function sessionSeconds(): u32 {
  return open ? <u32>rtc_seconds() - sessionStart : 0;
}

export function beginSession(): void {
  finishStartup();
  sessionNo++;
  open = true;
  sessionStart = <u32>rtc_seconds();
}

/** Start a stretch of strokes at a setting (its opening record is written once a stroke is queued). */
export function beginSegment(
  depthUm: i32,
  freqHz: i32,
  clamp: i32,
  zone: i32,
  mode: i32,
  needles: i32,
  serial: u32,
  lot: u32,
): void {
  segStart = <u32>rtc_seconds();
  segStrokes = 0;
  segFaults = 0;
  segDepthUm = depthUm;
  segFreqHz = freqHz;
  segClamp = clamp;
  segZone = zone;
  segMode = mode;
  segNeedles = needles;
  segSerial = serial;
  segLot = lot;
  segLive = true;
  segOpenWritten = false;
  segCheckpointed = 0;
}

export function addStrokes(n: i32): void {
  segStrokes += <u32>n;
}
export function noteFault(code: i32): void {
  segFaults |= u32(1) << u32(code & 31);
}

function settingsWord(): u32 {
  return (<u32>(segZone & 0xff)) | ((<u32>(segMode & 0xff)) << 8) | ((<u32>(segClamp & 0xff)) << 16);
}

/** The running stretch has strokes but no opening record yet. */
export function segmentOpenDue(): bool {
  return open && segLive && !segOpenWritten && segStrokes > 0;
}

/** Write the running stretch's opening record. */
export function writeSegmentOpen(): bool {
  checkedSet(logPayload, 0, sessionNo);
  checkedSet(logPayload, 1, segStart);
  checkedSet(logPayload, 2, settingsWord());
  checkedSet(logPayload, 3, <u32>segDepthUm);
  checkedSet(logPayload, 4, <u32>segFreqHz);
  checkedSet(logPayload, 5, <u32>segNeedles);
  checkedSet(logPayload, 6, segSerial);
  checkedSet(logPayload, 7, segLot);
  segOpenWritten = logAppend(REC_SEGMENT_OPEN, SEGMENT_OPEN_WORDS);
  segCheckpointed = 0;
  return segOpenWritten;
}

/** The running stretch has strokes since its last checkpoint. */
export function checkpointDue(): bool {
  return open && segLive && segOpenWritten && segStrokes != segCheckpointed;
}

/** Write the running stretch's stroke count in a checkpoint word. */
export function writeCheckpoint(): bool {
  segCheckpointed = segStrokes;
  return logAppendCheckpoint(segStrokes);
}

/** Close the stretch: one record. Nothing is written for a stretch without a stroke. */
export function endSegment(): bool {
  const live = segLive;
  segLive = false;
  if (!open || !live || segStrokes == 0) return true;
  putSegmentTimes(sessionNo, segStart, <u32>rtc_seconds(), settingsWord() | ((<u32>END_CLOSED) << 24));
  putSegmentStrokes(<u32>segDepthUm, <u32>segFreqHz, segStrokes, <u32>segNeedles);
  putSegmentCartridge(segSerial, segLot, segFaults);
  segStrokes = 0;
  return logAppend(REC_SEGMENT, SEGMENT_WORDS);
}

export function endSession(): void {
  endSegment();
  open = false;
}

export function logEvent(code: i32, detail: i32): bool {
  checkedSet(logPayload, 0, sessionNo);
  checkedSet(logPayload, 1, <u32>rtc_seconds());
  checkedSet(logPayload, 2, <u32>code);
  checkedSet(logPayload, 3, <u32>detail);
  return logAppend(REC_EVENT, EVENT_WORDS);
}
