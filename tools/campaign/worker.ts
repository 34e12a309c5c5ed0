// A worker thread of `pen campaign`: runs the cases it is sent and posts back their outcomes.
import { parentPort } from 'node:worker_threads';
import { CampaignCase } from './spec.js';
import { runOnPens } from './pens.js';

parentPort!.on('message', (msg: { index: number; case: CampaignCase; wasm: string; tolerance: number }) => {
  parentPort!.postMessage({ index: msg.index, outcome: runOnPens(msg.case, msg.wasm, msg.tolerance) });
});
