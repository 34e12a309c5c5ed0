// The pen's state machine: off, homing, ready, running, paused, fault; the control tick that runs
// every feature in turn. Every fault ends with the needles retracted: by a fast retract move, or by
// cutting the driver (the return spring retracts) where moving is unsafe. docs/hazards.md maps each
// fault to its hazard. Owns the state, the fault, and what happens when the strokes have stopped.
import {
  CMD_OK,
  CMD_WRONG_STATE,
  DRV_OT,
  DRV_SHORT,
  DRV_UV,
  EV_FAULT,
  F_ENDSTOP_STUCK,
  F_FIRMWARE_RESET,
  F_NONE,
  F_WATCHDOG_RESET,
  IND_FAULT,
  IND_HOMING,
  IND_OFF,
  IND_PAUSED,
  IND_READY,
  IND_REFUSED,
  IND_RUNNING,
  RESET_POWER_ON,
  RESET_WATCHDOG,
  ST_FAULT,
  ST_HOMING,
  ST_OFF,
  ST_PAUSED,
  ST_READY,
  ST_RUNNING,
} from "./abi";
import {
  driver_enable,
  driver_status,
  endstop_active,
  step_queue_flush,
  buttons_raw,
  indicator_set,
  report_state,
  reset_cause,
} from "./hal";
import { sampleButtons, resetButtons } from "./buttons";
import { feedQueue, motionBusy, motionReset, motionMode, takeStrokes, strokesMovingUp, MOTION_STROKES } from "./motion";
import { initSettings, haltPlanJobs } from "./planjob";
import {
  startVerifiedRetract,
  springRetract,
  retractMoving,
  forgetRetract,
  initRetract,
  ENDSTOP_DEBOUNCE_CONTROL_TICKS,
} from "./retract";
import { cartridgeTick, resetCartridge } from "./cartridge";
import { sessionInit, endSegment, endSession, addStrokes, logEvent, sessionOpen } from "./session";
import { authTick, resetAuth } from "./auth";
import { tickIsLight, noteHeavyWork } from "./budget";
import {
  homingTick,
  startHoming,
  startPositionCheck,
  homeMoving,
  checkingPosition,
  cancelHomeMove,
  isHomed,
  forgetHome,
  zeroPosition,
} from "./homing";
import { watchButtons, buttonActions, buttonStuck, resetControls, endUseAtPowerOff } from "./controls";
import { idleTick, noteActivity } from "./idle";
import { resetTreatmentRecords, recordFault, writePendingRecord } from "./treatment";
import { checkSafety, watchCartridge, takeCartridge, resetSafetyWatch, restartPlanJobs } from "./safety";
import { planStep, stopAtTop, startIsPending, forgetPendingStart } from "./strokes";

let state: i32 = 0; // ST_OFF (literal initial values cost no start-up code)
let fault: i32 = 0; // F_NONE
let afterStop: i32 = 2; // ST_READY: state to enter when the strokes have stopped at the top
let endstopTicks: i32 = 0; // control ticks in a row the endstop has read active while running
let faultThisTick: bool = false; // a fault was entered in the tick under way
let faultAfterMachine: bool = false; // a fault was entered after machineTick (the encoder's check): its retract starts next tick
let inMachineTick: bool = false;
let turnFault: i32 = 0; // F_NONE, or a fault the encoder found at a turn while the needles went up (turnFaultFound())

export function machineState(): i32 {
  return state;
}
export function machineFault(): i32 {
  return fault;
}

function enter(s: i32): void {
  state = s;
  report_state(state, fault);
  indicator_set(
    s == ST_OFF
      ? IND_OFF
      : s == ST_HOMING
        ? IND_HOMING
        : s == ST_READY
          ? IND_READY
          : s == ST_RUNNING
            ? IND_RUNNING
            : s == ST_PAUSED
              ? IND_PAUSED
              : IND_FAULT | (fault << 8),
  );
}

/** A user refusal: one beep, then the state's pattern again. */
export function signalRefused(): void {
  indicator_set(IND_REFUSED);
}

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
  resetSafetyWatch();
  initRetract();
  forgetPendingStart();
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
  // a fault entered after the last machineTick has its retract's first segments in this one: its records follow
  faultThisTick = faultAfterMachine;
  faultAfterMachine = false;
  inMachineTick = true;
  if (turnFault != 0) {
    enterFault(turnFault, false);
    turnFault = 0;
  }
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
  else if (state == ST_FAULT) feedQueue(nowStepTicks); // the retract move (checked by checkSafety first)
  if (!faultThisTick) writePendingRecord(); // the tick of a fault only starts the retract: its records follow
  if (tickIsLight()) planStep();
  if (sessionOpen()) addStrokes(takeStrokes());
  idleTick();
  inMachineTick = false;
}

