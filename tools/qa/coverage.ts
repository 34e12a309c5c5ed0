// Firmware coverage by QA cases: counts from the instrumented firmware (tools/build/coverage-build.ts),
// per case and merged, as lcov (for genhtml) and as function and branch figures per requirement.
import { join } from 'node:path';
import { HalTap, HalImports } from '../../host-sim/hal.js';
import { REPO_ROOT } from '../../boards/paths.js';
import type { Counter, CoverageMap } from '../build/coverage-build.js';
import { CaseResult } from './results.js';

/** A HAL tap that adds the `cov_hit` import the instrumented firmware calls, and counts. */
export function coverageTap(): { tap: HalTap; hits(): [number, number][] } {
  const counts = new Map<number, number>();
  const hit = (id: number): void => {
    counts.set(id, (counts.get(id) ?? 0) + 1);
  };
  return {
    // counts survive the pen's resets: each boot gets a fresh instance on the same tap
    tap: { wrap: (imports: HalImports): HalImports => ({ ...imports, cov_hit: hit as (...args: never[]) => unknown }) },
    hits: () => [...counts].sort((a, b) => a[0] - b[0]),
  };
}

export interface CoverageFigures {
  fnHit: number;
  fnTotal: number;
  brHit: number;
  brTotal: number;
}

const isBranch = (c: Counter): boolean => c.kind !== 'function';

/** Functions and branch arms of `map` that any of `cases` hit. */
export function figures(map: CoverageMap, cases: CaseResult[]): CoverageFigures {
  const hit = new Set(cases.flatMap((c) => (c.coverage ?? []).map(([id]) => id)));
  const fns = map.counters.filter((c) => !isBranch(c));
  const brs = map.counters.filter(isBranch);
  return {
    fnHit: fns.filter((c) => hit.has(c.id)).length,
    fnTotal: fns.length,
    brHit: brs.filter((c) => hit.has(c.id)).length,
    brTotal: brs.length,
  };
}

export function percent(n: number, of: number): string {
  return of ? `${((100 * n) / of).toFixed(1)} %` : '-';
}

/** Hit counts of every counter, summed over `cases`. */
export function totals(map: CoverageMap, cases: CaseResult[]): number[] {
  const t = new Array<number>(map.counters.length).fill(0);
  for (const c of cases) for (const [id, n] of c.coverage ?? []) t[id] += n;
  return t;
}

/**
 * lcov tracefile (geninfo's format, read by genhtml): functions (FN/FNDA), branches (BRDA: a block
 * per if or br_if, arms 0 and 1) and lines (DA: each function's declaration line, hit when it ran;
 * the binary keeps no finer line information).
 */
export function lcov(map: CoverageMap, cases: CaseResult[], testName = 'pen_qa'): string {
  const t = totals(map, cases);
  const byFile = new Map<string, Counter[]>();
  for (const c of map.counters) byFile.set(c.file, [...(byFile.get(c.file) ?? []), c]);
  const out: string[] = [];
  for (const [file, cs] of [...byFile].sort((a, b) => a[0].localeCompare(b[0]))) {
    out.push(`TN:${testName}`, `SF:${join(REPO_ROOT, file)}`);
    const fns = cs.filter((c) => !isBranch(c));
    for (const f of fns) out.push(`FN:${f.line},${f.fn}`);
    for (const f of fns) out.push(`FNDA:${t[f.id]},${f.fn}`);
    out.push(`FNF:${fns.length}`, `FNH:${fns.filter((f) => t[f.id] > 0).length}`);
    const fnRan = new Map(fns.map((f) => [f.fn, t[f.id] > 0]));
    const brs = cs.filter(isBranch);
    const block = new Map<string, number>();
    for (const b of brs) {
      const key = `${b.fn}/${b.site}`;
      if (!block.has(key)) block.set(key, block.size);
      // '-': the function never ran, so the branch was never reached (lcov's convention)
      out.push(
        `BRDA:${b.line},${block.get(key)},${b.kind === 'then' || b.kind === 'taken' ? 0 : 1},${fnRan.get(b.fn) ? t[b.id] : '-'}`,
      );
    }
    out.push(`BRF:${brs.length}`, `BRH:${brs.filter((b) => t[b.id] > 0).length}`);
    const lines = new Map<number, number>();
    for (const f of fns) lines.set(f.line, (lines.get(f.line) ?? 0) + t[f.id]);
    for (const [l, n] of [...lines].sort((a, b) => a[0] - b[0])) out.push(`DA:${l},${n}`);
    out.push(`LF:${lines.size}`, `LH:${[...lines.values()].filter((n) => n > 0).length}`, 'end_of_record');
  }
  return out.join('\n') + '\n';
}

export interface Unreached {
  file: string;
  never: { fn: string; line: number }[];
  partly: { fn: string; line: number; arms: number; missed: number }[];
}

/** Per source file: functions no case ran, and functions that ran with branch arms no case took. */
export function unreached(map: CoverageMap, cases: CaseResult[]): Unreached[] {
  const t = totals(map, cases);
  const out = new Map<string, Unreached>();
  const get = (file: string): Unreached => {
    let u = out.get(file);
    if (!u) out.set(file, (u = { file, never: [], partly: [] }));
    return u;
  };
  for (const f of map.counters.filter((c) => !isBranch(c))) {
    const arms = map.counters.filter((c) => isBranch(c) && c.fn === f.fn);
    if (t[f.id] === 0) get(f.file).never.push({ fn: f.fn, line: f.line });
    else if (arms.some((a) => t[a.id] === 0))
      get(f.file).partly.push({
        fn: f.fn,
        line: f.line,
        arms: arms.length,
        missed: arms.filter((a) => t[a.id] === 0).length,
      });
  }
  return [...out.values()].sort((a, b) => a.file.localeCompare(b.file));
}

/** `assembly/machine/Machine#tick` -> `Machine#tick`: the name without its file. */
export function shortName(fn: string, file: string): string {
  const prefix = file.replace(/\.ts$/, '') + '/';
  return fn.startsWith(prefix) ? fn.slice(prefix.length) : fn;
}
