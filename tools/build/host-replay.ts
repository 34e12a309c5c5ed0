// The interpreters' replay harnesses (ports/wasm3/replay.c, ports/wamr/replay.c), built for the host
// with its C compiler: the release firmware.wasm as it is, not translated, in wasm3 or in WAMR's
// classic interpreter, fed a recording made in the simulator. The two runtimes besides the port's
// wasm2c that a board may use (docs/porting.md "wasm3 or WAMR"). Their sources are vendored in
// third_party/ (MIT; Apache-2.0 with the LLVM exception): neither Debian nor npm packages them.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';
import { halCallsHeader, missingTools } from './port-build.js';

/** the host's C compiler: Debian's gcc (.ci/run installs g++, which brings it) */
export const HOST_CC = 'cc';
export const HOST_RUNTIMES = ['wasm3', 'wamr'] as const;
export type HostRuntime = (typeof HOST_RUNTIMES)[number];

const PORTS = join(REPO_ROOT, 'ports');
const WASM3 = join(REPO_ROOT, 'third_party', 'wasm3', 'source');
const WAMR = join(REPO_ROOT, 'third_party', 'wamr', 'core');

/** WAMR's name for the host's architecture (its build-scripts' WAMR_BUILD_TARGET) */
function wamrTarget(): string {
  const t = ({ x64: 'X86_64', arm64: 'AARCH64', ia32: 'X86_32' } as Record<string, string>)[process.arch];
  if (!t) throw new Error(`the WAMR replay harness is set up for x64, arm64 and ia32 hosts, not ${process.arch}`);
  return t;
}

interface HarnessBuild {
  /** C sources, the harness's first */
  sources: string[];
  includes: string[];
  flags: string[];
  /** libraries linked after the sources */
  libs: string[];
  /** the runtime's vendored tree (all of it goes into the build's stamp) */
  root: string;
  /** a file whose presence says the runtime's sources are there */
  marker: string;
}

function harnessBuild(runtime: HostRuntime): HarnessBuild {
  if (runtime === 'wasm3') {
    return {
      sources: [
        join(PORTS, 'wasm3', 'replay.c'),
        ...readdirSync(WASM3)
          .filter((f) => f.endsWith('.c'))
          .sort()
          .map((f) => join(WASM3, f)),
      ],
      includes: [WASM3],
      // -O2: the interpreter's operations chain by tail calls, which gcc turns into jumps only when
      // optimizing; WASI and the libc bindings are not built
      flags: ['-O2', '-std=gnu11', '-w', '-Dd_m3HasWASI=0'],
      libs: ['-lm'],
      root: WASM3,
      marker: join(WASM3, 'wasm3.h'),
    };
  }
  // the classic interpreter alone, as WAMR's CMake options WAMR_BUILD_INTERP=1, FAST_INTERP=0, AOT=0,
  // JIT=0, LIBC_BUILTIN=0, LIBC_WASI=0 (bulk memory on, its default) build it for Linux
  const c = (p: string): string => join(WAMR, p);
  return {
    sources: [
      join(PORTS, 'wamr', 'replay.c'),
      ...[
        'iwasm/common/arch/invokeNative_general.c',
        'iwasm/common/wasm_application.c',
        'iwasm/common/wasm_blocking_op.c',
        'iwasm/common/wasm_c_api.c',
        'iwasm/common/wasm_exec_env.c',
        'iwasm/common/wasm_loader_common.c',
        'iwasm/common/wasm_memory.c',
        'iwasm/common/wasm_native.c',
        'iwasm/common/wasm_runtime_common.c',
        'iwasm/common/wasm_shared_memory.c',
        'iwasm/interpreter/wasm_interp_classic.c',
        'iwasm/interpreter/wasm_loader.c',
        'iwasm/interpreter/wasm_runtime.c',
        'shared/mem-alloc/ems/ems_alloc.c',
        'shared/mem-alloc/ems/ems_gc.c',
        'shared/mem-alloc/ems/ems_hmu.c',
        'shared/mem-alloc/ems/ems_kfc.c',
        'shared/mem-alloc/mem_alloc.c',
        'shared/platform/common/posix/posix_blocking_op.c',
        'shared/platform/common/posix/posix_malloc.c',
        'shared/platform/common/posix/posix_memmap.c',
        'shared/platform/common/posix/posix_sleep.c',
        'shared/platform/common/posix/posix_thread.c',
        'shared/platform/common/posix/posix_time.c',
        'shared/platform/linux/platform_init.c',
        'shared/utils/bh_assert.c',
        'shared/utils/bh_bitmap.c',
        'shared/utils/bh_common.c',
        'shared/utils/bh_hashmap.c',
        'shared/utils/bh_leb128.c',
        'shared/utils/bh_list.c',
        'shared/utils/bh_log.c',
        'shared/utils/bh_queue.c',
        'shared/utils/bh_vector.c',
        'shared/utils/runtime_timer.c',
      ].map(c),
    ],
    includes: [
      WAMR,
      c('iwasm/include'),
      c('iwasm/common'),
      c('iwasm/interpreter'),
      c('iwasm/aot'),
      c('shared/utils'),
      c('shared/mem-alloc'),
      c('shared/platform/linux'),
      c('shared/platform/include'),
      c('shared/platform/common/posix'),
    ],
    flags: [
      '-O2',
      '-std=gnu11',
      '-w',
      '-D_GNU_SOURCE',
      '-DBH_PLATFORM_LINUX',
      `-DBUILD_TARGET_${wamrTarget()}`,
      '-DWASM_ENABLE_INTERP=1',
      '-DWASM_ENABLE_FAST_INTERP=0',
      '-DWASM_ENABLE_AOT=0',
      '-DWASM_ENABLE_JIT=0',
      '-DWASM_ENABLE_LIBC_BUILTIN=0',
      '-DWASM_ENABLE_LIBC_WASI=0',
      '-DWASM_ENABLE_BULK_MEMORY=1',
      '-DWASM_ENABLE_BULK_MEMORY_OPT=1',
      '-DWASM_ENABLE_SHARED_MEMORY=0',
      '-DWASM_ENABLE_THREAD_MGR=0',
      '-DWASM_ENABLE_MULTI_MODULE=0',
      '-DWASM_ENABLE_MINI_LOADER=0',
      '-DBH_MALLOC=wasm_runtime_malloc',
      '-DBH_FREE=wasm_runtime_free',
    ],
    libs: ['-lm', '-lpthread'],
    root: WAMR,
    marker: c('iwasm/include/wasm_export.h'),
  };
}