/**
 * A fault the encoder found after the machine's tick (by a stroke's turns, or a failed reading): while
 * the strokes carry the needles up it is entered at the next tick's start, where the retract's first
 * segments follow the flush at once. Flushed at once, the field stood still for a tick while the carriage ran on up (200
 * mm/s at 2.6 mm / 57 Hz), the rotor overran it, StallGuard flagged a stall and the spring took out a
 * carriage nearly stopped: 20.4 ms from an obstacle's onset, 15 from the detection (13.8 and 7.5 now).
 */
export function turnFaultFound(code: i32): void {
  if (strokesMovingUp()) turnFault = code;
  else enterFault(code, false);
}

/** Flush, retract, log, and stay in fault until the user clears it. A fault during a retract hands it to the spring. */
export function enterFault(code: i32, cutDriver: bool): void {
  if (state == ST_FAULT && fault == code) return;
  noteHeavyWork(); // the retract's first segments are this tick's work: no planning besides
  faultThisTick = true;
  if (!inMachineTick) faultAfterMachine = true;
  haltPlanJobs(); // a retract may be copying the retract plan: no job writes it until the fault is cleared
  if (state == ST_FAULT && retractMoving()) {
    springRetract();
    recordFault(code);
    return;
  }
  step_queue_flush();
  motionReset();
  forgetPendingStart();
  cancelHomeMove();
  fault = code;
  recordFault(code);
  enter(ST_FAULT);
  if (cutDriver || !isHomed()) springRetract();
  else startVerifiedRetract(zeroPosition());
  forgetHome(); // the position is not trusted after a fault: home again before running
}

/** Power on (or clear a fault): home, then ready. */
export function powerOn(): i32 {
  if (state != ST_OFF && state != ST_FAULT) return CMD_WRONG_STATE;
  if (state == ST_FAULT && ((driver_status() & (DRV_OT | DRV_SHORT | DRV_UV)) != 0 || motionBusy() || buttonStuck()))
    return CMD_WRONG_STATE;
  step_queue_flush();
  motionReset();
  forgetRetract();
  restartPlanJobs();
  fault = F_NONE;
  driver_enable(1);
  forgetHome();
  noteActivity();
  enter(ST_HOMING);
  startHoming();
  return CMD_OK;
}

/** Homing is done: the needles rest at the top. */
export function homingDone(): void {
  enter(ST_READY);
}

/** A start went through (the strokes run, or wait for their plan). */
export function strokesStarted(): void {
  endstopTicks = 0;
  enter(ST_RUNNING);
}

/** Paused and stopped, or its cartridge pulled out: the session ends, the pen is ready. */
export function endPausedSession(): void {
  endSession();
  enter(ST_READY);
}

/** Stop the strokes at the top; once they are there and the position is checked, enter next. */
export function stopThen(next: i32): void {
  afterStop = next;
  stopAtTop();
}

export function powerOff(): i32 {
  if (state == ST_RUNNING) {
    stopThen(ST_OFF);
    return CMD_OK;
  }
  if (sessionOpen()) endSession();
  step_queue_flush();
  motionReset();
  cancelHomeMove();
  forgetRetract();
  driver_enable(0);
  forgetHome();
  restartPlanJobs();
  fault = F_NONE;
  endUseAtPowerOff();
  enter(ST_OFF);
  return CMD_OK;
}

function runningTick(nowStepTicks: i64): void {
  // below the endstop while stroking: an endstop active for longer than a glitch lies (it could not confirm a retract)
  if (endstop_active() == 0) endstopTicks = 0;
  else if (++endstopTicks >= ENDSTOP_DEBOUNCE_CONTROL_TICKS) {
    enterFault(F_ENDSTOP_STUCK, true);
    return;
  }
  feedQueue(nowStepTicks);
  if (!startIsPending() && motionMode() != MOTION_STROKES && !motionBusy() && !homeMoving()) {
    // strokes stopped at the top: check the position against the endstop before anything else
    addStrokes(takeStrokes());
    endSegment();
    startPositionCheck();
  }
}

/** The position check after a stop passed: on to the state the stop asked for. */
export function positionChecked(): void {
  if (afterStop == ST_OFF) {
    powerOff();
    return;
  }
  if (afterStop == ST_READY) endSession();
  enter(afterStop);
  afterStop = ST_READY;
}
