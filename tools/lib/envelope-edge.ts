// `pen envelope --edge`: the firmware run at its own envelope's edge on the worst pen of the board's
// ranges (the limit's, tools/lib/envelope-limit.ts WORST_END) or another (`--pen`) on the physical
// model. At each depth the highest rate the firmware allows is run twice: asked exactly, and asked at
// the board's highest rate (the clamp settles it, by its own search). A point is held when no stroke
// from the start goes deeper than the depth tolerance past the depth (the first ones may stop short:
// the depth trim brings them down), and, after the first strokes and the depth trim have settled, every
// stroke for a second ends within the depth tolerance at the tip, no step is lost, the pen is still
// stroking (no stall, no encoder slip) and the rate is within 0.5 %. With --inside, every whole rate
// below the edge too. The limit searches the model alone; this runs the firmware, its planner, its trim
// and its checks.
import { Board, cartridgeOf } from '../../boards/board.js';
import { PenSim } from '../../host-sim/pen.js';
import { unlockProfessional } from './clinic.js';
import { worstPen, DEPTH_TOL_UM } from './envelope-limit.js';
import { commandOnceChecked } from './envelope.js';
import type { TraceSink } from '../../host-sim/trace/sink.js';
import { TRIM_SETTLE_MS } from './session.js';

/** the first strokes from rest and the depth trim's settling, as a QA case lets them (docs/scenarios.md) */
export const EDGE_SETTLE_MS = TRIM_SETTLE_MS;
export const EDGE_MEASURE_MS = 1000;
/** the stroke rate's promise */
const RATE_TOL = 0.005;

export interface EdgePoint {
  depthMm: number;
  /** the rate the firmware runs at this depth (its envelope) */
  freqHz: number;
  /** the rate asked: the edge's own, or the board's highest (clamped to the edge) */
  askedHz: number;
  held: boolean;
  /** the pen's state after the run: running, or fault */
  state: string;
  fault: string;
  /** the stroke furthest from the set depth (um at the tip; NaN with no stroke) */
  worstErrUm: number;
  /** the deepest stroke from the start, the settling ones included (um past the set depth; NaN with no stroke) */
  startDeepestUm: number;
  lostSteps: number;
  strokes: number;
  /** why it is not held ('' when held) */
  why: string;
  /**
   * the largest angle the rotor fell behind its field over the run (degrees electrical): at 90 the
   * motor's torque peaks, and StallGuard's flag (which the firmware faults on) goes up past it
   */
  loadAngleDegMax: number;
}

/** Where a run's trace goes (`pen envelope --edge --out`): its sinks, made once the pen's timer is known, closed at the run's end. */
export interface EdgeTrace {
  sinks(timerHz: number): TraceSink[];
  close(endTicks: number): void;
}

/** Depths from the shallowest the board sets to the deepest the cartridge allows, every stepMm. */
export function edgeDepths(board: Board, cartridge: string | undefined, stepMm: number): number[] {
  if (!(stepMm >= 0.01))
    throw new Error(`the depth step must be at least 0.01 mm (the pen's resolution), not ${stepMm}`);
  const c = cartridgeOf(board, cartridge);
  const min = board.geometry.depth_min_um / 1000;
  const max = Math.min(board.geometry.depth_max_um, c.max_depth_um) / 1000;
  const out: number[] = [];
  for (let k = 0; min + k * stepMm <= max + 1e-9; k++) out.push(Math.round((min + k * stepMm) * 100) / 100);
  return out;
}

/**
 * One run: the worst pen ready, professional mode, the deepest zone, depthMm at `ask` ('edge': the
 * edge's own rate; 'above': the board's highest, clamped to the edge; a number: that rate, inside the
 * envelope), started by its button.
 */
export function edgePoint(
  pen: Board,
  wasm: string,
  cartridge: string | undefined,
  depthMm: number,
  ask: 'edge' | 'above' | number,
  seed: number,
  trace?: EdgeTrace,
): EdgePoint {
  // (the trace only watches: the run is the same with it, bit for bit)
  const sim = new PenSim({ board: pen, cartridge, wasm, seed, trace: Boolean(trace) });
  if (trace) sim.trace!.stream(trace.sinks(sim.timerHz));
  try {
    return runPoint(sim, pen, depthMm, ask);
  } finally {
    trace?.close(sim.tTicks);
  }
}

