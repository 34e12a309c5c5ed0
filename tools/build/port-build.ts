// Builds a board's C port: translates the release firmware.wasm with wasm2c and compiles two ELFs
// for the board's microcontroller with arm-none-eabi-gcc:
//   build/<board>/port/firmware.elf  the pen: the port's HAL on the real peripherals (ports/<port>/board/)
//   build/<board>/port/replay.elf    the same module fed a simulator recording under QEMU (replay.c)
//   build/<board>/port/slot_a/, slot_b/  firmware.elf, .bin, .hex: the pen's firmware linked to run
//                                    from a bootloader slot (ports/<port>/boot/), what `pen image sign` signs;
//                                    the same image runs on the part and under QEMU (board/fallbacks.c)
// All link the very same translated module and runtime, compiled once.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Board, Mcu } from '../../boards/board.js';
import { REPO_ROOT } from '../../boards/paths.js';
import { buildReplayCrypto, penCryptoFlags, penCryptoLinkFlags, penCryptoObjects } from './port-crypto.js';
import { HAL_CALLS as ABI_CALLS, HAL_ABI_VERSION, RECORDING } from '../../abi/pen-abi.js';

const { magic: MAGIC, formatVersion: FORMAT_VERSION, opInit: OP_INIT, opTick: OP_TICK, opEnd: OP_END } = RECORDING;
const HAL_CALLS = ABI_CALLS.map((c) => ({ name: c.name, args: c.params.length, ret: c.ret }));

export const PORT_PACKAGES = 'wabt gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm';
const BUILD_TOOLS = ['wasm2c', 'arm-none-eabi-gcc', 'arm-none-eabi-size', 'arm-none-eabi-objcopy'];
/** wasm-rt.h: Debian's wabt puts it here (its /usr/include copy is next to the host's headers). */
export const WASM2C_INCLUDE = ['/usr/src/wasm2c', '/usr/share/wabt/wasm2c'];
const STACK_BYTES = 8192;

export class PortToolsMissing extends Error {}

/** The tools the port needs that this machine lacks (empty when all are there). */
export function missingTools(tools: readonly string[] = BUILD_TOOLS): string[] {
  return tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
}

export function requireTools(tools: readonly string[] = BUILD_TOOLS): void {
  const missing = missingTools(tools);
  if (missing.length) {
    throw new PortToolsMissing(`${missing.join(', ')} not found: the board port needs Debian's ${PORT_PACKAGES} (apt-get install --no-install-recommends ${PORT_PACKAGES})`);
  }
}

export interface Section { name: string; bytes: number; region: 'flash' | 'ram' | 'flash+ram' }
export interface PortBuild {
  board: string;
  mcu: Mcu;
  elf: string;
  /** firmware.elf as a raw binary and as Intel HEX: what a flasher or `pen image sign` takes */
  bin: string;
  hex: string;
  replayElf: string;
  /** replay.elf with signature checks stepped after each tick (buildPort's cryptoBackground) */
  replayCryptoElf?: string;
  /** the board firmware linked for each bootloader slot: what `pen image sign --slot` takes */
  slots: Partial<Record<'a' | 'b', SlotBuild>>;
  sections: Section[];
  flashBytes: number;
  ramBytes: number;
}

export interface SlotBuild { elf: string; bin: string; hex: string }

/** The SECTIONS of the board's linker script, so a slot build lays the firmware out as the board build does. */
export function boardSectionsOf(script: string): string {
  const ld = readFileSync(script, 'utf8');
  const at = ld.indexOf('SECTIONS');
  if (at < 0) throw new Error(`${script} has no SECTIONS`);
  return `/* Copied from ${basename(script)} by tools/build/port-build.ts. */\n${ld.slice(at)}`;
}

export function portDir(board: string): string { return join(REPO_ROOT, 'build', board, 'port'); }

/**
 * Translates and compiles; `wasmPath` is the board's release firmware.wasm. `cryptoBackground` also
 * links replay-crypto.elf: the replay with signature checks stepped after each tick (port-crypto.ts).
 */
