// The firmware's text table: every literal call becomes a reference into one byte table, whatever
// line breaks a formatter puts in the call or in the import of textio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTextTable, useTextTable } from '../../tools/build/text-table.js';

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
