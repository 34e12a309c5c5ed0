// The two interpreters a board may run the module in besides the port's wasm2c: the release
// firmware.wasm itself (not translated) in wasm3 and in WAMR's classic interpreter on this machine,
// fed recordings made in the simulator, must make the very same HAL calls (ports/wasm3/replay.c,
// ports/wamr/replay.c). Needs the host's C compiler; both runtimes are vendored (third_party/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';
import { buildFirmware } from '../../tools/build/build.js';
import { buildHostReplay, replayOnHost, hostRuntimeMissing, HOST_RUNTIMES } from '../../tools/build/host-replay.js';
import { recordScenario, tamperedCopy, Recorded } from '../../tools/lib/conform.js';
import { HAL_CALLS, MAGIC, FORMAT_VERSION, OP_INIT, OP_END } from '../../host-sim/recording.js';
import { HAL_ABI_VERSION } from '../../abi/pen-abi.js';
import { findScenarioFiles } from '../../tools/qa/scenario.js';

const DIR = join(REPO_ROOT, 'build', 'interpreters-test');
const wasmOf = async (board: string): Promise<string> => (await buildFirmware(board)).wasmPath;

// the port's conformance scenarios (homing, strokes, a change, faults, a full log, an unlock), and on
// the reference pen a hang: the watchdog restarts the module, which each harness instantiates afresh
const cases: [string, string][] = [
  ...findScenarioFiles([join(REPO_ROOT, 'tests', 'port')]).map((f): [string, string] => ['stm32f405-tmc2209', f]),
  ['ref-pen', join(REPO_ROOT, 'tests', 'qa', 'safety', 'log-after-reset.yaml')],
];

// recorded once, replayed in each runtime
const recorded = new Map<string, Promise<{ rec: Recorded; wasm: string }>>();
function recording(board: string, file: string): Promise<{ rec: Recorded; wasm: string }> {
  const key = `${board} ${file}`;
  let r = recorded.get(key);
  if (!r) {
    r = wasmOf(board).then((wasm) => ({ rec: recordScenario(file, board, wasm, join(DIR, board)), wasm }));
    recorded.set(key, r);
  }
  return r;
}

test("the reference pen's hang scenario restarts the module: the harnesses are checked on a fresh instance", async () => {
  const { rec } = await recording('ref-pen', cases[cases.length - 1][1]);
  assert.ok(rec.inits >= 2, `${rec.inits} inits: the scenario restarts the module`);
});

