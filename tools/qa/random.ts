// `pen qa --random N`: scenarios at settings nobody picked. Each case strokes at a depth, rate and skin
// drawn from the board's own ranges (a third of them at the highest rate asked, so at the envelope's
// edge), on pens drawn from its tolerances, and half of them change depth and rate while stroking; the
// depth at the tip, the rate and the steps are then held to the promises as the shipped suite holds
// them (400 ms after a start, 600 ms after a change). Each case is written as a scenario file, so a
// failure reruns with `pen qa FILE`; the same seed draws the same files. With a cartridge type every
// case runs that cartridge, its depths drawn up to its needles' length.
import { Board, cartridgeOf } from '../../boards/board.js';
import { Rng } from '../../host-sim/rng.js';
import { TRIM_SETTLE_MS } from '../lib/session.js';

/** zone and mode that allow every depth of the board (as the campaign uses) */
const ZONE = 'stretch_marks';
const TISSUES = ['soft', 'normal', 'tough'] as const;
/** settling before the measured second: after a start (the shipped edge matrix), after a change (PEN-CHG-01 and the trim) */
export const SETTLE_AFTER_START_MS = TRIM_SETTLE_MS;
export const SETTLE_AFTER_CHANGE_MS = 600;

export interface RandomScenario {
  /** file name, r<index>.yaml */
  file: string;
  text: string;
}

interface Setting {
  depthMm: number;
  freqHz: number;
}

/** A depth (to the 0.01 mm) and an asked rate (whole hertz) within the board's ranges, the depth within `maxUm`. */
function setting(rng: Rng, b: Board, maxUm: number): Setting {
  const g = b.geometry,
    s = b.stroke;
  const depthMm = Math.round(rng.range(g.depth_min_um, maxUm) / 10) / 100;
  const edge = rng.next() < 1 / 3;
  const freqHz = edge ? s.freq_max_hz : Math.round(rng.range(s.freq_min_hz, s.freq_max_hz));
  return { depthMm, freqHz };
}

/**
 * N scenarios for the boards in turn, drawn from `seed`; `pens` pens each (the scenario's `tolerance`);
 * with `cartridge`, every case runs that type (the board's default otherwise, and no `cartridge` key).
 */
export function randomScenarios(
  n: number,
  seed: number,
  boards: Board[],
  pens: number,
  cartridge?: string,
): RandomScenario[] {
  const out: RandomScenario[] = [];
  const width = String(n - 1).length;
  for (let i = 0; i < n; i++) {
    const b = boards[i % boards.length];
    // (throws the board's own error, naming the valid types, for a type it does not have)
    const maxUm =
      cartridge === undefined
        ? b.geometry.depth_max_um
        : Math.min(b.geometry.depth_max_um, cartridgeOf(b, cartridge).max_depth_um);
    const rng = new Rng(seed * 1_000_003 + i); // each case its own stream: case i is the same in any N
    const first = setting(rng, b, maxUm);
    const change = rng.next() < 0.5 ? setting(rng, b, maxUm) : undefined;
    const tissue = TISSUES[Math.floor(rng.next() * TISSUES.length)];
    const penSeed = 1 + Math.floor(rng.next() * 1_000_000);
    const last = change ?? first;
    const what = change
      ? `${first.depthMm} mm / ${first.freqHz} Hz, then ${change.depthMm} mm / ${change.freqHz} Hz while stroking`
      : `${first.depthMm} mm / ${first.freqHz} Hz`;
    const lines = [
      '# yaml-language-server: $schema=../../../docs/scenario.schema.json',
      `# Drawn by pen qa --random ${n} --seed ${seed}${cartridge === undefined ? '' : ` --cartridge ${cartridge}`} (case ${i}): rerun with pen qa on this file.`,
      `name: "random ${i}: ${b.name}${cartridge === undefined ? '' : `, cartridge ${cartridge}`}, ${what}, ${tissue} skin"`,
      `requirements: [PEN-DEPTH-01, PEN-RATE-01, PEN-STEP-01${change ? ', PEN-CHG-01' : ''}]`,
      'tags: [random, physical]',
      `board: ${b.name}`,
      ...(cartridge === undefined ? [] : [`cartridge: "${cartridge}"`]),
      'model: physical',
      `tolerance: ${pens}`,
      `seed: ${penSeed}`,
      `tissue: ${tissue}`,
      `zone: ${ZONE}`,
      'mode: professional',
      'steps:',
      `  - set: {depth_mm: ${first.depthMm}, freq_hz: ${first.freqHz}}`,
      '  - press: start',
    ];
    if (change) {
      lines.push(
        `  - run: ${SETTLE_AFTER_CHANGE_MS}ms`,
        '  - expect: {state: running, missed_steps: 0}',
        `  - set: {depth_mm: ${change.depthMm}, freq_hz: ${change.freqHz}}`,
        `  - run: ${SETTLE_AFTER_CHANGE_MS}ms`,
      );
    } else lines.push(`  - run: ${SETTLE_AFTER_START_MS}ms`);
    lines.push(
      '  - run: 1s',
      '  - expect:',
      `      depth_mm: {value: ${last.depthMm}, tol: 0.02}`,
      '      freq_hz: {value: setting, tol_pct: 0.5}',
      '      missed_steps: 0',
      '      state: running',
    );
    out.push({ file: `r${String(i).padStart(width, '0')}.yaml`, text: lines.join('\n') + '\n' });
  }
  return out;
}
