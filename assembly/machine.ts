// The pen's state machine: off, homing, ready, running, paused, fault. Every fault ends with the
// needles retracted: by a fast retract move, or by cutting the driver (the return spring retracts)
// where moving is unsafe. docs/hazards.md maps each fault to its hazard.
import {
  BTN_COUNT, BTN_DEPTH_DOWN, BTN_DEPTH_UP, BTN_POWER, BTN_SPEED_DOWN, BTN_SPEED_UP, BTN_START,
  CART_CHECKING, CART_NONE, CART_OK, CART_REFUSED, CMD_BATTERY_LOW, CMD_CARTRIDGE_CHECKING,
  CMD_CARTRIDGE_REFUSED, CMD_NO_CARTRIDGE, CMD_NO_ZONE, CMD_OK, CMD_PLAN_FAILED, CMD_WRONG_STATE,
  DRV_OT, DRV_SHORT, DRV_STALL, DRV_UV, EV_CARTRIDGE_REFUSED, EV_CARTRIDGE_REMOVED, EV_FAULT,
  EV_IDLE_OFF, EV_START_REFUSED, F_BATTERY_LOW, F_CARTRIDGE_REMOVED, F_DRIVER_OVERTEMP, F_DRIVER_SHORT,
  F_DRIVER_UNDERVOLTAGE, F_ENDSTOP_NOT_FOUND, F_ENDSTOP_STUCK, F_FIRMWARE_RESET, F_LOST_STEPS, F_NONE,
  F_PLAN, F_QUEUE_UNDERRUN, F_STALL, F_STUCK_BUTTON, F_WATCHDOG_RESET, IND_FAULT, IND_HOMING, IND_OFF,
  IND_PAUSED, IND_READY, IND_REFUSED, IND_RUNNING, QSTAT_ENDSTOP_STOP, QSTAT_UNDERRUN, RESET_POWER_ON,
  RESET_WATCHDOG, SEG_STOP_AT_ENDSTOP, SET_OK, ST_FAULT, ST_HOMING, ST_OFF, ST_PAUSED, ST_READY,
  ST_RUNNING, ZONE_NONE,
} from "./abi";
import {
  driver_enable, driver_status, endstop_active, step_queue_flush, step_queue_status, step_position,
  buttons_raw, battery_mv, indicator_set, report_state, reset_cause,
} from "./hal";
import { sampleButtons, buttonEvents, buttonHeldTicks, resetButtons, EV_PRESS, EV_REPEAT, EV_LONG } from "./buttons";
import {
  feedQueue, motionBusy, motionReset, pushConstantMove, spareStrokePlan, startRetract, cancelChange, retractPlan,
  startStrokes, changeStrokes, stopStrokesAtTop, motionMode, takeStrokes, MOTION_STROKES,
} from "./motion";
import {
  initSettings, beginCartridge, beginSetting, settingsTick, settingsBusy, settingsWorking, planState,
  setDepthUm, setLevel, depthSettingUm, level, topSteps, umToSteps, requestedFreqHz, quantizedDepthUm,
  runFreqHz, clamp, zoneSetting, modeSetting,
} from "./settings";
import { PLAN_OK, PLAN_BUSY } from "./compress";
import {
  cartridgeTick, cartridgeState, cartridgeRefusal, cartridgeTypeIndex, cartridgeLengthUm,
  cartridgeNeedles, cartridgeSerial, cartridgeLot, markCartridgeUsed, takeRemovedEvent, resetCartridge,
} from "./cartridge";
import {
  sessionInit, beginSession, beginSegment, endSegment, endSession, addStrokes, noteFault, logEvent,
  sessionOpen,
} from "./session";
import { authTick, resetAuth } from "./auth";
import { tickIsLight } from "./budget";
import {
  BATTERY_MIN_MV, SPEED_LEVELS_HZ_LEN, HOMING_INTERVAL_TICKS, HOMING_RELEASE_UM, HOMING_TRAVEL_UM, DEPTH_STEP_UM, SPEED_LEVELS_HZ,
  STUCK_BUTTON_TICKS, IDLE_OFF_S, CONTROL_HZ,
} from "./generated/board_config";





/** how far (steps) the endstop may be from where homing found it before steps count as lost */
const POSITION_TOLERANCE_STEPS: i32 = 2;

// homing, and the position check after strokes stop
const MOVE_NONE: i32 = 0;
const HOME_RELEASE: i32 = 1;
const HOME_SEEK: i32 = 2;
const HOME_TO_REST: i32 = 3;
const CHECK_SEEK: i32 = 4;
const CHECK_RETURN: i32 = 5;

