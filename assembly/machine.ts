// The pen's state machine: off, homing, ready, running, paused, fault. Every fault ends with the
// needles retracted: by a fast retract move, or by cutting the driver (the return spring retracts)
// where moving is unsafe.
import {
  driver_enable, driver_status, endstop_active, step_queue_flush, step_queue_status, step_position,
  buttons_raw, cartridge_type, battery_mv, indicator_set, report_state, reset_cause,
  DRV_OT, DRV_SHORT, DRV_STALL, DRV_UV, QSTAT_UNDERRUN, QSTAT_ENDSTOP_STOP, SEG_STOP_AT_ENDSTOP,
  BTN_POWER, BTN_START, BTN_DEPTH_UP, BTN_DEPTH_DOWN, BTN_SPEED_UP, BTN_SPEED_DOWN, RESET_POWER_ON, RESET_WATCHDOG,
} from "./hal";
import { sampleButtons, buttonEvents, resetButtons, EV_PRESS, EV_REPEAT, EV_LONG } from "./buttons";
import {
  feedQueue, motionBusy, motionReset, pushConstantMove, singlePlan, spareStrokePlan, startSingle,
  startStrokes, changeStrokes, stopStrokesAtTop, motionMode, MODE_STROKES,
} from "./motion";
import {
  initSettings, selectCartridge, setDepthUm, setLevel, depthSettingUm, level, planStroke, planFastMove,
  planOk, topSteps, umToSteps, requestedFreqHz, SET_OK,
} from "./settings";
import { BATTERY_MIN_MV, HOMING_INTERVAL_TICKS, HOMING_RELEASE_UM, HOMING_TRAVEL_UM, DEPTH_STEP_UM, SPEED_LEVELS_HZ } from "./generated/board_config";

export const ST_OFF: i32 = 0;
export const ST_HOMING: i32 = 1;
export const ST_READY: i32 = 2;
export const ST_RUNNING: i32 = 3;
export const ST_PAUSED: i32 = 4;
export const ST_FAULT: i32 = 5;

export const F_NONE: i32 = 0;
export const F_STALL: i32 = 1;
export const F_DRIVER_OVERTEMP: i32 = 2;
export const F_DRIVER_SHORT: i32 = 3;
export const F_QUEUE_UNDERRUN: i32 = 4;
export const F_ENDSTOP_NOT_FOUND: i32 = 5;
export const F_ENDSTOP_STUCK: i32 = 6;
export const F_WATCHDOG_RESET: i32 = 7;
export const F_DRIVER_UNDERVOLTAGE: i32 = 8;
export const F_PLAN: i32 = 9;
export const F_FIRMWARE_RESET: i32 = 10;
export const F_BATTERY_LOW: i32 = 11;

// indicator_set patterns
export const IND_OFF: i32 = 0;
export const IND_HOMING: i32 = 1;
export const IND_READY: i32 = 2;
export const IND_RUNNING: i32 = 3;
export const IND_PAUSED: i32 = 4;
export const IND_FAULT: i32 = 5;
export const IND_REFUSED: i32 = 6;

// results of user commands (the serial protocol maps them to replies)
export const CMD_OK: i32 = 0;
export const CMD_WRONG_STATE: i32 = 1;
export const CMD_NO_CARTRIDGE: i32 = 2;
export const CMD_PLAN_FAILED: i32 = 3;
export const CMD_BATTERY_LOW: i32 = 4;

const HOME_RELEASE: i32 = 1;
const HOME_SEEK: i32 = 2;
const HOME_TO_REST: i32 = 3;

let state: i32 = ST_OFF;
let fault: i32 = F_NONE;
let homePhase: i32 = 0;
let homed: bool = false;
let zeroSteps: i32 = 0;
let afterStop: i32 = ST_READY; // state to enter when the strokes have stopped at the top

export function machineState(): i32 { return state; }
export function machineFault(): i32 { return fault; }

