// Fault campaigns (`pen campaign`, tools/campaign/): the scenario keys they need (a stroke's phase,
// glitches), the default definition's size and families, that a case replays from its id bit for bit,
// that a case the pen cannot survive by design (no return spring, the driver shorted at the bottom)
// is reported with the needles out, and the command's reports and exit codes on a fixed sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../../boards/paths.js';
import { loadBoard, Board } from '../../boards/board.js';
import { INJECTABLE } from '../../host-sim/faults.js';
import { loadScenario, ScenarioError } from '../../tools/qa/scenario.js';
import { runCase } from '../../tools/qa/run-case.js';
import { DEFAULT_DEFINITION, cornersDefinition, draw, expand } from '../../tools/campaign/definition.js';
import { parseCaseId, makeCase, toQaCase, scenarioYaml } from '../../tools/campaign/spec.js';
import { runCampaignCase, Outcome } from '../../tools/campaign/run.js';
import { failureClass, kindOf, summarize } from '../../tools/campaign/summary.js';
import { firmware } from './helpers.js';
import { camelCaseKeys } from '../../tools/lib/json-keys.js';
import { tempDir } from './tmp-dir.js';

const pen = (...args: string[]) =>
  spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), ...args], { encoding: 'utf8', cwd: REPO_ROOT });

function scenarioFile(text: string): string {
  const dir = tempDir('campaign-');
  const f = join(dir, 'x.yaml');
  writeFileSync(f, text);
  return f;
}

const header = 'name: x\nzone: acne_scars\nmode: professional\nsteps:\n  - set: {depth_mm: 1.5, freq_hz: 80}\n';

test('inject at a phase and glitches: bad values are errors at their line, saying what is valid', () => {
  const bad: [string, RegExp][] = [
    ['  - inject: {fault: stall, at: {phase: 1.5}}\n', /:7: .*1\.5 is not a phase: give 0 <= phase < 1, or top/],
    ['  - inject: {fault: stall, at: {phase: middle}}\n', /:7: .*"middle" is not a phase/],
    ['  - inject: {fault: stall, at: {when: 0.5}}\n', /:7: .*(missing "phase"|unknown key "when")/],
    ['  - inject: {fault: endstop_stuck, for: 0ms}\n', /:7: steps\.2\.inject\.for "0ms" is not a glitch length/],
    ['  - inject: {fault: endstop_stuck, for: soon}\n', /:7: steps\.2\.inject\.for "soon" is not a glitch length/],
    ['  - clear: power_off\n', /:7: .*power_cut/],
  ];
  for (const [step, re] of bad) {
    const f = scenarioFile(`${header}  - press: start\n${step}`);
    assert.throws(
      () => loadScenario(f),
      (e: unknown) => e instanceof ScenarioError && re.test(e.message),
      step,
    );
  }
  const ok = loadScenario(
    scenarioFile(
      `${header}  - press: start\n  - inject: {fault: endstop_stuck, at: {phase: bottom}, for: 0.2ms}\n  - inject: power_cut\n  - clear: power_cut\n`,
    ),
  );
  assert.equal(ok[0].steps.length, 5);
});

test('a fault at a named phase lands there: at the top the tips are behind the guard, at the bottom at the depth', async () => {
  const wasm = await firmware();
  const tipAt = (phase: string): number => {
    const c = loadScenario(
      scenarioFile(`${header}  - press: start\n  - run: 150ms\n  - inject: {fault: stall, at: {phase: ${phase}}}\n`),
    )[0];
    let tip = NaN;
    const r = runCase(c, wasm, undefined, undefined, { onInject: (_f, sim) => (tip = sim.observation.tipUm / 1000) });
    assert.equal(r.status, 'passed', r.message);
    return tip;
  };
  assert.ok(tipAt('top') < 0, 'top');
  assert.ok(Math.abs(tipAt('bottom') - 1.5) < 0.05, `bottom ${tipAt('bottom')}`);
  const desc = tipAt('descending');
  assert.ok(desc > 0 && desc < 1.5, `descending ${desc}`);
});

