// The published scenario schema as editors and other tools see it: the shipped files pass it (checked
// by ajv and by Python's jsonschema, an independent implementation), they point editors at it, every
// step and expectation says what it does with an example, and a file's errors are each at their line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { Ajv } from 'ajv';
import { REPO_ROOT } from '../../boards/paths.js';
import {
  durationMs,
  findScenarioFiles,
  GLITCH_MIN_MS,
  loadScenario,
  ScenarioError,
  TIME_MAX_MS,
  withoutPlaceholders,
} from '../../tools/qa/scenario.js';
import { tempDir } from './tmp-dir.js';

const SCHEMA_PATH = join(REPO_ROOT, 'docs', 'scenario.schema.json');
const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'));
const shipped = findScenarioFiles([join(REPO_ROOT, 'tests', 'qa'), join(REPO_ROOT, 'tests', 'port')]);
const compile = (s: object) => new Ajv({ allErrors: true, strict: false }).compile(s);

test('every shipped scenario file, as written, passes the published schema (ajv)', () => {
  assert.ok(shipped.length >= 30, `${shipped.length} files`);
  const v = compile(schema);
  for (const f of shipped)
    assert.ok(v(parse(readFileSync(f, 'utf8'))), `${relative(REPO_ROOT, f)}: ${JSON.stringify(v.errors)}`);
});

const python = spawnSync('python3', ['-c', 'import jsonschema'], { encoding: 'utf8' });
test(
  'every shipped scenario file passes the published schema (Python jsonschema, Draft 7)',
  { skip: python.status !== 0 && 'python3-jsonschema is not installed (apt-get install python3-jsonschema)' },
  () => {
    const docs = shipped.map((f) => ({ file: relative(REPO_ROOT, f), data: parse(readFileSync(f, 'utf8')) }));
    const script = `
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
v = jsonschema.Draft7Validator(schema)
docs = json.load(open(sys.argv[2]))
bad = [f"{d['file']}: {e.message}" for d in docs for e in v.iter_errors(d['data'])]
print(json.dumps({"checked": len(docs), "errors": bad}))
`;
    const dir = tempDir('schema-');
    writeFileSync(join(dir, 'docs.json'), JSON.stringify(docs));
    const r = spawnSync('python3', ['-c', script, SCHEMA_PATH, join(dir, 'docs.json')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { checked: number; errors: string[] };
    assert.equal(out.checked, shipped.length);
    assert.deepEqual(out.errors, []);
  },
);

test('the schema takes "${key}" where a value goes; a filled-in case must have the real type', () => {
  const scenario = (step: object) => ({ name: 'x', matrix: { d: [1] }, steps: [step] });
  const published = compile(schema);
  for (const step of [
    { set: { depth_mm: '${d}', freq_hz: '${d}' } },
    { run: '${d}' },
    { press: '${d}' },
    { inject: { fault: 'stall', at_tip_mm: '${d}' } },
    { expect: { depth_mm: { value: '${d}', tol: '${d}' }, missed_steps: '${d}', state: '${d}' } },
  ]) {
    assert.ok(published(scenario(step)), `${JSON.stringify(step)}: ${JSON.stringify(published.errors)}`);
  }
  assert.ok(
    published({ name: 'x', seed: '${s}', zone: '${z}', matrix: { s: [1], z: ['scalp'] }, steps: [{ run: '1s' }] }),
    'header values too',
  );
  for (const wrong of [
    { set: { depth_mm: 'deep' } },
    { set: { depth_mm: '${Depth}' } },
    { set: { depth_mm: 'x${d}' } },
    { press: 'boost' },
  ]) {
    assert.equal(published(scenario(wrong)), false, JSON.stringify(wrong));
  }
  const strict = compile(withoutPlaceholders(schema) as object);
  assert.equal(strict(scenario({ set: { depth_mm: '${d}' } })), false, 'the filled-in schema has no placeholders');
  assert.ok(strict(scenario({ set: { depth_mm: 1.5, freq_hz: 40 } })));
});

test('every step and every expectation has a description and examples, and each example is valid', () => {
  const v = compile(schema);
  const steps = schema.properties.steps.items.properties as Record<
    string,
    { description?: string; examples?: unknown[] }
  >;
  const expects = (
    steps.expect as unknown as { properties: Record<string, { description?: string; examples?: unknown[] }> }
  ).properties;
  const check = (
    what: string,
    s: { description?: string; examples?: unknown[] },
    wrap: (ex: unknown) => object,
  ): void => {
    assert.ok(s.description && s.description.length > 10, `${what}: description`);
    assert.ok(Array.isArray(s.examples) && s.examples.length > 0, `${what}: examples`);
    for (const ex of s.examples!)
      assert.ok(
        v({ name: 'x', steps: [wrap(ex)] }),
        `${what} example ${JSON.stringify(ex)}: ${JSON.stringify(v.errors)}`,
      );
  };
  assert.ok(Object.keys(steps).length >= 12);
  for (const [k, s] of Object.entries(steps)) check(`step ${k}`, s, (ex) => ({ [k]: ex }));
  assert.ok(Object.keys(expects).length >= 16);
  for (const [k, s] of Object.entries(expects)) check(`expect ${k}`, s, (ex) => ({ expect: { [k]: ex } }));
});

test('every shipped scenario file starts with the schema line editors read, with a path that resolves', () => {
  for (const f of shipped) {
    const first = readFileSync(f, 'utf8').split('\n')[0];
    const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    assert.ok(m, `${relative(REPO_ROOT, f)}: first line is "${first}"`);
    assert.equal(resolve(dirname(f), m[1]), SCHEMA_PATH, `${relative(REPO_ROOT, f)}: ${m[1]}`);
  }
});

test('.vscode/settings.json maps tests/**/*.yaml to the schema', () => {
  const settings = JSON.parse(readFileSync(join(REPO_ROOT, '.vscode', 'settings.json'), 'utf8')) as {
    'yaml.schemas': Record<string, string[]>;
  };
  const [path, globs] = Object.entries(settings['yaml.schemas'])[0];
  assert.equal(resolve(REPO_ROOT, path), SCHEMA_PATH);
  assert.ok(globs.includes('tests/**/*.yaml'));
});

test('a file with three errors reports each at its own line', () => {
  const dir = tempDir('schema-');
  const file = join(dir, 'three.yaml');
  writeFileSync(
    file,
    [
      'name: three errors', // 1
      'matrix: {d: [1.0, 1.5]}', // 2
      'steps:', // 3
      '  - set: {depth_mm: "${d}"}', // 4
      '  - press: start', // 5
      '  - run: 3 minutes', // 6
      '  - wait: {state: ready}', // 7
      '  - expect:', // 8
      '      missed_steps: 0', // 9
      '      depth_mm: {value: "${d}", tol: 0.02}', // 10
      '      stat: running', // 11
      '  - push: start', // 12
    ].join('\n') + '\n',
  );
  let err: unknown;
  try {
    loadScenario(file);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ScenarioError, String(err));
  assert.deepEqual(
    err.problems.map((p) => p.line),
    [6, 11, 12],
  );
  const lines = err.message.split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0], /three\.yaml:6: steps\.2\.run "3 minutes" is not a duration/);
  assert.match(lines[1], /three\.yaml:11: unknown key "stat" in steps\.4\.expect: valid keys are depth_mm/);
  assert.match(lines[2], /three\.yaml:12: unknown step "push"/);
});

