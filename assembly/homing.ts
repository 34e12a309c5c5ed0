// Homing and the position check after strokes stop. Homing finds the retract endstop (moving off it
// first if it is already active), backs off and approaches it again, slower, until two approaches
// agree (a false signal alone never sets the zero), takes that position as home and moves to the rest
// position at the top; the check goes back to the endstop when strokes have stopped (a distance from home means lost
// steps), then up to the top again. Owns the home position and whether it is trusted.
import { F_ENDSTOP_NOT_FOUND, F_ENDSTOP_STUCK, F_LOST_STEPS, QSTAT_ENDSTOP_STOP, SEG_STOP_AT_ENDSTOP } from "./abi";
import { endstop_active, image_confirm, step_queue_flush, step_queue_status, step_position } from "./hal";
import { motionBusy, pushConstantMove } from "./motion";
import { topSteps, umToSteps } from "./settings";
import { enterFault, homingDone, positionChecked } from "./machine";
import { HOMING_INTERVAL_STEP_TICKS, HOMING_RELEASE_UM, HOMING_TRAVEL_UM, MICROSTEPS } from "./generated/board_config";

/** how far (steps) the endstop may be from where homing found it before steps count as lost */
const POSITION_TOLERANCE_STEPS: i32 = 2;

/**
 * How much further than the release a seek may find the endstop (steps): one full step. The release
 * starts where the carriage rests with the endstop active, which may be in front of the point the
 * switch closes at by up to its hysteresis (slot sensors: 10-60 um), and the rotor lags its field by
 * a few um at the seek's speed. (Two steps were too few: on the physical model a drawn pen with 15 um
 * of hysteresis, its carriage left at the endstop by a fault, found it 3 steps past the release when
 * homing again after the fault, and stopped with the endstop not found.)
 */
const RELEASE_SLACK_STEPS: i32 = MICROSTEPS;
/** how far homing backs off the endstop before confirming it (beyond the switch's hysteresis) */
const CONFIRM_BACKOFF_UM: i32 = 200;
/** the confirming approach runs this many times slower than the seek */
const CONFIRM_SLOWDOWN: i32 = 2;
/** approaches in all (the seek's included) for two in a row to agree on the endstop */
const MAX_APPROACHES: i32 = 4;

const MOVE_NONE: i32 = 0;
const HOME_RELEASE: i32 = 1;
const HOME_SEEK: i32 = 2;
const HOME_BACKOFF: i32 = 3;
const HOME_CONFIRM: i32 = 4;
const HOME_TO_REST: i32 = 5;
const CHECK_SEEK: i32 = 6;
const CHECK_RETURN: i32 = 7;

let movePhase: i32 = 0; // MOVE_NONE
let homed: bool = false;
let zeroSteps: i32 = 0;
let released: bool = false; // homing moved off an active endstop first: the seek's length is known
let seekFromSteps: i32 = 0;
let approaches: i32 = 0;
let lastHitSteps: i32 = 0; // where the last approach found the endstop

/** A homing move or the position check is under way. */
export function homeMoving(): bool {
  return movePhase != MOVE_NONE;
}
/** The position check after a stop is under way. */
export function checkingPosition(): bool {
  return movePhase >= CHECK_SEEK;
}
/** Stop following the move under way (the caller flushes the queue). */
export function cancelHomeMove(): void {
  movePhase = MOVE_NONE;
}

export function isHomed(): bool {
  return homed;
}
/** The position is not trusted any more: home again before running. */
export function forgetHome(): void {
  homed = false;
}
/** The step position where homing found the endstop. */
export function zeroPosition(): i32 {
  return zeroSteps;
}
/** How far (steps) the carriage is below the rest position, by the home found. */
export function stepsBelowTop(): i32 {
  return step_position() - zeroSteps - topSteps();
}

/** Starts homing (the driver is on); homingDone() when the needles rest at the top. */
export function startHoming(): void {
  approaches = 0;
  released = endstop_active() != 0;
  if (released) {
    movePhase = HOME_RELEASE;
    pushConstantMove(umToSteps(HOMING_RELEASE_UM), HOMING_INTERVAL_STEP_TICKS, true, 0);
  } else {
    startSeek();
  }
}

