// What a campaign sweeps, and its cases in a fixed order. The default definition: every injectable fault
// alone at 16 phases x 7 depths (to the reference boards' deepest, 3.0 mm) x 3 rates, and on soft and
// tough skin; every ordered pair of faults 0, 2 and 6 ms apart; endstop, driver-flag and battery
// glitches of 0.1 to 5 ms; hangs (a fault like the others); power cuts when the simulator can make
// them. The sample is a fixed spread of it for tests; `draw` gives cases off the grid.
import { INJECTABLE } from '../../host-sim/faults.js';
import { Rng } from '../../host-sim/rng.js';
import { Board, cartridgeOf } from '../../boards/board.js';
import { CampaignCase, Model, PenChoice, makeCase } from './spec.js';

export interface CampaignDefinition {
  /** faults swept alone */
  singles: { faults: readonly string[]; phases: number[]; depthsMm: number[]; ratesHz: number[]; tissues: string[] };
  /** the same faults on other skin (fewer phases) */
  tissues: { phases: number[]; depthsMm: number[]; ratesHz: number[]; tissues: string[] };
  /** every ordered pair of two different faults (with `firsts`, only pairs that start with one of them) */
  pairs: { delaysMs: number[]; phases: number[]; depthsMm: number[]; ratesHz: number[]; firsts?: readonly string[] };
  /** glitches: a fault that goes away by itself */
  glitches: { faults: string[]; lengthsMs: number[]; phases: number[]; depthsMm: number[]; ratesHz: number[] };
  /** power cuts (the supply back after `forMs`) */
  powerCuts: { phases: number[]; depthsMm: number[]; ratesHz: number[]; forMs: number };
}

const phases = (n: number): number[] => Array.from({ length: n }, (_, i) => i / n);

export const DEFAULT_DEFINITION: CampaignDefinition = {
  singles: {
    faults: INJECTABLE,
    phases: phases(16),
    depthsMm: [0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0],
    ratesHz: [40, 80, 120],
    tissues: ['normal'],
  },
  tissues: { phases: phases(4), depthsMm: [0.5, 1.5, 2.5], ratesHz: [80], tissues: ['soft', 'tough'] },
  pairs: { delaysMs: [0, 2, 6], phases: phases(4), depthsMm: [0.5, 1.5, 2.5, 3.0], ratesHz: [80] },
  glitches: {
    faults: ['endstop_stuck', 'endstop_dead', 'driver_short', 'overtemp', 'battery_sag'],
    lengthsMs: [0.1, 0.2, 0.5, 1, 2, 5],
    phases: phases(16),
    depthsMm: [0.5, 1.0, 1.5, 2.5],
    ratesHz: [80],
  },
  powerCuts: { phases: phases(16), depthsMm: [0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0], ratesHz: [40, 80, 120], forMs: 50 },
};

/**
 * The envelope's corners, finely: where the default grid's 16 phases and its rates (40-120 Hz) do not
 * reach and random draws seldom land. Every fault alone at 50 phases at the board's shallowest
 * setting, 0.1 mm deeper, 1.0 and 2.0 mm and its deepest, each at the slowest and the fastest rate
 * asked (the pen clamps that to its envelope's edge); an obstacle, then every other fault 1-6 ms on;
 * glitches of 0.2 and 1 ms. An obstacle placed as the needles went up and met 0.1 mm short of the
 * shallowest setting at the slowest rate came back late (docs/hazards.md): 10,000 random cases met it
 * once; these phases met it at 0.36 and 0.66 of the period, on both boards and three cartridges.
 */
export function cornersDefinition(board: Board): CampaignDefinition {
  const g = board.geometry;
  const depthsMm = [
    ...new Set([g.depth_min_um, g.depth_min_um + 100, 1000, 2000, g.depth_max_um].map((um) => um / 1000)),
  ]
    .filter((d) => d * 1000 >= g.depth_min_um && d * 1000 <= g.depth_max_um)
    .sort((a, b) => a - b);
  const ends = [depthsMm[0], depthsMm[depthsMm.length - 1]];
  const ratesHz = [board.stroke.freq_min_hz, board.stroke.freq_max_hz];
  return {
    singles: { faults: INJECTABLE, phases: phases(50), depthsMm, ratesHz, tissues: ['normal'] },
    tissues: { phases: [], depthsMm: [], ratesHz: [], tissues: [] },
    pairs: { delaysMs: [1, 2.5, 4, 6], phases: phases(25), depthsMm: ends, ratesHz, firsts: ['stall'] },
    glitches: {
      ...DEFAULT_DEFINITION.glitches,
      lengthsMs: [0.2, 1],
      phases: phases(50),
      depthsMm: [ends[0], 1.0, ends[1]],
      ratesHz,
    },
    powerCuts: { phases: phases(25), depthsMm: ends, ratesHz, forMs: DEFAULT_DEFINITION.powerCuts.forMs },
  };
}

export interface Sweep {
  board: string;
  model: Model;
  /** the pen every case runs on (spec.ts; default the typical one) */
  pen?: PenChoice;
  /** the cartridge type every case runs with (default: the board's own) */
  cartridge?: string;
  seed: number;
  /** include power cuts (the simulator can cut the supply) */
  powerCut: boolean;
}

/**
 * The deepest setting the sweep's cartridge takes on the board (mm): its needles' length, within the
 * board's own deepest.
 */
export function sweepMaxDepthMm(sw: Sweep, board: Board): number {
  const c = cartridgeOf(board, sw.cartridge ?? board.default_cartridge);
  return Math.min(board.geometry.depth_max_um, c.max_depth_um) / 1000;
}

/**
 * A case of the sweep, its seed from the sweep's seed and what the case is. No cartridge key for the
 * board's own cartridge: its cases keep their ids and seeds.
 */
