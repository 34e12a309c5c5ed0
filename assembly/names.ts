// Generated from abi/pen-abi.ts by `npm run gen`. Do not edit: change the dictionary.
// Names of the firmware's codes as the serial protocol writes and reads them.
import { put, putField, wordIn } from "./textio";

export function putState(s: i32): void { putField("off|homing|ready|running|paused|fault", s); }
export function putFault(f: i32): void { putField("none|stall|driver_overtemp|driver_short|queue_underrun|endstop_not_found|endstop_stuck|watchdog_reset|driver_undervoltage|plan|firmware_reset|battery_low|lost_steps|stuck_button|cartridge_removed|encoder_slip", f); }
export function putClamp(c: i32): void { putField("none|torque|step_rate", c); }
export function putRefusal(r: i32): void { putField("none|unknown|not_genuine|used|uncertified|pen_key_unprovisioned|pen_key_zero|pen_key_malformed|rng_failed", r); }
export function putAuthFailure(r: i32): void { putField("none|wrong_answer|no_live_challenge|locked_out|replayed|no_licence|licence_malformed|licence_other_key|licence_not_genuine|licence_expired|licence_revoked|licence_other_pen|clock_not_set|key_unprovisioned|key_zero|key_malformed|no_serial|no_random|crypto_error", r); }
export function putCapSource(c: i32): void { putField("board|cartridge|motor|mode|zone", c); }
/** zone 0 is none */
export function putZone(z: i32): void {
  if (z == 0) put("none");
  else putField("forehead|eyes|nose|upper_lip|cheekbones|cheeks|neck|acne_scars|stretch_marks|scalp", z - 1);
}
/** the zone named by the next word of the line, 0 when it names none */
export function zoneWord(): i32 { return wordIn("forehead|eyes|nose|upper_lip|cheekbones|cheeks|neck|acne_scars|stretch_marks|scalp") + 1; }
/** all zone names, for the reply to an unknown one */
export function putZoneList(): void { put("forehead|eyes|nose|upper_lip|cheekbones|cheeks|neck|acne_scars|stretch_marks|scalp"); }
export function putMode(m: i32): void { putField("home|professional", m); }
/** the mode named by the next word of the line, -1 when it names none */
export function modeWord(): i32 { return wordIn("home|professional"); }
/** all mode names, for the reply to an unknown one */
export function putModeList(): void { put("home|professional"); }
