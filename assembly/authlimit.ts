// Failed professional-mode unlocks: after each failure the next challenge waits longer (1 s, 2 s,
// 4 s ... at most a minute), and failures reach the log at most once a minute, as one record with their
// count, so that nothing sent on the serial port can push treatment records out of the log. Counted
// in control ticks, not by the real-time clock, which a flat cell may set back. The counts live in RAM and
// start from nothing at a reset: docs/security.md says what that leaves open.
import { EV_AUTH_FAILED } from "./abi";
import { logEvent } from "./session";
import { CONTROL_HZ } from "./generated/board_config";

const FIRST_DELAY_S: i32 = 1;
const MAX_DELAY_S: i32 = 60;
const RECORD_EVERY_S: i32 = 60;

let failures: i32 = 0; // since the last unlock
let lockedControlTicks: i32 = 0; // left before the next challenge
let sinceRecordControlTicks: i32 = RECORD_EVERY_S * CONTROL_HZ; // since the last failure record
let pending: i32 = 0; // failures not yet in the log
let pendingReason: i32 = 0; // the last of them

/** Each control tick: the lock-out runs down, and failures held back are logged once a minute has passed. */
export function authLimitTick(): void {
  if (lockedControlTicks > 0) lockedControlTicks--;
  if (sinceRecordControlTicks < RECORD_EVERY_S * CONTROL_HZ) sinceRecordControlTicks++;
  else if (pending > 0) writeFailures();
}

/** A failed attempt (AUTH_FAIL_* reason): the delay doubles; the log hears of it within a minute. */
export function noteAuthFailure(reason: i32): void {
  failures++;
  const shift = min(failures - 1, 6);
  lockedControlTicks = min(FIRST_DELAY_S << shift, MAX_DELAY_S) * CONTROL_HZ;
  pending++;
  pendingReason = reason;
  if (sinceRecordControlTicks >= RECORD_EVERY_S * CONTROL_HZ) writeFailures();
}

/** An unlock: the delay starts again from nothing (failures still held back are logged in time). */
export function noteAuthPassed(): void {
  failures = 0;
  lockedControlTicks = 0;
}

/** Whole seconds (rounded up) before a challenge is given again; 0 when not locked out. */
export function authLockedSeconds(): i32 {
  return (lockedControlTicks + CONTROL_HZ - 1) / CONTROL_HZ;
}

/** Failed attempts since the last unlock. */
export function authFailures(): i32 {
  return failures;
}

/** One record: how many failures (low 16 bits) and the last one's reason (high 16 bits). */
function writeFailures(): void {
  logEvent(EV_AUTH_FAILED, (min(pending, 0xffff) & 0xffff) | (pendingReason << 16));
  pending = 0;
  sinceRecordControlTicks = 0;
}
