import { CLAMP_NONE, CLAMP_STEP_RATE, CLAMP_TORQUE } from "../../assembly/abi";
import {
  DriveModel,
  StrokeCheck,
  checkShare,
  checkStroke,
  halfStrokeUs,
  downHalf,
  upHalf,
  DOWN_PERMILLE,
  shareSlackMn,
  usableForceMn,
} from "../../assembly/envelope";
import { clampRateHz } from "../../assembly/planjob";
import { FREQ_MIN_HZ, FREQ_MAX_HZ } from "../../assembly/generated/board_config";

// A motor of 10 N up to 0.5 m/s, falling to 2 N at 1.5 m/s; 20 g moving; 1 N of load.
function model(): DriveModel {
  const m = new DriveModel();
  m.curveSpeedUmS[0] = 0;
  m.curveForceMn[0] = 10000;
  m.curveSpeedUmS[1] = 500000;
  m.curveForceMn[1] = 10000;
  m.curveSpeedUmS[2] = 1500000;
  m.curveForceMn[2] = 2000;
  m.curvePoints = 3;
  m.marginPermille = 1000;
  m.maxStepRate = 1000000;
  m.stepsPerRev = 3200;
  m.leadNm = 25400000;
  m.massMg = 20000;
  m.loadMn = 1000;
  return m;
}

const check = new StrokeCheck();

describe("envelope", () => {
  test("interpolates the usable force and applies the margin", () => {
    const m = model();
    expect(usableForceMn(m, 0)).toBe(10000);
    expect(usableForceMn(m, 1000000)).toBe(6000);
    expect(usableForceMn(m, 9000000)).toBe(2000);
    m.marginPermille = 500;
    expect(usableForceMn(m, 1000000)).toBe(3000);
  });
  test("accepts a slow stroke and says why a fast one cannot run", () => {
    const m = model();
    expect(checkStroke(m, 1800, halfStrokeUs(25), check)).toBe(true);
    expect(check.clamp).toBe(CLAMP_NONE);
    expect(check.accelPermille).toBeGreaterThan(0);
    expect(checkStroke(m, 1800, halfStrokeUs(150), check)).toBe(false);
    expect(check.clamp).toBe(CLAMP_TORQUE);
  });
  test("force needed matches m*a + load at the limit", () => {
    // 1 mm in 10 ms accelerate/decelerate: a = 4 d / T^2 = 40 m/s^2 -> 0.8 N + 1 N load, v = 0.2 m/s
    const m = model();
    m.curveForceMn[0] = 1800;
    m.curveForceMn[1] = 1800;
    m.curveForceMn[2] = 1800;
    expect(checkStroke(m, 1000, 10000, check)).toBe(true);
    expect(check.accelPermille).toBe(500);
    expect(check.slackMn).toBe(0);
    m.loadMn = 1001;
    expect(checkStroke(m, 1000, 10000, check)).toBe(false);
  });
  test("the clamp's rate is feasible, the next one is not, and it falls with depth and load", () => {
    expect(FREQ_MIN_HZ).toBe(25, "the board's lowest rate is the floor of the search");
    expect(FREQ_MAX_HZ).toBeGreaterThanOrEqual(150);
    const m = model();
    let prev = 1000;
    for (let um = 400; um <= 3400; um += 250) {
      const f = clampRateHz(m, um, 150);
      expect(f).toBeGreaterThan(0);
      expect(checkStroke(m, um, halfStrokeUs(f), check)).toBe(true);
      if (f < 150) expect(checkStroke(m, um, halfStrokeUs(f + 1), check)).toBe(false);
      expect(f).toBeLessThanOrEqual(prev);
      prev = f;
    }
    const light = clampRateHz(m, 1800, 150);
    m.loadMn = 3000;
    expect(clampRateHz(m, 1800, 150)).toBeLessThan(light);
  });
  test("an up move is planned with the loads of its direction: the spring helps it speed up", () => {
    // 1 N of the load is the spring at rest, growing 1 N per mm; a = 40 m/s^2 -> 0.8 N
    const m = model();
    m.springTopMn = 1000;
    m.springRateUnPerUm = 1000;
    m.springHelpPermille = 800;
    // no drag; a stroke: 0.8 N + the spring at the end of the speeding up (1 N + 0.5 mm: 0.5 N) = 2.3 N
    expect(checkShare(m, 1000, 10000, 0)).toBe(CLAMP_NONE);
    expect(shareSlackMn).toBe(10000 - 2300);
    // 1 N of drag; up only: the most of 0.8 N + 1 N - 0.8 x 1.5 N, the bottom's 2 N - 0.8 N, the
    // cruise's 1.5 N and the top's 0.8 N + 1.5 N = 2.3 N (the drag helps there); a stroke 3.3 N
    m.loadMn = 2000;
    expect(checkShare(m, 1000, 10000, 0, true)).toBe(CLAMP_NONE);
    expect(shareSlackMn).toBe(10000 - 2300);
    expect(checkShare(m, 1000, 10000, 0)).toBe(CLAMP_NONE);
    expect(shareSlackMn).toBe(10000 - 3300);
  });
  test("up to splitMaxHz a stroke's down half takes the longer time; the up half is checked with its own loads", () => {
    const m = model();
    expect(downHalf(m, 10000, 50)).toBe(10000, "equal halves by default");
    m.splitMaxHz = 50;
    expect(DOWN_PERMILLE).toBeGreaterThan(500);
    expect(downHalf(m, 10000, 50)).toBe((20000 * DOWN_PERMILLE) / 1000);
    expect(downHalf(m, 10000, 50) + upHalf(m, 10000, 50)).toBe(20000, "the period is kept");
    expect(downHalf(m, 10000, 51)).toBe(10000, "faster: equal halves");
    // a spring of 2 N at rest, 1 N per mm, helps the way up: the down half's longer time raises the rate
    m.splitMaxHz = 0;
    m.springTopMn = 2000;
    m.springRateUnPerUm = 1000;
    m.springHelpPermille = 800;
    m.loadMn = 3000;
    const equal = clampRateHz(m, 3000, 150);
    m.splitMaxHz = 150;
    const split = clampRateHz(m, 3000, 150);
    expect(split).toBeGreaterThan(equal);
    expect(checkStroke(m, 3000, halfStrokeUs(split), check)).toBe(true);
    expect(checkStroke(m, 3000, halfStrokeUs(split + 1), check)).toBe(false);
    // a down half the split cannot carry: an up half that cannot run fails the stroke too
    m.springHelpPermille = 0;
    m.springTopMn = 4000;
    expect(checkStroke(m, 3000, halfStrokeUs(split), check)).toBe(false);
  });
  test("reports the step-rate limit", () => {
    const m = model();
    m.maxStepRate = 10000;
    expect(checkStroke(m, 3000, halfStrokeUs(100), check)).toBe(false);
    expect(check.clamp).toBe(CLAMP_STEP_RATE);
  });
  test("returns 0 when even the lowest rate cannot run", () => {
    const m = model();
    m.loadMn = 20000;
    expect(clampRateHz(m, 1800, 150)).toBe(0);
  });
});
