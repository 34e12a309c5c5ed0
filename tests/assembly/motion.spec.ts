import { QSTAT_BUSY, SEG_END_OF_MOVE, SEG_STOP_AT_ENDSTOP } from "../../assembly/abi";
import { MovePlan, planMove, PLAN_OK } from "../../assembly/compress";
import {
  takeRetractPlan,
  takeStrokePlan,
  startStrokes,
  startRetract,
  feedQueue,
  motionMode,
  motionReset,
  MOTION_IDLE,
  setStrokeTrim,
  measuredTrim,
  rampStepsFaster,
  retractCursor,
} from "../../assembly/motion";
import { step_queue_flush } from "../../assembly/hal";
import { STEP_TIMER_HZ, CONTROL_HZ } from "../../assembly/generated/board_config";
import {
  set_queue_status,
  reset_pushes,
  pushed_steps,
  bad_pushes,
  first_push_interval,
  last_push_flags,
  last_push_final_interval,
  sq_model,
  sq_off,
  sq_run_to,
  sq_edges,
  sq_edge_ticks,
  sq_edge_dir,
} from "./halfake";

const STEPS = 377;
/** the plan handed to motion as the retract plan (planjob.ts makes the firmware's) */
const retractPlan = new MovePlan();

/** Runs a retract of `up` steps to its end, a tick at a time; the ticks it took to queue. */
function retract(up: i32, stopWindow: i32 = 50): i32 {
  motionReset();
  reset_pushes();
  set_queue_status(QSTAT_BUSY);
  expect(startRetract(up, stopWindow)).toBe(true);
  let now: i64 = 0;
  let ticks = 0;
  while (motionMode() != MOTION_IDLE && ticks < 1000) {
    feedQueue(now);
    now += STEP_TIMER_HZ / <i64>CONTROL_HZ;
    ticks++;
  }
  set_queue_status(-1);
  return ticks;
}

describe("retract on a fault", () => {
  test("moves exactly the steps asked, toward the endstop, and ends the move there", () => {
    const dur: i64 = STEP_TIMER_HZ / 70;
    expect(planMove(retractPlan, STEPS, dur, (dur * 400) / 1000, 64)).toBe(PLAN_OK);
    takeRetractPlan(retractPlan);
    const ups: StaticArray<i32> = [1, 2, 3, 10, 100, 188, 189, 376, 377, 378, 500];
    for (let i = 0; i < ups.length; i++) {
      const up = ups[i];
      expect(retract(up)).toBeLessThan(1000, "the retract ends");
      expect(pushed_steps()).toBe(-up, "steps pushed for a retract of " + up.toString());
      expect(last_push_flags() & (SEG_END_OF_MOVE | SEG_STOP_AT_ENDSTOP)).toBe(SEG_END_OF_MOVE | SEG_STOP_AT_ENDSTOP);
      expect(bad_pushes()).toBe(0, "every interval at least one tick");
    }
  });
  test("lets the endstop stop it only in its last steps: a glitch lower down cannot cut it short", () => {
    retract(300, 0);
    expect(pushed_steps()).toBe(-300);
    expect(last_push_flags() & SEG_STOP_AT_ENDSTOP).toBe(0, "no window: the endstop never stops it");
    retract(300, 299);
    expect(pushed_steps()).toBe(-300);
    expect(last_push_flags() & SEG_STOP_AT_ENDSTOP).toBe(SEG_STOP_AT_ENDSTOP);
  });
  test("starts from rest as the plan does and slows to the plan's second step", () => {
    // the plan's profile is symmetric: its last intervals are its first ones reversed
    retract(STEPS);
    expect(first_push_interval()).toBe(retractPlan.interval[0]);
    const second = retractPlan.count[0] == 1 ? retractPlan.interval[1] : retractPlan.interval[0] + retractPlan.add[0];
    expect(last_push_final_interval()).toBe(second);
  });
  test("refuses when it has no plan to copy (the caller then moves slowly)", () => {
    retractPlan.steps = 0;
    motionReset();
    expect(startRetract(10, 10)).toBe(false, "no stroke plan yet either: the caller moves slowly");
  });
});

