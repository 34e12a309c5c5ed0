// What a case run produces: plain data, so it crosses worker threads and goes into reports.
import { createHash } from 'node:crypto';

export interface ExpectResult {
  line: number;
  key: string;
  expected: string;
  measured: string;
  pass: boolean;
  /**
   * a number measured against a limit: the range measured (a depth's shallowest and deepest stroke;
   * one value twice for the others) and the share of the limit it used (1 at the limit)
   */
  figures?: { span: [number, number]; used: number };
  /** over the pens of a tolerance run: what was measured (the leading number), and which pen failed */
  spread?: {
    pens: number;
    /** over how many pens the measurement was a number (min and max are over those) */
    numbered?: number;
    min?: number;
    max?: number;
    worstPen?: number;
    notReached?: number[];
  };
}

export interface Plot {
  line: number;
  /** time of the first sample (ms since power-up) */
  t0Ms: number;
  tMs: number[];
  tipUm: number[];
  depthUm?: number;
}

export interface StepResult {
  line: number;
  text: string;
  status: 'passed' | 'failed' | 'skipped';
  detail?: string;
}

export interface CaseResult {
  name: string;
  scenario: string;
  file: string;
  /** line of the case in its file */
  line?: number;
  board: string;
  cartridge: string;
  seed: number;
  params: Record<string, number | string>;
  matrixKeys: string[];
  requirements: string[];
  tags: string[];
  status: 'passed' | 'failed';
  /** first failure, said with expected and measured values */
  message?: string;
  wallMs: number;
  /** simulated time, over all its pens when run on several (`pens`) */
  simMs: number;
  steps: StepResult[];
  expects: ExpectResult[];
  plots: Plot[];
  /** firmware coverage counters this case hit, as [counter id, hits] (with `pen qa --coverage`) */
  coverage?: [number, number][];
  /** the simulator model the case ran on (set when not the ideal one, or with a tolerance) */
  model?: 'ideal' | 'physical';
  /** how many pens the case ran on (`--tolerance`, header `tolerance`) */
  pens?: number;
  /** the first drawn pen that failed: its index and drawn values by JSON pointer */
  failedPen?: { index: number; drawn: Record<string, number> };
  /** last measured accuracy, for heat maps */
  metrics?: { depthErrMm?: number; freqErrPct?: number; clamped?: boolean; setFreqHz?: number };
}

/** A case's name as a file name and HTML id, on its own: what it may share with other names. */
function slugBase(name: string): string {
  return (
    name
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 100) || 'case'
  );
}

/**
 * The cases' names as file names and HTML ids (their trace files and their sections in the report),
 * unique within the run: a name keeps its plain form ("fixture_depth_off_by_0.1_mm") unless another
 * name of the run comes to the same one, letters' case aside (`same x<1` and `same x>1`, two long
 * names alike in their first 100 characters, `A` and `a` on a file system that folds case); then each
 * of those gets a short hash of its full name. Should even that clash, a counter settles it, in the
 * order of `names`. The same names give the same slugs.
 */
export function caseSlugs(names: string[]): Map<string, string> {
  const unique = [...new Set(names)];
  const shared = new Map<string, number>();
  for (const n of unique) {
    const k = slugBase(n).toLowerCase();
    shared.set(k, (shared.get(k) ?? 0) + 1);
  }
  const taken = new Set<string>();
  const out = new Map<string, string>();
  for (const n of unique) {
    const base = slugBase(n);
    const s = shared.get(base.toLowerCase())! > 1 ? `${base}-${shortHash(n)}` : base;
    let slug = s;
    for (let k = 2; taken.has(slug.toLowerCase()); k++) slug = `${s}-${k}`;
    taken.add(slug.toLowerCase());
    out.set(n, slug);
  }
  return out;
}

function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8);
}