test('a glitch holds for its length and goes away: the endstop reads free again after 0.2 ms', async () => {
  const wasm = await firmware();
  const c = loadScenario(
    scenarioFile(
      `${header}  - press: start\n  - run: 150ms\n  - inject: {fault: endstop_stuck, at: {phase: 0.3}, for: 0.2ms}\n`,
    ),
  )[0];
  let t0 = 0;
  const r = runCase(c, wasm, undefined, undefined, {
    onInject: (_f, sim) => (t0 = sim.nowMs),
    onEnd: (sim) => {
      assert.ok(Math.abs(sim.nowMs - t0 - 0.2) < 0.001, `${sim.nowMs - t0} ms`);
      assert.equal(sim.endstopActive(), false);
    },
  });
  assert.equal(r.status, 'passed', r.message);
  assert.match(r.steps.at(-1)!.detail!, /for 0\.2 ms/);
});

test('the default campaign: at least 10,000 cases of every family the hazard claim needs, the same for a seed', () => {
  const sweep = { board: 'ref-pen', model: 'ideal' as const, seed: 1, powerCut: false };
  const cases = expand(DEFAULT_DEFINITION, sweep);
  assert.ok(cases.length >= 10_000, `${cases.length} cases`);
  assert.equal(new Set(cases.map((c) => c.id)).size, cases.length, 'ids are unique');
  const singles = cases.filter((c) => kindOf(c) === 'single' && c.tissue === 'normal');
  for (const f of INJECTABLE) {
    const mine = singles.filter((c) => c.events[0].fault === f);
    assert.equal(new Set(mine.map((c) => c.events[0].phase)).size, 16, f);
    assert.deepEqual(
      [...new Set(mine.map((c) => c.depthMm))],
      [0.25, 0.5, 1, 1.5, 2, 2.5, 3],
      `${f}: up to the board's deepest setting`,
    );
    assert.equal(new Set(mine.map((c) => c.freqHz)).size, 3, f);
  }
  const pairs = new Set(cases.filter((c) => kindOf(c) === 'pair').map((c) => c.events.map((e) => e.fault).join('+')));
  assert.equal(pairs.size, INJECTABLE.length * (INJECTABLE.length - 1), 'every ordered pair');
  const delays = new Set(cases.filter((c) => kindOf(c) === 'pair').map((c) => c.events[1].delayMs));
  assert.deepEqual(
    [...delays].sort((a, b) => a! - b!),
    [0, 2, 6],
  );
  const glitches = cases.filter((c) => kindOf(c) === 'glitch');
  for (const f of ['endstop_stuck', 'endstop_dead', 'driver_short', 'overtemp']) {
    const lengths = glitches.filter((c) => c.events[0].fault === f).map((c) => c.events[0].forMs!);
    assert.equal(Math.min(...lengths), 0.1, f);
    assert.equal(Math.max(...lengths), 5, f);
  }
  assert.ok(singles.some((c) => c.events[0].fault === 'hang'));
  assert.deepEqual(expand(DEFAULT_DEFINITION, sweep), cases, 'deterministic');
  assert.notDeepEqual(
    expand(DEFAULT_DEFINITION, { ...sweep, seed: 2 }).map((c) => c.seed),
    cases.map((c) => c.seed),
  );
  for (const c of cases.slice(0, 50).concat(glitches.slice(0, 5)))
    assert.deepEqual(parseCaseId(c.id), c, 'an id names its case');
});

