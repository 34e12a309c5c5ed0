// Cartridges that cannot be cloned or reset (docs/cartridge-chip.md): the chip's certificate, its
// challenge-response and use counter, the pen's power-safe used list, the cartridge of an interrupted
// session taken back after a reset, and a check that is cancelled, never stuck, when it becomes moot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PenSim, SimOptions } from '../../host-sim/pen.js';
import { CARTRIDGE_CHECK_MS, CartridgeChip, STATUS_ADDR, STATUS_IDLE } from '../../host-sim/cartridge-chip.js';
import { Flash } from '../../host-sim/flash.js';
import { Rng } from '../../host-sim/rng.js';
import { firmware, readyPen, startByButton } from './helpers.js';
import { tempDir } from './tmp-dir.js';

const TYPE = '16';

function status(sim: PenSim): string {
  return sim.command('STATUS?');
}
function cartridgeField(sim: PenSim): string {
  return /cartridge=(\S+)/.exec(status(sim))![1];
}

/** Take off what is fitted and fit `chip`; wait for the check. */
function swap(sim: PenSim, chip: CartridgeChip): string {
  if (sim.chip) {
    sim.removeCartridge();
    sim.run(5);
  }
  sim.fitCartridge(chip);
  sim.run(CARTRIDGE_CHECK_MS);
  return cartridgeField(sim);
}

/** A few strokes on the fitted cartridge, then stop: it is marked used. */
function use(sim: PenSim): void {
  if (!sim.command('SET ZONE cheeks').startsWith('OK')) throw new Error('zone');
  startByButton(sim);
  sim.run(150);
  assert.equal(sim.command('STOP'), 'OK');
  sim.runUntil(() => sim.state === 'ready', 1000);
}

let serialNo = 700000;
const chipOf = (sim: PenSim, extra: Partial<Parameters<PenSim['makeChip']>[0]> = {}): CartridgeChip =>
  sim.makeChip({ type: TYPE, serial: serialNo++, lot: 2613, ...extra });

test('a genuine new cartridge is accepted and counts one use at its first stroke', async () => {
  const sim = await readyPen();
  const chip = chipOf(sim);
  assert.match(swap(sim, chip), /^ok:/);
  assert.equal(chip.useCount, 0);
  use(sim);
  assert.equal(chip.useCount, 1);
  assert.equal(sim.crypto.openOperations, 0, 'every operation was cancelled or freed');
  assert.equal(sim.crypto.importedKeys, 0, 'the chip key was destroyed');
});

test('a chip reads idle before its first challenge: new, read back from its file, and copied', async () => {
  const sim = await readyPen();
  const chip = chipOf(sim);
  const copy = chip.copy({ resetUse: true });
  const back = CartridgeChip.fromFile(chip.toFile());
  for (const [name, c] of [
    ['new', chip],
    ['from its file', back],
    ['copied', copy],
  ] as const)
    assert.equal(c.read(STATUS_ADDR, 0), STATUS_IDLE, `${name}: the status byte`);
});

test('a copy of a used chip with its counter reset is refused: it cannot sign with the certified key', async () => {
  const sim = await readyPen();
  const chip = chipOf(sim);
  swap(sim, chip);
  use(sim);
  const clone = chip.copy({ resetUse: true });
  assert.equal(clone.useCount, 0);
  assert.equal(swap(sim, clone), 'refused:not_genuine');
  assert.equal(sim.command('START'), 'ERR 6 cartridge refused: not_genuine: fit a new genuine cartridge');
  assert.equal(sim.crypto.openOperations + sim.crypto.importedKeys, 0);
});

test('a chip certified by another maker key is refused; a counterfeit with a copied certificate too', async () => {
  const sim = await readyPen();
  assert.equal(swap(sim, chipOf(sim, { otherMaker: true })), 'refused:uncertified');
  assert.equal(swap(sim, chipOf(sim, { forged: true })), 'refused:not_genuine');
});

