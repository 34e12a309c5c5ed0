// Scenario files: a bad file fails before anything runs, naming the file, the line and what is valid;
// a wrong expectation fails the run with expected and measured values; the same seed, the same results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadScenario, ScenarioError } from '../../tools/qa/scenario.js';
import { runCases } from '../../tools/qa/runner.js';
import { REPO_ROOT } from '../../boards/paths.js';
import { firmware } from './helpers.js';
import { tempDir } from './tmp-dir.js';

const dir = tempDir('scenario-');
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const GOOD = `name: ok
zone: cheeks
steps:
  - set: {depth_mm: 1.0, freq_hz: 40}
  - press: start
  - run: 300ms
  - expect: {missed_steps: 0}
`;

test('a good file loads into one case with line numbers', () => {
  const [c] = loadScenario(file('good.yaml', GOOD));
  assert.equal(c.name, 'ok');
  assert.deepEqual(
    c.steps.map((s) => s.line),
    [4, 5, 6, 7],
  );
});

test('bad files fail with file, line and what would be valid', () => {
  const cases: [string, RegExp][] = [
    [
      GOOD.replace('press: start', 'push: start'),
      /bad\.yaml:5: unknown step "push": valid steps are set, press, hold, run, wait, inject, clear, load, send, expect, authenticate, cartridge/,
    ],
    [
      GOOD.replace('press: start', 'press: boost'),
      /bad\.yaml:5: steps\.1\.press: "boost" is not valid: use one of power, start, depth_up, depth_down, speed_up, speed_down/,
    ],
    [
      GOOD.replace('run: 300ms', 'run: 3 minutes'),
      /bad\.yaml:6: steps\.2\.run "3 minutes" is not a duration: write 250ms, 2s or 1\.5s/,
    ],
    [GOOD.replace('freq_hz: 40', 'freq_hz: fast'), /bad\.yaml:4: steps\.0\.set\.freq_hz: must be integer, got "fast"/],
    [
      GOOD.replace('missed_steps: 0', 'missed: 0'),
      /bad\.yaml:7: unknown key "missed" in steps\.3\.expect: valid keys are depth_mm, freq_hz/,
    ],
    [`board: nope\n${GOOD}`, /bad\.yaml:1: unknown board "nope": boards are .*ref-pen/],
    [
      `cartridge: "99"\n${GOOD}`,
      /bad\.yaml:1: unknown cartridge "99" for board ref-pen: valid types are 12, 16, 24, 36, nano/,
    ],
    [
      `matrix: {depth_mm: [1, 2]}\n${GOOD}`,
      /bad\.yaml:1: matrix key "depth_mm" is never used in the steps: write \$\{depth_mm\} where its value goes/,
    ],
    [GOOD.replace('depth_mm: 1.0', 'depth_mm: "${d}"'), /bad\.yaml:4: \$\{d\} has no value: the file has no matrix/],
    [GOOD.replace('name: ok\n', ''), /bad\.yaml:1: the file: missing "name"/],
    [
      GOOD.replace('  - press: start', '  - press: start\n    run: 1s'),
      /bad\.yaml:5: steps\.1: one step per list item \(found press and run\)/,
    ],
    ['name: x\nsteps: [\n', /bad\.yaml:\d+: not valid YAML/],
    [
      'name: ok\nsteps:\n  - wait: {state: asleep}\n',
      /bad\.yaml:3: steps\.0\.wait\.state: "asleep" is not valid: use one of off, homing, ready, running, paused, fault/,
    ],
    ['name: ok\nsteps:\n  - inject: meteor\n', /bad\.yaml:3: steps\.0\.inject: "meteor" is not valid/],
  ];
  for (const [text, msg] of cases) {
    assert.throws(
      () => loadScenario(file('bad.yaml', text)),
      (e: Error) => e instanceof ScenarioError && msg.test(e.message),
      `${msg}`,
    );
  }
});

