// The trace of a failed case, beside the report: the case is run once more with the same seed (runs
// are deterministic) and its PenSim's trace is exported as VCD and CSV with the simulator's own
// exporters. runCase keeps its PenSim to itself, so the replay notes which PenSim the case drives
// by wrapping PenSim's driving methods for the length of that one run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PenSim } from '../../host-sim/pen.js';
import { runCase } from './run-case.js';
import { Board } from '../../boards/board.js';
import { Case } from './scenario.js';

const DRIVERS = ['run', 'runUntil', 'runUntilStep', 'press', 'command', 'inject'] as const;

/** Runs `c` again and writes `<dir>/<slug>.vcd` and `.csv` (slug: the case's of `caseSlugs`); returns the two file names. */
export function writeFailureTrace(
  c: Case,
  wasm: string,
  dir: string,
  slug: string,
  penBoard?: Board,
): { vcd: string; csv: string } {
  let sim: PenSim | undefined;
  const proto = PenSim.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const saved = DRIVERS.map((k) => proto[k]);
  DRIVERS.forEach((k, i) => {
    proto[k] = function (this: PenSim, ...a: unknown[]) {
      sim ??= this;
      return saved[i].apply(this, a);
    };
  });
  try {
    runCase(c, wasm, undefined, penBoard); // the pen that failed, when a tolerance run drew it
  } finally {
    DRIVERS.forEach((k, i) => {
      proto[k] = saved[i];
    });
  }
  if (!sim?.trace) throw new Error(`${c.name}: the replay made no trace`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${slug}.vcd`), sim.trace.vcd());
  writeFileSync(join(dir, `${slug}.csv`), sim.trace.csv());
  return { vcd: `${slug}.vcd`, csv: `${slug}.csv` };
}