export function buildPort(board: Board, wasmPath: string, opts: { cryptoBackground?: boolean } = {}): PortBuild {
  const mcu = board.mcu;
  if (!mcu) throw new Error(`board ${board.name} has no "mcu" section: it runs only in the simulator`);
  requireTools();
  const src = join(REPO_ROOT, 'ports', mcu.port);
  const out = portDir(board.name);
  mkdirSync(out, { recursive: true });
  run('wasm2c', [wasmPath, '-n', 'firmware', '-o', join(out, 'firmware.c')]);
  writeFileSync(join(out, 'hal_calls.h'), halCallsHeader());
  writeFileSync(join(out, 'replay_imports.c'), replayImports());

  const cflags = [
    '-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16',
    '-O2', '-ffunction-sections', '-fdata-sections',
    '-fno-short-enums', // wasm2c's va_arg over its type enum needs int-sized enums
    '-DNDEBUG', '-DWASM_RT_MAX_CALL_STACK_DEPTH=100',
    `-DSTEP_QUEUE_LEN=${board.timing.step_queue_len}`, `-DCONTROL_HZ=${board.timing.control_hz}`,
    `-DCORE_HZ=${mcu.core_hz}`, `-DSTEP_TIMER_CLOCK_HZ=${mcu.step_timer.clock_hz}`, `-DSTEP_TIMER_PRESCALER=${mcu.step_timer.prescaler}`,
    `-DDRIVER_MICROSTEPS=${board.driver.microsteps}`, `-DSTALLGUARD_MIN_FULL_STEPS_S=${board.driver.stallguard_min_full_steps_s}`,
    ...(board.driver.stallguard_threshold !== undefined ? [`-DSTALLGUARD_THRESHOLD=${board.driver.stallguard_threshold}`] : []),
    ...(board.storage ? [`-DLOG_SECTORS=${board.storage.sectors}u`, `-DLOG_SECTOR_BYTES=${board.storage.sector_bytes}u`] : []),
    `-I${src}`, `-I${join(src, 'include')}`, `-I${join(REPO_ROOT, 'ports')}`, `-I${out}`, ...WASM2C_INCLUDE.map((d) => `-I${d}`),
  ];
  const ldflags = [
    '-nostartfiles', '--specs=nano.specs', '-Wl,--gc-sections',
    '-Wl,--no-enum-size-warning', '-Wl,--defsym=__heap_size=0', `-Wl,--defsym=__stack_size=${STACK_BYTES}`,
  ];
  for (const f of ['board/main.c', 'board/hal.c']) if (!existsSync(join(src, f))) throw new Error(`the ${mcu.port} port has no ${join(src, f)}`);
  // each source compiled once (firmware.c, the translated module, is most of the time), then linked
  // four ways: the replay build, the board firmware at the start of flash, and for each bootloader slot
  const shared = ['startup.c', 'syscalls.c', 'wasm-rt-mcu.c'].map((f) => join(src, f)).concat(join(out, 'firmware.c'));
  const replaySrc = [join(src, 'replay.c'), join(out, 'replay_imports.c')];
  // semihost.c: the board firmware writes an emulator's flash file when it finds no flash controller
  const boardSrc = readdirSync(join(src, 'board')).filter((f) => f.endsWith('.c')).sort().map((f) => join(src, 'board', f)).concat(join(src, 'semihost.c'));
  const objDir = join(out, 'obj');
  mkdirSync(objDir, { recursive: true });
  const obj = (f: string): string => join(objDir, basename(f).replace(/\.c$/, '.o'));
  run('arm-none-eabi-gcc', [...cflags, ...penCryptoFlags(), '-c', ...shared, ...replaySrc, ...boardSrc], objDir);
  const crypto = penCryptoObjects(join(out, 'mbedtls')); // the board's crypto HAL (board/crypto_*.c)
  const link = (sources: string[], script: string, elfFile: string, libDir?: string, extra: string[] = []): void => {
    run('arm-none-eabi-gcc', [...cflags, ...sources.map(obj), ...extra, ...ldflags, ...(libDir ? [`-L${libDir}`] : []), `-T${script}`, `-Wl,-Map=${elfFile}.map`, '-o', elfFile]);
  };
  const withCrypto = [...crypto, ...penCryptoLinkFlags()];
  const elf = join(out, 'firmware.elf');
  const replayElf = join(out, 'replay.elf');
  link([...shared, ...replaySrc, join(src, 'semihost.c')], join(src, `${mcu.port}.ld`), replayElf);
  if (opts.cryptoBackground)
    buildReplayCrypto(out, [...cflags, ...shared, ...replaySrc, join(src, 'semihost.c')], [...ldflags, `-T${join(src, `${mcu.port}.ld`)}`]);
  link([...shared, ...boardSrc], join(src, `${mcu.port}.ld`), elf, undefined, withCrypto);
  const bin = join(out, 'firmware.bin');
  const hex = join(out, 'firmware.hex');
  run('arm-none-eabi-objcopy', ['-O', 'binary', elf, bin]);
  run('arm-none-eabi-objcopy', ['-O', 'ihex', elf, hex]);
  // the same firmware linked to run in place from either slot of the bootloader (boot/slot_a.ld, slot_b.ld)
  const slots: Partial<Record<'a' | 'b', SlotBuild>> = {};
  const slotScripts = join(src, 'boot');
  if (existsSync(join(slotScripts, 'slot_a.ld'))) {
    writeFileSync(join(out, 'stm32f405_sections.ld'), boardSectionsOf(join(src, `${mcu.port}.ld`)));
    for (const slot of ['a', 'b'] as const) {
      const dir = join(out, `slot_${slot}`);
      mkdirSync(dir, { recursive: true });
      const s = { elf: join(dir, 'firmware.elf'), bin: join(dir, 'firmware.bin'), hex: join(dir, 'firmware.hex') };
      link([...shared, ...boardSrc], join(slotScripts, `slot_${slot}.ld`), s.elf, out, withCrypto);
      run('arm-none-eabi-objcopy', ['-O', 'binary', s.elf, s.bin]);
      run('arm-none-eabi-objcopy', ['-O', 'ihex', s.elf, s.hex]);
      slots[slot] = s;
    }
  }

  const sections = elfSections(elf);
  const flashBytes = sections.filter((s) => s.region !== 'ram').reduce((a, s) => a + s.bytes, 0);
  const ramBytes = sections.filter((s) => s.region !== 'flash').reduce((a, s) => a + s.bytes, 0);
  const replayCryptoElf = opts.cryptoBackground ? join(out, 'replay-crypto.elf') : undefined;
  return { board: board.name, mcu, elf, bin, hex, replayElf, replayCryptoElf, slots, sections, flashBytes, ramBytes };
}

