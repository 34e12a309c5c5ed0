// Serial verbs of the treatment log (log.ts): LOG? gives the record count, LOG <i> one record as its
// type and payload words, decimal (docs/treatment-log.md; `pen log` decodes it).
import { ERR_BAD_ARGUMENT, ERR_OUT_OF_RANGE } from "./abi";
import { logCount, logRead, logPayload, logReadType, logReadWords } from "./log";
import { err, noArgument } from "./protocol";
import { atEnd, number, out, put, putInt, putU32 } from "./textio";

/** LOG? */
export function logCountVerb(): bool {
  if (noArgument()) {
    put("LOG count=");
    putInt(logCount());
  }
  return true;
}

/** LOG <i>: record i, 0 the oldest. */
export function logRecordVerb(): bool {
  const i = number(0);
  if (i < 0 || !atEnd()) {
    err(ERR_BAD_ARGUMENT);
    put("LOG takes a record number, e.g. LOG 0");
    return true;
  }
  if (!logRead(i)) {
    err(ERR_OUT_OF_RANGE);
    put("no record ");
    putInt(i);
    put(": LOG? gives the count");
    return true;
  }
  put("LOG ");
  putInt(i);
  out(32);
  putInt(logReadType);
  for (let k = 0; k < logReadWords; k++) {
    out(32);
    putU32(logPayload[k]);
  }
  return true;
}