test('a matrix value of the wrong type is reported at the line that uses it, naming the case', () => {
  const dir = tempDir('schema-');
  const file = join(dir, 'value.yaml');
  writeFileSync(file, 'name: v\nmatrix: {d: [1.0, deep]}\nsteps:\n  - run: 10ms\n  - set: {depth_mm: "${d}"}\n');
  assert.throws(
    () => loadScenario(file),
    (e: Error) =>
      e instanceof ScenarioError &&
      /value\.yaml:5: steps\.1\.set\.depth_mm: must be number, got "deep" \(matrix case d=deep\)/.test(e.message),
  );
});

/** What the runner refuses of a time value, by its own rule: the bounds pen qa enforces. */
function runnerAccepts(kind: 'duration' | 'glitch', v: string | number): boolean {
  const ms = durationMs(v);
  return (kind === 'glitch' ? ms >= GLITCH_MIN_MS : ms > 0) && ms <= TIME_MAX_MS;
}

const TIME_STEP = {
  duration: (v: unknown) => ({ run: v }),
  timeout: (v: unknown) => ({ wait: { state: 'ready', timeout: v } }),
  glitch: (v: unknown) => ({ inject: { fault: 'stall', for: v } }),
};

/** Duration texts around every bound: whole and decimal, leading zeros, both units, a space before the unit. */
function timeTexts(): string[] {
  const whole = ['0', '00', '1', '9', '10', '999', '1000', '2999', '3000', '3599', '3600', '3601', '4000', '9999'];
  const wholeMs = ['999999', '1000000', '2999999', '3599999', '3600000', '3600001', '4000000', '10000000'];
  const frac = ['', '.0', '.000', '.5', '.999', '.001', '.01', '.009', '.0001', '.00001', '.000009', '.00002'];
  const out: string[] = [];
  for (const w of [...whole, ...wholeMs, '0003600', '0003601', '0000000001'])
    for (const f of frac) for (const u of ['ms', 's']) out.push(`${w}${f}${u}`);
  out.push('1 ms', '3600 s', '3601 s', '0 ms', '0.01 ms', '.5s', '1e3ms', '-1ms', '3 minutes', '1.s', '1h');
  return out;
}

