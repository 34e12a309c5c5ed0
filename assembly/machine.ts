// The pen's state machine: off, homing, ready, running, paused, fault; the control tick that runs
// every feature in turn. Every fault ends with the needles retracted: by a fast retract move, or by
// cutting the driver (the return spring retracts) where moving is unsafe. docs/hazards.md maps each
// fault to its hazard. Owns the state, the fault, and what happens when the strokes have stopped.
import {
  CART_CHECKING, CART_NONE, CART_OK, CART_REFUSED, CMD_BATTERY_LOW, CMD_CARTRIDGE_CHECKING,
  CMD_CARTRIDGE_REFUSED, CMD_NO_CARTRIDGE, CMD_NO_ZONE, CMD_OK, CMD_PLAN_FAILED, CMD_WRONG_STATE,
  DRV_OT, DRV_SHORT, DRV_STALL, DRV_UV, EV_CARTRIDGE_REFUSED, EV_CARTRIDGE_REMOVED, EV_FAULT,
  EV_START_REFUSED, F_BATTERY_LOW, F_CARTRIDGE_REMOVED, F_DRIVER_OVERTEMP, F_DRIVER_SHORT,
  F_DRIVER_UNDERVOLTAGE, F_FIRMWARE_RESET, F_NONE, F_PLAN, F_QUEUE_UNDERRUN, F_STALL, F_WATCHDOG_RESET,
  IND_FAULT, IND_HOMING, IND_OFF, IND_PAUSED, IND_READY, IND_REFUSED, IND_RUNNING, QSTAT_UNDERRUN,
  RESET_POWER_ON, RESET_WATCHDOG, SEG_STOP_AT_ENDSTOP, ST_FAULT, ST_HOMING, ST_OFF, ST_PAUSED, ST_READY,
  ST_RUNNING, ZONE_NONE,
} from "./abi";
import {
  driver_enable, driver_status, step_queue_flush, step_queue_status, buttons_raw, battery_mv, indicator_set,
  report_state, reset_cause,
} from "./hal";
import { sampleButtons, resetButtons } from "./buttons";
import {
  feedQueue, motionBusy, motionReset, pushConstantMove, spareStrokePlan, startRetract, cancelChange,
  startStrokes, stopStrokesAtTop, motionMode, takeStrokes, MOTION_STROKES,
} from "./motion";
import { zoneSetting } from "./settings";
import { initSettings, beginCartridge, beginSetting, planJobsTick, settingsBusy, planState } from "./planjob";
import { PLAN_OK, PLAN_BUSY } from "./compress";
import {
  cartridgeTick, cartridgeState, cartridgeRefusal, cartridgeTypeIndex, cartridgeLengthUm, markCartridgeUsed,
  takeRemovedEvent, resetCartridge,
} from "./cartridge";
import { sessionInit, beginSession, endSegment, endSession, addStrokes, logEvent, sessionOpen } from "./session";
import { authTick, resetAuth } from "./auth";
import { tickIsLight } from "./budget";
import {
  homingTick, startHoming, startPositionCheck, homeMoving, checkingPosition, cancelHomeMove, isHomed,
  forgetHome, stepsBelowTop,
} from "./homing";
import { watchButtons, buttonActions, buttonStuck, resetControls } from "./controls";
import { idleTick, noteActivity } from "./idle";
import { resetTreatmentRecords, recordFault, recordSettingChange, openSegment, writePendingRecord } from "./treatment";
import { BATTERY_MIN_MV, HOMING_INTERVAL_STEP_TICKS } from "./generated/board_config";

let state: i32 = 0; // ST_OFF (literal initial values cost no start-up code)
let fault: i32 = 0; // F_NONE
let afterStop: i32 = 2; // ST_READY: state to enter when the strokes have stopped at the top
let lastCartridge: i32 = 0; // CART_NONE
let cartridgeTaken: bool = false; // a genuine cartridge is fitted and handed to settings
let startPending: bool = false;   // running, waiting for the plan job before the first stroke

export function machineState(): i32 { return state; }
export function machineFault(): i32 { return fault; }

function enter(s: i32): void {
  state = s;
  report_state(state, fault);
  indicator_set(s == ST_OFF ? IND_OFF : s == ST_HOMING ? IND_HOMING : s == ST_READY ? IND_READY
    : s == ST_RUNNING ? IND_RUNNING : s == ST_PAUSED ? IND_PAUSED : IND_FAULT | (fault << 8));
}

