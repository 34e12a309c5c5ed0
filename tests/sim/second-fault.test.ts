// A second fault during a motor retract hands the needles to the spring (docs/hazards.md H12a). The
// latest moment for that is just after the retract has turned the carriage at the bottom of the
// deepest stroke: the spring then starts from rest about 3 mm in, which takes it about 17 ms on the
// worst pen of the board's ranges. What is left of the 20 ms from the first fault's onset is the first
// fault's detection and the second's: the sweep below puts the second fault at every quarter
// millisecond across that moment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firmware } from './helpers.js';
import { parseCaseId } from '../../tools/campaign/spec.js';
import { runCampaignCase } from '../../tools/campaign/run.js';
import { failureClass } from '../../tools/campaign/summary.js';

const LIMIT_MS = 20;

for (const board of ['ref-pen', 'stm32f405-tmc2209']) {
  test(`${board}: an encoder error at the deepest bottom, then a second fault as the retract turns: back within ${LIMIT_MS} ms of the onset`, async () => {
    const wasm = await firmware(board);
    let worst = { ms: 0, id: '' };
    // 2 ticks of failed readings before the fault left 20.2-20.6 ms here (0.44-0.47 of the period,
    // the queue running dry 3.25-3.75 ms after the error): the spring from 2.99 mm, from rest
    for (const phase of [0.44, 0.46, 0.47, 0.49])
      for (let delay = 1.5; delay <= 4.5; delay += 0.25)
        for (const second of ['underrun', 'cartridge_removed', 'hang']) {
          const id = `${board}/physical/pworst/normal/d3/f25/s643604/encoder_error@${phase}+${delay}ms:${second}`;
          const o = runCampaignCase(parseCaseId(id), wasm);
          assert.equal(o.detected, 'encoder_slip', id);
          assert.equal(failureClass(o, LIMIT_MS), undefined, `${id}: ${failureClass(o, LIMIT_MS)}`);
          if ((o.fromOnsetMs ?? Infinity) > worst.ms) worst = { ms: o.fromOnsetMs!, id };
        }
    // the spring did the work in the worst of them: had it not, the sweep would not be at the edge it is for
    assert.ok(
      worst.ms > 18,
      `worst ${worst.ms} ms (${worst.id}): the sweep no longer reaches the spring from the bottom`,
    );
  });
}