test("the corners: every fault at 50 phases at the board's shallowest and deepest settings, slowest and fastest rates; an obstacle then every other fault", () => {
  const board = loadBoard('ref-pen');
  const sweep = { board: 'ref-pen', model: 'physical' as const, pen: 'worst' as const, seed: 1, powerCut: true };
  const cases = expand(cornersDefinition(board), sweep, board);
  assert.equal(new Set(cases.map((c) => c.id)).size, cases.length, 'ids are unique');
  const singles = cases.filter((c) => kindOf(c) === 'single');
  for (const f of INJECTABLE) {
    const mine = singles.filter((c) => c.events[0].fault === f);
    assert.equal(new Set(mine.map((c) => c.events[0].phase)).size, 50, f);
    assert.deepEqual([...new Set(mine.map((c) => c.depthMm))], [0.2, 0.3, 1, 2, 3], f);
    assert.deepEqual([...new Set(mine.map((c) => c.freqHz))], [25, 150], `${f}: the board's rate range, both ends`);
  }
  // the late kind that the default grid's 16 phases and 40-120 Hz do not reach (docs/hazards.md)
  assert.ok(cases.some((c) => c.id.endsWith('/d0.2/f25/' + `s${c.seed}` + '/stall@0.66')));
  const pairs = cases.filter((c) => kindOf(c) === 'pair');
  assert.deepEqual([...new Set(pairs.map((c) => c.events[0].fault))], ['stall'], 'an obstacle first');
  assert.equal(new Set(pairs.map((c) => c.events[1].fault)).size, INJECTABLE.length - 1, 'then every other fault');
  assert.ok(cases.some((c) => kindOf(c) === 'glitch') && cases.some((c) => kindOf(c) === 'power_cut'));
  // a cartridge's needles bound the depths, as in the default definition
  const nano = expand(cornersDefinition(board), { ...sweep, cartridge: 'nano' }, board);
  assert.deepEqual([...new Set(nano.map((c) => c.depthMm))].sort(), [0.2, 0.3]);
  assert.deepEqual(expand(cornersDefinition(board), sweep, board), cases, 'deterministic');
  const r = pen('campaign', '--corners', '--random', '5');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /give it or --corners, not both/);
});

test("cases drawn off the grid: the same for a seed, within the board's ranges, between the grid's points, each replaying from its id", () => {
  const board = loadBoard('ref-pen');
  const sweep = { board: 'ref-pen', model: 'physical' as const, pen: 'worst' as const, seed: 3, powerCut: true };
  const cases = draw(DEFAULT_DEFINITION, sweep, board, 2000);
  assert.equal(cases.length, 2000);
  assert.deepEqual(draw(DEFAULT_DEFINITION, sweep, board, 2000), cases, 'deterministic');
  assert.notDeepEqual(draw(DEFAULT_DEFINITION, { ...sweep, seed: 4 }, board, 2000), cases);
  for (const c of cases) {
    assert.deepEqual(parseCaseId(c.id), c, `${c.id}: an id names its case exactly`);
    assert.ok(c.depthMm >= 0.2 && c.depthMm <= 3.0 && Math.round(c.depthMm * 20) === c.depthMm * 20, c.id);
    assert.ok(Number.isInteger(c.freqHz) && c.freqHz >= 25 && c.freqHz <= 150, c.id);
    const [a, b] = c.events;
    assert.ok(a.phase! >= 0 && a.phase! < 1, c.id);
    if (b) assert.ok(b.delayMs! >= 0 && b.delayMs! <= 6 && b.fault !== a.fault, c.id);
    if (a.forMs !== undefined && a.fault !== 'power_cut') assert.ok(a.forMs >= 0.1 && a.forMs <= 5, c.id);
  }
  const kinds = new Map<string, number>();
  for (const c of cases) kinds.set(kindOf(c), (kinds.get(kindOf(c)) ?? 0) + 1);
  for (const k of ['single', 'pair', 'glitch', 'power_cut'])
    assert.ok((kinds.get(k) ?? 0) > 50, `${k}: ${kinds.get(k)}`);
  // most phases, delays and depths lie off the grid's points
  const gridPhase = (p: number): boolean => Number.isInteger(p * 16);
  assert.ok(cases.filter((c) => !gridPhase(c.events[0].phase!)).length > 1900);
  assert.ok(cases.some((c) => c.depthMm === 3.0) && cases.some((c) => c.depthMm === 0.2));
  assert.ok(new Set(cases.map((c) => c.depthMm)).size === 57, 'every depth step from 0.2 to 3.0 mm');
});

test('a case replays from its id bit for bit, in this process and with pen campaign --replay', async () => {
  const wasm = await firmware();
  const id = 'ref-pen/ideal/p0/normal/d1.5/f80/s7/stall@0.25+2ms:endstop_stuck';
  const a = runCampaignCase(parseCaseId(id), wasm);
  const b = runCampaignCase(parseCaseId(id), wasm);
  const { wallMs: _a, ...fa } = a;
  const { wallMs: _b, ...fb } = b;
  assert.deepEqual(fa, fb);
  const r = pen('campaign', '--replay', id);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  assert.equal(r.status, failureClass(a, 20) ? 1 : 0);
  assert.match(r.stdout, new RegExp(`needle path digest ${a.traceDigest}`));
  assert.ok(r.stdout.includes(a.log), r.stdout);
});

