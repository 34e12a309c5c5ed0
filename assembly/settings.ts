// Depth and stroke rate: validation, the clamp to the motor's envelope, quantization to motor steps,
// and turning the setting into a compressed half-stroke plan.
import {
  CAP_BOARD, CAP_CARTRIDGE, CAP_MODE, CAP_MOTOR, CAP_ZONE, CLAMP_NONE, CLAMP_STEP_RATE, CLAMP_TORQUE,
  MODE_CAP_UM, MODE_COUNT, MODE_HOME, SET_ABOVE_CAP, SET_NO_CARTRIDGE, SET_OK, SET_OUT_OF_RANGE,
  ZONE_CAP_UM, ZONE_COUNT, ZONE_NONE,
} from "./abi";
import { report_setting } from "./hal";
import { DriveModel, checkShare, shareSlackMn, sharePermille, halfStrokeUs, SHARE_COUNT } from "./envelope";
import { MovePlan, planBegin, planContinue, PLAN_OK, PLAN_BAD, PLAN_BUSY } from "./compress";
import {
  STEP_TIMER_HZ, STEPS_PER_REV, LEAD_NM, RETRACT_UM, CLEARANCE_UM, DEPTH_MIN_UM, DEPTH_MAX_UM,
  FREQ_MIN_HZ, FREQ_MAX_HZ, SPEED_LEVELS_HZ, SPEED_LEVELS_HZ_LEN, MARGIN_PERMILLE, MAX_STEP_RATE, CURVE_SPEED_UM_S,
  CURVE_SPEED_UM_S_LEN, CURVE_FORCE_MN, CART_MASS_MG, CART_MASS_MG_LEN, CART_LOAD_MN, CART_MAX_DEPTH_UM, STEP_TOL_TICKS,
} from "./generated/board_config";



export const model = changetype<DriveModel>(memory.data(offsetof<DriveModel>())); // static: filled by initSettings()

let cartridge: i32 = -1;
let maxDepthUm: i32 = 0; // board, cartridge and motor (initSettings)
let cartSourceUm: i32 = 0;
let zone: i32 = 0; // ZONE_NONE
let mode: i32 = 0; // MODE_HOME
let depthUm: i32 = 500;
let requestedHz: i32 = 0;
let runHz: i32 = 0;
let clampReason: i32 = 0; // CLAMP_NONE
let speedLevel: i32 = 0; // 0 when the rate was set directly

export function initSettings(): void {
  model.curveSpeedUmS = CURVE_SPEED_UM_S;
  model.curveForceMn = CURVE_FORCE_MN;
  model.curvePoints = CURVE_SPEED_UM_S_LEN;
  model.marginPermille = MARGIN_PERMILLE;
  model.maxStepRate = MAX_STEP_RATE;
  model.stepsPerRev = STEPS_PER_REV;
  model.leadNm = LEAD_NM;
  speedLevel = SPEED_LEVELS_HZ_LEN >= 3 ? 3 : 1;
  requestedHz = SPEED_LEVELS_HZ[speedLevel - 1];
  depthUm = 500;
  zone = ZONE_NONE;
  mode = MODE_HOME;
  beginCartridge(-1, 0, planTarget, spare);
}
const spare = changetype<MovePlan>(memory.data(offsetof<MovePlan>())); // a plan nothing uses, before any cartridge

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
export function quantizedDepthUm(): i32 { return <i32>strokeUm(bottomSteps() - topSteps()) - CLEARANCE_UM; }

/** Stroke length (um) the motor really makes for a stroke of `steps`. */
function strokeUm(steps: i32): i64 {
  const bottomNm = <i64>(topSteps() + steps) * LEAD_NM / STEPS_PER_REV;
  return (bottomNm + 500) / 1000 - RETRACT_UM;
}

function strokeSteps(): i32 { return stepsForDepth(depthUm); }
function stepsForDepth(um: i32): i32 { return umToSteps(<i64>(RETRACT_UM + CLEARANCE_UM + um)) - topSteps(); }

/**
 * Fit a cartridge (index into the board's table, -1 = none; needle length from its chip, 0 = the
 * table's); its stroke is then planned into `plan`. Removal takes effect at once; a new cartridge
 * is usable once the job has found its depth limit (settingsBusy() until then). Only when not running.
 */