test("a used serial on a fresh, genuinely signed chip is refused by the pen's used list", async () => {
  const sim = await readyPen();
  const chip = chipOf(sim);
  swap(sim, chip);
  use(sim);
  const fresh = sim.makeChip({ type: TYPE, serial: chip.serial, lot: chip.lot });
  assert.equal(fresh.useCount, 0);
  assert.equal(swap(sim, fresh), 'refused:used');
  assert.equal(swap(sim, chipOf(sim)).slice(0, 3), 'ok:', 'a new serial is fine');
});

test('a used counter is refused; a cartridge taken off and put back after use is refused', async () => {
  const sim = await readyPen();
  assert.equal(swap(sim, chipOf(sim, { used: true })), 'refused:used');
  const chip = chipOf(sim);
  swap(sim, chip);
  use(sim);
  assert.equal(swap(sim, chip), 'refused:used');
});

for (const [provisioning, reason] of [
  ['unprovisioned', 'pen_key_unprovisioned'],
  ['zero', 'pen_key_zero'],
] as const) {
  test(`a pen with ${provisioning} keys refuses every cartridge with the reason`, async () => {
    const sim = await readyPen({ keyProvisioning: provisioning });
    assert.equal(cartridgeField(sim), `refused:${reason}`);
    assert.equal(swap(sim, chipOf(sim)), `refused:${reason}`);
    assert.equal(sim.command('START'), `ERR 6 cartridge refused: ${reason}: fit a new genuine cartridge`);
    assert.equal(sim.state, 'ready');
  });
}

test('a failed random number generator makes no challenge: the cartridge is refused', async () => {
  const sim = await readyPen();
  sim.inject('rng_stuck');
  assert.equal(swap(sim, chipOf(sim)), 'refused:rng_failed');
  assert.equal(sim.crypto.openOperations + sim.crypto.importedKeys, 0);
});

/** A pen stroking on `chip`, then hung: the watchdog resets it mid-treatment. */
async function resetMidTreatment(opts: Partial<SimOptions> = {}): Promise<{ sim: PenSim; chip: CartridgeChip }> {
  const sim = await readyPen(opts);
  const chip = chipOf(sim);
  swap(sim, chip);
  assert.equal(sim.command('SET ZONE cheeks'), 'OK zone=cheeks cap=1.50');
  startByButton(sim);
  sim.run(200);
  sim.inject('hang');
  assert.ok(
    sim.runUntil(() => sim.resets > 0, 200),
    'the watchdog reset the pen',
  );
  sim.clear('hang');
  return { sim, chip };
}

test('after a watchdog reset mid-treatment the same cartridge is accepted back; another used one is not', async () => {
  const { sim, chip } = await resetMidTreatment();
  sim.run(CARTRIDGE_CHECK_MS);
  assert.equal(sim.state, 'fault');
  assert.equal(cartridgeField(sim), `ok:${chip.serial}`, 'the cartridge of the interrupted session');
  assert.equal(sim.command('CLEAR'), 'OK');
  assert.ok(sim.runUntil(() => sim.state === 'ready', 3000));
  assert.equal(sim.command('SET ZONE cheeks'), 'OK zone=cheeks cap=1.50');
  startByButton(sim); // its treatment goes on
  sim.run(100);
  assert.equal(chip.useCount, 1, 'the same treatment: no second use counted');
  assert.equal(sim.command('STOP'), 'OK');
  sim.runUntil(() => sim.state === 'ready', 1000);
  const other = chipOf(sim, { used: true });
  assert.equal(swap(sim, other), 'refused:used');
  assert.equal(swap(sim, chip), 'refused:used', 'taken off: its session is over');
});

