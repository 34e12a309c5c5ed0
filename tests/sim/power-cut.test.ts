// A power cut in the simulator: the supply gone at once (the firmware stops, the driver's outputs
// fall, the spring retracts the needles, a flash write in flight is torn, the flash keeps the rest,
// time and physics go on), then a power-on reset on the same flash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PenSim, RESET_POWER_ON } from '../../host-sim/pen.js';
import { Flash } from '../../host-sim/flash.js';
import { Rng } from '../../host-sim/rng.js';
import { SimClock } from '../../host-sim/clock.js';
import { LogStorage } from '../../host-sim/parts/storage.js';
import { strokingPen, firmware } from './helpers.js';

test('a power cut while stroking: firmware stopped, driver off, the spring retracts; time goes on', async () => {
  const sim = await strokingPen(1.5, 100);
  const replies = sim.replies.length;
  const flashBefore = sim.flash.words.slice();
  const t0 = sim.nowMs;
  sim.powerCut();
  assert.equal(sim.powered, false);
  assert.equal(sim.dead, true);
  assert.equal(sim.driver.tripped || !sim.mech.driverOn, true, 'the driver drives nothing');
  assert.equal(sim.state, 'off');
  sim.send('STATUS?');
  sim.run(200);
  assert.ok(sim.nowMs >= t0 + 199, 'time goes on without power');
  assert.equal(sim.replies.length, replies, 'no firmware answers without power');
  assert.ok(sim.mech.tipUm() <= 0, `the spring took the needles out of the skin (tip ${sim.mech.tipUm()} um)`);
  assert.deepEqual(sim.flash.words, flashBefore, 'nothing was being written: the flash kept everything');

  const resets = sim.resets;
  sim.powerRestore();
  assert.equal(sim.powered, true);
  assert.equal(sim.resets, resets + 1);
  assert.equal(sim.resetCause, RESET_POWER_ON);
  assert.match(sim.command('STATUS?'), /state=off/, 'the pen starts off after the power came back');
  sim.press('power');
  assert.ok(
    sim.runUntil(() => sim.state === 'ready', 3000),
    `ready again after power-on: ${sim.state} ${sim.fault}`,
  );
});

test('the flash keeps its contents across a power cut, and the firmware reads them back', async () => {
  const sim = await strokingPen(1.0, 80);
  assert.match(sim.command('STOP'), /^OK/);
  sim.run(50);
  const count = sim.command('LOG?');
  assert.notEqual(count, 'LOG count=0');
  sim.powerCut();
  sim.run(1000);
  sim.powerRestore();
  sim.run(20);
  assert.equal(sim.command('LOG?'), count);
});

test('powerCut and powerRestore are idempotent', async () => {
  const sim = new PenSim({ wasm: await firmware() });
  sim.powerRestore();
  assert.equal(sim.resets, 0, 'restoring a pen that has power does nothing');
  sim.powerCut();
  sim.powerCut();
  sim.powerRestore();
  assert.equal(sim.resets, 1);
});

type FlashHal = Record<string, (...a: number[]) => number>;

/** A storage part on its own: a 2-sector flash, a 1 MHz clock, NOR timing (100 us program, 10 ms erase). */
function storage(seed: number): { flash: Flash; clock: SimClock; part: LogStorage; hal: FlashHal } {
  const flash = new Flash(2, 64, new Rng(seed));
  const clock = new SimClock(1e6);
  const part = new LogStorage(flash, clock, { programWordS: 100e-6, eraseSectorS: 10e-3 });
  return { flash, clock, part, hal: part.imports() as unknown as FlashHal };
}

test('storage: a program in flight at the cut is torn (only bits it was clearing cleared), a finished one kept', () => {
  for (let seed = 0; seed < 50; seed++) {
    const { flash, clock, part, hal } = storage(seed);
    assert.equal(hal.flash_program(0, 0x12345678), 0);
    clock.tTicks = 150; // the first is done
    assert.equal(hal.flash_program(4, 0x0f0f0f0f), 0);
    assert.equal(hal.flash_program(8, 0x00000000), 0); // queued behind it: starts at 250 us
    clock.tTicks = 200; // the second is in flight
    part.powerCut();
    assert.equal(flash.words[0], 0x12345678, 'the finished program is kept');
    const w = flash.words[1];
    assert.equal((w & 0x0f0f0f0f) >>> 0, 0x0f0f0f0f, 'a torn program clears only bits it was clearing');
    assert.equal(flash.words[2], 0xffffffff, 'the write queued behind the torn one never happened');
  }
});

test('storage: an erase in flight is torn, and the header written after it never happened', () => {
  let partial = 0;
  for (let seed = 0; seed < 20; seed++) {
    const { flash, clock, part, hal } = storage(seed);
    for (let i = 0; i < 16; i++) assert.equal(hal.flash_program(4 * i, i), 0);
    clock.tTicks = 5000;
    assert.equal(hal.flash_erase(0), 0);
    assert.equal(hal.flash_program(4, 7), 0);
    assert.equal(flash.words[1], 7, 'the firmware sees its writes at once');
    clock.tTicks = 9000; // 4 ms into a 10 ms erase
    part.powerCut();
    for (let i = 0; i < 16; i++) assert.ok(flash.words[i] === i || flash.words[i] === 0xffffffff, `word ${i}`);
    const erased = Array.from(flash.words.slice(0, 16)).filter((x) => x === 0xffffffff).length;
    if (erased > 0 && erased < 16) partial++;
  }
  assert.ok(partial >= 15, `most torn erases leave a mix of old and erased words (${partial} of 20)`);
});

test('storage: a cut long after the last write, or on backup SRAM, changes nothing', () => {
  const { flash, clock } = storage(1);
  const sram = new LogStorage(flash, clock, { programWordS: 0, eraseSectorS: 0 });
  const hal = sram.imports() as unknown as FlashHal;
  hal.flash_program(0, 0x1234);
  hal.flash_erase(1);
  sram.powerCut();
  assert.equal(flash.words[0], 0x1234);
  const nor = new LogStorage(flash, clock, { programWordS: 100e-6, eraseSectorS: 10e-3 });
  const h2 = nor.imports() as unknown as FlashHal;
  h2.flash_program(4, 0x5678);
  clock.tTicks = 1000;
  nor.powerCut();
  assert.equal(flash.words[1], 0x5678);
});
