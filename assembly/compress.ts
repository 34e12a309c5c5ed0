// Step compression: turns the step times of one move into (interval, count, add) segments that the
// HAL's step timer executes as `next = last + interval; interval += add`. Every compressed step lands
// within `tolStepTicks` of its ideal time.
//
// It runs as a job, a few steps per control tick (planContinue), so that planning a new setting
// never makes one tick long: each step narrows the range of `add` that keeps every step of the open
// segment in tolerance, and the segment closes when that range is empty. Work and memory are linear
// in the steps; no table of step times is kept.
import { STATIC_HEADER_BYTES, checked, checkedSet, staticArray } from "./statics";
import { stepTimesBegin, nextStepTimeStepTicks } from "./profile";

export const MAX_MOVE_STEPS: i32 = 1024; // 2 * MAX_RAMP_STEPS
export const MAX_SEGMENTS: i32 = 128;
/** longest move the job plans: keeps every product of its 32-bit step arithmetic in range */
const MAX_MOVE_STEP_TICKS: i64 = 2000000;

/** One compressed move. The firmware's plans live in static memory (staticPlan()); tests may `new` one. */
export class MovePlan {
  interval: StaticArray<i32> = new StaticArray<i32>(MAX_SEGMENTS);
  count: StaticArray<i32> = new StaticArray<i32>(MAX_SEGMENTS);
  add: StaticArray<i32> = new StaticArray<i32>(MAX_SEGMENTS);
  /**
   * The fastest step interval of segments 0..s, and the steps of segments 0..s: kept as the plan is
   * built so that a search for the first step as fast as a given speed (motion.ts rampStepsFaster, in
   * a fault's tick) halves the segments rather than walking them. (The segments' own speeds do not
   * fall one after the other: a compressed cruise is a sawtooth.)
   */
  fastestThrough: StaticArray<i32> = new StaticArray<i32>(MAX_SEGMENTS);
  stepsThrough: StaticArray<i32> = new StaticArray<i32>(MAX_SEGMENTS);
  /** fastestThrough and stepsThrough are kept (the retract's shape): the other plans' ticks do not pay for them */
  indexed: bool = false;
  segments: i32 = 0;
  steps: i32 = 0;
  durStepTicks: i64 = 0;
  accStepTicks: i64 = 0;
  /** time from the last step to the end of the move (the ideal stop point) */
  tailStepTicks: i64 = 0;
  /**
   * The segment boundary at the move's fastest step (1..segments-1; 0 for a single segment): where it
   * cruises, or turns from speeding up to slowing down. Kept as the plan is built so that the tick
   * that feeds the move need not search its segments.
   */
  peakSeg: i32 = 0;
  /** the interval of that fastest step (ticks) */
  peakInterval: i32 = 0;
}

/** bytes of one of a static plan's arrays, with its header */
const SEGMENTS_BYTES: i32 = STATIC_HEADER_BYTES + MAX_SEGMENTS * 4;

/**
 * A plan in static memory: laid out at compile time, so no allocator is linked in. Call once per plan.
 * (A call, not inlined: six plans inlined took 430 bytes of the module.)
 */
export function staticPlan(at: usize, arrays: usize): MovePlan {
  const p = changetype<MovePlan>(at);
  p.interval = staticArray<i32>(arrays, MAX_SEGMENTS);
  p.count = staticArray<i32>(arrays + <usize>SEGMENTS_BYTES, MAX_SEGMENTS);
  p.add = staticArray<i32>(arrays + <usize>(2 * SEGMENTS_BYTES), MAX_SEGMENTS);
  p.fastestThrough = staticArray<i32>(arrays + <usize>(3 * SEGMENTS_BYTES), MAX_SEGMENTS);
  p.stepsThrough = staticArray<i32>(arrays + <usize>(4 * SEGMENTS_BYTES), MAX_SEGMENTS);
  return p;
}
/** bytes of a static plan's five arrays (reserve them 16-byte aligned) */
export const PLAN_ARRAYS_BYTES: i32 = 5 * SEGMENTS_BYTES;

export const PLAN_OK: i32 = 0;
export const PLAN_TOO_LONG: i32 = 1;      // more steps than MAX_MOVE_STEPS
export const PLAN_TOO_MANY_SEGS: i32 = 2; // does not compress into MAX_SEGMENTS
export const PLAN_BAD: i32 = 3;           // zero steps or a duration that cannot hold them
export const PLAN_BUSY: i32 = 4;          // the job is under way: call planContinue()

// the job
let plan: MovePlan = changetype<MovePlan>(0);
let result: i32 = 0; // PLAN_OK
let next: i32 = 0;   // next step to place (1-based)
let tol: i32 = 0;
let last: i32 = 0;   // executed time of the step before the open segment
let first: i32 = 0;  // first interval of the open segment
let n: i32 = 0;      // steps in the open segment (0: none open)
let addLo: i32 = 0;  // the adds that keep all n steps in tolerance
let addHi: i32 = 0;
let lastInterval: i32 = 0; // the last step interval of the segment emitted last
let fastestSoFar: i32 = 0; // the fastest step interval of the segments emitted (MovePlan.fastestThrough)
let stepsSoFar: i32 = 0; // their steps (MovePlan.stepsThrough)