test('after a brief power loss mid-treatment (same flash, same chip) the same cartridge is accepted back', async () => {
  const wasm = await firmware();
  const flash = new Flash(6, 4096, new Rng(9));
  const sim = await readyPen({ flash });
  const spec = { type: TYPE, serial: serialNo++, lot: 2614 };
  swap(sim, sim.makeChip(spec));
  use(sim); // stopped, but the pen is still on: the session is open
  // the power goes; the same pen, flash and cartridge come back on
  const again = new PenSim({ wasm, flash, chip: { ...spec, used: true } });
  again.press('power');
  assert.ok(again.runUntil(() => again.state === 'ready', 3000));
  again.run(CARTRIDGE_CHECK_MS);
  assert.equal(cartridgeField(again), `ok:${spec.serial}`);
  const another = new PenSim({ wasm, flash, chip: { ...spec, serial: spec.serial + 1, used: true } });
  another.press('power');
  another.runUntil(() => another.state === 'ready', 3000);
  another.run(CARTRIDGE_CHECK_MS);
  assert.equal(cartridgeField(another), 'refused:used');
});

test('switching the pen off ends the session: the same cartridge is refused at the next power-up', async () => {
  const wasm = await firmware();
  const flash = new Flash(6, 4096, new Rng(9));
  const sim = await readyPen({ flash });
  const spec = { type: TYPE, serial: serialNo++, lot: 2614 };
  swap(sim, sim.makeChip(spec));
  use(sim);
  sim.press('power', 1500); // long press: off
  assert.ok(sim.runUntil(() => sim.state === 'off', 3000));
  sim.run(20);
  const again = new PenSim({ wasm, flash, chip: { ...spec, used: true } });
  again.press('power');
  again.runUntil(() => again.state === 'ready', 3000);
  again.run(CARTRIDGE_CHECK_MS);
  assert.equal(cartridgeField(again), 'refused:used');
});

test('the used list is power-safe and bounded: the oldest serial goes out first', async () => {
  const wasm = await firmware();
  // small sectors: a list of 6, and the store is copied from sector to sector several times
  const flash = new Flash(6, 256, new Rng(4));
  const sim = await readyPen({ flash, flashGeometry: { sectors: 6, sectorBytes: 256 } });
  const specs = Array.from({ length: 14 }, () => ({ type: TYPE, serial: serialNo++, lot: 2615 }));
  for (const spec of specs) {
    assert.match(swap(sim, sim.makeChip(spec)), /^ok:/);
    use(sim);
  }
  sim.removeCartridge();
  sim.run(10);
  const check = (spec: (typeof specs)[number]): string => {
    const p = new PenSim({ wasm, flash, chip: spec }); // a fresh chip with that serial, after a restart
    p.press('power');
    p.runUntil(() => p.state === 'ready', 3000);
    p.run(CARTRIDGE_CHECK_MS);
    return cartridgeField(p);
  };
  for (const spec of specs.slice(-6)) assert.equal(check(spec), 'refused:used', `serial ${spec.serial}`);
  assert.match(check(specs[0]), /^ok:/, 'the oldest is out of the list (its chip counter still guards it)');
});

// ---- a check that becomes moot is cancelled, and nothing stays busy ----------------------------------

function midCheck(sim: PenSim, chip: CartridgeChip): void {
  if (sim.chip) {
    sim.removeCartridge();
    sim.run(5);
  }
  sim.fitCartridge(chip);
  sim.run(30); // inside the certificate check (25 ms in the HAL)
  assert.ok(sim.crypto.openOperations > 0, 'a check is under way');
}

function answersAfterwards(sim: PenSim): void {
  assert.equal(sim.crypto.openOperations, 0, 'no operation left open');
  assert.equal(sim.crypto.importedKeys, 0, 'no key left imported');
  assert.match(sim.command('AUTH?'), /^CHALLENGE [0-9a-f]{32} pen=\d+$/, 'AUTH is still answered');
  assert.match(status(sim), /^STATUS /, 'the serial port still answers');
}

test('a check is cancelled when the cartridge is taken off, and the next one is accepted', async () => {
  const sim = await readyPen();
  midCheck(sim, chipOf(sim));
  sim.removeCartridge();
  sim.run(5);
  answersAfterwards(sim);
  assert.match(swap(sim, chipOf(sim)), /^ok:/);
});

