// The physical model's integration step against its fine reference: the same firmware on the same
// pen, once with the model's step (one per step interval, at most H_MAX_S) and once with the fixed
// 20 us step the model was first checked with (H_FINE_S). The tip's path, each stroke's depth, the
// overshoot, the load angle and the lost steps must agree within the stated tolerances, and the
// pull-out curve computed at both (each at the step it takes at that speed) within 1 % of the holding torque.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOARD, firmware } from './helpers.js';
import { withModel, cartridgeOf } from '../../boards/board.js';
import { PenSim } from '../../host-sim/pen.js';
import { unlockProfessional } from '../../tools/lib/clinic.js';
import { H_FINE_S, H_MAX_S } from '../../host-sim/physics/model.js';
import { physicsParams } from '../../host-sim/physics/params.js';
import { pullOutTorqueNm } from '../../host-sim/physics/pull-out.js';

const PHYSICAL = withModel(BOARD, 'physical');
/** tolerances against the fine step: tip path and depths (um), load angle (degrees electrical) */
const TIP_PATH_UM = 5;
const DEPTH_UM = 2;
const LOAD_ANGLE_DEG = 2;
/** the tip's path is compared every 0.25 ms over 300 ms of stroking */
const PATH_EVERY_MS = 0.25;
const PATH_MS = 300;

interface Run {
  path: number[];
  depthsUm: number[];
  overshootUm: number;
  loadAngleDeg: number;
  lost: number;
}

async function stroke(depthMm: number, freqHz: number, hS: number): Promise<Run> {
  const sim = new PenSim({ board: PHYSICAL, wasm: await firmware(), seed: 1 });
  sim.mech.phys!.hMaxS = hS;
  sim.press('power');
  assert.ok(sim.runUntil(() => sim.state === 'ready', 3000));
  assert.ok(unlockProfessional(sim).startsWith('OK'));
  for (const c of ['SET ZONE stretch_marks', `SET DEPTH ${depthMm.toFixed(2)}`, `SET FREQ ${freqHz}`, 'START'])
    assert.ok(sim.command(c).startsWith('OK'), c);
  sim.press('start');
  assert.ok(sim.runUntil(() => sim.state === 'running', 200));
  // past the depth trim's settling: the two runs' firmware trims the strokes by what each measured,
  // and a trim taken a stroke apart would move one run's path by a microstep against the other's
  sim.run(400);
  sim.startMeasuring();
  const path: number[] = [];
  for (let t = 0; t < PATH_MS; t += PATH_EVERY_MS) {
    sim.run(PATH_EVERY_MS);
    path.push(sim.mech.tipUm());
  }
  const m = sim.measure();
  const ph = sim.mech.physicsSummary()!;
  return {
    path,
    depthsUm: sim.meter.strokes.map((s) => s.depthUm),
    overshootUm: ph.tip_max_um - sim.setting.depthUm,
    loadAngleDeg: ph.load_angle_deg_max,
    lost: m.missed_steps,
  };
}

for (const [depthMm, freqHz] of [
  [3.0, 35],
  [0.25, 87],
  [1.5, 48],
]) {
  test(`at ${depthMm} mm and ${freqHz} Hz the model's step gives the fine step's tip path, depths and load angle`, async () => {
    const fine = await stroke(depthMm, freqHz, H_FINE_S);
    const run = await stroke(depthMm, freqHz, H_MAX_S);
    const pathErr = Math.max(...run.path.map((x, i) => Math.abs(x - fine.path[i])));
    assert.equal(run.depthsUm.length, fine.depthsUm.length, 'strokes');
    const depthErr = Math.max(...run.depthsUm.map((x, i) => Math.abs(x - fine.depthsUm[i])));
    const row = `tip path within ${pathErr.toFixed(2)} um, depths within ${depthErr.toFixed(2)} um, overshoot ${run.overshootUm.toFixed(2)} um (fine ${fine.overshootUm.toFixed(2)}), load angle ${run.loadAngleDeg.toFixed(2)} deg (fine ${fine.loadAngleDeg.toFixed(2)}), lost ${run.lost} (fine ${fine.lost})`;
    console.log(`${depthMm} mm ${freqHz} Hz: ${row}`);
    assert.ok(pathErr <= TIP_PATH_UM, row);
    assert.ok(depthErr <= DEPTH_UM, row);
    assert.ok(Math.abs(run.overshootUm - fine.overshootUm) <= DEPTH_UM, row);
    assert.ok(Math.abs(run.loadAngleDeg - fine.loadAngleDeg) <= LOAD_ANGLE_DEG, row);
    assert.equal(run.lost, fine.lost, row);
  });
}

test('the pull-out curve at the model step is the fine step curve within 1 % of the holding torque', () => {
  const p = physicsParams(BOARD, cartridgeOf(BOARD));
  const holdingNm = BOARD.motor.holding_torque_mNm / 1000;
  const rows: string[] = [];
  let worst = 0;
  for (const [rpm] of BOARD.motor.pull_out_curve.points_rpm_mNm) {
    // turning at rpm the model steps once per microstep interval, or at its largest step if that is shorter
    const intervalS = rpm > 0 ? 60 / (rpm * BOARD.motor.full_steps_per_rev * p.microsteps) : Infinity;
    const fine = pullOutTorqueNm(p, rpm, Math.min(H_FINE_S, intervalS));
    const coarse = pullOutTorqueNm(p, rpm, Math.min(H_MAX_S, intervalS));
    worst = Math.max(worst, Math.abs(coarse - fine) / holdingNm);
    rows.push(`${rpm} rpm: ${(coarse * 1000).toFixed(1)} mNm (fine ${(fine * 1000).toFixed(1)})`);
  }
  console.log(
    `pull-out, model step against fine step (worst ${(worst * 100).toFixed(2)} % of holding):\n  ${rows.join('\n  ')}`,
  );
  assert.ok(worst <= 0.01, rows.join('; '));
});
