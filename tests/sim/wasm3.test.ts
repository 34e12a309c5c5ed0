// A second runtime: the release firmware.wasm itself (not translated, as on a board that runs an
// interpreter) in wasm3 on this machine, fed recordings made in the simulator, must make the very same
// HAL calls (ports/wasm3/replay.c). Needs the host's C compiler; wasm3 is vendored (third_party/wasm3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';
import { buildFirmware } from '../../tools/build/build.js';
import { buildWasm3Replay, replayWasm3, wasm3Missing } from '../../tools/build/wasm3-build.js';
import { recordScenario, tamperedCopy } from '../../tools/lib/conform.js';
import { findScenarioFiles } from '../../tools/qa/scenario.js';

const missing = wasm3Missing();
const skip = missing ? `skipped the wasm3 checks: ${missing}` : false;
if (skip) console.log(`# ${skip}`);

const DIR = join(REPO_ROOT, 'build', 'wasm3', 'test');
let harness: string | undefined;
const built = (): string => (harness ??= buildWasm3Replay());
const wasmOf = async (board: string): Promise<string> => (await buildFirmware(board)).wasmPath;

// the port's conformance scenarios (homing, strokes, a change, faults, a full log, an unlock), and on
// the reference pen a hang: the watchdog restarts the module, which the harness instantiates afresh
const cases: [string, string][] = [
  ...findScenarioFiles([join(REPO_ROOT, 'tests', 'port')]).map((f): [string, string] => ['stm32f405-tmc2209', f]),
  ['ref-pen', join(REPO_ROOT, 'tests', 'qa', 'safety', 'log-after-reset.yaml')],
];

for (const [board, file] of cases) {
  test(
    `in wasm3 the release module makes the simulator's calls, byte for byte: ${board} ${file.split('/').at(-1)}`,
    { skip },
    async () => {
      const wasm = await wasmOf(board);
      const rec = recordScenario(file, board, wasm, join(DIR, board));
      const r = replayWasm3(built(), wasm, rec.recording);
      assert.ok(r.identical, r.output);
      // the harness counts what it replayed: every init, tick and call of the recording
      assert.equal(r.output, `replay: identical: inits=${rec.inits} ticks=${rec.ticks} calls=${rec.calls}`);
      assert.ok(rec.ticks > 100, `${rec.ticks} ticks: the scenario ran`);
    },
  );
}

test('in wasm3 a watchdog restart is a fresh instance: the module is initialised again', { skip }, async () => {
  const wasm = await wasmOf('ref-pen');
  const rec = recordScenario(
    join(REPO_ROOT, 'tests', 'qa', 'safety', 'log-after-reset.yaml'),
    'ref-pen',
    wasm,
    join(DIR, 'ref-pen'),
  );
  assert.ok(rec.inits >= 2, `${rec.inits} inits: the scenario restarts the module`);
});

test(
  'in wasm3 a changed byte in a recorded input fails the replay and shows the first differing call',
  { skip },
  async () => {
    const wasm = await wasmOf('stm32f405-tmc2209');
    const rec = recordScenario(
      join(REPO_ROOT, 'tests', 'port', 'depth-change.yaml'),
      'stm32f405-tmc2209',
      wasm,
      join(DIR, 'stm32f405-tmc2209'),
    );
    const r = replayWasm3(built(), wasm, tamperedCopy(rec.recording));
    assert.equal(r.exitCode, 1, r.output);
    assert.match(r.output, /^replay: the firmware's calls differ from the recording at call \d+ \(in tick \d+\)/);
    assert.match(r.output, /firmware: +\w+\(/);
    assert.match(r.output, /recording: +\w+\(/);
  },
);

test(
  'the wasm3 harness refuses a file that is not a recording, and a module another board was built for',
  { skip },
  async () => {
    const wasm = await wasmOf('stm32f405-tmc2209');
    const bad = join(DIR, 'not-a-recording.penrec');
    writeFileSync(bad, 'hello');
    const r = replayWasm3(built(), wasm, bad);
    assert.equal(r.exitCode, 2, r.output);
    assert.match(r.output, /^replay: bad recording at byte \d+: not a pen recording \(no PENREC header\)/);
    // the reference pen's module against the STM32F405 board's recording: its constants differ, so
    // its calls do (the harness finds the first, it does not pass a different firmware)
    const rec = recordScenario(
      join(REPO_ROOT, 'tests', 'port', 'homing.yaml'),
      'stm32f405-tmc2209',
      wasm,
      join(DIR, 'stm32f405-tmc2209'),
    );
    const other = replayWasm3(built(), await wasmOf('ref-pen'), rec.recording);
    assert.equal(other.exitCode, 1, other.output);
  },
);

test(
  'pen conform --runtime wasm3 replays a scenario and says so; an unknown runtime is refused with the choices',
  { skip },
  () => {
    const pen = join(REPO_ROOT, 'bin', 'pen.js');
    const r = spawnSync(
      'node',
      [pen, 'conform', '--runtime', 'wasm3', '--json', join(REPO_ROOT, 'tests', 'port', 'homing.yaml')],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { runtime: string; results: { replay: { identical: boolean } }[] };
    assert.equal(out.runtime, 'wasm3');
    assert.deepEqual(
      out.results.map((x) => x.replay.identical),
      [true],
    );
    const bad = spawnSync('node', [pen, 'conform', '--runtime', 'wamr'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(
      bad.stderr,
      /--runtime wamr: give wasm2c \(the port under QEMU\) or wasm3 \(the interpreter on this machine\)/,
    );
  },
);