test('a check is cancelled when the pen is switched off, and starts afresh', async () => {
  const sim = await readyPen();
  midCheck(sim, chipOf(sim));
  const started = sim.crypto.started;
  sim.command('POWER OFF');
  sim.run(2);
  assert.equal(sim.state, 'off');
  assert.equal(sim.crypto.openOperations <= 1, true);
  sim.run(CARTRIDGE_CHECK_MS);
  assert.ok(sim.crypto.started > started, 'the check ran again from the start');
  answersAfterwards(sim);
  assert.match(cartridgeField(sim), /^ok:/);
});

test('a check is cancelled by a fault, and starts afresh', async () => {
  const sim = await readyPen();
  midCheck(sim, chipOf(sim));
  const started = sim.crypto.started;
  sim.inject('overtemp');
  assert.ok(
    sim.runUntil(() => sim.state === 'fault', 50),
    `state ${sim.state}`,
  );
  sim.run(CARTRIDGE_CHECK_MS);
  assert.ok(sim.crypto.started > started, 'the check ran again from the start');
  sim.clear('overtemp');
  answersAfterwards(sim);
  assert.match(cartridgeField(sim), /^ok:/);
});

test('pen cartridge make writes a chip certified with the development key, which the pen accepts', async () => {
  const { spawnSync } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const out = join(tempDir('chip-'), 'chip.json');
  const pen = (...a: string[]) => spawnSync(process.execPath, ['bin/pen.js', ...a], { encoding: 'utf8' });
  const r = pen('cartridge', 'make', '--serial', '31337', '--lot', '88', '--type', TYPE, '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /DEVELOPMENT maker key/);
  assert.match(pen('cartridge', 'show', out).stdout, /serial 31337, lot 88, uses 0\ncertificate: valid/);
  const file = JSON.parse(readFileSync(out, 'utf8'));
  const sim = await readyPen();
  const chip = CartridgeChip.fromFile(file);
  assert.equal(swap(sim, chip), 'ok:31337');
  file.memory = file.memory.slice(0, 20) + (file.memory[20] === '0' ? '1' : '0') + file.memory.slice(21); // the lot changed
  assert.equal(swap(sim, CartridgeChip.fromFile(file)), 'refused:uncertified');
  const bad = pen('cartridge', 'make', '--serial', '-1', '--lot', '1', '--out', out);
  assert.equal(bad.status, 2, 'a bad serial is a usage error');
});

test('SET DEPTH names why no depth can be set: a cartridge still being checked, none fitted, or one refused', async () => {
  const sim = await readyPen();
  assert.match(sim.command('SET DEPTH 1.00'), /^OK depth=1\.00 /);
  sim.removeCartridge();
  sim.run(5);
  assert.equal(sim.command('SET DEPTH 1.00'), 'ERR 6 no cartridge fitted');
  // a new cartridge: its chip verified, then its deepest setting worked out; until both are done it is
  // "still being checked" (never "no cartridge fitted"), and the reply turns to OK once they are
  sim.fitCartridge(chipOf(sim));
  const replies = new Set<string>();
  let reply = '';
  for (let ms = 0; ms < 1000 && !reply.startsWith('OK'); ms++) {
    reply = sim.command('SET DEPTH 1.00');
    replies.add(reply.startsWith('OK') ? 'OK' : reply);
    sim.run(1);
  }
  assert.deepEqual([...replies], ['ERR 6 cartridge still being checked: try again', 'OK']);
  assert.match(reply, /^OK depth=1\.00 /);
  assert.equal(swap(sim, chipOf(sim, { forged: true })), 'refused:not_genuine');
  assert.equal(sim.command('SET DEPTH 1.00'), 'ERR 6 cartridge refused: not_genuine: fit a new genuine cartridge');
});
