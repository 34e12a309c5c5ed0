// The dictionary (abi/pen-abi.ts) is the one hand-written source of the shared tables: every file
// written from it is up to date and says so, and no hand-written copy of a table remains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';
import { generatedFiles } from '../../tools/build/gen-abi.js';
import { HAL_CALLS, FAULTS, LOG_EVENTS, REFUSALS, COMMAND_RESULTS, ZONES, type Code } from '../../abi/pen-abi.js';
import { firmware } from './helpers.js';
import { INJECTABLE } from '../../host-sim/faults.js';

const GENERATED_MARK = 'Generated from abi/pen-abi.ts by `npm run gen`';

test('every file written from the dictionary is up to date (run `npm run gen` after changing abi/pen-abi.ts)', () => {
  for (const [file, text] of generatedFiles(REPO_ROOT)) {
    const onDisk = readFileSync(join(REPO_ROOT, file), 'utf8');
    if (onDisk === text) continue;
    const a = onDisk.split('\n');
    const b = text.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    assert.fail(
      `${file} is stale from line ${line + 1}: has ${JSON.stringify(a[line])}, the dictionary gives ${JSON.stringify(b[line])}; run \`npm run gen\``,
    );
  }
});

test('generated source files say so in their first line', () => {
  for (const file of generatedFiles(REPO_ROOT).keys()) {
    if (file.endsWith('.md')) continue; // docs carry the mark at each generated table
    const first = readFileSync(join(REPO_ROOT, file), 'utf8').split('\n')[0];
    assert.ok(first.includes(GENERATED_MARK), `${file}: first line ${JSON.stringify(first)}`);
  }
});

test('the release module imports exactly the HAL calls the dictionary marks as imported, with their signatures', async () => {
  const wat = readFileSync((await firmware()).replace(/\.wasm$/, '.wat'), 'utf8');
  const imported = [
    ...wat.matchAll(/\(import "(\w+)" "(\w+)" \(func \S+((?: \(param [^)]*\))?)((?: \(result \w+\))?)\)\)/g),
  ].map(
    ([, mod, name, params, result]) =>
      `${mod}.${name}(${params.replace(/ ?\(param ?|\)/g, '').trim()})${result.replace(/ ?\(result |\)/g, '') || 'void'}`,
  );
  const expected = HAL_CALLS.filter((c) => c.imported !== false).map(
    (c) => `hal.${c.name}(${c.params.map(([, t]) => t).join(' ')})${c.ret}`,
  );
  assert.deepEqual(imported.sort(), expected.sort());
});

/** Hand-written source files: code outside docs, tests, generated files and the dictionary itself. */
function handWritten(): string[] {
  const generated = new Set(generatedFiles(REPO_ROOT).keys());
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|js|c|h|cpp)$/.test(f)) {
        const rel = relative(REPO_ROOT, p);
        const first = readFileSync(p, 'utf8').split('\n')[0];
        if (!generated.has(rel) && !first.includes('Generated from')) out.push(rel);
      }
    }
  };
  for (const d of ['assembly', 'host-sim', 'tools', 'ports', 'boards', 'bench', 'bin']) walk(join(REPO_ROOT, d));
  return out;
}

test("a code's name is written by hand only in the dictionary (no copy of a table elsewhere)", () => {
  const files = handWritten().map((f) => [f, readFileSync(join(REPO_ROOT, f), 'utf8')] as const);
  // names distinctive enough (with an underscore) that one of them in a file is a copy of the table;
  // the simulator's injectable faults (host-sim/faults.ts) are another table, of what breaks, and some
  // share a word with a fault code
  const injectable = new Set<string>(INJECTABLE);
  const distinctive = (table: readonly Code[]): string[] =>
    table.map((c) => c.name).filter((n) => n.includes('_') && !injectable.has(n));
  const names = [FAULTS, LOG_EVENTS, REFUSALS, COMMAND_RESULTS].flatMap(distinctive);
  assert.ok(names.includes('driver_overtemp') && names.length >= 15, `names checked: ${names.join(' ')}`);
  for (const name of names) {
    const re = new RegExp(`\\b${name}\\b`);
    const copies = files.filter(([, text]) => re.test(text)).map(([f]) => f);
    assert.deepEqual(copies, [], `"${name}" is written by hand outside abi/pen-abi.ts`);
  }
  // a zone is named where it is used (SET ZONE neck), but three in one file are a copy of the table
  const zones = distinctive(ZONES).concat(ZONES.filter((z) => !z.name.includes('_') && z.code > 0).map((z) => z.name));
  for (const [f, text] of files) {
    const found = zones.filter((z) => new RegExp(`\\b${z}\\b`).test(text));
    assert.ok(found.length < 3, `${f} names the zones ${found.join(', ')}: a copy of the zone table (abi/pen-abi.ts)`);
  }
});
