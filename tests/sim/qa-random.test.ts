// `pen qa --random N`: cases at settings nobody picked, drawn from the boards' ranges, written as
// scenario files that `pen qa` loads and reruns; the same seed draws the same files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../../boards/paths.js';
import { loadBoard } from '../../boards/board.js';
import { randomScenarios, SETTLE_AFTER_CHANGE_MS, SETTLE_AFTER_START_MS } from '../../tools/qa/random.js';
import { loadScenario } from '../../tools/qa/scenario.js';
import { loadRequirements } from '../../tools/qa/requirements.js';
import { tempDir } from './tmp-dir.js';

const BOARDS = [loadBoard('ref-pen'), loadBoard('stm32f405-tmc2209')];

test('the same seed draws the same cases; case i is the same whatever N; another seed draws others', () => {
  const a = randomScenarios(40, 7, BOARDS, 20);
  assert.deepEqual(randomScenarios(40, 7, BOARDS, 20), a);
  // (past the two comment lines, which name the command that drew them)
  const body = (t: string): string => t.split('\n').slice(2).join('\n');
  assert.deepEqual(
    randomScenarios(5, 7, BOARDS, 20).map((s) => body(s.text)),
    a.slice(0, 5).map((s) => body(s.text)),
  );
  const b = randomScenarios(40, 8, BOARDS, 20);
  assert.ok(a.filter((s, i) => s.text === b[i].text).length === 0, 'another seed, other cases');
});

test("every drawn case loads as a scenario, within its board's ranges, with known requirements", () => {
  const dir = tempDir('qa-random-');
  const known = new Set(loadRequirements().map((r) => r.id));
  const sc = randomScenarios(200, 1, BOARDS, 20);
  let edge = 0,
    changes = 0;
  const tissues = new Set<string>();
  for (const s of sc) {
    const f = join(dir, s.file);
    writeFileSync(f, s.text);
    const [c] = loadScenario(f);
    const b = loadBoard(c.board);
    assert.equal(c.model, 'physical');
    assert.equal(c.tolerance, 20);
    for (const id of c.requirements) assert.ok(known.has(id), id);
    tissues.add(c.tissue as string);
    const sets = c.steps.filter((x) => 'set' in x).map((x) => x.set as { depth_mm: number; freq_hz: number });
    for (const v of sets) {
      assert.ok(v.depth_mm * 1000 >= b.geometry.depth_min_um && v.depth_mm * 1000 <= b.geometry.depth_max_um, s.text);
      assert.ok(v.freq_hz >= b.stroke.freq_min_hz && v.freq_hz <= b.stroke.freq_max_hz, s.text);
      if (v.freq_hz === b.stroke.freq_max_hz) edge++;
    }
    if (sets.length === 2) changes++;
    // the measured second follows the settling the shipped suite allows: after a start, after a change
    const runs = c.steps.filter((x) => 'run' in x).map((x) => String(x.run));
    assert.deepEqual(runs.slice(-2), [`${sets.length === 2 ? SETTLE_AFTER_CHANGE_MS : SETTLE_AFTER_START_MS}ms`, '1s']);
  }
  assert.deepEqual([...tissues].sort(), ['normal', 'soft', 'tough']);
  assert.ok(changes > 70 && changes < 130, `${changes} of 200 change while stroking`);
  assert.ok(edge > 60, `${edge} settings at the highest rate`);
});