function sweepCase(
  sw: Sweep,
  tissue: string,
  depthMm: number,
  freqHz: number,
  events: CampaignCase['events'],
): CampaignCase {
  const base = {
    board: sw.board,
    model: sw.model,
    pen: sw.pen ?? 0,
    tissue,
    ...(sw.cartridge === undefined ? {} : { cartridge: sw.cartridge }),
    depthMm,
    freqHz,
    events,
  };
  return makeCase({ ...base, seed: caseSeed(sw.seed, JSON.stringify(base)) });
}

/**
 * Every case of a definition, in a fixed order; each case's seed comes from the sweep's seed and the
 * case. With a cartridge of the sweep, depths past its needles' length (`board`'s) are left out.
 */
export function expand(def: CampaignDefinition, sw: Sweep, board?: Board): CampaignCase[] {
  const out: CampaignCase[] = [];
  const maxMm = sw.cartridge !== undefined && board ? sweepMaxDepthMm(sw, board) : Infinity;
  const add = (tissue: string, depthMm: number, freqHz: number, events: CampaignCase['events']): void => {
    if (depthMm > maxMm) return;
    out.push(sweepCase(sw, tissue, depthMm, freqHz, events));
  };
  const s = def.singles;
  for (const fault of s.faults)
    for (const tissue of s.tissues)
      for (const d of s.depthsMm)
        for (const r of s.ratesHz) for (const phase of s.phases) add(tissue, d, r, [{ fault, phase }]);
  const t = def.tissues;
  for (const fault of s.faults)
    for (const tissue of t.tissues)
      for (const d of t.depthsMm)
        for (const r of t.ratesHz) for (const phase of t.phases) add(tissue, d, r, [{ fault, phase }]);
  const p = def.pairs;
  for (const a of p.firsts ?? s.faults)
    for (const b of s.faults) {
      if (a === b) continue;
      for (const delayMs of p.delaysMs)
        for (const d of p.depthsMm)
          for (const r of p.ratesHz)
            for (const phase of p.phases)
              add('normal', d, r, [
                { fault: a, phase },
                { fault: b, delayMs },
              ]);
    }
  const g = def.glitches;
  for (const fault of g.faults)
    for (const forMs of g.lengthsMs)
      for (const d of g.depthsMm)
        for (const r of g.ratesHz) for (const phase of g.phases) add('normal', d, r, [{ fault, phase, forMs }]);
  if (sw.powerCut) {
    const c = def.powerCuts;
    for (const d of c.depthsMm)
      for (const r of c.ratesHz)
        for (const phase of c.phases) add('normal', d, r, [{ fault: 'power_cut', phase, forMs: c.forMs }]);
  }
  return out;
}

/**
 * `n` cases drawn off the grid, the same for the same seed: a fault (or two, or a glitch, or a power
 * cut) at any phase (1/10,000 of a stroke), a second one 0-6 ms later (0.1 ms), glitches of 0.1-5 ms,
 * any depth of the board's range for the sweep's cartridge (its depth step), any asked rate of its
 * range (1 Hz; the pen clamps it to the envelope), any skin. The grid's phases, depths and delays
 * are a few points each; a worst case can sit between them.
 */
export function draw(def: CampaignDefinition, sw: Sweep, board: Board, n: number): CampaignCase[] {
  const rng = new Rng(caseSeed(sw.seed, 'draw'));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)];
  const g = board.geometry;
  const stepUm = board.buttons.depth_step_um;
  const maxUm = Math.round(sweepMaxDepthMm(sw, board) * 1000);
  const depthSteps = Math.floor((maxUm - g.depth_min_um) / stepUm);
  const tissues = [...new Set([...def.singles.tissues, ...def.tissues.tissues])];
  const faults = def.singles.faults;
  const out: CampaignCase[] = [];
  while (out.length < n) {
    const depthMm = (g.depth_min_um + stepUm * Math.floor(rng.next() * (depthSteps + 1))) / 1000;
    const freqHz =
      board.stroke.freq_min_hz + Math.floor(rng.next() * (board.stroke.freq_max_hz - board.stroke.freq_min_hz + 1));
    const phase = Math.floor(rng.next() * 10_000) / 10_000; // (the id writes 4 decimals: it replays exactly)
    const tissue = rng.next() < 0.8 ? 'normal' : pick(tissues);
    const delayMs = Math.round(rng.next() * 60) / 10;
    const glitchMs = Math.round(Math.exp(rng.range(Math.log(0.1), Math.log(5))) * 10) / 10;
    const kind = rng.next();
    let events: CampaignCase['events'];
    if (kind < 0.25) events = [{ fault: pick(faults), phase }];
    else if (kind < 0.75) {
      const a = pick(faults);
      let b = pick(faults);
      while (b === a) b = pick(faults);
      events = [
        { fault: a, phase },
        { fault: b, delayMs },
      ];
    } else if (kind < 0.95 || !sw.powerCut) events = [{ fault: pick(def.glitches.faults), phase, forMs: glitchMs }];
    else events = [{ fault: 'power_cut', phase, forMs: def.powerCuts.forMs }];
    out.push(sweepCase(sw, tissue, depthMm, freqHz, events));
  }
  return out;
}

/** A fixed spread of `cases`: about `n` of them, every k-th, the same for the same list. */
export function sample(cases: CampaignCase[], n: number): CampaignCase[] {
  if (cases.length <= n) return cases;
  const every = cases.length / n;
  return Array.from({ length: n }, (_, i) => cases[Math.floor(i * every)]);
}

/** A seed per case from the sweep's seed and what the case is, so a case keeps its seed in any list. */
export function caseSeed(seed: number, what: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < what.length; i++) h = Math.imul(h ^ what.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 1_000_000;
}
