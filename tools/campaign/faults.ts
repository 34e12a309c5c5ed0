// How a campaign judges each fault: by what the fault must cause on the board it runs on. Only a fault
// that can move the needles, or stop the motor holding them, needs a retract and starts the retract
// clock; the others are judged by their own check (docs/campaigns.md, "How a fault is judged").
import { Board } from '../../boards/board.js';
import { ENC_SLIP_FULL_STEPS } from '../build/firmware-config.js';

/**
 * - `retract`: needs a retract by itself; the retract deadline counts from its onset.
 * - `noticed_late`: no hazard until the firmware calls it a fault after a designed time (a held
 *   button); the deadline counts from that detection, which must come within the designed time.
 * - `unseen`: no hazard by itself and not visible while stroking (a dead endstop): stroking on is right.
 * - `no_motion`: cannot move the needles (the RNG, an encoder a board does not have): the pen must stay
 *   safe and do what the fault must cause (`check`).
 * - `depth`: steps lost without a flag: judged by the depth error it left and the board's detection
 *   threshold (`depthCheck`).
 */
export type Role = 'retract' | 'noticed_late' | 'unseen' | 'no_motion' | 'depth';

export interface FaultRule {
  role: Role;
  /** what the fault must cause, said in a few words (the report's and the docs' wording) */
  must: string;
}

const RETRACT = 'the needles back within the limit of its onset';

/** The rule for a fault on a board. A fault this table does not know is judged strictly: as needing a retract. */
export function faultRule(fault: string, board: Board): FaultRule {
  switch (fault) {
    case 'button_stuck':
      return { role: 'noticed_late', must: "a stuck-button fault within the board's stuck time, then a retract" };
    case 'endstop_dead':
      return { role: 'unseen', must: 'nothing while stroking (the endstop is never reached); needles never left out' };
    case 'rng_stuck':
      return { role: 'no_motion', must: 'AUTH? refused with no_random; the pen strokes on or stops safely' };
    case 'encoder_error':
      return board.encoder
        ? { role: 'retract', must: RETRACT }
        : { role: 'no_motion', must: 'nothing (the board has no encoder); the pen strokes on or stops safely' };
    case 'step_loss':
      return {
        role: 'depth',
        must: board.encoder
          ? "a fault when the loss passes the encoder's threshold; below it, depth within tolerance"
          : 'found by the endstop check at the stop (open loop), or depth within tolerance',
      };
    default:
      return { role: 'retract', must: RETRACT };
  }
}

/** Whether a fault starts the retract clock when it is lasting (a glitch of it may be ridden through). */
export function needsRetract(fault: string, board: Board): boolean {
  return faultRule(fault, board).role === 'retract';
}

/** the depth tolerance of every stroke (docs/requirements.md PEN-DEPTH-01) */
export const DEPTH_TOL_UM = 20;

/** The encoder's slip threshold on a board (um of carriage travel), as the firmware builds it (tools/build/firmware-config.ts). */
export function encoderThresholdUm(board: Board): number | undefined {
  if (!board.encoder) return undefined;
  return (ENC_SLIP_FULL_STEPS * board.drive.lead_mm * 1000) / board.motor.full_steps_per_rev;
}

/**
 * Faults that set the same signal: a later one replaces an earlier one, so the earlier one lasted only
 * until then and is judged as a glitch of that length (spec.ts `activeMs`). An endstop stuck active and
 * then dead at the same instant never read active: the firmware saw a dead endstop and nothing else, and
 * no check can tell it from one (while stroking the endstop reads inactive by design; the stop's position
 * check finds it: fault `F_ENDSTOP_NOT_FOUND`). Held for 2 ms or more, the stuck endstop is seen (two control ticks).
 * The carriage meets one obstacle: a second stall puts it where the carriage is then, and the first's is gone.
 */
const SIGNAL_OF: Record<string, string> = { endstop_stuck: 'endstop', endstop_dead: 'endstop', stall: 'obstacle' };

/** The signal a fault sets, when another fault sets the same one. */
export function signalOf(fault: string): string | undefined {
  return SIGNAL_OF[fault];
}
