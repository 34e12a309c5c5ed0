// Runs campaign cases on a pool of worker threads (one per core by default); outcomes in case order.
import { availableParallelism } from 'node:os';
import { CampaignCase } from './spec.js';
import { Outcome } from './run.js';
import { runOnPens } from './pens.js';
import { runOnWorkers } from '../lib/worker-pool.js';

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
  await runOnWorkers<{ index: number; outcome: Outcome }>({
    url: new URL('./worker.js', import.meta.url),
    workers: jobs,
    count: cases.length,
    message: (i) => ({ case: cases[i], wasm: opts.wasm, tolerance: opts.tolerance }),
    onReply: (i, m) => finish(i, m.outcome),
  });
  return out;
}
