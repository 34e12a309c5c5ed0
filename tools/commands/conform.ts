// `pen conform [FILES or DIRS...] [--board NAME] [--runtime wasm2c|wasm3|wamr] [--tamper]`: record scenarios
// in the simulator and replay them on the board's microcontroller under QEMU (wasm2c), or on the host in
// the wasm3 or WAMR interpreter; the module must make the very same calls.
import { join } from 'node:path';
import { buildFirmware } from '../build/build.js';
import { buildPort, portDir, requireTools } from '../build/port-build.js';
import { recordScenario, replayRecording, tamperCheck, tamperedCopy, Replay, Recorded } from '../lib/conform.js';
import { buildHostReplay, replayOnHost, HostReplay, HostRuntime, HOST_RUNTIMES } from '../build/host-replay.js';
import { findScenarioFiles } from '../qa/scenario.js';
import { parseOptions, usageText, OptionSpec, UsageError } from '../lib/args.js';
import { boardOption } from '../lib/board-option.js';
import { snakeCaseKeys } from '../lib/json-keys.js';
import { REPO_ROOT } from '../../boards/paths.js';

const SPEC: OptionSpec = {
  board: {
    type: 'string',
    value: 'NAME',
    help: 'the board (default stm32f405-tmc2209); with wasm2c one with an "mcu" section',
  },
  runtime: {
    type: 'string',
    value: 'NAME',
    help: "wasm2c (default): the port's translated module on the microcontroller under QEMU, with each tick's instructions; wasm3 or wamr: the release firmware.wasm itself in that interpreter on this machine (calls only, no instruction counts)",
  },
  tamper: { type: 'boolean', help: 'also change one recorded input byte and show that the replay catches it' },
  json: { type: 'boolean', help: 'print the results as one JSON object' },
  'crypto-background': {
    type: 'boolean',
    help: "replay with ECDSA P-256 checks stepped after every tick, as the pen's main loop runs them",
  },
};
const USAGE = usageText(
  'conform [FILES or DIRS...]',
  `Record QA scenarios (default tests/port/) in the simulator, on each case's model as pen qa runs
them (the physical one by default), replay each on the board's microcontroller (the wasm2c build
of the same firmware.wasm, under qemu-system-arm -icount), and check that the firmware makes the
same HAL calls, byte for byte. Prints each scenario's worst
tick in instructions (the module's, the replay's stand-in HAL apart). Exits 0 only if every replay
is identical and no tick is over the board's tick_budget_instructions. With --runtime wasm3 or
--runtime wamr the release firmware.wasm itself runs in that interpreter on this machine (built
from third_party/ with the host's C compiler) and only the calls are compared.`,
  SPEC,
);

export interface ConformResult {
  scenario: Recorded;
  replay: Replay;
}

