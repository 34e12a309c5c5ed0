// The --board and --cartridge options every command shares: unknown names are usage errors that
// list what exists.
import { Board, BoardError, Cartridge, boardNames, loadBoard, cartridgeOf } from '../../boards/board.js';
import { UsageError } from './args.js';

/**
 * The board named by --board (default ref-pen); a path to a board file is taken as it is. A file
 * missing or with errors is bad input (exit 2), its message naming the field and the fix.
 */
export function boardOption(name: string | undefined): Board {
  const n = name ?? 'ref-pen';
  if (!n.endsWith('.json') && !boardNames().includes(n))
    throw new UsageError(`unknown board "${n}"; boards: ${boardNames().join(', ')}`);
  try {
    return loadBoard(n);
  } catch (e) {
    if (!(e instanceof BoardError)) throw e;
    throw new UsageError(
      `--board ${n}: ${e.message}\nFix the file (boards/board.schema.json gives every field; docs/simulator.md the ranges and their sources), or name one of the boards: ${boardNames().join(', ')}`,
    );
  }
}

/** The cartridge named by --cartridge (default: the board's). */
export function cartridgeOption(board: Board, type: string | undefined): Cartridge {
  try {
    return cartridgeOf(board, type);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
