// The physical motor model against formulas: the rotor's small oscillation on its magnetic spring,
// energy with the losses off, the pull-out curve against the board's, momentum with the driver off,
// and pens drawn from the board's ranges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoard, cartridgeOf, drawPen, interpolate, withModel } from '../../boards/board.js';
import { physicsParams, PhysicsParams } from '../../host-sim/physics/params.js';
import { PhysicalDrive, H_MAX_S, H_FINE_S } from '../../host-sim/physics/model.js';
import { pullOutTorqueNm } from '../../host-sim/physics/pull-out.js';
import { EndstopSwitch } from '../../host-sim/physics/endstop-switch.js';
import { ShaftEncoder } from '../../host-sim/parts/encoder.js';
import { worstPen } from '../../tools/lib/envelope-limit.js';

const BOARD = loadBoard('ref-pen');
const TIMER_HZ = BOARD.timing.step_timer_hz;

/** the board's numbers with the losses off: no damping, friction, screw loss or spring preload */
function lossless(): PhysicsParams {
  const p = physicsParams(BOARD, cartridgeOf(BOARD));
  return { ...p, fieldDampingNmsPerRad: 0, dragNmsPerRad: 0, nutDragN: 0, etaDrive: 1, etaBack: 1, springPreN: 0 };
}

/** a drive held at a full-step position (um) with the currents settled, then displaced by `ampRad` electrical */
function held(p: PhysicsParams, ampRad: number): { d: PhysicalDrive; x0: number; kE: number } {
  const fullStepM = p.stepM * p.microsteps;
  const x0 = 2 * fullStepM; // in front of the endstop, behind the guard plane: no skin
  const d = new PhysicalDrive(p, 16, 0, TIMER_HZ, x0);
  d.setDriver(true);
  d.advanceTo(TIMER_HZ / 100); // 10 ms: the currents reach the field's
  const kE = Math.PI / (2 * p.microsteps * p.stepM);
  d.x = x0 + ampRad / kE;
  d.v = 0;
  return { d, x0, kE };
}

test("the rotor's small oscillation has the frequency of its magnetic spring", () => {
  const p = lossless();
  // stiffness at the shaft: the field's kt I N plus the detent's 4 N Td (at a full step both pull the same way)
  const kShaft = p.ktNmPerA * p.currentPeakA * p.polePairs + 4 * p.polePairs * p.detentNm;
  const kX = kShaft / p.leadPerRadM ** 2 + p.springRateNPerM;
  const mX = p.rotorInertiaKgM2 / p.leadPerRadM ** 2 + p.carriageKg;
  const fFormula = Math.sqrt(kX / mX) / (2 * Math.PI);
  const { d, x0 } = held(p, 0.02);
  const crossings: number[] = [];
  let last = d.x - x0;
  const t0 = TIMER_HZ / 100;
  d.advanceTo(t0 + TIMER_HZ / 10, (t, xUm) => {
    const e = xUm * 1e-6 - x0;
    if (last < 0 && e >= 0) crossings.push(t - (e / (e - last)) * (H_MAX_S * TIMER_HZ)); // interpolated upward crossing
    last = e;
  });
  const fModel = ((crossings.length - 1) * TIMER_HZ) / (crossings[crossings.length - 1] - crossings[0]);
  // 0.2 %: position Verlet's frequency error is (w h)^2 / 24 ~ 5e-5, the sine's softening at 0.02 rad
  // amplitude 1e-4 (1 - a^2 / 16), the crossing interpolation and the spring's kink at x = 0 less
  const err = Math.abs(fModel - fFormula) / fFormula;
  assert.ok(fFormula > 200 && fFormula < 320, `the reference pen's rotor rings at ${fFormula.toFixed(1)} Hz`);
  assert.ok(
    err < 0.002,
    `model ${fModel.toFixed(2)} Hz, formula ${fFormula.toFixed(2)} Hz (${(err * 100).toFixed(3)} %)`,
  );
});

test('with damping and friction off the energy is conserved', () => {
  const p = lossless();
  // a large swing (1 rad electrical) through the nonlinear spring and the detent
  const { d } = held(p, 1.0);
  const e0 = d.energyJ();
  const rest = held(p, 0).d.energyJ();
  const swing = e0 - rest;
  // the equations are checked at the reference step (the 40 us step is checked against it in
  // physics-step.test.ts); the drive writes its state back when a call ends, so the energy is read
  // between calls of one step each
  d.hMaxS = H_FINE_S;
  let worst = 0;
  const start = TIMER_HZ / 100;
  const stepTicks = Math.round(TIMER_HZ * H_FINE_S);
  for (let t = start + stepTicks; t <= start + TIMER_HZ / 5; t += stepTicks) {
    d.advanceTo(t);
    worst = Math.max(worst, Math.abs(d.energyJ() - e0));
  }
  assert.ok(worst > 0, 'the energy was read while the rotor swings (an exact zero means no sample)');
  // position Verlet keeps a shadow energy: the error oscillates with an amplitude of about
  // (w h)^2 / 8 of the swing (1.5e-4 at 270 Hz and 20 us) and does not drift; 1e-3 allows for the
  // nonlinear spring's harmonics, and 200 ms (54 periods) shows any drift
  assert.ok(
    worst / swing < 1e-3,
    `energy error ${(worst / swing).toExponential(2)} of the swing ${swing.toExponential(3)} J`,
  );
});

