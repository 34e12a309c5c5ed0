// The simulator's parts: the HAL import object is assembled from them with no import offered twice,
// and every injectable fault is declared by exactly one part (the injector only looks it up).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleHal } from '../../host-sim/hal.js';
import { FaultInjector, FaultSource, INJECTABLE } from '../../host-sim/faults.js';
import { PenSim } from '../../host-sim/pen.js';
import { Buttons } from '../../host-sim/parts/buttons.js';
import { firmware, readyPen } from './helpers.js';

const noop = { inject: () => {}, clear: () => {} };
const all: FaultSource = { faults: () => Object.fromEntries(INJECTABLE.map((f) => [f, noop])) };

test('two parts offering the same HAL import is refused', () => {
  assert.throws(() => assembleHal([new Buttons(), new Buttons()]), /buttons_raw is offered by two/);
  assert.deepEqual(Object.keys(assembleHal([new Buttons()])), ['buttons_raw']);
});

test('the injector refuses a fault no part declares, or one declared twice, and looks up the rest', () => {
  assert.throws(() => new FaultInjector([new Buttons()], () => {}, noop), /no simulated part can inject stall/);
  assert.throws(() => new FaultInjector([all, new Buttons()], () => {}, noop), /button_stuck is declared by two/);
  const seen: string[] = [];
  const inj = new FaultInjector([all], (what, f) => seen.push(`${what} ${f}`), noop);
  inj.inject('hang');
  inj.clear('hang');
  assert.deepEqual(seen, ['inject hang', 'clear hang']);
  assert.throws(() => inj.inject('melt' as never), /cannot inject "melt"/);
});

test('a pen injects and clears every listed fault', async () => {
  const sim = new PenSim({ wasm: await firmware(), trace: true });
  for (const f of INJECTABLE) {
    sim.inject(f);
    sim.clear(f);
  }
  assert.deepEqual(
    sim.trace!.events.filter((e) => e.kind === 'inject').map((e) => e.detail),
    [...INJECTABLE],
  );
});

test('the observation shows what the pen shows', async () => {
  const sim = await readyPen();
  const seen = sim.observation;
  assert.equal(seen.state, 'ready');
  assert.equal(seen.fault, sim.fault);
  assert.equal(seen.indicator, sim.indicator);
  assert.equal(seen.replies, sim.replies);
  assert.equal(seen.tipUm, sim.mech.tipUm());
  assert.equal(seen.carriageUm, sim.mech.xUm);
  assert.equal(seen.needle, 'retracted');
  assert.equal(seen.timeMs, sim.nowMs);
  assert.equal(seen.cartridgeType, sim.cartridge.type);
  sim.command('SET ZONE cheeks');
  assert.equal(seen.replies.length, sim.replies.length);
  assert.equal(seen.tTicks, sim.tTicks);
});
