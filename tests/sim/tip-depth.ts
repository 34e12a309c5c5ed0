// Depth at the needle tip on the physical motor model, measured on a pen stroking at a setting; the
// pens at the corners of a board's tolerance ranges. Used by depth-tip.test.ts and for comparisons.
import { Board, withModel, RangeValue } from '../../boards/board.js';
import { PenSim } from '../../host-sim/pen.js';
import { unlockProfessional } from '../../tools/lib/clinic.js';
import { startByButton } from './helpers.js';

/** the first strokes from rest and the trim settling (a few corrections, each planned in the background): left out */
const SETTLE_MS = 400;
const MEASURE_MS = 600;

export interface TipPoint {
  depthMm: number;
  askHz: number;
  runHz: number;
  mean: number;
  min: number;
  max: number;
  missed: number;
  /** deepest tip over the whole run, first strokes included, past the set depth (um) */
  overshootUm: number;
  fault: string;
}

/** A pen of `board` on the physical model stroking at a setting; its steady strokes measured at the tip. */
export function measureTip(board: Board, wasm: string, depthMm: number, freqHz: number): TipPoint {
  const sim = new PenSim({ wasm, board: withModel(board, 'physical') });
  sim.press('power');
  if (!sim.runUntil(() => sim.state === 'ready', 3000)) throw new Error(`not ready: ${sim.state} ${sim.fault}`);
  const r = unlockProfessional(sim);
  if (!r.startsWith('OK')) throw new Error(`professional mode refused: ${r}`);
  for (const line of ['SET ZONE stretch_marks', `SET DEPTH ${depthMm.toFixed(2)}`, `SET FREQ ${freqHz}`]) {
    const a = sim.command(line);
    if (!a.startsWith('OK')) throw new Error(`${line} -> ${a}`);
  }
  startByButton(sim);
  sim.run(SETTLE_MS);
  sim.startMeasuring();
  sim.run(MEASURE_MS);
  const m = sim.measure();
  const phys = sim.mech.physicsSummary();
  const set = sim.setting;
  return {
    depthMm,
    askHz: freqHz,
    runHz: set.freqHz,
    mean: m.depth_mm?.mean ?? NaN,
    min: m.depth_mm?.min ?? NaN,
    max: m.depth_mm?.max ?? NaN,
    missed: m.missed_steps,
    overshootUm: phys ? phys.tip_max_um - depthMm * 1000 : NaN,
    fault: sim.fault,
  };
}

/** The board with every tolerance and physics range at its min (`lo`) or max end, as `pick` says per pointer. */
export function cornerPen(b: Board, pick: (pointer: string) => 'min' | 'max' | 'typical'): Board {
  const pen = JSON.parse(JSON.stringify(b)) as Board;
  for (const [ptr, t] of Object.entries(b.tolerances ?? {})) {
    const end = pick(ptr);
    if (end === 'typical') continue;
    const keys = ptr.split('/').slice(1);
    const parent = keys
      .slice(0, -1)
      .reduce<Record<string, unknown>>(
        (o, k) => o[k] as Record<string, unknown>,
        pen as unknown as Record<string, unknown>,
      );
    parent[keys[keys.length - 1]] = t[end];
  }
  const ph = (pen.physics ?? {}) as unknown as Record<string, RangeValue | unknown>;
  for (const [k, v] of Object.entries(ph)) {
    if (v === null || typeof v !== 'object' || !('min' in v) || !('typical' in v)) continue;
    const r = v as RangeValue;
    const end = pick(`/physics/${k}`);
    if (end !== 'typical') r.typical = r[end];
  }
  return pen;
}

/**
 * The corners that move the bottom most: a weak motor with a heavy, lightly damped carriage (the
 * largest load angle and ringing), and a strong motor against the most spring, skin and shaft force
 * and the least efficient screw (the load that turns the carriage round for the motor). The nut
 * drag stays typical: at its top (16 x) the planner's load is exceeded and the strokes stall.
 */
export function cornerPens(b: Board): { name: string; board: Board }[] {
  type End = 'min' | 'max' | 'typical';
  const weakLight = (p: string): End =>
    (<Record<string, End>>{
      '/motor/holding_torque_mNm': 'min',
      '/motor/rotor_inertia_gcm2': 'max',
      '/carriage/mass_g': 'max',
      '/physics/damping_ratio': 'min',
      '/carriage/friction_N': 'min',
      '/carriage/return_spring_preload_N': 'min',
      '/physics/needle_puncture_mN': 'min',
      '/drive/efficiency': 'max',
      '/driver/supply_V': 'min',
      '/motor/phase_resistance_ohm': 'max',
      '/motor/phase_inductance_mH': 'max',
    })[p] ?? 'typical';
  const strongLoaded = (p: string): End =>
    (<Record<string, End>>{
      '/motor/holding_torque_mNm': 'max',
      '/motor/rotor_inertia_gcm2': 'min',
      '/carriage/mass_g': 'min',
      '/physics/damping_ratio': 'max',
      '/carriage/return_spring_preload_N': 'max',
      '/physics/needle_puncture_mN': 'max',
      '/physics/shaft_friction_mN_per_mm': 'max',
      '/drive/efficiency': 'min',
      '/physics/back_drive_efficiency': 'min',
    })[p] ?? 'typical';
  return [
    { name: 'typical', board: b },
    { name: 'weak motor, heavy and lightly damped', board: cornerPen(b, weakLight) },
    { name: 'strong motor, most spring and skin load', board: cornerPen(b, strongLoaded) },
  ];
}

/** depth (mm) and asked rate (Hz): shallow, middle and deepest, slow and at the top of the range (the pen clamps to its envelope) */
export const POINTS: [number, number][] = [
  [0.25, 25],
  [0.25, 150],
  [1.5, 50],
  [1.5, 150],
  [3.0, 25],
  [3.0, 150],
];

export function fmt(p: TipPoint): string {
  const um = (v: number): string => ((v - p.depthMm) * 1000).toFixed(1).padStart(6);
  return `${p.depthMm.toFixed(2)} mm ${String(p.askHz).padStart(3)}->${String(p.runHz).padStart(3)} Hz  mean ${um(p.mean)} min ${um(p.min)} max ${um(p.max)} um  overshoot ${p.overshootUm.toFixed(1).padStart(6)} um  missed ${p.missed} ${p.fault}`;
}