test("the model's pull-out curve at the board's voltage against the board's curve", () => {
  const p = physicsParams(BOARD, cartridgeOf(BOARD));
  const curve = BOARD.motor.pull_out_curve.points_rpm_mNm;
  const holding = BOARD.motor.holding_torque_mNm;
  const rows: string[] = [];
  for (const [rpm] of curve) {
    const model = pullOutTorqueNm(p, rpm) * 1000;
    const board = interpolate(curve, rpm);
    rows.push(`${rpm} rpm: model ${model.toFixed(1)} mNm, board ${board.toFixed(1)} mNm`);
    // up to the corner speed (the chopper holds the current) both are the holding torque: within 1 %
    if (board >= holding) assert.ok(Math.abs(model - board) <= 0.01 * holding, rows.join('; '));
    // above it the board's curve subtracts the whole back-EMF from a sine of the bus voltage, a lower
    // estimate; the model lets the load angle lead the current and the bridge apply the full bus
    // voltage, so it may only be higher: never lower by more than 1 % of the holding torque
    assert.ok(model >= board - 0.01 * holding, rows.join('; '));
    // and never above the holding torque
    assert.ok(model <= holding * 1.01, rows.join('; '));
  }
  console.log(`pull-out at ${p.busV} V\n  ${rows.join('\n  ')}`);
});

test('with the driver off the carriage keeps its momentum', () => {
  const p = physicsParams(BOARD, cartridgeOf(BOARD));
  const d = new PhysicalDrive(p, 16, 0, TIMER_HZ, 500e-6);
  d.setDriver(true);
  d.advanceTo(TIMER_HZ / 100);
  d.v = 0.3; // a fast down-stroke
  d.setDriver(false);
  d.advanceTo(TIMER_HZ / 100 + TIMER_HZ / 1000);
  assert.ok(d.x > 600e-6, `1 ms after driver-off the carriage went on to ${(d.x * 1e6).toFixed(0)} um`);
});

test('the screw holds where neither the motor nor the load can turn it: no creep at rest, whatever the step', () => {
  // The driver comes up at the retract point; the spring pushes the carriage back against the field
  // until the swing stops. There the motor's pull lies inside the band the screw's friction holds
  // (drive and back-drive efficiencies): the carriage must stay put. A model that picked the
  // back-driven way while the motor moved the carriage forward ratcheted forward, the more the
  // coarser its step: 10 um over 20 ms at 40 us, which moved the first stroke's load angle by 14 degrees.
  const p = physicsParams(BOARD, cartridgeOf(BOARD));
  const rest = (hS: number): { stopUm: number; laterUm: number } => {
    const d = new PhysicalDrive(p, 16, 0, TIMER_HZ, BOARD.geometry.retract_um * 1e-6);
    d.hMaxS = hS;
    d.setDriver(true);
    let t = 0;
    do {
      t += TIMER_HZ / 10_000; // 0.1 ms at a time, until the first swing stops
      d.advanceTo(t);
    } while (d.v !== 0 || t < TIMER_HZ / 2000);
    const stopUm = d.x * 1e6;
    d.advanceTo(t + TIMER_HZ / 50); // 20 ms more
    return { stopUm, laterUm: d.x * 1e6 };
  };
  const fine = rest(H_FINE_S / 8);
  for (const hS of [H_MAX_S, H_FINE_S, H_FINE_S / 8]) {
    const r = rest(hS);
    const row = `step ${(hS * 1e6).toFixed(1)} us: stopped at ${r.stopUm.toFixed(3)} um (${fine.stopUm.toFixed(3)} at 2.5 us), ${r.laterUm.toFixed(3)} um 20 ms later`;
    assert.equal(r.laterUm, r.stopUm, row);
    assert.ok(Math.abs(r.stopUm - fine.stopUm) < 0.2, row);
    assert.ok(r.stopUm < BOARD.geometry.retract_um - 5, row); // it did swing back: the spring was there
  }
});

test('a slip loses whole electrical cycles (4 full steps)', () => {
  const p = physicsParams(BOARD, cartridgeOf(BOARD));
  const d = new PhysicalDrive(p, 16, 0, TIMER_HZ, 500e-6);
  d.setDriver(true);
  d.advanceTo(TIMER_HZ / 100);
  d.obstacleM = d.x; // a hard stop right in front
  let t = TIMER_HZ / 100;
  for (let k = 0; k < 20 * p.microsteps; k++) {
    t += TIMER_HZ / 2000;
    d.advanceTo(t);
    d.fieldStep(1, t);
  }
  d.advanceTo(t + TIMER_HZ / 100);
  assert.ok(d.lostSteps > 0 && d.lostSteps % (4 * p.microsteps) === 0, `lost ${d.lostSteps} microsteps`);
});

