// The built firmware against the HAL ABI document and the microcontroller budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';
import { HAL_ABI_VERSION } from '../../host-sim/hal.js';
import { PenSim } from '../../host-sim/pen.js';
import { describe as describeWasm, MAX_WASM_BYTES } from '../../tools/build/build.js';
import { HAL_CALLS } from '../../host-sim/recording.js';
import { firmware, readyPen } from './helpers.js';

/** `name(` entries of the import and export tables in docs/hal-abi.md */
function documented(section: string): string[] {
  return documentedInOrder(section).sort();
}

function documentedInOrder(section: string): string[] {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'hal-abi.md'), 'utf8');
  const part = doc.split(`<!-- ${section} -->`)[1]?.split('<!-- end -->')[0];
  assert.ok(part, `docs/hal-abi.md has a ${section} table`);
  return [...part.matchAll(/^\| `([a-z_0-9]+)\(/gm)].map((m) => m[1]);
}

test('the module imports only documented HAL functions and exports exactly the documented list', async () => {
  const r = describeWasm('ref-pen', await firmware());
  const imports = documented('imports');
  for (const i of r.imports) {
    assert.ok(i.startsWith('hal.'), `${i} is outside the hal module`);
    assert.ok(imports.includes(i.slice(4)), `${i} is not in docs/hal-abi.md`);
  }
  assert.deepEqual(r.exports.filter((e) => e !== 'memory').sort(), documented('exports'));
});

test('the simulator implements exactly the documented imports', async () => {
  const sim = new PenSim({ wasm: await firmware() });
  assert.deepEqual(Object.keys(sim.halImports()).sort(), documented('imports'));
});

test("recordings for board ports list every documented import, in the table's order (the opcode is the row)", () => {
  assert.deepEqual(
    HAL_CALLS.map((c) => c.name),
    documentedInOrder('imports'),
  );
});

test('the module reports the ABI version the simulator implements', async () => {
  const sim = await readyPen();
  assert.equal(sim.abiVersion, HAL_ABI_VERSION);
});

test('fits a microcontroller runtime: <= 32 KiB, <= 1 page, no floating point', async () => {
  const path = await firmware();
  const r = describeWasm('ref-pen', path);
  assert.equal(MAX_WASM_BYTES, 32 * 1024, 'the budget docs/porting.md and README.md state');
  assert.ok(r.bytes <= MAX_WASM_BYTES, `${r.bytes} bytes`);
  assert.ok(r.memoryPages <= 1, `${r.memoryPages} pages`);
  const wat = readFileSync(path.replace(/\.wasm$/, '.wat'), 'utf8');
  assert.doesNotMatch(wat, /\bf(32|64)\./, 'no float instructions');
});

test("carries no text the panic never reads: the standard library's a[i] is not used", async () => {
  // a[i] on a StaticArray names its message and file for the abort, about 110 bytes of UTF-16 in the
  // data section; the firmware indexes through statics.ts (item, checked), whose abort passes the line only
  const wasm = readFileSync(await firmware());
  for (const text of ['Index out of range', '~lib/staticarray.ts']) {
    // (the last character's high byte left off: the build drops a segment's trailing zeros)
    const utf16 = Buffer.from(text, 'utf16le').subarray(0, -1);
    assert.equal(wasm.indexOf(utf16), -1, `"${text}" is in the module: use item(a, i) for a[i]`);
  }
});

test('allocates nothing: no allocator is linked in, and memory never grows', async () => {
  const wat = readFileSync((await firmware()).replace(/\.wasm$/, '.wat'), 'utf8');
  // the firmware's buffers are laid out at compile time (memory.data); the text keeps the function names
  assert.match(
    wat,
    /\(func \$assembly\/index\/tick/,
    'the text format names the functions (so the search below means something)',
  );
  assert.doesNotMatch(wat, /\(func \$~lib\/rt\//, 'no runtime allocator function');
  assert.doesNotMatch(wat, /\bmemory\.grow\b/, 'no memory.grow');
});
