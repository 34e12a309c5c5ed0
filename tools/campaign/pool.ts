// Runs campaign cases on a pool of worker threads (one per core by default); outcomes in case order.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { CampaignCase } from './spec.js';
import { Outcome } from './run.js';
import { runOnPens } from './pens.js';

export interface PoolOptions {
  jobs?: number;
  wasm: string;
  tolerance: number;
  onOutcome?: (o: Outcome, done: number, total: number) => void;
}

export async function runCampaign(cases: CampaignCase[], opts: PoolOptions): Promise<Outcome[]> {
  const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), cases.length));
  const out: Outcome[] = new Array(cases.length);
  let done = 0;
  const finish = (i: number, o: Outcome): void => {
    out[i] = o;
    opts.onOutcome?.(o, ++done, cases.length);
  };
  if (jobs === 1) {
    cases.forEach((c, i) => finish(i, runOnPens(c, opts.wasm, opts.tolerance)));
    return out;
  }
  const url = new URL('./worker.js', import.meta.url);
  let next = 0;
  await Promise.all(
    Array.from(
      { length: jobs },
      () =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(url);
          const feed = (): void => {
            if (next >= cases.length) {
              void w.terminate().then(() => resolve());
              return;
            }
            const index = next++;
            w.postMessage({ index, case: cases[index], wasm: opts.wasm, tolerance: opts.tolerance });
          };
          w.on('message', (m: { index: number; outcome: Outcome }) => {
            finish(m.index, m.outcome);
            feed();
          });
          w.on('error', reject);
          feed();
        }),
    ),
  );
  return out;
}
