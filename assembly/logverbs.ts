// Serial verbs of the treatment log (log.ts): LOG? gives the record count, LOG <i> one record as its
// type and payload words, decimal (docs/treatment-log.md; `pen log` decodes it). LOG <i> looks for
// its record a bounded slice of flash reads per tick, from where the last one stopped (reading in
// order costs one record a command), and is refused while the pen homes or strokes.
import { ERR_BAD_ARGUMENT, ERR_OUT_OF_RANGE, ERR_WRONG_STATE, ST_HOMING, ST_RUNNING } from "./abi";
import { logCount, logSeek, logSeekStep, logReadPayload, logReadType, logReadWords } from "./log";
import { err, noArgument } from "./protocol";
import { atEnd, number, out, put, putInt, putU32 } from "./textio";
import { machineState } from "./machine";
import { putState } from "./names";
import { checked } from "./statics";

/** flash reads per tick while looking for a record: with their CRC, well inside the tick budget */
const READS_PER_TICK: i32 = 24;

let wanted: i32 = 0;
let found: i32 = 0; // 0 looking, 1 found (written next tick), -1 no such record

/** LOG? */
export function logCountVerb(): bool {
  if (noArgument()) {
    put("LOG count=");
    putInt(logCount());
  }
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
  logSeek(i);
  return false;
}

/** A slice of the search each tick; the reply in the tick after the record was found. */
export function logRecordRest(): bool {
  if (stroking()) {
    refuseWhileStroking();
    return true;
  }
  if (found == 0) {
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
