// Depth and stroke rate: validation, the clamp to the motor's envelope, quantization to motor steps,
// and turning the setting into a compressed half-stroke plan.
import { report_setting } from "./hal";
import { DriveModel, StrokeCheck, checkStroke, maxFreqHz, halfStrokeUs, CLAMP_NONE } from "./envelope";
import { MovePlan, planMove, PLAN_OK } from "./compress";
import { ZONE_NONE, ZONE_CAP_UM, MODE_HOME, MODE_CAP_UM } from "./zones";
import {
  STEP_TIMER_HZ, STEPS_PER_REV, LEAD_NM, RETRACT_UM, CLEARANCE_UM, DEPTH_MIN_UM, DEPTH_MAX_UM,
  FREQ_MIN_HZ, FREQ_MAX_HZ, SPEED_LEVELS_HZ, MARGIN_PERMILLE, MAX_STEP_RATE, CURVE_SPEED_UM_S,
  CURVE_FORCE_MN, CART_MASS_MG, CART_LOAD_MN, CART_MAX_DEPTH_UM, STEP_TOL_TICKS,
} from "./generated/board_config";

export const SET_OK: i32 = 0;
export const SET_OUT_OF_RANGE: i32 = 1;
export const SET_NO_CARTRIDGE: i32 = 2;
export const SET_ABOVE_CAP: i32 = 3;   // capSource() says whose cap

// what sets the depth cap in force (the lowest wins)
export const CAP_BOARD: i32 = 0;
export const CAP_CARTRIDGE: i32 = 1;
export const CAP_MOTOR: i32 = 2;
export const CAP_MODE: i32 = 3;
export const CAP_ZONE: i32 = 4;

export const model = new DriveModel();
const check = new StrokeCheck();

let cartridge: i32 = -1;
let maxDepthUm: i32 = DEPTH_MAX_UM; // board, cartridge and motor
let cartSourceUm: i32 = DEPTH_MAX_UM;
let zone: i32 = ZONE_NONE;
let mode: i32 = MODE_HOME;
let depthUm: i32 = 500;
let requestedHz: i32 = 0;
let runHz: i32 = 0;
let clampReason: i32 = CLAMP_NONE;
let speedLevel: i32 = 0; // 0 when the rate was set directly

export function initSettings(): void {
  const n = CURVE_SPEED_UM_S.length;
  for (let i = 0; i < n; i++) {
    model.curveSpeedUmS[i] = CURVE_SPEED_UM_S[i];
    model.curveForceMn[i] = CURVE_FORCE_MN[i];
  }
  model.curvePoints = n;
  model.marginPermille = MARGIN_PERMILLE;
  model.maxStepRate = MAX_STEP_RATE;
  model.stepsPerRev = STEPS_PER_REV;
  model.leadNm = LEAD_NM;
  speedLevel = SPEED_LEVELS_HZ.length >= 3 ? 3 : 1;
  requestedHz = SPEED_LEVELS_HZ[speedLevel - 1];
  depthUm = 500;
  zone = ZONE_NONE;
  mode = MODE_HOME;
  selectCartridge(-1, 0);
}

export function umToSteps(um: i64): i32 {
  return <i32>((um * 1000 * STEPS_PER_REV + (LEAD_NM >> 1)) / LEAD_NM);
}

export function stepsToUm(steps: i32): i32 {
  const nm = <i64>steps * LEAD_NM;
  return <i32>((nm + (STEPS_PER_REV * 500)) / (STEPS_PER_REV * 1000));
}

export function topSteps(): i32 { return umToSteps(RETRACT_UM); }
export function bottomSteps(): i32 { return umToSteps(<i64>(RETRACT_UM + CLEARANCE_UM + depthUm)); }
/** The depth the motor really reaches: the set depth rounded to whole steps. */
export function quantizedDepthUm(): i32 {
  const bottomNm = <i64>bottomSteps() * LEAD_NM / STEPS_PER_REV;
  return <i32>((bottomNm + 500) / 1000) - RETRACT_UM - CLEARANCE_UM;
}

/**
 * Fit a cartridge (index into the board's table, -1 = none; needle length from its chip, 0 = the
 * table's) and recompute the depth limit. Only when not running: a depth above the new limit is
 * lowered to it and reported.
 */
export function selectCartridge(index: i32, chipLengthUm: i32): void {
  cartridge = index;
  if (index < 0 || index >= CART_MASS_MG.length) {
    cartridge = -1;
    maxDepthUm = DEPTH_MIN_UM;
    return;
  }
  model.massMg = CART_MASS_MG[index];
  model.loadMn = CART_LOAD_MN[index];
  cartSourceUm = CART_MAX_DEPTH_UM[index];
  if (chipLengthUm > 0 && chipLengthUm < cartSourceUm) cartSourceUm = chipLengthUm;
  let limit = min(DEPTH_MAX_UM, cartSourceUm);
  // the deepest setting must still run at the lowest rate
  while (limit > DEPTH_MIN_UM && maxFreqHz(model, <i64>(CLEARANCE_UM + limit), FREQ_MIN_HZ, FREQ_MAX_HZ) == 0) limit -= 10;
  maxDepthUm = limit;
  if (depthUm > depthLimitUm()) depthUm = depthLimitUm();
  reclamp();
}

