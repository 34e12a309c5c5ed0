// Board files: the default board loads; a bad one fails with the field that is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadBoard, BoardError, BOARDS_DIR, derive, drawPen, boardNames, schemaErrors } from '../../boards/board.js';
import { REPO_ROOT } from '../../boards/paths.js';
import { tempDir } from './tmp-dir.js';

const refText = readFileSync(join(BOARDS_DIR, 'ref-pen.json'), 'utf8');

function broken(edit: (b: any) => void, name = 'ref-pen'): string {
  const dir = tempDir('board-');
  const b = JSON.parse(refText);
  edit(b);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(b));
  return file;
}

/** The loader's whole message for a copy of the reference board with an edit, its file's path as FILE. */
function refusal(edit: (b: any) => void): string {
  const file = broken(edit);
  try {
    loadBoard(file);
  } catch (e) {
    assert.ok(e instanceof BoardError, String(e));
    return e.message.replace(file, 'FILE');
  }
  return assert.fail('the board was accepted');
}

test('the reference board loads and derives sane numbers', () => {
  const b = loadBoard('ref-pen');
  const d = derive(b);
  assert.equal(d.stepsPerRev, 3200);
  assert.ok(Math.abs(d.stepUm - 7.9375) < 1e-9);
  assert.ok(d.pullOutForceN(0) > d.pullOutForceN(1));
});

test('a bad board file names the field and what is wrong', () => {
  const cases: [(b: any) => void, RegExp][] = [
    [
      (b) => {
        delete b.motor.holding_torque_mNm;
      },
      /\/motor: must have required property 'holding_torque_mNm'/,
    ],
    [
      (b) => {
        b.timing.step_timer_hz = 'fast';
      },
      /\/timing\/step_timer_hz: must be integer/,
    ],
    [
      (b) => {
        b.driver.microsteps = 12;
      },
      /\/driver\/microsteps: must be equal to one of the allowed values/,
    ],
    [
      (b) => {
        b.geometry.retract_um = -5;
      },
      /\/geometry\/retract_um: must be >= 1/,
    ],
    [
      (b) => {
        b.driver.enable_pump_hold_ms = 1.2;
      },
      /\/driver\/enable_pump_hold_ms: 1\.2 ms is too short: the firmware toggles the enable pump once per control tick \(every 1 ms\), so a hold under 1\.25 periods \(1\.25 ms\) would cut the driver of a working pen at a tick that starts late\. Give at least 1\.25 ms/,
    ],
    [
      (b) => {
        b.motor.colour = 'red';
      },
      /\/motor: must NOT have additional properties "colour"/,
    ],
    [
      (b) => {
        b.stroke.speed_levels_hz = [30, 400];
      },
      /\/stroke\/speed_levels_hz\/1: 400 Hz is outside 25\.\.150 Hz/,
    ],
    [
      (b) => {
        b.default_cartridge = '99';
      },
      /\/default_cartridge: "99" is not one of 12, 16, 24, 36, nano/,
    ],
    [
      (b) => {
        b.motor.pull_out_curve.points_rpm_mNm[3][0] = 10;
      },
      /points_rpm_mNm\/3: rpm must rise/,
    ],
    [
      (b) => {
        b.geometry.front_stop_um = 1000;
      },
      /\/geometry\/front_stop_um: must be beyond the deepest stroke/,
    ],
  ];
  for (const [edit, msg] of cases) {
    assert.throws(
      () => loadBoard(broken(edit)),
      (e: Error) => e instanceof BoardError && msg.test(e.message),
      String(msg),
    );
  }
});

test('a board whose name is not its file name, an unknown board, and broken JSON are refused', () => {
  assert.throws(() => loadBoard(broken(() => {}, 'other')), /\/name: "ref-pen" must match the file name/);
  assert.throws(() => loadBoard('no-such-board'), /unknown board "no-such-board": no file .*Boards: .*ref-pen/);
  const dir = tempDir('board-');
  writeFileSync(join(dir, 'x.json'), '{ "name": ');
  assert.throws(() => loadBoard(join(dir, 'x.json')), /not valid JSON/);
});

test('a range whose min exceeds its max is refused saying so, a tolerance named by its pointer, unescaped and quoted', () => {
  assert.equal(
    refusal((b) => Object.assign(b.physics.damping_ratio, { min: 0.2, max: 0.1 })),
    'FILE: /physics/damping_ratio: min 0.2 exceeds max 0.1',
  );
  assert.equal(
    refusal((b) => Object.assign(b.tolerances['/carriage/mass_g'], { min: 4.5, max: 3.5 })),
    'FILE: /tolerances/"/carriage/mass_g": min 4.5 exceeds max 3.5',
  );
  assert.equal(
    refusal((b) => (b.tolerances['/carriage/mass_g'].max = 3.9)),
    `FILE: /tolerances/"/carriage/mass_g": the board's value 4 is outside 3.5..3.9`,
  );
});

