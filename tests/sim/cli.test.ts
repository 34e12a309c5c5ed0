// The command line's conventions: exit 0 success, 1 a failed check, 2 bad input, 3 the environment;
// outputs checked before anything runs; `pen --version`; one spelling of JSON keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { REPO_ROOT } from '../../boards/paths.js';
import { buildFirmware } from '../../tools/build/build.js';
import {
  environmentErrorOf,
  checkOutputFile,
  EnvironmentError,
  EXIT_ENVIRONMENT,
  EXIT_USAGE,
} from '../../tools/lib/errors.js';
import { snakeCase, snakeCaseKeys } from '../../tools/lib/json-keys.js';
import { missingTools } from '../../tools/build/port-build.js';
import { tempDir } from './tmp-dir.js';

const pen = (args: string[], env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> =>
  spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), ...args], { encoding: 'utf8', env, cwd: REPO_ROOT });
const tmp = tempDir('pen-cli-');
/** A path no one can write, root included: its parent is a regular file. */
const aFile = join(tmp, 'a-file');
writeFileSync(aFile, 'not a directory');

test('pen --version prints the package version and the SHA-256 of the firmware it runs', async () => {
  const r = pen(['--version']);
  assert.equal(r.status, 0, r.stderr);
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  assert.match(r.stdout, new RegExp(`^pen ${version.replace(/\./g, '\\.')}$`, 'm'));
  const sha = createHash('sha256')
    .update(readFileSync((await buildFirmware('ref-pen')).wasmPath))
    .digest('hex');
  assert.match(r.stdout, new RegExp(`^firmware ref-pen sha256 ${sha} `, 'm'));
});

test('exit 2 for bad usage and bad input', () => {
  for (const args of [
    ['frobnicate'],
    ['sim', '--bogus'],
    ['sim', '--depth', 'deep'],
    ['qa', '--jobs', '0'],
    ['sim', '--seconds', '0'],
  ]) {
    assert.equal(pen(args).status, EXIT_USAGE, args.join(' '));
  }
});

test('pen sim: a setting the pen refuses leaves the traces of the run before as they were; --out with no directory is refused', () => {
  const dir = join(tmp, 'refused');
  const before = pen(['sim', '--seconds', '0.2', '--out', dir]);
  assert.equal(before.status, 0, before.stderr);
  const csv = readFileSync(join(dir, 'trace.csv'), 'utf8');
  const vcd = readFileSync(join(dir, 'trace.vcd'), 'utf8');
  const r = pen(['sim', '--depth', '2.5', '--out', dir]);
  assert.equal(r.status, EXIT_USAGE, r.stderr);
  assert.match(r.stderr, /^pen sim: the pen refused the setting: ERR \d+ depth 2\.50 mm out of range/m);
  assert.equal(readFileSync(join(dir, 'trace.csv'), 'utf8'), csv);
  assert.equal(readFileSync(join(dir, 'trace.vcd'), 'utf8'), vcd);
  assert.deepEqual(readdirSync(dir).sort(), ['tip.svg', 'trace.csv', 'trace.vcd']);
  const empty = pen(['sim', '--out', '']);
  assert.equal(empty.status, EXIT_USAGE);
  assert.match(empty.stderr, /^pen sim: --out needs a directory/m);
});

test('an unwritable --junit path fails at once with exit 3, naming the option and the fix; nothing runs', () => {
  const t0 = Date.now();
  const r = pen(['qa', 'tests/qa', '--junit', join(aFile, 'junit.xml')]);
  assert.equal(r.status, EXIT_ENVIRONMENT, r.stderr);
  assert.match(
    r.stderr,
    /^pen qa: --junit .*a-file\/junit\.xml: .*a-file .*: choose a writable path, or fix the permissions$/m,
  );
  assert.doesNotMatch(r.stdout, /passed|FAIL|ok /, 'no case ran');
  assert.ok(Date.now() - t0 < 20_000, 'before the run, not after it');
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
});

