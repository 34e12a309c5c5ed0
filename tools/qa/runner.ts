// Runs cases on a pool of worker threads (one per core by default) and reports as they finish.
import { availableParallelism } from 'node:os';
import { Case } from './scenario.js';
import { CaseResult } from './results.js';
import { runCaseOnPens } from './tolerance.js';
import { runCaseCounted } from './worker-case.js';
import { runOnWorkers } from '../lib/worker-pool.js';

export interface RunOptions {
  jobs?: number;
  /** firmware .wasm per board name */
  wasm: Record<string, string>;
  /** the `wasm` are instrumented builds (tools/build/coverage-build.ts): count what each case runs */
  coverage?: boolean;
  onResult?: (r: CaseResult, done: number, total: number) => void;
}

/** Results in the order of `cases`, whatever order they finish in. */
export async function runCases(cases: Case[], opts: RunOptions): Promise<CaseResult[]> {
  const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), cases.length));
  const results: CaseResult[] = new Array(cases.length);
  let done = 0;
  const finish = (i: number, r: CaseResult): void => {
    results[i] = { ...r, line: cases[i].line };
    done++;
    opts.onResult?.(r, done, cases.length);
  };
  if (jobs === 1) {
    cases.forEach((c, i) =>
      finish(i, opts.coverage ? runCaseCounted(c, opts.wasm[c.board]) : runCaseOnPens(c, opts.wasm[c.board])),
    );
    return results;
  }
  await runOnWorkers<{ index: number; result: CaseResult }>({
    url: new URL('./worker.js', import.meta.url),
    workers: jobs,
    count: cases.length,
    message: (i) => ({ case: cases[i], wasm: opts.wasm[cases[i].board], coverage: opts.coverage }),
    onReply: (i, m) => finish(i, m.result),
  });
  return results;
}
