// Serial verbs of the treatment log (log.ts): LOG? gives the record count, LOG <i> one record as its
// type and payload words, decimal (docs/treatment-log.md; `pen log` decodes it). LOG <i> looks for
// its record a bounded slice of flash reads per tick, from where the last one stopped (reading in
// order costs one record a command), and is refused while the pen homes or strokes. Both wait while
// the log is still being read after start-up.
import { ERR_BAD_ARGUMENT, ERR_OUT_OF_RANGE, ERR_WRONG_STATE, ST_HOMING, ST_RUNNING } from "./abi";
import { logCount, logReady, logSeek, logSeekStep, logReadPayload, logReadType, logReadWords } from "./log";
import { err, noArgument } from "./protocol";
import { atEnd, number, out, put, putInt, putU32 } from "./textio";
import { machineState } from "./machine";
import { putState } from "./names";
import { checked } from "./statics";
import { noteHeavyWork } from "./budget";

/** flash reads per tick while looking for a record: with their CRC, well inside the tick budget */
const READS_PER_TICK: i32 = 12;

let wanted: i32 = 0;
let found: i32 = 0; // 0 looking, 1 found (written next tick), -1 no such record
let seeking: bool = false;

/** LOG? (the reply waits for the start-up scan: logCountRest) */
export function logCountVerb(): bool {
  if (!noArgument()) return true;
  return logCountRest();
}

export function logCountRest(): bool {
  if (!logReady()) return false;
  put("LOG count=");
  putInt(logCount());
  return true;
}

function stroking(): bool {
  const s = machineState();
  return s == ST_RUNNING || s == ST_HOMING;
}

function refuseWhileStroking(): void {
  err(ERR_WRONG_STATE);
  put("LOG <i> is not read in state ");
  putState(machineState());
  put(": STOP first, LOG? is answered");
}

/** LOG <i>: record i, 0 the oldest. The reply waits while the record is looked for (logRecordRest). */
export function logRecordVerb(): bool {
  const i = number(0);
  if (i < 0 || !atEnd()) {
    err(ERR_BAD_ARGUMENT);
    put("LOG takes a record number, e.g. LOG 0");
    return true;
  }
  if (stroking()) {
    refuseWhileStroking();
    return true;
  }
  wanted = i;
  found = 0;
  seeking = false;
  return false;
}

/** A slice of the search each tick; the reply in the tick after the record was found. */
export function logRecordRest(): bool {
  if (stroking()) {
    refuseWhileStroking();
    return true;
  }
  if (!logReady()) return false;
  if (!seeking) {
    logSeek(wanted);
    seeking = true;
  }
  if (found == 0) {
    noteHeavyWork(); // a slice of the search is this tick's heavy piece
    found = logSeekStep(READS_PER_TICK);
    if (found >= 0) return false;
  }
  if (found < 0) {
    err(ERR_OUT_OF_RANGE);
    put("no record ");
    putInt(wanted);
    put(": LOG? gives the count");
    return true;
  }
  put("LOG ");
  putInt(wanted);
  out(32);
  putInt(logReadType);
  for (let k = 0; k < logReadWords; k++) {
    out(32);
    putU32(checked(logReadPayload, k));
  }
  return true;
}
