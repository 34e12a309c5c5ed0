import {
  BTN_POWER,
  BTN_START,
  DRV_SHORT,
  DRV_STALL,
  F_CARTRIDGE_REMOVED,
  F_DRIVER_SHORT,
  F_ENDSTOP_NOT_FOUND,
  F_QUEUE_UNDERRUN,
  F_STALL,
  QSTAT_BUSY,
  QSTAT_UNDERRUN,
  ST_FAULT,
  ST_HOMING,
  ST_OFF,
  ST_READY,
  ST_RUNNING,
} from "../../assembly/abi";
import { init, tick } from "../../assembly/index";
import { machineState, machineFault } from "../../assembly/machine";
import { setZone } from "../../assembly/settings";
import { DEBOUNCE_CONTROL_TICKS } from "../../assembly/generated/board_config";
import {
  set_cartridge,
  set_endstop_reachable,
  set_buttons,
  set_queue_status,
  set_driver_status,
  set_endstop,
  flushes,
  driver_enabled,
  reported_state,
  reported_fault,
} from "./halfake";

function ticks(n: i32): void {
  for (let i = 0; i < n; i++) tick();
}

function press(bits: i32): void {
  set_buttons(bits);
  ticks(DEBOUNCE_CONTROL_TICKS + 1);
  set_buttons(0);
  ticks(DEBOUNCE_CONTROL_TICKS + 1);
}

/** Power on with an endstop that answers, run homing to the end, choose a zone. */
function homeOk(): void {
  set_endstop_reachable(1);
  press(BTN_POWER);
  ticks(10);
  setZone(6); // cheeks
}

describe("state machine", () => {
  beforeEach(() => {
    set_buttons(0);
    set_queue_status(-1);
    set_driver_status(0);
    set_endstop(0);
    set_cartridge(1);
    init();
    ticks(100); // the chip is read (3 ticks), its tag checked (20), the stroke clamped and planned
  });

  test("starts off with the driver off", () => {
    expect(machineState()).toBe(ST_OFF);
    expect(driver_enabled()).toBe(0);
    ticks(10);
    expect(machineState()).toBe(ST_OFF);
  });

  test("a bounce shorter than the debounce time does nothing", () => {
    set_buttons(BTN_POWER);
    ticks(DEBOUNCE_CONTROL_TICKS - 1);
    set_buttons(0);
    ticks(DEBOUNCE_CONTROL_TICKS + 2);
    expect(machineState()).toBe(ST_OFF);
  });

  test("power on homes, then is ready", () => {
    homeOk();
    expect(machineState()).toBe(ST_READY);
    expect(reported_state()).toBe(ST_READY);
    expect(driver_enabled()).toBe(1);
  });

  test("no endstop during homing is a fault with the driver cut", () => {
    set_endstop_reachable(0);
    set_buttons(BTN_POWER);
    ticks(DEBOUNCE_CONTROL_TICKS);
    expect(machineState()).toBe(ST_HOMING);
    ticks(10); // the seek ended without the endstop
    expect(machineState()).toBe(ST_FAULT);
    expect(machineFault()).toBe(F_ENDSTOP_NOT_FOUND);
    expect(driver_enabled()).toBe(0);
  });

  test("start runs; a stall while moving is a fault and flushes the queue", () => {
    homeOk();
    press(BTN_START);
    expect(machineState()).toBe(ST_RUNNING);
    set_queue_status(QSTAT_BUSY);
    const before = flushes();
    set_driver_status(DRV_STALL);
    tick();
    expect(machineState()).toBe(ST_FAULT);
    expect(machineFault()).toBe(F_STALL);
    expect(reported_fault()).toBe(F_STALL);
    expect(flushes()).toBeGreaterThan(before);
  });

  test("a driver short cuts the driver", () => {
    homeOk();
    press(BTN_START);
    set_driver_status(DRV_SHORT);
    tick();
    expect(machineFault()).toBe(F_DRIVER_SHORT);
    expect(driver_enabled()).toBe(0);
  });

  test("a queue that runs dry inside a move is a fault", () => {
    homeOk();
    press(BTN_START);
    set_queue_status(QSTAT_BUSY | QSTAT_UNDERRUN);
    tick();
    expect(machineFault()).toBe(F_QUEUE_UNDERRUN);
  });

  test("start is refused before homing", () => {
    press(BTN_START);
    expect(machineState()).toBe(ST_OFF);
  });

  test("start is refused without a zone, and without a cartridge", () => {
    set_endstop_reachable(1);
    press(BTN_POWER);
    ticks(10);
    press(BTN_START);
    expect(machineState()).toBe(ST_READY);
    setZone(6);
    set_cartridge(0);
    ticks(2);
    press(BTN_START);
    expect(machineState()).toBe(ST_READY);
  });

  test("taking the cartridge off while stroking is a fault", () => {
    homeOk();
    press(BTN_START);
    expect(machineState()).toBe(ST_RUNNING);
    set_cartridge(0);
    tick();
    expect(machineState()).toBe(ST_FAULT);
    expect(machineFault()).toBe(F_CARTRIDGE_REMOVED);
  });
});
