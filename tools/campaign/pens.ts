// A case on N pens drawn from the board's ranges (`pen campaign --tolerance N`): the worst pen decides,
// and the case's id names that pen, so its replay runs on it.
import { CampaignCase, makeCase } from './spec.js';
import { Outcome, runCampaignCase } from './run.js';

export function runOnPens(c: CampaignCase, wasm: string, tolerance: number): Outcome {
  if (tolerance <= 1) return runCampaignCase(c, wasm); // the case's own pen (a replayed id names it)
  let worst: Outcome | undefined;
  let wallMs = 0;
  for (let pen = 0; pen < Math.max(1, tolerance); pen++) {
    const { id: _id, ...rest } = c;
    const o = runCampaignCase(pen === c.pen ? c : makeCase({ ...rest, pen }), wasm);
    wallMs += o.wallMs;
    if (!worst || worse(o, worst)) worst = o;
  }
  return { ...worst!, wallMs };
}

/** Left out beats retracted; then the longer retract from onset. */
export function worse(a: Outcome, b: Outcome): boolean {
  if (a.retracted !== b.retracted) return !a.retracted;
  if (!a.retracted) return a.tipMm > b.tipMm;
  return (a.fromOnsetMs ?? 0) > (b.fromOnsetMs ?? 0);
}
