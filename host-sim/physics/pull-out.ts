// The pull-out torque the model gives at a speed: the rotor turned at constant speed, the field a
// fixed load angle ahead of it, the chopper and the phase currents as in the running model (motor.ts,
// at the model's fine reference step H_FINE_S unless told another); the mean electromagnetic torque once the currents have settled, at
// the load angle where it is largest. A curve of the motor, not of the load: no damping, no detent
// (its mean over a turn is zero).
import { PhysicsParams } from './params.js';
import { phaseStep } from './motor.js';
import { H_FINE_S } from './model.js';

/** load angles tried (rad electrical): 0 to 180 degrees in 2 degree steps */
const ANGLES = Array.from({ length: 91 }, (_, k) => (k * 2 * Math.PI) / 180);

export function pullOutTorqueNm(p: PhysicsParams, rpm: number, hS = H_FINE_S): number {
  const w = (rpm * 2 * Math.PI) / 60; // shaft, rad/s
  const we = w * p.polePairs;
  const r = p.phaseResistanceOhm + 2 * p.rdsonOhm;
  const l = p.phaseInductanceH;
  const kt = p.ktNmPerA;
  // settle over 5 electrical time constants (or 3 cycles), then average over whole cycles
  const settleS = Math.max((5 * l) / r, we > 0 ? (3 * 2 * Math.PI) / we : 0);
  const cycleS = we > 0 ? (2 * Math.PI) / we : hS;
  const avgS = we > 0 ? cycleS * Math.max(1, Math.ceil(2e-3 / cycleS)) : hS;
  const n = Math.ceil((settleS + avgS) / hS);
  const h = (settleS + avgS) / n;
  const nAvg = Math.max(1, Math.round(avgS / h));
  const decay = Math.exp((-r * h) / l);
  let best = 0;
  for (const delta of ANGLES) {
    let ia = 0,
      ib = 0,
      sum = 0;
    for (let k = 0; k < n; k++) {
      const th = we * k * h;
      const s = Math.sin(th),
        c = Math.cos(th);
      const phi = th + delta;
      ia = phaseStep(ia, p.currentPeakA * Math.cos(phi), -kt * w * s, r, l, p.busV, h, decay, true);
      ib = phaseStep(ib, p.currentPeakA * Math.sin(phi), kt * w * c, r, l, p.busV, h, decay, true);
      if (k >= n - nAvg) sum += kt * (ib * c - ia * s);
    }
    best = Math.max(best, sum / nAvg);
  }
  return best;
}
