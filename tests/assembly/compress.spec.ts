import {
  MovePlan,
  planMove,
  planBegin,
  planContinue,
  PLAN_OK,
  PLAN_BAD,
  PLAN_BUSY,
  PLAN_TOO_LONG,
  MAX_MOVE_STEPS,
} from "../../assembly/compress";
import { stepTimeStepTicks } from "../../assembly/profile";

const plan = new MovePlan();

/** Worst distance (ticks) between an executed step and its ideal time, replaying the segments as the timer does. */
function worstError(steps: i32, dur: i64, acc: i64): i64 {
  let t: i64 = 0;
  let k = 0;
  let worst: i64 = 0;
  for (let s = 0; s < plan.segments; s++) {
    let interval = <i64>plan.interval[s];
    for (let j = 0; j < plan.count[s]; j++) {
      t += interval;
      k++;
      const err = abs(t - stepTimeStepTicks(k, steps, dur, acc));
      if (err > worst) worst = err;
      interval += <i64>plan.add[s];
    }
  }
  expect(k).toBe(steps, "every step is in a segment");
  return worst;
}

describe("step compression", () => {
  test("keeps every step within the tolerance over many stroke shapes", () => {
    const tol: i64 = 64; // 4 us at 16 MHz
    for (let steps = 30; steps <= 420; steps += 65) {
      for (let hz = 25; hz <= 150; hz += 25) {
        const dur: i64 = 16000000 / (2 * <i64>hz);
        for (let share = 250; share <= 500; share += 125) {
          const acc = (dur * <i64>share) / 1000;
          expect(planMove(plan, steps, dur, acc, tol)).toBe(PLAN_OK);
          expect(worstError(steps, dur, acc)).toBeLessThanOrEqual(tol);
          expect(plan.count[0]).toBe(1, "first segment is one step");
          expect(plan.segments).toBeLessThan(steps / 2, "compression pays");
        }
      }
    }
  });
  test("keeps the boundary at the move's fastest step: the first one of the smallest step interval", () => {
    for (let share = 250; share <= 500; share += 50) {
      const dur: i64 = 16000000 / 90;
      expect(planMove(plan, 333, dur, (dur * <i64>share) / 1000, 64)).toBe(PLAN_OK);
      // the step intervals one by one: the boundary whose step either side is the fastest
      let best = i32.MAX_VALUE;
      let at = 0;
      for (let s = 1; s < plan.segments; s++) {
        const b = s - 1;
        const i = min(plan.interval[b] + plan.add[b] * (plan.count[b] - 1), plan.interval[s]);
        if (i < best) {
          best = i;
          at = s;
        }
      }
      expect(plan.peakSeg).toBe(at);
      expect(plan.peakInterval).toBe(best);
      let fastest = i32.MAX_VALUE;
      for (let s = 0; s < plan.segments; s++)
        for (let j = 0; j < plan.count[s]; j++) fastest = min(fastest, plan.interval[s] + plan.add[s] * j);
      expect(plan.peakInterval).toBe(fastest, "no step of the move is faster");
    }
  });
  test("an indexed plan keeps each segment's fastest step so far and steps so far, as the steps one by one give them", () => {
    plan.indexed = true;
    for (let share = 250; share <= 500; share += 125) {
      for (let steps = 40; steps <= 640; steps += 150) {
        const dur: i64 = 16000000 / 60;
        expect(planMove(plan, steps, dur, (dur * <i64>share) / 1000, 64)).toBe(PLAN_OK);
        let fastest = i32.MAX_VALUE;
        let done = 0;
        for (let s = 0; s < plan.segments; s++) {
          for (let j = 0; j < plan.count[s]; j++) fastest = min(fastest, plan.interval[s] + plan.add[s] * j);
          done += plan.count[s];
          expect(plan.fastestThrough[s]).toBe(fastest, "the fastest step of segments 0..s");
          expect(plan.stepsThrough[s]).toBe(done, "the steps of segments 0..s");
        }
        expect(done).toBe(steps);
      }
    }
    plan.indexed = false;
  });
  test("ends the move on time: last step plus tail equals the duration", () => {
    const dur: i64 = 160000;
    expect(planMove(plan, 300, dur, dur / 2, 64)).toBe(PLAN_OK);
    let t: i64 = 0;
    for (let s = 0; s < plan.segments; s++) {
      const n = <i64>plan.count[s];
      t += n * <i64>plan.interval[s] + (<i64>plan.add[s] * n * (n - 1)) / 2;
    }
    expect(t + plan.tailStepTicks).toBe(dur);
    expect(plan.tailStepTicks).toBeGreaterThan(0);
  });
  test("refuses moves it cannot hold", () => {
    expect(planMove(plan, 0, 1000, 500, 64)).toBe(PLAN_BAD);
    expect(planMove(plan, 10, 1000, 600, 64)).toBe(PLAN_BAD, "accel phase longer than half");
    expect(planMove(plan, MAX_MOVE_STEPS + 1, 1600000, 800000, 64)).toBe(PLAN_TOO_LONG);
    expect(plan.segments).toBe(0);
    expect(planMove(plan, 300, 2000001, 1000000, 64)).toBe(PLAN_BAD, "longer than its 32-bit step arithmetic holds");
    expect(plan.steps).toBe(0, "a refused plan has no steps to run");
  });
  test("a few steps per call give the same plan as all at once", () => {
    const dur: i64 = 16000000 / 80;
    expect(planMove(plan, 333, dur, (dur * 350) / 1000, 64)).toBe(PLAN_OK);
    const n = plan.segments;
    const interval = new StaticArray<i32>(n);
    const count = new StaticArray<i32>(n);
    const add = new StaticArray<i32>(n);
    for (let s = 0; s < n; s++) {
      interval[s] = plan.interval[s];
      count[s] = plan.count[s];
      add[s] = plan.add[s];
    }
    const tail = plan.tailStepTicks;
    let calls = 0;
    let r = planBegin(plan, 333, dur, (dur * 350) / 1000, 64);
    while (r == PLAN_BUSY) {
      r = planContinue(8);
      calls++;
    }
    expect(r).toBe(PLAN_OK);
    expect(calls).toBeGreaterThanOrEqual(333 / 8, "no call placed more than 8 steps");
    expect(plan.segments).toBe(n);
    for (let s = 0; s < n; s++) {
      expect(plan.interval[s]).toBe(interval[s]);
      expect(plan.count[s]).toBe(count[s]);
      expect(plan.add[s]).toBe(add[s]);
    }
    expect(plan.tailStepTicks).toBe(tail);
  });
});
