// `pen envelope --limit`: the highest stroke rate per depth that the worst pen of the board's ranges
// holds, found by brute force on the simulator's physical model alone, independent of the firmware and
// its planner: for each rate, strokes are driven with a family of rest-to-rest motion laws (cycloidal,
// 3-4-5 and 4-5-6-7 polynomials, trapezoidal speeds ramping over 25-50 % of the time at each end) and
// down/up time splits; a rate is held when some member keeps every stroke's deepest tip within the
// depth tolerance, loses no step and never raises the stall flag (StallGuard sees the load angle past
// 90 degrees at a full step: the firmware must stop the needles then, so a rate that raises it is not
// one the pen holds).
// The rotor lags its field under load (the load angle), so each member may also run a few microsteps
// past the depth's own steps: the overtravel that puts the tip on the depth is measured, then checked.
// The search runs up in whole hertz from the board's lowest rate: the limit is the highest rate up to
// which every rate is held. Held need not be monotonic in the rate on a lightly damped pen (the
// rotor's ringing and the stroke's timing line up at some rates and not at others: with the smooth
// laws alone the worst pen held 40 Hz at 1.25 mm, failed 41-42 and held 43-44), so a bisection, which
// assumes a rate held is held at every lower one, can land above a gap. The highest rate held above
// such a gap is reported beside the limit.
// The family must hold everything the firmware's moves hold, or the limit is none: with the smooth laws
// and the one trapezoid alone the worst pen's limit at 1.25 mm was 40 Hz, and the firmware's own move
// (a triangle, the down half 55 % of the period) holds 45 Hz there.
import { Board, Cartridge, cartridgeOf, withModel } from '../../boards/board.js';
import { PhysicalDrive } from '../../host-sim/physics/model.js';
import { physicsParams } from '../../host-sim/physics/params.js';

/** the promise the envelope keeps: depth at the tip within this of the setting */
export const DEPTH_TOL_UM = 20;
const WARMUP_STROKES = 3;
const MEASURED_STROKES = 8;
const SETTLE_S = 0.02;

type Law = (u: number) => number;
/**
 * A trapezoidal speed: constant acceleration over the first and last `share` of the time, cruising
 * between (share 0.5: accelerate, then decelerate). The firmware's own kind of move (assembly/profile.ts),
 * so the search can never report a limit below what the firmware's moves hold.
 */
export function trapezoid(share: number): Law {
  const vmax = 1 / (1 - share);
  return (u) => {
    if (u < share) return (vmax * u * u) / (2 * share);
    if (u > 1 - share) return 1 - (vmax * (1 - u) * (1 - u)) / (2 * share);
    return (vmax * share) / 2 + vmax * (u - share);
  };
}
/** rest-to-rest motion laws, position 0..1 over time 0..1 */
const LAWS: Record<string, Law> = {
  cycloidal: (u) => u - Math.sin(2 * Math.PI * u) / (2 * Math.PI),
  poly345: (u) => u * u * u * (10 - 15 * u + 6 * u * u),
  poly4567: (u) => u ** 4 * (35 - 84 * u + 70 * u * u - 20 * u ** 3),
  // the speed ramps over a quarter to a half of the time at each end (the shares the firmware tries)
  trapezoid33: trapezoid(1 / 3),
  trapezoid25: trapezoid(0.25),
  trapezoid30: trapezoid(0.3),
  trapezoid40: trapezoid(0.4),
  trapezoid45: trapezoid(0.45),
  triangle: trapezoid(0.5),
};
/** The motion law of that name in the family (LAWS). */
export function motionLaw(name: string): Law {
  const law = LAWS[name];
  if (!law) throw new Error(`no motion law "${name}" in the limit's family: ${Object.keys(LAWS).join(', ')}`);
  return law;
}

/** A law's name (LAWS) as the table says it. */
function lawWords(name: string): string {
  const ramp = /^trapezoid(\d+)$/.exec(name);
  if (ramp) return `speed ramping over ${ramp[1]} % of the time at each end`;
  const words: Record<string, string> = {
    triangle: 'triangle speed',
    cycloidal: 'cycloidal',
    poly345: '3-4-5 polynomial',
    poly4567: '4-5-6-7 polynomial',
  };
  return words[name] ?? name;
}
/**
 * share of the period spent going down: 45-65 % in steps of 2.5 %. The firmware's own split (52.5 %,
 * assembly/envelope.ts DOWN_PERMILLE) is among them, and so are the longer down halves that give the
 * harder half (against the spring and the skin) more time: with 45/50/55 % alone the worst pen's
 * limit was 3-14 % lower at every depth (docs/simulator.md).
 */