let state: i32 = 0; // ST_OFF (literal initial values cost no start-up code)
let fault: i32 = 0; // F_NONE
let movePhase: i32 = 0; // MOVE_NONE
let homed: bool = false;
let zeroSteps: i32 = 0;
let afterStop: i32 = 2; // ST_READY: state to enter when the strokes have stopped at the top
let lastCartridge: i32 = 0; // CART_NONE
let cartridgeTaken: bool = false; // a genuine cartridge is fitted and handed to settings
let startPending: bool = false;   // running, waiting for the plan job before the first stroke
let closeAfterFault: bool = false; // the session a fault ended is still to be logged
let faultToLog: i32 = 0; // F_NONE
let segmentChanged: bool = false;  // a new setting runs: its stretch of strokes is still to begin
let idleTicks: i32 = 0;
let idleLimitTicks: i32 = IDLE_OFF_S * CONTROL_HZ;
let stuckFaulted: bool = false;

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
  homed = false;
  fault = F_NONE;
  movePhase = MOVE_NONE;
  lastCartridge = CART_NONE;
  cartridgeTaken = false;
  startPending = false;
  closeAfterFault = false;
  faultToLog = F_NONE;
  segmentChanged = false;
  idleTicks = 0;
  stuckFaulted = false;
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

export function machineTick(now: i64): void {
  sampleButtons(buttons_raw());
  cartridgeTick();
  authTick();
  if (state != ST_OFF) {
    checkSafety();
    watchCartridge(); // before takeCartridge(): a removal's retract still has the retract plan
    watchButtons();
  }
  takeCartridge();
  handleButtons();
  if (state == ST_HOMING || movePhase >= CHECK_SEEK) moveTick();
  else if (state == ST_RUNNING) runningTick(now);
  else if (state == ST_FAULT) feedQueue(now); // the retract move
  logPending();
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
    beginCartridge(ok ? cartridgeTypeIndex() : -1, cartridgeLengthUm(), spareStrokePlan(), retractPlan);
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

/** Plan the current setting in the background, into the plan not in use. */
function requestPlan(): void {
  cancelChange();
  beginSetting(spareStrokePlan());
}

/** Carries the plan job on; when it is done while running, the strokes start or take the new plan. */
function planStep(): void {
  if (!settingsWorking()) return;
  const wasBusy = planState() == PLAN_BUSY;
  settingsTick();
  const r = planState();
  if (!wasBusy) return; // the job works on the retract plan
  if (r == PLAN_OK) changeStrokes();
  if (r == PLAN_BUSY || state != ST_RUNNING) return;
  if (r != PLAN_OK) { enterFault(F_PLAN, false); return; }
  segmentChanged = true;
  if (startPending) { startPending = false; startStrokes(); }
}

/** A button held far longer than any use of it is stuck: stop and ignore it until released. */
function watchButtons(): void {
  let stuck = false;
  for (let i = 0; i < BTN_COUNT; i++) if (buttonHeldTicks(i) >= STUCK_BUTTON_TICKS) stuck = true;
  if (stuck && !stuckFaulted) {
    stuckFaulted = true;
    enterFault(F_STUCK_BUTTON, false);
  }
  if (!stuck) stuckFaulted = false;
}

/** Flush, retract, log, and stay in fault until the user clears it. */
export function enterFault(code: i32, cutDriver: bool): void {
  if (state == ST_FAULT && fault == code) return;
  step_queue_flush();
  motionReset();
  startPending = false;
  movePhase = MOVE_NONE;
  fault = code;
  if (sessionOpen()) { addStrokes(takeStrokes()); noteFault(code); closeAfterFault = true; }
  faultToLog = code;
  enter(ST_FAULT);
  if (cutDriver || !homed) {
    driver_enable(0);
    homed = false;
  } else {
    const up = (step_position() - zeroSteps) - topSteps();
    homed = false; // the position is not trusted after a fault: home again before running
    // shaped like the retract plan (motion.ts); with no plan to copy, slowly (a constant rate needs no ramp)
    if (up > 0 && !startRetract(up)) pushConstantMove(up, HOMING_INTERVAL_TICKS, false, SEG_STOP_AT_ENDSTOP);
  }
}

/**
 * Records that events leave to write go to flash in the ticks after them, one a tick: the tick of a
 * fault only starts the retract, and a record's CRC and flash writes would make it long.
 */
function logPending(): void {
  if (closeAfterFault) { closeAfterFault = false; endSession(); return; }
  if (faultToLog != F_NONE) { logEvent(EV_FAULT, faultToLog); faultToLog = F_NONE; return; }
  if (segmentChanged) {
    segmentChanged = false;
    if (state != ST_RUNNING) return;
    addStrokes(takeStrokes());
    endSegment();
    openSegment();
  }
}

/** Power on (or clear a fault): home, then ready. */
export function powerOn(): i32 {
  if (state != ST_OFF && state != ST_FAULT) return CMD_WRONG_STATE;
  if (state == ST_FAULT && ((driver_status() & (DRV_OT | DRV_SHORT | DRV_UV)) != 0 || motionBusy() || stuckFaulted)) return CMD_WRONG_STATE;
  step_queue_flush();
  motionReset();
  fault = F_NONE;
  driver_enable(1);
  homed = false;
  idleTicks = 0;
  enter(ST_HOMING);
  if (endstop_active() != 0) {
    movePhase = HOME_RELEASE;
    pushConstantMove(umToSteps(HOMING_RELEASE_UM), HOMING_INTERVAL_TICKS, true, 0);
  } else {
    startSeek();
  }
  return CMD_OK;
}

export function powerOff(): i32 {
  if (state == ST_RUNNING) {
    afterStop = ST_OFF;
    stopAtTop();
    return CMD_OK;
  }
  if (sessionOpen()) endSession();
  step_queue_flush();
  motionReset();
  movePhase = MOVE_NONE;
  driver_enable(0);
  homed = false;
  fault = F_NONE;
  enter(ST_OFF);
  return CMD_OK;
}

function startSeek(): void {
  movePhase = HOME_SEEK;
  step_queue_flush(); // clears the latched status bits
  pushConstantMove(umToSteps(HOMING_TRAVEL_UM), HOMING_INTERVAL_TICKS, false, SEG_STOP_AT_ENDSTOP);
}

/** Homing, and the position check against the endstop after strokes stop. */
function moveTick(): void {
  if (motionBusy()) return;
  if (movePhase == HOME_RELEASE) {
    if (endstop_active() != 0) { enterFault(F_ENDSTOP_STUCK, true); return; }
    startSeek();
  } else if (movePhase == HOME_SEEK) {
    if ((step_queue_status() & QSTAT_ENDSTOP_STOP) == 0) { enterFault(F_ENDSTOP_NOT_FOUND, true); return; }
    zeroSteps = step_position();
    step_queue_flush();
    movePhase = HOME_TO_REST;
    pushConstantMove(topSteps(), HOMING_INTERVAL_TICKS, true, 0);
  } else if (movePhase == HOME_TO_REST) {
    movePhase = MOVE_NONE;
    homed = true;
    enter(ST_READY);
  } else if (movePhase == CHECK_SEEK) {
    const hit = (step_queue_status() & QSTAT_ENDSTOP_STOP) != 0;
    const error = step_position() - zeroSteps;
    if (!hit || error > POSITION_TOLERANCE_STEPS || error < -POSITION_TOLERANCE_STEPS) {
      homed = true; // the carriage is at the endstop: retracted, nothing to move
      enterFault(hit ? F_LOST_STEPS : F_ENDSTOP_NOT_FOUND, false);
      return;
    }
    step_queue_flush();
    movePhase = CHECK_RETURN;
    pushConstantMove(topSteps(), HOMING_INTERVAL_TICKS, true, 0);
  } else if (movePhase == CHECK_RETURN) {
    movePhase = MOVE_NONE;
    finishStop();
  }
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
  if (movePhase != MOVE_NONE) return CMD_WRONG_STATE;
  const c = cartridgeState();
  if (c == CART_NONE) return CMD_NO_CARTRIDGE;
  if (c == CART_CHECKING || settingsBusy()) return CMD_CARTRIDGE_CHECKING;
  if (c == CART_REFUSED) return CMD_CARTRIDGE_REFUSED;
  if (zoneSetting() == ZONE_NONE) return CMD_NO_ZONE;
  if (battery_mv() < BATTERY_MIN_MV) return CMD_BATTERY_LOW;
  return CMD_OK;
}

function openSegment(): void {
  beginSegment(quantizedDepthUm(), runFreqHz(), clamp(), zoneSetting(), modeSetting(), cartridgeNeedles(), cartridgeSerial(), cartridgeLot());
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
  if (state == ST_PAUSED && movePhase == MOVE_NONE) { endSession(); enter(ST_READY); return CMD_OK; }
  if (state != ST_RUNNING) return CMD_WRONG_STATE;
  afterStop = ST_READY;
  stopAtTop();
  return CMD_OK;
}

/** A new setting: plan it in the background; while running, the strokes switch to it at a stroke boundary once planned. */
export function settingChanged(): void { requestPlan(); }

function runningTick(now: i64): void {
  feedQueue(now);
  if (!startPending && motionMode() != MOTION_STROKES && !motionBusy() && movePhase == MOVE_NONE) {
    // strokes stopped at the top: check the position against the endstop before anything else
    addStrokes(takeStrokes());
    endSegment();
    movePhase = CHECK_SEEK;
    step_queue_flush();
    pushConstantMove(topSteps() + umToSteps(HOMING_RELEASE_UM), HOMING_INTERVAL_TICKS, false, SEG_STOP_AT_ENDSTOP);
  }
}

function finishStop(): void {
  if (afterStop == ST_OFF) { powerOff(); return; }
  if (afterStop == ST_READY) endSession();
  enter(afterStop);
  afterStop = ST_READY;
}

/** Auto-off after a while with nothing to do. */
function idleTick(): void {
  if (state == ST_READY || state == ST_PAUSED) {
    if (++idleTicks >= idleLimitTicks) {
      logEvent(EV_IDLE_OFF, idleLimitTicks / CONTROL_HZ);
      powerOff();
    }
  } else {
    idleTicks = 0;
  }
}

/** Any button or command: the pen is in use. */
export function noteActivity(): void { idleTicks = 0; }

export function setIdleOffSeconds(s: i32): void { idleLimitTicks = s * CONTROL_HZ; idleTicks = 0; }
export function idleOffSeconds(): i32 { return idleLimitTicks / CONTROL_HZ; }

function handleButtons(): void {
  let any = 0;
  for (let i = 0; i < BTN_COUNT; i++) any |= buttonEvents(i);
  if (any != 0) noteActivity();
  if (stuckFaulted) return; // a stuck button must not drive anything
  const power = buttonEvents(ctz(BTN_POWER));
  if ((power & EV_LONG) != 0 && state != ST_OFF) { powerOff(); return; }
  if ((power & EV_PRESS) != 0 && (state == ST_OFF || state == ST_FAULT)) {
    if (powerOn() != CMD_OK) signalRefused();
    return;
  }
  const startEv = buttonEvents(ctz(BTN_START));
  if ((startEv & EV_PRESS) != 0) {
    const r = state == ST_RUNNING ? pause() : start();
    if (r != CMD_OK) signalRefused();
  }
  if ((startEv & EV_LONG) != 0 && (state == ST_RUNNING || state == ST_PAUSED)) stop();
  // while stroking, one press is one step: a held (or stuck) button must not walk the depth up
  const repeat = state == ST_RUNNING ? 0 : EV_REPEAT;
  if ((buttonEvents(ctz(BTN_DEPTH_UP)) & (EV_PRESS | repeat)) != 0) nudgeDepth(DEPTH_STEP_UM);
  if ((buttonEvents(ctz(BTN_DEPTH_DOWN)) & (EV_PRESS | repeat)) != 0) nudgeDepth(-DEPTH_STEP_UM);
  if ((buttonEvents(ctz(BTN_SPEED_UP)) & EV_PRESS) != 0) nudgeLevel(1);
  if ((buttonEvents(ctz(BTN_SPEED_DOWN)) & EV_PRESS) != 0) nudgeLevel(-1);
}

function nudgeDepth(deltaUm: i32): void {
  if (setDepthUm(depthSettingUm() + deltaUm) != SET_OK) { signalRefused(); return; }
  settingChanged();
}

function nudgeLevel(delta: i32): void {
  if (setLevel(nextLevel(delta)) != SET_OK) { signalRefused(); return; }
  settingChanged();
}

/** The speed level one step up or down; from a directly set rate, the nearest level past it. */
function nextLevel(delta: i32): i32 {
  if (level() != 0) return level() + delta;
  const hz = requestedFreqHz();
  const n = SPEED_LEVELS_HZ_LEN;
  if (delta > 0) {
    for (let i = 0; i < n; i++) if (SPEED_LEVELS_HZ[i] > hz) return i + 1;
    return n + 1;
  }
  for (let i = n - 1; i >= 0; i--) if (SPEED_LEVELS_HZ[i] < hz) return i + 1;
  return 0;
}
