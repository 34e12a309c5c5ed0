// Professional mode unlock: the pen issues a fresh random challenge (AUTH?), the clinic's tool answers
// with HMAC-SHA256(clinic key, challenge) (AUTH <hex>). A challenge is good for one answer only, so a
// recorded answer cannot be replayed. The HMAC runs one block per tick.
import { STATIC_HEADER_BYTES, checked, checkedSet, staticArray } from "./statics";
import { KEY_CLINIC } from "./abi";
import { rng_u32 } from "./hal";
import { loadHmacKey } from "./keys";
import { tickIsLight } from "./budget";
import { authLimitTick } from "./authlimit";
import { hmacMessage, hmacResult, hmacStart, hmacStep, hmacBusy, hmacOwner, equalBytes } from "./sha256";

export const CHALLENGE_BYTES: i32 = 16;
const HMAC_OWNER: i32 = 2;

export const AUTH_IDLE: i32 = 0;
export const AUTH_CHECKING: i32 = 1;
export const AUTH_PASSED: i32 = 2;
export const AUTH_FAILED: i32 = 3;
export const AUTH_NO_CHALLENGE: i32 = 4;

export const challenge: StaticArray<u8> = staticArray<u8>(
  memory.data(STATIC_HEADER_BYTES + CHALLENGE_BYTES, 16),
  CHALLENGE_BYTES,
);
/** the answer under check (32 bytes) */
export const answer: StaticArray<u8> = staticArray<u8>(memory.data(STATIC_HEADER_BYTES + 32, 16), 32);
let challengeLive: bool = false;
let state: i32 = 0; // AUTH_IDLE
let waiting: bool = false; // the answer arrived while the engine was busy

export function authState(): i32 {
  return state;
}

/** A new challenge; any earlier one is void. */
export function newChallenge(): void {
  for (let i = 0; i < CHALLENGE_BYTES; i += 4) {
    const r = rng_u32();
    checkedSet(challenge, i, <u8>r);
    checkedSet(challenge, i + 1, <u8>(r >>> 8));
    checkedSet(challenge, i + 2, <u8>(r >>> 16));
    checkedSet(challenge, i + 3, <u8>(r >>> 24));
  }
  challengeLive = true;
}

/** The answer is in `answer`: check it against the live challenge, which this uses up. */
export function submitAnswer(): void {
  if (!challengeLive) {
    state = AUTH_NO_CHALLENGE;
    return;
  }
  challengeLive = false;
  state = AUTH_CHECKING;
  waiting = true;
}

/** Called every tick while AUTH_CHECKING; the result is in authState() afterwards. */
export function authTick(): void {
  authLimitTick();
  if (state != AUTH_CHECKING) return;
  if (waiting) {
    if (hmacBusy() || !tickIsLight()) return; // not in the tick that read the answer
    loadHmacKey(KEY_CLINIC);
    for (let i = 0; i < CHALLENGE_BYTES; i++) checkedSet(hmacMessage, i, checked(challenge, i));
    hmacStart(CHALLENGE_BYTES, HMAC_OWNER);
    waiting = false;
    return;
  }
  if (hmacOwner() != HMAC_OWNER || !hmacStep()) return;
  state = equalBytes(hmacResult, answer, 32) ? AUTH_PASSED : AUTH_FAILED;
}

/** The caller has read the result. */
export function authDone(): void {
  state = AUTH_IDLE;
}

export function resetAuth(): void {
  challengeLive = false;
  state = AUTH_IDLE;
  waiting = false;
}
