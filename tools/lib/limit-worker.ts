// A worker thread of the limit's search (limit-pool.ts): finds one depth's limit on one pen and posts it back.
import { parentPort } from 'node:worker_threads';
import { Board } from '../../boards/board.js';
import { envelopeLimit } from './envelope-limit.js';

export interface LimitJob {
  index: number;
  board: Board;
  /** the pen searched: the board's worst (undefined) or this one */
  pen: Board | undefined;
  cartridge: string | undefined;
  depthMm: number;
}

parentPort!.on('message', (job: LimitJob) => {
  const [point] = envelopeLimit(job.board, job.cartridge, [job.depthMm], job.pen);
  parentPort!.postMessage({ index: job.index, point });
});
