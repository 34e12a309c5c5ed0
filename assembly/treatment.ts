// The treatment session's records that the state machine leaves to write: a fault's event and the
// session it ended, and the stretch of strokes a new setting begins. They go to flash in the ticks
// after the event, one a tick: the tick of a fault only starts the retract, and a record's CRC and
// flash writes would make it long. Owns what is still to be written.
import { EV_FAULT, F_NONE, ST_RUNNING } from "./abi";
import { beginSegment, endSegment, endSession, addStrokes, noteFault, logEvent, sessionOpen } from "./session";
import { takeStrokes } from "./motion";
import { quantizedDepthUm, runFreqHz, clamp, zoneSetting, modeSetting } from "./settings";
import { cartridgeNeedles, cartridgeSerial, cartridgeLot } from "./cartridge";
import { machineState } from "./machine";

let closeAfterFault: bool = false; // the session a fault ended is still to be logged
let faultToLog: i32 = 0; // F_NONE
let segmentChanged: bool = false; // a new setting runs: its stretch of strokes is still to begin

export function resetTreatmentRecords(): void {
  closeAfterFault = false;
  faultToLog = F_NONE;
  segmentChanged = false;
}

/** A fault: its strokes counted now, its records written in the ticks after. */
export function recordFault(code: i32): void {
  if (sessionOpen()) {
    addStrokes(takeStrokes());
    noteFault(code);
    closeAfterFault = true;
  }
  faultToLog = code;
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
  }
}