/** A user refusal: one beep, then the state's pattern again. */
export function signalRefused(): void { indicator_set(IND_REFUSED); }

export function machineInit(): void {
  driver_enable(0);
  step_queue_flush();
  motionReset();
  resetButtons();
  initSettings();
  resetCartridge();
  resetAuth();
  sessionInit();
  forgetHome();
  fault = F_NONE;
  cancelHomeMove();
  lastCartridge = CART_NONE;
  cartridgeTaken = false;
  startPending = false;
  resetTreatmentRecords();
  noteActivity();
  resetControls();
  const cause = reset_cause();
  if (cause != RESET_POWER_ON) {
    // a watchdog or panic reset: the driver came up off, so the spring holds the needles back
    fault = cause == RESET_WATCHDOG ? F_WATCHDOG_RESET : F_FIRMWARE_RESET;
    logEvent(EV_FAULT, fault);
    enter(ST_FAULT);
    return;
  }
  enter(ST_OFF);
}

export function machineTick(nowStepTicks: i64): void {
  sampleButtons(buttons_raw());
  cartridgeTick();
  authTick();
  if (state != ST_OFF) {
    checkSafety();
    watchCartridge(); // before takeCartridge(): a removal's retract still has the retract plan
    watchButtons();
  }
  takeCartridge();
  buttonActions();
  if (state == ST_HOMING || checkingPosition()) homingTick();
  else if (state == ST_RUNNING) runningTick(nowStepTicks);
  else if (state == ST_FAULT) feedQueue(nowStepTicks); // the retract move
  writePendingRecord();
  if (tickIsLight()) planStep();
  if (sessionOpen()) addStrokes(takeStrokes());
  idleTick();
}

/** Driver flags, queue health and the cell: any problem while powered is a fault. */
function checkSafety(): void {
  const drv = driver_status();
  if ((drv & DRV_SHORT) != 0) { enterFault(F_DRIVER_SHORT, true); return; }
  if ((drv & DRV_OT) != 0) { enterFault(F_DRIVER_OVERTEMP, true); return; }
  if ((drv & DRV_UV) != 0) { enterFault(F_DRIVER_UNDERVOLTAGE, true); return; }
  if (state == ST_FAULT) return;
  // a sagging cell: retract while there is still power to do it
  if (motionBusy() && battery_mv() < BATTERY_MIN_MV) { enterFault(F_BATTERY_LOW, false); return; }
  if ((drv & DRV_STALL) != 0 && motionBusy()) { enterFault(F_STALL, false); return; }
  if ((step_queue_status() & QSTAT_UNDERRUN) != 0) { enterFault(F_QUEUE_UNDERRUN, false); return; }
}

/** A genuine cartridge is taken as soon as it is checked, even while off: its depth limit found, its stroke planned. */
function takeCartridge(): void {
  const ok = cartridgeState() == CART_OK;
  if (ok != cartridgeTaken) {
    cartridgeTaken = ok;
    cancelChange();
    beginCartridge(ok ? cartridgeTypeIndex() : -1, cartridgeLengthUm(), spareStrokePlan());
  }
}

/** One pulled out while stroking is a fault; a refused one is signalled. */
function watchCartridge(): void {
  const c = cartridgeState();
  if (takeRemovedEvent()) {
    logEvent(EV_CARTRIDGE_REMOVED, 0);
    if (state == ST_RUNNING || (state == ST_FAULT && motionBusy())) { enterFault(F_CARTRIDGE_REMOVED, false); }
    else if (state == ST_PAUSED) { endSession(); enter(ST_READY); }
  }
  if (c != lastCartridge) {
    if (c == CART_REFUSED) { logEvent(EV_CARTRIDGE_REFUSED, cartridgeRefusal()); signalRefused(); }
    lastCartridge = c;
  }
}

/** A new setting: plan it in the background; while running, the strokes switch to it at a stroke boundary once planned. */
export function settingChanged(): void {
  cancelChange(); // the plan not in use is refilled
  beginSetting(spareStrokePlan());
}

