// Builds the pen's bootloader and what tests it: mbedTLS from Debian's source package
// (ports/crypto/get-mbedtls.sh), the bootloader for the STM32F405 (ports/stm32f405/boot/), its host
// test tool (ports/stm32f405/test/boot_host.cpp), and signed test images in MCUboot's layout with
// node:crypto (the same bytes as `pen image sign`: header, firmware, protected TLVs, SHA256, KEYHASH,
// ECDSA signature; see tools/lib/image/ where the image tool lives).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, sign, KeyObject, createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../boards/paths.js';
import { loadBoard, Board } from '../../boards/board.js';
import { portDir } from './port-build.js';
import { HAL_ABI_VERSION } from '../../abi/pen-abi.js';

export const BOOT_DIR = join(REPO_ROOT, 'ports', 'stm32f405', 'boot');
export const CRYPTO_DIR = join(REPO_ROOT, 'ports', 'crypto');
/** The mbedTLS modules image verification needs (ports/crypto/mbedtls_config.h enables just these). */
export const MBEDTLS_SOURCES = ['sha256', 'bignum', 'ecp', 'ecp_curves', 'ecdsa', 'asn1parse', 'asn1write',
  'platform', 'platform_util', 'memory_buffer_alloc', 'constant_time'];
export const BOOT_SOURCES = ['boot_image.c', 'boot_state.c'];
/** Service mode: SMP over the console USART (boot/smp.h). */
export const SERVICE_SOURCES = ['smp.c', 'smp_serial.c', 'smp_cbor.c'];

/** The two buttons held at power-on for service mode: depth+ and depth- of the board's mcu.pins.buttons (in BUTTONS order). */
export function serviceButtonFlags(boardName: string): string[] {
  const buttons = loadBoard(boardName).mcu?.pins.buttons;
  const pins = Array.isArray(buttons) ? [buttons[2], buttons[3]] : [];
  return [0, 1].flatMap((i) => {
    const m = /^P([A-I])(\d+)$/.exec(pins[i] ?? '');
    if (!m) throw new Error(`board ${boardName}: mcu.pins.buttons needs the depth+ and depth- pins (such as PB14) for service mode`);
    return [`-DBOOT_SERVICE_BUTTON${i + 1}_PORT=${m[1].charCodeAt(0) - 65}u`, `-DBOOT_SERVICE_BUTTON${i + 1}_PIN=${m[2]}u`];
  });
}

export const SLOT_A = 0x08020000;
export const SLOT_B = 0x08080000;
export const SLOT_BYTES = 0x60000;
export const SLOT_HEADER_BYTES = 0x200;
export const TRAILER_BYTES = 32;

export class BootToolsMissing extends Error {}

