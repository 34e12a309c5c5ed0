// Serial verbs of the professional-mode unlock (auth.ts): AUTH? issues a challenge; AUTH LICENCE and
// AUTH ANSWER bring the clinic's licence and its answer in pieces that fit a line; the piece that
// completes the answer is answered when the check is done. Failures make the next challenge wait and
// are logged at most once a minute (authlimit.ts); every refusal names its reason. A piece's hex is
// decoded a few bytes per tick, and a challenge is written in the tick after it is drawn, so that no
// tick runs over its budget (docs/porting.md).
import {
  AUTH_FAIL_LOCKED_OUT,
  AUTH_OK,
  CHALLENGE_BYTES,
  ERR_AUTH,
  ERR_BAD_ARGUMENT,
  EV_AUTH_PASSED,
  LICENCE_BYTES,
  MODE_PROFESSIONAL,
} from "./abi";
import { device_serial } from "./hal";
import {
  ANSWER_BYTES,
  answer,
  answerHeldBytes,
  answerReceived,
  authDone,
  authResult,
  authResultTaken,
  challenge,
  challengeRefusal,
  newChallenge,
  submitAnswer,
} from "./auth";
import { licence, licenceHeld, licenceReceived, licenceSerial } from "./licence";
import { noteAuthFailure, noteAuthPassed, authLockedSeconds } from "./authlimit";
import { setMode, depthLimitUm } from "./settings";
import { logEvent } from "./session";
import { err, noArgument } from "./protocol";
import { putAuthFailure } from "./names";
import { cursor, hexPair, line, lineLen, number, put, putHex, putInt, putMm, putU32, wordIn } from "./textio";
import { item, setItem } from "./statics";

/** bytes per AUTH LICENCE or AUTH ANSWER line: 64 hex digits, which with the verb fit the 95-byte line */
const PIECE_BYTES: i32 = 32;
/** bytes of a piece decoded per tick */
const DECODE_BYTES_PER_TICK: i32 = 8;

// the piece being decoded (the line stays in its buffer until the reply is sent)
let pieceIsAnswer: bool = false;
let pieceAt: i32 = 0; // its offset in the licence or answer
let pieceMax: i32 = 0; // the most bytes it may bring
let pieceFromChar: i32 = 0; // where its hex starts in the line (kept until the reply is sent)
let pieceDone: i32 = 0; // bytes decoded so far
let checking: bool = false; // the answer is whole and under check

/** AUTH?: a challenge and the pen's serial, which the clinic signs with it; or why none is given. */
export function challengeVerb(): bool {
  if (!noArgument()) return true;
  const waitS = authLockedSeconds();
  if (waitS > 0) {
    putRefused(AUTH_FAIL_LOCKED_OUT);
    put(": try again in ");
    putInt(waitS);
    put(" s");
    return true;
  }
  let r = challengeRefusal();
  if (r == AUTH_OK) r = newChallenge();
  if (r != AUTH_OK) {
    putRefused(r);
    return true;
  }
  return false; // written in the next tick (challengeReady)
}

/** The reply to AUTH? once its challenge is drawn. */
export function challengeReady(): bool {
  put("CHALLENGE ");
  putHex(challenge, CHALLENGE_BYTES);
  put(" pen=");
  putU32(<u32>device_serial());
  return true;
}

/** AUTH LICENCE <offset> <hex> | AUTH ANSWER <offset> <hex>: checked for form now, decoded over the next
 * ticks (answerReady); the piece that completes the answer is answered when the check is done. */
export function answerVerb(): bool {
  const what = wordIn("LICENCE|ANSWER|LICENSE");
  const isAnswer = what == 1;
  const held = isAnswer ? answerHeldBytes() : licenceHeld();
  const size = isAnswer ? ANSWER_BYTES : LICENCE_BYTES;
  const at = what < 0 ? -1 : number(0);
  if (at < 0 || (at != 0 && at != held)) {
    err(ERR_BAD_ARGUMENT);
    put("AUTH LICENCE|ANSWER <offset> <hex>: next offset ");
    putInt(what < 0 ? 0 : held);
    return true;
  }
  if (at == 0) {
    // a piece at 0 starts over: what was held is dropped before any byte of it is overwritten
    if (isAnswer) answerReceived(0, 0);
    else licenceReceived(0, 0);
  }
  pieceIsAnswer = isAnswer;
  pieceAt = at;
  pieceMax = min(PIECE_BYTES, size - at);
  pieceFromChar = cursor();
  pieceDone = 0;
  checking = false;
  return false;
}

/** The rest of an AUTH LICENCE or AUTH ANSWER: a slice of the piece decoded per tick, then its reply;
 * for the piece that completes the answer, the check, then unlock or refuse. False until it is written. */
export function answerReady(): bool {
  if (checking) return checkReady();
  const buf = pieceIsAnswer ? answer : licence;
  for (let k = 0; k < DECODE_BYTES_PER_TICK; k++) {
    const c = pieceFromChar + 2 * pieceDone;
    if (c >= lineLen || item(line, c) == 32 || item(line, c) == 9) return pieceDecoded(c);
    const b = pieceDone < pieceMax && c + 1 < lineLen ? hexPair(c) : -1;
    if (b < 0) return badPiece();
    setItem(buf, pieceAt + pieceDone, <u8>b);
    pieceDone++;
  }
  return false;
}

/** The piece's hex ended at line[end]: nothing but spaces may follow; then its reply, or the check. */
function pieceDecoded(end: i32): bool {
  for (let c = end; c < lineLen; c++) if (item(line, c) != 32 && item(line, c) != 9) return badPiece();
  if (pieceDone == 0) return badPiece();
  const n = pieceAt + pieceDone;
  if (!pieceIsAnswer) {
    licenceReceived(pieceAt, pieceDone);
    put("OK licence ");
    putInt(n);
    put("/");
    putInt(LICENCE_BYTES);
    return true;
  }
  answerReceived(pieceAt, pieceDone);
  if (n < ANSWER_BYTES) {
    put("OK answer ");
    putInt(n);
    put("/");
    putInt(ANSWER_BYTES);
    return true;
  }
  submitAnswer();
  checking = true;
  return false;
}

function badPiece(): bool {
  err(ERR_BAD_ARGUMENT);
  put("give 2 to 64 hex digits, at most ");
  putInt(pieceMax);
  put(" bytes from offset ");
  putInt(pieceAt);
  return true;
}

/** Once the answer is checked: unlock or refuse, and say so. False while the check runs. */
function checkReady(): bool {
  if (!authDone()) return false;
  checking = false;
  const r = authResult();
  if (r == AUTH_OK) {
    setMode(MODE_PROFESSIONAL);
    noteAuthPassed();
    logEvent(EV_AUTH_PASSED, <i32>licenceSerial());
    put("OK mode=professional cap=");
    putMm(depthLimitUm());
  } else {
    noteAuthFailure(r);
    putRefused(r);
  }
  authResultTaken();
  return true;
}

/** "ERR 10 refused: <reason>" */
function putRefused(reason: i32): void {
  err(ERR_AUTH);
  put("refused: ");
  putAuthFailure(reason);
}
