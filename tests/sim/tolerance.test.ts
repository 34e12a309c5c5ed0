// Tolerance runs (`pen qa --tolerance N`, header `tolerance: N`) and the header `model`: one pen is
// today's run, the same seed gives the same pens and results, a case that passes only on the typical pen
// fails naming the drawn pen, and the header keys are in the published schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Ajv } from 'ajv';
import { loadScenario, ScenarioError, Case } from '../../tools/qa/scenario.js';
import { runCase } from '../../tools/qa/run-case.js';
import { runCaseOnPens, pensOf, describePen } from '../../tools/qa/tolerance.js';
import { CaseResult } from '../../tools/qa/results.js';
import { junitXml } from '../../tools/qa/junit.js';
import { collectProvenance, replayCommand } from '../../tools/qa/provenance.js';
import { loadBoard } from '../../boards/board.js';
import { REPO_ROOT } from '../../boards/paths.js';
import { firmware } from './helpers.js';
import { tempDir } from './tmp-dir.js';

const FIXTURE = join(REPO_ROOT, 'tests', 'fixtures', 'qa-tolerance', 'retract-typical-only.yaml');
const PASSES = join(REPO_ROOT, 'tests', 'fixtures', 'qa-failing', 'passes.yaml');
const dir = tempDir('tolerance-');

/** A result without its wall-clock time, the one thing that differs between identical runs. */
const timeless = (r: CaseResult): unknown => ({ ...r, wallMs: 0 });

test('one pen on the ideal model is exactly the plain run', async () => {
  const wasm = await firmware();
  const c = loadScenario(PASSES, 7)[0];
  assert.deepEqual(timeless(runCaseOnPens({ ...c, tolerance: 1 }, wasm)), timeless(runCase(c, wasm)));
  const f = loadScenario(FIXTURE, 7, 5)[0];
  assert.equal(f.tolerance, 8, 'the header wins over pen qa --tolerance');
  const one = { ...f, tolerance: 1 };
  const r = runCaseOnPens(one, wasm);
  assert.deepEqual(timeless(r), timeless(runCase(one, wasm)));
  assert.equal(r.status, 'passed', 'the fixture passes on the typical pen');
});

test('the same seed and N draw the same pens and give identical results; another seed other pens', async () => {
  const wasm = await firmware();
  const board = loadBoard('ref-pen');
  assert.deepEqual(pensOf(board, 'ideal', 4, 3), pensOf(board, 'ideal', 4, 3));
  assert.notDeepEqual(pensOf(board, 'ideal', 4, 3)[1].drawn, pensOf(board, 'ideal', 4, 4)[1].drawn);
  assert.deepEqual(pensOf(board, 'ideal', 4, 3)[0].board.physics, { ...board.physics, model: 'ideal' });
  assert.deepEqual(pensOf(board, 'ideal', 4, 3)[0].drawn, {}, 'pen 0 is the typical pen');
  const c = { ...loadScenario(FIXTURE, 1)[0], tolerance: 4 };
  assert.deepEqual(timeless(runCaseOnPens(c, wasm)), timeless(runCaseOnPens(c, wasm)));
  // the simulated time is every pen's (pen qa's totals line), not the first's alone
  const each = pensOf(board, 'ideal', 4, c.seed).map((p) => runCase(c, wasm, undefined, p.board).simMs);
  assert.ok(each.every((ms) => ms > 0));
  assert.equal(runCaseOnPens(c, wasm).simMs, each[0] + each[1] + each[2] + each[3]);
});