/** Carries the plan jobs on; when the stroke plan is done while running, the strokes start or take it (motion has it). */
function planStep(): void {
  const r = planJobsTick();
  if (r == PLAN_BUSY || state != ST_RUNNING) return;
  if (r != PLAN_OK) { enterFault(F_PLAN, false); return; }
  recordSettingChange();
  if (startPending) { startPending = false; startStrokes(); }
}

/** Flush, retract, log, and stay in fault until the user clears it. */
export function enterFault(code: i32, cutDriver: bool): void {
  if (state == ST_FAULT && fault == code) return;
  step_queue_flush();
  motionReset();
  startPending = false;
  cancelHomeMove();
  fault = code;
  recordFault(code);
  enter(ST_FAULT);
  if (cutDriver || !isHomed()) {
    driver_enable(0);
    forgetHome();
  } else {
    const up = stepsBelowTop();
    forgetHome(); // the position is not trusted after a fault: home again before running
    // shaped like the retract plan (motion.ts); with no plan to copy, slowly (a constant rate needs no ramp)
    if (up > 0 && !startRetract(up)) pushConstantMove(up, HOMING_INTERVAL_STEP_TICKS, false, SEG_STOP_AT_ENDSTOP);
  }
}

/** Power on (or clear a fault): home, then ready. */
export function powerOn(): i32 {
  if (state != ST_OFF && state != ST_FAULT) return CMD_WRONG_STATE;
  if (state == ST_FAULT && ((driver_status() & (DRV_OT | DRV_SHORT | DRV_UV)) != 0 || motionBusy() || buttonStuck())) return CMD_WRONG_STATE;
  step_queue_flush();
  motionReset();
  fault = F_NONE;
  driver_enable(1);
  forgetHome();
  noteActivity();
  enter(ST_HOMING);
  startHoming();
  return CMD_OK;
}

/** Homing is done: the needles rest at the top. */
export function homingDone(): void { enter(ST_READY); }

export function powerOff(): i32 {
  if (state == ST_RUNNING) {
    afterStop = ST_OFF;
    stopAtTop();
    return CMD_OK;
  }
  if (sessionOpen()) endSession();
  step_queue_flush();
  motionReset();
  cancelHomeMove();
  driver_enable(0);
  forgetHome();
  fault = F_NONE;
  enter(ST_OFF);
  return CMD_OK;
}

export function start(): i32 {
  const r = startRefusal();
  if (r != CMD_OK) {
    if (state == ST_READY || state == ST_PAUSED) logEvent(EV_START_REFUSED, r);
    return r;
  }
  const plan = planState();
  if (plan != PLAN_OK && plan != PLAN_BUSY) return CMD_PLAN_FAILED;
  if (!markCartridgeUsed()) return CMD_CARTRIDGE_REFUSED; // the single-use lockout starts at the first stroke
  if (!sessionOpen()) beginSession();
  openSegment();
  // the plan of this setting is usually ready; if it was just changed, stroking starts when it is
  startPending = plan == PLAN_BUSY;
  if (!startPending) startStrokes();
  enter(ST_RUNNING);
  return CMD_OK;
}

function startRefusal(): i32 {
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

/** Finish the stroke under way, then pause (needles retracted, setting kept). */
export function pause(): i32 {
  if (state != ST_RUNNING) return CMD_WRONG_STATE;
  afterStop = ST_PAUSED;
  stopAtTop();
  return CMD_OK;
}

function stopAtTop(): void {
  startPending = false;
  stopStrokesAtTop();
}

export function stop(): i32 {
  if (state == ST_PAUSED && !homeMoving()) { endSession(); enter(ST_READY); return CMD_OK; }
  if (state != ST_RUNNING) return CMD_WRONG_STATE;
  afterStop = ST_READY;
  stopAtTop();
  return CMD_OK;
}

function runningTick(nowStepTicks: i64): void {
  feedQueue(nowStepTicks);
  if (!startPending && motionMode() != MOTION_STROKES && !motionBusy() && !homeMoving()) {
    // strokes stopped at the top: check the position against the endstop before anything else
    addStrokes(takeStrokes());
    endSegment();
    startPositionCheck();
  }
}

/** The position check after a stop passed: on to the state the stop asked for. */
export function positionChecked(): void {
  if (afterStop == ST_OFF) { powerOff(); return; }
  if (afterStop == ST_READY) endSession();
  enter(afterStop);
  afterStop = ST_READY;
}