test('a case the pen cannot survive by design is reported with the needles out: no return spring, driver shorted at the bottom', async () => {
  const wasm = await firmware();
  const springless: Board = structuredClone(loadBoard('ref-pen'));
  springless.carriage.return_spring_preload_N = 0;
  springless.carriage.return_spring_rate_N_per_mm = 0;
  const c = parseCaseId('ref-pen/ideal/p0/normal/d1.5/f80/s1/driver_short@0.5');
  const o = runCampaignCase(c, wasm, { board: springless });
  assert.equal(o.retracted, false);
  assert.ok(o.tipMm > 1.3, `tips at ${o.tipMm} mm`);
  assert.equal(o.fromOnsetMs, undefined);
  assert.match(failureClass(o, 20)!, /needles left out/);
  assert.match(o.log, /^LOG \d+ /);
  const s = summarize([c], [o], 20);
  assert.equal(s.leftOut, 1);
  assert.equal(s.worst[0].id, c.id);
  // the same fault on the real pen: the spring takes the needles back
  const real = runCampaignCase(c, wasm);
  assert.equal(real.retracted, true);
  assert.ok(real.fromOnsetMs! > 0 && real.fromDetectionMs! <= real.fromOnsetMs!);
});

test("a stuck endstop then a stall (the class the hazard table missed): the verdict is the pen's own end state", async () => {
  const wasm = await firmware();
  const c = parseCaseId('ref-pen/ideal/p0/normal/d2.5/f80/s1/endstop_stuck@0.25+2ms:stall');
  let needle = '';
  let tip = NaN;
  const r = runCase(toQaCase(c), wasm, undefined, undefined, {
    onEnd: (sim) => {
      needle = sim.observation.needle;
      tip = sim.observation.tipUm / 1000;
    },
  });
  const o = runCampaignCase(c, wasm);
  assert.equal(o.tipMm, Number(tip.toFixed(3)));
  if (needle !== 'retracted') assert.equal(o.retracted, false);
  assert.equal(r.status === 'passed', needle === 'retracted');
  // the scenario written out for pen qa runs the same steps and fails exactly when the needles are out
  const f = scenarioFile(scenarioYaml(c));
  const q = pen('qa', f);
  assert.equal(q.status, o.retracted ? 0 : 1, q.stdout + q.stderr);
});

test('pen campaign on a fixed sample: JUnit like pen qa, HTML heat map, exit 1 when a case failed; usage errors exit 2', () => {
  const dir = tempDir('campaign-');
  const r = pen(
    'campaign',
    // the typical pen on the ideal model: cases that run (the worst pen of today's ranges cannot stroke)
    '--pen',
    'typical',
    '--model',
    'ideal',
    '--sample',
    '16',
    '--seed',
    '3',
    '--junit',
    join(dir, 'j.xml'),
    '--html',
    join(dir, 'r.html'),
    '--json',
    join(dir, 'c.json'),
  );
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const text = readFileSync(join(dir, 'c.json'), 'utf8');
  // snake_case keys, as every --json of the tools (pen sim, envelope, conform)
  const keys = [...text.matchAll(/"([^"]+)":/g)].map((m) => m[1]);
  assert.ok(keys.includes('from_onset_ms') || keys.includes('trace_digest'), 'the outcomes are there');
  assert.deepEqual(
    keys.filter((k) => /[A-Z]/.test(k)),
    [],
    'no camelCase key',
  );
  const data = camelCaseKeys(JSON.parse(text)) as { outcomes: Outcome[] };
  assert.equal(data.outcomes.length, 16);
  const failed = data.outcomes.filter((o) => failureClass(o, 20)).length;
  assert.equal(r.status, failed ? 1 : 0);
  assert.match(r.stdout, /^16 cases: /m);
  const xml = readFileSync(join(dir, 'j.xml'), 'utf8');
  assert.equal((xml.match(/<testcase /g) ?? []).length, 16);
  assert.equal((xml.match(/<failure /g) ?? []).length, failed);
  if (!spawnSync('xmllint', ['--version']).error) {
    const v = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'dist', 'tests', 'sim', 'validate-junit.js'), join(dir, 'j.xml')],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(v.status, 0, v.stdout + v.stderr);
  }
  // the report reads back into the hazards table (--from), the same table as from the run itself
  const doc = join(dir, 'hazards.md');
  const t = pen('campaign', '--hazards-table', doc, '--from', join(dir, 'c.json'));
  assert.equal(t.status, 0, t.stderr);
  const table = readFileSync(doc, 'utf8');
  assert.match(table, /16 cases, limit 20 ms/);
  assert.doesNotMatch(table, /NaN|undefined/);
  const html = readFileSync(join(dir, 'r.html'), 'utf8');
  assert.match(html, /Retract time from onset over phase and depth/);
  assert.match(html, /class="map"/);
  for (const args of [
    ['--model', 'wobbly'],
    ['--replay', 'not-a-case'],
    ['--tolerance', '0'],
    ['--kind', 'triple'],
  ]) {
    const u = pen('campaign', ...args);
    assert.equal(u.status, 2, `${args.join(' ')}: ${u.stderr}`);
  }
  // a case id of a drawn pen is its own case: makeCase keeps the pen in the id
  assert.match(makeCase({ ...parseCaseId('ref-pen/ideal/p0/normal/d1/f80/s1/hang@0'), pen: 3 }).id, /\/p3\//);
});

