// The return spring as the fallback that needs nothing from the motor: the board validation refuses a
// spring that could lose to the detent torque and friction anywhere in the travel, and on the pen of
// the ranges that retracts slowest, a driver cut with the needles at rest at the deepest setting
// brings them back on the spring alone.
import { worstPen } from '../../tools/campaign/worst-pen.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBoard, BoardError, BOARDS_DIR, springRetract, cartridgeOf, Board } from '../../boards/board.js';
import { physicsParams } from '../../host-sim/physics/params.js';
import { PhysicalDrive } from '../../host-sim/physics/model.js';
import { tempDir } from './tmp-dir.js';

function boardFile(edit: (b: Board) => void): string {
  const dir = tempDir('board-');
  const b = JSON.parse(readFileSync(join(BOARDS_DIR, 'ref-pen.json'), 'utf8'));
  edit(b);
  const file = join(dir, 'ref-pen.json');
  writeFileSync(file, JSON.stringify(b));
  return file;
}

test('a board whose weakest spring loses to the detent torque and friction is refused, with the numbers and the fix', () => {
  // the old light spring, 1.2-1.8 N: it loses already at the endstop (1.20 N against 2.00 N), most with the needles deep
  const file = boardFile((b) => {
    b.carriage.return_spring_preload_N = 1.5;
    b.tolerances!['/carriage/return_spring_preload_N'] = { min: 1.2, max: 1.8, source: 'test' };
  });
  assert.throws(
    () => loadBoard(file),
    (e: Error) =>
      e instanceof BoardError &&
      /\/carriage\/return_spring_preload_N: with the driver off the worst-case spring \(preload 1\.20 N, rate 0\.27 N\/mm\) pushes 1\.93 N at 2\.70 mm from the endstop \(cartridge 36 at its deepest, needles in the skin\), but the worst-case hold there is 3\.08 N \(detent 4\.0 mNm through the screw at back-driving efficiency 0\.66: 1\.50 N; nut and guide drag 0\.50 N; needles' shaft friction 1\.08 N\): the spring could not retract the needles\. Fix: a spring whose weakest preload is above 2\.35 N/.test(
        e.message,
      ),
  );
});

test('an anti-backlash nut (drag up to 4.8 N) is refused: the spring would leave the needles in', () => {
  const file = boardFile((b) => {
    b.tolerances!['/carriage/friction_N'] = { min: 0.3, max: 4.8, source: 'test' };
  });
  assert.throws(
    () => loadBoard(file),
    (e: Error) =>
      e instanceof BoardError &&
      /worst-case hold there is 7\.38 N .*nut and guide drag 4\.80 N.*weakest preload is above 6\.65 N/.test(e.message),
  );
});

test('needles deep in the skin count: a soft spring rate loses at the 36-needle cartridge’s deepest position', () => {
  const file = boardFile((b) => {
    b.carriage.return_spring_preload_N = 2.8;
    b.tolerances!['/carriage/return_spring_preload_N'] = { min: 2.52, max: 3.08, source: 'test' };
    b.carriage.return_spring_rate_N_per_mm = 0.1;
    b.tolerances!['/carriage/return_spring_rate_N_per_mm'] = { min: 0.09, max: 0.11, source: 'test' };
  });
  assert.throws(
    () => loadBoard(file),
    (e: Error) =>
      e instanceof BoardError &&
      /pushes 2\.76 N at 2\.70 mm from the endstop \(cartridge 36 at its deepest, needles in the skin\), but the worst-case hold there is 3\.08 N .*shaft friction 1\.08 N/.test(
        e.message,
      ),
  );
});

test('the reference pens: the weakest spring beats the strongest hold everywhere; the margins are stated', () => {
  for (const name of ['ref-pen', 'ref-pen-open-loop', 'stm32f405-tmc2209']) {
    const w = springRetract(loadBoard(name), 'worst');
    assert.ok(w.springN > w.needN, `${name}: ${w.springN} N against ${w.needN} N`);
  }
  const worst = springRetract(loadBoard('ref-pen'), 'worst');
  // docs/hazards.md and docs/simulator.md state these figures
  assert.equal(worst.cartridge, '36');
  assert.equal(worst.springN.toFixed(2), '3.88');
  assert.equal(worst.needN.toFixed(2), '3.08');
  // at rest (out of the skin): 3.15 N against 1.50 N of detent and 0.50 N of drag, 58 % to spare
  assert.equal((worst.preloadN / (worst.detentN + worst.frictionN)).toFixed(2), '1.58');
});