test('a matrix gives one case per combination, named after its values', () => {
  const cs = loadScenario(
    file(
      'm.yaml',
      `name: grid\nmatrix: {depth_mm: [0.5, 1.0], freq_hz: [30, 40, 50]}\nsteps:\n  - set: {depth_mm: "\${depth_mm}", freq_hz: "\${freq_hz}"}\n  - run: 10ms\n`,
    ),
  );
  assert.equal(cs.length, 6);
  assert.equal(cs[1].name, 'grid [depth_mm=0.5, freq_hz=40]');
  assert.deepEqual(cs[5].steps[0].set, { depth_mm: 1.0, freq_hz: 50 });
});

test('pen qa: a wrong expectation exits non-zero, with expected and measured in the output and the JUnit file', () => {
  const bad = file(
    'wrong.yaml',
    GOOD.replace('expect: {missed_steps: 0}', 'expect: {depth_mm: {value: 1.2, tol: 0.02}}'),
  );
  const junit = join(dir, 'junit.xml');
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), 'qa', bad, '--junit', junit], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 1);
  assert.match(
    r.stdout,
    /wrong\.yaml:7: expected depth_mm 1\.2 \+\/- 0\.02 mm, measured mean 0\.99\d+, min 0\.99\d+, max 0\.99\d+ mm/,
  );
  assert.match(r.stdout, /^0 passed, 1 failed$/m);
  const xml = readFileSync(junit, 'utf8');
  assert.match(xml, /<testcase [^>]*name="ok"/);
  assert.match(xml, /<failure message="[^"]*expected depth_mm 1\.2 \+\/- 0\.02 mm, measured mean 0\.99/);
});

test('pen qa refuses a broken file before running anything', () => {
  const r = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'bin', 'pen.js'),
      'qa',
      file('good2.yaml', GOOD),
      file('broken.yaml', GOOD.replace('run: 300ms', 'run: soon')),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 2);
  assert.match(r.stderr, /broken\.yaml:6: steps\.2\.run "soon" is not a duration/);
  assert.doesNotMatch(r.stdout, /passed/);
});

test('the same seed gives the same results, in parallel or not', async () => {
  const cases = loadScenario(
    file(
      'd.yaml',
      `name: det\nzone: scalp\nmode: professional\nmatrix: {depth_mm: [0.5, 1.5, 2.5]}\nsteps:\n  - set: {depth_mm: "\${depth_mm}", freq_hz: 30}\n  - press: start\n  - run: 300ms\n  - expect: {missed_steps: 0, depth_mm: {value: "\${depth_mm}", tol: 0.02}}\n`,
    ),
    3,
  );
  const wasm = { 'ref-pen': await firmware() };
  const strip = (rs: Awaited<ReturnType<typeof runCases>>) => JSON.stringify(rs.map(({ wallMs: _w, ...r }) => r));
  const a = strip(await runCases(cases, { wasm, jobs: 2 }));
  const b = strip(await runCases(cases, { wasm, jobs: 1 }));
  assert.equal(a, b);
  assert.ok(a.includes('"status":"passed"'));
});

test('a pen that stopped on a fault where it should run is said with the fault by name', async () => {
  const cases = loadScenario(
    file(
      'stopped.yaml',
      `name: stopped\nzone: scalp\nmode: professional\nsteps:\n  - set: {depth_mm: 2.5, freq_hz: 38}\n  - press: start\n  - run: 200ms\n  - inject: {fault: battery_sag, at_tip_mm: 1.0}\n  - run: 50ms\n  - expect: {state: running}\n`,
    ),
  );
  const [r] = await runCases(cases, { wasm: { 'ref-pen': await firmware() }, jobs: 1 });
  assert.equal(r.status, 'failed');
  const e = r.expects.find((x) => x.key === 'state')!;
  assert.deepEqual([e.expected, e.measured, e.pass], ['running', 'fault (battery_low)', false]);
});

/** The message loadScenario throws for a file of `text`, or "loaded". */
function refusal(name: string, text: string): string {
  const p = file(name, text);
  try {
    loadScenario(p);
    return 'loaded';
  } catch (e) {
    assert.ok(e instanceof ScenarioError, String(e));
    return e.message;
  }
}

