// Homing and the position check after strokes stop. Homing finds the retract endstop (moving off it
// first if it is already active), takes its position as home and moves to the rest position at the
// top; the check goes back to the endstop when strokes have stopped (a distance from home means lost
// steps), then up to the top again. Owns the home position and whether it is trusted.
import { F_ENDSTOP_NOT_FOUND, F_ENDSTOP_STUCK, F_LOST_STEPS, QSTAT_ENDSTOP_STOP, SEG_STOP_AT_ENDSTOP } from "./abi";
import { endstop_active, image_confirm, step_queue_flush, step_queue_status, step_position } from "./hal";
import { motionBusy, pushConstantMove } from "./motion";
import { topSteps, umToSteps } from "./settings";
import { enterFault, homingDone, positionChecked } from "./machine";
import { HOMING_INTERVAL_STEP_TICKS, HOMING_RELEASE_UM, HOMING_TRAVEL_UM } from "./generated/board_config";

/** how far (steps) the endstop may be from where homing found it before steps count as lost */
const POSITION_TOLERANCE_STEPS: i32 = 2;

const MOVE_NONE: i32 = 0;
const HOME_RELEASE: i32 = 1;
const HOME_SEEK: i32 = 2;
const HOME_TO_REST: i32 = 3;
const CHECK_SEEK: i32 = 4;
const CHECK_RETURN: i32 = 5;

let movePhase: i32 = 0; // MOVE_NONE
let homed: bool = false;
let zeroSteps: i32 = 0;

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
/** How far (steps) the carriage is below the rest position, by the home found. */
export function stepsBelowTop(): i32 {
  return step_position() - zeroSteps - topSteps();
}

/** Starts homing (the driver is on); homingDone() when the needles rest at the top. */
export function startHoming(): void {
  if (endstop_active() != 0) {
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
  pushConstantMove(umToSteps(HOMING_TRAVEL_UM), HOMING_INTERVAL_STEP_TICKS, false, SEG_STOP_AT_ENDSTOP);
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
  } else if (movePhase == HOME_SEEK) {
    if ((step_queue_status() & QSTAT_ENDSTOP_STOP) == 0) {
      enterFault(F_ENDSTOP_NOT_FOUND, true);
      return;
    }
    zeroSteps = step_position();
    step_queue_flush();
    movePhase = HOME_TO_REST;
    pushConstantMove(topSteps(), HOMING_INTERVAL_STEP_TICKS, true, 0);
  } else if (movePhase == HOME_TO_REST) {
    movePhase = MOVE_NONE;
    homed = true;
    image_confirm(); // the firmware drives the pen: an image on trial is good
    homingDone();
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
    pushConstantMove(topSteps(), HOMING_INTERVAL_STEP_TICKS, true, 0);
  } else if (movePhase == CHECK_RETURN) {
    movePhase = MOVE_NONE;
    positionChecked();
  }
}
