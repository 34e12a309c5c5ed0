// Firmware entry points: the runtime calls init() once after reset, then tick() at CONTROL_HZ.
// Two clocks, two names: step timer ticks (board timing.step_timer_hz; ...StepTicks, the HAL's now_ticks
// and step_queue_push intervals) and control ticks (one per tick(); ...ControlTicks).
import { HAL_ABI_VERSION } from "./abi";
import { now_ticks, watchdog_kick } from "./hal";
import { machineInit, machineTick } from "./machine";
import { pollSerial, resetProtocol } from "./protocol";
import { startTick } from "./budget";
import { encoderTick } from "./encoder";
import { unpackText } from "./generated/text";
import "./abort"; // the abort handler named by --use abort=

export function abi_version(): i32 {
  return HAL_ABI_VERSION;
}

export function init(): void {
  unpackText(); // the firmware's text, kept packed in the module (tools/build/text-table.ts)
  resetProtocol();
  machineInit();
}

export function tick(): void {
  watchdog_kick();
  startTick();
  pollSerial();
  machineTick(now_ticks());
  encoderTick(); // after the machine: a fault of the tick is not checked twice
}