/** Driver cut with the carriage at rest at depth (um past the skin plane); ms until the tip is out of the skin and the carriage at its rest position. */
function springRetractMs(pen: Board, cartridge: string, depthUm: number): { outMs: number; restMs: number } {
  const cart = cartridgeOf(pen, cartridge);
  const p = physicsParams(pen, cart);
  const timerHz = pen.timing.step_timer_hz;
  const g = pen.geometry;
  const startM = p.guardM + depthUm * 1e-6;
  const drive = new PhysicalDrive(p, cart.needles, p.punctureN, timerHz, startM);
  drive.punctured = true; // the needles went in on the way down
  drive.setDriver(true);
  let t = Math.round(0.02 * timerHz); // held at rest by the field
  drive.advanceTo(t);
  assert.ok(Math.abs(drive.v) < 1e-3 && drive.x > p.guardM, 'at rest in the skin before the cut');
  drive.setDriver(false);
  const t0 = t;
  const stepTicks = Math.round(timerHz / 10000);
  let outMs = NaN;
  while (t - t0 < 0.5 * timerHz) {
    t += stepTicks;
    drive.advanceTo(t);
    if (Number.isNaN(outMs) && drive.x <= p.guardM) outMs = ((t - t0) * 1000) / timerHz;
    if (drive.x <= g.retract_um * 1e-6) return { outMs, restMs: ((t - t0) * 1000) / timerHz };
  }
  assert.fail(`not retracted 500 ms after the cut: carriage at ${(drive.x * 1e6).toFixed(0)} um`);
}

test('the pen that retracts slowest: a driver cut at rest at the deepest setting, the spring alone retracts the needles', (t) => {
  const pen = worstPen(loadBoard('ref-pen'), 'physical').board;
  assert.equal(pen.carriage.return_spring_preload_N, 3.15);
  assert.equal(pen.physics!.detent_torque_mNm.typical, 4);
  // the default cartridge at 3.0 mm, and the one with the least margin (36 needles at 2.0 mm)
  // from every place within a full step (the detent's period), the slowest
  const slowest = (cartridge: string, depthUm: number) => {
    const fullStepUm = (pen.drive.lead_mm * 1000) / pen.motor.full_steps_per_rev;
    const runs = Array.from({ length: 8 }, (_, k) => springRetractMs(pen, cartridge, depthUm + (k * fullStepUm) / 8));
    return runs.reduce((a, b) => (b.restMs > a.restMs ? b : a));
  };
  const deep = slowest('16', 3000);
  const tight = slowest('36', 2000);
  t.diagnostic(`16 needles at 3.0 mm: out of the skin ${deep.outMs} ms, at rest ${deep.restMs} ms after the cut`);
  t.diagnostic(`36 needles at 2.0 mm: out of the skin ${tight.outMs} ms, at rest ${tight.restMs} ms after the cut`);
  // docs/hazards.md and docs/simulator.md state these times: the spring alone takes the needles out
  // of the skin within the 20 ms a retract has (what is left of it after a detection is the hazard
  // table's business), and the carriage is at rest soon after; a hang adds the enable pump's hold
  // (board driver.enable_pump_hold_ms, 1.5 ms)
  assert.ok(deep.outMs <= 17 && deep.outMs < deep.restMs && deep.restMs <= 17, `${deep.outMs} / ${deep.restMs} ms`);
  assert.ok(
    tight.outMs <= 17 && tight.outMs < tight.restMs && tight.restMs <= 17,
    `${tight.outMs} / ${tight.restMs} ms`,
  );
});

test('the same pen with a spring below what the validation asks can leave the 36 needles in', (t) => {
  const pen = worstPen(loadBoard('ref-pen'), 'physical').board;
  pen.carriage.return_spring_preload_N = 2.12; // below the 2.35 N the validation asks for
  const cart = cartridgeOf(pen, '36');
  const p = physicsParams(pen, cart);
  // the detent holds hardest at some places within a full step and helps at others: once moving,
  // the carriage can coast through; from rest at the wrong place it never starts
  const fullStepM = p.stepM * p.microsteps;
  const phases = 16;
  let stuck = 0;
  for (let k = 0; k < phases; k++) {
    const startM = p.guardM + 2000e-6 + (k * fullStepM) / phases;
    const drive = new PhysicalDrive(p, cart.needles, p.punctureN, pen.timing.step_timer_hz, startM);
    drive.punctured = true;
    drive.setDriver(true);
    drive.advanceTo(Math.round(0.02 * pen.timing.step_timer_hz));
    drive.setDriver(false);
    drive.advanceTo(Math.round(0.5 * pen.timing.step_timer_hz));
    if (drive.x > p.guardM) stuck++;
  }
  t.diagnostic(`needles left in the skin from ${stuck} of ${phases} places within a full step`);
  assert.ok(stuck > 0, 'the weak spring retracted the needles from every place within a full step');
});
