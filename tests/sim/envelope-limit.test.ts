// pen envelope --limit: the highest rate per depth found by brute force on the physical model,
// independent of the firmware; the worst pen is each range at its harder end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOARD, maxFreq } from './helpers.js';
import { cartridgeOf, withModel } from '../../boards/board.js';
import { envelopeLimit, tryStrokes, worstPen, DEPTH_TOL_UM } from '../../tools/lib/envelope-limit.js';

const cycloidal = (u: number): number => u - Math.sin(2 * Math.PI * u) / (2 * Math.PI);

test('the worst pen takes each range at its harder end', () => {
  const w = worstPen(BOARD);
  assert.equal(w.motor.holding_torque_mNm, BOARD.tolerances!['/motor/holding_torque_mNm'].min);
  assert.equal(w.carriage.friction_N, BOARD.tolerances!['/carriage/friction_N'].max);
  assert.equal(w.physics!.damping_ratio.typical, BOARD.physics!.damping_ratio.min);
  assert.equal(w.physics!.needle_puncture_mN.typical, BOARD.physics!.needle_puncture_mN.max);
  assert.equal(w.physics!.model, 'physical');
});

test('a stroke trial tells a rate the typical pen holds from one where it slips', () => {
  const pen = withModel(BOARD, 'physical');
  const cart = cartridgeOf(pen);
  const slow = tryStrokes(pen, cart, 1500, 30, cycloidal, 0.5, 2);
  assert.equal(slow.lostSteps, 0);
  assert.ok(Math.abs(slow.worstErrUm) <= DEPTH_TOL_UM, `depth error ${slow.worstErrUm} um`);
  const fast = tryStrokes(pen, cart, 1500, 120, cycloidal, 0.5);
  assert.ok(!fast.held && fast.lostSteps > 0, JSON.stringify(fast));
});

test("the typical pen's limit at 1.5 mm lies above the firmware's envelope and below the board's top rate", async () => {
  const [p] = envelopeLimit(BOARD, undefined, [1.5], withModel(BOARD, 'physical'));
  const fw = await maxFreq(1.5);
  assert.ok(p.limitHz >= fw && p.limitHz < BOARD.stroke.freq_max_hz, `limit ${p.limitHz} Hz, firmware ${fw} Hz`);
});
