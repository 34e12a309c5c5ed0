// The retract after a fault, verified: the motor retracts past the rest position to the endstop, and
// the retract is done only when the endstop confirms the carriage there, debounced, within the steps
// expected. Any doubt (the deadline passed, the queue ran dry, a second fault, the endstop active
// where the carriage cannot be, or not active where it must be) cuts the driver: the return spring
// retracts the needles with nothing asked of the motor (boards/board.ts refuses a board whose spring
// cannot beat the motor's detent torque and friction). Owns the retract under way.
import { QSTAT_ENDSTOP_STOP, QSTAT_UNDERRUN, SEG_STOP_AT_ENDSTOP } from "./abi";
import { driver_enable, endstop_active, step_position, step_queue_flush, step_queue_status } from "./hal";
import { motionBusy, motionReset, pushConstantMove, startRetract } from "./motion";
import { topSteps, umToSteps } from "./settings";
import { CONTROL_HZ, HOMING_INTERVAL_STEP_TICKS } from "./generated/board_config";

/** the deepest retract takes 14 ms at the retract plan's speed; beyond this the motor is not trusted */
const DEADLINE_CONTROL_TICKS: i32 = (25 * CONTROL_HZ) / 1000;
/** a contradiction the endstop shows for this many control ticks in a row is real; shorter is a glitch */
export const ENDSTOP_DEBOUNCE_CONTROL_TICKS: i32 = 2;
/** how far past the expected endstop position the retract goes: steps lost before the fault, found again */
const OVERSHOOT_UM: i32 = 300;
/** how far short of where homing found it (slowly) the endstop may confirm a fast carriage: its lag, up to a full step */
const EARLY_UM: i32 = 150;

const RETRACT_NONE: i32 = 0;
const RETRACT_MOVING: i32 = 1; // the motor retracts
const RETRACT_CONFIRMED: i32 = 2; // at the endstop, confirmed
const RETRACT_SPRING: i32 = 3; // the driver is cut: the spring retracts

let phase: i32 = 0; // RETRACT_NONE
let ticksLeft: i32 = 0; // control ticks to the deadline
let endstopTicks: i32 = 0; // control ticks in a row the endstop has read active
let expectedSteps: i32 = 0; // step position where the endstop should confirm the carriage
let overshootSteps: i32 = 0;
let earlySteps: i32 = 0;
let windowSteps: i32 = 0; // the last steps of a retract, above the rest position: where the endstop may stop it

/** The step counts this module works with, worked out once at start-up: the tick of a fault divides nothing. */
export function initRetract(): void {
  overshootSteps = umToSteps(OVERSHOOT_UM);
  earlySteps = umToSteps(EARLY_UM);
  windowSteps = topSteps() + overshootSteps;
  phase = RETRACT_NONE;
}

/** A motor retract is under way (not yet confirmed, not handed to the spring). */
export function retractMoving(): bool {
  return phase == RETRACT_MOVING;
}

/** Nothing to follow any more (power on, off). */
export function forgetRetract(): void {
  phase = RETRACT_NONE;
}

/**
 * Retract toward the endstop, which homing found at `zeroSteps`: shaped like the retract plan
 * (motion.ts), else slowly. The caller has flushed the queue. An endstop already active cannot
 * confirm anything: the spring retracts instead.
 */
export function startVerifiedRetract(zeroSteps: i32): void {
  const steps = step_position() - zeroSteps + overshootSteps;
  expectedSteps = zeroSteps;
  endstopTicks = 0;
  ticksLeft = DEADLINE_CONTROL_TICKS;
  phase = RETRACT_MOVING;
  if (endstop_active() != 0 || steps <= overshootSteps) {
    springRetract();
    return;
  }
  // the endstop may stop the move only above the rest position: a glitch lower down cannot cut it short
  if (!startRetract(steps, windowSteps))
    pushConstantMove(steps, HOMING_INTERVAL_STEP_TICKS, false, SEG_STOP_AT_ENDSTOP);
}

/** Cut the driver: the spring retracts. Where the motor cannot be trusted, or no retract was possible. */
export function springRetract(): void {
  step_queue_flush();
  motionReset();
  driver_enable(0);
  phase = RETRACT_SPRING;
}

/** A second fault while the motor retracts: the spring takes over. */
export function retractInDoubt(): void {
  if (phase == RETRACT_MOVING) springRetract();
}

/**
 * Each control tick in fault, before the queue is fed: the deadline, the queue's health and the
 * endstop. The endstop is sampled here only (an encoder, where a board has one, confirms here too).
 */
export function watchRetract(): void {
  if (phase != RETRACT_MOVING) return;
  const q = step_queue_status();
  if ((q & QSTAT_UNDERRUN) != 0 || --ticksLeft < 0) {
    springRetract();
    return;
  }
  if (endstop_active() != 0) endstopTicks++;
  else endstopTicks = 0;
  if ((q & QSTAT_ENDSTOP_STOP) != 0) {
    motionReset(); // the executor dropped the rest of the retract: feed no more of it
    const pos = step_position();
    // confirmed only where the endstop is expected and while it stays active
    if (pos < expectedSteps - overshootSteps || pos > expectedSteps + earlySteps || endstopTicks == 0) {
      springRetract();
      return;
    }
    if (endstopTicks >= ENDSTOP_DEBOUNCE_CONTROL_TICKS) phase = RETRACT_CONFIRMED;
    return;
  }
  // active for longer than a glitch where it did not stop the move: the signal lies
  if (endstopTicks >= ENDSTOP_DEBOUNCE_CONTROL_TICKS) {
    springRetract();
    return;
  }
  if (!motionBusy()) springRetract(); // the whole retract ran and the endstop never stopped it
}
