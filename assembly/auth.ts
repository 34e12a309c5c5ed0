// Professional-mode unlock without a shared secret (docs/security.md): the pen issues a fresh random
// challenge (AUTH?); the clinic's tool sends the clinic's licence, signed by the maker (licence.ts), and
// its answer: the clinic's ECDSA P-256 signature over the challenge and the pen's serial. The pen checks
// the licence with the maker's licence key, named by ID (its bytes stay in the HAL), then the answer with
// the clinic's public key from the licence. A challenge takes one answer; an answer already accepted is
// refused as a replay. The checks run in the HAL, a step per tick: start, poll, and cancel when done.
import { STATIC_HEADER_BYTES, checked, checkedSet, staticArray } from "./statics";
import {
  AUTH_FAIL_CRYPTO,
  AUTH_FAIL_KEY_MALFORMED,
  AUTH_FAIL_KEY_UNPROVISIONED,
  AUTH_FAIL_KEY_ZERO,
  AUTH_FAIL_LICENCE_FORGED,
  AUTH_FAIL_LICENCE_MALFORMED,
  AUTH_FAIL_NO_CHALLENGE,
  AUTH_FAIL_NO_RANDOM,
  AUTH_FAIL_NO_SERIAL,
  AUTH_FAIL_REPLAYED,
  AUTH_FAIL_WRONG_ANSWER,
  AUTH_OK,
  CHALLENGE_BYTES,
  CRYPTO_E_BAD_SIGNATURE,
  CRYPTO_E_MALFORMED_KEY,
  CRYPTO_E_NO_KEY,
  CRYPTO_E_UNPROVISIONED,
  CRYPTO_E_ZERO_KEY,
  CRYPTO_OK,
  CRYPTO_PENDING,
  KEY_ID_LICENCE_MAKER,
  KEY_ID_VOLATILE,
  LICENCE_CLINIC_KEY_AT,
  LICENCE_SIGNATURE_AT,
} from "./abi";
import {
  crypto_cancel,
  crypto_key_destroy,
  crypto_key_import,
  crypto_key_status,
  crypto_poll,
  crypto_random,
  crypto_verify_start,
  device_serial,
  rtc_seconds,
} from "./hal";
import { tickIsLight } from "./budget";
import { authLimitTick } from "./authlimit";
import { licence, licenceFormRefusal, licenceTermsRefusal, forgetLicence } from "./licence";

export const ANSWER_BYTES: i32 = 64; // r||s
const MESSAGE_BYTES: i32 = CHALLENGE_BYTES + 4; // challenge || pen serial

export const challenge: StaticArray<u8> = staticArray<u8>(
  memory.data(STATIC_HEADER_BYTES + CHALLENGE_BYTES, 16),
  CHALLENGE_BYTES,
);
/** the answer being received, then under check */
export const answer: StaticArray<u8> = staticArray<u8>(
  memory.data(STATIC_HEADER_BYTES + ANSWER_BYTES, 16),
  ANSWER_BYTES,
);
/** the last answer accepted: sent again, it is a replay */
const accepted: StaticArray<u8> = staticArray<u8>(memory.data(STATIC_HEADER_BYTES + ANSWER_BYTES, 16), ANSWER_BYTES);
/** what the clinic signed: the challenge and the pen's serial */
const message: StaticArray<u8> = staticArray<u8>(memory.data(STATIC_HEADER_BYTES + MESSAGE_BYTES, 16), MESSAGE_BYTES);

// the check, a step per tick
const JOB_IDLE: i32 = 0;
const JOB_START_LICENCE: i32 = 1; // start the maker's signature check
const JOB_LICENCE: i32 = 2; // poll it
const JOB_START_ANSWER: i32 = 3; // import the clinic's key, start the answer's check
const JOB_ANSWER: i32 = 4; // poll it
const JOB_DONE: i32 = 5;

let challengeLive: bool = false;
let acceptedOnce: bool = false;
let answerHeld: i32 = 0;
let job: i32 = 0; // JOB_IDLE
let result: i32 = 0; // AUTH_OK or an AUTH_FAIL_* reason, once JOB_DONE
let handle: i32 = 0; // crypto operation under way, 0 for none
let clinicKeyId: i32 = 0; // the clinic's key imported from the licence, 0 for none
let penSerial: u32 = 0;

/** Why no challenge can be given (a key or the serial not provisioned); AUTH_OK when one can. */
export function challengeRefusal(): i32 {
  const k = keyRefusal(crypto_key_status(KEY_ID_LICENCE_MAKER));
  if (k != AUTH_OK) return k;
  const serial = <u32>device_serial();
  if (serial == 0 || serial == 0xffffffff) return AUTH_FAIL_NO_SERIAL;
  return AUTH_OK;
}

/** A new challenge; any earlier one is void. AUTH_OK, or AUTH_FAIL_NO_RANDOM when the random source failed (no challenge). */
export function newChallenge(): i32 {
  challengeLive = false;
  for (let i = 0; i < CHALLENGE_BYTES; i += 4) {
    const r = crypto_random();
    if (r < 0) return AUTH_FAIL_NO_RANDOM; // fails closed: a guessable challenge is worse than none
    const w = <u32>r;
    checkedSet(challenge, i, <u8>(w >>> 24));
    checkedSet(challenge, i + 1, <u8>(w >>> 16));
    checkedSet(challenge, i + 2, <u8>(w >>> 8));
    checkedSet(challenge, i + 3, <u8>w);
  }
  challengeLive = true;
  return AUTH_OK;
}

export function answerHeldBytes(): i32 {
  return answerHeld;
}

/** A piece of the answer was written at `at` (answerHeldBytes() or 0, which starts over), `n` bytes long. */
export function answerReceived(at: i32, n: i32): void {
  answerHeld = at + n;
}

