// Treatment sessions in the log: one record per stretch of strokes at one setting (a new depth or
// rate, a pause, a stop or a fault closes it), and event records for faults, refusals and
// authentication. docs/treatment-log.md has the layout.
import { checked, checkedSet } from "./statics";
import { rtc_seconds } from "./hal";
import { logInit, logAppend, logCount, logRead, logPayload } from "./log";

export const REC_SEGMENT: i32 = 1;
export const REC_EVENT: i32 = 2;
export const SEGMENT_WORDS: i32 = 10;
export const EVENT_WORDS: i32 = 4;

let sessionNo: u32 = 0;
let open: bool = false;
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

/** Read the log's end: the next session gets the next number. */
export function sessionInit(): void {
  logInit();
  open = false;
  sessionNo = 0;
  const n = logCount();
  if (n > 0 && logRead(n - 1)) sessionNo = checked(logPayload, 0);
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
  sessionNo++;
  open = true;
  sessionStart = <u32>rtc_seconds();
}

/** Start a stretch of strokes at a setting. */
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
}

export function addStrokes(n: i32): void {
  segStrokes += <u32>n;
}
export function noteFault(code: i32): void {
  segFaults |= u32(1) << u32(code & 31);
}

/** Close the stretch: one record. Nothing is written for a stretch without a stroke. */
export function endSegment(): bool {
  if (!open || segStrokes == 0) return true;
  checkedSet(logPayload, 0, sessionNo);
  checkedSet(logPayload, 1, segStart);
  checkedSet(logPayload, 2, <u32>rtc_seconds());
  checkedSet(
    logPayload,
    3,
    (<u32>(segZone & 0xff)) |
      ((<u32>(segMode & 0xff)) << 8) |
      ((<u32>(segFreqHz & 0xff)) << 16) |
      ((<u32>(segClamp & 0xff)) << 24),
  );
  checkedSet(logPayload, 4, <u32>segDepthUm);
  checkedSet(logPayload, 5, segStrokes);
  checkedSet(logPayload, 6, segStrokes * <u32>segNeedles);
  checkedSet(logPayload, 7, segSerial);
  checkedSet(logPayload, 8, segLot);
  checkedSet(logPayload, 9, segFaults);
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