for (const runtime of HOST_RUNTIMES) {
  const missing = hostRuntimeMissing(runtime);
  const skip = missing ? `skipped the ${runtime} checks: ${missing}` : false;
  if (skip) console.log(`# ${skip}`);
  let harness: string | undefined;
  const built = (): string => (harness ??= buildHostReplay(runtime));

  for (const [board, file] of cases) {
    test(
      `in ${runtime} the release module makes the simulator's calls, byte for byte: ${board} ${file.split('/').at(-1)}`,
      { skip },
      async () => {
        const { rec, wasm } = await recording(board, file);
        const r = replayOnHost(built(), wasm, rec.recording);
        assert.ok(r.identical, r.output);
        // the harness counts what it replayed: every init, tick and call of the recording
        assert.equal(r.output, `replay: identical: inits=${rec.inits} ticks=${rec.ticks} calls=${rec.calls}`);
        assert.ok(rec.ticks > 100, `${rec.ticks} ticks: the scenario ran`);
      },
    );
  }

  test(
    `in ${runtime} a changed byte in a recorded input fails the replay and shows the first differing call`,
    { skip },
    async () => {
      const { rec, wasm } = await recording('stm32f405-tmc2209', join(REPO_ROOT, 'tests', 'port', 'depth-change.yaml'));
      const r = replayOnHost(built(), wasm, tamperedCopy(rec.recording));
      assert.equal(r.exitCode, 1, r.output);
      assert.match(r.output, /^replay: the firmware's calls differ from the recording at call \d+ \(in tick \d+\)/);
      assert.match(r.output, /firmware: +\w+\(/);
      assert.match(r.output, /recording: +\w+\(/);
    },
  );

  test(
    `the ${runtime} harness refuses a file that is not a recording, and finds the other board's module different`,
    { skip },
    async () => {
      const { rec, wasm } = await recording('stm32f405-tmc2209', join(REPO_ROOT, 'tests', 'port', 'homing.yaml'));
      const bad = join(DIR, `not-a-recording-${runtime}.penrec`);
      writeFileSync(bad, 'hello');
      const r = replayOnHost(built(), wasm, bad);
      assert.equal(r.exitCode, 2, r.output);
      assert.match(r.output, /^replay: bad recording at byte \d+: not a pen recording \(no PENREC header\)/);
      // the reference pen's module against the STM32F405 board's recording: its constants differ, so
      // its calls do (the harness finds the first, it does not pass a different firmware)
      const other = replayOnHost(built(), await wasmOf('ref-pen'), rec.recording);
      assert.equal(other.exitCode, 1, other.output);
    },
  );

  test(`the ${runtime} harness refuses a module that imports a HAL function with another type`, { skip }, () => {
    const rec = join(DIR, `init-only-${runtime}.penrec`);
    const header = [...Buffer.from(MAGIC, 'latin1'), FORMAT_VERSION, HAL_CALLS.length];
    writeFileSync(rec, Buffer.from([...header, OP_INIT, 0, 0, 0, 0, OP_END]));
    const run = (nowTicksResult: number): { exitCode: number; output: string } => {
      const wasm = join(DIR, `now-ticks-${nowTicksResult.toString(16)}-${runtime}.wasm`);
      writeFileSync(wasm, moduleImportingNowTicks(nowTicksResult));
      return replayOnHost(built(), wasm, rec);
    };
    // the same module with the HAL's own type links, starts and makes no call, as recorded
    const right = run(I64);
    assert.equal(right.exitCode, 0, right.output);
    const wrong = run(I32);
    assert.equal(wrong.exitCode, 2, wrong.output);
    assert.match(wrong.output, /replay: .*now_ticks.*(signature mismatch|is not linked)/);
  });

  test(`pen conform --runtime ${runtime} replays a scenario and says so`, { skip }, () => {
    const r = spawnSync(
      'node',
      [
        join(REPO_ROOT, 'bin', 'pen.js'),
        'conform',
        '--runtime',
        runtime,
        '--json',
        join(REPO_ROOT, 'tests', 'port', 'homing.yaml'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { runtime: string; results: { replay: { identical: boolean } }[] };
    assert.equal(out.runtime, runtime);
    assert.deepEqual(
      out.results.map((x) => x.replay.identical),
      [true],
    );
  });
}

test('pen conform refuses an unknown runtime with the choices, and the crypto background off the port', () => {
  const pen = join(REPO_ROOT, 'bin', 'pen.js');
  const bad = spawnSync('node', [pen, 'conform', '--runtime', 'v8'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(
    bad.stderr,
    /--runtime v8: give wasm2c \(the port under QEMU\), wasm3 or wamr \(interpreters on this machine\)/,
  );
  const bg = spawnSync('node', [pen, 'conform', '--runtime', 'wamr', '--crypto-background'], { encoding: 'utf8' });
  assert.equal(bg.status, 2);
  assert.match(
    bg.stderr,
    /--crypto-background runs on the port \(--runtime wasm2c\): the wamr replay has no background steps/,
  );
});

const I32 = 0x7f;
const I64 = 0x7e;

/**
 * A module that imports hal.now_ticks as () -> `result` (the HAL's is () -> i64) and exports
 * abi_version (this ABI's), init and tick doing nothing, as bytes.
 */
function moduleImportingNowTicks(result: number): Buffer {
  const str = (t: string): number[] => [t.length, ...Buffer.from(t, 'latin1')];
  const section = (id: number, body: number[]): number[] => [id, body.length, ...body];
  const leb = (v: number): number[] => {
    const out: number[] = [];
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) return [...out, b];
      out.push(b | 0x80);
    }
  };
  const types = [3, 0x60, 0, 1, result, 0x60, 0, 0, 0x60, 0, 1, I32]; // () -> result, () -> (), () -> i32
  const imports = [1, ...str('hal'), ...str('now_ticks'), 0x00, 0];
  const funcs = [3, 2, 1, 1];
  const exports = [3, ...str('abi_version'), 0x00, 1, ...str('init'), 0x00, 2, ...str('tick'), 0x00, 3];
  const abiBody = [0, 0x41, ...leb(HAL_ABI_VERSION), 0x0b];
  const empty = [0, 0x0b];
  const code = [3, abiBody.length, ...abiBody, empty.length, ...empty, empty.length, ...empty];
  return Buffer.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, code),
  ]);
}