test('a hold is bounded like run and wait: above 0 and up to 1 hour, refused at its line with its path', () => {
  const one = (ms: string): string => refusal('hold.yaml', `name: h\nsteps:\n  - hold: {button: start, ms: ${ms}}\n`);
  const f = relative(process.cwd(), join(dir, 'hold.yaml'));
  const why = 'is not a hold time: give a number of milliseconds (above 0, up to 1 hour)';
  assert.equal(one('1e12'), `${f}:3: steps.0.hold.ms 1000000000000 ${why}`);
  assert.equal(one('3600001'), `${f}:3: steps.0.hold.ms 3600001 ${why}`);
  assert.equal(one('0'), `${f}:3: steps.0.hold.ms 0 ${why}`);
  assert.equal(one('-800'), `${f}:3: steps.0.hold.ms -800 ${why}`);
  assert.equal(one('3600000'), 'loaded');
  assert.equal(one('0.5'), 'loaded');
  // a matrix value is checked once it is in, and the case is named
  assert.equal(
    refusal('hold-m.yaml', 'name: h\nmatrix: {t: [800, 1e12]}\nsteps:\n  - hold: {button: start, ms: "${t}"}\n'),
    `${relative(process.cwd(), join(dir, 'hold-m.yaml'))}:4: steps.0.hold.ms 1000000000000 ${why} (matrix case t=1000000000000)`,
  );
});

test('pen qa refuses a hold of 1e12 ms at once (exit 2) instead of running it', () => {
  const r = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'bin', 'pen.js'),
      'qa',
      file('huge-hold.yaml', 'name: h\nsteps:\n  - hold: {button: start, ms: 1e12}\n'),
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(r.signal, null, 'it finished');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /huge-hold\.yaml:3: steps\.0\.hold\.ms 1000000000000 is not a hold time/);
});

test('durations out of range are refused with their steps.N path and the forms allowed', () => {
  const f = relative(process.cwd(), join(dir, 'dur.yaml'));
  const one = (step: string): string => refusal('dur.yaml', `name: d\nsteps:\n  - ${step}\n`);
  const dur = 'is not a duration: write 250ms, 2s or 1.5s, or a number of milliseconds (above 0, up to 1 hour)';
  const glitch = 'is not a glitch length: write 0.2ms, 5ms or 1s, or a number of milliseconds (0.01 ms to 1 hour)';
  for (const [step, msg] of [
    ['run: 0', `steps.0.run 0 ${dur}`],
    ['run: -5', `steps.0.run -5 ${dur}`],
    ['run: 0ms', `steps.0.run "0ms" ${dur}`],
    ['run: 0.0s', `steps.0.run "0.0s" ${dur}`],
    ['run: 4000s', `steps.0.run "4000s" ${dur}`],
    ['run: 3600.5s', `steps.0.run "3600.5s" ${dur}`],
    ['run: 3600001ms', `steps.0.run "3600001ms" ${dur}`],
    ['run: 3600001', `steps.0.run 3600001 ${dur}`],
    ['run: 3 minutes', `steps.0.run "3 minutes" ${dur}`],
    ['wait: {state: ready, timeout: 0ms}', `steps.0.wait.timeout "0ms" ${dur}`],
    ['wait: {state: ready, timeout: 3601s}', `steps.0.wait.timeout "3601s" ${dur}`],
    ['wait: {state: ready, timeout: 0}', `steps.0.wait.timeout 0 ${dur}`],
    ['inject: {fault: stall, for: 0.001ms}', `steps.0.inject.for "0.001ms" ${glitch}`],
    ['inject: {fault: stall, for: 0.000009s}', `steps.0.inject.for "0.000009s" ${glitch}`],
    ['inject: {fault: stall, for: 0.005}', `steps.0.inject.for 0.005 ${glitch}`],
    ['inject: {fault: stall, for: 3601s}', `steps.0.inject.for "3601s" ${glitch}`],
  ])
    assert.equal(one(step), `${f}:3: ${msg}`, step);
  for (const step of [
    'run: 3600s',
    'run: 3600000ms',
    'run: 3600000',
    'run: 0.001ms',
    'wait: {state: ready, timeout: 3600.000s}',
    'inject: {fault: stall, for: 0.01ms}',
    'inject: {fault: stall, for: 0.00001s}',
    'inject: {fault: stall, for: 0.01}',
    'inject: {fault: stall, for: 3600s}',
  ])
    assert.equal(one(step), 'loaded', step);
});