/** The depth cap in force: the lowest of board, cartridge, motor, mode and zone. */
export function depthLimitUm(): i32 {
  let cap = min(maxDepthUm, MODE_CAP_UM[mode]);
  if (zone != ZONE_NONE) cap = min(cap, ZONE_CAP_UM[zone]);
  return cap;
}

/** Whose cap depthLimitUm() is. */
export function capSource(): i32 {
  const cap = depthLimitUm();
  if (zone != ZONE_NONE && ZONE_CAP_UM[zone] == cap) return CAP_ZONE;
  if (MODE_CAP_UM[mode] == cap) return CAP_MODE;
  if (cartridge >= 0 && cartSourceUm == cap) return CAP_CARTRIDGE;
  if (DEPTH_MAX_UM == cap) return CAP_BOARD;
  return CAP_MOTOR;
}

export function zoneSetting(): i32 { return zone; }
export function modeSetting(): i32 { return mode; }

/** Choose a zone; refused (the depth is never lowered for it) when the depth is above its cap. */
export function setZone(z: i32): i32 {
  if (z <= ZONE_NONE || z >= ZONE_CAP_UM.length) return SET_OUT_OF_RANGE;
  if (depthUm > ZONE_CAP_UM[z]) return SET_ABOVE_CAP;
  zone = z;
  return SET_OK;
}

/** Switch mode; going to a mode whose cap is below the depth is refused. Unlocking is the caller's job. */
export function setMode(m: i32): i32 {
  if (m < 0 || m >= MODE_CAP_UM.length) return SET_OUT_OF_RANGE;
  if (depthUm > MODE_CAP_UM[m]) return SET_ABOVE_CAP;
  mode = m;
  return SET_OK;
}

export function cartridgeIndex(): i32 { return cartridge; }
export function depthSettingUm(): i32 { return depthUm; }
export function requestedFreqHz(): i32 { return requestedHz; }
export function runFreqHz(): i32 { return runHz; }
export function clamp(): i32 { return clampReason; }
export function level(): i32 { return speedLevel; }

export function setDepthUm(um: i32): i32 {
  if (cartridge < 0) return SET_NO_CARTRIDGE;
  if (um < DEPTH_MIN_UM) return SET_OUT_OF_RANGE;
  if (um > depthLimitUm()) return SET_ABOVE_CAP;
  depthUm = um;
  reclamp();
  return SET_OK;
}

export function setFreqHz(hz: i32): i32 {
  if (hz < FREQ_MIN_HZ || hz > FREQ_MAX_HZ) return SET_OUT_OF_RANGE;
  requestedHz = hz;
  speedLevel = 0;
  reclamp();
  return SET_OK;
}

export function setLevel(n: i32): i32 {
  if (n < 1 || n > SPEED_LEVELS_HZ.length) return SET_OUT_OF_RANGE;
  requestedHz = SPEED_LEVELS_HZ[n - 1];
  speedLevel = n;
  reclamp();
  return SET_OK;
}

/** Run the asked rate if the motor can; otherwise keep the depth and lower the rate. */
function reclamp(): void {
  if (cartridge < 0) return;
  const stroke = <i64>(CLEARANCE_UM + quantizedDepthUm());
  if (checkStroke(model, stroke, halfStrokeUs(requestedHz), check)) {
    runHz = requestedHz;
    clampReason = CLAMP_NONE;
  } else {
    clampReason = check.clamp;
    runHz = maxFreqHz(model, stroke, FREQ_MIN_HZ, requestedHz);
  }
  report_setting(quantizedDepthUm(), runHz, requestedHz, clampReason);
}

/** Fill `plan` with the half-stroke of the current setting. Returns a PLAN_* code. */
export function planStroke(plan: MovePlan): i32 {
  const steps = bottomSteps() - topSteps();
  const stroke = <i64>(CLEARANCE_UM + quantizedDepthUm());
  const halfUs = halfStrokeUs(runHz);
  checkStroke(model, stroke, halfUs, check);
  const durTicks = STEP_TIMER_HZ / (2 * <i64>runHz);
  const accTicks = (durTicks * <i64>check.accelPermille) / 1000;
  return planMove(plan, steps, durTicks, accTicks, STEP_TOL_TICKS);
}

/** Fill `plan` with a move of `steps` as fast as the envelope allows (used to retract on a fault). */
export function planFastMove(plan: MovePlan, steps: i32): i32 {
  const um = <i64>stepsToUm(steps);
  const hz = maxFreqHz(model, um, 1, FREQ_MAX_HZ);
  if (hz == 0) return 3;
  checkStroke(model, um, halfStrokeUs(hz), check);
  const durTicks = STEP_TIMER_HZ / (2 * <i64>hz);
  const accTicks = (durTicks * <i64>check.accelPermille) / 1000;
  return planMove(plan, steps, durTicks, accTicks, STEP_TOL_TICKS);
}

export function planOk(code: i32): bool { return code == PLAN_OK; }
