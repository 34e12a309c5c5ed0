// Step compression: turns the step times of one move into (interval, count, add) segments that the
// HAL's step timer executes as `next = last + interval; interval += add`. Every compressed step lands
// within `tolTicks` of its ideal time. Runs once per new setting, not per stroke.
import { stepTimeTicks } from "./profile";

export const MAX_MOVE_STEPS: i32 = 1024;
export const MAX_SEGMENTS: i32 = 128;

/** One compressed move, held in static storage (allocated once at start-up). */
export class MovePlan {
  interval: StaticArray<i32> = new StaticArray<i32>(MAX_SEGMENTS);
  count: StaticArray<i32> = new StaticArray<i32>(MAX_SEGMENTS);
  add: StaticArray<i32> = new StaticArray<i32>(MAX_SEGMENTS);
  segments: i32 = 0;
  steps: i32 = 0;
  durTicks: i64 = 0;
  accTicks: i64 = 0;
  /** time from the last step to the end of the move (the ideal stop point) */
  tailTicks: i64 = 0;
}

/** Ideal step times of the move being compressed; scratch, shared. */
const times = new StaticArray<i64>(MAX_MOVE_STEPS + 1);

export const PLAN_OK: i32 = 0;
export const PLAN_TOO_LONG: i32 = 1;      // more steps than MAX_MOVE_STEPS
export const PLAN_TOO_MANY_SEGS: i32 = 2; // does not compress into MAX_SEGMENTS
export const PLAN_BAD: i32 = 3;           // zero steps or a duration that cannot hold them

/**
 * Plans a rest-to-rest move of `steps` steps in `durTicks` (accel phase `accTicks` each end) into `plan`.
 * The first segment is always a single step, so a caller can lengthen its interval when it chains
 * this move right after another.
 */
export function planMove(plan: MovePlan, steps: i32, durTicks: i64, accTicks: i64, tolTicks: i64): i32 {
  plan.segments = 0;
  if (steps <= 0 || durTicks <= 0 || accTicks <= 0 || accTicks * 2 > durTicks || <i64>steps > durTicks) return PLAN_BAD;
  if (steps > MAX_MOVE_STEPS) return PLAN_TOO_LONG;
  times[0] = 0;
  for (let k = 1; k <= steps; k++) times[k] = stepTimeTicks(k, steps, durTicks, accTicks);
  plan.steps = steps;
  plan.durTicks = durTicks;
  plan.accTicks = accTicks;

  let last: i64 = 0; // executed time of the previous step
  let k = 1;         // next step to place
  // first step alone
  if (!emit(plan, <i32>times[1], 1, 0)) return PLAN_TOO_MANY_SEGS;
  last = times[1];
  k = 2;
  while (k <= steps) {
    const first = times[k] - last;
    const remaining = steps - k + 1;
    // grow the segment by doubling while it fits, then binary-search the longest that fits
    let good = 1;
    let goodAdd: i64 = 0;
    let n = 2;
    while (n <= remaining) {
      const a = fitAdd(k, n, first, last);
      if (!fits(k, n, first, a, last, tolTicks)) break;
      good = n;
      goodAdd = a;
      n <<= 1;
    }
    let hi = n <= remaining ? n : remaining + 1; // smallest count known not to fit (or past the end)
    let lo = good;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const a = fitAdd(k, mid, first, last);
      if (fits(k, mid, first, a, last, tolTicks)) {
        lo = mid;
        goodAdd = a;
      } else {
        hi = mid;
      }
    }
    good = lo;
    if (good == 1) goodAdd = 0;
    if (!emit(plan, <i32>first, good, <i32>goodAdd)) return PLAN_TOO_MANY_SEGS;
    const g = <i64>good;
    last += g * first + (goodAdd * g * (g - 1)) / 2;
    k += good;
  }
  plan.tailTicks = durTicks - last;
  return PLAN_OK;
}

/** The add that puts the n-th step of a segment starting at step k exactly (to rounding) on its ideal time. */
function fitAdd(k: i32, n: i32, first: i64, last: i64): i64 {
  const nn = <i64>n;
  const num = 2 * (times[k + n - 1] - last - nn * first);
  const den = nn * (nn - 1);
  // round half away from zero
  return num >= 0 ? (num + (den >> 1)) / den : -((-num + (den >> 1)) / den);
}

function fits(k: i32, n: i32, first: i64, add: i64, last: i64, tol: i64): bool {
  let t = last;
  let interval = first;
  for (let j = 0; j < n; j++) {
    if (interval <= 0) return false;
    t += interval;
    const err = t - times[k + j];
    if (err > tol || err < -tol) return false;
    interval += add;
  }
  return true;
}

function emit(plan: MovePlan, interval: i32, count: i32, add: i32): bool {
  const i = plan.segments;
  if (i >= MAX_SEGMENTS) return false;
  plan.interval[i] = interval;
  plan.count[i] = count;
  plan.add[i] = add;
  plan.segments = i + 1;
  return true;
}