test('a tissue force below 0 is refused saying a force in mN is allowed too', () => {
  const f = relative(process.cwd(), join(dir, 'tissue.yaml'));
  assert.equal(
    refusal('tissue.yaml', 'name: t\ntissue: -5\nsteps:\n  - run: 10ms\n'),
    `${f}:2: tissue: -5 is not valid: use one of soft, normal, tough, or a peak insertion force per needle in mN (a number, 0 or more)`,
  );
  assert.equal(
    refusal('tissue.yaml', 'name: t\ntissue: hard\nsteps:\n  - run: 10ms\n'),
    `${f}:2: tissue: "hard" is not valid: use one of soft, normal, tough, or a peak insertion force per needle in mN (a number, 0 or more)`,
  );
  assert.equal(refusal('tissue.yaml', 'name: t\ntissue: 25\nsteps:\n  - run: 10ms\n'), 'loaded');
});

test('a seed is a whole number 0..4294967295: a larger one would run as a smaller one, so it is refused', () => {
  const f = relative(process.cwd(), join(dir, 'seed.yaml'));
  const one = (seed: string): string => refusal('seed.yaml', `name: s\nseed: ${seed}\nsteps:\n  - run: 10ms\n`);
  const why = 'is not a seed: give a whole number 0..4294967295';
  assert.equal(one('4294967297'), `${f}:2: seed: 4294967297 ${why}`);
  assert.equal(one('4294967296'), `${f}:2: seed: 4294967296 ${why}`);
  assert.equal(one('-1'), `${f}:2: seed: -1 ${why}`);
  assert.equal(one('1.5'), `${f}:2: seed: 1.5 ${why}`);
  assert.equal(
    refusal('seed.yaml', 'name: s\nseed: "${s}"\nmatrix: {s: [1, 4294967297]}\nsteps:\n  - run: 10ms\n'),
    `${f}:2: seed: 4294967297 ${why} (matrix case s=4294967297)`,
  );
  const [c] = loadScenario(file('seed.yaml', 'name: s\nseed: 4294967295\nsteps:\n  - run: 10ms\n'));
  assert.equal(c.seed, 4294967295);
  // the default seed (pen qa --seed) is held to the same
  assert.throws(
    () => loadScenario(file('noseed.yaml', 'name: s\nsteps:\n  - run: 10ms\n'), 4294967297),
    (e: Error) => e instanceof ScenarioError && e.message === `default seed 4294967297 ${why}`,
  );
});

test('pen qa prints case names with their controls escaped: a name cannot drive the terminal', () => {
  const dirT = tempDir('scenario-tty-');
  writeFileSync(join(dirT, 'a.yaml'), 'name: "pass \\e[31m red \\r over"\nsteps:\n  - run: 10ms\n');
  writeFileSync(
    join(dirT, 'b.yaml'),
    'name: "fail \\e]0;title\\a \\x9b2J\\nok   forged"\nsteps:\n  - run: 10ms\n  - expect: {state: fault}\n',
  );
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), 'qa', dirT, '--jobs', '1'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 1, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, 'no raw control');
  assert.match(r.stdout, /^ok {3}pass \\x1b\[31m red \\x0d over \(\d+ ms\)$/m);
  assert.match(r.stdout, /^FAIL fail \\x1b\]0;title\\x07 \\x9b2J\\x0aok {3}forged$/m);
  assert.doesNotMatch(r.stdout, /^ok {3}forged/m, 'a line break in a name makes no line of its own');
});
