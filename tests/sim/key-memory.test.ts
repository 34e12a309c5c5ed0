// No key byte ever enters the firmware's memory: after a full treatment (professional unlock where the
// firmware no longer reads keys itself, cartridges checked, strokes run, a cartridge swapped) the
// module's linear memory holds none of the keys the simulator's pen and maker hold, whole or in part.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PenSim } from '../../host-sim/pen.js';
import { CARTRIDGE_CHECK_MS } from '../../host-sim/cartridge-chip.js';
import { devCartridgeMakerKey, devLicenceMakerKey, privateScalar } from '../../host-sim/keys.js';
import { simClinic, unlockProfessional } from '../../tools/lib/clinic.js';
import { firmware, startByButton } from './helpers.js';

/** A 12-byte window of `key`, or of it with each 32-bit word byte-swapped, found in `mem` (12 bytes: no chance match, even with the simulator's ASCII test keys). */
function foundIn(mem: Uint8Array, key: Buffer): string | undefined {
  const swapped = Buffer.from(key);
  for (let i = 0; i + 4 <= swapped.length; i += 4) swapped.subarray(i, i + 4).reverse();
  const m = Buffer.from(mem.buffer, mem.byteOffset, mem.byteLength);
  for (const k of [key, swapped])
    for (let i = 0; i + 12 <= k.length; i += 4) {
      const at = m.indexOf(k.subarray(i, i + 12));
      if (at >= 0) return `bytes ${i}..${i + 11} at memory offset ${at}`;
    }
  return undefined;
}

test('after unlock, cartridge checks and a treatment, no key the simulator holds is in the module memory', async () => {
  const wasm = await firmware();
  const sim = new PenSim({ wasm });
  sim.press('power');
  assert.ok(sim.runUntil(() => sim.state === 'ready', 3000));
  assert.match(unlockProfessional(sim), /^OK/);
  const chips = [sim.chip!];
  assert.equal(sim.command('SET ZONE cheeks').slice(0, 2), 'OK');
  startByButton(sim);
  sim.run(500);
  assert.equal(sim.command('STOP'), 'OK');
  sim.runUntil(() => sim.state === 'ready', 1000);
  const next = sim.makeChip({ type: sim.cartridge.type, serial: 4242, lot: 99 });
  sim.removeCartridge();
  sim.run(5);
  sim.fitCartridge(next);
  chips.push(next);
  sim.run(CARTRIDGE_CHECK_MS);
  startByButton(sim);
  sim.run(300);
  const keys: [string, Buffer][] = [
    ['the maker cartridge key (private)', privateScalar(devCartridgeMakerKey())],
    ['the maker licence key (private)', privateScalar(devLicenceMakerKey())],
    ["the clinic's key (private)", privateScalar(simClinic().key)],
    ...chips.map((c, i): [string, Buffer] => [`chip ${i}'s private key`, privateScalar(c.privateKey)]),
    ...sim.keys.heldBytes().map((b, i): [string, Buffer] => [`key ${i} the pen's HAL holds`, b]),
  ];
  assert.ok(keys.length >= 7, `${keys.length} keys scanned for`);
  for (const [what, key] of keys) assert.equal(foundIn(sim.moduleMemory, key), undefined, what);
});
