// Record and replay conformance: a QA scenario runs in the simulator with every HAL call recorded;
// the board port's replay build runs the translated module on the Cortex-M4 under QEMU, fed the
// recorded inputs, and must make the very same calls. Also counts each tick's instructions
// (QEMU -icount: one virtual nanosecond per instruction, read from TIM2). The budget counts the
// module's instructions: on the board, or under an interpreter 15 times slower, the HAL's work is
// native code outside the module; the replay's own stand-in HAL (finding and checking each recorded
// call) is counted apart.
// In lib/, not build/: it runs scenarios in the simulator, and the build must not depend on the simulator.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Recorder } from '../../host-sim/recorder.js';
import { callLog, decodeRecording, returnOffsets } from '../../host-sim/recording.js';
import { loadScenario, Case } from '../qa/scenario.js';
import { runCase } from '../qa/run-case.js';
import { pensOf } from '../qa/tolerance.js';
import { loadBoard } from '../../boards/board.js';
import { requireTools } from '../build/port-build.js';

export interface Recorded {
  name: string;
  file: string;
  recording: string;
  calls: number;
  ticks: number;
  inits: number;
}

/**
 * Runs a one-case scenario file for `board` with the recorder on; writes `<dir>/<file>.penrec`. The
 * case must pass: a run that fails in the simulator proves nothing on the microcontroller.
 */
export function recordScenario(file: string, board: string, wasm: string, dir: string): Recorded {
  const cases = loadScenario(file);
  if (cases.length !== 1)
    throw new Error(`${file}: a conformance scenario is one case, not a matrix (${cases.length} cases)`);
  const c: Case = cases[0];
  if (c.board !== board)
    throw new Error(
      `${file}: the scenario is for board ${c.board}, the replay for ${board}: give the file \`board: ${board}\``,
    );
  const rec = new Recorder();
  // on the case's model, as pen qa runs it (the physical one where the board has a physics block):
  // the calls do not depend on the mechanism, but which of the firmware's paths a tick takes does,
  // and the tick budget is for the paths a pen takes (the depth trim's strokes, the encoder's bottoms)
  const pen = pensOf(loadBoard(c.board), c.model, 1, c.seed)[0].board;
  const r = runCase(c, wasm, rec, pen);
  if (r.status !== 'passed')
    throw new Error(`${file}: the scenario fails in the simulator, so there is nothing to replay: ${r.message}`);
  mkdirSync(dir, { recursive: true });
  const recording = join(dir, `${basename(file).replace(/\.ya?ml$/, '')}.penrec`);
  writeFileSync(recording, rec.bytes());
  return { name: c.name, file, recording, calls: rec.calls, ticks: rec.ticks, inits: rec.inits };
}

export interface Replay {
  identical: boolean;
  /** what the replay printed (the first difference, when there is one) */
  output: string;
  exitCode: number;
  ticks: number;
  /** the worst tick: the module's instructions (with its wasm2c runtime), the replay's stand-in HAL left out */
  tickMaxInstructions: number;
  tickMaxAt: number;
  /** the worst tick with the replay's stand-in HAL counted too */
  tickMaxWithHalInstructions: number;
  initMaxInstructions: number;
  tickMedianInstructions: number;
  tickP99Instructions: number;
  /** ticks over `budgetInstructions` (the board's tick_budget_instructions) */
  ticksOverBudget: number;
  stackBytes: number;
  /** the replay with signature checks after each tick (replay-crypto.elf): its steps, in instructions */
  background?: { steps: number; stepMax: number; total: number; checks: number };
}

export const REPLAY_TIMEOUT_MS = 300_000;

