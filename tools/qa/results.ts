// What a case run produces: plain data, so it crosses worker threads and goes into reports.

export interface ExpectResult {
  line: number;
  key: string;
  expected: string;
  measured: string;
  pass: boolean;
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

/** A case's name as a file name and HTML id: its trace files and its section in the report. */
export function caseSlug(name: string): string {
  return (
    name
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 100) || 'case'
  );
}
