// Depth at the tip, closed loop: the rotor sits a load angle away from the commanded microstep, most
// at the bottom of a stroke where the motor turns the carriage round, so the needles reach a few
// micrometres past (or short of) the commanded bottom, the same on every stroke. Where the encoder
// measures each stroke's bottom (encoder.ts), the commanded bottom is trimmed by the measured error,
// in whole microsteps, and the stroke is planned again in the background (planjob.ts beginTrim).
// A deeper trim goes only as far as lands within the dead band should it move the tip by more than
// its own length, as it can;
// the trim is bounded: a wrong encoder can make the strokes shallower by a few full steps at most,
// and command the bottom past the set depth by at most the load angle a motor in its envelope
// lags by there; needles deeper than the trim can correct are a fault.
// Owns when to trim; the trim of the plan in use is the planner's (planjob.ts strokeTrimSteps).
import { F_ENCODER_SLIP, F_STALL, ST_RUNNING } from "./abi";
import { encoderClosedLoop, lastMeasuredDepthUm, measuredStrokeCount } from "./encoder";
import { machineState, enterFault } from "./machine";
import { depthSettingUm } from "./settings";
import { beginTrim, strokeTrimSteps, strokePlanSettled, TRIM_MAX_STEPS } from "./planjob";
import { measuringNewestPlan } from "./motion";
import { LEAD_NM, STEPS_PER_REV, MICROSTEPS } from "./generated/board_config";

/** the promise at the tip: depth within this of the set depth (um) */
export const DEPTH_TOLERANCE_UM: i32 = 20;
const STEP_NM: i32 = <i32>(LEAD_NM / STEPS_PER_REV);
/**
 * No trim while the bottom is this close to the set depth (um): the depth quantized to microsteps
 * (half a step) and the encoder's peak (its noise makes the deepest reading a few um deep) stay
 * inside it, so a pen that follows its steps is never trimmed.
 */
const DEAD_BAND_UM: i32 = DEPTH_TOLERANCE_UM / 2;
/** short of the depth by this many microsteps more than the deepest trim: the stroke is blocked (the depth tolerance) */
const SHORT_FAULT_STEPS: i32 = (DEPTH_TOLERANCE_UM * 1000) / STEP_NM;
/** shallowest trim: a few full steps */
const TRIM_MIN_STEPS: i32 = -2 * MICROSTEPS;
/**
 * How far a deeper trim is taken to move the tip, per its own length (per mille): where the ringing's
 * phase at the bottom moves with the stroke it moves the tip further (6 microsteps, 48 um, moved it
 * about 75 um at 0.8 mm; 0.6-1.8 times over 754 starts of drawn pens, docs/simulator.md). A step sized
 * for 1.6 that meets 1.8 still lands within 19 um past the depth, inside the promise.
 */
const TRIM_GAIN_MAX_PERMILLE: i32 = 1600;

/** The most microsteps deeper for a stroke `shortNm` short that land no deeper than the dead band past the depth. */
function deeperStepsMost(shortNm: i32): i32 {
  return <i32>(((<i64>shortNm + <i64>DEAD_BAND_UM * 1000) * 1000) / (<i64>TRIM_GAIN_MAX_PERMILLE * STEP_NM));
}

/**
 * after a start: none. The first stroke starts from rest, the steady ones amid the ringing of the
 * ones before, yet its bottom is a steady one's to within about 10 um on the physical model; its
 * trim, planned while the next strokes run (a few strokes' time), gets most of the error out, and a
 * later stroke corrects the rest.
 */
const START_STROKES: i32 = 0;

let skip: i32 = START_STROKES;
let seenStrokes: i32 = 0;

/** Strokes start from rest (a start or a resume) with the newest plan: measure from their first stroke. */
export function depthTrimRestart(): void {
  skip = START_STROKES;
}

/**
 * Each light tick while running: after each measured stroke, the trim that brings its bottom to the
 * set depth; a changed trim is planned (not while the planner is busy: tried again at the next stroke).
 * Ticks without a new measurement cost one comparison.
 */
export function depthTrimTick(): void {
  const n = measuredStrokeCount();
  if (n == seenStrokes) return;
  seenStrokes = n;
  // a new setting or trim on its way, or a stroke of the plan before it: the new plan's strokes, not
  // the old plan's, are measured against the setting
  if (!strokePlanSettled() || !measuringNewestPlan()) return;
  if (skip > 0) {
    skip--;
    return;
  }
  if (machineState() != ST_RUNNING || !encoderClosedLoop()) return;
  const errUm = lastMeasuredDepthUm() - depthSettingUm(); // positive: too deep
  if (errUm <= DEAD_BAND_UM && errUm >= -DEAD_BAND_UM) return;
  const errNm = errUm * 1000; // a few mm at most: within an i32
  const trim = strokeTrimSteps();
  const want = trim - (errNm + (errNm >= 0 ? STEP_NM / 2 : -STEP_NM / 2)) / STEP_NM;
  if (want < TRIM_MIN_STEPS) {
    // deeper than a load angle explains: the encoder or the mechanism is wrong, the needles may be too deep
    enterFault(F_ENCODER_SLIP, false);
    return;
  }
  if (want > TRIM_MAX_STEPS + SHORT_FAULT_STEPS) {
    // shorter than any trim can make up: the needles met what the motor does not push through (an
    // obstacle the rotor holds against within its load angle, where StallGuard is blind near the
    // bottom and the lag stays under the encoder's slip threshold)
    enterFault(F_STALL, false);
    return;
  }
  let next = min(want, TRIM_MAX_STEPS); // short of the depth: no deeper than the load angle explains
  // deeper by at most what lands the tip within the dead band past the set depth if the trim moved it
  // TRIM_GAIN_MAX times its own length (where the ringing's phase at the bottom moves with the stroke
  // it does); at least one step; shallower at once
  if (next > trim) next = trim + max(1, min(next - trim, deeperStepsMost(-errNm)));
  if (next == trim) return;
  beginTrim(next); // when the planner is busy, the next stroke asks again
}
