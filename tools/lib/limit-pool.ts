// The limit's search (envelope-limit.ts) for the worst and the typical pen at each depth, a depth and
// pen at a time on a pool of worker threads (one per core by default): each point is searched alone,
// so the points are the same whatever the pool's size (tests/sim/envelope-limit.test.ts).
import { availableParallelism } from 'node:os';
import { Board, withModel } from '../../boards/board.js';
import { envelopeLimit, LimitPoint } from './envelope-limit.js';
import type { LimitJob } from './limit-worker.js';
import { runOnWorkers } from './worker-pool.js';

export interface LimitPoints {
  worst: LimitPoint[];
  typical: LimitPoint[];
}

/** The worst and the typical pen's limit at each depth; `progress` after each point (done, total). */
export async function limitPoints(
  board: Board,
  cartridge: string | undefined,
  depthsMm: number[],
  opts: { jobs?: number; progress?: (done: number, total: number) => void } = {},
): Promise<LimitPoints> {
  const typicalPen = withModel(board, 'physical');
  const jobs: Omit<LimitJob, 'index'>[] = [
    ...depthsMm.map((depthMm) => ({ board, pen: undefined, cartridge, depthMm })),
    ...depthsMm.map((depthMm) => ({ board, pen: typicalPen, cartridge, depthMm })),
  ];
  const points: LimitPoint[] = new Array(jobs.length);
  let done = 0;
  const finish = (i: number, p: LimitPoint): void => {
    points[i] = p;
    opts.progress?.(++done, jobs.length);
  };
  const workers = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), jobs.length));
  if (workers === 1) jobs.forEach((j, i) => finish(i, envelopeLimit(j.board, j.cartridge, [j.depthMm], j.pen)[0]));
  else
    await runOnWorkers<{ index: number; point: LimitPoint }>({
      url: new URL('./limit-worker.js', import.meta.url),
      workers,
      count: jobs.length,
      message: (i) => jobs[i],
      onReply: (i, m) => finish(i, m.point),
    });
  return { worst: points.slice(0, depthsMm.length), typical: points.slice(depthsMm.length) };
}
