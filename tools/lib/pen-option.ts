// `--pen` of the commands that run one pen of a board's ranges (pen sim, pen envelope --edge): the
// typical pen (the board as it is), the worst of its ranges for stroking (envelope-limit.ts worstPen)
// or the N-th pen `pen qa --tolerance` draws with the same seed. The ranges are the physical model's.
import { Board } from '../../boards/board.js';
import { UsageError } from './args.js';
import { worstPen } from './envelope-limit.js';
import { pensOf } from '../qa/tolerance.js';

/** The pen `--pen v` names ('typical', 'worst' or a drawn pen's number), and its name for reports. */
export function penOfRanges(
  board: Board,
  v: string | undefined,
  seed: number,
  dflt: 'typical' | 'worst',
): { board: Board; pen: string } {
  const name = v ?? dflt;
  if (name === 'typical' || name === '0') return { board, pen: 'typical' };
  checkPenName(name);
  if (!board.physics)
    throw new UsageError(`--pen ${name}: board ${board.name} has no physics block, so no ranges to draw from`);
  if (name === 'worst') return { board: worstPen(board), pen: 'worst' };
  const n = Number(name);
  return { board: pensOf(board, 'physical', n + 1, seed)[n].board, pen: name };
}

/** Refuses a `--pen` that names no pen. */
export function checkPenName(v: string): void {
  if (v !== 'typical' && v !== 'worst' && !/^(0|[1-9]\d{0,3})$/.test(v))
    throw new UsageError(`--pen ${v}: use typical, worst or a drawn pen's number (1-9999)`);
}

/** A pen as a report names it. */
export function penWords(pen: string): string {
  return pen === 'typical' ? 'the typical pen' : pen === 'worst' ? 'the worst pen of its ranges' : `drawn pen ${pen}`;
}
