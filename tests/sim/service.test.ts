// SERVICE: the pen restarts into the bootloader's service mode only when off or ready, with the driver
// switched off first, and only once its reply has been sent (HAL reboot_to_service).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readyPen, strokingPen } from './helpers.js';

test('SERVICE is refused while the needles run, and asks for nothing', async () => {
  const sim = await strokingPen(0.5, 100);
  assert.equal(sim.state, 'running');
  assert.equal(sim.command('SERVICE'), 'ERR 4 not allowed in state running');
  assert.equal(sim.command('SERVICE now'), 'ERR 2 unexpected argument');
  sim.run(20);
  assert.equal(sim.state, 'running');
  assert.deepEqual(sim.serviceRequestsTicks, []);
});

test('SERVICE when ready switches the driver off, replies, then asks the HAL to restart into service mode', async () => {
  const sim = await readyPen();
  assert.equal(sim.command('SERVICE'), 'OK service: restarting into the bootloader');
  sim.run(5);
  assert.equal(sim.state, 'off', 'powered off: driver off, needles held back by the spring');
  assert.equal(sim.serviceRequestsTicks.length, 1, 'one restart asked');
  sim.run(20);
  assert.equal(sim.serviceRequestsTicks.length, 1, 'asked once only');
});

test('SERVICE when off is accepted too', async () => {
  const sim = await readyPen();
  assert.equal(sim.command('POWER OFF'), 'OK');
  assert.equal(sim.command('SERVICE'), 'OK service: restarting into the bootloader');
  sim.run(5);
  assert.equal(sim.serviceRequestsTicks.length, 1);
});
