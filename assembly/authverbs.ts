// Serial verbs of the professional-mode unlock (auth.ts): AUTH? issues a challenge, AUTH <answer>
// has it checked over some ticks and is answered when the check is done. Every attempt is logged.
import { ERR_AUTH, ERR_BAD_ARGUMENT, EV_AUTH_FAILED, EV_AUTH_PASSED, MODE_PROFESSIONAL } from "./abi";
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
import { setMode, depthLimitUm } from "./settings";
import { logEvent } from "./session";
import { err, noArgument } from "./protocol";
import { atEnd, hexBytes, put, putHex, putMm } from "./textio";

/** AUTH? */
export function challengeVerb(): bool {
  if (noArgument()) {
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
    logEvent(EV_AUTH_FAILED, 2);
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
    logEvent(EV_AUTH_PASSED, 0);
    put("OK mode=professional cap=");
    putMm(depthLimitUm());
  } else {
    logEvent(EV_AUTH_FAILED, 1);
    err(ERR_AUTH);
    put("authentication failed");
  }
  authDone();
  return true;
}
