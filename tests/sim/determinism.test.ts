// The same inputs and seed give the same trace, bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { strokingPen } from './helpers.js';

async function traceHash(seed: number): Promise<string> {
  const sim = await strokingPen(1.2, 45, { seed, trace: true, tissue: 'tough' });
  sim.run(300);
  sim.inject('stall');
  sim.run(50);
  return createHash('sha256').update(sim.trace!.csv()).update(sim.trace!.vcd()).digest('hex');
}

test('same seed, same trace; another seed, another trace', async () => {
  const a = await traceHash(5);
  assert.equal(await traceHash(5), a);
  assert.notEqual(await traceHash(6), a);
});
