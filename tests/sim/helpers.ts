// Shared by the simulator tests: the built firmware, a pen powered on and ready, and a stroking pen.
import { buildFirmware } from '../../tools/build/build.js';
import { loadBoard, Board } from '../../boards/board.js';
import { PenSim, SimOptions } from '../../host-sim/pen.js';
import { readEnvelope } from '../../tools/lib/envelope.js';
import { unlockProfessional } from '../../tools/lib/clinic.js';
import { DEPTH_TOL_UM } from '../../tools/lib/envelope-limit.js';
import assert from 'node:assert/strict';
import type { CaseResult } from '../../tools/qa/results.js';
import type { Provenance } from '../../tools/qa/provenance.js';

export const BOARD: Board = loadBoard('ref-pen');

/** The firmware for a board, built if missing or stale. */
export async function firmware(board = 'ref-pen'): Promise<string> {
  // built when missing or stale (the build is cached by the key of its sources)
  return (await buildFirmware(board)).wasmPath;
}

export async function readyPen(opts: Partial<SimOptions> = {}): Promise<PenSim> {
  const sim = new PenSim({ wasm: await firmware(), ...opts });
  sim.press('power');
  if (!sim.runUntil(() => sim.state === 'ready', 3000)) throw new Error(`not ready: ${sim.state} ${sim.fault}`);
  return sim;
}

/** A ready pen in professional mode with the deepest zone chosen: only the motor and cartridge limit it. */
export async function unlockedPen(opts: Partial<SimOptions> = {}): Promise<PenSim> {
  const sim = await readyPen(opts);
  const r = unlockProfessional(sim);
  if (!r.startsWith('OK')) throw new Error(`professional mode refused: ${r}`);
  const z = sim.command('SET ZONE stretch_marks');
  if (!z.startsWith('OK')) throw new Error(z);
  return sim;
}

/** A pen stroking at a setting, past its first strokes. */
export async function strokingPen(depthMm: number, freqHz: number, opts: Partial<SimOptions> = {}): Promise<PenSim> {
  const sim = await unlockedPen(opts);
  for (const line of [`SET DEPTH ${depthMm.toFixed(2)}`, `SET FREQ ${freqHz}`]) {
    const r = sim.command(line);
    if (!r.startsWith('OK')) throw new Error(`${line} -> ${r}`);
  }
  startByButton(sim);
  sim.run(100);
  return sim;
}

/** START over the serial port (it only checks), then the start button, which starts the needles. */
export function startByButton(sim: PenSim): void {
  const r = sim.command('START');
  if (r !== 'OK waiting for the start button') throw new Error(`START -> ${r}`);
  sim.press('start');
  if (!sim.runUntil(() => sim.state === 'running', 200))
    throw new Error(`the start button did not start: ${sim.state}`);
}

const envelopeCache = new Map<string, Map<number, number>>();
/** Highest stroke rate the firmware allows at each depth (from the firmware itself). */
export async function maxFreq(depthMm: number, cartridge?: string): Promise<number> {
  const key = cartridge ?? BOARD.default_cartridge;
  let m = envelopeCache.get(key);
  if (!m) {
    m = new Map();
    envelopeCache.set(key, m);
  }
  if (!m.has(depthMm)) m.set(depthMm, readEnvelope(BOARD, await firmware(), key, [depthMm])[0].maxFreqHz);
  return m.get(depthMm)!;
}

/** Runs until the step that takes the tip past `tipUm` on its way into the skin. */
export function untilDiving(sim: PenSim, tipUm: number): void {
  let before = sim.observation.tipUm;
  const crossed = (): boolean => {
    const now = sim.observation.tipUm;
    const hit = before <= tipUm && now > tipUm;
    before = now;
    return hit;
  };
  if (!sim.runUntilStep(crossed, 500)) throw new Error(`the needles never went ${tipUm} um deep`);
}

/** The deepest depth the firmware takes with a cartridge, read from its refusal of 9 mm. */
export async function depthLimit(cartridge: string): Promise<number> {
  const sim = await unlockedPen({ cartridge });
  const r = sim.command('SET DEPTH 9');
  const m = /out of range [0-9.]+\.\.([0-9.]+) mm/.exec(r);
  if (!m) throw new Error(`unexpected reply ${r}`);
  return Number(m[1]);
}

/**
 * A pen stroking at depthMm and freqHz holds it: after 400 ms (the first strokes and the trim's plans),
 * every stroke for a second ends within the depth tolerance at the tip, no step is lost, the pen is
 * still stroking and the rate is within 0.5 %.
 */
export function assertHolds(sim: PenSim, depthMm: number, freqHz: number): void {
  sim.run(400);
  sim.startMeasuring();
  sim.run(1000);
  assert.equal(sim.state, 'running', `fault ${sim.fault}`);
  const m = sim.measure();
  assert.equal(m.missed_steps, 0);
  const errs = sim.meter.strokes.map((s) => s.depthUm - depthMm * 1000);
  assert.ok(errs.length >= 20, `${errs.length} strokes`);
  const worst = errs.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
  assert.ok(
    Math.abs(worst) <= DEPTH_TOL_UM,
    `${freqHz} Hz: tip ${worst.toFixed(1)} um from the set depth (strokes ${Math.min(...errs).toFixed(1)}..${Math.max(...errs).toFixed(1)} um)`,
  );
  assert.ok(Math.abs(m.freq_hz! / freqHz - 1) <= 0.005, `rate ${m.freq_hz} Hz against ${freqHz} Hz`);
}

/** A failed case as a run reports it, with `name` and a serial reply of `reply`. */
export function oddCase(name: string, reply: string): CaseResult {
  return {
    name,
    scenario: name,
    file: 'tests/qa/odd.yaml',
    line: 1,
    board: 'ref-pen',
    cartridge: '16',
    seed: 1,
    params: {},
    matrixKeys: [],
    requirements: [],
    tags: [],
    status: 'failed',
    message: `tests/qa/odd.yaml:4: expected reply "OK", measured "${reply}"`,
    wallMs: 1,
    simMs: 1,
    steps: [{ line: 3, text: 'send: STATUS?', status: 'passed', detail: `reply: ${reply}` }],
    expects: [{ line: 4, key: 'reply', expected: 'OK', measured: reply, pass: false }],
    plots: [],
  };
}

/** The provenance the report tests give the odd cases: fixed, so their output is the same each run. */
export const ODD_PROV: Provenance = {
  date: '2025-01-01T00:00:00Z',
  firmware: [],
  commit: 'c0ffee',
  tools: { node: 'v22', pen: '0.1.0', assemblyscript: '0.27.0' },
  seed: 1,
};
