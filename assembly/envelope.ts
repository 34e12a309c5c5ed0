// The motor's envelope: which (stroke length, stroke rate) pairs the motor can run without losing a
// step, from the board's force-speed curve, the moving mass and the load. Integer units: um, us, mg, mN.
import { checked, checkedSet } from "./statics";
import { CLAMP_NONE, CLAMP_STEP_RATE, CLAMP_TORQUE } from "./abi";
import { SHORT_HALF_US } from "./generated/board_config";

/** What the planner knows of the drive train; filled from the board at start-up (settings.ts). */
export class DriveModel {
  /** carriage speed points (um/s), ascending, first 0 */
  curveSpeedUmS: StaticArray<i32> = new StaticArray<i32>(16);
  /** worst-case pull-out force at the carriage at those speeds (mN) */
  curveForceMn: StaticArray<i32> = new StaticArray<i32>(16);
  curvePoints: i32 = 0;
  /** share of the pull-out force the planner may use, per mille */
  marginPermille: i32 = 750;
  /** highest step rate (steps/s) */
  maxStepRate: i64 = 0;
  /** steps per motor revolution and travel per revolution (nm) */
  stepsPerRev: i64 = 3200;
  leadNm: i64 = 25400000;
  /** moving mass at the carriage, rotor inertia included (mg) */
  massMg: i64 = 0;
  /** opposing force at the top of a stroke: needles, friction, spring at rest (mN) */
  loadMn: i64 = 0;
  /** the return spring's part of loadMn: the strongest spring at rest (mN); the rest is drag */
  springTopMn: i64 = 0;
  /** the spring's rate: the load grows by this much per um of travel (uN/um) */
  springRateUnPerUm: i64 = 0;
  /** the weakest spring's share of the strongest, per mille: what a spring that helps is counted at */
  springHelpPermille: i64 = 1000;
  /** highest stroke rate (Hz) whose down half is given DOWN_PERMILLE of the period; 0: equal halves at every rate */
  splitMaxHz: i32 = 0;
}

/** Acceleration-phase shares tried, per mille of the half-stroke (500 = accelerate then decelerate). */
const ACCEL_SHARES: StaticArray<i32> = [500, 450, 400, 350, 300, 250];
export const SHARE_COUNT: i32 = 6;
/** the largest share (per mille) a stroke's down half shorter than SHORT_HALF_US may take */
export const SHORT_SHARE_MOST: i32 = 400;

/** Pull-out force (mN) the planner may use at a carriage speed (um/s). */
export function usableForceMn(m: DriveModel, speedUmS: i64): i64 {
  const n = m.curvePoints;
  let f: i64 = <i64>checked(m.curveForceMn, n - 1);
  if (speedUmS <= <i64>checked(m.curveSpeedUmS, 0)) {
    f = <i64>checked(m.curveForceMn, 0);
  } else {
    for (let i = 1; i < n; i++) {
      const x1 = <i64>checked(m.curveSpeedUmS, i);
      if (speedUmS <= x1) {
        const x0 = <i64>checked(m.curveSpeedUmS, i - 1);
        const y0 = <i64>checked(m.curveForceMn, i - 1);
        const y1 = <i64>checked(m.curveForceMn, i);
        f = y0 + ((y1 - y0) * (speedUmS - x0)) / (x1 - x0);
        break;
      }
    }
  }
  return (f * <i64>m.marginPermille) / 1000;
}

/** Result of checking one stroke: the best acceleration share, or 0 and the reason it cannot run. */
export class StrokeCheck {
  accelPermille: i32 = 0;
  clamp: i32 = CLAMP_NONE;
  /** usable force minus needed force at the best share (mN); negative when infeasible */
  slackMn: i64 = 0;
}

/** force to spare (mN) at the share checkShare() last tried; negative when it cannot run */
export let shareSlackMn: i64 = 0;

export function sharePermille(i: i32): i32 {
  return checked(ACCEL_SHARES, i);
}

/**
 * Can a half-stroke of `strokeUm` in `halfUs` run with acceleration share `i` (0..SHARE_COUNT-1)?
 * `upOnly`: the move only goes up (a retract), else it runs down and up (a stroke). CLAMP_NONE if it
 * can, else what stops it. One share is a few divisions: callers that must stay within a tick's
 * budget try one share at a time.
 */