test('--html, --out, --flash, --csv and --json FILE are checked before the run too', () => {
  const bad = join(aFile, 'x');
  for (const [args, option] of [
    [['qa', 'tests/qa/clamp.yaml', '--html', bad], '--html'],
    [['sim', '--seconds', '0.1', '--out', aFile], '--out'],
    [['sim', '--seconds', '0.1', '--flash', bad], '--flash'],
    [['log', '--flash', aFile, '--csv', bad], '--csv'],
    [['log', '--flash', aFile, '--json', bad], '--json'],
  ] as [string[], string][]) {
    const r = pen(args);
    assert.equal(r.status, EXIT_ENVIRONMENT, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^pen \\w+: ${option} `, 'm'));
    assert.equal(r.stdout, '', 'nothing ran');
  }
});

test(
  'a directory that cannot be made under /proc fails at once (where recursive mkdir would spin)',
  { skip: !existsSync('/proc/self') && 'no /proc here' },
  () => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), 'sim', '--out', '/proc/pen-trace/run'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, EXIT_ENVIRONMENT, `${r.error ?? ''} ${r.stderr}`);
    assert.match(r.stderr, /^pen sim: --out \/proc\/pen-trace\/run: \/proc\/pen-trace cannot be written \(ENOENT\)/m);
  },
);

test('an unwritable directory is an environment error, for root too where permissions do not bind', () => {
  // chmod does not stop root, so the check is a real write: a directory on a read-only mount
  // (EROFS) or one the user may not write (EACCES) fails it the same way as a file in the way
  assert.throws(
    () => checkOutputFile(join(aFile, 'report.html'), '--html'),
    (e: Error) => e instanceof EnvironmentError && /--html .*report\.html: .*a-file/.test(e.message),
  );
  checkOutputFile(join(tmp, 'new', 'dir', 'report.html'), '--html');
  assert.ok(existsSync(join(tmp, 'new', 'dir')), 'the directory is made, as the write would make it');
});

test('raw file-system and spawn errors become environment errors with a fix', () => {
  const rofs = environmentErrorOf(
    Object.assign(new Error('EROFS'), { code: 'EROFS', path: '/ro/out/junit.xml', syscall: 'open' }),
  );
  assert.match(rofs!.message, /^\/ro\/out\/junit\.xml is on a read-only file system \(EROFS\): choose a writable path/);
  const tool = environmentErrorOf(
    Object.assign(new Error('spawn'), {
      code: 'ENOENT',
      path: 'qemu-system-arm',
      syscall: 'spawnSync qemu-system-arm',
    }),
  );
  assert.match(tool!.message, /^qemu-system-arm not found: install it or put it on PATH/);
  assert.equal(environmentErrorOf(new Error('plain')), undefined);
});

test('a missing build tool is exit 3, with the package to install', () => {
  const r = pen(['build', '--board', 'stm32f405-tmc2209'], { ...process.env, PATH: join(tmp, 'no-tools') });
  assert.equal(r.status, EXIT_ENVIRONMENT, r.stderr);
  assert.match(r.stderr, /wasm2c.* not found: .*apt-get install/);
});

test('JSON keys are snake_case in every command', () => {
  assert.equal(snakeCase('tickP99Instructions'), 'tick_p99_instructions');
  assert.equal(snakeCase('maxFreqHz'), 'max_freq_hz');
  assert.deepEqual(snakeCaseKeys({ results: [{ replay: { tickMaxAt: 1, exitCode: 0 } }], flash_bytes: 2 }), {
    results: [{ replay: { tick_max_at: 1, exit_code: 0 } }],
    flash_bytes: 2,
  });
  const keys = (v: unknown, out: string[] = []): string[] => {
    if (Array.isArray(v)) v.forEach((x) => keys(x, out));
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        out.push(k);
        keys(x, out);
      }
    return out;
  };
  const portTools =
    missingTools(['wasm2c', 'arm-none-eabi-gcc', 'arm-none-eabi-size', 'arm-none-eabi-objcopy', 'qemu-system-arm'])
      .length === 0;
  const conform = portTools ? [['conform', 'tests/port/homing.yaml', '--json']] : []; // needs the board port's tools
  for (const args of [['envelope', '--json'], ['sim', '--seconds', '0.2', '--json'], ...conform]) {
    const r = pen(args);
    assert.equal(r.status, 0, r.stderr);
    const bad = keys(JSON.parse(r.stdout)).filter((k) => !/^[a-z][a-z0-9_]*$/.test(k));
    assert.deepEqual(bad, [], `${args.join(' ')}: keys not in snake_case`);
  }
});

test('pen sim --pen runs a pen of the board ranges: the worst one strains the motor more than the typical', () => {
  const at = ['sim', '--depth', '1.0', '--freq', '40', '--seconds', '0.5', '--json'];
  const run = (extra: string[]): { pen: string; load_angle_deg_max?: number; missed_steps: number } => {
    const r = pen([...at, ...extra]);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const typical = run(['--model', 'physical']);
  const worst = run(['--pen', 'worst']);
  const drawn = run(['--pen', '3']);
  assert.equal(typical.pen, 'typical');
  assert.equal(worst.pen, 'worst');
  assert.equal(drawn.pen, '3');
  for (const s of [typical, worst, drawn]) assert.equal((s as { model?: string }).model, 'physical');
  // the worst pen (weakest motor, most load, least damping) runs further from its field at the same setting
  assert.ok(worst.load_angle_deg_max! > typical.load_angle_deg_max! + 5, JSON.stringify({ worst, typical }));
  assert.ok(drawn.load_angle_deg_max! > 0 && drawn.load_angle_deg_max! !== typical.load_angle_deg_max);
  for (const [args, msg] of [
    [['--pen', 'best'], "pen sim: --pen best: use typical, worst or a drawn pen's number (1-9999)"],
    [
      ['--pen', 'worst', '--model', 'ideal'],
      "pen sim: --pen worst with --model ideal: a pen of the board's ranges runs on the physical model",
    ],
  ] as const) {
    const r = pen(['sim', ...args]);
    assert.equal(r.status, EXIT_USAGE, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').pop(), msg);
  }
});

test('--seed is a whole number 0..4294967295: a larger one (which would run as a smaller) is refused, exit 2', () => {
  for (const [args, msg] of [
    [
      ['qa', 'tests/qa/buttons.yaml', '--seed', '4294967296'],
      'pen qa: --seed 4294967296: give a whole number 0..4294967295',
    ],
    [['qa', 'tests/qa/buttons.yaml', '--seed', '-1'], 'pen qa: --seed -1: give a whole number 0..4294967295'],
    [['sim', '--seed', '4294967297'], 'pen sim: --seed 4294967297: give a whole number 0..4294967295'],
    [['sim', '--seed', '4294967297', '--pen', '3'], 'pen sim: --seed 4294967297: give a whole number 0..4294967295'],
    [['console', '--seed', '1e10'], 'pen console: --seed 10000000000: give a whole number 0..4294967295'],
    [
      ['envelope', '--board', 'stm32f405-tmc2209', '--edge', '--seed', '4294967296'],
      'pen envelope: --seed 4294967296: give a whole number 0..4294967295',
    ],
    [['campaign', '--seed', '4294967296'], 'pen campaign: --seed 4294967296: give a whole number 0..2147483648'],
  ] as const) {
    const r = pen([...args]);
    assert.equal(r.status, EXIT_USAGE, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').pop(), msg);
  }
  // the largest seed runs, and is the seed reported
  const r = pen(['sim', '--seed', '4294967295', '--seconds', '0.1', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).seed, 4294967295);
});

test('a board file that is missing or wrong is bad input (exit 2), naming the field and the fix', () => {
  const ref = JSON.parse(readFileSync(join(REPO_ROOT, 'boards', 'ref-pen.json'), 'utf8'));
  const edited = (name: string, edit: (b: any) => void): string => {
    const d = mkdtempSync(join(tmp, `${name}-`));
    const b = JSON.parse(JSON.stringify(ref));
    edit(b);
    writeFileSync(join(d, 'ref-pen.json'), JSON.stringify(b, null, 2));
    return join(d, 'ref-pen.json');
  };
  const noMax = edited('nomax', (b) => delete b.tolerances['/carriage/mass_g'].max);
  const cases: [string[], RegExp][] = [
    [
      ['sim', '--board', noMax, '--seconds', '0.01'],
      /\/tolerances\/"\/carriage\/mass_g": must have required property 'max'/,
    ],
    [['sim', '--board', join(tmp, 'none', 'ref-pen.json')], /no file .*none\/ref-pen\.json/],
    [
      ['envelope', '--board', edited('nophysics', (b) => delete b.physics), '--limit'],
      /board ref-pen has no physics block: --limit runs the physical model; .* or use a board that has one: ref-pen/,
    ],
    [['envelope', '--jobs', '2'], /pen envelope: --jobs goes with --limit/],
    [['envelope', '--limit', '--jobs', '0'], /pen envelope: --jobs 0: give a whole number 1\.\.64/],
    [['envelope', '--limit', '--jobs', '1.5'], /pen envelope: --jobs 1\.5: give a whole number 1\.\.64/],
  ];
  for (const [args, msg] of cases) {
    const r = pen(args);
    assert.equal(r.status, EXIT_USAGE, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
  }
  assert.match(pen(cases[0][0]).stderr, /Fix the file \(boards\/board\.schema\.json/);
});
