// The treatment session's records that the state machine leaves to write: a fault's event and the
// session it ended, the stretch of strokes a new setting begins, a stretch's opening record once it
// has a stroke, and its stroke count each second. They go to flash in the ticks after the event, one
// a tick: the tick of a fault only starts the retract, and a record's CRC and flash writes would make
// it long. Owns what is still to be written.
import { EV_CARTRIDGE_REMOVED, EV_FAULT, F_NONE, ST_RUNNING } from "./abi";
import {
  beginSegment,
  endSegment,
  endSession,
  addStrokes,
  noteFault,
  logEvent,
  sessionOpen,
  segmentOpenDue,
  writeSegmentOpen,
  checkpointDue,
  writeCheckpoint,
  sessionStartupTick,
  writeWaitingRecord,
} from "./session";
import { CONTROL_HZ } from "./generated/board_config";
import { noteHeavyWork, tickIsLight, segmentsFedThisTick } from "./budget";
import { logHoldWrites, logQueued } from "./log";
import { takeStrokes } from "./motion";
import { quantizedDepthUm, runFreqHz, clamp, zoneSetting, modeSetting } from "./settings";
import { cartridgeNeedles, cartridgeSerial, cartridgeLot } from "./cartridge";
import { machineState } from "./machine";

let closeAfterFault: bool = false; // the session a fault ended is still to be logged
let faultToLog: i32 = 0; // F_NONE
let removedToLog: bool = false; // a cartridge pulled out while the needles moved, still to be logged
let segmentChanged: bool = false; // a new setting runs: its stretch of strokes is still to begin
/** a checkpoint a little more often than each second of strokes (another record may hold it back a
 * tick): a reset or a power loss loses less than a second of counting */
const CHECKPOINT_TICKS: i32 = (CONTROL_HZ * 9) / 10;
let ticksSinceCheckpoint: i32 = 0;
/**
 * A record is written in a tick whose feed pushed at most one segment: its CRC and flash writes cost
 * about what three pushes do, and beside four a stretch's record took a tick of the STM32F405 port to
 * 5,403 of its 5,000 instructions (a change of depth while stroking at 2.0-3.0 mm, docs/porting.md).
 * Such ticks come every stroke (33 ticks apart at most over 0.25-3.0 mm, 25-150 Hz); after this many
 * without one the record goes anyway.
 */
const RECORD_WAIT_MAX_TICKS: i32 = CONTROL_HZ / 10;
let busyFeedTicks: i32 = 0;

export function resetTreatmentRecords(): void {
  closeAfterFault = false;
  faultToLog = F_NONE;
  removedToLog = false;
  segmentChanged = false;
  ticksSinceCheckpoint = 0;
  busyFeedTicks = 0;
}

/** A fault: its strokes counted now, its records written in the ticks after. */
export function recordFault(code: i32): void {
  noteHeavyWork(); // the fault's tick starts the retract: its records wait for the ticks after
  if (sessionOpen()) {
    addStrokes(takeStrokes());
    noteFault(code);
    closeAfterFault = true;
  }
  faultToLog = code;
}

/** A cartridge pulled out while the needles moved (a fault): its record goes first in the ticks after. */
export function recordCartridgeRemoved(): void {
  removedToLog = true;
}

/** A new setting runs: a new stretch of strokes begins in a later tick. */
export function recordSettingChange(): void {
  segmentChanged = true;
}

/** A stretch of strokes at the setting in force begins. */
export function openSegment(): void {
  beginSegment(
    quantizedDepthUm(),
    runFreqHz(),
    clamp(),
    zoneSetting(),
    modeSetting(),
    cartridgeNeedles(),
    cartridgeSerial(),
    cartridgeLot(),
  );
}

/** Each control tick: at most one of the records left to write. */
export function writePendingRecord(): void {
  if (ticksSinceCheckpoint < CHECKPOINT_TICKS) ticksSinceCheckpoint++;
  if (!tickIsLight()) return; // one heavy piece a tick: a command, a reply, a fault's retract, a record
  if (sessionStartupTick()) return; // the log is still being read after start-up
  // in a busy tick the records' bookkeeping goes on as ever (a stretch ends at its setting's change),
  // but the record itself waits in the log's queue, and nothing new is made while one waits
  const busy = segmentsFedThisTick() > 1 && busyFeedTicks < RECORD_WAIT_MAX_TICKS;
  busyFeedTicks = busy ? busyFeedTicks + 1 : 0;
  if (busy ? logQueued() > 0 : writeWaitingRecord()) return;
  logHoldWrites(busy);
  makeRecord();
  logHoldWrites(false);
}

/** The next record left to make, if any (written now, or queued by logHoldWrites). */
function makeRecord(): void {
  if (removedToLog) {
    removedToLog = false;
    logEvent(EV_CARTRIDGE_REMOVED, 0);
    return;
  }
  if (closeAfterFault) {
    closeAfterFault = false;
    endSession();
    return;
  }
  if (faultToLog != F_NONE) {
    logEvent(EV_FAULT, faultToLog);
    faultToLog = F_NONE;
    return;
  }
  if (segmentChanged) {
    segmentChanged = false;
    if (machineState() != ST_RUNNING) return;
    addStrokes(takeStrokes());
    endSegment();
    openSegment();
    return;
  }
  if (segmentOpenDue()) {
    writeSegmentOpen();
    ticksSinceCheckpoint = 0;
    return;
  }
  if (ticksSinceCheckpoint >= CHECKPOINT_TICKS && checkpointDue()) {
    writeCheckpoint();
    ticksSinceCheckpoint = 0;
  }
}