export function beginCartridge(index: i32, chipLengthUm: i32, plan: MovePlan, retract: MovePlan): void {
  cartridge = -1;
  maxDepthUm = DEPTH_MIN_UM;
  job = JOB_IDLE;
  planResult = PLAN_BAD;
  forRetract = false;
  retractTarget = retract;
  retract.steps = 0; // made again for this cartridge
  if (index < 0 || index >= CART_MASS_MG_LEN) return;
  model.massMg = CART_MASS_MG[index];
  model.loadMn = CART_LOAD_MN[index];
  cartSourceUm = CART_MAX_DEPTH_UM[index];
  if (chipLengthUm > 0 && chipLengthUm < cartSourceUm) cartSourceUm = chipLengthUm;
  fittingIndex = index;
  limitUm = min(DEPTH_MAX_UM, cartSourceUm);
  planTarget = plan;
  job = JOB_LIMIT;
  probeBegin(<i64>(CLEARANCE_UM + limitUm), FREQ_MIN_HZ);
}

/** Fit a cartridge and finish the job at once (tests). */
export function selectCartridge(index: i32, chipLengthUm: i32, plan: MovePlan = new MovePlan(), retract: MovePlan = new MovePlan()): void {
  beginCartridge(index, chipLengthUm, plan, retract);
  finishSettings();
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
  if (z <= ZONE_NONE || z >= ZONE_COUNT) return SET_OUT_OF_RANGE;
  if (depthUm > ZONE_CAP_UM[z]) return SET_ABOVE_CAP;
  zone = z;
  return SET_OK;
}

/** Switch mode; going to a mode whose cap is below the depth is refused. Unlocking is the caller's job. */
export function setMode(m: i32): i32 {
  if (m < 0 || m >= MODE_COUNT) return SET_OUT_OF_RANGE;
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
  requestedHz = SPEED_LEVELS_HZ[n - 1];
  speedLevel = n;
  return SET_OK;
}

// ---- the setting job ---------------------------------------------------------------------------
// Work too long for one control tick runs here a little per tick: the depth limit of a newly fitted
// cartridge, the clamp of a new setting to the motor's envelope, then the plan of its half-stroke;
// then, once per cartridge, the retract plan (the deepest stroke at the highest rate it runs at,
// whose steps the retract on a fault copies). A check of one acceleration share is a few 64-bit
// divisions; the budget is in shares per tick.

const SHARES_PER_TICK: i32 = 1;
const PLAN_STEPS_PER_TICK: i32 = 6;

const JOB_IDLE: i32 = 0;
const JOB_LIMIT: i32 = 1; // the deepest setting the motor runs at the lowest rate (10 um at a time)
const JOB_CLAMP: i32 = 2; // the asked rate, else the highest rate that runs (binary search)
const JOB_SHARE: i32 = 3; // the share with the most force to spare at the rate run
const JOB_PLAN: i32 = 4;  // step compression
let job: i32 = 0; // JOB_IDLE
let forRetract: bool = false; // the job is making the retract plan, not the setting's
let fittingIndex: i32 = -1;
let limitUm: i32 = 0;
let jobSteps: i32 = 0;    // the stroke clamped and planned
let askHz: i32 = 0;
let clampStage: i32 = 0;  // 0 the asked rate, 1 the lowest rate, 2 the search
let loHz: i32 = 0;        // runs
let hiHz: i32 = 0;        // does not run
let planTarget: MovePlan = changetype<MovePlan>(0);
let retractTarget: MovePlan = changetype<MovePlan>(0);
let planResult: i32 = 3; // PLAN_BAD

// the stroke and rate under check, a share at a time
let probeUm: i64 = 0;
let probeHz: i32 = 0;
let probeShare: i32 = 0;
let probeRateOk: bool = false; // some share was within the step rate
let bestShare: i32 = 0;
let bestSlack: i64 = 0;

function probeBegin(um: i64, hz: i32): void {
  probeUm = um;
  probeHz = hz;
  probeShare = 0;
  probeRateOk = false;
  bestShare = 0;
  bestSlack = -1;
}

/** Tries the next share: -1 while more are to try, else 1 if some share runs (bestShare) or 0. */
function probeNext(all: bool): i32 {
  const i = probeShare++;
  const r = checkShare(model, probeUm, halfStrokeUs(probeHz), i);
  if (r != CLAMP_STEP_RATE) probeRateOk = true;
  if (r == CLAMP_NONE && shareSlackMn > bestSlack) {
    bestSlack = shareSlackMn;
    bestShare = sharePermille(i);
    if (!all) return 1;
  }
  if (probeShare < SHARE_COUNT) return -1;
  return bestShare > 0 ? 1 : 0;
}

/** After a change of depth or rate: clamp it, then plan it into `plan`. */
export function beginSetting(plan: MovePlan): void {
  planTarget = plan;
  planResult = PLAN_BAD;
  if (forRetract) { forRetract = false; retractTarget.steps = 0; } // started again once the setting is planned
  if (cartridge < 0) { if (job != JOB_LIMIT) job = JOB_IDLE; return; } // a cartridge being fitted clamps when it is taken
  startClamp(strokeSteps(), requestedHz);
}

