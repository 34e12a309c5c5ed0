// Keeps the HAL step queue fed: either strokes (down and up, repeated) from two compressed plans, one
// per half, or a retract. A new stroke plan waits until the needles are back at the top (a stroke boundary).
import { checked, checkedSet, staticArray, STATIC_HEADER_BYTES } from "./statics";
import { QSTAT_BUSY, SEG_END_OF_MOVE, SEG_EXTEND, SEG_STOP_AT_ENDSTOP } from "./abi";
import { step_queue_push, step_queue_free, step_queue_status, report_move, now_ticks } from "./hal";
import { MovePlan, staticPlan, PLAN_ARRAYS_BYTES } from "./compress";
import { MICROSTEPS, QUEUE_LEAD_STEP_TICKS, QUEUE_LEN } from "./generated/board_config";
import { noteSegmentFed, tickIsLight } from "./budget";

export const MOTION_IDLE: i32 = 0;
export const MOTION_STROKES: i32 = 1;
export const MOTION_RETRACT: i32 = 2;

// A stroke runs one plan down and up (equal halves), or two: its down half and its up half, where the
// rate needs the down half longer (envelope.ts DOWN_PERMILLE). The up half of a down plan: upPlanOf().
const planA = staticPlan(memory.data(offsetof<MovePlan>()), memory.data(PLAN_ARRAYS_BYTES, 16));
const planB = staticPlan(memory.data(offsetof<MovePlan>()), memory.data(PLAN_ARRAYS_BYTES, 16));
const planAUp = staticPlan(memory.data(offsetof<MovePlan>()), memory.data(PLAN_ARRAYS_BYTES, 16));
const planBUp = staticPlan(memory.data(offsetof<MovePlan>()), memory.data(PLAN_ARRAYS_BYTES, 16));
/** the up half of any other down plan (tests plan into plans of their own) */
const otherUp = staticPlan(memory.data(offsetof<MovePlan>()), memory.data(PLAN_ARRAYS_BYTES, 16));
const NO_PLAN = changetype<MovePlan>(memory.data(offsetof<MovePlan>())); // no steps

let mode: i32 = 0; // MOTION_IDLE
let active: MovePlan = planA;
let next: MovePlan = planA; // the plan handed over last (takeStrokePlan)
let activeSplit: bool = false; // the active plan's up half is upPlanOf(active), not the plan itself
let nextSplit: bool = false;
let pendingReady: bool = false; // strokes switch to `next` at the next stroke boundary
/** the deepest stroke at the highest rate it runs at (planjob.ts makes it once per cartridge): the retract's shape */
let retractShape: MovePlan = NO_PLAN;
let goingDown: bool = true; // direction of the half being fed
let segIdx: i32 = 0; // next segment of that half
let chained: bool = false; // the next half follows the previous one without a stop
let prevTailStepTicks: i64 = 0; // ideal end of the previous half minus its last step
let horizonStepTicks: i64 = 0; // time of the last queued step
let stopAtTop: bool = false;
// The retract needs no planning when a fault strikes: it speeds up as a plan made beforehand does
// (its first `retractEach` steps), cruises at the speed reached, and slows down through the same
// steps backwards (the profile is symmetric: the plan's decelerating intervals are its accelerating
// ones reversed).
let retractEach: i32 = 0;
let retractCruise: i32 = 0;
let retractPhase: i32 = 0; // 0 speeding up, 1 cruising, 2 slowing down
let retractLeft: i32 = 0; // steps left in the phase
let retractWindow: i32 = 0; // the last steps, where the endstop may stop the retract
let segOffset: i32 = 0; // the plan step at the cursor: offset in segment segIdx
let shape: MovePlan = planA; // the plan the retract copies
let strokesQueued: i32 = 0; // down-strokes queued since takeStrokes() was last called
/** the middle of the first down half of the plan the strokes switched to last (step ticks) */
let takenMidDownStepTicks: i64 = 0;
let lastNowStepTicks: i64 = 0; // the time feedQueue() was last given