/** Replays one recording on replay.elf under qemu-system-arm; compares the call log byte for byte. */
export function replayRecording(replayElf: string, recording: string, budgetInstructions = Infinity): Replay {
  requireTools(['qemu-system-arm']);
  const dir = dirname(recording);
  const stem = basename(recording, '.penrec');
  const log = `${stem}.calls.txt`;
  // semihosting opens paths relative to QEMU's working directory; the harness splits its command line at spaces
  const p = spawnSync(
    'qemu-system-arm',
    [
      '-M',
      'netduinoplus2',
      '-nographic',
      '-monitor',
      'none',
      '-serial',
      'none',
      '-icount',
      'shift=0',
      '-semihosting-config',
      `enable=on,target=native,arg=replay.elf,arg=${basename(recording)},arg=${log},arg=${stem}.ticks.bin`,
      '-kernel',
      replayElf,
    ],
    { cwd: dir, encoding: 'utf8', timeout: REPLAY_TIMEOUT_MS },
  );
  const output = `${p.stdout ?? ''}${p.stderr ?? ''}`.trim();
  if (p.error) throw new Error(`qemu-system-arm did not finish: ${p.error.message}`);
  const code = p.status ?? -1;
  const num = (key: string): number => Number(new RegExp(`${key}=(\\d+)`).exec(output)?.[1] ?? NaN);
  let identical = code === 0;
  let detail = output;
  if (identical) {
    // the harness checks each call as it comes; this checks its log against the simulator's, byte for byte
    const expected = callLog(decodeRecording(readFileSync(recording)));
    const got = readFileSync(join(dir, log), 'utf8');
    const diff = firstDifference(expected, got);
    if (diff) {
      identical = false;
      detail = `${output}\n${diff}`;
    }
  }
  const ticks = num('ticks');
  const { module: counts } = code === 0 ? tickCounts(join(dir, `${stem}.ticks.bin`)) : { module: [] };
  const sorted = [...counts].sort((x, y) => x - y);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return {
    identical,
    output: detail,
    exitCode: code,
    ticks,
    tickMaxInstructions: num('tick_max'),
    tickMaxAt: num('tick_max_at'),
    initMaxInstructions: num('init_max'),
    tickMaxWithHalInstructions: num('tick_max_with_hal'),
    tickMedianInstructions: at(0.5),
    tickP99Instructions: at(0.99),
    ticksOverBudget: counts.filter((c) => c > budgetInstructions).length,
    stackBytes: num('stack_used'),
    ...(/background: steps=/.test(output)
      ? { background: { steps: num('steps'), stepMax: num('step_max'), total: num('total'), checks: num('checks') } }
      : {}),
  };
}

/**
 * Changes the value one serial_read returned in a recording (the first received byte) and replays
 * it: the firmware then answers differently, and the replay must stop at the first differing call.
 */
export function tamperCheck(replayElf: string, recording: string): { caught: boolean; output: string } {
  const r = replayRecording(replayElf, tamperedCopy(recording));
  return { caught: !r.identical, output: r.output };
}

/** A copy of the recording with one recorded input changed (see tamperCheck); returns its path. */
export function tamperedCopy(recording: string): string {
  const bytes = readFileSync(recording);
  const at =
    returnOffsets(bytes, 'serial_read').find((p) => bytes.readInt32LE(p) >= 0) ??
    returnOffsets(bytes, 'buttons_raw').at(-1);
  if (at === undefined) throw new Error(`${recording}: no recorded input to change`);
  const changed = Buffer.from(bytes);
  changed.writeInt32LE(changed.readInt32LE(at) ^ 0x01, at);
  const path = recording.replace(/\.penrec$/, '.tampered.penrec');
  writeFileSync(path, changed);
  return path;
}

/** Instructions of each tick, as the replay wrote them: u32 little-endian pairs (module, with HAL). */
function tickCounts(path: string): { module: number[]; withHal: number[] } {
  const b = readFileSync(path);
  const module: number[] = [];
  const withHal: number[] = [];
  for (let i = 0; i + 8 <= b.length; i += 8) {
    module.push(b.readUInt32LE(i));
    withHal.push(b.readUInt32LE(i + 4));
  }
  return { module, withHal };
}

/** The first line where two call logs part, with its number; undefined when they are equal. */
export function firstDifference(expected: string, got: string): string | undefined {
  if (expected === got) return undefined;
  const lines = (s: string): string[] => {
    const l = s.split('\n');
    if (l.at(-1) === '') l.pop();
    return l;
  };
  const a = lines(expected);
  const b = lines(got);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i])
      return `call log line ${i + 1}:\n  simulator:      ${a[i] ?? '(end)'}\n  microcontroller: ${b[i] ?? '(end)'}`;
  }
  return 'the call logs differ in their last newline';
}
