// The firmware confirms the image it runs (HAL image_confirm) when homing succeeds, the proof that a
// new image drives the pen; a homing that fails confirms nothing, so the bootloader falls back after
// its trial boots (the port's side: ports/stm32f405/board/image_confirm.c; docs/updating.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PenSim } from '../../host-sim/pen.js';
import { firmware, readyPen } from './helpers.js';

test('homing that succeeds confirms the image, once per homing, as the pen becomes ready', async () => {
  const sim = new PenSim({ wasm: await firmware() });
  sim.run(50);
  assert.deepEqual(sim.imageConfirmsTicks, [], 'nothing confirmed while off');
  sim.press('power');
  assert.ok(sim.runUntil(() => sim.state === 'homing', 100));
  assert.deepEqual(sim.imageConfirmsTicks, [], 'nor while homing');
  assert.ok(sim.runUntil(() => sim.state === 'ready', 3000));
  assert.equal(sim.imageConfirmsTicks.length, 1);
  const again = await readyPen();
  assert.equal(sim.imageConfirmsTicks.length, 1, 'each pen counts its own');
  assert.equal(again.imageConfirmsTicks.length, 1);
});

for (const fault of ['endstop_stuck', 'endstop_dead'] as const) {
  test(`homing that fails (${fault}) confirms nothing`, async () => {
    const sim = new PenSim({ wasm: await firmware() });
    sim.inject(fault);
    sim.press('power');
    assert.ok(
      sim.runUntil(() => sim.state === 'fault', 5000),
      `${sim.state}`,
    );
    sim.run(100);
    assert.deepEqual(sim.imageConfirmsTicks, []);
  });
}