// The depth trim (depthtrim.ts) moves the strokes, not their plan: every stroke's top and bottom lie
// `trim` microsteps below the set stroke's (negative: above). A new trim adds its steps to one half at
// its peak speed (a few steps more of cruise, the same motion law: the rotor's lag at the bottom stays
// much what it was, so the tip moves by about the trim), deeper to a down half, back to an up half; it
// costs no planning and takes effect in the next stroke. The clearance at the top gives up at most
// TRIM_MAX_STEPS.
let trimWanted: i32 = 0; // the trim the strokes are to run at
let trimOfLast: i32 = 0; // the trim asked for when the newest setting was handed over
/** the strokes took their setting in a small step while stroking (a button's: feedQueue); not from rest */
export let smallStep: bool = false;
let trimQueued: i32 = 0; // the trim of the strokes queued so far (where the queue leaves the top)
let trimInsertSteps: i32 = 0; // steps to add to the half being fed, before segment trimInsertSeg
let trimInsertSeg: i32 = 0;
let trimInsertInterval: i32 = 0;
let trimInHalf: bool = false; // the half being fed has a trim's steps: the trim changes at its end
// the trim in force over time, for telling which trim a measured stroke ran: the last two changes
let trimBase: i32 = 0;
let trimFirst: i32 = 0;
let trimFirstStepTicks: i64 = 0; // the first change's added steps end here (step ticks)
let trimSecond: i32 = 0;
let trimSecondStepTicks: i64 = 0;
let trimChanges: i32 = 0; // changes queued since start-up

/** The trim the strokes are to run at (microsteps below the set stroke; negative: above): from the next stroke on. */
export function setStrokeTrim(steps: i32): void {
  trimWanted = steps;
}

/** The trim asked for last (setStrokeTrim), or 0 since the strokes took a new setting. */
export function strokeTrim(): i32 {
  return trimWanted;
}

/**
 * The trim of the stroke measured now: each top and bottom is measured just after it, and the strokes
 * move to a new trim at the extreme that ends the half it lengthened (the first it moves).
 */
export function measuredTrim(): i32 {
  const now = lastNowStepTicks;
  return now >= trimSecondStepTicks ? trimSecond : now >= trimFirstStepTicks ? trimFirst : trimBase;
}

/**
 * Which trim the stroke measured now ran, as a count of the trim's changes: a stroke that ran with
 * another count had its half lengthened, or follows one that did (its ringing in another phase).
 */
export function measuredTrimIndex(): i32 {
  const now = lastNowStepTicks;
  return now >= trimSecondStepTicks ? trimChanges : now >= trimFirstStepTicks ? trimChanges - 1 : trimChanges - 2;
}

/** The trim changed to `steps` with added steps that end at `endStepTicks`. */
function trimChanged(steps: i32, endStepTicks: i64): void {
  trimChanges++;
  trimBase = trimFirst;
  trimFirst = trimSecond;
  trimFirstStepTicks = trimSecondStepTicks;
  trimSecond = steps;
  trimSecondStepTicks = endStepTicks;
}

/**
 * The half about to be fed takes the trim's change where it moves the right way: the steps to add,
 * the segment they go before and their interval: at the half's peak speed, the fastest step between
 * two segments (where it cruises, or turns from speeding up to slowing down), which the plan keeps
 * (compress.ts MovePlan.peakSeg): the tick that feeds the half does not search its segments.
 */
function planTrimInsert(plan: MovePlan): void {
  const change = trimWanted - trimQueued;
  trimInsertSteps = goingDown ? max(change, 0) : max(-change, 0);
  if (trimInsertSteps == 0) return;
  if (plan.segments < 2) {
    trimInsertSteps = 0; // no peak between segments (no stroke plan is so short)
    return;
  }
  trimInsertSeg = plan.peakSeg;
  trimInsertInterval = plan.peakInterval;
}

/**
 * A stroke measured now ran the plan taken last: the strokes have switched to it (none pending) and
 * its first stroke is past the middle of its way down. A stroke's bottom is measured just after the
 * bottom, so the last stroke of the plan before was measured before the switch, and the first of this
 * one after the middle of its way down: the middle tells them apart with half a stroke to spare.
 */
export function measuringNewestPlan(): bool {
  return !pendingReady && lastNowStepTicks >= takenMidDownStepTicks;
}

/** Strokes queued since the last call (each reaches its bottom unless a fault flushes it). */
export function takeStrokes(): i32 {
  const n = strokesQueued;
  strokesQueued = 0;
  return n;
}

export function motionMode(): i32 {
  return mode;
}

/** The plan that holds the up half of a stroke whose down half is `down`. */
export function upPlanOf(down: MovePlan): MovePlan {
  return down === planA ? planAUp : down === planB ? planBUp : otherUp;
}

