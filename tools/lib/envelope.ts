// The firmware's own envelope, read back through the serial protocol: for each depth, the highest
// stroke rate the pen will run (asking for the top rate and reading what it clamps to).
import { Board, cartridgeOf } from '../../boards/board.js';
import { PenSim } from '../../host-sim/pen.js';
import { unlockProfessional } from './clinic.js';

export interface EnvelopePoint {
  depthMm: number;
  maxFreqHz: number;
  clamp: string;
}

export function readEnvelope(
  board: Board,
  wasm: string,
  cartridge: string | undefined,
  depthsMm: number[],
): EnvelopePoint[] {
  const sim = new PenSim({ board, cartridge, wasm, seed: 1 });
  sim.press('power');
  if (!sim.runUntil(() => sim.state === 'ready', 3000))
    throw new Error(`pen not ready after power-on: ${sim.state} ${sim.fault}`);
  // the motor's envelope, not a zone's or a mode's cap: professional mode, the deepest zone
  const r = unlockProfessional(sim);
  if (!r.startsWith('OK')) throw new Error(`professional mode refused: ${r}`);
  sim.command('SET ZONE stretch_marks');
  const top = board.stroke.freq_max_hz;
  const out: EnvelopePoint[] = [];
  for (const d of depthsMm) {
    const r = commandOnceChecked(sim, `SET DEPTH ${d.toFixed(2)}`);
    if (!r.startsWith('OK')) {
      out.push({ depthMm: d, maxFreqHz: 0, clamp: r });
      continue;
    }
    sim.command(`SET FREQ ${top}`);
    out.push({ depthMm: d, maxFreqHz: sim.setting.freqHz, clamp: sim.setting.clamp });
  }
  return out;
}

/** how long a fitted cartridge's check may take before a tool gives up on it (ms of pen time) */
export const CARTRIDGE_CHECK_MAX_MS = 2000;
const CHECKING = /^ERR 6 cartridge still being checked/;

/**
 * Send a setting once the pen has finished checking the fitted cartridge. The pen is ready before it
 * has worked out the cartridge's deepest setting (a few control ticks per rate tried: longer on a board
 * whose lowest rate cannot run the cartridge's full depth) and refuses depth settings until then; a
 * tool that reads the envelope waits for it rather than reporting the refusal as the envelope.
 */
export function commandOnceChecked(sim: PenSim, line: string, maxMs = CARTRIDGE_CHECK_MAX_MS): string {
  let waitedMs = 0;
  for (;;) {
    const r = sim.command(line);
    if (!CHECKING.test(r)) return r;
    if (waitedMs >= maxMs)
      throw new Error(`"${line}": the pen was still checking its cartridge after ${maxMs} ms (${r})`);
    sim.run(10);
    waitedMs += 10;
  }
}

/** Depths from 0.25 mm in 0.25 mm steps up to what the cartridge allows. */
export function standardDepths(board: Board, cartridge?: string): number[] {
  const c = cartridgeOf(board, cartridge);
  const max = Math.min(board.geometry.depth_max_um, c.max_depth_um) / 1000;
  const out: number[] = [];
  for (let d = 0.25; d <= max + 1e-9; d += 0.25) out.push(Math.round(d * 100) / 100);
  return out;
}
