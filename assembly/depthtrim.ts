// Depth at the tip, closed loop: the rotor sits a load angle away from the commanded microstep, most
// at the bottom of a stroke where the motor turns the carriage round, so the needles reach a few
// micrometres past (or short of) the commanded bottom, the same on every stroke. Where the encoder
// measures each stroke's bottom (encoder.ts), the strokes are trimmed by the measured error, in whole
// microsteps: moved deeper or shallower as a whole, the same plan (motion.ts setStrokeTrim), so the
// tip moves by about the trim, from the next stroke on.
// The trim is bounded: a wrong encoder can make the strokes shallower by a few full steps at most,
// and command the bottom past the set depth by at most the load angle a motor in its envelope
// lags by there; needles deeper than the trim can correct are a fault.
// Owns when to trim and by how much; motion owns the trim the strokes run at.
import { F_ENCODER_SLIP, F_STALL, ST_RUNNING } from "./abi";
import { encoderClosedLoop, lastMeasuredDepthUm, measuredStrokeCount } from "./encoder";
import { machineState, enterFault } from "./machine";
import { depthSettingUm } from "./settings";
import { strokePlanSettled, strokePlanCount, TRIM_MAX_STEPS } from "./planjob";
import { measuringNewestPlan, measuredTrim, setStrokeTrim, strokeTrim, smallStep } from "./motion";
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
 * How far a trim is taken to move the tip, per its own length (per mille): the bottom meets the
 * motor's detent and microstep in another phase, so the tip does not move by exactly the trim (0.6-1.8
 * times its length over 754 starts of drawn pens, 0.2-3.0 mm, docs/simulator.md). A trim goes only as
 * far as would land within the dead band past the depth, either way, should it move the tip twice its
 * length: a microstep at a time while the bottom is within 21 um of the depth. (At 1.6, two microsteps
 * at bottoms 16-18 um short put the tip well, but on the worst pen the next down half then left a top
 * the carriage had come to rest at in another phase of the detent, and peaked at 91-92 degrees: a
 * stall; over the edge and inside sweeps the held runs at 85 degrees or more fell by a sixth. A
 * shallower trim went at once: on the worst pen at 0.9 mm / 27 Hz two microsteps took a stroke
 * measured 12 um deep to 28 um short.)
 */
const TRIM_GAIN_MAX_PERMILLE: i32 = 2000;

/** The most microsteps a stroke `offNm` off the depth is trimmed by that land no further than the dead band past it. */
function trimStepsMost(offNm: i32): i32 {
  return <i32>(((<i64>offNm + <i64>DEAD_BAND_UM * 1000) * 1000) / (<i64>TRIM_GAIN_MAX_PERMILLE * STEP_NM));
}

/**
 * Strokes left alone after a start, and after a setting changed while stroking: one. The first stroke
 * starts from rest, the steady ones amid the ringing of the ones before: on a lightly damped pen its
 * bottom was 31 um shallower than theirs (0.45 mm / 53 Hz), and a trim deeper on it overshot the
 * depth. The next stroke sets the trim, in force from the stroke after it.
 */
const START_STROKES: i32 = 1;

let skip: i32 = START_STROKES;
let seenStrokes: i32 = 0;
let measuredPlans: i32 = 0; // the setting whose strokes were measured last (planjob.ts strokePlanCount)
// The trim the strokes ran before the one in force, and the error measured there (um): a microstep
// more or less can move the tip by twice its length (the bottom meets the motor's detent and
// microstep in another phase: 2 microsteps moved it 31 um at 2.43 mm), so that neither neighbour
// lands within the dead band; between two trims that erred either way the smaller error is kept.
let prevTrim: i32 = 0;
let prevErrUm: i32 = 0;
let prevKnown: bool = false;
let prevPlans: i32 = 0; // the setting it was measured on (planjob.ts strokePlanCount)

/** Strokes start from rest (a start or a resume) with the newest plan: measure from their first stroke. */
export function depthTrimRestart(): void {
  skip = START_STROKES;
  prevKnown = false;
}

/**
 * Each light tick while running: after each measured stroke, the trim that brings its bottom to the
 * set depth, from the next stroke on. Ticks without a new measurement cost one comparison.
 */
export function depthTrimTick(): void {
  const n = measuredStrokeCount();
  if (n == seenStrokes) return;
  seenStrokes = n;
  // a new setting on its way, a stroke of the plan before it, or one before the last trim took effect:
  // only a stroke of the setting and trim in force is measured against the setting
  if (!strokePlanSettled() || !measuringNewestPlan()) return;
  const plans = strokePlanCount();
  if (plans != measuredPlans) {
    // a setting changed while stroking: its first stroke follows the last of the one before and rings
    // from the change, so it is left alone as after a start (trimmed on, a drawn pen's next bottom
    // moved 33 um for a one-microstep trim from 2.95 to 0.77 mm, which the encoder's check took for
    // lost steps); not after a small step (motion.ts smallStep: a button's), which rings little:
    // trimmed on, its second stroke is at the new depth's trim
    measuredPlans = plans;
    skip = smallStep ? 0 : START_STROKES;
  }
  const trim = measuredTrim();
  if (trim != strokeTrim()) return;
  if (machineState() != ST_RUNNING || !encoderClosedLoop()) return;
  const settling = skip > 0; // judged for a fault, not trimmed on
  if (settling) skip--;
  const errUm = lastMeasuredDepthUm() - depthSettingUm(); // positive: too deep
  if (errUm <= DEAD_BAND_UM && errUm >= -DEAD_BAND_UM) return;
  const errNm = errUm * 1000; // a few mm at most: within an i32
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
  if (settling) return;
  let next = min(want, TRIM_MAX_STEPS); // short of the depth: no deeper than the load angle explains
  // either way by at most what lands the tip within the dead band past the set depth (TRIM_GAIN_MAX),
  // at least one step; none when the deepest trim is in force and the stroke is still short
  if (next > trim) next = trim + max(1, min(next - trim, trimStepsMost(-errNm)));
  else if (next < trim) next = trim - max(1, min(trim - next, trimStepsMost(errNm)));
  if (prevKnown && prevPlans != strokePlanCount()) prevKnown = false; // another setting
  if (prevKnown && prevErrUm > 0 != errUm > 0 && (next - trim) * (prevTrim - trim) > 0) {
    // back toward the trim before, which erred the other way: the right trim lies between the two
    if (next - prevTrim == 0 || next - prevTrim > 0 == prevTrim - trim > 0) next = prevTrim; // not past it
    if (next == prevTrim && (prevTrim - trim == 1 || trim - prevTrim == 1)) {
      // no trim between them: the smaller error stays
      if (abs(errUm) <= abs(prevErrUm)) return;
    } else if (next == prevTrim) next = (trim + prevTrim) / 2; // halfway between
  }
  if (next == trim) return;
  prevTrim = trim;
  prevErrUm = errUm;
  prevKnown = true;
  prevPlans = strokePlanCount();
  setStrokeTrim(next);
}
