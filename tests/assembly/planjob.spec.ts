// The plan jobs are cancelled and started afresh by the events that make their work moot: the
// cartridge taken off, the pen powered off, a fault (stopped at once, started again when cleared).
import { BTN_POWER, DRV_SHORT, ST_FAULT, ST_OFF, ST_READY } from "../../assembly/abi";
import { init, tick } from "../../assembly/index";
import { machineState, powerOff, powerOn } from "../../assembly/machine";
import { setZone, setDepthUm } from "../../assembly/settings";
import { settingsWorking, planState, planJobsHalted, retractPlanSettled } from "../../assembly/planjob";
import { settingChanged } from "../../assembly/strokes";
import { PLAN_OK, PLAN_BAD } from "../../assembly/compress";
import { DEBOUNCE_CONTROL_TICKS } from "../../assembly/generated/board_config";
import {
  set_cartridge,
  set_endstop_reachable,
  set_buttons,
  set_queue_status,
  set_driver_status,
  set_endstop,
} from "./halfake";

function ticks(n: i32): void {
  for (let i = 0; i < n; i++) tick();
}

/** Ticks until the jobs have no work left (at most `max`). */
function settle(max: i32): void {
  for (let i = 0; i < max && settingsWorking(); i++) tick();
}

function homeOk(): void {
  set_endstop_reachable(1);
  set_buttons(BTN_POWER);
  ticks(DEBOUNCE_CONTROL_TICKS + 1);
  set_buttons(0);
  ticks(DEBOUNCE_CONTROL_TICKS + 40);
  setZone(6); // cheeks
}

/** A new depth, and a few ticks of its planning: the job is half-way. */
function halfWayThroughAPlan(): void {
  setDepthUm(1200);
  settingChanged();
  ticks(3);
  expect(settingsWorking()).toBe(true, "the job is under way");
}

describe("plan jobs", () => {
  beforeEach(() => {
    set_buttons(0);
    set_queue_status(-1);
    set_driver_status(0);
    set_endstop(0);
    set_cartridge(1);
    init();
    ticks(30); // the chip read and its tag checked: the jobs start on the cartridge
    settle(5000);
    expect(planState()).toBe(PLAN_OK);
    expect(retractPlanSettled()).toBe(true);
  });

  test("the cartridge taken off: the jobs stop at once, with no plan", () => {
    halfWayThroughAPlan();
    set_cartridge(0);
    ticks(2);
    expect(settingsWorking()).toBe(false);
    expect(planState()).toBe(PLAN_BAD);
    expect(retractPlanSettled()).toBe(true, "nothing to wait for");
    set_cartridge(1); // back on: found afresh, from its depth limit
    ticks(30);
    expect(settingsWorking()).toBe(true, "planned afresh");
    settle(5000);
    expect(planState()).toBe(PLAN_OK);
  });

  test("power off: the jobs start afresh for the cartridge fitted", () => {
    homeOk();
    expect(machineState()).toBe(ST_READY);
    halfWayThroughAPlan();
    powerOff();
    expect(machineState()).toBe(ST_OFF);
    tick();
    expect(settingsWorking()).toBe(true, "the cartridge is fitted again: planned afresh");
    settle(5000);
    expect(planState()).toBe(PLAN_OK);
    expect(retractPlanSettled()).toBe(true);
  });

  test("a fault: the jobs stop where they are, and start afresh when it is cleared", () => {
    homeOk();
    halfWayThroughAPlan();
    set_driver_status(DRV_SHORT);
    tick();
    expect(machineState()).toBe(ST_FAULT);
    expect(planJobsHalted()).toBe(true);
    ticks(50);
    expect(planJobsHalted()).toBe(true, "no job writes a plan while the fault stands");
    set_driver_status(0);
    expect(powerOn()).toBe(0);
    tick();
    expect(planJobsHalted()).toBe(false);
    expect(settingsWorking()).toBe(true, "planned afresh");
    settle(5000);
    expect(planState()).toBe(PLAN_OK);
  });
});