function enter(s: i32): void {
  state = s;
  report_state(state, fault);
  indicator_set(s == ST_OFF ? IND_OFF : s == ST_HOMING ? IND_HOMING : s == ST_READY ? IND_READY
    : s == ST_RUNNING ? IND_RUNNING : s == ST_PAUSED ? IND_PAUSED : IND_FAULT);
}

export function machineInit(): void {
  driver_enable(0);
  step_queue_flush();
  motionReset();
  resetButtons();
  initSettings();
  homed = false;
  fault = F_NONE;
  const cause = reset_cause();
  if (cause != RESET_POWER_ON) {
    // a watchdog or panic reset: the driver came up off, so the spring holds the needles back
    fault = cause == RESET_WATCHDOG ? F_WATCHDOG_RESET : F_FIRMWARE_RESET;
    enter(ST_FAULT);
    return;
  }
  enter(ST_OFF);
}

export function machineTick(now: i64): void {
  sampleButtons(buttons_raw());
  if (state != ST_OFF) checkSafety();
  handleButtons();
  if (state == ST_HOMING) homingTick();
  else if (state == ST_RUNNING) runningTick(now);
  else if (state == ST_FAULT) feedQueue(now); // the retract move
}

/** Driver flags and queue health: any problem while powered is a fault. */
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

/** Flush, retract, and stay in fault until the user clears it. */
export function enterFault(code: i32, cutDriver: bool): void {
  if (state == ST_FAULT && fault == code) return;
  step_queue_flush();
  motionReset();
  fault = code;
  enter(ST_FAULT);
  if (cutDriver || !homed) {
    driver_enable(0);
    homed = false;
    return;
  }
  const up = (step_position() - zeroSteps) - topSteps();
  homed = false; // the position is not trusted after a fault: home again before running
  if (up <= 0) return;
  if (!planOk(planFastMove(singlePlan, up))) {
    driver_enable(0);
    return;
  }
  startSingle(false, SEG_STOP_AT_ENDSTOP);
}

/** Power on (or clear a fault): home, then ready. */
export function powerOn(): i32 {
  if (state != ST_OFF && state != ST_FAULT) return CMD_WRONG_STATE;
  if (state == ST_FAULT && ((driver_status() & (DRV_OT | DRV_SHORT | DRV_UV)) != 0 || motionBusy())) return CMD_WRONG_STATE;
  step_queue_flush();
  motionReset();
  fault = F_NONE;
  selectCartridge(cartridge_type());
  driver_enable(1);
  homed = false;
  enter(ST_HOMING);
  if (endstop_active() != 0) {
    homePhase = HOME_RELEASE;
    pushConstantMove(umToSteps(HOMING_RELEASE_UM), HOMING_INTERVAL_TICKS, true, 0);
  } else {
    startSeek();
  }
  return CMD_OK;
}

export function powerOff(): i32 {
  if (state == ST_RUNNING) {
    afterStop = ST_OFF;
    stopStrokesAtTop();
    return CMD_OK;
  }
  step_queue_flush();
  motionReset();
  driver_enable(0);
  homed = false;
  fault = F_NONE;
  enter(ST_OFF);
  return CMD_OK;
}

function startSeek(): void {
  homePhase = HOME_SEEK;
  step_queue_flush(); // clears the latched status bits
  pushConstantMove(umToSteps(HOMING_TRAVEL_UM), HOMING_INTERVAL_TICKS, false, SEG_STOP_AT_ENDSTOP);
}

function homingTick(): void {
  if (motionBusy()) return;
  if (homePhase == HOME_RELEASE) {
    if (endstop_active() != 0) { enterFault(F_ENDSTOP_STUCK, true); return; }
    startSeek();
  } else if (homePhase == HOME_SEEK) {
    if ((step_queue_status() & QSTAT_ENDSTOP_STOP) == 0) { enterFault(F_ENDSTOP_NOT_FOUND, true); return; }
    zeroSteps = step_position();
    step_queue_flush();
    homePhase = HOME_TO_REST;
    pushConstantMove(topSteps(), HOMING_INTERVAL_TICKS, true, 0);
  } else if (homePhase == HOME_TO_REST) {
    homed = true;
    enter(ST_READY);
  }
}

