// An obstacle placed as the needles go up, met by the next stroke 0.10-0.12 mm short of a shallow
// depth at the slowest rate: inside the encoder's full step, so the firmware finds it when it judges
// that stroke's bottom, and the carriage, pulled up slowly, takes milliseconds to come back from the
// obstacle. Judged 250 um back these took 20.0-21.7 ms from the contact (docs/hazards.md); judged
// 100 um back, under 18. The sweep crosses the phases where the obstacle holds the next stroke longest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firmware } from './helpers.js';
import { parseCaseId } from '../../tools/campaign/spec.js';
import { runCampaignCase } from '../../tools/campaign/run.js';
import { failureClass } from '../../tools/campaign/summary.js';

const LIMIT_MS = 20;

for (const board of ['ref-pen', 'stm32f405-tmc2209']) {
  test(`${board}: a single obstacle met short of a shallow depth at 25 Hz is seen at that stroke's bottom, the needles back within ${LIMIT_MS} ms`, async () => {
    const wasm = await firmware(board);
    let worst = { ms: 0, id: '' };
    let held = 0;
    for (const [cartridge, depth] of [
      ['24', '0.25'],
      ['16', '0.2'],
    ])
      for (let phase = 0.64; phase <= 0.68; phase += 0.005) {
        const id = `${board}/physical/pworst/normal/c${cartridge}/d${depth}/f25/s828269/stall@${phase.toFixed(3)}`;
        const o = runCampaignCase(parseCaseId(id), wasm);
        assert.equal(failureClass(o, LIMIT_MS), undefined, `${id}: ${failureClass(o, LIMIT_MS)}`);
        if (o.inert) continue; // met nothing the depth tolerance would see
        held++;
        assert.equal(o.detected, 'encoder_slip', `${id}: found by ${o.detected}`);
        if ((o.fromOnsetMs ?? Infinity) > worst.ms) worst = { ms: o.fromOnsetMs!, id };
      }
    // the sweep reaches the obstacles that hold a stroke short: most of its phases are that kind
    assert.ok(held >= 8, `${held} of the sweep's obstacles held the needles short`);
    assert.ok(worst.ms > 15, `worst ${worst.ms} ms (${worst.id}): the sweep no longer reaches the slow turn`);
  });
}