const TICK: i64 = STEP_TIMER_HZ / <i64>CONTROL_HZ;

/**
 * Strokes of `stroke` (down and up) on the timed queue model until `faultTicks`, then a fault: the
 * queue flushed and a retract of `up` steps run to its end. [the strokes' last step interval, the
 * retract's first (from its first push), its direction (-1 up), the steps it made back]
 */
function faultWhileStroking(stroke: MovePlan, faultTicks: i64, up: i32): StaticArray<i32> {
  motionReset();
  sq_model(64, 1, 0);
  takeRetractPlan(retractPlan);
  takeStrokePlan(stroke);
  startStrokes();
  let now: i64 = 0;
  for (; now < faultTicks; now += TICK) {
    sq_run_to(<i32>now);
    feedQueue(now);
  }
  sq_run_to(<i32>now);
  const n = sq_edges();
  const out = new StaticArray<i32>(4);
  out[0] = sq_edge_ticks(n - 1) - sq_edge_ticks(n - 2);
  out[2] = sq_edge_dir(n - 1);
  step_queue_flush();
  motionReset();
  expect(startRetract(up, 0)).toBe(true);
  const faultNow = now;
  feedQueue(now); // the fault's tick queues the first segments
  for (let i = 0; i < 1000 && motionMode() != MOTION_IDLE; i++) {
    now += TICK;
    sq_run_to(<i32>now);
    feedQueue(now);
  }
  sq_run_to(<i32>(now + 100 * TICK));
  out[1] = sq_edge_ticks(n) - <i32>faultNow; // the queue was idle: its first step comes an interval after the push
  let back = 0;
  for (let i = n; i < sq_edges(); i++) if (sq_edge_dir(i) < 0) back++;
  out[3] = back;
  sq_off();
  return out;
}

/** a 30 Hz stroke of 300 steps, and its half's duration */
const stroke = new MovePlan();
const half: i64 = STEP_TIMER_HZ / 60;

describe("retract on a fault while stroking", () => {
  test("on the way up it starts at the speed the strokes had, and still moves exactly the steps asked", () => {
    expect(planMove(retractPlan, STEPS, STEP_TIMER_HZ / 70, ((STEP_TIMER_HZ / 70) * 400) / 1000, 64)).toBe(PLAN_OK);
    expect(planMove(stroke, 300, half, (half * 400) / 1000, 64)).toBe(PLAN_OK);
    const r = faultWhileStroking(stroke, half + (half * 45) / 100, 250); // mid-way up, at speed
    expect(r[2]).toBe(-1, "the strokes were going up");
    expect(r[3]).toBe(250, "every step asked, back");
    expect(r[1]).toBeLessThan(retractPlan.interval[0] / 4, "not from rest");
    expect(<f64>r[1]).toBeLessThanOrEqual(<f64>r[0] * 1.25, "about the strokes' speed");
    expect(<f64>r[1]).toBeGreaterThanOrEqual(<f64>r[0] * 0.75, "about the strokes' speed");
  });
  test("on the way down it starts from rest, as the plan does", () => {
    expect(planMove(retractPlan, STEPS, STEP_TIMER_HZ / 70, ((STEP_TIMER_HZ / 70) * 400) / 1000, 64)).toBe(PLAN_OK);
    expect(planMove(stroke, 300, half, (half * 400) / 1000, 64)).toBe(PLAN_OK);
    const r = faultWhileStroking(stroke, (half * 45) / 100, 250);
    expect(r[2]).toBe(1, "the strokes were going down");
    expect(r[3]).toBe(250);
    expect(r[1]).toBe(retractPlan.interval[0]);
  });
});

