// The STM32F405 board port: the release module translated with wasm2c and built with
// arm-none-eabi-gcc fits the MCU, and replayed under qemu-system-arm it makes exactly the HAL calls the
// simulator recorded, for each conformance scenario in tests/port/. Needs Debian's wabt,
// gcc-arm-none-eabi, libnewlib-arm-none-eabi and qemu-system-arm (.ci/run installs them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callLog, decodeRecording } from '../../host-sim/recording.js';
import { loadBoard } from '../../boards/board.js';
import { REPO_ROOT } from '../../boards/paths.js';
import { buildFirmware } from '../../tools/build/build.js';
import { buildPort, missingTools, portDir, PortBuild, PORT_PACKAGES } from '../../tools/build/port-build.js';
import { recordScenario, replayRecording, firstDifference, tamperCheck } from '../../tools/lib/conform.js';
import { findScenarioFiles } from '../../tools/qa/scenario.js';

const BOARD = loadBoard('stm32f405-tmc2209');
const missing = missingTools(['wasm2c', 'arm-none-eabi-gcc', 'arm-none-eabi-size', 'qemu-system-arm']);
const skip = missing.length
  ? `skipped the microcontroller checks: ${missing.join(', ')} not installed (apt-get install --no-install-recommends ${PORT_PACKAGES})`
  : false;
if (skip) console.log(`# ${skip}`);

let built: Promise<{ port: PortBuild; wasm: string }> | undefined;
function port(): Promise<{ port: PortBuild; wasm: string }> {
  built ??= buildFirmware(BOARD.name).then((fw) => ({ port: buildPort(BOARD, fw.wasmPath), wasm: fw.wasmPath }));
  return built;
}

test(
  'the port fits the STM32F405: flash within the budget, RAM within the chip with the 64 KiB page',
  { skip },
  async () => {
    const { port: p } = await port();
    const mcu = BOARD.mcu!;
    assert.ok(p.flashBytes <= mcu.flash_budget_bytes!, `flash ${p.flashBytes} bytes > ${mcu.flash_budget_bytes}`);
    assert.ok(p.ramBytes <= mcu.ram_bytes, `RAM ${p.ramBytes} bytes > ${mcu.ram_bytes}`);
    assert.ok(p.ramBytes >= 65536, `RAM ${p.ramBytes} bytes cannot hold the module's page`);
  },
);

const scenarios = findScenarioFiles([join(REPO_ROOT, 'tests', 'port')]);
test('there are conformance scenarios for homing, stroking, changes, the depth trim, commands, long lines, a stall, a pulled cartridge, a watchdog reset, a clamp, the encoder, a full log and an unlock', () => {
  assert.deepEqual(scenarios.map((f) => f.split('/').at(-1)).sort(), [
    'cartridge-pulled-deep.yaml',
    'clamp.yaml',
    'command-while-stroking.yaml',
    'depth-change-deep.yaml',
    'depth-change.yaml',
    'depth-trim.yaml',
    'encoder-error.yaml',
    'homing.yaml',
    'log-full.yaml',
    'long-lines-while-stroking.yaml',
    'stall.yaml',
    'stroke-1.5mm-100hz.yaml',
    'unlock-while-stroking.yaml',
    'watchdog-reset.yaml',
  ]);
});

test('the scenarios run on the physical model, so the replay takes the depth trim ticks: a move the trim lengthened is in the recording', async () => {
  const wasm = (await buildFirmware(BOARD.name)).wasmPath;
  const dir = mkdtempSync(join(tmpdir(), 'pen-port-'));
  const rec = recordScenario(join(REPO_ROOT, 'tests', 'port', 'depth-trim.yaml'), BOARD.name, wasm, dir);
  const halves = [...callLog(decodeRecording(readFileSync(rec.recording))).matchAll(/^report_move\(\d+,(\d+),/gm)].map(
    (m) => Number(m[1]),
  );
  // 3.0 mm: the plan's halves are 416 microsteps (the depth and the lift above the skin); the
  // encoder's bottoms a few micrometres short, the trim lengthens a half or two by a microstep
  assert.ok(halves.length >= 30, `${halves.length} halves: the strokes ran`);
  const plan = halves.filter((n) => n === 416).length;
  assert.ok(plan >= halves.length - 4, `the plan's halves: ${halves.join(', ')}`);
  assert.ok(
    halves.some((n) => n === 417),
    `no half the trim lengthened (every one ${[...new Set(halves)].join(' or ')} steps): the trim's ticks were not replayed`,
  );
  rmSync(dir, { recursive: true, force: true });
});

for (const file of scenarios) {
  test(
    `on the Cortex-M4 the firmware makes the simulator's calls, byte for byte: ${file.split('/').at(-1)}`,
    { skip },
    async () => {
      const { port: p, wasm } = await port();
      const rec = recordScenario(file, BOARD.name, wasm, join(portDir(BOARD.name), 'conformance'));
      const budget = BOARD.mcu!.tick_budget_instructions!;
      const r = replayRecording(p.replayElf, rec.recording, budget);
      assert.ok(r.identical, r.output);
      assert.equal(r.ticks, rec.ticks, 'every recorded tick was replayed');
      assert.ok(r.ticks > 100, `${r.ticks} ticks: the scenario ran`);
      assert.ok(
        r.tickMedianInstructions > 500,
        `median tick ${r.tickMedianInstructions} instructions: the counter counts`,
      );
      assert.equal(
        r.ticksOverBudget,
        0,
        `${r.ticksOverBudget} ticks over ${budget} instructions; the worst ${r.tickMaxInstructions} at tick ${r.tickMaxAt}`,
      );
    },
  );
}

test('a changed byte in a recorded input fails the replay and shows the first differing call', { skip }, async () => {
  const { port: p, wasm } = await port();
  const rec = recordScenario(
    join(REPO_ROOT, 'tests', 'port', 'depth-change.yaml'),
    BOARD.name,
    wasm,
    join(portDir(BOARD.name), 'conformance'),
  );
  const t = tamperCheck(p.replayElf, rec.recording);
  assert.ok(t.caught, t.output);
  assert.match(t.output, /the firmware's calls differ from the recording at call \d+ \(in tick \d+\)/);
  assert.match(t.output, /firmware: +\w+\(/);
  assert.match(t.output, /recording: +\w+\(/);
});

test('a scenario written for another board is refused before anything runs, with the fix', async () => {
  assert.throws(
    () => recordScenario(join(REPO_ROOT, 'tests', 'qa', 'clamp.yaml'), BOARD.name, 'unused.wasm', '/nonexistent'),
    /clamp\.yaml: the scenario is for board ref-pen, the replay for stm32f405-tmc2209: give the file `board: stm32f405-tmc2209`/,
  );
});

test('the host compares call logs byte for byte and names the first line that differs', () => {
  assert.equal(firstDifference('tick\nnow_ticks() -> 16000\n', 'tick\nnow_ticks() -> 16000\n'), undefined);
  assert.equal(
    firstDifference('tick\nserial_write(79)\n', 'tick\nserial_write(69)\n'),
    'call log line 2:\n  simulator:      serial_write(79)\n  microcontroller: serial_write(69)',
  );
  assert.match(firstDifference('tick\n', 'tick\ntick\n')!, /line 2:\n  simulator: +\(end\)/);
});
