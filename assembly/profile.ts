// The shape of one half-stroke: a rest-to-rest move of `steps` microsteps in `durStepTicks`, accelerating
// for `accStepTicks` at each end and cruising between (accStepTicks = durStepTicks/2 gives a pure accel/decel move).
// Pure integer math: it runs on the microcontroller and in unit tests alike.
import { STATIC_HEADER_BYTES, checked, checkedSet, staticArray } from "./statics";

/** Integer square root: the largest r with r*r <= v (v >= 0). */
export function isqrt64(v: i64): i64 {
  if (v <= 0) return 0;
  let r: i64 = (<i64>1) << ((64 - <i32>clz<i64>(v) + 1) >> 1); // >= sqrt(v)
  while (true) {
    const next = (r + v / r) >> 1;
    if (next >= r) break;
    r = next;
  }
  while (r * r > v) r--;
  return r;
}

/**
 * Time (step timer ticks from the start of the move) at which the ideal trajectory reaches step k's switching
 * point, k - 1/2 steps from the start (1 <= k <= steps).
 */
export function stepTimeStepTicks(k: i32, steps: i32, durStepTicks: i64, accStepTicks: i64): i64 {
  const d = <i64>steps;
  const cruise = durStepTicks - accStepTicks;
  const ta = accStepTicks;
  // (2k-1)/2 steps covered; the accel phase covers d*ta / (2*(T-ta)) steps.
  const twoX = <i64>(2 * k - 1);
  const twoXmirror = <i64>(2 * (steps - k) + 1);
  if (twoX * cruise <= d * ta) {
    return sqrtRounded(twoX * ta * cruise, d);
  }
  if (twoXmirror * cruise <= d * ta) {
    return durStepTicks - sqrtRounded(twoXmirror * ta * cruise, d);
  }
  // cruise: t = ta + ((2k-1)(T-ta) - d*ta) / (2d)
  return ta + (twoX * cruise - d * ta + d) / (2 * d);
}

/** round(sqrt(num / den)) without losing the fraction of num / den. */
function sqrtRounded(num: i64, den: i64): i64 {
  const r2 = isqrt64((num << 2) / den); // 2*sqrt(num/den), floored
  return (r2 + 1) >> 1;
}

/** Peak speed of the move in steps per second, given the timer rate. */
export function peakStepRate(steps: i32, durStepTicks: i64, accStepTicks: i64, timerHz: i64): i64 {
  return (<i64>steps * timerHz) / (durStepTicks - accStepTicks);
}

// ---- the same times, one step after another -------------------------------------------------------
// The planner asks for every step in order. This gives stepTimeStepTicks(k) for k = 1, 2, ... with at most
// one 64-bit division per step: the radicand grows by a constant (kept as quotient and remainder),
// the root is seeded from the two before it, and the decelerating steps mirror the accelerating ones.

export const MAX_RAMP_STEPS: i32 = 512;
const rampStepTicks: StaticArray<i32> = staticArray<i32>(
  memory.data(STATIC_HEADER_BYTES + (MAX_RAMP_STEPS + 1) * 4, 16),
  MAX_RAMP_STEPS + 1,
); // accelerating steps' times, by k

let gSteps: i32 = 0;
let gDur: i64 = 0;
let gTa: i64 = 0;
let gCruise: i64 = 0;
let gK: i32 = 0;
let gQ: i64 = 0; // floor(4 (2k-1) ta cruise / d): the radicand of the accelerating step k
let gRem: i64 = 0;
let gStepQ: i64 = 0; // what the radicand grows by per step: quotient and remainder
let gStepRem: i64 = 0;
let gR1: i64 = 0; // the last two roots
let gR2: i64 = 0;
let gCq: i64 = -1; // cruising: ((2k-1) cruise - d ta + d) / 2d as quotient and remainder; -1 before
let gCrem: i64 = 0;
let gCstepQ: i64 = 0;
let gCstepRem: i64 = 0;

/**
 * Starts the sequence of a move of at most 2 * MAX_RAMP_STEPS steps with accStepTicks <= durStepTicks / 2
 * (so that at most half the steps accelerate).
 */
export function stepTimesBegin(steps: i32, durStepTicks: i64, accStepTicks: i64): void {
  gSteps = steps;
  gDur = durStepTicks;
  gTa = accStepTicks;
  gCruise = durStepTicks - accStepTicks;
  gK = 0;
  const d = <i64>steps;
  const a = 4 * accStepTicks * gCruise;
  gQ = a / d;
  gRem = a % d;
  gStepQ = (2 * a) / d;
  gStepRem = (2 * a) % d;
  gR1 = 0;
  gR2 = 0;
  gCq = -1;
  gCstepQ = gCruise / d;
  gCstepRem = (2 * gCruise) % (2 * d);
}

/**
 * The next step speeds up: its time takes a root (a few 64-bit divisions). The others, cruising or
 * slowing down (the accelerating times mirrored), take at most one.
 */
export function nextStepTakesRoot(): bool {
  return <i64>(2 * (gK + 1) - 1) * gCruise <= <i64>gSteps * gTa;
}

/** The next step's root is found from scratch (the first two steps: no roots to seed it from), a costly one. */
export function nextRootUnseeded(): bool {
  return gK < 2;
}

/** stepTimeStepTicks() of the next step. */
export function nextStepTimeStepTicks(): i64 {
  const k = ++gK;
  const d = <i64>gSteps;
  const twoX = <i64>(2 * k - 1);
  if (twoX * gCruise <= d * gTa) {
    if (k > 1) {
      gQ += gStepQ;
      gRem += gStepRem;
      if (gRem >= d) {
        gQ++;
        gRem -= d;
      }
    }
    let r: i64;
    if (k <= 2) {
      r = isqrt64(gQ);
    } else {
      // seeded from the last two roots, one Newton step lands at or just above the root
      r = 2 * gR1 - gR2;
      r = (r + gQ / r) >> 1;
      while (r * r > gQ) {
        if ((r - 1) * (r - 1) <= gQ) {
          r--;
          break;
        }
        r = (r + gQ / r) >> 1;
      }
    }
    gR2 = gR1;
    gR1 = r;
    const t = (r + 1) >> 1;
    if (k <= MAX_RAMP_STEPS) unchecked((rampStepTicks[k] = <i32>t)); // in range: tested just before
    return t;
  }
  const mirror = gSteps + 1 - k;
  if (<i64>(2 * mirror - 1) * gCruise <= d * gTa) return gDur - <i64>checked(rampStepTicks, mirror);
  const d2 = 2 * d;
  if (gCq < 0) {
    const num = twoX * gCruise - d * gTa + d;
    gCq = num / d2;
    gCrem = num % d2;
  } else {
    gCq += gCstepQ;
    gCrem += gCstepRem;
    if (gCrem >= d2) {
      gCq++;
      gCrem -= d2;
    }
  }
  return gTa + gCq;
}