export class HostRuntimeMissing extends Error {}

/** Why a runtime's harness cannot be built here, or undefined when it can. */
export function hostRuntimeMissing(runtime: HostRuntime): string | undefined {
  if (missingTools([HOST_CC]).length) return `no C compiler (${HOST_CC}): apt-get install --no-install-recommends gcc`;
  const b = harnessBuild(runtime);
  if (!existsSync(b.marker)) return `${runtime}'s sources are not in ${join('third_party', runtime)}`;
  return undefined;
}

/** Every file under dir, sorted (what the harness's stamp hashes: headers included). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []))
    .sort();
}

/**
 * Builds build/<runtime>/replay-<runtime>, or leaves it when its sources, headers, the HAL table and
 * the flags are those it was built from (a stamp of their hash next to it). Returns its path.
 */
export function buildHostReplay(runtime: HostRuntime): string {
  const why = hostRuntimeMissing(runtime);
  if (why) throw new HostRuntimeMissing(`cannot build the ${runtime} replay harness: ${why}`);
  const b = harnessBuild(runtime);
  const out = join(REPO_ROOT, 'build', runtime);
  mkdirSync(out, { recursive: true });
  const header = halCallsHeader();
  const hash = createHash('sha256').update(b.flags.join(' ')).update(header);
  for (const f of [b.sources[0], join(PORTS, 'replay_calls.h'), join(PORTS, 'host_replay.h'), ...filesUnder(b.root)])
    hash.update(f).update(readFileSync(f));
  const stamp = hash.digest('hex');
  const bin = join(out, `replay-${runtime}`);
  const stampFile = `${bin}.sha256`;
  if (existsSync(bin) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return bin;
  writeFileSync(join(out, 'hal_calls.h'), header);
  // built to a temporary name and renamed: an interrupted build leaves no harness that looks built
  const tmp = `${bin}.tmp`;
  const args = [...b.flags, ...[...b.includes, PORTS, out].map((d) => `-I${d}`), '-o', tmp, ...b.sources, ...b.libs];
  try {
    execFileSync(HOST_CC, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 24 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${HOST_CC} failed to build the ${runtime} replay harness:\n${err.stderr || err.message}`);
  }
  renameSync(tmp, bin);
  writeFileSync(stampFile, stamp);
  return bin;
}

export interface HostReplay {
  identical: boolean;
  /** what the harness printed: the counts, or the first difference */
  output: string;
  exitCode: number;
}

export const HOST_REPLAY_TIMEOUT_MS = 300_000;

/** Replays one recording on the release module in an interpreter's harness; identical when every call matched. */
export function replayOnHost(harness: string, wasm: string, recording: string): HostReplay {
  const p = spawnSync(harness, [wasm, recording], { encoding: 'utf8', timeout: HOST_REPLAY_TIMEOUT_MS });
  if (p.error) throw new Error(`the replay in ${harness} did not finish: ${p.error.message}`);
  const output = `${p.stdout ?? ''}${p.stderr ?? ''}`.trim();
  const exitCode = p.status ?? -1;
  return { identical: exitCode === 0 && output.startsWith('replay: identical'), output, exitCode };
}
