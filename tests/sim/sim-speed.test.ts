// What the simulator does to run fast, checked for what it must keep: the encoder's noise from a
// table of normal quantiles (deterministic, the normal's moments), and the physical model merging the
// field's fast steps into integration steps on its grid (as few as the grid asks; how close they stay
// to the fine step is tests/sim/physics-step.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoard, cartridgeOf } from '../../boards/board.js';
import { physicsParams } from '../../host-sim/physics/params.js';
import { PhysicalDrive, H_MAX_S } from '../../host-sim/physics/model.js';
import { Rng, normalQuantile, NORMAL_LEVELS } from '../../host-sim/rng.js';

const BOARD = loadBoard('ref-pen');
const TIMER_HZ = BOARD.timing.step_timer_hz;

test('the normal quantiles match the tables, and the table draws have the normal moments', () => {
  for (const [q, z] of [
    [0.5, 0],
    [0.8413447460685429, 1],
    [0.975, 1.959963984540054],
    [0.001, -3.090232306167813],
  ])
    assert.ok(Math.abs(normalQuantile(q) - z) < 1e-8, `quantile ${q}: ${normalQuantile(q)} against ${z}`);
  const a = new Rng(7),
    b = new Rng(7);
  const n = 200_000;
  let sum = 0,
    sum2 = 0,
    max = 0;
  for (let k = 0; k < n; k++) {
    const z = a.normal();
    assert.equal(z, b.normal(), 'the same seed draws the same numbers');
    sum += z;
    sum2 += z * z;
    max = Math.max(max, Math.abs(z));
  }
  const mean = sum / n,
    sd = Math.sqrt(sum2 / n - mean * mean);
  // 5 standard errors of the mean and of the deviation (1/sqrt(n), 1/sqrt(2n))
  assert.ok(Math.abs(mean) < 5 / Math.sqrt(n), `mean ${mean}`);
  assert.ok(Math.abs(sd - 1) < 5 / Math.sqrt(2 * n) + 1e-3, `standard deviation ${sd}`);
  assert.equal(max, -normalQuantile(0.5 / NORMAL_LEVELS), 'the tails end at the outermost level');
});

/** a drive with its driver on and its currents settled at its start, 1 ms in */
function drive(): PhysicalDrive {
  const p = physicsParams(BOARD, cartridgeOf(BOARD));
  const d = new PhysicalDrive(p, 16, 0, TIMER_HZ, 2 * p.stepM * p.microsteps);
  d.setDriver(true);
  d.advanceTo(TIMER_HZ / 1000);
  return d;
}

test("steps faster than the model's grid are merged: one integration step per H_MAX_S, plus one at each full step", () => {
  const d = drive();
  let integrations = 0;
  d.sampler = () => integrations++;
  const t0 = TIMER_HZ / 1000;
  const intervalTicks = 160; // 10 us: 100,000 microsteps/s, four to an integration step
  const steps = 2000;
  for (let k = 1; k <= steps; k++) d.fieldStep(1, t0 + k * intervalTicks);
  const spanS = (steps * intervalTicks) / TIMER_HZ;
  const fullSteps = steps / d.p.microsteps;
  const most = Math.ceil(spanS / H_MAX_S) + fullSteps + 1;
  assert.ok(
    integrations <= most,
    `${integrations} integration steps for ${steps} steps in ${spanS * 1e3} ms (at most ${most})`,
  );
  assert.ok(integrations >= Math.floor(spanS / H_MAX_S), `${integrations} integration steps`);
});