/** Strokes stopped at the top: check the position against the endstop; positionChecked() when back at the top. */
export function startPositionCheck(): void {
  movePhase = CHECK_SEEK;
  step_queue_flush();
  pushConstantMove(topSteps() + umToSteps(HOMING_RELEASE_UM), HOMING_INTERVAL_STEP_TICKS, false, SEG_STOP_AT_ENDSTOP);
}

function startSeek(): void {
  movePhase = HOME_SEEK;
  step_queue_flush(); // clears the latched status bits
  seekFromSteps = step_position();
  pushConstantMove(umToSteps(HOMING_TRAVEL_UM), HOMING_INTERVAL_STEP_TICKS, false, SEG_STOP_AT_ENDSTOP);
}

/** The endstop stopped an approach at the current position: true if it agrees with the one before. */
function hitAgrees(): bool {
  const hit = step_position();
  const agree = approaches > 0 && abs(hit - lastHitSteps) <= POSITION_TOLERANCE_STEPS;
  lastHitSteps = hit;
  approaches++;
  return agree;
}

/** Back off the endstop found, then approach it again, slower: one signal alone does not set the zero. */
function backOff(): void {
  step_queue_flush();
  movePhase = HOME_BACKOFF;
  pushConstantMove(umToSteps(CONFIRM_BACKOFF_UM), HOMING_INTERVAL_STEP_TICKS, true, 0);
}

/** Each control tick while homing or checking: the next move once the last one is done. */
export function homingTick(): void {
  if (motionBusy()) return;
  if (movePhase == HOME_RELEASE) {
    if (endstop_active() != 0) {
      enterFault(F_ENDSTOP_STUCK, true);
      return;
    }
    startSeek();
  } else if (movePhase == HOME_SEEK || movePhase == HOME_CONFIRM) {
    // off an active endstop by the release, the endstop cannot be further back than the release (and its slack)
    const tooFar = released && seekFromSteps - step_position() > umToSteps(HOMING_RELEASE_UM) + RELEASE_SLACK_STEPS;
    if ((step_queue_status() & QSTAT_ENDSTOP_STOP) == 0 || tooFar) {
      enterFault(F_ENDSTOP_NOT_FOUND, true);
      return;
    }
    if (!hitAgrees()) {
      if (approaches >= MAX_APPROACHES) {
        enterFault(F_ENDSTOP_NOT_FOUND, true);
        return;
      }
      backOff();
      return;
    }
    zeroSteps = lastHitSteps;
    step_queue_flush();
    movePhase = HOME_TO_REST;
    pushConstantMove(topSteps(), HOMING_INTERVAL_STEP_TICKS, true, 0);
  } else if (movePhase == HOME_BACKOFF) {
    step_queue_flush();
    movePhase = HOME_CONFIRM;
    // as far as the seek could still go: a false first signal leaves the real endstop further back
    pushConstantMove(
      umToSteps(<i64>(CONFIRM_BACKOFF_UM + HOMING_TRAVEL_UM)),
      HOMING_INTERVAL_STEP_TICKS * CONFIRM_SLOWDOWN,
      false,
      SEG_STOP_AT_ENDSTOP,
    );
  } else if (movePhase == HOME_TO_REST) {
    movePhase = MOVE_NONE;
    homed = true;
    image_confirm(); // the firmware drives the pen: an image on trial is good
    homingDone();
  } else if (movePhase == CHECK_SEEK) {
    const hit = (step_queue_status() & QSTAT_ENDSTOP_STOP) != 0;
    const error = step_position() - zeroSteps;
    if (!hit || <u32>(error + POSITION_TOLERANCE_STEPS) > <u32>(2 * POSITION_TOLERANCE_STEPS)) {
      homed = true; // the carriage is at the endstop: retracted, nothing to move
      enterFault(hit ? F_LOST_STEPS : F_ENDSTOP_NOT_FOUND, false);
      return;
    }
    step_queue_flush();
    movePhase = CHECK_RETURN;
    pushConstantMove(topSteps(), HOMING_INTERVAL_STEP_TICKS, true, 0);
  } else if (movePhase == CHECK_RETURN) {
    movePhase = MOVE_NONE;
    positionChecked();
  }
}
