// Fail-safe: on a stall, a driver fault or a hung firmware, the needles are back behind the guard
// plane, at the rest position, within one stroke period and never later than 20 ms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strokingPen, maxFreq, untilDiving, startByButton } from './helpers.js';

const LIMIT_MS = 20;

for (const depth of [0.5, 1.5, 3.0]) {
  test(`a stall mid-stroke at ${depth} mm: fault, flush, needles retracted within the limit`, async () => {
    const hz = await maxFreq(depth);
    const sim = await strokingPen(depth, hz, { trace: true });
    untilDiving(sim, depth * 500); // half-way into the skin, going down
    const injected = sim.tTicks;
    sim.inject('stall');
    assert.ok(
      sim.runUntil(() => sim.state === 'fault', 5),
      'fault within 5 ms',
    );
    assert.equal(sim.fault, 'stall');
    const detectMs = sim.ms(sim.faultAtTicks! - injected);
    assert.ok(detectMs <= 2, `stall seen ${detectMs} ms after it happened`);
    sim.run(LIMIT_MS + 5);
    const limit = Math.min(LIMIT_MS, 1000 / hz);
    assert.ok(sim.outOfSkinAtTicks !== undefined && sim.retractedAtTicks !== undefined, 'needles retracted');
    const retractMs = sim.ms(sim.retractedAtTicks! - sim.faultAtTicks!);
    assert.ok(
      retractMs <= limit,
      `retracted ${retractMs.toFixed(2)} ms after detection (limit ${limit.toFixed(2)} ms)`,
    );
    assert.ok(sim.observation.tipUm < 0, 'tips behind the guard plane');
    assert.equal(sim.state, 'fault');
    assert.ok(
      sim.trace!.events.some((e) => e.detail === 'step_queue_flush' && e.tTicks === sim.faultAtTicks),
      'queue flushed at detection',
    );
    // and it stays there: no stroke until the fault is cleared
    const x = sim.observation.carriageUm;
    sim.run(200);
    assert.equal(sim.observation.carriageUm, x);
    assert.equal(sim.command('START'), 'ERR 4 not allowed in state fault');
  });
}

test('clearing a stall re-homes and the pen runs again', async () => {
  const sim = await strokingPen(1.0, 40);
  untilDiving(sim, 500);
  sim.inject('stall');
  sim.runUntil(() => sim.state === 'fault', 5);
  sim.run(50);
  sim.clear('stall');
  assert.equal(sim.command('CLEAR'), 'OK');
  assert.ok(sim.runUntil(() => sim.state === 'ready', 2000));
  startByButton(sim);
  sim.run(100);
  sim.startMeasuring();
  sim.run(500);
  const m = sim.measure();
  assert.ok(Math.abs(m.depth_mm!.mean - 1.0) <= 0.02, 'depth right after re-homing');
  assert.equal(m.missed_steps, 0);
});

for (const fault of ['driver_short', 'overtemp'] as const) {
  test(`${fault} at the deepest setting: driver cut, the spring retracts within 20 ms`, async () => {
    const hz = await maxFreq(3.0);
    const sim = await strokingPen(3.0, hz, { tissue: 'tough' });
    untilDiving(sim, 2800);
    sim.inject(fault);
    assert.ok(sim.runUntil(() => sim.state === 'fault', 5));
    assert.equal(sim.fault, fault === 'overtemp' ? 'driver_overtemp' : 'driver_short');
    sim.run(30);
    assert.equal(sim.mech.driverOn, false);
    const ms = sim.ms(sim.retractedAtTicks! - sim.faultAtTicks!);
    assert.ok(ms <= LIMIT_MS, `retracted ${ms} ms after detection`);
    assert.equal(sim.command('CLEAR'), 'ERR 4 not allowed in state fault', 'cannot clear while the driver reports it');
  });
}

test('a hung firmware: the watchdog resets it, the needles end retracted, the pen reports why', async () => {
  const sim = await strokingPen(2.0, 30);
  untilDiving(sim, 1000);
  sim.inject('hang');
  assert.ok(
    sim.runUntil(() => sim.resets === 1, 50),
    'watchdog reset',
  );
  assert.equal(sim.state, 'fault');
  assert.equal(sim.fault, 'watchdog_reset');
  sim.run(30);
  assert.ok(sim.observation.tipUm < 0);
  const ms = sim.ms(sim.retractedAtTicks! - sim.faultAtTicks!);
  assert.ok(ms <= 20, `retracted ${ms} ms after the reset`);
});
