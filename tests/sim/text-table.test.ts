// The firmware's text table: every literal call becomes a reference into one byte table, whatever
// line breaks a formatter puts in the call or in the import of textio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildTextTable,
  useTextTable,
  packText,
  unpackedText,
  textModule,
  PACK_DEPTH_MAX,
} from '../../tools/build/text-table.js';
import { REPO_ROOT } from '../../boards/paths.js';

test('a call broken after its parenthesis, and a multi-line import, are converted', () => {
  const src = [
    'import {',
    '  put,',
    '  putField,',
    '} from "./textio";',
    'export function a(i: i32): void {',
    '  putField(',
    '    "none|stall",',
    '    i,',
    '  );',
    '  put("OK");',
    '}',
  ].join('\n');
  const t = buildTextTable([src]);
  assert.deepEqual([...t.refs.keys()], ['none|stall', 'OK']);
  const out = useTextTable(src, t);
  assert.doesNotMatch(out, /"none\|stall"|"OK"/, 'no literal left');
  assert.match(out, /putFieldText\(\d+,\n {4}i,/);
  assert.match(out, /import \{\n {2}put,\n {2}putField, putFieldText, putText \} from "\.\/textio";/);
});

test('a list is stored as its fields, each after its length byte', () => {
  const t = buildTextTable(['putField("a|bb", i)']);
  assert.deepEqual(t.bytes, [1, 97, 2, 98, 98]);
});

test('word() with a bar is refused at build', () => {
  assert.throws(() => buildTextTable(['word("A|B")']), /one keyword, no '\|'/);
});

test("a lookup's keyword or name longer than the firmware's WORD_MAX is refused at build, naming it", () => {
  const decl = 'export const WORD_MAX: i32 = 5;';
  assert.throws(() => buildTextTable([decl, 'wordIn("short|toolong")']), /"toolong" is longer than WORD_MAX \(5\)/);
  assert.throws(() => buildTextTable([decl, 'word("SIXSIX")']), /"SIXSIX" is longer than WORD_MAX/);
  assert.doesNotThrow(() => buildTextTable([decl, 'wordIn("five5|a")', 'put("a reply may be longer")']));
  // the firmware's own: every name within its WORD_MAX, and the build finds that WORD_MAX (made
  // shorter than its longest name, the firmware is refused)
  assert.doesNotThrow(() => firmwareTable());
  const shorter = firmwareSources().map((src) =>
    src.replace(/export const WORD_MAX: i32 = \d+;/, 'export const WORD_MAX: i32 = 5;'),
  );
  assert.throws(() => buildTextTable(shorter), /is longer than WORD_MAX \(5\) in assembly\/textio\.ts/);
});

/** the firmware's sources, as the build reads them */
function firmwareSources(): string[] {
  const dir = join(REPO_ROOT, 'assembly');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

/** the firmware's own table, as the build makes it */
function firmwareTable(): ReturnType<typeof buildTextTable> {
  return buildTextTable(firmwareSources());
}

test("the firmware's text packs to well under its size and unpacks to the same bytes", () => {
  const t = firmwareTable();
  const p = packText(t.bytes);
  assert.deepEqual(unpackedText(p), t.bytes);
  const packedBytes = p.codes.length + p.pairs.length;
  assert.ok(packedBytes < 0.75 * t.bytes.length, `${packedBytes} bytes packed for ${t.bytes.length}`);
  assert.ok(p.depth <= PACK_DEPTH_MAX, `pairs nest ${p.depth} deep`);
  assert.ok(p.codes.every((c) => c >= 0 && c < 256) && p.pairs.every((c) => c >= 0 && c < 256));
});

test('packing round-trips runs, every ASCII byte, and text with nothing to pair', () => {
  const cases: number[][] = [
    [97],
    Array.from({ length: 300 }, () => 97), // one byte repeated: pairs of pairs
    Array.from({ length: 128 }, (_, i) => i),
    [...Buffer.from('abababab abcabcabc the the the |x|y|z')],
    Array.from({ length: 4000 }, (_, i) => (i * 7919 + (i >> 3)) % 128),
  ];
  for (const bytes of cases) {
    const p = packText(bytes);
    assert.deepEqual(unpackedText(p), bytes);
    assert.ok(p.depth <= PACK_DEPTH_MAX);
    assert.ok(p.codes.length + p.pairs.length <= bytes.length, 'never larger than the table');
  }
  // a run long enough to pair 17 deep stops at the bound the firmware's recursion is sized for
  const run = Array.from({ length: 400_000 }, () => 97);
  const deep = packText(run);
  assert.equal(deep.depth, PACK_DEPTH_MAX);
  assert.deepEqual(unpackedText(deep), run);
});

test("the generated module unpacks into a buffer of the table's size, and the tests' module into none", () => {
  const t = firmwareTable();
  const src = textModule(t);
  assert.match(src, new RegExp(`memory\\.data\\(${t.bytes.length}\\)`));
  assert.match(src, /export function unpackText\(\): void \{/);
  assert.match(textModule({ bytes: [], refs: new Map() }), /export function unpackText\(\): void \{\}/);
});
