// The crypto of the STM32F405 port's HAL: mbedTLS from Debian's source package (the bootloader's
// tree, ports/crypto/get-mbedtls.sh) built with ports/crypto/mbedtls_pen_config.h (restartable ECC),
// the engine (ports/stm32f405/board/crypto_engine.c), and its measurement under QEMU
// (ports/crypto/crypto_bench.c: a P-256 signature check slice by slice, instructions counted).
import { createECDH, createHash, createHmac, createPrivateKey, sign, KeyObject } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';
import { MBEDTLS_SOURCES, mbedtlsTree } from './boot-build.js';
import { HAL_CALLS } from '../../abi/pen-abi.js';
import { WASM2C_INCLUDE } from './port-build.js';

export const CRYPTO_DIR = join(REPO_ROOT, 'ports', 'crypto');
const PORT_DIR = join(REPO_ROOT, 'ports', 'stm32f405');
const ARM = ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'];
/** mbedTLS in the pen: smaller than the bootloader's -O2 (the firmware's flash budget is tighter) */
const CRYPTO_ARM_FLAGS = ['-Os', '-ffunction-sections', '-fdata-sections', '-fno-short-enums'];

function run(cmd: string, args: string[], cwd?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${cmd} failed:\n${err.stderr || err.stdout || err.message}`);
  }
}

/** The compiler flags that find mbedTLS's headers and the pen's configuration. */
export function penCryptoFlags(tree = mbedtlsTree()): string[] {
  return [`-I${join(tree, 'include')}`, `-I${CRYPTO_DIR}`, '-DMBEDTLS_CONFIG_FILE="mbedtls_pen_config.h"'];
}

/**
 * Linker flags that keep the HAL's crypto imports (board/crypto_hal.c) in the board ELF even while the
 * module does not import them yet, so the flash and RAM figures are those of the whole crypto HAL.
 */
export function penCryptoLinkFlags(): string[] {
  return [...HAL_CALLS.filter((c) => c.name.startsWith('crypto_')).map((c) => `-Wl,--undefined=Z_halZ_${c.name}`), ...CRYPTO_WRAP];
}

/**
 * mbedTLS's allocations go through the engine (board/crypto_engine.c), which gives the tick's point
 * checks an arena of their own: every link of crypto_engine.c takes these.
 */
export const CRYPTO_WRAP = ['-Wl,--wrap=mbedtls_calloc', '-Wl,--wrap=mbedtls_free'];

const mtime = (f: string): number => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? -1;

/**
 * mbedTLS's modules compiled for the Cortex-M4 with the pen's configuration, into `out`; the object
 * files. An object newer than its source and the configuration is kept (the library never changes
 * between builds).
 */
export function penCryptoObjects(out: string): string[] {
  const tree = mbedtlsTree();
  mkdirSync(out, { recursive: true });
  const config = mtime(join(CRYPTO_DIR, 'mbedtls_pen_config.h'));
  return MBEDTLS_SOURCES.map((m) => {
    const o = join(out, `mbedtls-${m}.o`);
    const src = join(tree, 'library', `${m}.c`);
    if (mtime(o) > Math.max(config, mtime(src))) return o;
    run('arm-none-eabi-gcc', [...ARM, ...CRYPTO_ARM_FLAGS, ...penCryptoFlags(tree), '-c', join(tree, 'library', `${m}.c`), '-o', o]);
    return o;
  });
}

const hex = (b: Buffer): string => [...b].map((x) => `0x${x.toString(16).padStart(2, '0')}`).join(', ');
const cArray = (name: string, b: Buffer): string => `static const uint8_t ${name}[${b.length}] = { ${hex(b)} };`;

/** A P-256 key from a fixed scalar, so the vectors and the key's bytes are the same at every build. */
export function fixedKey(seed: string): { priv: KeyObject; pub: Buffer } {
  const d = createHash('sha256').update(seed).digest();
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey(); // 0x04 || x || y
  const jwk = { kty: 'EC', crv: 'P-256', d: d.toString('base64url'), x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') };
  return { priv: createPrivateKey({ key: jwk, format: 'jwk' }), pub: point.subarray(1) };
}

/** crypto_vectors.h: a message, a key, its signature and the ways one can be wrong. */
export function cryptoVectorsHeader(): string {
  const key = fixedKey('pen crypto bench key');
  const other = fixedKey('another maker key');
  const imported = fixedKey('a key the module imports');
  const msg = Buffer.from('cartridge certificate: type 1, 12 needles, lot 42, serial 1234, key ...'.padEnd(256, '.'), 'latin1');
  const macKey = createHash('sha256').update('clinic mac key').digest();
  const mac = createHmac('sha256', macKey).update(msg).digest();
  const sig = sign('sha256', msg, { key: key.priv, dsaEncoding: 'ieee-p1363' });
  const bad = Buffer.from(sig);
  bad[40] ^= 0x01;
  const offCurve = Buffer.from(key.pub);
  offCurve[63] ^= 0x01;
  return `/* Generated by tools/build/port-crypto.ts with node:crypto: do not edit. */
#include <stdint.h>
${cArray('vec_abc', Buffer.from('abc'))}
${cArray('vec_abc_sha256', createHash('sha256').update('abc').digest())}
${cArray('vec_msg', msg)}
${cArray('vec_pub', key.pub)}
${cArray('vec_other_pub', other.pub)}
${cArray('vec_off_curve_pub', offCurve)}
${cArray('vec_sig', sig)}
${cArray('vec_sig_bad', bad)}
${cArray('vec_mac_key', macKey)}
${cArray('vec_import_pub', imported.pub)}
${cArray('vec_import_sig', sign('sha256', msg, { key: imported.priv, dsaEncoding: 'ieee-p1363' }))}
${cArray('vec_mac', mac)}
`;
}

export interface CryptoJob {
  job: string;
  /** pen_abi.h's CRYPTO_OK or CRYPTO_E_* */
  result: number;
  slices: number;
  total: number;
  sliceMax: number;
  arenaPeak: number;
  /** slices over 84,000 instructions (0.5 ms at 168 MHz) */
  slicesLong: number;
}
export interface CryptoBench {
  ok: boolean;
  output: string;
  jobs: CryptoJob[];
}

/** Builds ports/crypto/crypto_bench.c for the Cortex-M4 and runs it under QEMU -icount. */
export function runCryptoBench(out: string): CryptoBench {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'crypto_vectors.h'), cryptoVectorsHeader());
  const objs = penCryptoObjects(join(out, 'mbedtls'));
  const elf = join(out, 'crypto_bench.elf');
  run('arm-none-eabi-gcc', [
    ...ARM, '-O2', '-std=c11', '-ffunction-sections', '-fdata-sections', '-fno-short-enums', '-Wall', '-Wextra',
    ...penCryptoFlags(), `-I${join(PORT_DIR, 'board')}`, `-I${PORT_DIR}`, `-I${out}`,
    ...(process.env.CRYPTO_MAX_OPS ? [`-DCRYPTO_MAX_OPS=${process.env.CRYPTO_MAX_OPS}u`] : []),
    `-I${join(REPO_ROOT, 'ports')}`, join(CRYPTO_DIR, 'crypto_bench.c'), join(PORT_DIR, 'board', 'crypto_engine.c'),
    join(PORT_DIR, 'startup.c'), join(PORT_DIR, 'semihost.c'), join(PORT_DIR, 'syscalls.c'), ...objs,
    '-nostartfiles', '--specs=nano.specs', `-T${join(PORT_DIR, 'stm32f405.ld')}`, '-Wl,--gc-sections',
    '-Wl,--no-enum-size-warning', '-Wl,--defsym=__heap_size=0', '-Wl,--defsym=__stack_size=8192', ...CRYPTO_WRAP, '-o', elf,
  ]);
  const p = spawnSync('qemu-system-arm', [
    '-M', 'netduinoplus2', '-nographic', '-monitor', 'none', '-serial', 'none', '-icount', 'shift=0',
    '-semihosting-config', 'enable=on,target=native', '-kernel', elf,
  ], { encoding: 'utf8', timeout: 300_000 });
  if (p.error) throw new Error(`qemu-system-arm did not finish: ${p.error.message}`);
  const output = `${p.stdout ?? ''}${p.stderr ?? ''}`.trim();
  const jobs: CryptoJob[] = [];
  for (const m of output.matchAll(/^job=(\S+) result=(\d+) slices=(\d+) total=(\d+) slice_max=(\d+) arena_peak=(\d+) slices_long=(\d+)/gm)) {
    jobs.push({ job: m[1], result: -m[2] || 0, slices: +m[3], total: +m[4], sliceMax: +m[5], arenaPeak: +m[6], slicesLong: +m[7] });
  }
  return { ok: p.status === 0, output, jobs };
}

/**
 * The tick bench runs QEMU at 2^3 = 8 ns an instruction (125 million a second): no faster than the
 * Cortex-M4 at 168 MHz runs the same code, so a step keeps at least its real length against the
 * 1 ms tick (at -icount shift=0, 1 ns, the longest step would fit in a tick and no delay would show).
 */
export const TICK_BENCH_ICOUNT_SHIFT = 3;

export interface TickBench {
  ok: boolean;
  output: string;
  /** SysTick's period (the control tick) in ns of virtual time, and in instructions */
  periodNs?: number;
  period?: number;
  /** the latest a tick started after it was due while a check ran, in ns and in instructions */
  checkLateMaxNs?: number;
  checkLateMax?: number;
  /** the longest time between two tick starts while a check ran, in ns */
  gapMaxNs?: number;
  /** ticks a P-256 check took in the background */
  checkTicks?: number;
  /** pen_abi.h codes: a good signature, a bad one, a cancelled handle polled, the check after a cancel */
  good?: number;
  bad?: number;
  cancel?: number;
  afterCancel?: number;
  /** starts taken while a cancelled check was finishing its step (of CRYPTO_MAX_OPERATIONS slots) */
  busyWhileCancelling?: number;
  /** IPSR where the trap ended (15: SysTick) */
  trapIpsr?: number;
  stack?: number;
  tickArenaPeak?: number;
}

/**
 * ports/crypto/tick_bench/tick_bench.c: the board's main loop (board/main.c) and crypto HAL with a
 * module in C, under QEMU -icount; signature checks in the background while ticks run, a cancel
 * half-way, a trap in a tick. `mainC` replaces board/main.c (to measure another main loop).
 */
export function runTickBench(out: string, mainC = join(PORT_DIR, 'board', 'main.c')): TickBench {
  const shift = TICK_BENCH_ICOUNT_SHIFT;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'crypto_vectors.h'), cryptoVectorsHeader());
  const objs = penCryptoObjects(join(out, 'mbedtls'));
  const elf = join(out, 'tick_bench.elf');
  const board = join(PORT_DIR, 'board');
  run('arm-none-eabi-gcc', [
    ...ARM, '-O2', '-std=gnu11', '-ffunction-sections', '-fdata-sections', '-fno-short-enums', '-Wall', '-Wextra',
    '-DNDEBUG', '-DWASM_RT_MAX_CALL_STACK_DEPTH=100', '-DBOARD_EMULATED',
    `-I${join(CRYPTO_DIR, 'tick_bench')}`, ...penCryptoFlags(), `-I${board}`, `-I${PORT_DIR}`, `-I${join(PORT_DIR, 'include')}`,
    `-I${join(REPO_ROOT, 'ports')}`, `-I${out}`, ...WASM2C_INCLUDE.map((d) => `-I${d}`),
    join(CRYPTO_DIR, 'tick_bench', 'tick_bench.c'), mainC,
    ...['crypto_hal.c', 'crypto_engine.c', 'crypto_keys.c'].map((f) => join(board, f)),
    ...['startup.c', 'semihost.c', 'syscalls.c', 'wasm-rt-mcu.c'].map((f) => join(PORT_DIR, f)), ...objs,
    '-nostartfiles', '--specs=nano.specs', `-T${join(PORT_DIR, 'stm32f405.ld')}`, '-Wl,--gc-sections',
    '-Wl,--no-enum-size-warning', '-Wl,--defsym=__heap_size=0', '-Wl,--defsym=__stack_size=8192', ...CRYPTO_WRAP, '-o', elf,
  ]);
  const p = spawnSync('qemu-system-arm', [
    '-M', 'netduinoplus2', '-nographic', '-monitor', 'none', '-serial', 'none', '-icount', `shift=${shift},sleep=off`,
    '-semihosting-config', 'enable=on,target=native', '-kernel', elf,
  ], { encoding: 'utf8', timeout: 300_000 });
  if (p.error) throw new Error(`qemu-system-arm did not finish: ${p.error.message}`);
  const output = `${p.stdout ?? ''}${p.stderr ?? ''}`.trim();
  const m = /^tick_bench (.*)$/m.exec(output);
  const f: Record<string, number> = {};
  for (const kv of (m?.[1] ?? '').matchAll(/(\w+)=(-?\d+)/g)) f[kv[1]] = +kv[2];
  const instructions = (ns: number | undefined): number | undefined => (ns === undefined ? undefined : Math.round(ns / 2 ** shift));
  return {
    ok: p.status === 0, output, periodNs: f.period, checkLateMaxNs: f.check_late_max, gapMaxNs: f.gap_max,
    checkLateMax: instructions(f.check_late_max), period: instructions(f.period), checkTicks: f.check_ticks, good: f.good, bad: f.bad, cancel: f.cancel, afterCancel: f.after_cancel,
    busyWhileCancelling: f.busy_while_cancelling, trapIpsr: f.trap_ipsr, stack: f.stack, tickArenaPeak: f.tick_arena_peak,
  };
}

/**
 * ports/stm32f405/test/crypto_hal_host.c with the board's crypto HAL and mbedTLS built for the host
 * (gcc), an array standing in for OTP; returns the executable.
 */
export function buildCryptoHalHost(out: string): string {
  const tree = mbedtlsTree();
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'crypto_vectors.h'), cryptoVectorsHeader());
  const objs = MBEDTLS_SOURCES.map((m) => {
    const o = join(out, `mbedtls-${m}.o`);
    const src = join(tree, 'library', `${m}.c`);
    if (mtime(o) <= Math.max(mtime(join(CRYPTO_DIR, 'mbedtls_pen_config.h')), mtime(src)))
      run('gcc', ['-O2', '-c', ...penCryptoFlags(tree), src, '-o', o]);
    return o;
  });
  const board = join(PORT_DIR, 'board');
  const exe = join(out, 'crypto_hal_host');
  run('gcc', [
    '-std=c11', '-O1', '-Wall', '-Wextra', '-Werror', '-DCRYPTO_KEYS_HOST_TEST',
    '-DCRYPTO_ARENA_BYTES=16384u', // 64-bit limbs and pointers take more heap than the Cortex-M4's 6 KiB
    ...penCryptoFlags(tree),
    `-I${join(PORT_DIR, 'test')}`, `-I${board}`, `-I${join(REPO_ROOT, 'ports')}`, `-I${out}`,
    join(PORT_DIR, 'test', 'crypto_hal_host.c'), ...['crypto_hal.c', 'crypto_keys.c', 'crypto_engine.c'].map((f) => join(board, f)),
    ...objs, ...CRYPTO_WRAP, '-o', exe,
  ]);
  return exe;
}

/**
 * replay-crypto.elf in `out`: the replay build (its compiler inputs `replayArgs`, then `ldflags`) with
 * ports/crypto/crypto_background_replay.c, the engine and mbedTLS, for `pen conform --crypto-background`.
 */
export function buildReplayCrypto(out: string, replayArgs: string[], ldflags: string[]): string {
  writeFileSync(join(out, 'crypto_vectors.h'), cryptoVectorsHeader());
  const elf = join(out, 'replay-crypto.elf');
  run('arm-none-eabi-gcc', [
    ...penCryptoFlags(), `-I${join(PORT_DIR, 'board')}`, ...replayArgs,
    join(CRYPTO_DIR, 'crypto_background_replay.c'), join(PORT_DIR, 'board', 'crypto_engine.c'),
    ...penCryptoObjects(join(out, 'mbedtls')), ...ldflags, ...CRYPTO_WRAP, '-o', elf,
  ]);
  return elf;
}