test('a case that passes on the typical pen and fails on a drawn one fails, naming the pen and its values', async () => {
  const wasm = await firmware();
  const c: Case = loadScenario(FIXTURE, 1)[0];
  const r = runCaseOnPens(c, wasm);
  assert.equal(r.status, 'failed');
  assert.equal(r.pens, 8);
  assert.ok(r.failedPen && r.failedPen.index > 0, 'a drawn pen failed');
  const pen = pensOf(loadBoard('ref-pen'), 'ideal', 8, 1)[r.failedPen.index];
  assert.deepEqual(r.failedPen.drawn, pen.drawn);
  assert.ok(r.message!.startsWith(`${describePen(pen, 'ideal')}: `), r.message);
  assert.match(r.message!, /^pen \d+ \(carriage\/friction_N=[\d.]+, .*retract_within_ms/);
  const e = r.expects.find((x) => x.key === 'retract_within_ms')!;
  assert.equal(e.pass, false);
  assert.equal(e.spread?.worstPen, r.failedPen.index);
  assert.ok(e.spread!.min! <= 7.5 && e.spread!.max! > 7.5, `spread ${e.spread!.min}..${e.spread!.max}`);
  // a pen that failed before the expectation does not pass it
  const f = r.expects.find((x) => x.key === 'fault')!;
  assert.equal(f.pass, !f.spread?.notReached);
  // the JUnit carries the spread and stays valid
  const xml = junitXml([r], collectProvenance({ 'ref-pen': wasm }, 1));
  assert.match(
    xml,
    /<property name="spread\.fixture retract within 7\.5 ms on every pen\.line19\.retract_within_ms" value="[\d.]+ \.\. [\d.]+ over (?:\d+ of )?8 pens, fails on pen \d+"\/>/,
  );
  const p = join(dir, 'junit.xml');
  writeFileSync(p, xml);
  for (const s of ['jenkins-junit-10.xsd', 'ant-junit.xsd']) {
    const v = spawnSync('xmllint', ['--noout', '--schema', join(REPO_ROOT, 'tests', 'fixtures', 'junit', s), p], {
      encoding: 'utf8',
    });
    assert.equal(v.status, 0, `${s}: ${v.stderr}`);
  }
});

test('the header keys model and tolerance validate against the published schema and load', () => {
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'scenario.schema.json'), 'utf8'));
  const v = new Ajv({ allErrors: true, strict: false }).compile(schema);
  const doc = (h: object) => ({ name: 'x', ...h, steps: [{ run: '10ms' }] });
  assert.ok(v(doc({ model: 'physical', tolerance: 5 })), JSON.stringify(v.errors));
  assert.ok(v(doc({ model: 'ideal', tolerance: 1 })));
  assert.ok(!v(doc({ model: 'fancy' })));
  assert.ok(!v(doc({ tolerance: 0 })));
  assert.ok(!v(doc({ tolerance: 2.5 })));
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const c = loadScenario(file('ok.yaml', 'name: ok\nmodel: physical\ntolerance: 3\nsteps:\n  - run: 10ms\n'))[0];
  assert.equal(c.model, 'physical');
  assert.equal(c.tolerance, 3);
  const d = loadScenario(file('default.yaml', 'name: d\nsteps:\n  - run: 10ms\n'), 1, 4)[0];
  assert.equal(d.model, 'physical', 'the physical model by default on a board with a physics block, as pen sim');
  const i = loadScenario(file('ideal.yaml', 'name: i\nmodel: ideal\nsteps:\n  - run: 10ms\n'))[0];
  assert.equal(i.model, 'ideal');
  assert.equal(d.tolerance, 4, 'pen qa --tolerance for a file that sets none');
  assert.throws(
    () => loadScenario(file('bad.yaml', 'name: bad\nmodel: fancy\ntolerance: 0\nsteps:\n  - run: 10ms\n')),
    (e: unknown) => e instanceof ScenarioError && /bad\.yaml:2:/.test(e.message) && /bad\.yaml:3:/.test(e.message),
  );
});

test('a tolerance run every pen passes shows the pen closest to the limit, the spread over every stroke, and replays on the same pens', async () => {
  const wasm = await firmware();
  const c: Case = { ...loadScenario(PASSES, 5)[0], tolerance: 4 };
  const r = runCaseOnPens(c, wasm);
  assert.equal(r.status, 'passed');
  // each pen alone: the stroke furthest from 0.8 mm, and the range of every stroke's depth
  const each = pensOf(loadBoard('ref-pen'), 'ideal', 4, c.seed).map((p) => {
    const d = runCase(c, wasm, undefined, p.board).expects.find((x) => x.key === 'depth_mm')!;
    const [min, max] = d.figures!.span;
    assert.match(
      d.measured,
      new RegExp(`min ${min.toFixed(4)}, max ${max.toFixed(4)} mm$`),
      'the span is what it says',
    );
    return { pen: p, d, min, max, off: Math.max(Math.abs(min - 0.8), Math.abs(max - 0.8)) };
  });
  const closest = each.reduce((a, b) => (b.off > a.off ? b : a));
  const e = r.expects.find((x) => x.key === 'depth_mm')!;
  assert.equal(e.measured, `${closest.d.measured} on ${describePen(closest.pen, 'ideal')}, the closest to the limit`);
  assert.equal(e.spread!.min, Math.min(...each.map((x) => x.min)));
  assert.equal(e.spread!.max, Math.max(...each.map((x) => x.max)));
  // a text expectation has no range to show
  const xml = junitXml([r], collectProvenance({ 'ref-pen': wasm }, 5));
  assert.match(xml, /<property name="spread\.fixture depth as set\.line12\.state" value="over 4 pens"\/>/);
  assert.equal(
    replayCommand(r.file, r.name, r.seed, r.pens),
    `npx pen qa ${r.file} --grep 'fixture depth as set' --seed 5 --tolerance 4`,
  );
});
