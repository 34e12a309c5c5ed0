// One case on an instrumented firmware: the result carries the coverage counters it hit.
import { runCaseOnPens } from './tolerance.js';
import { Case } from './scenario.js';
import { CaseResult } from './results.js';
import { coverageTap } from './coverage.js';

export function runCaseCounted(c: Case, wasm: string): CaseResult {
  const cov = coverageTap();
  const r = runCaseOnPens(c, wasm, cov.tap);
  return { ...r, coverage: cov.hits() };
}
