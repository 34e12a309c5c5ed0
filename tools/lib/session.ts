// The standard session behind `pen sim` and the tests: power on, home, set depth and rate over the
// serial port, start, stroke for a while, measure, stop.
import { Board } from '../../boards/board.js';
import { PenSim } from '../../host-sim/pen.js';
import { Trace, TraceSink } from '../../host-sim/trace.js';
import { Flash } from '../../host-sim/flash.js';
import { CLAMP_WHY } from '../../host-sim/names.js';
import { derive } from '../../boards/board.js';
import { unlockProfessional } from './clinic.js';

/**
 * Stroking before the measured run on the physical model: the first strokes start from rest and the
 * depth trim corrects the rotor's lag at the bottom from the encoder's measurements (every stroke within
 * the depth tolerance after at most 250 ms over 754 starts, docs/simulator.md); the QA cases and
 * `pen envelope --edge` let the same time pass.
 */
export const TRIM_SETTLE_MS = 400;
/** on the ideal model the carriage follows its steps: only the first strokes from rest */
const IDEAL_SETTLE_MS = 100;

export interface SessionOptions {
  board: Board;
  cartridge: string;
  depthMm: number;
  freqHz: number;
  seconds: number;
  seed: number;
  tissue: string;
  trace: boolean;
  wasm: string;
  /** stroking before the measured run (default TRIM_SETTLE_MS on the physical model, 100 ms on the ideal one) */
  settleMs?: number;
  progress?: (done: number) => void;
  /** stream the trace to these sinks as the pen runs instead of keeping it (any length, bounded memory) */
  traceSinks?: (timerHz: number) => TraceSink[];
  /** treatment zone (default cheeks) and mode (default home) */
  zone?: string;
  mode?: 'home' | 'professional';
  /** which pen of the board's ranges `board` is (typical, worst, or a drawn pen's number): for the summary */
  pen?: string;
  /** the log flash to start from (a pen's history) */
  flash?: Flash;
}

export interface Summary {
  board: string;
  /** the motor model the run used: ideal, or physical (the four physics figures below) */
  model: 'ideal' | 'physical';
  /** the pen of the board's ranges: typical, worst, or a drawn pen's number */
  pen: string;
  cartridge: string;
  needles: number;
  tissue: string;
  seed: number;
  zone: string;
  mode: string;
  asked: { depth_mm: number; freq_hz: number };
  set: { depth_mm: number; freq_hz: number };
  depth_mm: { mean: number; min: number; max: number } | null;
  freq_hz: number | null;
  puncture_rate: number | null;
  missed_steps: number;
  clamped: boolean;
  clamp_reason: string | null;
  strokes: number;
  step_error_us_max: number;
  peak_load: number;
  state: string;
  fault: string;
  replies: string[];
  /** ms of stroking before the measured run (the first strokes, and on the physical model the depth trim) */
  settle_ms: number;
  /** physical model only (null with the ideal one): deepest tip past the set depth over the run (um, 0 if never past it) */
  tip_overshoot_um: number | null;
  /** physical model only: largest load angle (degrees electrical; 90 is the stability limit) */
  load_angle_deg_max: number | null;
  /** physical model only: hottest motor winding and driver die over the run (deg C) */
  winding_temp_c_max: number | null;
  driver_temp_c_max: number | null;
}

export interface SessionResult {
  summary: Summary;
  trace?: Trace;
  endTicks: number;
  timerHz: number;
  stepUm: number;
  files: string[];
  flash: Flash;
  /** when the pen had stopped (the trace's end) */
  stoppedTicks: number;
}

export class SessionError extends Error {}

export function runSession(o: SessionOptions): SessionResult {
  const sim = new PenSim({
    board: o.board,
    cartridge: o.cartridge,
    seed: o.seed,
    tissue: o.tissue,
    trace: o.trace || Boolean(o.traceSinks),
    wasm: o.wasm,
    flash: o.flash,
  });
  if (o.traceSinks) sim.trace!.stream(o.traceSinks(sim.timerHz));
  sim.press('power');
  if (!sim.runUntil(() => sim.state === 'ready' || sim.state === 'fault', 3000) || sim.state !== 'ready') {
    throw new SessionError(`the pen did not get ready after power-on: state ${sim.state}, fault ${sim.fault}`);
  }
  const replies: string[] = [];
  if (o.mode === 'professional') replies.push(unlockProfessional(sim));
  replies.push(sim.command(`SET ZONE ${o.zone ?? 'cheeks'}`));
  replies.push(
    sim.command(`SET DEPTH ${o.depthMm.toFixed(2)}`),
    sim.command(`SET FREQ ${o.freqHz}`),
    sim.command('START'),
  );
  const bad = replies.find((r) => !r.startsWith('OK'));
  if (bad) throw new SessionError(`the pen refused the setting: ${bad}`);
  // START over the serial port only checks: the needles start from the pen's start button
  sim.press('start');
  if (!sim.runUntil(() => sim.state === 'running', 200)) {
    throw new SessionError(`the start button did not start the pen: state ${sim.state}, fault ${sim.fault}`);
  }
  const settleMs = o.settleMs ?? (sim.mech.phys ? TRIM_SETTLE_MS : IDEAL_SETTLE_MS);
  sim.run(settleMs); // the first strokes start from rest; measure the steady ones
  sim.startMeasuring();
  const chunks = Math.max(1, Math.ceil(o.seconds * 10));
  for (let i = 0; i < chunks; i++) {
    sim.run((o.seconds * 1000) / chunks);
    o.progress?.((i + 1) / chunks);
  }
  const m = sim.measure();
  const endTicks = sim.tTicks;
  replies.push(sim.command('STOP'));
  sim.runUntil(() => sim.state !== 'running', 1000); // the session's record is written as it stops
  const set = sim.setting;
  const phys = sim.mech.physicsSummary();
  // the same keys with either model: null where the ideal model has no rotor, currents or heat
  const measured = {
    tip_overshoot_um: phys ? Math.max(0, phys.tip_max_um - set.depthUm) : null,
    load_angle_deg_max: phys?.load_angle_deg_max ?? null,
    winding_temp_c_max: phys?.winding_temp_c_max ?? null,
    driver_temp_c_max: phys?.driver_temp_c_max ?? null,
  };
  return {
    summary: {
      board: o.board.name,
      model: sim.mech.phys ? 'physical' : 'ideal',
      pen: o.pen ?? 'typical',
      cartridge: o.cartridge,
      needles: sim.cartridge.needles,
      tissue: o.tissue,
      seed: o.seed,
      zone: o.zone ?? 'cheeks',
      mode: o.mode ?? 'home',
      asked: { depth_mm: o.depthMm, freq_hz: o.freqHz },
      set: { depth_mm: set.depthUm / 1000, freq_hz: set.freqHz },
      depth_mm: m.depth_mm,
      freq_hz: m.freq_hz,
      puncture_rate: m.puncture_rate,
      missed_steps: m.missed_steps + 0,
      clamped: set.clamp !== 'none',
      clamp_reason: set.clamp === 'none' ? null : `${set.clamp}: ${CLAMP_WHY[set.clamp] ?? ''}`.trim(),
      strokes: m.strokes,
      step_error_us_max: m.step_error_us_max,
      peak_load: sim.mech.peakLoadShare,
      state: sim.state,
      fault: sim.fault,
      replies,
      settle_ms: settleMs,
      ...measured,
    },
    trace: sim.trace,
    endTicks,
    stoppedTicks: sim.tTicks,
    timerHz: sim.timerHz,
    stepUm: derive(o.board).stepUm,
    files: [],
    flash: sim.flash,
  };
}
