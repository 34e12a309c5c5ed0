// What the simulator does to run fast, checked for what it must keep: the encoder's noise from a
// table of normal quantiles (deterministic, the normal's moments), and the physical model merging the
// field's fast steps into integration steps on its grid (as few as the grid asks; how close they stay
// to the fine step is tests/sim/physics-step.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoard, cartridgeOf } from '../../boards/board.js';
import { physicsParams } from '../../host-sim/physics/params.js';
import { PhysicalDrive, H_MAX_S, H_FINE_S } from '../../host-sim/physics/model.js';
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

test("steps faster than the model's grid are merged (one integration step per H_MAX_S, plus one at each full step); steps faster than the fine step are not", () => {
  const integrationsFor = (intervalTicks: number, steps: number): number => {
    const d = drive();
    let integrations = 0;
    d.sampler = () => integrations++;
    const t0 = TIMER_HZ / 1000;
    for (let k = 1; k <= steps; k++) d.fieldStep(1, t0 + k * intervalTicks);
    return integrations;
  };
  const steps = 1600;
  // 25 us: 40,000 microsteps/s, 1.6 to an integration step
  const spanS = (steps * 400) / TIMER_HZ;
  const most = Math.ceil(spanS / H_MAX_S) + steps / BOARD.driver.microsteps + 1;
  const merged = integrationsFor(400, steps);
  assert.ok(merged <= most, `${merged} integration steps for ${steps} steps in ${spanS * 1e3} ms (at most ${most})`);
  assert.ok(merged >= Math.floor(spanS / H_MAX_S), `${merged} integration steps`);
  // 10 us, under the fine step's 20 us: one integration step per step interval, as in the reference
  // (the last step's interval is integrated once something asks for a later time)
  assert.equal(integrationsFor(160, steps), steps - 1);
});

/**
 * The mean torque (Nm) of the model's motor with the rotor turned at `rpm` and the field `aheadSteps`
 * microsteps ahead of it: a rotor of huge inertia, nothing on the load side, so the torque shows
 * as the change of its speed over 10 ms after 10 ms of settling.
 */
function turnedTorqueNm(rpm: number, aheadSteps: number, hS: number): number {
  const p = {
    ...physicsParams(BOARD, cartridgeOf(BOARD)),
    rotorInertiaKgM2: 1e3,
    carriageKg: 0,
    fieldDampingNmsPerRad: 0,
    dragNmsPerRad: 0,
    nutDragN: 0,
    springPreN: 0,
    springRateNPerM: 0,
    detentNm: 0,
    rearStopM: -1e9,
    frontStopM: 1e9,
    guardM: 1e9,
  };
  const stepsPerS = (rpm / 60) * BOARD.motor.full_steps_per_rev * p.microsteps;
  const intervalTicks = Math.round(TIMER_HZ / stepsPerS);
  const d = new PhysicalDrive(p, 0, 0, TIMER_HZ, 0);
  d.hMaxS = hS;
  d.setDriver(true);
  for (let k = 0; k < aheadSteps; k++) d.fieldStep(1, 0);
  d.v = (TIMER_HZ / intervalTicks) * p.stepM;
  const settle = 0.01 * TIMER_HZ,
    end = 0.02 * TIMER_HZ;
  let t = 0,
    tFrom = 0,
    vFrom = 0;
  for (let k = 1; t < end; k++) {
    t = k * intervalTicks;
    if (t > settle && tFrom === 0) {
      d.advanceTo(t);
      tFrom = t;
      vFrom = d.v;
    }
    d.fieldStep(1, t);
  }
  d.advanceTo(t);
  return (p.rotorInertiaKgM2 * ((d.v - vFrom) / p.leadPerRadM)) / ((t - tFrom) / TIMER_HZ);
}

test("the model's pull-out torque with merged steps is the fine step's within 1 % of the holding torque", () => {
  const holdingNm = BOARD.motor.holding_torque_mNm / 1000;
  const rows: string[] = [];
  let worst = 0;
  for (const [rpm] of BOARD.motor.pull_out_curve.points_rpm_mNm) {
    if (rpm === 0) continue;
    let fine = 0,
      merged = 0;
    for (let ahead = 4; ahead <= 32; ahead += 4) {
      fine = Math.max(fine, turnedTorqueNm(rpm, ahead, H_FINE_S));
      merged = Math.max(merged, turnedTorqueNm(rpm, ahead, H_MAX_S));
    }
    worst = Math.max(worst, Math.abs(merged - fine) / holdingNm);
    rows.push(`${rpm} rpm: ${(merged * 1000).toFixed(2)} mNm (fine ${(fine * 1000).toFixed(2)})`);
  }
  console.log(
    `turned rotor, merged steps against the fine step (worst ${(worst * 100).toFixed(2)} % of holding):\n  ${rows.join('\n  ')}`,
  );
  assert.ok(worst <= 0.01, rows.join('; '));
});