/** Turning points of the steps made so far: [position at each extreme, in order] (down positive). */
function extremes(): StaticArray<i32> {
  const out = new Array<i32>();
  let pos = 0;
  let dir = 0;
  for (let i = 0; i < sq_edges(); i++) {
    const d = sq_edge_dir(i);
    if (dir != 0 && d != dir) out.push(pos);
    dir = d;
    pos += d;
  }
  out.push(pos);
  return StaticArray.fromArray(out);
}

/** The smallest interval between two steps in one direction among the edges [from, to). */
function fastestInterval(from: i32, to: i32): i32 {
  let m = i32.MAX_VALUE;
  for (let i = from + 1; i < to; i++)
    if (sq_edge_dir(i) == sq_edge_dir(i - 1)) m = min(m, sq_edge_ticks(i) - sq_edge_ticks(i - 1));
  return m;
}

/** a shallower setting than `stroke`, for a change after a trim */
const shallower = new MovePlan();

/**
 * Strokes of the 300-step plan from rest, trimmed by `trim` from the first, until `untilTicks`; with
 * the shallower setting handed over at `handAt` (never when negative). The first tick at which the
 * measured stroke's trim read `trim`, or -1.
 */
function strokesTrimmed(trim: i32, untilTicks: i64, handAt: i64 = -1): i64 {
  expect(planMove(stroke, 300, half, (half * 400) / 1000, 64)).toBe(PLAN_OK);
  expect(planMove(shallower, 200, half, (half * 400) / 1000, 64)).toBe(PLAN_OK);
  motionReset();
  sq_model(64, 1, 0);
  takeStrokePlan(stroke);
  startStrokes();
  setStrokeTrim(trim);
  let now: i64 = 0;
  let seen: i64 = -1;
  let handed = handAt < 0;
  for (; now < untilTicks; now += TICK) {
    sq_run_to(<i32>now);
    feedQueue(now);
    if (seen < 0 && measuredTrim() == trim) seen = now;
    if (!handed && now >= handAt) {
      takeStrokePlan(shallower);
      handed = true;
    }
  }
  sq_run_to(<i32>now);
  return seen;
}

describe("the depth trim moves the strokes", () => {
  test("deeper: its steps go into the next down half at its peak speed, and every stroke after has them", () => {
    const trimSeen = strokesTrimmed(3, 3 * 2 * half - TICK);
    const x = extremes();
    expect(x[0]).toBe(303, "the first bottom has the trim");
    expect(x[1]).toBe(3, "the top stays the trim below the rest position");
    expect(x[2]).toBe(303, "the next stroke has it without steps added");
    expect(x[3]).toBe(3);
    // the added steps at the half's peak speed: no step faster than the plan's own fastest
    expect(fastestInterval(0, 303)).toBeGreaterThanOrEqual(fastestInterval(606, 906), "no faster than the plan");
    // the trim is the measured stroke's from the bottom its added steps moved: the first tick after it
    expect(trimSeen).toBeGreaterThanOrEqual(<i64>sq_edge_ticks(302), "not before the first trimmed bottom");
    expect(trimSeen).toBeLessThan(<i64>sq_edge_ticks(302) + TICK, "from the first tick after it");
    sq_off();
  });
  test("shallower: its steps go into the next up half, and the period grows only by them", () => {
    strokesTrimmed(-2, 3 * 2 * half - TICK);
    const x = extremes();
    expect(x[0]).toBe(300, "the first bottom is the plan's");
    expect(x[1]).toBe(-2, "its up half goes the trim further");
    expect(x[2]).toBe(298, "the next bottom is the trim shallower");
    expect(measuredTrim()).toBe(-2);
    // the first stroke's period is the plan's and the steps added: two steps at the plan's peak speed
    const firstStroke = sq_edge_ticks(602) - sq_edge_ticks(0);
    const secondStroke = sq_edge_ticks(1202) - sq_edge_ticks(602);
    expect(firstStroke - secondStroke).toBe(2 * fastestInterval(602, 1202), "two steps at the peak interval");
    sq_off();
  });
});