test('a power cut at the bottom of a stroke: the spring takes the needles back, the pen comes back off', async () => {
  const wasm = await firmware();
  const c = parseCaseId('ref-pen/ideal/p0/normal/d2/f80/s1/power_cut@0.5~50ms');
  assert.equal(kindOf(c), 'power_cut');
  assert.match(scenarioYaml(c), /inject: \{fault: power_cut, at: \{phase: 0\.5\}, for: 50ms\}/);
  const o = runCampaignCase(c, wasm);
  assert.ok(o.maxTipMm > 1.9, `deepest ${o.maxTipMm} mm`);
  assert.equal(o.retracted, true);
  assert.equal(o.detected, undefined);
  assert.equal(o.state, 'off');
  assert.equal(failureClass(o, 1000), undefined);
});

test('stroking on is right only for glitches and faults the pen cannot see while stroking', () => {
  const base = {
    id: 'x',
    retracted: false,
    tipMm: 1,
    maxTipMm: 1,
    state: 'running',
    fault: 'none',
    log: '',
    traceDigest: '',
    wallMs: 0,
    simMs: 0,
    allowanceMs: 0,
  };
  assert.equal(failureClass({ ...base, mayStrokeOn: true }, 20), undefined);
  assert.match(failureClass({ ...base, mayStrokeOn: false }, 20)!, /never detected/);
  assert.match(failureClass({ ...base, mayStrokeOn: true, state: 'fault', detected: 'stall' }, 20)!, /left out/);
  const late = { ...base, retracted: true, fromOnsetMs: 30, mayStrokeOn: false, state: 'fault' };
  assert.match(failureClass(late, 20)!, /later than 20 ms/);
  // noticed late by design (a stuck button): the deadline counts from the detection
  const slow = { ...late, allowanceMs: 5000, fromOnsetMs: 5030, detectionMs: 5019, fromDetectionMs: 11 };
  assert.equal(failureClass(slow, 20), undefined);
  assert.match(failureClass({ ...slow, fromDetectionMs: 25 }, 20)!, /after detection/);
  assert.match(failureClass({ ...slow, detectionMs: 6000 }, 20)!, /detected later than the 5000 ms/);
});

test('a drawn pen replays from its id: the id names the pen, and the same pen runs again', async () => {
  const wasm = await firmware();
  const c = parseCaseId('ref-pen/ideal/p2/normal/d1.5/f80/s4/stall@0.25');
  const a = runCampaignCase(c, wasm);
  const r = pen('campaign', '--replay', c.id);
  assert.match(r.stdout, new RegExp(`needle path digest ${a.traceDigest}`));
  const typical = runCampaignCase(parseCaseId(c.id.replace('/p2/', '/p0/')), wasm);
  assert.notEqual(typical.traceDigest, a.traceDigest, 'pen 2 is another pen than the typical one');
});

