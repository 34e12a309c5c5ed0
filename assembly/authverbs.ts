// Serial verbs of the professional-mode unlock (auth.ts): AUTH? issues a challenge; AUTH LICENCE and
// AUTH ANSWER bring the clinic's licence and its answer in pieces that fit a line; the piece that
// completes the answer is answered when the check is done. Failures make the next challenge wait and
// are logged at most once a minute (authlimit.ts); every refusal names its reason.
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
import { atEnd, hexRun, number, put, putHex, putInt, putMm, putU32, wordIn } from "./textio";

/** bytes per AUTH LICENCE or AUTH ANSWER line: 64 hex digits, which with the verb fit the 95-byte line */
const PIECE_BYTES: i32 = 32;

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
  put("CHALLENGE ");
  putHex(challenge, CHALLENGE_BYTES);
  put(" pen=");
  putU32(<u32>device_serial());
  return true;
}

/** AUTH LICENCE <offset> <hex> | AUTH ANSWER <offset> <hex>; the piece that completes the answer waits for the check (answerReady). */
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
  const n = hexRun(isAnswer ? answer : licence, at, min(PIECE_BYTES, size - at));
  if (n < 0 || !atEnd()) {
    err(ERR_BAD_ARGUMENT);
    put("give 2 to 64 hex digits, at most ");
    putInt(size - at);
    put(" bytes from offset ");
    putInt(at);
    return true;
  }
  if (!isAnswer) {
    licenceReceived(at, n);
    put("OK licence ");
    putInt(at + n);
    put("/");
    putInt(LICENCE_BYTES);
    return true;
  }
  answerReceived(at, n);
  if (at + n < ANSWER_BYTES) {
    put("OK answer ");
    putInt(at + n);
    put("/");
    putInt(ANSWER_BYTES);
    return true;
  }
  submitAnswer();
  return false;
}

/** Once the answer is checked: unlock or refuse, and say so. False while the check runs. */
export function answerReady(): bool {
  if (!authDone()) return false;
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
