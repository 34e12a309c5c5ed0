// The treatment commands: start (and why one is refused), pause and stop; and the plan stepping that
// starts the strokes, or switches them to a new setting at a stroke boundary, once its plan is done.
// Owns the start that waits for its plan.
import {
  CART_CHECKING,
  CART_NONE,
  CART_REFUSED,
  CMD_BATTERY_LOW,
  CMD_CARTRIDGE_CHECKING,
  CMD_CARTRIDGE_REFUSED,
  CMD_NO_CARTRIDGE,
  CMD_NO_ZONE,
  CMD_OK,
  CMD_PLAN_FAILED,
  CMD_WRONG_STATE,
  EV_START_REFUSED,
  F_PLAN,
  ST_PAUSED,
  ST_READY,
  ST_RUNNING,
  ZONE_NONE,
} from "./abi";
import { battery_mv } from "./hal";
import { spareStrokePlan, cancelChange, startStrokes, stopStrokesAtTop } from "./motion";
import { zoneSetting } from "./settings";
import { depthTrimTick, depthTrimRestart } from "./depthtrim";
import { beginSetting, planJobsTick, settingsBusy, planState, retractPlanSettled } from "./planjob";
import { PLAN_OK, PLAN_BUSY } from "./compress";
import { cartridgeState, markCartridgeUsed } from "./cartridge";
import { beginSession, logEvent, sessionOpen } from "./session";
import { homeMoving } from "./homing";
import { openSegment, recordSettingChange } from "./treatment";
import { machineState, enterFault, strokesStarted, endPausedSession, stopThen } from "./machine";
import { BATTERY_MIN_MV } from "./generated/board_config";

let startPending: bool = false; // running, waiting for the plan job before the first stroke

export function startIsPending(): bool {
  return startPending;
}

/** A fault or a reset: no start waits any more. */
export function forgetPendingStart(): void {
  startPending = false;
}

export function start(): i32 {
  const r = startRefusal();
  if (r != CMD_OK) {
    const state = machineState();
    if (state == ST_READY || state == ST_PAUSED) logEvent(EV_START_REFUSED, r);
    return r;
  }
  const plan = planState();
  if (plan != PLAN_OK && plan != PLAN_BUSY) return CMD_PLAN_FAILED;
  if (!markCartridgeUsed()) return CMD_CARTRIDGE_REFUSED; // the single-use lockout starts at the first stroke
  if (!sessionOpen()) beginSession();
  openSegment();
  // stroking starts in a later tick (planStep), once this setting's plan and the cartridge's retract
  // plan are made: the first stroke's queue is not filled in the tick of the command that started it
  startPending = true;
  strokesStarted();
  return CMD_OK;
}

/** Why a start would be refused now (CMD_OK: it would not be). */
export function startRefusal(): i32 {
  const state = machineState();
  if (state != ST_READY && state != ST_PAUSED) return CMD_WRONG_STATE;
  if (homeMoving()) return CMD_WRONG_STATE;
  const c = cartridgeState();
  if (c == CART_NONE) return CMD_NO_CARTRIDGE;
  if (c == CART_CHECKING || settingsBusy()) return CMD_CARTRIDGE_CHECKING;
  if (c == CART_REFUSED) return CMD_CARTRIDGE_REFUSED;
  if (zoneSetting() == ZONE_NONE) return CMD_NO_ZONE;
  if (battery_mv() < BATTERY_MIN_MV) return CMD_BATTERY_LOW;
  return CMD_OK;
}

/**
 * Why no depth can be set yet (settings.ts holds no cartridge): the cartridge's state, in START's
 * words. A cartridge read and verified is not usable until its deepest setting is worked out (the
 * limit job, some hundred milliseconds after a fit or a power-on): "still being checked", not "none".
 */
export function depthRefusal(): i32 {
  const c = cartridgeState();
  if (c == CART_NONE) return CMD_NO_CARTRIDGE;
  if (c == CART_REFUSED) return CMD_CARTRIDGE_REFUSED;
  return CMD_CARTRIDGE_CHECKING;
}

/** Finish the stroke under way, then pause (needles retracted, setting kept). */
export function pause(): i32 {
  if (machineState() != ST_RUNNING) return CMD_WRONG_STATE;
  stopThen(ST_PAUSED);
  return CMD_OK;
}

/** The strokes finish at the top; what follows is the machine's (stopThen). */
export function stopAtTop(): void {
  startPending = false;
  stopStrokesAtTop();
}

export function stop(): i32 {
  const state = machineState();
  if (state == ST_PAUSED && !homeMoving()) {
    endPausedSession();
    return CMD_OK;
  }
  if (state != ST_RUNNING) return CMD_WRONG_STATE;
  stopThen(ST_READY);
  return CMD_OK;
}

/** A new setting: plan it in the background; while running, the strokes switch to it at a stroke boundary once planned. */
export function settingChanged(): void {
  cancelChange(); // the plan not in use is refilled
  beginSetting(spareStrokePlan());
}

/** Carries the plan jobs on; when the stroke plan is done while running, the strokes start or take it (motion has it). */
export function planStep(): void {
  const r = planJobsTick();
  depthTrimTick();
  if (machineState() != ST_RUNNING) return;
  if (r != PLAN_BUSY) {
    if (r != PLAN_OK) {
      enterFault(F_PLAN, false);
      return;
    }
    recordSettingChange();
  }
  if (startPending && planState() == PLAN_OK && retractPlanSettled()) {
    startPending = false;
    depthTrimRestart();
    startStrokes();
  }
}
