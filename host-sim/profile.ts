// The ideal half-stroke trajectory in real numbers: the reference the executed steps are measured
// against (the firmware computes the same curve in integers; assembly/profile.ts).

/** Ideal time (ticks from the move start) of step k's switching point, k - 1/2 steps in. */
export function idealStepTicks(k: number, steps: number, durTicks: number, accTicks: number): number {
  const cruise = durTicks - accTicks;
  const x = k - 0.5;
  const xa = (steps * accTicks) / (2 * cruise); // steps covered while accelerating
  if (x <= xa) return Math.sqrt((2 * x * accTicks * cruise) / steps);
  if (steps - x <= xa) return durTicks - Math.sqrt((2 * (steps - x) * accTicks * cruise) / steps);
  return accTicks + ((x - xa) * cruise) / steps;
}
