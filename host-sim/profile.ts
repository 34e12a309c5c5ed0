// The ideal half-stroke trajectory in real numbers: the reference the executed steps are measured
// against (the firmware computes the same curve in integers; assembly/profile.ts).

/** What stays the same over a move: its cruise time (ticks) and the steps covered while accelerating. */
export function idealMoveTerms(steps: number, durTicks: number, accTicks: number): { cruise: number; xa: number } {
  const cruise = durTicks - accTicks;
  return { cruise, xa: (steps * accTicks) / (2 * cruise) };
}

/** Ideal time (ticks from the move start) of step k's switching point, k - 1/2 steps in, with the move's terms. */
export function idealStepTicksWith(
  k: number,
  steps: number,
  durTicks: number,
  accTicks: number,
  cruise: number,
  xa: number,
): number {
  const x = k - 0.5;
  if (x <= xa) return Math.sqrt((2 * x * accTicks * cruise) / steps);
  if (steps - x <= xa) return durTicks - Math.sqrt((2 * (steps - x) * accTicks * cruise) / steps);
  return accTicks + ((x - xa) * cruise) / steps;
}

/** Ideal time (ticks from the move start) of step k's switching point, k - 1/2 steps in. */
export function idealStepTicks(k: number, steps: number, durTicks: number, accTicks: number): number {
  const { cruise, xa } = idealMoveTerms(steps, durTicks, accTicks);
  return idealStepTicksWith(k, steps, durTicks, accTicks, cruise, xa);
}
