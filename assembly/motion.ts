// Keeps the HAL step queue fed: either strokes (down and up, repeated) from a compressed half-stroke
// plan, or one move. A new stroke plan waits until the needles are back at the top (a stroke boundary).
import {
  step_queue_push, step_queue_free, step_queue_status, report_move,
  SEG_EXTEND, SEG_END_OF_MOVE, QSTAT_BUSY,
} from "./hal";
import { MovePlan } from "./compress";
import { QUEUE_LEAD_TICKS } from "./generated/board_config";

export const MODE_IDLE: i32 = 0;
export const MODE_STROKES: i32 = 1;
export const MODE_SINGLE: i32 = 2;

const planA = new MovePlan();
const planB = new MovePlan();
/** plan for one-off moves (fault retraction) */
export const singlePlan = new MovePlan();

let mode: i32 = MODE_IDLE;
let active: MovePlan = planA;
let pendingReady: bool = false;
let goingDown: bool = true;   // direction of the half being fed
let segIdx: i32 = 0;          // next segment of that half
let chained: bool = false;    // the next half follows the previous one without a stop
let prevTail: i64 = 0;        // ideal end of the previous half minus its last step
let horizon: i64 = 0;         // time of the last queued step
let stopAtTop: bool = false;
let singleFlags: i32 = 0;
let strokesQueued: i32 = 0;   // down-strokes queued since takeStrokes() was last called

/** Strokes queued since the last call (each reaches its bottom unless a fault flushes it). */
export function takeStrokes(): i32 {
  const n = strokesQueued;
  strokesQueued = 0;
  return n;
}

export function motionMode(): i32 { return mode; }

/** The plan a caller fills for the next stroke setting. */
export function spareStrokePlan(): MovePlan { return active === planA ? planB : planA; }

/** Start stroking with the plan just filled into spareStrokePlan(). */
export function startStrokes(): void {
  active = spareStrokePlan();
  pendingReady = false;
  mode = MODE_STROKES;
  goingDown = true;
  segIdx = 0;
  chained = false;
  stopAtTop = false;
}

/** Switch to the plan just filled into spareStrokePlan() at the next stroke boundary. */
export function changeStrokes(): void { pendingReady = true; }

/** Finish the stroke under way and stop at the top. */
export function stopStrokesAtTop(): void { stopAtTop = true; }

/** Run `singlePlan` once, toward the skin or back, with extra segment flags. */
export function startSingle(extend: bool, flags: i32): void {
  mode = MODE_SINGLE;
  goingDown = extend;
  segIdx = 0;
  chained = false;
  singleFlags = flags;
}

/** Forget everything queued (the caller flushes the HAL queue). */
export function motionReset(): void {
  mode = MODE_IDLE;
  pendingReady = false;
  stopAtTop = false;
  segIdx = 0;
}

/** Queue a constant-rate move that needs no ramp (homing speeds are below the pull-in rate). */
export function pushConstantMove(steps: i32, intervalTicks: i32, extend: bool, flags: i32): bool {
  const dirFlag = extend ? SEG_EXTEND : 0;
  return step_queue_push(intervalTicks, steps, 0, dirFlag | flags | SEG_END_OF_MOVE) == 0;
}

/** True while motion is queued or executing. */
export function motionBusy(): bool {
  return mode != MODE_IDLE || (step_queue_status() & QSTAT_BUSY) != 0;
}

/** Called every control tick: top up the queue until it holds QUEUE_LEAD_TICKS of motion. */
export function feedQueue(now: i64): void {
  if (mode == MODE_IDLE) return;
  if ((step_queue_status() & QSTAT_BUSY) == 0) horizon = now; // the executor restarts its clock at the next push
  while (horizon - now < QUEUE_LEAD_TICKS && step_queue_free() > 0) {
    const plan = mode == MODE_SINGLE ? singlePlan : active;
    if (segIdx == 0) {
      if (mode == MODE_STROKES && goingDown && pendingReady) {
        active = spareStrokePlan();
        pendingReady = false;
        continue;
      }
      report_move(goingDown ? 1 : 0, plan.steps, <i32>plan.durTicks, <i32>plan.accTicks);
    }
    let interval = <i64>plan.interval[segIdx];
    if (segIdx == 0 && chained) interval += prevTail;
    const count = plan.count[segIdx];
    const add = plan.add[segIdx];
    const lastSeg = segIdx == plan.segments - 1;
    const endsMove = lastSeg && (mode == MODE_SINGLE || (!goingDown && stopAtTop));
    let flags = goingDown ? SEG_EXTEND : 0;
    if (mode == MODE_SINGLE) flags |= singleFlags;
    if (endsMove) flags |= SEG_END_OF_MOVE;
    if (step_queue_push(<i32>interval, count, add, flags) != 0) return; // full: try next tick
    const c = <i64>count;
    horizon += interval * c + (<i64>add * c * (c - 1)) / 2;
    segIdx++;
    if (lastSeg) {
      if (mode == MODE_STROKES && goingDown) strokesQueued++;
      segIdx = 0;
      prevTail = plan.tailTicks;
      chained = true;
      goingDown = !goingDown;
      if (endsMove) {
        mode = MODE_IDLE;
        stopAtTop = false;
        return;
      }
    }
  }
}
