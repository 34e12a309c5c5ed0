// A worker thread of `pen qa`: runs the cases it is sent and posts back their results.
import { parentPort } from 'node:worker_threads';
import { runCase } from './run-case.js';
import { Case } from './scenario.js';

parentPort!.on('message', (msg: { id: number; case: Case; wasm: string }) => {
  parentPort!.postMessage({ id: msg.id, result: runCase(msg.case, msg.wasm) });
});