export const SPLITS: readonly number[] = Array.from({ length: 9 }, (_, i) => (450 + 25 * i) / 1000);
/** most microsteps of overtravel tried (40 um on the reference pen) */
const MAX_EXTRA_STEPS = 8;

/** Which end of each range makes a pen hardest to stroke fast and exactly (a worse motor, more load, less damping). */
const WORST_END: Record<string, 'min' | 'max'> = {
  '/motor/holding_torque_mNm': 'min',
  '/motor/phase_resistance_ohm': 'max',
  '/motor/phase_inductance_mH': 'max',
  '/motor/rotor_inertia_gcm2': 'max',
  '/drive/efficiency': 'min',
  '/carriage/friction_N': 'max',
  '/carriage/mass_g': 'max',
  '/carriage/return_spring_preload_N': 'max',
  '/carriage/return_spring_rate_N_per_mm': 'max',
  '/driver/supply_V': 'min',
  detent_torque_mNm: 'max',
  damping_ratio: 'min',
  // drag on the shaft's speed: a load through the whole stroke; it damps the rotor's ringing too, but
  // far less than the damping relative to the field does (the limit is the same or lower at max)
  rotor_drag_uNms_per_rad: 'max',
  back_drive_efficiency: 'min',
  needle_puncture_mN: 'max',
  puncture_depth_um: 'max',
  shaft_friction_mN_per_mm: 'max',
  winding_thermal_resistance_C_per_W: 'max',
};

/** The worst pen of the board's ranges: each number at the end WORST_END names (the typical where it names none). */
export function worstPen(b: Board): Board {
  const pen = JSON.parse(JSON.stringify(withModel(b, 'physical'))) as Board;
  for (const [ptr, t] of Object.entries(pen.tolerances ?? {})) {
    const end = WORST_END[ptr];
    if (!end) continue;
    const keys = ptr.split('/').slice(1);
    let o = pen as unknown as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
    o[keys[keys.length - 1]] = t[end];
  }
  const ph = pen.physics as unknown as Record<string, { min: number; typical: number; max: number }>;
  for (const [k, end] of Object.entries(WORST_END))
    if (!k.startsWith('/') && ph[k] && typeof ph[k] === 'object') ph[k].typical = ph[k][end];
  return pen;
}

/** The fraction of the half-stroke's time at which each of n equal steps is due, for a law. */
function stepFractions(law: Law, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 1; k <= n; k++) {
    const target = (k - 0.5) / n; // the step's midpoint: the staircase straddles the law
    let lo = 0,
      hi = 1;
    for (let i = 0; i < 40; i++) {
      const mid = (lo + hi) / 2;
      if (law(mid) < target) lo = mid;
      else hi = mid;
    }
    out[k - 1] = (lo + hi) / 2;
  }
  return out;
}

export interface StrokeTrial {
  held: boolean;
  /** worst deepest tip minus the depth over the measured strokes (um) */
  worstErrUm: number;
  lostSteps: number;
  /** full-step samples at which StallGuard saw a stall */
  stalls: number;
  /** the largest angle the rotor fell behind its field (degrees electrical; 90 is its torque's peak) */
  peakLoadAngleDeg: number;
}