/** Strokes trimmed 4 deeper; the shallower setting handed over at `handAt`: the extremes of five strokes. */
function newSettingAfterTrim(handAt: i64): StaticArray<i32> {
  strokesTrimmed(4, 5 * 2 * half, handAt);
  const x = extremes();
  sq_off();
  return x;
}

describe("a new setting after a trim", () => {
  test("its first stroke goes no deeper than set: the up half before it takes the trim back", () => {
    const x = newSettingAfterTrim(2 * half + half / 2); // in the second stroke's down half
    expect(x[0]).toBe(304, "the trim in force");
    expect(x[2]).toBe(304, "the stroke the setting came in");
    expect(x[3]).toBe(0, "its up half takes the trim back");
    expect(x[4]).toBe(200, "the new setting's first bottom: no deeper than set");
    expect(x[5]).toBe(0);
    expect(measuredTrim()).toBe(0, "the new setting untrimmed");
  });
  test("handed over after that up half was queued: one more stroke of the old setting first", () => {
    const x = newSettingAfterTrim(3 * half + half / 2); // in the second stroke's up half
    expect(x[3]).toBe(4, "too late for this up half");
    expect(x[4]).toBe(304, "one more stroke of the old setting");
    expect(x[5]).toBe(0, "its up half takes the trim back");
    expect(x[6]).toBe(200, "the new setting's first bottom: no deeper than set");
  });
});

/**
 * The retract's ramp search as it was: [steps skipped, segment, steps into it]. The firmware's reads
 * without bounds checks and keeps the cursor to the end; both must agree.
 */
function rampWalked(plan: MovePlan, interval: i32, most: i32): StaticArray<i32> {
  const out = new StaticArray<i32>(3);
  if (interval <= 0) return out;
  let m = 0;
  let s = 0;
  for (; s < plan.segments && m < most; s++) {
    const first = plan.interval[s];
    const add = plan.add[s];
    const count = plan.count[s];
    out[1] = s;
    out[2] = 0;
    out[0] = m;
    if (first <= interval) return out;
    const lastInterval = first + add * (count - 1);
    let o = count;
    if (lastInterval <= interval) o = (first - interval - add - 1) / -add;
    if (m + o >= most) o = most - m;
    if (o < count) {
      out[2] = o;
      out[0] = m + o;
      return out;
    }
    m += count;
  }
  out[0] = m;
  out[1] = min(s, plan.segments - 1);
  out[2] = 0;
  return out;
}

describe("a retract on the way up starts where its shape is as fast as the strokes were", () => {
  test("the search finds the step it found before, for every speed and limit, by halves and by the walk", () => {
    const shape = new MovePlan();
    let cases = 0;
    for (let pass = 0; pass < 2; pass++) {
      shape.indexed = pass == 0; // the retract plan's index (the search by halves), and a stroke plan (the walk)
      for (let steps = 30; steps <= 420; steps += 65) {
        for (let hz = 25; hz <= 150; hz += 25) {
          const dur: i64 = STEP_TIMER_HZ / (2 * <i64>hz);
          for (let share = 250; share <= 500; share += 125) {
            expect(planMove(shape, steps, dur, (dur * <i64>share) / 1000, 64)).toBe(PLAN_OK);
            const slowest = shape.interval[0] + 100;
            const fastest = shape.peakInterval - 50;
            const stride = max((slowest - fastest) / 97, 1);
            for (let interval = fastest; interval <= slowest; interval += stride) {
              for (let k = 0; k < 4; k++) {
                const most = k == 0 ? 5 : k == 1 ? 23 : k == 2 ? steps >> 1 : steps;
                const want = rampWalked(shape, interval, most);
                const got = rampStepsFaster(shape, interval, most);
                expect(got).toBe(want[0], "steps skipped");
                expect(retractCursor()).toBe((want[1] << 16) | want[2], "where the retract starts");
                cases++;
              }
            }
          }
        }
      }
    }
    expect(cases).toBeGreaterThan(40000);
  });
});
