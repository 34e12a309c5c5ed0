// The two-phase hybrid stepper's electrical side, driven by a current-regulating chopper.
//
// Per phase: L di/dt = u - R i - e. The magnet's flux linkage is (kt/N) cos(N theta) in phase A and
// (kt/N) sin(N theta) in phase B, so the back-EMF is e_a = -kt w sin(N theta), e_b = kt w cos(N theta)
// and the torque T = kt (-i_a sin(N theta) + i_b cos(N theta)) (the standard two-phase hybrid model,
// e.g. Bodson et al., "High-performance nonlinear feedback control of a permanent magnet stepper
// motor", IEEE Trans. Control Syst. Technol. 1(1), 1993). With sine/cosine currents of peak I at the
// field angle phi this is kt I sin(phi - N theta): a magnetic spring that peaks at a load angle of
// 90 degrees electrical, the stability limit.
//
// The chopper (TMC2209 SpreadCycle, datasheet rev 1.03 ch. 7) is averaged over its PWM period
// (~20-40 kHz, faster than the model's time step): within one step it brings the current to its
// reference if the bus voltage allows, and otherwise applies the full bus voltage across the phase.
// With the outputs off the current decays through the bridge's diodes against the bus voltage.

export interface Phase {
  i: number;
}

/**
 * Advance one phase's current by h seconds toward `ref` (A), with back-EMF e (V), resistance r
 * (ohm, winding and bridge), inductance l (H), bus voltage v; `decay` is exp(-r h / l). `on` false:
 * fast decay to zero.
 */
export function phaseStep(
  i: number,
  ref: number,
  e: number,
  r: number,
  l: number,
  v: number,
  h: number,
  decay: number,
  on: boolean,
): number {
  if (!on) {
    if (i === 0) return 0;
    const u = i > 0 ? -v : v; // decay through the diodes into the bus
    const next = exactStep(i, u - e, r, decay);
    return Math.sign(next) !== Math.sign(i) ? 0 : next;
  }
  const uNeeded = r * i + e + (l * (ref - i)) / h;
  if (uNeeded <= v && uNeeded >= -v) return ref;
  return exactStep(i, (uNeeded > 0 ? v : -v) - e, r, decay);
}

/** exact solution of l di/dt = u - r i over a step whose decay factor is exp(-r h / l), u constant */
function exactStep(i: number, u: number, r: number, decay: number): number {
  const iInf = u / r;
  return iInf + (i - iInf) * decay;
}
