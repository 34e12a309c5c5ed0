// Runs cases on a pool of worker threads (one per core by default) and reports as they finish.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { Case } from './scenario.js';
import { CaseResult } from './results.js';
import { runCaseOnPens } from './tolerance.js';
import { runCaseCounted } from './worker-case.js';

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
  const workerUrl = new URL('./worker.js', import.meta.url);
  let next = 0;
  await Promise.all(
    Array.from(
      { length: jobs },
      () =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(workerUrl);
          const feed = (): void => {
            if (next >= cases.length) {
              void w.terminate().then(() => resolve());
              return;
            }
            const id = next++;
            w.postMessage({ id, case: cases[id], wasm: opts.wasm[cases[id].board], coverage: opts.coverage });
          };
          w.on('message', (m: { id: number; result: CaseResult }) => {
            finish(m.id, m.result);
            feed();
          });
          w.on('error', reject);
          feed();
        }),
    ),
  );
  return results;
}
