// Outside the envelope the pen keeps the depth, lowers the rate, says so, and loses no step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';
import { strokingPen, maxFreq } from './helpers.js';

for (const [depth, asked] of [
  [1.5, 100],
  [3.0, 150],
  [0.25, 150],
  [2.0, 80],
] as const) {
  test(`${depth} mm at ${asked} Hz is clamped to the envelope`, async () => {
    const top = await maxFreq(depth);
    assert.ok(top < asked, 'the point is outside the envelope');
    const sim = await strokingPen(depth, asked);
    const reply = sim.replies.find((r) => r.line.includes(`asked=${asked}`))!.line;
    assert.match(reply, new RegExp(`^OK depth=${depth.toFixed(2)} freq=${top} clamped=torque asked=${asked}$`));
    assert.deepEqual(sim.setting, { depthUm: sim.setting.depthUm, freqHz: top, askedHz: asked, clamp: 'torque' });
    sim.startMeasuring();
    sim.run(1000);
    const m = sim.measure();
    assert.equal(m.missed_steps, 0);
    assert.ok(Math.abs(m.freq_hz! / top - 1) <= 0.005, `runs at ${m.freq_hz} Hz, the clamp is ${top} Hz`);
    assert.ok(Math.abs(m.depth_mm!.mean - depth) <= 0.02, 'keeps the depth');
  });
}

test('pen sim --depth 1.5 --freq 100 --seconds 2 --json reports the depth, the clamp and its reason', () => {
  const out = execFileSync(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'pen.js'), 'sim', '--depth', '1.5', '--freq', '100', '--seconds', '2', '--json'],
    { encoding: 'utf8' },
  );
  const s = JSON.parse(out);
  for (const k of ['depth_mm', 'freq_hz', 'puncture_rate', 'missed_steps', 'clamped', 'clamp_reason', 'state'])
    assert.ok(k in s, `has ${k}`);
  assert.ok(
    Math.abs(s.depth_mm.mean - 1.5) <= 0.02 &&
      Math.abs(s.depth_mm.min - 1.5) <= 0.02 &&
      Math.abs(s.depth_mm.max - 1.5) <= 0.02,
  );
  assert.equal(s.missed_steps, 0);
  assert.equal(s.clamped, true);
  assert.match(s.clamp_reason, /^torque: /);
  assert.ok(Math.abs(s.freq_hz / s.set.freq_hz - 1) <= 0.005);
  assert.equal(s.state, 'ready');
  // the physical model by default (the board has its numbers): the tip, the rotor and the heat are the mechanism's
  assert.equal(s.model, 'physical');
  assert.ok(s.tip_overshoot_um >= 0 && s.tip_overshoot_um <= 20, `tip ${s.tip_overshoot_um} um past the depth`);
  assert.ok(s.load_angle_deg_max > 10 && s.load_angle_deg_max < 90, `load angle ${s.load_angle_deg_max} deg`);
  for (const k of ['winding_temp_c_max', 'driver_temp_c_max']) assert.ok(s[k] >= 20 && s[k] < 100, `${k} ${s[k]}`);
  // the figures are there with either model: null where the ideal one has no rotor or heat
  const ideal = JSON.parse(
    execFileSync(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'pen.js'), 'sim', '--model', 'ideal', '--depth', '1.5', '--seconds', '0.5', '--json'],
      { encoding: 'utf8' },
    ),
  );
  assert.equal(ideal.model, 'ideal');
  for (const k of ['tip_overshoot_um', 'load_angle_deg_max', 'winding_temp_c_max', 'driver_temp_c_max'])
    assert.equal(ideal[k], null, k);
  // measured once the first strokes have settled: on the physical model the depth trim too
  assert.equal(s.settle_ms, 400);
  assert.equal(ideal.settle_ms, 100);
});

