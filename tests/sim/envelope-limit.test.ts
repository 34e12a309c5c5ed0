// pen envelope --limit: the highest rate per depth found by brute force on the physical model,
// independent of the firmware; the worst pen is each range at its harder end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOARD, maxFreq, strokingPen } from './helpers.js';
import { cartridgeOf, withModel, planningBoard } from '../../boards/board.js';
import { physicsParams } from '../../host-sim/physics/params.js';
import { PhysicalDrive } from '../../host-sim/physics/model.js';
import {
  contiguousLimit,
  envelopeLimit,
  motionLaw,
  trapezoid,
  tryStrokes,
  worstPen,
  DEPTH_TOL_UM,
  SPLITS,
} from '../../tools/lib/envelope-limit.js';
import { readFileSync } from 'node:fs';
import { limitPoints } from '../../tools/lib/limit-pool.js';

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
  // the rotor lags its field under the spring and the needles: the tip falls 33 um short at the
  // bottom without overtravel, 7 um with 4 microsteps of it (the limit search finds this itself)
  const slow = tryStrokes(pen, cart, 1500, 30, cycloidal, 0.5, 4);
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

test('the limit is the highest rate below which every rate holds, not where a bisection lands', () => {
  // held need not be monotonic in the rate: with the smooth laws alone the worst pen held 40 Hz at
  // 1.25 mm, stalled or missed depth at 41-42 and held 43-44; a bisection from 25/150 Hz landed on 44
  const pattern = new Map([39, 40, 43, 44].map((f) => [f, true]));
  const held = (f: number): boolean => f < 39 || pattern.has(f);
  assert.deepEqual(contiguousLimit(25, 150, held), { limitHz: 40, heldMaxHz: 44 });
  assert.deepEqual(
    contiguousLimit(25, 150, () => false),
    { limitHz: 0, heldMaxHz: 0 },
  );
  assert.deepEqual(
    contiguousLimit(25, 150, () => true),
    { limitHz: 150, heldMaxHz: 150 },
  );
});

test("the limit is never below what the firmware's kind of move holds: the worst pen at 1.25 mm", () => {
  // the firmware's move at 1.25 mm on the worst pen: a triangle speed (accelerate, decelerate), the
  // down half 55 % of the period. It holds 45 Hz (with the overtravel the search finds) where the
  // smooth laws and a one-third trapezoid stopped at 40 Hz: the limit was below the firmware's reach
  const pen = worstPen(BOARD);
  const cart = cartridgeOf(pen);
  const first = tryStrokes(pen, cart, 1250, 45, trapezoid(0.5), 0.55);
  assert.equal(first.lostSteps + first.stalls, 0, JSON.stringify(first));
  const stepUm = physicsParams(pen, cart).stepM * 1e6;
  const extra = Math.round(-first.worstErrUm / stepUm);
  const trimmed = extra > 0 ? tryStrokes(pen, cart, 1250, 45, trapezoid(0.5), 0.55, extra) : first;
  assert.ok(trimmed.held, JSON.stringify({ first, extra, trimmed }));
  const [p] = envelopeLimit(BOARD, undefined, [1.25]);
  assert.ok(p.limitHz >= 45, JSON.stringify(p));
});

test("the limit's family has the firmware's own down halves: equal halves and DOWN_PERMILLE", () => {
  // a split the firmware runs and the search does not try would leave the limit below the firmware's
  // reach there (the family held 45/50/55 % while the firmware ran 52.5 %)
  const src = readFileSync(new URL('../../../assembly/envelope.ts', import.meta.url), 'utf8');
  const m = /export const DOWN_PERMILLE: i32 = (\d+);/.exec(src);
  assert.ok(m, 'DOWN_PERMILLE not found in assembly/envelope.ts');
  for (const split of [0.5, Number(m[1]) / 1000])
    assert.ok(
      SPLITS.some((s) => Math.abs(s - split) < 1e-9),
      `${split} not among ${SPLITS.join(', ')}`,
    );
  assert.equal(SPLITS.length, 9);
  assert.ok(Math.min(...SPLITS) === 0.45 && Math.max(...SPLITS) === 0.65, SPLITS.join(', '));
});

test('the limit on worker threads is the search alone, point for point, whatever the pool', async () => {
  // (the rates searched end at 36 Hz, just above the limits there: the same search, in seconds)
  const board = { ...BOARD, stroke: { ...BOARD.stroke, freq_max_hz: 36 } };
  const depths = [2.75, 3.0];
  const alone = {
    worst: envelopeLimit(board, undefined, depths),
    typical: envelopeLimit(board, undefined, depths, withModel(board, 'physical')),
  };
  assert.ok(
    alone.worst.every((p) => p.limitHz > 25 && p.limitHz < 36),
    JSON.stringify(alone.worst),
  );
  const seen: number[] = [];
  const pooled = await limitPoints(board, undefined, depths, { jobs: 3, progress: (done) => seen.push(done) });
  assert.deepEqual(pooled, alone);
  assert.deepEqual(seen, [1, 2, 3, 4]);
  assert.deepEqual(await limitPoints(board, undefined, [3.0], { jobs: 1 }), {
    worst: alone.worst.slice(1),
    typical: alone.typical.slice(1),
  });
});