/** Strokes at depth and rate with one law and split on the pen; each measured stroke's deepest tip and the steps lost. */
export function tryStrokes(
  pen: Board,
  cart: Cartridge,
  depthUm: number,
  freqHz: number,
  law: Law,
  split: number,
  extraSteps = 0,
): StrokeTrial {
  const p = physicsParams(pen, cart);
  const timerHz = pen.timing.step_timer_hz;
  const g = pen.geometry;
  const stepUm = p.stepM * 1e6;
  const n = Math.round((g.clearance_um + depthUm) / stepUm) + extraSteps;
  const drive = new PhysicalDrive(p, cart.needles, p.punctureN, timerHz, g.retract_um * 1e-6);
  drive.setDriver(true);
  let t = Math.round(SETTLE_S * timerHz);
  drive.advanceTo(t);
  const fr = stepFractions(law, n);
  const periodTicks = timerHz / freqHz;
  const downTicks = periodTicks * split,
    upTicks = periodTicks - downTicks;
  let deepest = -Infinity;
  const sampler = (_t: number, _x: number, tipUm: number): void => {
    if (tipUm > deepest) deepest = tipUm;
  };
  let worst = 0;
  let stalls = 0;
  const t0 = t;
  for (let s = 0; s < WARMUP_STROKES + MEASURED_STROKES; s++) {
    const start = t0 + s * periodTicks;
    deepest = -Infinity;
    for (let k = 0; k < n; k++) {
      const tk = Math.round(start + fr[k] * downTicks);
      drive.advanceTo(tk, sampler);
      drive.fieldStep(1, tk);
      if (drive.stallSeen) stalls++;
    }
    for (let k = 0; k < n; k++) {
      const tk = Math.round(start + downTicks + fr[k] * upTicks);
      drive.advanceTo(tk, sampler);
      drive.fieldStep(-1, tk);
      if (drive.stallSeen) stalls++;
    }
    t = Math.round(start + periodTicks);
    drive.advanceTo(t, sampler); // the ringing after the last step up belongs to this stroke
    if (drive.lostSteps > 0 || stalls > 0)
      return {
        held: false,
        worstErrUm: Infinity,
        lostSteps: drive.lostSteps,
        stalls,
        peakLoadAngleDeg: peakDeg(drive),
      };
    if (s >= WARMUP_STROKES) {
      const err = deepest - depthUm;
      if (Math.abs(err) > Math.abs(worst)) worst = err;
    }
  }
  return {
    held: Math.abs(worst) <= DEPTH_TOL_UM,
    worstErrUm: worst,
    lostSteps: 0,
    stalls: 0,
    peakLoadAngleDeg: peakDeg(drive),
  };
}

function peakDeg(drive: PhysicalDrive): number {
  return (drive.loadAngleMaxRad * 180) / Math.PI;
}

/** A member of the family: a motion law, the share of the period going down, and the overtravel. */
export interface LimitMember {
  /** the motion law's name (LAWS) */
  law: string;
  /** share of the period spent going down */
  downShare: number;
  /** microsteps run past the depth's own to make up the rotor's load angle at the bottom */
  overtravelSteps: number;
  /** its trial's largest load angle (degrees electrical) and worst deepest tip against the depth (um) */
  peakLoadAngleDeg: number;
  worstErrUm: number;
}

/**
 * Each member that holds the rate (its overtravel found from a first trial), in the family's order,
 * to `visit`; the search stops when `visit` returns true.
 */
function membersHolding(
  pen: Board,
  cart: Cartridge,
  depthUm: number,
  freqHz: number,
  visit: (m: LimitMember) => boolean,
): void {
  const stepUm = physicsParams(pen, cart).stepM * 1e6;
  for (const [name, law] of Object.entries(LAWS))
    for (const split of SPLITS) {
      let trial = tryStrokes(pen, cart, depthUm, freqHz, law, split);
      let extra = 0;
      if (!trial.held && trial.lostSteps === 0 && trial.stalls === 0) {
        // the tip falls short by about the same at a few steps more: correct by it, once
        extra = Math.round(-trial.worstErrUm / stepUm);
        if (extra > 0 && extra <= MAX_EXTRA_STEPS) trial = tryStrokes(pen, cart, depthUm, freqHz, law, split, extra);
      }
      if (!trial.held) continue;
      const member = {
        law: name,
        downShare: split,
        overtravelSteps: extra, // (a member that held: 0, or the retry's steps)
        peakLoadAngleDeg: trial.peakLoadAngleDeg,
        worstErrUm: trial.worstErrUm,
      };
      if (visit(member)) return;
    }
}

/** Some law, split and overtravel holds the rate. */
export function rateHeld(pen: Board, cart: Cartridge, depthUm: number, freqHz: number): boolean {
  let held = false;
  membersHolding(pen, cart, depthUm, freqHz, () => (held = true));
  return held;
}

/** Of the members that hold the rate, the one whose rotor lags its field least (undefined: none holds). */
function quietestMember(pen: Board, cart: Cartridge, depthUm: number, freqHz: number): LimitMember | undefined {
  let best: LimitMember | undefined;
  membersHolding(pen, cart, depthUm, freqHz, (m) => {
    if (!best || m.peakLoadAngleDeg < best.peakLoadAngleDeg) best = m;
    return false;
  });
  return best;
}