test('a range or a tolerance outside the physical domain of its quantity is refused, naming the value and the domain', () => {
  const cases: [(b: any) => void, string][] = [
    [
      (b) => (b.physics.detent_torque_mNm.min = -2),
      'FILE: /physics/detent_torque_mNm/min: -2 is below 0 (a torque cannot be negative)',
    ],
    [
      (b) => Object.assign(b.physics.needle_puncture_mN, { min: -10, typical: -5 }),
      'FILE: /physics/needle_puncture_mN/min: -10 is below 0 (a force cannot be negative)',
    ],
    [
      (b) => (b.physics.needle_puncture_mN.typical = -5),
      'FILE: /physics/needle_puncture_mN/typical: -5 is below 0 (a force cannot be negative)',
    ],
    [
      (b) => (b.physics.damping_ratio.min = -0.1),
      'FILE: /physics/damping_ratio/min: -0.1 is below 0 (a damping ratio cannot be negative)',
    ],
    [
      (b) => (b.physics.back_drive_efficiency.max = 1.2),
      'FILE: /physics/back_drive_efficiency/max: 1.2 is above 1 (an efficiency lies in (0, 1])',
    ],
    [
      (b) => (b.tolerances['/drive/efficiency'].max = 1.4),
      'FILE: /tolerances/"/drive/efficiency"/max: 1.4 is above 1 (an efficiency lies in (0, 1])',
    ],
    [
      (b) => (b.physics.winding_thermal_time_constant_s.min = 0),
      'FILE: /physics/winding_thermal_time_constant_s/min: 0 is not above 0 (a time constant must be greater than 0)',
    ],
    [
      (b) => (b.tolerances['/carriage/mass_g'].min = -3.5),
      `FILE: /tolerances/"/carriage/mass_g"/min: -3.5 is not above 0 (the carriage's mass must be greater than 0)`,
    ],
    [
      (b) => (b.physics.puncture_depth_um.min = 0),
      "FILE: /physics/puncture_depth_um/min: 0 is not above 0 (the skin's deflection before it gives must be greater than 0)",
    ],
  ];
  for (const [edit, msg] of cases) assert.equal(refusal(edit), msg);
  // the endstop's switching point is a position, set within 10 um of home on either side
  const b = loadBoard(broken((x) => (x.tolerances['/endstop/trigger_um'] = { min: -25, max: 25, source: 'estimate' })));
  assert.equal(b.tolerances!['/endstop/trigger_um'].min, -25);
});

test('a blank source is refused: it must name where the number comes from, or say estimate', () => {
  const blank = (field: string): string =>
    `FILE: does not match boards/board.schema.json:\n  ${field}: is blank: a source must name where the number comes from (a datasheet, a paper, a measurement), or say "estimate"`;
  assert.equal(
    refusal((b) => (b.physics.damping_ratio.source = '   ')),
    blank('/physics/damping_ratio/source'),
  );
  assert.equal(
    refusal((b) => (b.tolerances['/carriage/mass_g'].source = '\t')),
    blank('/tolerances/"/carriage/mass_g"/source'),
  );
  assert.equal(
    refusal((b) => (b.tolerances['/carriage/mass_g'].source = '')),
    blank('/tolerances/"/carriage/mass_g"/source'),
  );
  assert.equal(
    refusal((b) => (b.motor.source = ' ')),
    blank('/motor/source'),
  );
  assert.equal(
    refusal((b) => (b.encoder.sources.bits = '  ')),
    blank('/encoder/sources/bits'),
  );
});

test('every pen drawn from a board matches the schema (an integer field would be drawn whole)', () => {
  for (const name of boardNames()) {
    const b = loadBoard(name);
    for (let seed = 0; seed < 50; seed++) {
      const pen = drawPen(b, seed);
      assert.deepEqual(schemaErrors(pen), [], `${name}, pen ${seed}`);
    }
  }
  // the endstop's switching point is a real position: seed 3 draws it at -2.405 um, as before the check
  assert.equal(drawPen(loadBoard('ref-pen'), 3).endstop.trigger_um.toFixed(3), '-2.405');
});

test('a tolerance a drawn pen could leave the schema by is refused', () => {
  assert.equal(
    refusal((b) => (b.tolerances['/geometry/retract_um'] = { min: 399.5, max: 401, source: 'estimate' })),
    'FILE: /tolerances/"/geometry/retract_um"/min: 399.5 is not a whole number, but /geometry/retract_um is an integer',
  );
  assert.equal(
    refusal((b) => (b.tolerances['/carriage/mass_g'].min = 0.05)),
    `FILE: /tolerances/"/carriage/mass_g"/min: 0.05 is below /carriage/mass_g's minimum 0.1 in boards/board.schema.json`,
  );
  assert.equal(
    refusal((b) => (b.tolerances['/geometry/retract_um'] = { min: 0, max: 500, source: 'estimate' })),
    `FILE: /tolerances/"/geometry/retract_um"/min: 0 is below /geometry/retract_um's minimum 1 in boards/board.schema.json`,
  );
});

test('the commands that take --board say it takes a name in boards/ or a board file, and what a file gives', () => {
  const simulated =
    "a board in boards/ by name (default ref-pen), or a board file's path (FILE.json, the file named as the board): the simulated pen is that file's, with the firmware built from boards/<name>.json";
  const help: [string, string][] = [
    ['sim', simulated],
    ['console', simulated],
    ['envelope', simulated],
    [
      'build',
      "a board in boards/ by name (default ref-pen), or a board file's path (FILE.json, the file named as the board): the file is checked, the firmware built from boards/<name>.json",
    ],
  ];
  for (const [command, text] of help) {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), command, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const line = r.stdout.split('\n').find((l) => l.trimStart().startsWith('--board'));
    assert.equal(line?.replace(/^\s*--board NAME\s+/, ''), text, command);
  }
});
