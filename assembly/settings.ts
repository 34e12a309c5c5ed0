// The settings store: depth, stroke rate (asked and run), speed level, zone, mode, the fitted
// cartridge and the depth cap in force, and the conversions between micrometres and motor steps.
// Turning a setting into a plan is the plan jobs' work (planjob.ts).
import { report_setting } from "./hal";
import {
  CAP_BOARD,
  CAP_CARTRIDGE,
  CAP_MODE,
  CAP_MOTOR,
  CAP_ZONE,
  MODE_CAP_UM,
  MODE_COUNT,
  MODE_HOME,
  SET_ABOVE_CAP,
  SET_NO_CARTRIDGE,
  SET_OK,
  SET_OUT_OF_RANGE,
  ZONE_CAP_UM,
  ZONE_COUNT,
  ZONE_NONE,
} from "./abi";
import {
  STEPS_PER_REV,
  LEAD_NM,
  RETRACT_UM,
  CLEARANCE_UM,
  DEPTH_MIN_UM,
  DEPTH_MAX_UM,
  FREQ_MIN_HZ,
  FREQ_MAX_HZ,
  SPEED_LEVELS_HZ,
  SPEED_LEVELS_HZ_LEN,
  CART_MAX_DEPTH_UM,
} from "./generated/board_config";
import { item } from "./statics";

let cartridge: i32 = -1;
let maxDepthUm: i32 = 0; // board, cartridge and motor (fitCartridge)
let cartSourceUm: i32 = 0;
let zone: i32 = 0; // ZONE_NONE
let mode: i32 = 0; // MODE_HOME
let depthUm: i32 = 500;
let requestedHz: i32 = 0;
let runHz: i32 = 0;
let clampReason: i32 = 0; // CLAMP_NONE
let speedLevel: i32 = 0; // 0 when the rate was set directly

/** The start-up setting; no cartridge (the caller starts the plan jobs afresh). */
export function resetSettings(): void {
  speedLevel = SPEED_LEVELS_HZ_LEN >= 3 ? 3 : 1;
  requestedHz = item(SPEED_LEVELS_HZ, speedLevel - 1);
  depthUm = 500;
  zone = ZONE_NONE;
  mode = MODE_HOME;
}

/** Power-off: home mode and no zone, as at power-up; true when the depth had to come down to the home cap. */
export function settingsToPowerUp(): bool {
  mode = MODE_HOME;
  zone = ZONE_NONE;
  const capUm = item(MODE_CAP_UM, MODE_HOME);
  if (depthUm <= capUm) return false;
  depthUm = capUm;
  return true;
}

export function umToSteps(um: i64): i32 {
  return <i32>((um * 1000 * STEPS_PER_REV + (LEAD_NM >> 1)) / LEAD_NM);
}

export function stepsToUm(steps: i32): i32 {
  const nm = <i64>steps * LEAD_NM;
  return <i32>((nm + STEPS_PER_REV * 500) / (STEPS_PER_REV * 1000));
}

export function topSteps(): i32 {
  return umToSteps(RETRACT_UM);
}
export function bottomSteps(): i32 {
  return umToSteps(<i64>(RETRACT_UM + CLEARANCE_UM + depthUm));
}
/** The depth the motor really reaches: the set depth rounded to whole steps. */
export function quantizedDepthUm(): i32 {
  return <i32>strokeUm(bottomSteps() - topSteps()) - CLEARANCE_UM;
}

/** Stroke length (um) the motor really makes for a stroke of `steps`. */
export function strokeUm(steps: i32): i64 {
  const bottomNm = (<i64>(topSteps() + steps) * LEAD_NM) / STEPS_PER_REV;
  return (bottomNm + 500) / 1000 - RETRACT_UM;
}

/** The stroke (steps) of the depth set. */
export function strokeSteps(): i32 {
  return stepsForDepth(depthUm);
}
export function stepsForDepth(um: i32): i32 {
  return umToSteps(<i64>(RETRACT_UM + CLEARANCE_UM + um)) - topSteps();
}

/** No usable cartridge: no depth can be set until fitCartridge(). */
export function clearCartridge(): void {
  cartridge = -1;
  maxDepthUm = DEPTH_MIN_UM;
}

