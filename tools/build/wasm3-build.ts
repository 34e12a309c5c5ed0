// The wasm3 replay harness (ports/wasm3/replay.c), built for the host with its C compiler: the release
// firmware.wasm as it is, not translated, in the wasm3 interpreter, fed a recording made in the
// simulator. A second runtime besides the port's wasm2c (docs/porting.md "wasm3 or WAMR"). wasm3's
// sources are vendored in third_party/wasm3 (MIT): neither Debian nor npm packages it.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';
import { halCallsHeader, missingTools } from './port-build.js';

/** the host's C compiler: Debian's gcc (.ci/run installs g++, which brings it) */
export const WASM3_CC = 'cc';
export const WASM3_SOURCE = join(REPO_ROOT, 'third_party', 'wasm3', 'source');
const HARNESS = join(REPO_ROOT, 'ports', 'wasm3', 'replay.c');
/** the recording's reader, shared with the STM32F405 port's harness */
const READER = join(REPO_ROOT, 'ports', 'replay_calls.h');
// -O2: the interpreter's operations chain by tail calls, which gcc turns into jumps only when
// optimizing; WASI and the libc bindings are not built
const FLAGS = ['-O2', '-std=gnu11', '-w', '-Dd_m3HasWASI=0'];

export class Wasm3Missing extends Error {}

/** Why the harness cannot be built here, or undefined when it can. */
export function wasm3Missing(): string | undefined {
  if (missingTools([WASM3_CC]).length)
    return `no C compiler (${WASM3_CC}): apt-get install --no-install-recommends gcc`;
  if (!existsSync(join(WASM3_SOURCE, 'wasm3.h'))) return `wasm3's sources are not in ${WASM3_SOURCE}`;
  return undefined;
}

/**
 * Builds build/wasm3/replay-wasm3, or leaves it when its sources, the HAL table and the flags are
 * those it was built from (a stamp of their hash next to it). Returns its path.
 */
export function buildWasm3Replay(): string {
  const why = wasm3Missing();
  if (why) throw new Wasm3Missing(`cannot build the wasm3 replay harness: ${why}`);
  const out = join(REPO_ROOT, 'build', 'wasm3');
  mkdirSync(out, { recursive: true });
  const header = halCallsHeader();
  const sources = [HARNESS, ...readdirSync(WASM3_SOURCE).filter((f) => f.endsWith('.c')).sort().map((f) => join(WASM3_SOURCE, f))];
  const hash = createHash('sha256');
  hash.update(FLAGS.join(' ')).update(header);
  for (const f of [...sources, READER, ...readdirSync(WASM3_SOURCE).filter((f) => f.endsWith('.h')).sort().map((f) => join(WASM3_SOURCE, f))])
    hash.update(f).update(readFileSync(f));
  const stamp = hash.digest('hex');
  const bin = join(out, 'replay-wasm3');
  const stampFile = `${bin}.sha256`;
  if (existsSync(bin) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return bin;
  writeFileSync(join(out, 'hal_calls.h'), header);
  // built to a temporary name and renamed: an interrupted build leaves no harness that looks built
  const tmp = `${bin}.tmp`;
  try {
    execFileSync(WASM3_CC, [...FLAGS, `-I${WASM3_SOURCE}`, `-I${join(REPO_ROOT, 'ports')}`, `-I${out}`, '-o', tmp, ...sources, '-lm'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${WASM3_CC} failed to build the wasm3 replay harness:\n${err.stderr || err.message}`);
  }
  renameSync(tmp, bin);
  writeFileSync(stampFile, stamp);
  return bin;
}

export interface Wasm3Replay {
  identical: boolean;
  /** what the harness printed: the counts, or the first difference */
  output: string;
  exitCode: number;
}

export const WASM3_REPLAY_TIMEOUT_MS = 300_000;

/** Replays one recording on the release module in wasm3; identical when every call matched. */
export function replayWasm3(harness: string, wasm: string, recording: string): Wasm3Replay {
  const p = spawnSync(harness, [wasm, recording], { encoding: 'utf8', timeout: WASM3_REPLAY_TIMEOUT_MS });
  if (p.error) throw new Error(`the wasm3 replay did not finish: ${p.error.message}`);
  const output = `${p.stdout ?? ''}${p.stderr ?? ''}`.trim();
  const exitCode = p.status ?? -1;
  return { identical: exitCode === 0 && output.startsWith('replay: identical'), output, exitCode };
}