test('pen sim on the physical model measures the strokes after the depth trim has settled', () => {
  // the STM32F405 board at 2.25 mm, 148 Hz asked (clamped to 29 Hz): measured from 100 ms after the
  // start, as on the ideal model, its first measured stroke came 21.7 um short, before the trim
  const s = JSON.parse(
    execFileSync(
      process.execPath,
      [
        join(REPO_ROOT, 'bin', 'pen.js'),
        'sim',
        ...['--board', 'stm32f405-tmc2209', '--depth', '2.25', '--freq', '148', '--seed', '136'],
        ...['--mode', 'professional', '--zone', 'stretch_marks', '--seconds', '1.5', '--json'],
      ],
      { encoding: 'utf8' },
    ),
  );
  assert.equal(s.model, 'physical');
  assert.equal(s.settle_ms, 400);
  const set = s.set.depth_mm;
  assert.ok(
    s.depth_mm.min >= set - 0.02 && s.depth_mm.max <= set + 0.02,
    `every stroke within 0.02 mm of ${set} mm: ${s.depth_mm.min} .. ${s.depth_mm.max}`,
  );
  assert.equal(s.missed_steps, 0);
  assert.ok(Math.abs(s.freq_hz / s.set.freq_hz - 1) <= 0.005);
});

test('a clamped setting on a lightly damped drawn pen runs as its rate asked does: on depth, no step lost', () => {
  // drawn pen 19 (damping ratio 0.022, a free screw): 0.6 mm asked at 102 Hz is clamped to 49 Hz. With
  // equal halves kept at the clamped rate the rotor's ringing built over four strokes and the fifth
  // down-stroke slipped (encoder_slip); 49 Hz asked runs split and holds, and so does the clamp now
  const out = execFileSync(
    process.execPath,
    [
      join(REPO_ROOT, 'bin', 'pen.js'),
      'sim',
      ...['--pen', '19', '--seed', '563537', '--depth', '0.6', '--freq', '102', '--seconds', '2', '--json'],
    ],
    { encoding: 'utf8' },
  );
  const s = JSON.parse(out);
  assert.equal(s.fault, 'none');
  assert.equal(s.state, 'ready');
  assert.equal(s.clamped, true);
  assert.equal(s.set.freq_hz, 49);
  assert.equal(s.missed_steps, 0);
  assert.ok(s.strokes >= 95, `${s.strokes} strokes in 2 s at 49 Hz`);
  assert.ok(Math.abs(s.freq_hz / 49 - 1) <= 0.005, `${s.freq_hz} Hz`);
  for (const k of ['mean', 'min', 'max'] as const)
    assert.ok(Math.abs(s.depth_mm[k] - s.set.depth_mm) <= 0.02, `depth ${k} ${s.depth_mm[k]} mm at the tip`);
  assert.ok(s.load_angle_deg_max < 90, `load angle ${s.load_angle_deg_max} deg`);
});

test('pen sim refuses bad arguments with the valid range', () => {
  const pen = (...args: string[]) =>
    spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), 'sim', ...args], { encoding: 'utf8' });
  const cases: [string[], RegExp][] = [
    [['--depth', '9'], /--depth 9 mm is out of range: 0\.20\.\.3\.00 mm for board ref-pen with cartridge 16/],
    [['--freq', '0'], /--freq 0 Hz is out of range: a whole number 25\.\.150 Hz/],
    [['--board', 'nope'], /unknown board "nope"; boards: .*ref-pen/],
    [['--cartridge', '99'], /unknown cartridge "99" for board ref-pen: valid types are 12, 16, 24, 36, nano/],
    [['--depth', 'deep'], /--depth must be a decimal number, got "deep"/],
    [
      ['--cartridge', 'nano', '--depth', '1.0'],
      /out of range: 0\.20\.\.0\.50 mm for board ref-pen with cartridge nano/,
    ],
    [['--bogus'], /unknown option --bogus/],
    // an option where a value belongs is a forgotten value (it would have made a directory "--json")
    [['--out', '--json'], /--out needs a value \(DIR\), got the option --json/],
    [['--freq', '0x20'], /--freq must be a decimal number, got "0x20"/],
  ];
  for (const [args, msg] of cases) {
    const r = pen(...args);
    assert.equal(r.status, 2, `exit code for ${args.join(' ')}`);
    assert.match(r.stderr, msg);
  }
});

test('every command prints help', () => {
  for (const cmd of [[], ['build'], ['sim'], ['envelope']]) {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), ...cmd, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage: pen/);
  }
});
