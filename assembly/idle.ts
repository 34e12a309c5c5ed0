// Idle auto-off: ready or paused with no button pressed and no command for the idle time (SET IDLE),
// the pen logs it and powers off. Owns the idle time and the count towards it.
import { EV_IDLE_OFF, ST_PAUSED, ST_READY } from "./abi";
import { machineState, powerOff } from "./machine";
import { logEvent } from "./session";
import { IDLE_OFF_S, CONTROL_HZ } from "./generated/board_config";

let idleControlTicks: i32 = 0;
let idleLimitControlTicks: i32 = IDLE_OFF_S * CONTROL_HZ;

/** Each control tick: counts while ready or paused, powers off at the limit. */
export function idleTick(): void {
  const s = machineState();
  if (s == ST_READY || s == ST_PAUSED) {
    if (++idleControlTicks >= idleLimitControlTicks) {
      logEvent(EV_IDLE_OFF, idleLimitControlTicks / CONTROL_HZ);
      powerOff();
    }
  } else {
    idleControlTicks = 0;
  }
}

/** Any button or command: the pen is in use. */
export function noteActivity(): void {
  idleControlTicks = 0;
}

export function setIdleOffSeconds(s: i32): void {
  idleLimitControlTicks = s * CONTROL_HZ;
  idleControlTicks = 0;
}
export function idleOffSeconds(): i32 {
  return idleLimitControlTicks / CONTROL_HZ;
}
