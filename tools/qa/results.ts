// What a case run produces: plain data, so it crosses worker threads and goes into reports.

export interface ExpectResult {
  line: number;
  key: string;
  expected: string;
  measured: string;
  pass: boolean;
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
  simMs: number;
  steps: StepResult[];
  expects: ExpectResult[];
  plots: Plot[];
  /** firmware coverage counters this case hit, as [counter id, hits] (with `pen qa --coverage`) */
  coverage?: [number, number][];
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