/** The answer is whole: check it (over the next ticks) against the live challenge, which it uses up. */
export function submitAnswer(): void {
  answerHeld = 0;
  if (acceptedOnce && sameAsAccepted()) return finish(AUTH_FAIL_REPLAYED);
  if (!challengeLive) return finish(AUTH_FAIL_NO_CHALLENGE);
  challengeLive = false;
  const form = licenceFormRefusal();
  if (form != AUTH_OK) return finish(form);
  penSerial = <u32>device_serial();
  if (penSerial == 0 || penSerial == 0xffffffff) return finish(AUTH_FAIL_NO_SERIAL);
  for (let i = 0; i < CHALLENGE_BYTES; i++) checkedSet(message, i, checked(challenge, i));
  checkedSet(message, CHALLENGE_BYTES, <u8>(penSerial >>> 24));
  checkedSet(message, CHALLENGE_BYTES + 1, <u8>(penSerial >>> 16));
  checkedSet(message, CHALLENGE_BYTES + 2, <u8>(penSerial >>> 8));
  checkedSet(message, CHALLENGE_BYTES + 3, <u8>penSerial);
  job = JOB_START_LICENCE; // not in the tick that read the answer
}

/** True once the answer's check is done; authResult() then says how it ended. */
export function authDone(): bool {
  return job == JOB_DONE;
}
export function authChecking(): bool {
  return job != JOB_IDLE && job != JOB_DONE;
}
export function authResult(): i32 {
  return result;
}

/** The caller has read the result; the licence goes with it (each attempt sends its own). */
export function authResultTaken(): void {
  job = JOB_IDLE;
  forgetLicence();
}

/** Called every tick: the lock-out runs down, and the check under way takes its next step. */
export function authTick(): void {
  authLimitTick();
  if (job == JOB_IDLE || job == JOB_DONE) return;
  if (job == JOB_START_LICENCE) {
    if (!tickIsLight()) return;
    const h = crypto_verify_start(
      KEY_ID_LICENCE_MAKER,
      addressOf(licence),
      LICENCE_SIGNATURE_AT,
      addressOf(licence) + LICENCE_SIGNATURE_AT,
    );
    if (h <= 0) return finish(keyRefusal(h));
    handle = h;
    job = JOB_LICENCE;
    return;
  }
  if (job == JOB_START_ANSWER) {
    if (!tickIsLight()) return;
    const k = crypto_key_import(addressOf(licence) + LICENCE_CLINIC_KEY_AT);
    if (k < KEY_ID_VOLATILE)
      return finish(k == CRYPTO_E_MALFORMED_KEY ? AUTH_FAIL_LICENCE_MALFORMED : AUTH_FAIL_CRYPTO);
    clinicKeyId = k;
    const h = crypto_verify_start(k, addressOf(message), MESSAGE_BYTES, addressOf(answer));
    if (h <= 0) return finish(AUTH_FAIL_CRYPTO);
    handle = h;
    job = JOB_ANSWER;
    return;
  }
  const r = crypto_poll(handle);
  if (r == CRYPTO_PENDING) return;
  endOperations();
  if (job == JOB_LICENCE) {
    if (r != CRYPTO_OK) return finish(r == CRYPTO_E_BAD_SIGNATURE ? AUTH_FAIL_LICENCE_FORGED : keyRefusal(r));
    const terms = licenceTermsRefusal(penSerial, <u32>rtc_seconds());
    if (terms != AUTH_OK) return finish(terms);
    job = JOB_START_ANSWER;
    return;
  }
  if (r != CRYPTO_OK) return finish(r == CRYPTO_E_BAD_SIGNATURE ? AUTH_FAIL_WRONG_ANSWER : AUTH_FAIL_CRYPTO);
  for (let i = 0; i < ANSWER_BYTES; i++) checkedSet(accepted, i, checked(answer, i));
  acceptedOnce = true;
  finish(AUTH_OK);
}

/** Power-off, a reset: no challenge, no licence, nothing held in the HAL. The answer last accepted stays. */
export function resetAuth(): void {
  endOperations();
  challengeLive = false;
  answerHeld = 0;
  job = JOB_IDLE;
  forgetLicence();
}

function finish(r: i32): void {
  endOperations();
  result = r;
  job = JOB_DONE;
}

/** Every handle and imported key goes back to the HAL, however the check ended. */
function endOperations(): void {
  if (handle > 0) crypto_cancel(handle);
  handle = 0;
  if (clinicKeyId >= KEY_ID_VOLATILE) crypto_key_destroy(clinicKeyId);
  clinicKeyId = 0;
}

/** The reason for a crypto HAL result about the maker's licence key (AUTH_OK for CRYPTO_OK). */
function keyRefusal(r: i32): i32 {
  if (r == CRYPTO_OK) return AUTH_OK;
  if (r == CRYPTO_E_UNPROVISIONED || r == CRYPTO_E_NO_KEY) return AUTH_FAIL_KEY_UNPROVISIONED;
  if (r == CRYPTO_E_ZERO_KEY) return AUTH_FAIL_KEY_ZERO;
  if (r == CRYPTO_E_MALFORMED_KEY) return AUTH_FAIL_KEY_MALFORMED;
  return AUTH_FAIL_CRYPTO;
}

function sameAsAccepted(): bool {
  let diff: i32 = 0;
  for (let i = 0; i < ANSWER_BYTES; i++) diff |= (<i32>checked(answer, i)) ^ (<i32>checked(accepted, i));
  return diff == 0;
}

function addressOf(buf: StaticArray<u8>): i32 {
  return <i32>changetype<usize>(buf);
}
