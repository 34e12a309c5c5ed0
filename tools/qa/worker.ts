// A worker thread of `pen qa`: runs the cases it is sent and posts back their results.
import { parentPort } from 'node:worker_threads';
import { runCaseOnPens } from './tolerance.js';
import { runCaseCounted } from './worker-case.js';
import { Case } from './scenario.js';

parentPort!.on('message', (msg: { index: number; case: Case; wasm: string; coverage?: boolean }) => {
  parentPort!.postMessage({
    index: msg.index,
    result: msg.coverage ? runCaseCounted(msg.case, msg.wasm) : runCaseOnPens(msg.case, msg.wasm),
  });
});