/** The depth a cartridge (board table index) allows: its table's, or its chip's needle length when shorter (0 = the table's). */
export function cartridgeLimitUm(index: i32, chipLengthUm: i32): i32 {
  cartSourceUm = item(CART_MAX_DEPTH_UM, index);
  if (chipLengthUm > 0 && chipLengthUm < cartSourceUm) cartSourceUm = chipLengthUm;
  return min(DEPTH_MAX_UM, cartSourceUm);
}

/** The cartridge is usable, down to `limitUm` (the motor's limit found): a deeper depth comes up to the cap. */
export function fitCartridge(index: i32, limitUm: i32): void {
  cartridge = index;
  maxDepthUm = limitUm;
  if (depthUm > depthLimitUm()) depthUm = depthLimitUm();
}

/** The deepest depth of the fitted cartridge (the retract plan's stroke). */
export function cartridgeMaxDepthUm(): i32 {
  return maxDepthUm;
}

/** The depth cap in force: the lowest of board, cartridge, motor, mode and zone. */
export function depthLimitUm(): i32 {
  let cap = min(maxDepthUm, item(MODE_CAP_UM, mode));
  if (zone != ZONE_NONE) cap = min(cap, item(ZONE_CAP_UM, zone));
  return cap;
}

/** Whose cap depthLimitUm() is. */
export function capSource(): i32 {
  const cap = depthLimitUm();
  if (zone != ZONE_NONE && item(ZONE_CAP_UM, zone) == cap) return CAP_ZONE;
  if (item(MODE_CAP_UM, mode) == cap) return CAP_MODE;
  if (cartridge >= 0 && cartSourceUm == cap) return CAP_CARTRIDGE;
  if (DEPTH_MAX_UM == cap) return CAP_BOARD;
  return CAP_MOTOR;
}

export function zoneSetting(): i32 {
  return zone;
}
export function modeSetting(): i32 {
  return mode;
}

/** Choose a zone; refused (the depth is never lowered for it) when the depth is above its cap. */
export function setZone(z: i32): i32 {
  if (z <= ZONE_NONE || z >= ZONE_COUNT) return SET_OUT_OF_RANGE;
  if (depthUm > item(ZONE_CAP_UM, z)) return SET_ABOVE_CAP;
  zone = z;
  return SET_OK;
}

/** Switch mode; going to a mode whose cap is below the depth is refused. Unlocking is the caller's job. */
export function setMode(m: i32): i32 {
  if (m < 0 || m >= MODE_COUNT) return SET_OUT_OF_RANGE;
  if (depthUm > item(MODE_CAP_UM, m)) return SET_ABOVE_CAP;
  mode = m;
  return SET_OK;
}

export function cartridgeIndex(): i32 {
  return cartridge;
}
export function depthSettingUm(): i32 {
  return depthUm;
}
export function requestedFreqHz(): i32 {
  return requestedHz;
}
export function runFreqHz(): i32 {
  return runHz;
}
export function clamp(): i32 {
  return clampReason;
}
export function level(): i32 {
  return speedLevel;
}

export function setDepthUm(um: i32): i32 {
  if (cartridge < 0) return SET_NO_CARTRIDGE;
  if (um < DEPTH_MIN_UM) return SET_OUT_OF_RANGE;
  if (um > depthLimitUm()) return SET_ABOVE_CAP;
  depthUm = um;
  return SET_OK;
}

export function setFreqHz(hz: i32): i32 {
  if (hz < FREQ_MIN_HZ || hz > FREQ_MAX_HZ) return SET_OUT_OF_RANGE;
  requestedHz = hz;
  speedLevel = 0;
  return SET_OK;
}

export function setLevel(n: i32): i32 {
  if (n < 1 || n > SPEED_LEVELS_HZ_LEN) return SET_OUT_OF_RANGE;
  requestedHz = item(SPEED_LEVELS_HZ, n - 1);
  speedLevel = n;
  return SET_OK;
}

/** The stroke plan job has clamped the setting: the rate run and why it is below the rate asked. */
export function settingClamped(hz: i32, reason: i32): void {
  runHz = hz;
  clampReason = reason;
  report_setting(quantizedDepthUm(), runHz, requestedHz, clampReason);
}
