// Jobs on a pool of worker threads: `pen qa`, `pen campaign` and the limit's search (`pen envelope
// --limit`, the bench) hand each worker the next job as it answers the last.
import { Worker } from 'node:worker_threads';

/**
 * Runs jobs 0..count-1 on `workers` threads of the script at `url`: each is sent `{ index,
 * ...message(index) }` and answers with a message carrying the same `index`, handed to `onReply` as
 * it comes (in any order). Resolves when every job is answered; rejects on a worker's error.
 */
export async function runOnWorkers<R extends { index: number }>(opts: {
  url: URL;
  workers: number;
  count: number;
  message: (index: number) => object;
  onReply: (index: number, reply: R) => void;
}): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from(
      { length: opts.workers },
      () =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(opts.url);
          const feed = (): void => {
            if (next >= opts.count) {
              void w.terminate().then(() => resolve());
              return;
            }
            const index = next++;
            w.postMessage({ index, ...opts.message(index) });
          };
          w.on('message', (m: R) => {
            opts.onReply(m.index, m);
            feed();
          });
          w.on('error', reject);
          feed();
        }),
    ),
  );
}