test('pen qa --random writes its cases where it says and runs them; bad uses are refused with the fix', () => {
  const cwd = tempDir('qa-random-run-');
  const pen = (args: string[]) =>
    spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), 'qa', ...args], { encoding: 'utf8', cwd });
  const r = pen(['--random', '2', '--seed', '5', '--tolerance', '1', '--board', 'ref-pen']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^2 cases drawn \(seed 5, 1 pen each\): out\/qa-random\/seed-5$/m);
  assert.match(r.stdout, /^2 passed, 0 failed$/m);
  const dir = join(cwd, 'out', 'qa-random', 'seed-5');
  assert.deepEqual(readdirSync(dir).sort(), ['r0.yaml', 'r1.yaml']);
  assert.equal(readFileSync(join(dir, 'r0.yaml'), 'utf8'), randomScenarios(2, 5, [loadBoard('ref-pen')], 1)[0].text);
  const both = pen(['--random', '2', 'tests/qa']);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /--random draws its own scenario files: give either FILES or --random, not both/);
  const zero = pen(['--random', '0']);
  assert.equal(zero.status, 2);
  assert.match(zero.stderr, /--random 0: give a whole number of cases 1\.\.100000/);
  // a folder it cannot write: the environment's fault (exit 3), with the fix
  const blocked = tempDir('qa-random-blocked-');
  writeFileSync(join(blocked, 'out'), 'a file where the folder would go');
  const nowhere = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), 'qa', '--random', '1'], {
    encoding: 'utf8',
    cwd: blocked,
  });
  assert.equal(nowhere.status, 3, nowhere.stderr);
  assert.match(
    nowhere.stderr,
    /cannot write the drawn cases to out\/qa-random\/seed-1 .*: run pen qa from a writable folder/,
  );
  const board = pen(['--board', 'ref-pen']);
  assert.equal(board.status, 2);
  assert.match(board.stderr, /--board goes with --random/);
});

test('pen qa --random --cartridge: every case runs that cartridge, its depths within its needles; the default draw is unchanged', () => {
  const plain = randomScenarios(60, 3, BOARDS, 20);
  assert.ok(
    plain.every((s) => !/^cartridge:/m.test(s.text)),
    'no cartridge key without the option',
  );
  const dir = tempDir('qa-random-cart-');
  const sc = randomScenarios(60, 3, BOARDS, 20, '36');
  let deep = 0;
  for (const s of sc) {
    const f = join(dir, s.file);
    writeFileSync(f, s.text);
    const [c] = loadScenario(f);
    assert.equal(c.cartridge, '36');
    assert.match(c.name, /^random \d+: [\w-]+, cartridge 36, /);
    for (const v of c.steps.filter((x) => 'set' in x).map((x) => x.set as { depth_mm: number })) {
      assert.ok(v.depth_mm <= 2.0, `${v.depth_mm} mm is past the 36-needle cartridge's 2.0 mm: ${s.text}`);
      if (v.depth_mm > 1.5) deep++;
    }
  }
  assert.ok(deep > 5, 'the draw still reaches the deep end of the cartridge');

  const cwd = tempDir('qa-random-cart-run-');
  const pen = (args: string[]) =>
    spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), 'qa', ...args], { encoding: 'utf8', cwd });
  const r = pen(['--random', '1', '--seed', '5', '--tolerance', '1', '--board', 'ref-pen', '--cartridge', 'nano']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^1 cases drawn \(seed 5, 1 pen each\): out\/qa-random\/seed-5-cartridge-nano$/m);
  assert.match(r.stdout, /^1 passed, 0 failed$/m);
  const written = readFileSync(join(cwd, 'out', 'qa-random', 'seed-5-cartridge-nano', 'r0.yaml'), 'utf8');
  assert.equal(written, randomScenarios(1, 5, [loadBoard('ref-pen')], 1, 'nano')[0].text);
  assert.match(written, /^# Drawn by pen qa --random 1 --seed 5 --cartridge nano \(case 0\)/m);
  const unknown = pen(['--random', '1', '--cartridge', '99']);
  assert.equal(unknown.status, 2);
  assert.match(
    unknown.stderr,
    /--cartridge 99: board ref-pen has no such cartridge; its types are 12, 16, 24, 36, nano/,
  );
  const alone = pen(['--cartridge', '12']);
  assert.equal(alone.status, 2);
  assert.match(alone.stderr, /--cartridge goes with --random/);
});