function run(cmd: string, args: string[], cwd?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${cmd} failed:\n${err.stderr || err.stdout || err.message}`);
  }
}

/** The unpacked mbedTLS tree, fetched once; a BootToolsMissing naming the fix when it cannot be. */
export function mbedtlsTree(): string {
  const r = spawnSync(join(CRYPTO_DIR, 'get-mbedtls.sh'), [], { encoding: 'utf8' });
  if (r.status !== 0) throw new BootToolsMissing((r.stderr || r.error?.message || 'get-mbedtls.sh failed').trim());
  return r.stdout.trim().split('\n').at(-1)!;
}

function cryptoFlags(tree: string): string[] {
  return [`-I${join(tree, 'include')}`, `-I${CRYPTO_DIR}`, '-DMBEDTLS_CONFIG_FILE="mbedtls_config.h"'];
}

/** The host tool of ports/stm32f405/test/boot_host.cpp, with mbedTLS built for the host. */
export function buildBootHost(out: string): string {
  const tree = mbedtlsTree();
  mkdirSync(out, { recursive: true });
  const objs: string[] = [];
  for (const m of MBEDTLS_SOURCES) {
    const o = join(out, `${m}.o`);
    run('gcc', ['-O2', '-c', ...cryptoFlags(tree), join(tree, 'library', `${m}.c`), '-o', o]);
    objs.push(o);
  }
  for (const f of BOOT_SOURCES) {
    const o = join(out, f.replace(/\.c$/, '.o'));
    run('gcc', ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-c', ...cryptoFlags(tree), `-I${BOOT_DIR}`, join(BOOT_DIR, f), '-o', o]);
    objs.push(o);
  }
  const exe = join(out, 'boot_host');
  run('g++', ['-std=c++17', '-O2', '-Wall', '-Wextra', '-Werror', ...cryptoFlags(tree), `-I${BOOT_DIR}`, `-DBOOT_HAL_ABI_VERSION=${HAL_ABI_VERSION}u`,
    join(REPO_ROOT, 'ports', 'stm32f405', 'test', 'boot_host.cpp'), ...objs, '-o', exe]);
  return exe;
}

export interface TestImage {
  firmware: Buffer;
  slot: number;
  version?: [number, number, number, number];
  securityCounter: number;
  board?: string;
  halAbi?: number;
  linkAddress?: number;
  key: KeyObject;
  /** a TLV to add to the protected area, to test refusal of unknown ones */
  extraProtected?: [number, Buffer];
}

function tlvArea(magic: number, entries: [number, Buffer][]): Buffer {
  const parts = entries.map(([type, value]) => {
    const h = Buffer.alloc(4);
    h.writeUInt16LE(type, 0);
    h.writeUInt16LE(value.length, 2);
    return Buffer.concat([h, value]);
  });
  const info = Buffer.alloc(4);
  info.writeUInt16LE(magic, 0);
  info.writeUInt16LE(4 + parts.reduce((a, p) => a + p.length, 0), 2);
  return Buffer.concat([info, ...parts]);
}

const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };

/** SHA-256 of the DER SubjectPublicKeyInfo: MCUboot's key hash. */
export function spki(key: KeyObject): Buffer {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'der' });
}

/** An image as imgtool lays it out (scripts/imgtool/image.py) for a slot that runs it in place. */
export function signTestImage(t: TestImage): Buffer {
  const [major, minor, revision, build] = t.version ?? [1, 0, 0, 0];
  const entries: [number, Buffer][] = [
    [0x50, u32(t.securityCounter)],
    [0xa0, Buffer.from(t.board ?? 'stm32f405-tmc2209', 'latin1')],
    [0xa1, u32(t.halAbi ?? HAL_ABI_VERSION)],
    [0xa2, createHash('sha256').update('firmware.wasm').digest()],
    [0xa3, u32(t.linkAddress ?? t.slot + SLOT_HEADER_BYTES)],
  ];
  if (t.extraProtected) entries.push(t.extraProtected);
  const prot = tlvArea(0x6908, entries);
  const header = Buffer.alloc(SLOT_HEADER_BYTES, 0xff);
  header.writeUInt32LE(0x96f3b83d, 0);
  header.writeUInt32LE(t.slot, 4);
  header.writeUInt16LE(SLOT_HEADER_BYTES, 8);
  header.writeUInt16LE(prot.length, 10);
  header.writeUInt32LE(t.firmware.length, 12);
  header.writeUInt32LE(0x100, 16); // ROM_FIXED
  header.writeUInt8(major, 20);
  header.writeUInt8(minor, 21);
  header.writeUInt16LE(revision, 22);
  header.writeUInt32LE(build, 24);
  header.writeUInt32LE(0, 28);
  const signed = Buffer.concat([header, t.firmware, prot]);
  const digest = createHash('sha256').update(signed).digest();
  const signature = sign('sha256', signed, { key: t.key, dsaEncoding: 'der' });
  const unprot = tlvArea(0x6907, [[0x10, digest], [0x01, createHash('sha256').update(spki(t.key)).digest()], [0x22, signature]]);
  return Buffer.concat([signed, unprot]);
}

export function writeFile(path: string, data: Buffer): string { writeFileSync(path, data); return path; }

// ---- the bootloader and the stand-in firmware for the STM32F405 ------------------------------------

const PORT_DIR = join(REPO_ROOT, 'ports', 'stm32f405');
const ARM = ['-mcpu=cortex-m4', '-mthumb'];
const FLASH_BYTES = 0x100000;
const FLASH_BASE = 0x08000000;
/** mbedTLS for the Cortex-M4: see ports/crypto/README.md for the size and speed these give */
export const CRYPTO_ARM_FLAGS = ['-O2', '-ffunction-sections', '-fdata-sections'];

export interface BootBuild {
  elf: string;
  bin: string;
  /** flash the bootloader takes (code, constants, .data's initial values) */
  flashBytes: number;
  /** of which mbedTLS's modules */
  cryptoFlashBytes: number;
  ramBytes: number;
}

/** boot_key.h: the public key the bootloader trusts, as its DER SubjectPublicKeyInfo. */
export function keyHeader(spkiDer: Buffer): string {
  const bytes = [...spkiDer].map((b) => `0x${b.toString(16).padStart(2, '0')}`);
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 13) rows.push(`  ${bytes.slice(i, i + 13).join(', ')},`);
  return `/* Generated by tools/build/boot-build.ts: the P-256 public key images must be signed with (DER SubjectPublicKeyInfo). */
static const unsigned char boot_pubkey_spki[${spkiDer.length}] = {
${rows.join('\n')}
};
`;
}

/** Builds the bootloader; `emulated` is the QEMU build (semihosting flash file and messages). */
export function buildBootloader(out: string, opts: { spkiDer: Buffer; board: string; halAbiVersion: number; emulated: boolean }): BootBuild {
  const tree = mbedtlsTree();
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'boot_key.h'), keyHeader(opts.spkiDer));
  // compiled one by one so the map file can tell mbedTLS's share of the flash
  const crypto = MBEDTLS_SOURCES.map((m) => {
    const o = join(out, `mbedtls-${m}.o`);
    run('arm-none-eabi-gcc', [...ARM, ...CRYPTO_ARM_FLAGS, ...cryptoFlags(tree), '-c', join(tree, 'library', `${m}.c`), '-o', o]);
    return o;
  });
  const boot = [...BOOT_SOURCES, ...SERVICE_SOURCES, 'boot_main.c', 'boot_startup.c', opts.emulated ? 'boot_flash_semihost.c' : 'boot_flash_stm32.c'].map((f) => join(BOOT_DIR, f));
  if (opts.emulated) boot.push(join(PORT_DIR, 'semihost.c'));
  const elf = join(out, 'boot.elf');
  run('arm-none-eabi-gcc', [...ARM, '-Os', '-std=c11', '-ffunction-sections', '-fdata-sections', '-Wall', '-Wextra',
    ...cryptoFlags(tree), `-I${BOOT_DIR}`, `-I${PORT_DIR}`, `-I${out}`,
    `-DBOOT_BOARD="${opts.board}"`, `-DBOOT_HAL_ABI_VERSION=${opts.halAbiVersion}u`, ...serviceButtonFlags(opts.board), ...(opts.emulated ? ['-DBOOT_EMULATED'] : []),
    ...boot, ...crypto, '-nostartfiles', '--specs=nano.specs', `-T${join(BOOT_DIR, 'boot.ld')}`, '-Wl,--gc-sections',
    `-Wl,-Map=${elf}.map`, '-o', elf]);
  const bin = join(out, 'boot.bin');
  run('arm-none-eabi-objcopy', ['-O', 'binary', elf, bin]);
  const sizes = sectionSizes(elf);
  return { elf, bin, ...sizes, cryptoFlashBytes: mapBytesFrom(`${elf}.map`, (obj) => MBEDTLS_SOURCES.some((m) => obj.endsWith(`mbedtls-${m}.o`))) };
}

function sectionSizes(elf: string): { flashBytes: number; ramBytes: number } {
  let flashBytes = 0, ramBytes = 0;
  for (const line of run('arm-none-eabi-size', ['-A', elf]).split('\n')) {
    const m = /^(\.\S+)\s+(\d+)\s+(\d+)/.exec(line);
    if (!m || m[2] === '0' || m[3] === '0') continue;
    const [name, bytes, addr] = [m[1], Number(m[2]), Number(m[3])];
    if (addr >= FLASH_BASE && addr < FLASH_BASE + FLASH_BYTES) flashBytes += bytes;
    else { ramBytes += bytes; if (name === '.data') flashBytes += bytes; }
  }
  return { flashBytes, ramBytes };
}

/** Bytes of flash that input sections of the matching objects take, from a GNU ld map. */
function mapBytesFrom(mapFile: string, fromObject: (obj: string) => boolean): number {
  const text = readFileSync(mapFile, 'utf8');
  const start = text.indexOf('Linker script and memory map');
  let total = 0;
  // " .text.name  0xADDR  0xSIZE  file.o", the name alone on its line when it is long
  const re = /^ (\.(?:text|rodata|data)\S*)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+\.o)\)?$/gm;
  re.lastIndex = start;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const addr = parseInt(m[2], 16);
    if (addr >= FLASH_BASE && addr < FLASH_BASE + FLASH_BYTES && fromObject(m[4])) total += parseInt(m[3], 16);
    if (addr >= 0x20000000 && m[1].startsWith('.data') && fromObject(m[4])) total += parseInt(m[3], 16);
  }
  return total;
}

/** The stand-in firmware of boot/test_app.c linked for a slot; returns its raw binary. */
export function buildTestApp(out: string, slot: 'a' | 'b'): Buffer {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'stm32f405_sections.ld'), boardSections());
  const elf = join(out, `test_app_${slot}.elf`);
  run('arm-none-eabi-gcc', [...ARM, '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-O2', '-std=c11', '-ffunction-sections', '-fdata-sections',
    '-fno-short-enums', `-I${BOOT_DIR}`, `-I${PORT_DIR}`, '-DBOOT_EMULATED',
    join(BOOT_DIR, 'test_app.c'), join(BOOT_DIR, 'boot_flash_semihost.c'), join(PORT_DIR, 'startup.c'), join(PORT_DIR, 'semihost.c'),
    '-nostartfiles', '--specs=nano.specs', `-L${out}`, `-T${join(BOOT_DIR, `slot_${slot}.ld`)}`, '-Wl,--gc-sections',
    '-Wl,--defsym=__heap_size=0', '-Wl,--defsym=__stack_size=4096', '-o', elf]);
  const bin = join(out, `test_app_${slot}.bin`);
  run('arm-none-eabi-objcopy', ['-O', 'binary', elf, bin]);
  return readFileSync(bin);
}

/** The SECTIONS of the board's linker script, so a slot build lays the firmware out as the board build does. */
export function boardSections(): string {
  const ld = readFileSync(join(PORT_DIR, 'stm32f405.ld'), 'utf8');
  const at = ld.indexOf('SECTIONS');
  if (at < 0) throw new Error('ports/stm32f405/stm32f405.ld has no SECTIONS');
  return `/* Copied from ports/stm32f405/stm32f405.ld by tools/build/boot-build.ts. */\n${ld.slice(at)}`;
}

/** Writes the test's stand-in tag and confirm flag into its probe_cfg (before signing). */
export function configureTestApp(bin: Buffer, tag: string, confirm: boolean): Buffer {
  const b = Buffer.from(bin);
  const at = b.indexOf('PROBECFG');
  if (at < 0 || tag.length > 23) throw new Error('test app without probe_cfg, or tag too long');
  b.fill(0, at + 8, at + 32);
  b.write(tag, at + 8, 'latin1');
  b.writeUInt32LE(confirm ? 1 : 0, at + 32);
  return b;
}

// ---- the flash as a file ---------------------------------------------------------------------------

/** An erased 1 MiB flash with the bootloader in its first sectors. */
export function blankFlash(bootBin: Buffer): Buffer {
  const f = Buffer.alloc(FLASH_BYTES, 0xff);
  bootBin.copy(f, 0);
  return f;
}

/** What the updater does: erase the slot, write the image, mark it pending with the next sequence number. */
export function installImage(flash: Buffer, slot: number, image: Buffer, opts: { confirmed?: boolean } = {}): void {
  const off = slot - FLASH_BASE;
  if (image.length > SLOT_BYTES - TRAILER_BYTES) throw new RangeError('image larger than the slot');
  flash.fill(0xff, off, off + SLOT_BYTES);
  image.copy(flash, off);
  const seq = Math.max(trailerSeq(flash, SLOT_A), trailerSeq(flash, SLOT_B)) + 1;
  const t = off + SLOT_BYTES - TRAILER_BYTES;
  flash.writeUInt32LE(seq, t);
  flash.writeUInt32LE(~seq >>> 0, t + 4);
  if (opts.confirmed) flash.writeUInt32LE(0, t + 20);
}

function trailerSeq(flash: Buffer, slot: number): number {
  const t = slot - FLASH_BASE + SLOT_BYTES - TRAILER_BYTES;
  const seq = flash.readUInt32LE(t), inv = flash.readUInt32LE(t + 4);
  return seq === (~inv >>> 0) && seq !== 0xffffffff && inv !== 0xffffffff ? seq : 0;
}

export interface SlotTrailer { seq: number; attemptsUsed: number; confirmed: boolean; badReason?: number }
export function readTrailer(flash: Buffer, slot: number): SlotTrailer {
  const t = slot - FLASH_BASE + SLOT_BYTES - TRAILER_BYTES;
  const w = (i: number): number => flash.readUInt32LE(t + 4 * i);
  const bad = w(6);
  return {
    seq: trailerSeq(flash, slot),
    attemptsUsed: [2, 3, 4].filter((i) => w(i) !== 0xffffffff).length,
    confirmed: w(5) === 0,
    ...(bad !== 0xffffffff ? { badReason: bad & 0xff } : {}),
  };
}

export interface QemuBoot { output: string; status: number }

/** One power-up under QEMU from a flash file: the bootloader, then whatever it starts. */
export function bootQemu(flashFile: string, timeoutMs = 60_000): QemuBoot {
  const p = spawnSync('qemu-system-arm', [
    '-M', 'netduinoplus2', '-nographic', '-monitor', 'none', '-serial', 'none', '-icount', 'shift=0',
    '-semihosting-config', `enable=on,target=native,arg=boot,arg=${flashFile}`,
    '-device', `loader,file=${flashFile},addr=0x${FLASH_BASE.toString(16)}`,
  ], { encoding: 'utf8', timeout: timeoutMs });
  if (p.error) throw new Error(`qemu-system-arm did not finish: ${p.error.message}`);
  return { output: `${p.stdout ?? ''}${p.stderr ?? ''}`, status: p.status ?? -1 };
}

// ---- the board firmware linked for a slot ----------------------------------------------------------

/**
 * The board firmware linked to run from slot A or B (boot/slot_a.ld, slot_b.ld), as `buildPort` (and
 * so `pen build --board`) writes it in build/<board>/port/slot_<slot>/: one image for the part and for
 * QEMU's netduinoplus2 (what the emulator lacks, the firmware detects and works around:
 * board/fallbacks.c). `buildPort` must have run.
 */
export function buildSlotFirmware(board: Board, slot: 'a' | 'b'): { elf: string; bin: Buffer; boardElf: string } {
  const gen = portDir(board.name);
  const elf = join(gen, `slot_${slot}`, 'firmware.elf');
  if (!existsSync(elf)) throw new Error(`${elf} is missing: run pen build --board ${board.name} first`);
  return { elf, bin: readFileSync(join(gen, `slot_${slot}`, 'firmware.bin')), boardElf: join(gen, 'firmware.elf') };
}

/** Where the bootloader's RAM starts (boot/boot.ld): what the firmware must keep across a reset lies below. */
export const BOOT_RAM_START = 0x20018000;

/** A section's address and size in an ELF. */
export function sectionAt(elf: string, name: string): { addr: number; bytes: number } | undefined {
  for (const line of run('arm-none-eabi-size', ['-A', elf]).split('\n')) {
    const m = /^(\.\S+)\s+(\d+)\s+(\d+)/.exec(line);
    if (m && m[1] === name) return { addr: Number(m[3]), bytes: Number(m[2]) };
  }
  return undefined;
}

/** Bytes of .text in an ELF. */
export function textBytes(elf: string): number {
  const m = /^\.text\s+(\d+)/m.exec(run('arm-none-eabi-size', ['-A', elf]));
  return m ? Number(m[1]) : 0;
}

/**
 * A power-up under QEMU for firmware that runs on: the semihosting console and QEMU's log of every access
 * to a peripheral it does not model (-d unimp,guest_errors), or with `usart2` only what the bootloader and
 * the firmware write on USART2; stops when `until` matches that text or at the timeout.
 */
export async function bootQemuUntil(
  flashFile: string,
  until: RegExp,
  timeoutMs = 60_000,
  opts: { usart2?: boolean } = {},
): Promise<string> {
  // with usart2, the board's command port (QEMU's second -serial) joins the output instead of the log
  // of unmodelled accesses, which is slow to write while the firmware polls RCC
  const qemu = spawn('qemu-system-arm', [
    '-M', 'netduinoplus2', '-nographic', '-monitor', 'none', '-icount', 'shift=0',
    ...(opts.usart2 ? ['-serial', 'null', '-serial', 'stdio'] : ['-serial', 'none', '-d', 'unimp,guest_errors']),
    // the bootloader writes each line both by semihosting and on USART2: with usart2 its semihosting
    // copy goes nowhere, or the two copies interleave character by character on stdout
    ...(opts.usart2 ? ['-chardev', 'null,id=semihosting'] : []),
    '-semihosting-config', `enable=on,target=native,arg=boot,arg=${flashFile}${opts.usart2 ? ',chardev=semihosting' : ''}`,
    '-device', `loader,file=${flashFile},addr=0x${FLASH_BASE.toString(16)}`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const exited = new Promise<void>((resolve) => qemu.on('exit', () => resolve()));
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    // the match is looked for in the new output and a little before it: QEMU logs each access to an
    // unmodelled register (hundreds of thousands while the firmware polls RCC), so scanning all of it
    // on every chunk would take longer than the emulation
    const take = (d: Buffer): void => {
      const chunk = d.toString('latin1');
      const window = text.slice(-4096) + chunk;
      text += chunk;
      if (until.test(window)) { clearTimeout(timer); resolve(); }
    };
    qemu.stdout.on('data', take);
    qemu.stderr.on('data', take);
    qemu.on('exit', () => { clearTimeout(timer); resolve(); });
  });
  if (qemu.exitCode === null) qemu.kill('SIGTERM');
  await exited;
  return text;
}

// `node dist/tools/build/boot-build.js PUBKEY.pem [BOARD]`: the production bootloader trusting that key,
// in build/<board>/boot/, and its size.
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const [keyFile, boardName = 'stm32f405-tmc2209'] = process.argv.slice(2);
  if (!keyFile) {
    console.error('usage: node dist/tools/build/boot-build.js PUBKEY.pem [BOARD]   (a P-256 public key, PEM)');
    process.exit(2);
  }
  const pub = createPublicKey(readFileSync(keyFile, 'utf8'));
  if (pub.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    console.error(`${keyFile} is not a P-256 public key`);
    process.exit(2);
  }
  const board = loadBoard(boardName);
  if (board.mcu?.port !== 'stm32f405') {
    console.error(`board ${boardName} is not an STM32F405 board`);
    process.exit(2);
  }
  const out = join(REPO_ROOT, 'build', boardName, 'boot');
  const b = buildBootloader(out, { spkiDer: spki(pub), board: boardName, halAbiVersion: HAL_ABI_VERSION, emulated: false });
  console.log(`${b.bin}: ${b.flashBytes} bytes of flash (mbedTLS ${b.cryptoFlashBytes}), ${b.ramBytes} bytes of RAM; trusts key ${createHash('sha256').update(spki(pub)).digest('hex')}`);
}