test('a stall at a bottom and a stuck depth button, either order (late by 55-108 ms while the stuck button took a step): the depth stays, the obstacle within its tolerance', async () => {
  for (const id of [
    'ref-pen/physical/pworst/normal/d0.2/f48/s644053/button_stuck@0.4794+0.1ms:stall',
    'ref-pen/physical/pworst/normal/d2.3/f127/s112431/stall@0.532+5.5ms:button_stuck',
  ]) {
    const o = runCampaignCase(parseCaseId(id), await firmware());
    assert.equal(failureClass(o, 20), undefined, `${id}: ${failureClass(o, 20)}, ${o.fromOnsetMs} ms`);
    assert.equal(o.detected, 'stuck_button', id);
    assert.equal(o.fault, 'stuck_button', id);
  }
});

test('an obstacle met on the second stroke after a change of the depth trim: found at that bottom, within the retract time', async () => {
  // the worst pen near 3.0 mm: with the second bottom after a trim left alone (not held to the first),
  // the first obstacle was seen 47 ms after it held the needles and the second only by StallGuard, its
  // retract then left to the spring: 55.3 and 20.7 ms from the onset (`pen campaign --random 10000
  // --seed 501`); held to the first, each is found at that bottom and retracted by 15.3 ms
  for (const id of [
    'ref-pen/physical/pworst/normal/d3/f107/s436328/stall@0.461',
    'ref-pen/physical/pworst/normal/d2.9/f55/s538598/stall@0.4442+1.3ms:endstop_dead',
  ]) {
    const o = runCampaignCase(parseCaseId(id), await firmware());
    assert.equal(failureClass(o, 20), undefined, `${id}: ${failureClass(o, 20)}, ${o.fromOnsetMs} ms`);
    assert.equal(o.detected, 'encoder_slip', id);
    assert.ok(o.detectionMs! < 10, `${id}: found ${o.detectionMs} ms after the onset`);
  }
});

test('pen campaign --cartridge: its cases name the cartridge in their ids, stay within its needles, and run with it', async () => {
  const id = 'ref-pen/physical/pworst/normal/c36/d1.8/f30/s7/stall@0.5';
  const c = parseCaseId(id);
  assert.equal(c.cartridge, '36');
  assert.equal(c.id, id, 'the id round-trips');
  const plain = parseCaseId('ref-pen/physical/pworst/normal/d1.8/f30/s7/stall@0.5');
  assert.equal(plain.cartridge, undefined, "no cartridge segment: the board's own, as ids always were");
  assert.equal(toQaCase(c).cartridge, '36');
  assert.equal(loadScenario(scenarioFile(scenarioYaml(c)))[0].cartridge, '36', 'the scenario file fits it too');
  // the same case with 36 needles and with the board's 16 runs another needle path
  const wasm = await firmware();
  assert.notEqual(runCampaignCase(c, wasm).traceDigest, runCampaignCase(plain, wasm).traceDigest);

  const board = loadBoard('ref-pen');
  const sw = { board: 'ref-pen', model: 'physical' as const, pen: 'worst' as const, seed: 3, powerCut: false };
  const drawn = draw(DEFAULT_DEFINITION, { ...sw, cartridge: '36' }, board, 400);
  assert.ok(drawn.every((d) => d.cartridge === '36' && d.id.includes('/c36/d')));
  assert.ok(
    drawn.every((d) => d.depthMm <= 2.0),
    'the 36-needle cartridge is 2.0 mm long',
  );
  assert.ok(Math.max(...drawn.map((d) => d.depthMm)) > 1.9, 'and its depths reach that');
  const grid = expand(DEFAULT_DEFINITION, { ...sw, cartridge: '36' }, board);
  const all = expand(DEFAULT_DEFINITION, sw, board);
  assert.ok(grid.length > 0 && grid.length < all.length && grid.every((g) => g.depthMm <= 2.0));
  assert.ok(
    all.every((a) => a.cartridge === undefined && !/\/c[^/]*\/d[\d.]+\//.test(a.id)),
    "the board's own: no cartridge segment",
  );

  const r = pen('campaign', '--cartridge', '99', '--random', '3');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown cartridge "99" for board ref-pen: valid types are 12, 16, 24, 36, nano/);
});