/**
 * Starts planning a rest-to-rest move of `steps` steps in `durStepTicks` (accel phase `accStepTicks` at each
 * end) into `p`. Returns PLAN_BUSY, or the reason it cannot be planned. The first segment is always
 * a single step, so a caller can lengthen its interval when it chains this move after another.
 */
export function planBegin(p: MovePlan, steps: i32, durStepTicks: i64, accStepTicks: i64, tolStepTicks: i64): i32 {
  plan = p;
  p.segments = 0;
  p.peakSeg = 0;
  p.peakInterval = i32.MAX_VALUE;
  fastestSoFar = i32.MAX_VALUE;
  stepsSoFar = 0;
  p.steps = steps;
  p.durStepTicks = durStepTicks;
  p.accStepTicks = accStepTicks;
  next = 1;
  n = 0;
  last = 0;
  tol = <i32>tolStepTicks;
  result = PLAN_BUSY;
  if (steps <= 0 || accStepTicks <= 0 || accStepTicks * 2 > durStepTicks || <i64>steps > durStepTicks || durStepTicks > MAX_MOVE_STEP_TICKS) result = PLAN_BAD;
  else if (steps > MAX_MOVE_STEPS) result = PLAN_TOO_LONG;
  if (result != PLAN_BUSY) p.steps = 0;
  else stepTimesBegin(steps, durStepTicks, accStepTicks);
  return result;
}

/** Places up to `maxSteps` more steps; PLAN_BUSY until the plan is done (PLAN_OK) or failed. */
export function planContinue(maxSteps: i32): i32 {
  const p = plan;
  for (let i = 0; i < maxSteps && result == PLAN_BUSY; i++) {
    if (next > p.steps) {
      if (closeSegment()) {
        p.tailStepTicks = p.durStepTicks - <i64>last;
        result = PLAN_OK;
      }
      break;
    }
    const t = <i32>nextStepTimeStepTicks();
    if (n > 0 && next > 2 && extend(t)) { next++; continue; }
    // the first step stands alone; any other that does not fit opens a new segment
    if (!closeSegment()) break;
    first = t - last;
    if (first <= 0) { result = PLAN_BAD; break; }
    n = 1;
    addLo = i32.MIN_VALUE;
    addHi = i32.MAX_VALUE;
    next++;
  }
  if (result != PLAN_BUSY && result != PLAN_OK) p.steps = 0;
  return result;
}

/** Does step `n` of the open segment land within tolerance of `t` for some add? Narrows the range. */
function extend(t: i32): bool {
  const j = n;
  const tri = j * (j + 1) >> 1;           // the add counts this many times by step j
  const base = last + (j + 1) * first;     // step j's time with no add
  let lo = ceilDiv(t - tol - base, tri);
  const hi = floorDiv(t + tol - base, tri);
  const keepPositive = ceilDiv(1 - first, j); // every interval stays >= 1 tick
  if (keepPositive > lo) lo = keepPositive;
  if (lo < addLo) lo = addLo;
  if (lo > hi || lo > addHi) return false;
  addLo = lo;
  if (hi < addHi) addHi = hi;
  n = j + 1;
  return true;
}

/** Emits the open segment (the middle of its add range); false, with the result set, when full. */
function closeSegment(): bool {
  if (n == 0) return true;
  const p = plan;
  const add = n == 1 ? 0 : <i32>((<i64>addLo + <i64>addHi) >> 1);
  const i = p.segments;
  if (i >= MAX_SEGMENTS) { result = PLAN_TOO_MANY_SEGS; return false; }
  // the steps either side of the boundary before this segment: the last of the one before, its first
  const fastest = min(lastInterval, first);
  if (i > 0 && fastest < p.peakInterval) {
    p.peakInterval = fastest;
    p.peakSeg = i;
  }
  lastInterval = first + add * (n - 1);
  checkedSet(p.interval, i, first);
  checkedSet(p.count, i, n);
  checkedSet(p.add, i, add);
  if (p.indexed) index(p, i);
  p.segments = i + 1;
  last += n * first + add * (n * (n - 1) >> 1);
  n = 0;
  return true;
}

/** MovePlan.fastestThrough and stepsThrough at segment i, just emitted. */
function index(p: MovePlan, i: i32): void {
  // (a segment's steps change linearly: its fastest is an end; i < MAX_SEGMENTS, checked before)
  fastestSoFar = min(fastestSoFar, min(first, lastInterval));
  stepsSoFar += n;
  // (stored directly: an unchecked store is a call at this build's size setting, some 20 instructions
  // more per segment in the planner's ticks on the STM32F405)
  const at = <usize>i << 2;
  store<i32>(changetype<usize>(p.fastestThrough) + at, fastestSoFar);
  store<i32>(changetype<usize>(p.stepsThrough) + at, stepsSoFar);
}

function floorDiv(a: i32, b: i32): i32 { return a >= 0 ? a / b : -((b - 1 - a) / b); }
function ceilDiv(a: i32, b: i32): i32 { return -floorDiv(-a, b); }

/** Plans the whole move at once (tests, tools). */
export function planMove(p: MovePlan, steps: i32, durStepTicks: i64, accStepTicks: i64, tolStepTicks: i64): i32 {
  let r = planBegin(p, steps, durStepTicks, accStepTicks, tolStepTicks);
  while (r == PLAN_BUSY) r = planContinue(MAX_MOVE_STEPS);
  return r;
}