/** The plan a caller fills for the next stroke setting: its down half (its up half: upPlanOf()). */
export function spareStrokePlan(): MovePlan {
  return active === planA ? planB : planA;
}

/** Start stroking: with the newest plan handed over, else the one used last. */
export function startStrokes(): void {
  if (pendingReady) {
    active = next;
    activeSplit = nextSplit;
    trimWanted = 0; // a new setting starts untrimmed
  }
  pendingReady = false;
  smallStep = false;
  takenMidDownStepTicks = 0; // strokes from rest run the newest plan from the first one
  // from rest at the top the position check left the carriage at: untrimmed, the trim kept for the strokes
  trimQueued = 0;
  trimBase = trimFirst = trimSecond = 0;
  trimFirstStepTicks = trimSecondStepTicks = 0;
  trimInsertSteps = 0;
  trimInHalf = false;
  mode = MOTION_STROKES;
  goingDown = true;
  segIdx = 0;
  segOffset = 0;
  chained = false;
  stopAtTop = false;
}

/**
 * A finished stroke plan (filled into spareStrokePlan(), and its upPlanOf() when `split`: else it runs
 * both halves): strokes switch to it at the next stroke boundary.
 */
export function takeStrokePlan(plan: MovePlan, split: bool = false): void {
  next = plan;
  nextSplit = split;
  pendingReady = true;
  trimOfLast = trimWanted;
}

/** A finished retract plan: from now on the retract on a fault copies its shape. */
export function takeRetractPlan(plan: MovePlan): void {
  retractShape = plan;
}

/** The retract plan no longer fits (another cartridge): retracts copy the stroke plan until a new one comes. */
export function dropRetractPlan(): void {
  retractShape = NO_PLAN;
}

/** A stroke plan is handed over and not yet taken (the spare plan is in use). */
export function strokePlanPending(): bool {
  return pendingReady;
}

/** The spare plan is about to be refilled: do not switch to it. */
export function cancelChange(): void {
  pendingReady = false;
}

/** Finish the stroke under way and stop at the top. */
export function stopStrokesAtTop(): void {
  stopAtTop = true;
}

/**
 * Retract `steps` toward the endstop, stopping at the endstop in its last `stopWindowSteps` only:
 * shaped like the retract plan (the fastest the motor runs the deepest stroke; longer retracts cruise
 * at its top speed), or the stroke plan in use while that is not made yet.
 * False when there is no plan to take the shape from (the caller moves slowly instead). Not announced
 * with report_move: it is pieced from a plan, not a planned profile of its own.
 */
export function startRetract(steps: i32, stopWindowSteps: i32): bool {
  const plan = retractShape.steps >= 2 ? retractShape : active;
  if (plan.steps < 2 || plan.segments == 0) return false;
  shape = plan;
  retractEach = min(steps, plan.steps) >> 1;
  retractPhase = 0;
  retractWindow = stopWindowSteps;
  segIdx = 0;
  segOffset = 0;
  // on the way up, the speeding up starts where the shape is as fast as the strokes were: the steps
  // skipped there are slowed down through at the end all the same (the cruise takes them)
  const skipped = rampStepsFaster(plan, upIntervalAt(now_ticks()), retractEach);
  recentKept = 0;
  retractCruise = steps - 2 * retractEach + skipped;
  retractLeft = retractEach - skipped;
  mode = MOTION_RETRACT;
  return true;
}

/**
 * Steps of the shape's speeding up slower than `interval` (0: none to skip), at most `most`; leaves the
 * cursor (segIdx, segOffset) at the first step not skipped. Runs in the fault's tick. The first
 * segment that holds a step as fast, or the `most`-th step, is found by halving on what the retract
 * plan keeps per segment (compress.ts MovePlan.indexed): a walk of the segments, about 40 on the way
 * up at 3.0 mm, took the STM32F405 port's fault tick to 4,982 of its 5,000 instructions. A stroke
 * plan standing in for a retract plan not made (rampWalk) is walked.
 */
