// Serial verbs of the professional-mode unlock (auth.ts): AUTH? issues a challenge, AUTH <answer>
// has it checked over some ticks and is answered when the check is done. Failures make the next
// challenge wait and are logged at most once a minute (authlimit.ts).
import {
  AUTH_FAIL_NO_CHALLENGE,
  AUTH_FAIL_WRONG_ANSWER,
  ERR_AUTH,
  ERR_BAD_ARGUMENT,
  EV_AUTH_PASSED,
  MODE_PROFESSIONAL,
} from "./abi";
import {
  newChallenge,
  submitAnswer,
  authState,
  authDone,
  challenge,
  answer,
  CHALLENGE_BYTES,
  AUTH_CHECKING,
  AUTH_PASSED,
  AUTH_NO_CHALLENGE,
} from "./auth";
import { noteAuthFailure, noteAuthPassed, authLockedSeconds } from "./authlimit";
import { setMode, depthLimitUm } from "./settings";
import { logEvent } from "./session";
import { err, noArgument } from "./protocol";
import { atEnd, hexBytes, put, putHex, putInt, putMm } from "./textio";

/** AUTH? */
export function challengeVerb(): bool {
  if (noArgument()) {
    const waitS = authLockedSeconds();
    if (waitS > 0) {
      err(ERR_AUTH);
      put("locked out after failed attempts: try again in ");
      putInt(waitS);
      put(" s");
      return true;
    }
    newChallenge();
    put("CHALLENGE ");
    putHex(challenge, CHALLENGE_BYTES);
  }
  return true;
}

/** AUTH <64 hex digits>: the reply waits for the check (answerReady). */
export function answerVerb(): bool {
  if (!hexBytes(answer, 32) || !atEnd()) {
    err(ERR_BAD_ARGUMENT);
    put("AUTH takes the 64 hex digits of the answer");
    return true;
  }
  submitAnswer();
  if (authState() == AUTH_NO_CHALLENGE) {
    authDone();
    noteAuthFailure(AUTH_FAIL_NO_CHALLENGE);
    err(ERR_AUTH);
    put("no live challenge: send AUTH? first");
    return true;
  }
  return false;
}

/** Once the answer is checked: unlock or refuse, and say so. False while the check runs. */
export function answerReady(): bool {
  if (authState() == AUTH_CHECKING) return false;
  if (authState() == AUTH_PASSED) {
    setMode(MODE_PROFESSIONAL);
    noteAuthPassed();
    logEvent(EV_AUTH_PASSED, 0);
    put("OK mode=professional cap=");
    putMm(depthLimitUm());
  } else {
    noteAuthFailure(AUTH_FAIL_WRONG_ANSWER);
    err(ERR_AUTH);
    put("authentication failed");
  }
  authDone();
  return true;
}
