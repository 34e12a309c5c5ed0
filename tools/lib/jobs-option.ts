// `--jobs N` of the commands that run on worker threads (pen qa, pen envelope --limit).
import { UsageError } from './args.js';

/** --jobs N: 1..64 worker threads, or undefined for one per core. */
export function jobsOption(v: number | undefined): number | undefined {
  if (v !== undefined && !(Number.isInteger(v) && v >= 1 && v <= 64))
    throw new UsageError(`--jobs ${v}: give a whole number 1..64`);
  return v;
}