/** Allocated sections of an ELF with where they live: .data takes flash (its initial values) and RAM. */
export function elfSections(elf: string): Section[] {
  const text = run('arm-none-eabi-size', ['-A', elf]);
  const out: Section[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\.\S+)\s+(\d+)\s+(\d+)/.exec(line);
    if (!m || m[2] === '0') continue;
    const [name, bytes, addr] = [m[1], Number(m[2]), Number(m[3])];
    if (addr === 0) continue; // debug and comment sections are not loaded
    const inFlash = addr >= 0x08000000 && addr < 0x10000000;
    out.push({ name, bytes, region: name === '.data' ? 'flash+ram' : inFlash ? 'flash' : 'ram' });
  }
  return out;
}

function run(cmd: string, args: string[], cwd?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${cmd} failed:\n${err.stderr || err.stdout || err.message}`);
  }
}

/** The recording's opcodes and the HAL table as C, from host-sim/recording.ts (one source for both sides). */
export function halCallsHeader(): string {
  const rets = HAL_CALLS.map((c) => (c.ret === 'void' ? 'RET_VOID' : c.ret === 'i32' ? 'RET_I32' : 'RET_I64'));
  return `/* Generated by tools/build/port-build.ts from host-sim/recording.ts: do not edit. */
#ifndef HAL_CALLS_H
#define HAL_CALLS_H
#include <stdint.h>
#define HAL_ABI_VERSION ${HAL_ABI_VERSION}
#define REC_MAGIC "${MAGIC}"
#define REC_VERSION ${FORMAT_VERSION}
#define REC_OP_INIT 0x${OP_INIT.toString(16)}
#define REC_OP_TICK 0x${OP_TICK.toString(16)}
#define REC_OP_END 0x${OP_END.toString(16)}
#define HAL_CALL_COUNT ${HAL_CALLS.length}
enum { RET_VOID, RET_I32, RET_I64 };
enum {
${HAL_CALLS.map((c, i) => `  OP_${c.name} = ${i},`).join('\n')}
};
static const char *const hal_call_name[HAL_CALL_COUNT] = { ${HAL_CALLS.map((c) => `"${c.name}"`).join(', ')} };
static const uint8_t hal_call_args[HAL_CALL_COUNT] = { ${HAL_CALLS.map((c) => c.args).join(', ')} };
static const uint8_t hal_call_ret[HAL_CALL_COUNT] = { ${rets.join(', ')} };
#endif
`;
}

/** Every HAL import of the replay build: hand the call to replay_take(), return what the recording says. */
function replayImports(): string {
  const fns = HAL_CALLS.map((c) => {
    const params = Array.from({ length: c.args }, (_, i) => `, u32 a${i}`).join('');
    const argv = c.args ? `const int32_t a[${c.args}] = { ${Array.from({ length: c.args }, (_, i) => `(int32_t)a${i}`).join(', ')} };\n  ` : '';
    const call = `replay_take(OP_${c.name}, ${c.args ? 'a' : '0'})`;
    const type = c.ret === 'void' ? 'void' : c.ret === 'i32' ? 'u32' : 'u64';
    const body = c.name === 'panic' ? `${call};\n  replay_panic();`
      : c.ret === 'void' ? `${call};` : `return (${type})${call};`;
    return `${type} Z_halZ_${c.name}(struct Z_hal_instance_t *h${params}) {\n  (void)h;\n  ${argv}${body}\n}`;
  });
  return `/* Generated by tools/build/port-build.ts from host-sim/recording.ts: do not edit. */
#include <stdint.h>
#include "firmware.h"
#include "hal_calls.h"

int64_t replay_take(uint8_t op, const int32_t *args);
void replay_panic(void) __attribute__((noreturn));

${fns.join('\n\n')}
`;
}