test('the schema refuses the time values the runner refuses (the reviewed ones, and a hold)', () => {
  const v = compile(schema);
  const strict = compile(withoutPlaceholders(schema) as object);
  const steps = [
    { run: '0ms' },
    { run: 0 },
    { run: '4000s' },
    { run: '3600.5s' },
    { run: 3600001 },
    { wait: { state: 'ready', timeout: '0ms' } },
    { wait: { state: 'ready', timeout: '3601s' } },
    { inject: { fault: 'stall', for: '0.001ms' } },
    { inject: { fault: 'stall', for: 0.001 } },
    { hold: { button: 'start', ms: 1e12 } },
    { hold: { button: 'start', ms: 3600001 } },
  ];
  for (const s of steps) {
    assert.equal(v({ name: 'x', steps: [s] }), false, `published: ${JSON.stringify(s)}`);
    assert.equal(strict({ name: 'x', steps: [s] }), false, `filled in: ${JSON.stringify(s)}`);
  }
  assert.ok(v({ name: 'x', steps: [{ hold: { button: 'start', ms: 3600000 } }] }));
});

test('durations and glitch lengths: what the schema calls valid the runner runs, and the other way round', () => {
  const v = compile(schema);
  const dir = tempDir('schema-');
  const values: (string | number)[] = [...timeTexts(), 0, -1, 0.001, 0.009, 0.01, 0.5, 1, 3600000, 3600000.5, 1e12];
  let checked = 0;
  for (const [what, step] of Object.entries(TIME_STEP)) {
    const kind = what === 'glitch' ? 'glitch' : 'duration';
    for (const t of values) {
      const data = { name: 'x', steps: [step(t)] };
      const valid = v(data);
      assert.equal(valid, runnerAccepts(kind, t), `${what} ${JSON.stringify(t)}: the schema says ${valid}`);
      // the runner itself, on a file: it loads exactly what the schema takes
      const file = join(dir, 'time.yaml');
      writeFileSync(file, JSON.stringify(data));
      let loaded = true;
      try {
        loadScenario(file);
      } catch (e) {
        assert.ok(e instanceof ScenarioError, String(e));
        loaded = false;
      }
      assert.equal(loaded, valid, `${what} ${JSON.stringify(t)}: the runner ${loaded ? 'loads' : 'refuses'} it`);
      checked++;
    }
  }
  assert.ok(checked > 1500, `${checked} values`);
});

test(
  "Python's jsonschema reads the time patterns as ajv does",
  { skip: python.status !== 0 && 'python3-jsonschema is not installed (apt-get install python3-jsonschema)' },
  () => {
    const v = compile(schema);
    const docs = Object.values(TIME_STEP).flatMap((step) =>
      timeTexts().map((t) => ({ data: { name: 'x', steps: [step(t)] } })),
    );
    const script = `
import json, sys, jsonschema
v = jsonschema.Draft7Validator(json.load(open(sys.argv[1])))
print(json.dumps([v.is_valid(d['data']) for d in json.load(open(sys.argv[2]))]))
`;
    const dir = tempDir('schema-');
    writeFileSync(join(dir, 'docs.json'), JSON.stringify(docs));
    const r = spawnSync('python3', ['-c', script, SCHEMA_PATH, join(dir, 'docs.json')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const py = JSON.parse(r.stdout) as boolean[];
    docs.forEach((d, i) => assert.equal(py[i], v(d.data), JSON.stringify(d.data.steps[0])));
  },
);

test('the schema says in its descriptions what the runner checks beyond it', () => {
  const d = schema.definitions;
  assert.match(d.duration.description, /above 0 and up to 1 hour/);
  assert.match(d.duration.description, /pen qa checks them again/);
  assert.match(d.glitch.description, /0\.01 ms up to 1 hour/);
  assert.match(schema.description, /what a schema cannot know/);
});