export async function conformCommand(argv: string[]): Promise<number> {
  const o = parseOptions(argv, SPEC, USAGE);
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  const runtime = (o.runtime as string | undefined) ?? 'wasm2c';
  if (runtime !== 'wasm2c' && !(HOST_RUNTIMES as readonly string[]).includes(runtime))
    throw new UsageError(
      `--runtime ${runtime}: give wasm2c (the port under QEMU), wasm3 or wamr (interpreters on this machine)`,
    );
  const board = boardOption((o.board as string | undefined) ?? 'stm32f405-tmc2209');
  const files = findScenarioFiles(o._.length ? o._ : [join(REPO_ROOT, 'tests', 'port')]);
  if (!files.length) throw new UsageError(`no scenario files in ${o._.join(' ') || 'tests/port'}`);
  if (runtime !== 'wasm2c') {
    if (o['crypto-background'])
      throw new UsageError(
        `--crypto-background runs on the port (--runtime wasm2c): the ${runtime} replay has no background steps`,
      );
    return conformOnHost(runtime as HostRuntime, board.name, files, o.tamper === true, o.json === true);
  }
  if (!board.mcu) throw new UsageError(`board ${board.name} has no "mcu" section: nothing to replay on`);
  requireTools(); // the port's compilers, and QEMU for the replay: missing ones are found before any work
  requireTools(['qemu-system-arm']);
  const fw = await buildFirmware(board.name);
  const background = o['crypto-background'] === true;
  const port = buildPort(board, fw.wasmPath, { cryptoBackground: background });
  const replayElf = background ? port.replayCryptoElf! : port.replayElf;
  const dir = join(portDir(board.name), 'conformance');
  const results: ConformResult[] = [];
  const budget = board.mcu.tick_budget_instructions ?? Infinity;
  let failed = 0;
  let overBudget = 0;
  for (const f of files) {
    const scenario = recordScenario(f, board.name, fw.wasmPath, dir);
    if (!o.json)
      process.stdout.write(`replaying ${scenario.name} (${scenario.ticks} ticks, ${scenario.calls} calls) ... `);
    const replay = replayRecording(replayElf, scenario.recording, budget);
    results.push({ scenario, replay });
    if (!replay.identical) failed++;
    if (replay.ticksOverBudget) overBudget++;
    if (!o.json) {
      console.log(
        replay.identical
          ? `identical; tick instructions: worst ${replay.tickMaxInstructions} (tick ${replay.tickMaxAt}; ${replay.tickMaxWithHalInstructions} with the replay's HAL), median ${replay.tickMedianInstructions}, p99 ${replay.tickP99Instructions}`
          : 'DIFFERENT',
      );
      if (replay.background)
        console.log(
          `  background: ${replay.background.checks} signature checks in ${replay.background.steps} steps, one after each tick; the longest step ${replay.background.stepMax} instructions`,
        );
      if (!replay.identical) console.log(indent(replay.output));
      if (replay.ticksOverBudget)
        console.log(`  ${replay.ticksOverBudget} ticks over the board's budget of ${budget} instructions`);
    }
  }
  let tamper: { caught: boolean; output: string } | undefined;
  if (o.tamper) tamper = tamperCheck(port.replayElf, results[0].scenario.recording);
  if (o.json) {
    console.log(
      JSON.stringify(
        snakeCaseKeys({ board: board.name, flash_bytes: port.flashBytes, ram_bytes: port.ramBytes, results, tamper }),
        null,
        2,
      ),
    );
  } else {
    console.log(
      `\n${results.length - failed} identical, ${failed} different (board ${board.name}, ${port.mcu.part}); ${overBudget ? `${overBudget} over` : 'all within'} the tick budget of ${budget} instructions`,
    );
    if (tamper)
      console.log(
        `tamper check: ${tamper.caught ? 'a changed input byte was caught' : 'A CHANGED INPUT BYTE WAS NOT CAUGHT'}\n${indent(tamper.output)}`,
      );
  }
  return failed || overBudget || (tamper && !tamper.caught) ? 1 : 0;
}

/** The same scenarios replayed on the release module in an interpreter on the host (the recordings under build/<runtime>/<board>). */
async function conformOnHost(
  runtime: HostRuntime,
  board: string,
  files: string[],
  tamper: boolean,
  json: boolean,
): Promise<number> {
  const harness = buildHostReplay(runtime); // a missing compiler is found before any scenario runs
  const fw = await buildFirmware(board);
  const dir = join(REPO_ROOT, 'build', runtime, board);
  const results: { scenario: Recorded; replay: HostReplay }[] = [];
  let failed = 0;
  for (const f of files) {
    const scenario = recordScenario(f, board, fw.wasmPath, dir);
    if (!json)
      process.stdout.write(
        `replaying ${scenario.name} in ${runtime} (${scenario.ticks} ticks, ${scenario.calls} calls) ... `,
      );
    const replay = replayOnHost(harness, fw.wasmPath, scenario.recording);
    results.push({ scenario, replay });
    if (!replay.identical) failed++;
    if (!json) {
      console.log(replay.identical ? 'identical' : 'DIFFERENT');
      if (!replay.identical) console.log(indent(replay.output));
    }
  }
  let tampered: { caught: boolean; output: string } | undefined;
  if (tamper) {
    const r = replayOnHost(harness, fw.wasmPath, tamperedCopy(results[0].scenario.recording));
    tampered = { caught: !r.identical, output: r.output };
  }
  if (json) console.log(JSON.stringify(snakeCaseKeys({ board, runtime, results, tamper: tampered }), null, 2));
  else {
    console.log(
      `\n${results.length - failed} identical, ${failed} different (board ${board}, ${runtime} on this machine)`,
    );
    if (tampered)
      console.log(
        `tamper check: ${tampered.caught ? 'a changed input byte was caught' : 'A CHANGED INPUT BYTE WAS NOT CAUGHT'}\n${indent(tampered.output)}`,
      );
  }
  return failed || (tampered && !tampered.caught) ? 1 : 0;
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
