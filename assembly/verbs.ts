// The verb table of the serial protocol: each command word and the feature whose handler answers it.
// A handler returns true when its reply is written whole; false when the reply waits, and then the
// feature's continuation is called each tick until it has written the rest. A switch rather than
// function references: no table of indirect calls for wasm2c to guard.
import { setVerb, setReplyReady } from "./setverbs";
import { startVerb, pauseVerb, stopVerb, powerVerb, clearVerb, statusVerb, statusRest, serviceVerb } from "./penverbs";
import { challengeVerb, challengeReady, answerVerb, answerReady } from "./authverbs";
import { logCountVerb, logCountRest, logRecordVerb, logRecordRest } from "./logverbs";
import { put, wordIn } from "./textio";

// in the order of the word list below
const VERB_SET: i32 = 0;
const VERB_START: i32 = 1;
const VERB_PAUSE: i32 = 2;
const VERB_STOP: i32 = 3;
const VERB_POWER: i32 = 4;
const VERB_CLEAR: i32 = 5;
const VERB_STATUS: i32 = 6;
const VERB_CHALLENGE: i32 = 7;
const VERB_ANSWER: i32 = 8;
const VERB_LOG_COUNT: i32 = 9;
const VERB_LOG_RECORD: i32 = 10;
const VERB_SERVICE: i32 = 11;

/** Consumes the line's verb: its index in the table, or -1. */
export function verbIndex(): i32 {
  return wordIn("SET|START|PAUSE|STOP|POWER|CLEAR|STATUS?|AUTH?|AUTH|LOG?|LOG|SERVICE");
}

/** For the reply to an unknown verb. */
export function putVerbList(): void {
  put("SET|START|PAUSE|STOP|POWER|CLEAR|STATUS?|AUTH?|AUTH|LOG?|LOG|SERVICE");
}

/** Runs verb `v` on the rest of the line: true when its reply is complete. */
export function runVerb(v: i32): bool {
  switch (v) {
    case VERB_SET:
      return setVerb();
    case VERB_START:
      return startVerb();
    case VERB_PAUSE:
      return pauseVerb();
    case VERB_STOP:
      return stopVerb();
    case VERB_POWER:
      return powerVerb();
    case VERB_CLEAR:
      return clearVerb();
    case VERB_STATUS:
      return statusVerb();
    case VERB_CHALLENGE:
      return challengeVerb();
    case VERB_ANSWER:
      return answerVerb();
    case VERB_LOG_COUNT:
      return logCountVerb();
    case VERB_LOG_RECORD:
      return logRecordVerb();
    case VERB_SERVICE:
      return serviceVerb();
  }
  return true;
}

/** The rest of a reply that waited: true once written. */
export function continueVerb(v: i32): bool {
  if (v == VERB_SET) return setReplyReady();
  if (v == VERB_STATUS) return statusRest();
  if (v == VERB_ANSWER) return answerReady();
  if (v == VERB_LOG_COUNT) return logCountRest();
  if (v == VERB_LOG_RECORD) return logRecordRest();
  if (v == VERB_CHALLENGE) return challengeReady();
  return true;
}
