// The shape of one half-stroke: a rest-to-rest move of `steps` microsteps in `durTicks`, accelerating
// for `accTicks` at each end and cruising between (accTicks = durTicks/2 gives a pure accel/decel move).
// Pure integer math: it runs on the microcontroller and in unit tests alike.

/** Integer square root: the largest r with r*r <= v (v >= 0). */
export function isqrt64(v: i64): i64 {
  if (v <= 0) return 0;
  let r: i64 = <i64>1 << ((64 - <i32>clz<i64>(v) + 1) >> 1); // >= sqrt(v)
  while (true) {
    const next = (r + v / r) >> 1;
    if (next >= r) break;
    r = next;
  }
  while (r * r > v) r--;
  return r;
}

/**
 * Time (ticks from the start of the move) at which the ideal trajectory reaches step k's switching
 * point, k - 1/2 steps from the start (1 <= k <= steps).
 */
export function stepTimeTicks(k: i32, steps: i32, durTicks: i64, accTicks: i64): i64 {
  const d = <i64>steps;
  const cruise = durTicks - accTicks;
  const ta = accTicks;
  // (2k-1)/2 steps covered; the accel phase covers d*ta / (2*(T-ta)) steps.
  const twoX = <i64>(2 * k - 1);
  const twoXmirror = <i64>(2 * (steps - k) + 1);
  if (twoX * cruise <= d * ta) {
    return sqrtRounded(twoX * ta * cruise, d);
  }
  if (twoXmirror * cruise <= d * ta) {
    return durTicks - sqrtRounded(twoXmirror * ta * cruise, d);
  }
  // cruise: t = ta + ((2k-1)(T-ta) - d*ta) / (2d)
  return ta + (twoX * cruise - d * ta + d) / (2 * d);
}

/** round(sqrt(num / den)) without losing the fraction of num / den. */
function sqrtRounded(num: i64, den: i64): i64 {
  const r2 = isqrt64((num << 2) / den); // 2*sqrt(num/den), floored
  return (r2 + 1) >> 1;
}

/** Peak speed of the move in steps per second, given the timer rate. */
export function peakStepRate(steps: i32, durTicks: i64, accTicks: i64, timerHz: i64): i64 {
  return (<i64>steps * timerHz) / (durTicks - accTicks);
}