test('pens drawn from the ranges: the same seed gives the same pen, every number inside its range', () => {
  const a = drawPen(BOARD, 7);
  assert.deepEqual(drawPen(BOARD, 7), a);
  assert.notDeepEqual(drawPen(BOARD, 8), a);
  for (const [ptr, t] of Object.entries(BOARD.tolerances!)) {
    const v = ptr
      .split('/')
      .slice(1)
      .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], a) as number;
    assert.ok(v >= t.min && v <= t.max, `${ptr} ${v}`);
  }
  assert.equal(BOARD.carriage.friction_N, 0.3, 'the board itself is not changed');
});

/** a drive pushing its field against a hard stop at `fullStepsS` full steps per second; returns whether StallGuard saw it */
function pushAgainstStop(fullStepsS: number, reverseEvery = 0): { seen: boolean; lost: number } {
  const p = physicsParams(BOARD, cartridgeOf(BOARD));
  const d = new PhysicalDrive(p, 16, 0, TIMER_HZ, 500e-6);
  d.setDriver(true);
  d.advanceTo(TIMER_HZ / 100);
  d.obstacleM = d.x;
  let t = TIMER_HZ / 100;
  let seen = false;
  let dir = 1;
  for (let k = 1; k <= 40 * p.microsteps; k++) {
    t += TIMER_HZ / (fullStepsS * p.microsteps);
    d.advanceTo(t);
    if (reverseEvery && k % reverseEvery === 0) dir = -dir;
    d.fieldStep(dir, t);
    seen ||= d.stallSeen;
  }
  return { seen, lost: d.lostSteps };
}

test('StallGuard sees a stall at full steps above its speed threshold, and is blind below it', () => {
  const fast = pushAgainstStop(4 * BOARD.driver.stallguard_min_full_steps_s);
  assert.ok(fast.lost > 0 && fast.seen, `fast: lost ${fast.lost}, seen ${fast.seen}`);
  const slow = pushAgainstStop(BOARD.driver.stallguard_min_full_steps_s / 2);
  assert.ok(slow.lost > 0 && !slow.seen, `slow: lost ${slow.lost}, seen ${slow.seen}`);
  // reversing at every full step: no sample is ever a full step past a reversal
  const mic = BOARD.driver.microsteps;
  const dither = pushAgainstStop(4 * BOARD.driver.stallguard_min_full_steps_s, mic);
  assert.equal(dither.seen, false);
});

test('the endstop switch closes at its point and opens a hysteresis further out', () => {
  const s = new EndstopSwitch(0, 30, 100);
  assert.equal(s.at(10), false);
  assert.equal(s.at(0), true);
  assert.equal(s.at(20), true, 'still closed inside the hysteresis');
  assert.equal(s.at(31), false);
});

test('the shaft encoder reads the shaft angle in 14-bit counts from its zero at the endstop', async () => {
  const { Mechanics } = await import('../../host-sim/mechanics.js');
  const { Tissue } = await import('../../host-sim/tissue.js');
  const { Rng } = await import('../../host-sim/rng.js');
  const board = withModel(BOARD, 'physical');
  const mech = new Mechanics(board, cartridgeOf(board), Tissue.named('normal'), 1, TIMER_HZ);
  const enc = new ShaftEncoder(board, mech, new Rng(1), TIMER_HZ);
  assert.equal(enc.countsPerRev, 16384);
  // at the rear stop the shaft is -400 um / 25.4 mm of a turn from the endstop's design point
  const turns = BOARD.geometry.rear_stop_um / (BOARD.drive.lead_mm * 1000);
  assert.equal(enc.angleCounts(), Math.floor(BOARD.encoder!.zero_count + turns * 16384));
  assert.ok(Math.abs(enc.countToUm(enc.trueCounts()) - BOARD.geometry.rear_stop_um) < 1e-6);
});

test("a cartridge's finer tips scale the puncture force's range by their share of the standard tips' specification", () => {
  // the board's range (20/25/40 mN) is for standard tips, specified at 40 mN (needle_force_mN); the
  // nano cartridge is specified at 5 mN, an eighth of it
  const standard = physicsParams(BOARD, cartridgeOf(BOARD, '16'));
  const nano = physicsParams(BOARD, cartridgeOf(BOARD, 'nano'));
  assert.equal(standard.punctureN, 0.025);
  assert.equal(nano.punctureN, 0.025 / 8);
  const worst = worstPen(BOARD);
  assert.equal(physicsParams(worst, cartridgeOf(worst, '36')).punctureN, 0.04);
  assert.equal(physicsParams(worst, cartridgeOf(worst, 'nano')).punctureN, 0.005);
});