export function rampStepsFaster(plan: MovePlan, interval: i32, most: i32): i32 {
  if (interval <= 0) return 0;
  const n = plan.segments; // at most MAX_SEGMENTS, the arrays' length: indices below n are in range
  if (!plan.indexed || most <= 0) return rampWalk(plan, interval, most);
  // both hold from some segment on (the fastest step and the steps so far): a search by halves
  let lo = 0;
  let hi = n; // n: no such segment
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (unchecked(plan.fastestThrough[mid]) <= interval || unchecked(plan.stepsThrough[mid]) >= most) hi = mid;
    else lo = mid + 1;
  }
  const m = lo > 0 ? unchecked(plan.stepsThrough[lo - 1]) : 0; // the segments before it, skipped whole
  if (lo == n) {
    segIdx = n - 1;
    segOffset = 0;
    return m;
  }
  return rampInto(plan, lo, m, interval, most);
}

/** The walk: each segment from the first, until one holds a step as fast or the `most`-th step. */
function rampWalk(plan: MovePlan, interval: i32, most: i32): i32 {
  const n = plan.segments;
  let m = 0;
  let s = 0;
  for (; s < n && m < most; s++) {
    const count = unchecked(plan.count[s]);
    const first = unchecked(plan.interval[s]);
    // (this segment's fastest step is an end: its steps change linearly)
    if (m + count >= most || first <= interval || first + unchecked(plan.add[s]) * (count - 1) <= interval)
      return rampInto(plan, s, m, interval, most);
    m += count;
  }
  // stopped after whole segments skipped: the cursor at the start of the next
  segIdx = min(s, n - 1);
  segOffset = 0;
  return m;
}

/**
 * Segment s, after `m` steps skipped before it, holds a step as fast as `interval` or the `most`-th
 * step: the cursor at the first step not skipped there.
 */
function rampInto(plan: MovePlan, s: i32, m: i32, interval: i32, most: i32): i32 {
  segIdx = s;
  segOffset = 0;
  const first = unchecked(plan.interval[s]);
  if (first <= interval) return m; // this step is already as fast: the cursor at its segment's start
  const add = unchecked(plan.add[s]);
  const count = unchecked(plan.count[s]);
  let o = count; // the whole segment is slower
  if (first + add * (count - 1) <= interval) o = (first - interval - add - 1) / -add; // add < 0 here: the first step as fast
  if (m + o >= most) o = most - m;
  if (o < count) {
    segOffset = o;
    return m + o;
  }
  // the whole segment, reaching `most`: the cursor at the start of the next (the shape has more)
  segIdx = min(s + 1, plan.segments - 1);
  return m + count;
}

/** Where a retract's steps start in its shape (segment << 16 | steps into it): for tests. */
export function retractCursor(): i32 {
  return (segIdx << 16) | segOffset;
}

/** Forget everything queued (the caller flushes the HAL queue). */
export function motionReset(): void {
  mode = MOTION_IDLE;
  stopAtTop = false;
  segIdx = 0;
  segOffset = 0; // strokes always start segments whole
}

/** Queue a constant-rate move that needs no ramp (homing speeds are below the pull-in rate). */
export function pushConstantMove(steps: i32, intervalStepTicks: i32, extend: bool, flags: i32): bool {
  const dirFlag = extend ? SEG_EXTEND : 0;
  return step_queue_push(intervalStepTicks, steps, 0, dirFlag | flags | SEG_END_OF_MOVE) == 0;
}

/** True while motion is queued or executing. */
export function motionBusy(): bool {
  return mode != MOTION_IDLE || (step_queue_status() & QSTAT_BUSY) != 0;
}

// The stroke segments queued last, with the time each starts: where a fault stops the strokes on their
// way up, the retract starts at the speed the carriage has (a retract from rest under a carriage moving
// up at speed brakes it against the field and can slip the rotor).
const RECENT: i32 = QUEUE_LEN; // as many as the queue holds
const recentStart = staticArray<i64>(memory.data(STATIC_HEADER_BYTES + RECENT * 8, 16), RECENT);
const recentInterval = staticArray<i32>(memory.data(STATIC_HEADER_BYTES + RECENT * 4, 16), RECENT);
const recentAdd = staticArray<i32>(memory.data(STATIC_HEADER_BYTES + RECENT * 4, 16), RECENT);
const recentCount = staticArray<i32>(memory.data(STATIC_HEADER_BYTES + RECENT * 4, 16), RECENT); // negative: down
let recentNext: i32 = 0;
let recentKept: i32 = 0;

/** The strokes carry the needles up now (their up half runs). */
export function strokesMovingUp(): bool {
  return mode == MOTION_STROKES && upIntervalAt(now_ticks()) > 0;
}