function startClamp(steps: i32, hz: i32): void {
  job = JOB_CLAMP;
  clampStage = 0;
  jobSteps = steps;
  askHz = hz;
  probeBegin(strokeUm(steps), hz);
}

/** One tick of the job. */
export function settingsTick(): void {
  for (let n = 0; n < SHARES_PER_TICK && job != JOB_IDLE; n++) {
    if (job == JOB_PLAN) {
      const r = planContinue(PLAN_STEPS_PER_TICK);
      if (r == PLAN_BUSY) return;
      job = JOB_IDLE;
      if (forRetract) { forRetract = false; return; }
      planResult = r;
      if (retractTarget.steps == 0) { // once per cartridge, after the setting's own plan
        forRetract = true;
        startClamp(stepsForDepth(maxDepthUm), FREQ_MAX_HZ);
      }
      return;
    }
    const r = probeNext(job == JOB_SHARE);
    if (r < 0) continue;
    if (job == JOB_LIMIT) {
      if (r == 0 && limitUm > DEPTH_MIN_UM) {
        limitUm -= 10;
        probeBegin(<i64>(CLEARANCE_UM + limitUm), FREQ_MIN_HZ);
        continue;
      }
      cartridge = fittingIndex;
      maxDepthUm = limitUm;
      if (depthUm > depthLimitUm()) depthUm = depthLimitUm();
      startClamp(strokeSteps(), requestedHz);
    } else if (job == JOB_CLAMP) {
      clampStep(r > 0);
    } else {
      if (r == 0) { if (!forRetract) planResult = PLAN_BAD; job = JOB_IDLE; return; }
      const durTicks = STEP_TIMER_HZ / (2 * <i64>probeHz);
      const res = planBegin(forRetract ? retractTarget : planTarget, jobSteps, durTicks, (durTicks * <i64>bestShare) / 1000, STEP_TOL_TICKS);
      job = res == PLAN_BUSY ? JOB_PLAN : JOB_IDLE;
      if (!forRetract) planResult = res;
      return;
    }
  }
}

/** Run the asked rate if the motor can; otherwise keep the depth and lower the rate. */
function clampStep(runs: bool): void {
  if (clampStage == 0) {
    if (runs) { finishClamp(askHz, CLAMP_NONE); return; }
    clampReason = probeRateOk ? CLAMP_TORQUE : CLAMP_STEP_RATE;
    loHz = FREQ_MIN_HZ;
    hiHz = askHz;
  } else if (clampStage == 1 && !runs) {
    finishClamp(0, clampReason); // not even the lowest rate
    return;
  } else if (clampStage == 2) {
    if (runs) loHz = probeHz; else hiHz = probeHz;
  }
  // the lowest rate first, then halve [lo, hi) until one rate is left: the rate falls as the stroke grows
  const hz = clampStage == 0 ? FREQ_MIN_HZ : (loHz + hiHz) >> 1;
  clampStage = clampStage == 0 ? 1 : 2;
  if (hz > loHz || clampStage == 1) { probeBegin(probeUm, hz); return; }
  finishClamp(loHz, clampReason);
}

function finishClamp(hz: i32, reason: i32): void {
  job = JOB_IDLE;
  if (!forRetract) {
    runHz = hz;
    clampReason = reason;
    report_setting(quantizedDepthUm(), runHz, requestedHz, clampReason);
  }
  if (hz == 0) return;
  job = JOB_SHARE;
  probeBegin(probeUm, hz);
}

/** True while the job has not yet settled the depth limit and rate (a reply to SET waits for it). */
export function settingPending(): bool { return !forRetract && (job == JOB_LIMIT || job == JOB_CLAMP); }

/** True while a newly fitted cartridge is not yet usable. */
export function settingsBusy(): bool { return job == JOB_LIMIT; }

/** The stroke plan: PLAN_BUSY while the job works on it, then PLAN_OK or why it failed. */
export function planState(): i32 { return job != JOB_IDLE && !forRetract ? PLAN_BUSY : planResult; }

/** True while the job has work left (the retract plan included). */
export function settingsWorking(): bool { return job != JOB_IDLE; }

/** Runs the job to its end at once (tests). */
export function finishSettings(): void { while (job != JOB_IDLE) settingsTick(); }

/** Plans the current setting at once (tests). */
export function planStroke(plan: MovePlan): i32 {
  beginSetting(plan);
  finishSettings();
  return planResult;
}

export function planOk(code: i32): bool { return code == PLAN_OK; }