test('the firmware plans with the worst end of every range', () => {
  const { board: plan, torqueFactor } = planningBoard(BOARD);
  const t = BOARD.tolerances!;
  assert.equal(plan.drive.efficiency, t['/drive/efficiency'].min);
  assert.equal(plan.carriage.friction_N, t['/carriage/friction_N'].max);
  assert.equal(plan.carriage.return_spring_preload_N, t['/carriage/return_spring_preload_N'].max);
  assert.equal(plan.carriage.return_spring_rate_N_per_mm, t['/carriage/return_spring_rate_N_per_mm'].max);
  assert.equal(plan.carriage.mass_g, t['/carriage/mass_g'].max);
  assert.equal(plan.motor.rotor_inertia_gcm2, t['/motor/rotor_inertia_gcm2'].max);
  assert.equal(torqueFactor, t['/motor/holding_torque_mNm'].min / BOARD.motor.holding_torque_mNm);
});

test("the firmware's envelope stays at or below the worst pen's limit (docs/simulator.md gives the table)", async () => {
  const depths = [0.25, 1.5, 2.25, 3.0];
  const worst = envelopeLimit(BOARD, undefined, depths);
  for (const [i, d] of depths.entries()) {
    const fw = await maxFreq(d);
    assert.ok(
      worst[i].limitHz > 0 && fw <= worst[i].limitHz,
      `${d} mm: firmware ${fw} Hz, worst pen ${worst[i].limitHz} Hz`,
    );
  }
});

test("the model the limit searches is the pen's: the firmware's own steps, replayed on it alone, peak where the pen did", async () => {
  // the limit drives the model alone; the pen drives the same model through its loop, which also
  // integrates up to each control tick, full step and queue event. The firmware's steps of a pen at
  // its 12-needle edge (0.45 mm / 55 Hz, 85 degrees), replayed from the top of a stroke with the field
  // where the pen had it, must ring the same (docs/simulator.md, the limit)
  const pen = worstPen(BOARD);
  const sim = await strokingPen(0.45, 55, { board: pen, cartridge: '12', seed: 1 });
  sim.run(200);
  const ph = sim.mech.phys!;
  const steps: [number, number, number][] = []; // direction, time (ticks), field before it (microsteps)
  const fieldStep = ph.fieldStep.bind(ph);
  ph.fieldStep = (d: number, t: number): void => {
    steps.push([d, t, ph.fieldSteps]);
    fieldStep(d, t);
  };
  ph.loadAngleMaxRad = 0; // (a statistic: the dynamics never read it)
  ph.tipMaxM = -Infinity;
  sim.run(400);
  assert.equal(sim.state, 'running');
  const top = steps.findIndex((s, i) => i > 0 && s[0] === 1 && steps[i - 1][0] === -1);
  assert.ok(top > 0 && steps.length - top > 1000, `${steps.length} steps, a top at ${top}`);
  const p = physicsParams(pen, cartridgeOf(pen, '12'));
  const timerHz = sim.clock.timerHz;
  const alone = new PhysicalDrive(p, ph.needles, ph.punctureN, timerHz, steps[top][2] * p.stepM);
  alone.setDriver(true); // the field on the rotor, at rest at the top
  const settle = Math.round(0.05 * timerHz);
  alone.advanceTo(settle);
  const shift = settle + Math.round(0.001 * timerHz) - steps[top][1];
  for (const [d, t] of steps.slice(top)) alone.fieldStep(d, t + shift);
  const deg = (rad: number): number => (rad * 180) / Math.PI;
  const penPeak = deg(ph.loadAngleMaxRad),
    alonePeak = deg(alone.loadAngleMaxRad);
  assert.ok(penPeak > 80 && penPeak < 90, `the pen peaks at ${penPeak.toFixed(1)} degrees`);
  assert.ok(
    Math.abs(alonePeak - penPeak) <= 1.5,
    `pen ${penPeak.toFixed(1)}, model alone ${alonePeak.toFixed(1)} degrees`,
  );
  assert.ok(
    Math.abs(alone.tipMaxM - ph.tipMaxM) * 1e6 <= 3,
    `deepest tip: pen ${(ph.tipMaxM * 1e6).toFixed(1)}, model alone ${(alone.tipMaxM * 1e6).toFixed(1)} um`,
  );
  assert.equal(alone.lostSteps, 0);
});

test('the limit names the member that holds it with the least load angle, and that member holds it', () => {
  const pen = worstPen(BOARD);
  const cart = cartridgeOf(pen);
  const [p] = envelopeLimit(BOARD, undefined, [1.25]);
  const m = p.member;
  assert.ok(m, JSON.stringify(p));
  // the same trial again: the member holds the limit's rate, with the peak and tip it reported
  const again = tryStrokes(pen, cart, 1250, p.limitHz, motionLaw(m.law), m.downShare, m.overtravelSteps);
  assert.ok(again.held, JSON.stringify({ m, again }));
  assert.equal(again.peakLoadAngleDeg, m.peakLoadAngleDeg);
  assert.equal(again.worstErrUm, m.worstErrUm);
  assert.ok(Math.abs(m.worstErrUm) <= DEPTH_TOL_UM);
  // the quietest of those that hold: the firmware's own kind of move (a triangle, 55 % down) rings
  // at least as much there, held or not
  const stepUm = physicsParams(pen, cart).stepM * 1e6;
  const first = tryStrokes(pen, cart, 1250, p.limitHz, trapezoid(0.5), 0.55);
  const extra = Math.round(-first.worstErrUm / stepUm);
  const triangle =
    first.held || first.lostSteps || first.stalls || extra <= 0
      ? first
      : tryStrokes(pen, cart, 1250, p.limitHz, trapezoid(0.5), 0.55, extra);
  assert.ok(triangle.peakLoadAngleDeg >= m.peakLoadAngleDeg, JSON.stringify({ m, triangle }));
  assert.throws(() => motionLaw('sine'), /no motion law "sine" in the limit's family: cycloidal, poly345/);
});