export function start(): i32 {
  if (state != ST_READY && state != ST_PAUSED) return CMD_WRONG_STATE;
  if (selectedCartridgeMissing()) return CMD_NO_CARTRIDGE;
  if (battery_mv() < BATTERY_MIN_MV) return CMD_BATTERY_LOW;
  if (!planOk(planStroke(spareStrokePlan()))) return CMD_PLAN_FAILED;
  startStrokes();
  enter(ST_RUNNING);
  return CMD_OK;
}

/** Finish the stroke under way, then pause (needles retracted, setting kept). */
export function pause(): i32 {
  if (state != ST_RUNNING) return CMD_WRONG_STATE;
  afterStop = ST_PAUSED;
  stopStrokesAtTop();
  return CMD_OK;
}

export function stop(): i32 {
  if (state == ST_PAUSED) { enter(ST_READY); return CMD_OK; }
  if (state != ST_RUNNING) return CMD_WRONG_STATE;
  afterStop = ST_READY;
  stopStrokesAtTop();
  return CMD_OK;
}

/** A new setting while running: plan it now, switch at the next stroke boundary. */
export function settingChanged(): void {
  if (state != ST_RUNNING) return;
  if (!planOk(planStroke(spareStrokePlan()))) { enterFault(F_PLAN, false); return; }
  changeStrokes();
}

function runningTick(now: i64): void {
  feedQueue(now);
  if (motionMode() != MODE_STROKES && !motionBusy()) {
    if (afterStop == ST_OFF) { powerOff(); return; }
    enter(afterStop);
    afterStop = ST_READY;
  }
}

function selectedCartridgeMissing(): bool {
  return cartridge_type() < 0;
}

function handleButtons(): void {
  const power = buttonEvents(ctz(BTN_POWER));
  if ((power & EV_LONG) != 0 && state != ST_OFF) { powerOff(); return; }
  if ((power & EV_PRESS) != 0 && (state == ST_OFF || state == ST_FAULT)) {
    if (powerOn() != CMD_OK) indicator_set(IND_REFUSED);
    return;
  }
  const startEv = buttonEvents(ctz(BTN_START));
  if ((startEv & EV_PRESS) != 0) {
    const r = state == ST_RUNNING ? pause() : start();
    if (r != CMD_OK) indicator_set(IND_REFUSED);
  }
  if ((startEv & EV_LONG) != 0 && (state == ST_RUNNING || state == ST_PAUSED)) stop();
  const up = buttonEvents(ctz(BTN_DEPTH_UP));
  const down = buttonEvents(ctz(BTN_DEPTH_DOWN));
  if ((up & (EV_PRESS | EV_REPEAT)) != 0) nudgeDepth(DEPTH_STEP_UM);
  if ((down & (EV_PRESS | EV_REPEAT)) != 0) nudgeDepth(-DEPTH_STEP_UM);
  if ((buttonEvents(ctz(BTN_SPEED_UP)) & EV_PRESS) != 0) nudgeLevel(1);
  if ((buttonEvents(ctz(BTN_SPEED_DOWN)) & EV_PRESS) != 0) nudgeLevel(-1);
}

function nudgeDepth(deltaUm: i32): void {
  if (setDepthUm(depthSettingUm() + deltaUm) != SET_OK) { indicator_set(IND_REFUSED); return; }
  settingChanged();
}

function nudgeLevel(delta: i32): void {
  if (setLevel(nextLevel(delta)) != SET_OK) { indicator_set(IND_REFUSED); return; }
  settingChanged();
}

/** The speed level one step up or down; from a directly set rate, the nearest level past it. */
function nextLevel(delta: i32): i32 {
  if (level() != 0) return level() + delta;
  const hz = requestedFreqHz();
  const n = SPEED_LEVELS_HZ.length;
  if (delta > 0) {
    for (let i = 0; i < n; i++) if (SPEED_LEVELS_HZ[i] > hz) return i + 1;
    return n + 1;
  }
  for (let i = n - 1; i >= 0; i--) if (SPEED_LEVELS_HZ[i] < hz) return i + 1;
  return 0;
}
