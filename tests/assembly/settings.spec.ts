import {
  CAP_CARTRIDGE,
  CAP_MODE,
  CAP_ZONE,
  CLAMP_NONE,
  CLAMP_TORQUE,
  MODE_HOME,
  MODE_PROFESSIONAL,
  SET_ABOVE_CAP,
  SET_NO_CARTRIDGE,
  SET_OK,
  SET_OUT_OF_RANGE,
  ZONE_CAP_UM,
} from "../../assembly/abi";
import {
  setDepthUm,
  setFreqHz,
  setLevel,
  setZone,
  setMode,
  umToSteps,
  stepsToUm,
  quantizedDepthUm,
  strokeUm,
  strokeSteps,
  depthLimitUm,
  capSource,
  runFreqHz,
  clamp,
  bottomSteps,
  topSteps,
} from "../../assembly/settings";
import {
  initSettings,
  selectCartridge,
  planStroke,
  planState,
  beginSetting,
  planJobsTick,
  settingPending,
  model,
  TRIM_MAX_STEPS,
} from "../../assembly/planjob";
import { MovePlan, PLAN_OK, PLAN_BUSY } from "../../assembly/compress";
import {
  StrokeCheck,
  checkStroke,
  halfStrokeUs,
  checkShare,
  sharePermille,
  downHalf,
  SHARE_COUNT,
} from "../../assembly/envelope";
import {
  STEPS_PER_REV,
  LEAD_NM,
  DEPTH_MIN_UM,
  DEPTH_MAX_UM,
  FREQ_MIN_HZ,
  FREQ_MAX_HZ,
  SPEED_LEVELS_HZ_LEN,
  CART_MAX_DEPTH_UM,
  CART_MAX_DEPTH_UM_LEN,
  CLEARANCE_UM,
  RING_PERIOD_US,
  RING_OVER_US,
  SHORT_HALF_US,
  SHORT_RAMP_US,
} from "../../assembly/generated/board_config";

const stepNm = <i32>(LEAD_NM / STEPS_PER_REV);
const plan = new MovePlan();

/**
 * Every share the force check runs a stroke's down half with at `hz` (equal halves, or the down half
 * longer) speeds up for longer than the ringing period by more than RING_OVER_US: the clamp does not
 * run such a rate (assembly/planjob.ts).
 */
function onlyLongRamps(strokeUm: i64, hz: i32): bool {
  const half = halfStrokeUs(hz);
  for (let k = 0; k < 2; k++) {
    const downUs = k == 0 ? half : downHalf(model, half, hz);
    const rampUs = <i32>downUs < SHORT_HALF_US ? SHORT_RAMP_US : RING_PERIOD_US;
    for (let i = 0; i < SHARE_COUNT; i++) {
      if (checkShare(model, strokeUm, downUs, i) != CLAMP_NONE) continue;
      if ((<i32>downUs * sharePermille(i)) / 1000 - rampUs <= RING_OVER_US) return false;
    }
  }
  return true;
}

/** A new depth or rate is clamped and planned by a job over several ticks: run it to its end. */
function settle(): i32 {
  return planStroke(plan);
}

describe("quantization", () => {
  test("um -> steps -> um stays within half a step", () => {
    for (let um = 0; um < 5000; um += 7) {
      const back = stepsToUm(umToSteps(um));
      expect(abs(back - um) * 1000).toBeLessThanOrEqual(stepNm / 2 + 1000);
    }
  });
  test("the depth the motor reaches is the set depth rounded to a step", () => {
    initSettings();
    setMode(MODE_PROFESSIONAL);
    selectCartridge(1, 0);
    for (let um = DEPTH_MIN_UM; um <= 2000; um += 10) {
      expect(setDepthUm(um)).toBe(SET_OK);
      expect(abs(quantizedDepthUm() - um) * 1000).toBeLessThanOrEqual(stepNm / 2 + 1000);
    }
  });
});

