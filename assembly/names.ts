// The names of the firmware's enums (abi.ts) as the serial protocol prints and parses them, in code
// order (docs/serial-protocol.md). Each list is a literal call, so the build's text table stores it once.
import { put, putField, wordIn } from "./textio";

export function putState(s: i32): void { putField("off|homing|ready|running|paused|fault", s); }
export function putFault(f: i32): void {
  putField("none|stall|driver_overtemp|driver_short|queue_underrun|endstop_not_found|endstop_stuck|watchdog_reset|driver_undervoltage|plan|firmware_reset|battery_low|lost_steps|stuck_button|cartridge_removed", f);
}
export function putClamp(c: i32): void { putField("none|torque|step_rate", c); }
export function putRefusal(r: i32): void { putField("none|unknown|not_genuine|used", r); }
/** CAP_BOARD, CAP_CARTRIDGE, CAP_MOTOR (zone and mode caps are named with their zone or mode) */
export function putCapSource(src: i32): void { putField("board|cartridge|motor", src); }
// zones 1..10; 0 is none
export function putZone(z: i32): void {
  if (z == 0) put("none");
  else putField("forehead|eyes|nose|upper_lip|cheekbones|cheeks|neck|acne_scars|stretch_marks|scalp", z - 1);
}
export function zoneWord(): i32 { return wordIn("forehead|eyes|nose|upper_lip|cheekbones|cheeks|neck|acne_scars|stretch_marks|scalp") + 1; }
/** all zone names, for the reply to an unknown one */
export function putZoneList(): void { put("forehead|eyes|nose|upper_lip|cheekbones|cheeks|neck|acne_scars|stretch_marks|scalp"); }
export function putMode(m: i32): void { putField("home|professional", m); }
export function modeWord(): i32 { return wordIn("home|professional"); }
/** all mode names, for the reply to an unknown one */
export function putModeList(): void { put("home|professional"); }
