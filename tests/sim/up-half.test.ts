// A split stroke (the down half given the longer time, at rates up to the board's split rate) plans its
// up half apart. The up half takes the down half's acceleration share where that runs it
// (tests/assembly/planjob.spec.ts): after the triangle, which the up half took before, the rotor rang
// into the next down half and the worst pen of the ranges stalled at settings inside the envelope
// (docs/simulator.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOARD, firmware } from './helpers.js';
import { worstPen } from '../../tools/lib/envelope-limit.js';
import { edgePoint } from '../../tools/lib/envelope-edge.js';

test('the worst pen holds 36 needles at 1.4 mm and 30 Hz, where the up half as a triangle stalled it', async () => {
  const p = edgePoint(worstPen(BOARD), await firmware(), '36', 1.4, 30, 1);
  assert.equal(p.freqHz, 30);
  assert.ok(p.held, `${p.why} (${p.state}, ${p.fault})`);
  assert.ok(p.strokes >= 25, `${p.strokes} strokes`);
});