/** The step interval the strokes command at `now` where they move up, else 0 (down, at rest, or not known). */
function upIntervalAt(now: i64): i32 {
  for (let n = 0; n < recentKept; n++) {
    const i = (recentNext - 1 - n + RECENT) % RECENT;
    const start = checked(recentStart, i);
    if (start > now) continue;
    const count = checked(recentCount, i);
    if (count <= 0) return 0; // moving down
    const interval = <i64>checked(recentInterval, i);
    const add = <i64>checked(recentAdd, i);
    const c = <i64>count;
    if (now - start >= interval * c + ((add * c * (c - 1)) >> 1)) return 0; // ran out: the queue was dry
    const j = (now - start) / interval; // steps done in it, near enough: add is small against interval
    return <i32>(interval + add * min(j, c - 1));
  }
  return 0;
}

let pushed: i32 = 0; // segments the last feedQueue() pushed (budget.ts counts a tick's)

/**
 * Segments one tick pushes while the queue already holds half its lead: the tick that starts the
 * strokes (and writes the treatment log) would otherwise fill the whole lead at once, 8 segments of a
 * triangle from rest, and went over the STM32F405's tick budget (tests/port/unlock-while-stroking.yaml);
 * the ticks after it top the lead up.
 */
export const FEED_SEGMENTS_PER_TICK: i32 = 4;
/**
 * The same in a tick that already ran its heavy piece (budget.ts: a command run, a reply written)
 * while stroking: a command beside four pushes of a deep stroke took a tick of the STM32F405 port to
 * 5,629 of its 5,000 instructions (STATUS? at 3.0 mm / 150 Hz, docs/porting.md). The queue still
 * gets half its lead; the ticks after top it up.
 */
const FEED_SEGMENTS_HEAVY_TICK: i32 = 1;

/**
 * Called every control tick: top up the queue until it holds QUEUE_LEAD_STEP_TICKS of motion, at most
 * FEED_SEGMENTS_PER_TICK segments once it holds half of that (FEED_SEGMENTS_HEAVY_TICK in a tick
 * that ran its heavy piece; a retract is never held back).
 */