function runPoint(sim: PenSim, pen: Board, depthMm: number, ask: 'edge' | 'above' | number): EdgePoint {
  sim.press('power');
  if (!sim.runUntil(() => sim.state === 'ready', 3000))
    throw new Error(`pen not ready after power-on: ${sim.state} ${sim.fault}`);
  const r = unlockProfessional(sim);
  if (!r.startsWith('OK')) throw new Error(`professional mode refused: ${r}`);
  for (const line of ['SET ZONE stretch_marks', `SET DEPTH ${depthMm.toFixed(2)}`]) {
    const reply = commandOnceChecked(sim, line);
    if (!reply.startsWith('OK')) throw new Error(`${line} -> ${reply}`);
  }
  const top = pen.stroke.freq_max_hz;
  sim.command(`SET FREQ ${top}`);
  const edgeHz = sim.setting.freqHz;
  const askedHz = ask === 'edge' ? edgeHz : ask === 'above' ? top : ask;
  if (ask !== 'above') sim.command(`SET FREQ ${askedHz}`);
  const freqHz = sim.setting.freqHz; // (the edge, or the rate asked inside it)
  const point = (over: Partial<EdgePoint>): EdgePoint => ({
    depthMm,
    freqHz,
    askedHz,
    held: false,
    state: sim.state,
    fault: sim.fault,
    worstErrUm: NaN,
    startDeepestUm: NaN,
    lostSteps: 0,
    strokes: 0,
    why: '',
    loadAngleDegMax: sim.mech.physicsSummary()?.load_angle_deg_max ?? NaN,
    ...over,
  });
  if (freqHz === 0) return point({ why: 'the firmware runs no rate at this depth' });
  const start = sim.command('START');
  if (start !== 'OK waiting for the start button') return point({ why: `START -> ${start}` });
  sim.press('start');
  sim.run(EDGE_SETTLE_MS);
  const setUm = sim.setting.depthUm;
  const settling = sim.meter.strokes.map((s) => s.depthUm - setUm); // (the meter counts strokes from the start)
  sim.startMeasuring();
  sim.run(EDGE_MEASURE_MS);
  const m = sim.measure();
  const errs = sim.meter.strokes.map((s) => s.depthUm - setUm);
  const worstErrUm = errs.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), errs.length ? 0 : NaN);
  const all = [...settling, ...errs];
  const startDeepestUm = all.length ? Math.max(...all) : NaN;
  const why =
    sim.state !== 'running'
      ? `${sim.state} (${sim.fault})`
      : m.missed_steps > 0
        ? `${m.missed_steps} steps lost`
        : !(Math.abs(worstErrUm) <= DEPTH_TOL_UM)
          ? `a stroke ${worstErrUm.toFixed(1)} um from the depth`
          : startDeepestUm > DEPTH_TOL_UM
            ? `a stroke after the start ${startDeepestUm.toFixed(1)} um past the depth`
            : !(Math.abs((m.freq_hz ?? 0) / freqHz - 1) <= RATE_TOL)
              ? `rate ${m.freq_hz?.toFixed(2)} Hz`
              : '';
  return point({
    held: why === '',
    state: sim.state,
    fault: sim.fault,
    worstErrUm,
    startDeepestUm,
    lostSteps: m.missed_steps,
    strokes: errs.length,
    why,
  });
}

/**
 * Every depth's edge, asked exactly and asked above, on `pen` (the worst pen of `board`'s ranges unless
 * given); with `inside`, also every whole rate from the board's lowest up to the edge, asked exactly (a
 * pen that holds its edge may still fail below it: held is not monotonic in the rate).
 */
export function envelopeEdge(
  board: Board,
  wasm: string,
  cartridge: string | undefined,
  depthsMm: number[],
  seed: number,
  progress?: (depthsDone: number, depths: number, runs: number) => void,
  inside = false,
  pen: Board = worstPen(board),
): EdgePoint[] {
  const out: EdgePoint[] = [];
  for (const [i, d] of depthsMm.entries()) {
    const edge = edgePoint(pen, wasm, cartridge, d, 'edge', seed);
    out.push(edge, edgePoint(pen, wasm, cartridge, d, 'above', seed));
    if (inside)
      for (let f = board.stroke.freq_min_hz; f < edge.freqHz; f++)
        out.push(edgePoint(pen, wasm, cartridge, d, f, seed));
    progress?.(i + 1, depthsMm.length, out.length);
  }
  return out;
}
