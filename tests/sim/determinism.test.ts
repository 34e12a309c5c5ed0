// The same inputs and seed give the same trace, bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { strokingPen, BOARD } from './helpers.js';
import { withModel } from '../../boards/board.js';

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

/** A physical-model pen stroking, then a driver short (the needles retract on the spring), run in slices of `sliceMs`. */
async function slicedHash(sliceMs: number): Promise<string> {
  const sim = await strokingPen(1.2, 40, { board: withModel(BOARD, 'physical'), trace: true });
  const slices = (ms: number): void => {
    const end = sim.tTicks + Math.round((ms * BOARD.timing.step_timer_hz) / 1000);
    while (sim.tTicks < end) sim.run(Math.min(sliceMs, ((end - sim.tTicks) * 1000) / BOARD.timing.step_timer_hz));
  };
  slices(60);
  sim.inject('driver_short');
  slices(30);
  return createHash('sha256').update(sim.trace!.csv()).update(sim.trace!.vcd()).digest('hex');
}

test('a run sliced any way gives the same trace (where a run ends is no event to the physics)', async () => {
  const whole = await slicedHash(1000);
  // 1 ms slices end one timer tick past each control tick; 0.37 ms ones anywhere between
  assert.equal(await slicedHash(1), whole);
  assert.equal(await slicedHash(0.37), whole);
});

test('a fault acts from the moment it is injected, also between events (the carriage up to then is the same)', async () => {
  const at = async (inject: boolean): Promise<{ x: number; t: number }> => {
    const sim = await strokingPen(1.2, 40, { board: withModel(BOARD, 'physical') });
    sim.run(0.45); // between two control ticks, the needles on their way
    if (inject) sim.inject('driver_short');
    return { x: sim.mech.xUm, t: sim.tTicks };
  };
  const plain = await at(false);
  const faulted = await at(true);
  assert.equal(faulted.t, plain.t);
  // the driver short must not reach back to the model's last integration before it
  assert.equal(faulted.x, plain.x);
});
