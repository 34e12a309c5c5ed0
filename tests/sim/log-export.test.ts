// pen sim --flash keeps a pen's log between runs; pen log exports it as CSV and JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../../boards/paths.js';
import { tempDir } from './tmp-dir.js';
import { TRIM_SETTLE_MS } from '../../tools/lib/session.js';

const pen = (...args: string[]) =>
  spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), ...args], { encoding: 'utf8' });

test('two treatments, one log: pen log gives each session with zone, depth, rate, strokes and cartridge', () => {
  const dir = tempDir('penlog-');
  const flash = join(dir, 'pen.flash');
  assert.equal(
    pen('sim', '--depth', '1.0', '--freq', '40', '--seconds', '1', '--zone', 'cheekbones', '--flash', flash).status,
    0,
  );
  assert.equal(
    pen(
      'sim',
      '--depth',
      '2.0',
      '--freq',
      '30', // the envelope at 2.0 mm, planned for the worst pen of the ranges
      '--seconds',
      '1',
      '--zone',
      'scalp',
      '--mode',
      'professional',
      '--flash',
      flash,
    ).status,
    0,
  );
  const r = pen('log', '--flash', flash, '--csv', join(dir, 'log.csv'), '--json', join(dir, 'log.json'));
  assert.equal(r.status, 0, r.stderr);
  const rows = readFileSync(join(dir, 'log.csv'), 'utf8').trim().split('\n');
  assert.equal(rows[0].split(',').slice(0, 6).join(','), 'record,type,session,start,end,duration_s');
  const segs = rows.filter((l) => l.split(',')[1] === 'segment').map((l) => l.split(','));
  assert.equal(segs.length, 2);
  assert.deepEqual(
    segs.map((s) => [s[2], s[6], s[7], s[8], s[9]]),
    [
      ['1', 'cheekbones', 'home', '0.999', '40'],
      ['2', 'scalp', 'professional', '1.999', '30'],
    ],
  );
  for (const s of segs) {
    const strokes = Number(s[11]);
    const hz = Number(s[9]);
    // the measured second and the settling before it (the physical model's, pen sim's default)
    const secs = 1 + TRIM_SETTLE_MS / 1000;
    assert.ok(
      strokes >= hz * secs - 5 && strokes <= hz * secs + 10,
      `${strokes} strokes in about ${secs} s at ${hz} Hz`,
    );
    assert.equal(Number(s[12]), strokes * 16, 'punctures = strokes x 16 needles');
    assert.match(s[13], /^\d{6}$/, 'cartridge serial');
  }
  const json = JSON.parse(readFileSync(join(dir, 'log.json'), 'utf8'));
  assert.equal(
    json.records.filter((x: { type: string; event?: string }) => x.type === 'event' && x.event === 'auth_passed')
      .length,
    1,
  );
});

test("pen log refuses an image that is not this board's, and a missing file", () => {
  const dir = tempDir('penlog-');
  writeFileSync(join(dir, 'bad.flash'), Buffer.alloc(100));
  let r = pen('log', '--flash', join(dir, 'bad.flash'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad\.flash: 100 bytes, but the board's log flash is 6 x 4096 = 24576 bytes/);
  r = pen('log', '--flash', join(dir, 'none.flash'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--flash .*none\.flash: no such file/);
  assert.equal(existsSync(join(dir, 'none.flash')), false);
});
