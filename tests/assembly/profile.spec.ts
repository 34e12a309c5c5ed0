import { isqrt64, stepTimeStepTicks, stepTimesBegin, nextStepTimeStepTicks } from "../../assembly/profile";

describe("isqrt64", () => {
  test("is exact around squares and large values", () => {
    expect(isqrt64(0)).toBe(0);
    expect(isqrt64(1)).toBe(1);
    expect(isqrt64(15)).toBe(3);
    expect(isqrt64(16)).toBe(4);
    expect(isqrt64(17)).toBe(4);
    const big: i64 = 3037000499; // floor(sqrt(2^63 - 1))
    expect(isqrt64(big * big)).toBe(big);
    expect(isqrt64(big * big - 1)).toBe(big - 1);
    for (let r: i64 = 1; r < 5000; r += 37) {
      expect(isqrt64(r * r)).toBe(r);
      expect(isqrt64(r * r + 2 * r)).toBe(r);
    }
  });
});

const steps = 200;
const dur: i64 = 80000;

describe("half-stroke profile", () => {
  test("step times rise and stay inside the move", () => {
    let prev: i64 = 0;
    for (let k = 1; k <= steps; k++) {
      const t = stepTimeStepTicks(k, steps, dur, dur / 2);
      expect(t).toBeGreaterThan(prev);
      expect(t).toBeLessThan(dur);
      prev = t;
    }
  });
  test("is symmetric: step k and step n+1-k are mirror images in time", () => {
    for (let k = 1; k <= steps; k++) {
      const a = stepTimeStepTicks(k, steps, dur, 30000);
      const b = stepTimeStepTicks(steps + 1 - k, steps, dur, 30000);
      const sum = a + b;
      expect(sum >= dur - 1 && sum <= dur + 1).toBe(true, "mirror of step " + k.toString());
    }
  });
  test("accelerates from rest as sqrt: the first step at sqrt(ta*(T-ta)/n)", () => {
    // x = a t^2 / 2 with a = n / (ta (T - ta)); the first switching point is half a step in
    const t1 = stepTimeStepTicks(1, steps, dur, dur / 2);
    expect(t1).toBe(isqrt64(((dur / 2) * (dur / 2)) / <i64>steps));
  });
  test("cruises at constant intervals between the ramps", () => {
    const ta: i64 = 20000; // a quarter of the move accelerating
    const i1 = stepTimeStepTicks(101, steps, dur, ta) - stepTimeStepTicks(100, steps, dur, ta);
    const i2 = stepTimeStepTicks(111, steps, dur, ta) - stepTimeStepTicks(110, steps, dur, ta);
    expect(abs(i1 - i2)).toBeLessThanOrEqual(1);
    // cruise speed = n / (T - ta) steps per tick
    expect(abs(i1 - (dur - ta) / <i64>steps)).toBeLessThanOrEqual(1);
  });
});

describe("step times in order", () => {
  test("are exactly stepTimeStepTicks, over many move shapes", () => {
    for (let n = 1; n <= 1024; n += n < 8 ? 1 : 97) {
      for (let hz = 25; hz <= 150; hz += 25) {
        const d: i64 = 21000000 / (2 * <i64>hz);
        for (let share = 100; share <= 500; share += 80) {
          const a = (d * <i64>share) / 1000;
          if (<i64>n > d) continue;
          stepTimesBegin(n, d, a);
          for (let k = 1; k <= n; k++) {
            const t = nextStepTimeStepTicks();
            const want = stepTimeStepTicks(k, n, d, a);
            if (t != want) expect(t).toBe(want, "step " + k.toString() + " of " + n.toString());
          }
        }
      }
    }
  });
});
