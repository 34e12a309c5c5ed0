// A case on N pens drawn from the board's ranges (`pen qa --tolerance N`, header `tolerance: N`) and on
// the model the case asks for (header `model:`): the case's result is the worst over the pens, so a case
// that passes only on the typical pen fails, and the failure names the drawn pen and its values.
import { Board, drawPen, loadBoard, withModel } from '../../boards/board.js';
import { HalTap } from '../../host-sim/hal.js';
import { Case } from './scenario.js';
import { CaseResult, ExpectResult } from './results.js';
import { runCase } from './run-case.js';

/** The drawn values the ideal model reads (the rest, and every physics range, act on the physical model only). */
export const IDEAL_MODEL_USES = [
  '/carriage/friction_N',
  '/carriage/mass_g',
  '/carriage/return_spring_preload_N',
  '/drive/efficiency',
  '/endstop/trigger_um', // the switching point (host-sim/parts/endstop.ts)
  '/motor/phase_resistance_ohm', // the coils' draw on the battery (host-sim/parts/stepper-driver.ts)
  '/motor/rotor_inertia_gcm2',
];

export interface Pen {
  /** 0 is the typical pen */
  index: number;
  board: Board;
  /** the drawn values by JSON pointer into the board (empty for the typical pen) */
  drawn: Record<string, number>;
}

/** A drawn pen's seed: from the case's seed and the pen's index, so the same seed and N give the same pens. */
export function penSeed(seed: number, index: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(index, 0x85ebca6b)) >>> 0;
}

/** N pens of a board on a model: pen 0 the typical one, pens 1..N-1 drawn. */
export function pensOf(board: Board, model: 'ideal' | 'physical', n: number, seed: number): Pen[] {
  const b = withModel(board, model);
  return Array.from({ length: n }, (_, index) => {
    if (index === 0) return { index, board: b, drawn: {} };
    const pen = drawPen(b, penSeed(seed, index));
    return { index, board: pen, drawn: drawnValues(pen) };
  });
}

function drawnValues(pen: Board): Record<string, number> {
  const out: Record<string, number> = {};
  for (const ptr of Object.keys(pen.tolerances ?? {}).sort()) out[ptr] = pointerGet(pen, ptr);
  const ph = (pen.physics ?? {}) as unknown as Record<string, unknown>;
  for (const k of Object.keys(ph).sort()) {
    const r = ph[k] as { typical?: unknown; min?: unknown; max?: unknown } | null;
    if (r && typeof r === 'object' && 'min' in r && 'max' in r && typeof r.typical === 'number')
      out[`/physics/${k}`] = r.typical;
  }
  return out;
}

function pointerGet(o: unknown, ptr: string): number {
  return ptr
    .split('/')
    .slice(1)
    .reduce<unknown>((a, k) => (a as Record<string, unknown>)[k], o) as number;
}

/** A pen said in one line: its index and drawn values (the values the model does not use left out). */
export function describePen(p: Pen, model: 'ideal' | 'physical'): string {
  if (p.index === 0) return 'pen 0 (typical)';
  const used = Object.entries(p.drawn).filter(([k]) => model === 'physical' || IDEAL_MODEL_USES.includes(k));
  return `pen ${p.index} (${used.map(([k, v]) => `${k.slice(1)}=${Number(v.toPrecision(4))}`).join(', ')})`;
}

/** Runs a case on its model and pens; one pen on the ideal model is exactly `runCase`. */
export function runCaseOnPens(c: Case, wasm: string, halTap?: HalTap): CaseResult {
  const n = c.tolerance ?? 1;
  const model = c.model;
  if (n <= 1 && model === 'ideal') return runCase(c, wasm, halTap);
  const pens = pensOf(loadBoard(c.board), model, n, c.seed);
  // the tap (coverage) counts what every pen ran
  const runs = pens.map((p) => runCase(c, wasm, halTap, p.board));
  return worstOf(runs, pens, model);
}

