// The verified retract: a fault's motor retract ends confirmed at the endstop with the driver on; any
// doubt (a second fault, a dry queue, an endstop active where it cannot be) cuts the driver and the
// spring retracts; the endstop is never trusted alone while stroking or homing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOARD, firmware, strokingPen, untilDiving } from './helpers.js';
import { parseCaseId } from '../../tools/campaign/spec.js';
import { runCampaignCase } from '../../tools/campaign/run.js';
import { failureClass } from '../../tools/campaign/summary.js';
import { PenSim } from '../../host-sim/pen.js';

const LIMIT_MS = 20;

/** Was the driver cut at or after t (the spring retracted)? */
function driverCutSince(sim: PenSim, t: number): boolean {
  return sim.trace!.events.some((e) => e.detail === 'driver_enable 0' && e.tTicks >= t);
}

test('a fault the motor can answer (the cartridge pulled out): the motor retracts to the endstop, which confirms it; the driver stays on', async () => {
  const sim = await strokingPen(1.5, 40, { trace: true });
  untilDiving(sim, 1000);
  const onset = sim.tTicks;
  sim.inject('cartridge_removed');
  sim.run(LIMIT_MS);
  assert.equal(sim.fault, 'cartridge_removed');
  assert.ok(sim.retractedAtTicks !== undefined && sim.ms(sim.retractedAtTicks - onset) <= LIMIT_MS);
  sim.run(30);
  assert.ok(sim.observation.carriageUm <= sim.board.endstop.trigger_um + 2, 'at the endstop');
  assert.ok(!driverCutSince(sim, onset), 'confirmed by the endstop: no need for the spring');
});

test('a stall: the motor has lost the rotor, so the driver is cut at detection and the spring retracts', async () => {
  const sim = await strokingPen(1.5, 40, { trace: true });
  untilDiving(sim, 1000);
  const onset = sim.tTicks;
  sim.inject('stall');
  assert.ok(
    sim.runUntil(() => sim.state === 'fault', 5),
    'seen within 5 ms',
  );
  assert.equal(sim.fault, 'stall');
  assert.ok(driverCutSince(sim, sim.faultAtTicks!), 'the driver cut');
  assert.ok(
    sim.trace!.events.some((e) => e.detail === 'driver_enable 0' && e.tTicks === sim.faultAtTicks),
    'in the tick that saw the stall: no motor retract is tried first',
  );
  sim.run(LIMIT_MS);
  assert.ok(sim.retractedAtTicks !== undefined && sim.ms(sim.retractedAtTicks - onset) <= LIMIT_MS);
});

test('an obstacle about a full step above the bottom of a deep stroke on the worst pen: StallGuard sees it 3-3.4 ms on, the spring has the rest: back within 20 ms of the contact', async () => {
  // a motor retract tried first was handed to the spring a tick later (the flag still stood): 20.4
  // and 20.0 ms from the contact
  for (const [board, id] of [
    ['ref-pen', 'ref-pen/physical/pworst/normal/d2.8/f60/s161198/stall@0.5759'],
    ['stm32f405-tmc2209', 'stm32f405-tmc2209/physical/pworst/normal/d2.8/f33/s83391/stall@0.4399+3.5ms:endstop_dead'],
  ]) {
    const o = runCampaignCase(parseCaseId(id), await firmware(board));
    assert.equal(o.detected, 'stall', id);
    assert.ok(o.detectionMs! >= 3, `${id}: seen ${o.detectionMs} ms after the contact`);
    assert.equal(failureClass(o, 20), undefined, `${id}: ${failureClass(o, 20)}: ${o.fromOnsetMs} ms`);
  }
});

test('an underrun during the retract: the driver is cut, the spring retracts within 20 ms of the onset', async () => {
  const sim = await strokingPen(2.0, 40, { trace: true });
  untilDiving(sim, 1900);
  const onset = sim.tTicks;
  sim.inject('cartridge_removed'); // a fault the motor retracts
  sim.run(2);
  assert.equal(sim.state, 'fault');
  const second = sim.tTicks;
  sim.inject('underrun');
  sim.run(LIMIT_MS - 2);
  assert.ok(driverCutSince(sim, second), 'the spring took over');
  assert.ok(sim.retractedAtTicks !== undefined && sim.ms(sim.retractedAtTicks - onset) <= LIMIT_MS);
});

test('an endstop glitch of 0.2 ms during the retract does not stop it short', async () => {
  const sim = await strokingPen(1.5, 40, { trace: true });
  untilDiving(sim, 1400);
  const onset = sim.tTicks;
  sim.inject('cartridge_removed'); // a fault the motor retracts
  sim.run(2);
  assert.ok(!driverCutSince(sim, onset), 'the motor retracts');
  sim.inject('endstop_stuck');
  sim.run(0.2);
  sim.clear('endstop_stuck');
  sim.run(LIMIT_MS - 2.2);
  assert.ok(sim.retractedAtTicks !== undefined && sim.ms(sim.retractedAtTicks - onset) <= LIMIT_MS);
  sim.run(30);
  assert.ok(sim.observation.carriageUm <= sim.board.endstop.trigger_um + 2, 'at the endstop');
});

test('an endstop stuck active while stroking: fault within 2 ms, driver cut', async () => {
  const sim = await strokingPen(1.5, 40, { trace: true });
  untilDiving(sim, 1000);
  const onset = sim.tTicks;
  sim.inject('endstop_stuck');
  assert.ok(sim.runUntil(() => sim.state === 'fault', 3));
  assert.equal(sim.fault, 'endstop_stuck');
  assert.ok(driverCutSince(sim, onset));
});

test('an endstop glitch of 0.5 ms while stroking is ignored', async () => {
  const sim = await strokingPen(1.5, 40, { trace: true });
  untilDiving(sim, 1000);
  sim.inject('endstop_stuck');
  sim.run(0.5);
  sim.clear('endstop_stuck');
  sim.run(100);
  assert.equal(sim.state, 'running');
});

test('a hang: the enable pump cuts the driver at its hold time after the last toggle, between control ticks too', async () => {
  const holdMs = BOARD.driver.enable_pump_hold_ms!;
  const tickMs = 1000 / BOARD.timing.control_hz;
  for (const afterTickMs of [0, 0.3, 0.7]) {
    const sim = await strokingPen(2.0, 40, { trace: true });
    sim.runUntil(() => true, tickMs); // just past a control tick, whose toggle is the last
    sim.run(afterTickMs);
    const onset = sim.tTicks;
    sim.inject('hang');
    assert.ok(
      sim.runUntilStep(() => !sim.mech.driverOn, holdMs + tickMs),
      'the outputs went off',
    );
    const ms = sim.ms(sim.tTicks - onset) + afterTickMs;
    assert.ok(Math.abs(ms - holdMs) < 0.01, `driver off ${ms.toFixed(3)} ms after the last toggle, hold ${holdMs} ms`);
  }
});