export interface LimitPoint {
  depthMm: number;
  /** highest whole rate up to which every rate from the board's lowest is held, 0 when not even the lowest is */
  limitHz: number;
  /** highest whole rate held at all (above limitHz when some rate above a failing one holds again) */
  heldMaxHz: number;
  /** at limitHz, the member that holds it with the least load angle (none when limitHz is 0) */
  member?: LimitMember;
}

/**
 * The highest rate per depth the pen (the worst of the board's ranges unless given) holds with every
 * lower rate held too, within the board's stroke rate range; and the highest held at all.
 */
export function envelopeLimit(
  board: Board,
  cartridge: string | undefined,
  depthsMm: number[],
  pen: Board = worstPen(board),
  /** after each depth: how many are done */
  progress?: (depthsDone: number) => void,
): LimitPoint[] {
  const cart = cartridgeOf(pen, cartridge);
  const lo = board.stroke.freq_min_hz,
    hi = board.stroke.freq_max_hz;
  return depthsMm.map((depthMm, i) => {
    const p: LimitPoint = { depthMm, ...contiguousLimit(lo, hi, (f) => rateHeld(pen, cart, depthMm * 1000, f)) };
    if (p.limitHz > 0) p.member = quietestMember(pen, cart, depthMm * 1000, p.limitHz);
    progress?.(i + 1);
    return p;
  });
}

/**
 * Every whole rate from lo to hi tried (which ones hold above the first that fails is part of the
 * answer): the highest up to which every rate holds, and the highest that holds at all.
 */
export function contiguousLimit(
  lo: number,
  hi: number,
  held: (freqHz: number) => boolean,
): { limitHz: number; heldMaxHz: number } {
  let limitHz = 0,
    heldMaxHz = 0,
    gap = false;
  for (let f = lo; f <= hi; f++) {
    if (held(f)) {
      heldMaxHz = f;
      if (!gap) limitHz = f;
    } else gap = true;
  }
  return { limitHz, heldMaxHz };
}

/** The firmware's envelope beside the limits, utilization = firmware rate / limit, one line per depth. */
export function limitTable(
  firmware: { depthMm: number; maxFreqHz: number }[],
  worst: LimitPoint[],
  typical: LimitPoint[],
): string {
  const pct = (a: number, b: number): string => (b > 0 ? `${((100 * a) / b).toFixed(0)} %` : 'n/a');
  const lines = ['depth mm   firmware Hz   limit worst pen Hz   use   limit typical pen Hz   use'];
  firmware.forEach((f, i) => {
    const w = worst[i].limitHz,
      t = typical[i].limitHz;
    lines.push(
      `${f.depthMm.toFixed(2).padStart(8)}   ${String(f.maxFreqHz).padStart(11)}   ${String(w || 'none').padStart(18)}   ${pct(f.maxFreqHz, w).padStart(4)}   ${String(t || 'none').padStart(20)}   ${pct(f.maxFreqHz, t).padStart(4)}`,
    );
  });
  for (const [which, pts] of [
    ['worst', worst],
    ['typical', typical],
  ] as const)
    for (const p of pts)
      if (p.heldMaxHz > p.limitHz && p.limitHz > 0)
        lines.push(
          `at ${p.depthMm.toFixed(2)} mm the ${which} pen fails ${p.limitHz + 1} Hz and holds some rates above it again, up to ${p.heldMaxHz} Hz: the limit stops below the gap`,
        );
  const held = worst.filter((w) => w.member);
  if (held.length) {
    lines.push(
      "at the worst pen's limit, the member that holds it with the least load angle (90 deg: the motor's torque peak):",
    );
    for (const w of held) {
      const m = w.member!;
      lines.push(
        `${w.depthMm.toFixed(2).padStart(8)} mm ${String(w.limitHz).padStart(3)} Hz: ${lawWords(m.law)}, ${+(100 * m.downShare).toFixed(1)} % of the period down, ${m.overtravelSteps} microsteps past the depth, load angle up to ${m.peakLoadAngleDeg.toFixed(0)} deg, tip ${m.worstErrUm >= 0 ? '+' : ''}${m.worstErrUm.toFixed(0)} um`,
      );
    }
  }
  if (worst.every((w) => w.limitHz === 0))
    lines.push(
      "the worst pen of the ranges holds no rate at any depth (it loses steps even at the board's lowest rate): the ranges allow a pen the motor cannot drive",
    );
  return lines.join('\n');
}