/** Per expectation the worst over the pens, with the spread of what was measured. */
export function worstOf(runs: CaseResult[], pens: Pen[], model: 'ideal' | 'physical'): CaseResult {
  const base = runs[0];
  const firstFail = runs.findIndex((r) => r.status === 'failed');
  // one pen, the typical one: its results as they are, with no pen to name
  const on = (i: number): string => (runs.length > 1 ? ` on ${describePen(pens[i], model)}` : '');
  const expects: ExpectResult[] = [];
  const keyOf = (e: ExpectResult): string => `${e.line}\u0000${e.key}`;
  const seen = new Set<string>();
  runs.forEach((r) => {
    for (const e of r.expects) {
      const k = keyOf(e);
      if (seen.has(k)) continue;
      seen.add(k);
      const all = runs.map((x, i) => ({ i, e: x.expects.find((y) => keyOf(y) === k) }));
      const failing = all.find((a) => a.e && !a.e.pass);
      const missing = all.filter((a) => !a.e).map((a) => a.i);
      // every pen passed: the one that came closest to the expectation's limit, where it has one
      const closest = all.reduce<{ i: number; e?: ExpectResult; used: number } | undefined>((best, a) => {
        const used = a.e?.figures?.used;
        // (none where every pen used none of it: 0 steps missed on each)
        return used !== undefined && used > (best?.used ?? 0) ? { ...a, used } : best;
      }, undefined);
      const shown = failing ?? closest ?? all.find((a) => a.e)!;
      const nums = all.flatMap((a) => (a.e ? measuredNumbers(a.e) : []));
      expects.push({
        ...shown.e!,
        pass: !failing && missing.length === 0,
        measured: failing
          ? `${failing.e!.measured}${on(failing.i)}`
          : missing.length
            ? `${shown.e!.measured}; not reached${on(missing[0])}`
            : closest && runs.length > 1
              ? `${shown.e!.measured} on ${describePen(pens[shown.i], model)}, the closest to the limit`
              : shown.e!.measured,
        spread: {
          pens: runs.length,
          min: nums.length ? Math.min(...(nums as number[])) : undefined,
          max: nums.length ? Math.max(...(nums as number[])) : undefined,
          numbered: all.filter((a) => a.e && measuredNumbers(a.e).length).length,
          worstPen: failing?.i,
          notReached: missing.length ? missing : undefined,
        },
      });
    }
  });
  const out: CaseResult = {
    ...(firstFail >= 0 ? runs[firstFail] : base),
    expects,
    wallMs: runs.reduce((a, r) => a + r.wallMs, 0),
    simMs: runs.reduce((a, r) => a + r.simMs, 0),
    model,
    pens: runs.length,
  };
  if (firstFail >= 0) {
    out.status = 'failed';
    out.message =
      runs.length > 1 ? `${describePen(pens[firstFail], model)}: ${runs[firstFail].message}` : runs[0].message;
    out.failedPen = { index: firstFail, drawn: pens[firstFail].drawn };
  }
  return out;
}

/** What a pen measured, as numbers: the range its expectation carries, else the number its text starts with. */
function measuredNumbers(e: ExpectResult): number[] {
  if (e.figures) return e.figures.span;
  const v = leadingNumber(e.measured);
  return v === undefined ? [] : [v];
}

/** The number a measurement starts with ("0.2512 mm", "mean 0.2512, min ..." -> 0.2512); none for "not retracted yet (tip 1.2 mm)". */
function leadingNumber(s: string): number | undefined {
  const m = /^\s*(?:mean\s+)?([-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?)/i.exec(s);
  return m ? Number(m[1]) : undefined;
}

/** Said once in `pen qa`'s output: which drawn values the ideal model really uses. */
export function idealModelNote(board: Board): string {
  const drawn = [
    ...Object.keys(board.tolerances ?? {}),
    ...Object.keys(board.physics ?? {}).filter((k) => {
      const v = (board.physics as unknown as Record<string, unknown>)[k];
      return v !== null && typeof v === 'object' && 'min' in (v as object) && 'typical' in (v as object);
    }),
  ];
  const used = IDEAL_MODEL_USES.filter((p) => p in (board.tolerances ?? {}));
  if (!used.length)
    return `tolerance on ${board.name}, ideal model: it uses none of the ${drawn.length} drawn values; every pen is the typical pen`;
  return `tolerance on ${board.name}, ideal model: it uses ${used.length} of the ${drawn.length} drawn values (${used.map((p) => p.slice(1)).join(', ')}); the others act only on the physical model`;
}

/** The pen a failed case failed on (its model and drawn values), to replay it; undefined for the plain case. */
export function failedPenBoard(c: Case, r: CaseResult): Board | undefined {
  const model = c.model;
  if ((c.tolerance ?? 1) <= 1 && model === 'ideal') return undefined;
  return pensOf(loadBoard(c.board), model, Math.max(1, c.tolerance ?? 1), c.seed)[r.failedPen?.index ?? 0].board;
}
