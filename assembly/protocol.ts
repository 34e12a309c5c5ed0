// The serial line protocol: one command per line, exactly one reply line per command. This file reads
// lines and writes replies; the verbs are in the verb table (verbs.ts) and the features' *verbs.ts
// files. The parser works in a fixed buffer and never allocates or traps, whatever bytes arrive
// (docs/serial-protocol.md).
import { ERR_BAD_ARGUMENT, ERR_LINE_TOO_LONG, ERR_UNKNOWN_COMMAND } from "./abi";
import { serial_read } from "./hal";
import { noteHeavyWork } from "./budget";
import { signalRefused } from "./machine";
import { noteActivity } from "./idle";
import { verbIndex, putVerbList, runVerb, continueVerb } from "./verbs";
import { serviceDue } from "./penverbs";
import { line, setLineLength, LINE_MAX, atEnd, put, endLine, putInt, sendSome, resetTx } from "./textio";
import { checkedSet } from "./statics";

/** bytes taken from the port per control tick, so a flood cannot stall the tick: about what a UART
 * at 115200 baud brings in 1 ms */
const BYTES_PER_TICK: i32 = 12;

let length: i32 = 0;
let overflow: bool = false;
let waitingVerb: i32 = -1; // the verb whose reply waits (for the HMAC, the clamp, the second part of STATUS?)
let refused: bool = false; // the reply being written is an error: the pen beeps once

/** Starts an error reply: "ERR <code> ". */
export function err(code: i32): void {
  put("ERR ");
  putInt(code);
  put(" ");
  refused = true;
}

/** Commands without arguments: anything after them is refused before the command runs. */
export function noArgument(): bool {
  if (atEnd()) return true;
  err(ERR_BAD_ARGUMENT);
  put("unexpected argument");
  return false;
}

export function resetProtocol(): void {
  length = 0;
  overflow = false;
  waitingVerb = -1;
  resetTx();
}

/**
 * Called every tick. One reply at a time, in order: nothing more is read until the reply is out.
 * A tick does one of these, never two: send some of the reply; write a reply that waited; read a
 * line and run it.
 */
export function pollSerial(): void {
  if (sendSome()) return;
  serviceDue();
  if (waitingVerb >= 0) {
    if (!continueVerb(waitingVerb)) return;
    noteHeavyWork();
    waitingVerb = -1;
    finishReply();
    return;
  }
  for (let n = 0; n < BYTES_PER_TICK; n++) {
    const b = serial_read();
    if (b < 0) return;
    if (b == 10 || b == 13) {
      const replying = overflow || length > 0;
      if (replying) noteHeavyWork();
      if (overflow) {
        err(ERR_LINE_TOO_LONG);
        put("line too long: at most ");
        putInt(LINE_MAX - 1);
        put(" bytes");
        finishReply();
      } else if (length > 0) {
        setLineLength(length);
        noteActivity();
        execute();
      }
      length = 0;
      overflow = false;
      if (replying) return;
    } else if (length < LINE_MAX - 1) {
      checkedSet(line, length++, <u8>b);
    } else {
      overflow = true;
    }
  }
}

/** Ends the reply line; an error reply also beeps. */
function finishReply(): void {
  endLine();
  if (refused) signalRefused();
  refused = false;
}

/** Looks the line's first word up in the verb table and runs it; its reply ends now or when it is ready. */
function execute(): void {
  const v = verbIndex();
  if (v < 0) {
    err(ERR_UNKNOWN_COMMAND);
    put("unknown command: ");
    putVerbList();
    finishReply();
    return;
  }
  if (runVerb(v)) finishReply();
  else waitingVerb = v;
}
