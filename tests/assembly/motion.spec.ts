import { QSTAT_BUSY, SEG_END_OF_MOVE, SEG_STOP_AT_ENDSTOP } from "../../assembly/abi";
import { MovePlan, planMove, PLAN_OK } from "../../assembly/compress";
import { takeRetractPlan, startRetract, feedQueue, motionMode, motionReset, MOTION_IDLE } from "../../assembly/motion";
import { STEP_TIMER_HZ, CONTROL_HZ } from "../../assembly/generated/board_config";
import {
  set_queue_status,
  reset_pushes,
  pushed_steps,
  bad_pushes,
  first_push_interval,
  last_push_flags,
  last_push_final_interval,
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