export function feedQueue(nowStepTicks: i64): void {
  lastNowStepTicks = nowStepTicks;
  if (mode == MOTION_IDLE) return;
  const retracting = mode == MOTION_RETRACT;
  if ((step_queue_status() & QSTAT_BUSY) == 0) horizonStepTicks = nowStepTicks; // the executor restarts its clock at the next push
  const leadStepTicks = retracting ? QUEUE_LEAD_STEP_TICKS / 2 : QUEUE_LEAD_STEP_TICKS; // the tick of a fault queues less
  const most = retracting || tickIsLight() ? FEED_SEGMENTS_PER_TICK : FEED_SEGMENTS_HEAVY_TICK;
  pushed = 0;
  while (
    horizonStepTicks - nowStepTicks < leadStepTicks &&
    (pushed < most || horizonStepTicks - nowStepTicks < leadStepTicks / 2) &&
    step_queue_free() > 0
  ) {
    const plan = retracting ? shape : goingDown || !activeSplit ? active : upPlanOf(active);
    const o = segOffset;
    let interval = checked(plan.interval, segIdx) + checked(plan.add, segIdx) * o;
    let add = checked(plan.add, segIdx);
    let count = checked(plan.count, segIdx) - o;
    let flags = SEG_STOP_AT_ENDSTOP;
    let endsMove = false;
    if (retracting) {
      while (retractLeft == 0) {
        if (retractPhase == 2) {
          mode = MOTION_IDLE;
          return;
        }
        retractPhase++;
        retractLeft = retractPhase == 1 ? retractCruise : retractEach;
      }
      if (retractPhase == 1) {
        count = retractLeft;
        add = 0;
      }
      if (retractPhase == 2) {
        count = o + 1;
        add = -add;
      }
      count = min(count, retractLeft);
      // steps left in the whole retract: no endstop stop before its window (a glitch is not the endstop)
      const left =
        retractLeft + (retractPhase == 0 ? retractCruise + retractEach : retractPhase == 1 ? retractEach : 0);
      if (left > retractWindow) {
        count = min(count, left - retractWindow);
        flags = 0;
      }
      endsMove = count == left;
    } else {
      if (segIdx == 0) {
        // a new setting's trim is added in its own first down half: one that deepened the strokes is
        // taken back in the up half before it (another stroke of the old setting when the new one came
        // too late for this one's)
        if (pendingReady && (trimQueued > 0 || !goingDown)) trimWanted = 0;
        if (goingDown && pendingReady && trimQueued <= 0) {
          // a new setting starts untrimmed (its own lag is not the last one's), but a small step (at most
          // a full step, at a rate within 6 %, the same split: a button's 0.05 mm) after strokes trimmed
          // two microsteps or more starts one deeper: its lag is close to the last one's. Not the whole
          // trim: where the bottom meets the detent in another phase the new depth may need none, and the
          // whole trim less one took the worst pen 31 um past the depth (a microstep moves the tip 14 um
          // at most). A small step's first stroke sets its trim (depthtrim.ts).
          const durStepTicks = active.durStepTicks;
          smallStep =
            <u64>(next.durStepTicks - durStepTicks + (durStepTicks >> 4)) <= <u64>(durStepTicks >> 3) &&
            nextSplit == activeSplit &&
            <u32>(next.steps - active.steps + MICROSTEPS) <= <u32>(2 * MICROSTEPS);
          trimWanted = (<i32>smallStep) & (<i32>(trimOfLast > 1));
          active = next;
          activeSplit = nextSplit;
          pendingReady = false;
          takenMidDownStepTicks = horizonStepTicks + (next.durStepTicks >> 1);
          continue;
        }
        planTrimInsert(plan);
        const extraStepTicks = <i64>trimInsertSteps * trimInsertInterval;
        report_move(
          goingDown ? 1 : 0,
          plan.steps + trimInsertSteps,
          <i32>(plan.durStepTicks + extraStepTicks),
          <i32>plan.accStepTicks,
        );
        if (chained) interval += <i32>prevTailStepTicks;
      }
      const inserting = trimInsertSteps > 0 && segIdx == trimInsertSeg;
      if (inserting) {
        // the trim's added steps, at the half's peak speed (its cruise a few steps longer)
        interval = trimInsertInterval;
        count = trimInsertSteps;
        add = 0;
      }
      endsMove = !inserting && segIdx == plan.segments - 1 && !goingDown && stopAtTop;
      flags = goingDown ? SEG_EXTEND : 0;
    }
    if (step_queue_push(interval, count, add, flags | (endsMove ? SEG_END_OF_MOVE : 0)) != 0) return; // full: next tick
    pushed++;
    noteSegmentFed();
    if (!retracting) {
      // every push of the strokes: unchecked stores at recentNext, which stays in 0..RECENT-1 (below)
      const r = recentNext;
      unchecked((recentStart[r] = horizonStepTicks));
      unchecked((recentInterval[r] = interval));
      unchecked((recentAdd[r] = add));
      unchecked((recentCount[r] = goingDown ? -count : count));
      recentNext = r + 1 == RECENT ? 0 : r + 1;
      if (recentKept < RECENT) recentKept++;
    }
    const c = <i64>count;
    horizonStepTicks += <i64>interval * c + ((<i64>add * c * (c - 1)) >> 1); // c (c - 1) is even: the shift divides exactly
    if (!retracting && trimInsertSteps > 0 && segIdx == trimInsertSeg) {
      trimQueued += goingDown ? trimInsertSteps : -trimInsertSteps;
      trimInsertSteps = 0;
      trimInHalf = true;
      continue; // the segment itself next
    }
    if (retracting) {
      retractLeft -= count;
      // the cursor: forward while speeding up, backward while slowing down
      if (retractPhase == 0) {
        segOffset = o + count;
        if (segOffset == checked(plan.count, segIdx)) {
          segIdx++;
          segOffset = 0;
        }
      } else if (retractPhase == 2) {
        segOffset = o - count;
        if (segOffset < 0 && segIdx > 0) {
          segIdx--;
          segOffset = checked(plan.count, segIdx) - 1;
        }
      }
    } else if (++segIdx == plan.segments) {
      if (goingDown) strokesQueued++;
      if (trimInHalf) trimChanged(trimQueued, horizonStepTicks); // from the extreme the half ends at
      trimInHalf = false;
      segIdx = 0;
      prevTailStepTicks = plan.tailStepTicks;
      chained = true;
      goingDown = !goingDown;
      if (endsMove) {
        mode = MOTION_IDLE;
        stopAtTop = false;
        return;
      }
    }
  }
}
