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
let lineReady: bool = false; // a line's end was read: it runs in the next tick
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
  lineReady = false;
  waitingVerb = -1;
  resetTx();
}

/**
 * Called every tick. One reply at a time, in order: nothing more is read until the reply is out.
 * A tick does one of these, never two: send some of the reply; write a reply that waited; run a line
 * read before; read bytes up to a line's end. (Reading a line's last bytes, a HAL call each, and
 * running it in one tick took that tick of the STM32F405 port to 5,148 of its 5,000 instructions
 * for a zone refused while stroking deep; docs/porting.md.)
 */
export function pollSerial(): void {
  readNow = 0;
  if (sendSome()) return;
  serviceDue();
  if (waitingVerb >= 0) {
    if (!continueVerb(waitingVerb)) return;
    noteHeavyWork();
    waitingVerb = -1;
    finishReply();
    return;
  }
  if (lineReady) {
    lineReady = false;
    noteHeavyWork();
    if (overflow) {
      err(ERR_LINE_TOO_LONG);
      put("line too long: at most ");
      putInt(LINE_MAX - 1);
      put(" bytes");
      finishReply();
    } else {
      setLineLength(length);
      noteActivity();
      execute();
    }
    length = 0;
    overflow = false;
    return;
  }
  let n = 0;
  for (; n < BYTES_PER_TICK; n++) {
    const b = serial_read();
    if (b < 0) break;
    if (b == 10 || b == 13) {
      if (overflow || length > 0) {
        lineReady = true; // (an empty line is no command: reading goes on)
        n++;
        break;
      }
    } else if (length < LINE_MAX - 1) {
      checkedSet(line, length++, <u8>b);
    } else {
      overflow = true;
    }
  }
  readNow = n;
}

let readNow: i32 = 0; // bytes the last pollSerial() read

/**
 * Bytes read in this tick (each a HAL call): the planner compresses fewer steps besides, as for bytes
 * sent. (Beside a plan's compression and two pushes, twelve took a tick of the STM32F405 port to
 * 4,956 of its 5,000 instructions.)
 */
export function bytesRead(): i32 {
  return readNow;
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