describe("settings", () => {
  test("refuse depths and rates outside the range", () => {
    initSettings();
    selectCartridge(1, 0);
    expect(setDepthUm(DEPTH_MIN_UM - 1)).toBe(SET_OUT_OF_RANGE);
    expect(setDepthUm(depthLimitUm() + 1)).toBe(SET_ABOVE_CAP);
    expect(setDepthUm(9000)).toBe(SET_ABOVE_CAP);
    expect(setFreqHz(0)).toBe(SET_OUT_OF_RANGE);
    expect(setFreqHz(FREQ_MIN_HZ - 1)).toBe(SET_OUT_OF_RANGE);
    expect(setFreqHz(FREQ_MAX_HZ + 1)).toBe(SET_OUT_OF_RANGE);
    expect(setLevel(0)).toBe(SET_OUT_OF_RANGE);
    expect(setLevel(SPEED_LEVELS_HZ_LEN + 1)).toBe(SET_OUT_OF_RANGE);
  });
  test("need a cartridge to set a depth", () => {
    initSettings();
    selectCartridge(-1, 0);
    expect(setDepthUm(1000)).toBe(SET_NO_CARTRIDGE);
  });
  test("the depth limit is the lowest of board, cartridge and motor", () => {
    initSettings();
    setMode(MODE_PROFESSIONAL);
    for (let c = 0; c < CART_MAX_DEPTH_UM_LEN; c++) {
      selectCartridge(c, 0);
      expect(depthLimitUm()).toBeLessThanOrEqual(min(DEPTH_MAX_UM, CART_MAX_DEPTH_UM[c]));
      expect(setDepthUm(depthLimitUm())).toBe(SET_OK);
      expect(settle()).toBe(PLAN_OK);
      expect(runFreqHz()).toBeGreaterThanOrEqual(FREQ_MIN_HZ);
    }
  });
  test("keep the depth and lower the rate when the motor cannot", () => {
    initSettings();
    setMode(MODE_PROFESSIONAL);
    selectCartridge(1, 0);
    expect(setDepthUm(depthLimitUm())).toBe(SET_OK);
    expect(setFreqHz(FREQ_MAX_HZ)).toBe(SET_OK);
    expect(settle()).toBe(PLAN_OK);
    expect(clamp()).toBe(CLAMP_TORQUE);
    expect(runFreqHz()).toBeLessThan(FREQ_MAX_HZ);
    expect(runFreqHz()).toBeGreaterThanOrEqual(FREQ_MIN_HZ);
    expect(setFreqHz(FREQ_MIN_HZ)).toBe(SET_OK);
    expect(settle()).toBe(PLAN_OK);
    expect(clamp()).toBe(CLAMP_NONE);
    expect(runFreqHz()).toBe(FREQ_MIN_HZ);
  });
  test("the clamp found a share at a time runs, the next rate does not (or only far from the ringing period), and the rate falls with depth", () => {
    initSettings();
    setMode(MODE_PROFESSIONAL);
    selectCartridge(1, 0);
    const check = new StrokeCheck();
    let prevHz = FREQ_MAX_HZ;
    for (let um = DEPTH_MIN_UM; um <= depthLimitUm(); um += 50) {
      expect(setDepthUm(um)).toBe(SET_OK);
      expect(setFreqHz(FREQ_MAX_HZ)).toBe(SET_OK);
      beginSetting(plan);
      let ticks = 0;
      while (settingPending()) {
        planJobsTick();
        ticks++;
      }
      // the clamp leaves room for the deepest trim where the lowest rate has it
      const roomy = strokeUm(strokeSteps() + TRIM_MAX_STEPS);
      const stroke = checkStroke(model, roomy, halfStrokeUs(FREQ_MIN_HZ), check)
        ? roomy
        : <i64>(CLEARANCE_UM + quantizedDepthUm());
      const hz = runFreqHz();
      expect(hz).toBeGreaterThanOrEqual(FREQ_MIN_HZ, "depth " + um.toString());
      expect(checkStroke(model, stroke, halfStrokeUs(hz), check)).toBe(
        true,
        "the rate run runs, depth " + um.toString(),
      );
      // (the next rate fails the force check, or passes it only speeding up far longer than the ringing period)
      if (hz < FREQ_MAX_HZ)
        expect(!checkStroke(model, stroke, halfStrokeUs(hz + 1), check) || onlyLongRamps(stroke, hz + 1)).toBe(
          true,
          "the next rate does not, depth " + um.toString(),
        );
      expect(hz).toBeLessThanOrEqual(prevHz, "deeper is never faster");
      prevHz = hz;
      // a share a tick: the asked rate, the lowest, then at most 7 halvings of 25..150 Hz, 6 shares each
      expect(ticks).toBeLessThanOrEqual(9 * 6, "the clamp is bounded");
      checkStroke(model, stroke, halfStrokeUs(FREQ_MAX_HZ), check);
      expect(clamp()).toBe(check.clamp);
      while (planState() == PLAN_BUSY) planJobsTick();
      expect(planState()).toBe(PLAN_OK);
      expect(plan.steps).toBe(bottomSteps() - topSteps());
    }
  });
});

describe("caps", () => {
  test("home mode caps at 1.5 mm, a zone below that caps lower, and the cap says whose it is", () => {
    initSettings();
    selectCartridge(1, 0);
    expect(depthLimitUm()).toBe(1500);
    expect(capSource()).toBe(CAP_MODE);
    expect(setZone(1)).toBe(SET_OK); // forehead
    expect(depthLimitUm()).toBe(ZONE_CAP_UM[1]);
    expect(capSource()).toBe(CAP_ZONE);
    expect(setDepthUm(ZONE_CAP_UM[1] + 10)).toBe(SET_ABOVE_CAP);
  });
  test("a zone or mode whose cap is below the depth is refused, and the depth stays", () => {
    initSettings();
    setMode(MODE_PROFESSIONAL);
    selectCartridge(1, 0);
    expect(setZone(10)).toBe(SET_OK); // scalp, 2.5 mm
    expect(setDepthUm(2000)).toBe(SET_OK);
    expect(setZone(1)).toBe(SET_ABOVE_CAP);
    expect(setMode(MODE_HOME)).toBe(SET_ABOVE_CAP);
    expect(quantizedDepthUm()).toBeGreaterThan(1990);
  });
  test("a short needle caps the depth at its length", () => {
    initSettings();
    setMode(MODE_PROFESSIONAL);
    selectCartridge(1, 1200);
    expect(depthLimitUm()).toBe(1200);
    expect(capSource()).toBe(CAP_CARTRIDGE);
  });
  test("zone 0 (none) and unknown zones are refused", () => {
    initSettings();
    expect(setZone(0)).toBe(SET_OUT_OF_RANGE);
    expect(setZone(11)).toBe(SET_OUT_OF_RANGE);
  });
});