export function checkShare(m: DriveModel, strokeUm: i64, halfUs: i64, i: i32, upOnly: bool = false): i32 {
  const accUs = <i64>((<i32>halfUs * checked(ACCEL_SHARES, i)) / 1000); // half-strokes are under 0.5 s
  const speedUmS = (strokeUm * 1000000) / (halfUs - accUs);
  shareSlackMn = -0x7fffffffffff;
  // over the step rate: speed * 1000 * stepsPerRev / lead > maxStepRate, without the division
  if (speedUmS * 1000 * m.stepsPerRev >= (m.maxStepRate + 1) * m.leadNm) return CLAMP_STEP_RATE;
  // a short stroke's down half as a triangle or near one (its speed turning within less than a period
  // of the rotor's oscillation) rang the worst pen of the ranges past its stability limit where the
  // force check let only those shares run: nano at 0.2 mm / 70 Hz, 0.25 mm / 66 Hz (docs/simulator.md)
  if (!upOnly && halfUs < <i64>SHORT_HALF_US && checked(ACCEL_SHARES, i) > SHORT_SHARE_MOST) return CLAMP_TORQUE;
  const accelUmS2 = (speedUmS * 1000000) / accUs;
  const massMn = (m.massMg * accelUmS2) / 1000000000; // mass x acceleration
  // the spring grows with travel: at the end of the speeding up (half the speed over accUs) and at
  // the bottom
  const accelEndUm = (speedUmS * accUs) / 2000000;
  const springAccelEndMn = m.springTopMn + (m.springRateUnPerUm * accelEndUm) / 1000;
  const springBottomMn = m.springTopMn + (m.springRateUnPerUm * strokeUm) / 1000;
  let needMn: i64;
  if (upOnly) {
    // up from the bottom the spring pushes with the motor: speeding up, the weakest spring's help
    // (at the end of the speeding up, where it is least) is taken off the mass's force, or the motor
    // holds back the strongest spring's surplus; cruising, it holds the spring back; slowing down at
    // the top, it pushes the mass and the spring down (the drag helps it there: not counted)
    const springDecelStartMn = m.springTopMn + (m.springRateUnPerUm * (strokeUm - accelEndUm)) / 1000;
    const dragMn = m.loadMn - m.springTopMn;
    const speedUpMn = massMn + dragMn - (springDecelStartMn * m.springHelpPermille) / 1000;
    const holdMn = springBottomMn - massMn;
    needMn = max(max(speedUpMn, holdMn), max(springDecelStartMn, massMn + springAccelEndMn));
  } else {
    // down, the load opposes the speeding up, and at the bottom, where the mass slows down, the
    // load alone is left (the spring and needles then help to brake the carriage); the way up needs
    // less than the way down at each point
    const accelNeedMn = massMn + m.loadMn + springAccelEndMn - m.springTopMn;
    const bottomNeedMn = m.loadMn + springBottomMn - m.springTopMn;
    needMn = accelNeedMn > bottomNeedMn ? accelNeedMn : bottomNeedMn;
  }
  shareSlackMn = usableForceMn(m, speedUmS) - needMn;
  return shareSlackMn >= 0 ? CLAMP_NONE : CLAMP_TORQUE;
}

/**
 * Can a stroke of `strokeUm` down and back run with `halfUs` the half of its period? With equal
 * halves (the way down needs more at each point: checked down), else, at rates up to
 * DriveModel.splitMaxHz, with the down half given DOWN_PERMILLE of the period and each half checked
 * with its own loads, as the planner does (planjob.ts). `out.accelPermille` is the down half's best share.
 */
export function checkStroke(m: DriveModel, strokeUm: i64, halfUs: i64, out: StrokeCheck): bool {
  if (checkHalves(m, strokeUm, halfUs, halfUs, out)) return true;
  const freqHz = <i32>(500000 / halfUs);
  const downUs = downHalf(m, halfUs, freqHz);
  return downUs != halfUs && checkHalves(m, strokeUm, downUs, upHalf(m, halfUs, freqHz), out);
}

/** Tries each acceleration share of the down half (and, when its time differs, of the up half). */
function checkHalves(m: DriveModel, strokeUm: i64, downUs: i64, upUs: i64, out: StrokeCheck): bool {
  out.accelPermille = 0;
  out.clamp = CLAMP_STEP_RATE;
  out.slackMn = -0x7fffffffffff;
  let upRuns = upUs == downUs;
  for (let i = 0; i < SHARE_COUNT && !upRuns; i++) {
    if (checkShare(m, strokeUm, upUs, i, true) == CLAMP_NONE) upRuns = true;
  }
  for (let i = 0; i < SHARE_COUNT; i++) {
    if (checkShare(m, strokeUm, downUs, i) == CLAMP_STEP_RATE) continue;
    out.clamp = CLAMP_TORQUE;
    if (shareSlackMn > out.slackMn) {
      out.slackMn = shareSlackMn;
      if (shareSlackMn >= 0 && upRuns) out.accelPermille = checked(ACCEL_SHARES, i);
    }
  }
  if (out.accelPermille > 0) out.clamp = CLAMP_NONE;
  return out.accelPermille > 0;
}

/** Half-stroke duration (us) at a stroke rate (Hz): half the period (a retract is planned as one such half). */
export function halfStrokeUs(freqHz: i32): i64 {
  return 500000 / <i64>freqHz;
}

/**
 * The down half-stroke's share of the period (per mille) at rates up to DriveModel.splitMaxHz. Down,
 * the motor drives the needles in against the spring and the skin; up, the spring pushes with it:
 * the down half is given the longer time (the up half is checked with its own loads). Faster, the
 * halves stay equal: there a stroke lasts only a few periods of the rotor's oscillation on its
 * magnetic spring, and the ringing a shorter, harder up half leaves, which this force model does not
 * see, took the worst pen past its stability limit in the next down half (docs/simulator.md).
 */
export const DOWN_PERMILLE: i32 = 525;

/** The down half of a period of twice `halfTime` (any unit: us, step timer ticks) at a stroke rate. */
export function downHalf(m: DriveModel, halfTime: i64, freqHz: i32): i64 {
  return freqHz > m.splitMaxHz ? halfTime : (2 * halfTime * <i64>DOWN_PERMILLE) / 1000;
}

/** The up half of a period of twice `halfTime` at a stroke rate: the rest of it. */
export function upHalf(m: DriveModel, halfTime: i64, freqHz: i32): i64 {
  return 2 * halfTime - downHalf(m, halfTime, freqHz);
}
