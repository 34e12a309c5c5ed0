import {
  initSettings, selectCartridge, setDepthUm, setFreqHz, setLevel, umToSteps, stepsToUm, quantizedDepthUm,
  depthLimitUm, runFreqHz, clamp, SET_OK, SET_OUT_OF_RANGE, SET_NO_CARTRIDGE,
} from "../../assembly/settings";
import { STEPS_PER_REV, LEAD_NM, DEPTH_MIN_UM, DEPTH_MAX_UM, FREQ_MIN_HZ, FREQ_MAX_HZ, SPEED_LEVELS_HZ, CART_MAX_DEPTH_UM } from "../../assembly/generated/board_config";
import { CLAMP_NONE, CLAMP_TORQUE } from "../../assembly/envelope";

const stepNm = <i32>(LEAD_NM / STEPS_PER_REV);

describe("quantization", () => {
  test("um -> steps -> um stays within half a step", () => {
    for (let um = 0; um < 5000; um += 7) {
      const back = stepsToUm(umToSteps(um));
      expect(abs(back - um) * 1000).toBeLessThanOrEqual(stepNm / 2 + 1000);
    }
  });
  test("the depth the motor reaches is the set depth rounded to a step", () => {
    initSettings();
    selectCartridge(1);
    for (let um = DEPTH_MIN_UM; um <= 2000; um += 10) {
      expect(setDepthUm(um)).toBe(SET_OK);
      expect(abs(quantizedDepthUm() - um) * 1000).toBeLessThanOrEqual(stepNm / 2 + 1000);
    }
  });
});

describe("settings", () => {
  test("refuse depths and rates outside the range", () => {
    initSettings();
    selectCartridge(1);
    expect(setDepthUm(DEPTH_MIN_UM - 1)).toBe(SET_OUT_OF_RANGE);
    expect(setDepthUm(depthLimitUm() + 1)).toBe(SET_OUT_OF_RANGE);
    expect(setDepthUm(9000)).toBe(SET_OUT_OF_RANGE);
    expect(setFreqHz(0)).toBe(SET_OUT_OF_RANGE);
    expect(setFreqHz(FREQ_MIN_HZ - 1)).toBe(SET_OUT_OF_RANGE);
    expect(setFreqHz(FREQ_MAX_HZ + 1)).toBe(SET_OUT_OF_RANGE);
    expect(setLevel(0)).toBe(SET_OUT_OF_RANGE);
    expect(setLevel(SPEED_LEVELS_HZ.length + 1)).toBe(SET_OUT_OF_RANGE);
  });
  test("need a cartridge to set a depth", () => {
    initSettings();
    selectCartridge(-1);
    expect(setDepthUm(1000)).toBe(SET_NO_CARTRIDGE);
  });
  test("the depth limit is the lowest of board, cartridge and motor", () => {
    initSettings();
    for (let c = 0; c < CART_MAX_DEPTH_UM.length; c++) {
      selectCartridge(c);
      expect(depthLimitUm()).toBeLessThanOrEqual(min(DEPTH_MAX_UM, CART_MAX_DEPTH_UM[c]));
      expect(setDepthUm(depthLimitUm())).toBe(SET_OK);
      expect(runFreqHz()).toBeGreaterThanOrEqual(FREQ_MIN_HZ);
    }
  });
  test("keep the depth and lower the rate when the motor cannot", () => {
    initSettings();
    selectCartridge(1);
    expect(setDepthUm(depthLimitUm())).toBe(SET_OK);
    expect(setFreqHz(FREQ_MAX_HZ)).toBe(SET_OK);
    expect(clamp()).toBe(CLAMP_TORQUE);
    expect(runFreqHz()).toBeLessThan(FREQ_MAX_HZ);
    expect(runFreqHz()).toBeGreaterThanOrEqual(FREQ_MIN_HZ);
    expect(setFreqHz(FREQ_MIN_HZ)).toBe(SET_OK);
    expect(clamp()).toBe(CLAMP_NONE);
    expect(runFreqHz()).toBe(FREQ_MIN_HZ);
  });
});
