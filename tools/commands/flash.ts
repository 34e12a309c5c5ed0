// `pen flash`: uploads a signed image to a pen in the bootloader's service mode over its serial
// port (SMP, tools/lib/smp/), into the slot the pen is not running from; marks it for a trial boot,
// resets the pen and shows what the bootloader then starts. An interrupted upload resumes: the pen
// keeps how far it got (by the image's SHA-256 and offset) while it stays in service mode.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseOptions, usageText, OptionSpec, UsageError, noPositional } from '../lib/args.js';
import { boardOption } from '../lib/board-option.js';
import { parseImage } from '../lib/image/parse.js';
import { signImage } from '../lib/image/sign.js';
import { flashLayout } from '../lib/image/layout.js';
import { IMAGE_F_ROM_FIXED, ImageError, parseVersion, formatVersion, hex32 } from '../lib/image/format.js';
import { DEV_KEY_PATH, loadPrivateKey } from '../lib/image/keys.js';
import {
  SmpClient,
  SmpMap,
  GROUP_IMAGE,
  GROUP_OS,
  OP_READ,
  OP_WRITE,
  imageSlots,
  ImageSlot,
} from '../lib/smp/client.js';
import { SmpRefused, SmpTimeout } from '../lib/smp/errors.js';
import { openSerialPort, PortError } from '../lib/smp/serial-port.js';
import { factoryProblem, factorySteps, runFactory } from '../lib/smp/factory.js';
import { HAL_ABI_VERSION } from '../../abi/pen-abi.js';
import {
  RELEASE_SECURITY_COUNTER,
  SECURITY_COUNTER_MAX,
  securityCounterProblem,
} from '../lib/image/security-counter.js';

const SPEC: OptionSpec = {
  port: {
    type: 'string',
    value: 'PATH',
    help: "serial port of the pen in service mode (/dev/ttyUSB0, or the emulated board's pty)",
  },
  image: { type: 'string', value: 'FILE', help: "signed image from `pen image sign` (built for the pen's free slot)" },
  board: {
    type: 'string',
    value: 'NAME',
    help: 'instead of --image: build the firmware for the free slot and sign it',
  },
  key: { type: 'string', value: 'PEM', help: 'with --board: private key (default the development key)' },
  version: { type: 'string', value: 'X.Y.Z+B', help: 'with --board: image version (default 0.1.0+0)' },
  'security-counter': {
    type: 'number',
    value: 'N',
    help: `with --board: rollback counter, 0..${SECURITY_COUNTER_MAX} (default ${RELEASE_SECURITY_COUNTER})`,
  },
  baud: { type: 'number', value: 'N', help: 'baud rate (default 115200; with --factory 57600)' },
  'chunk-bytes': {
    type: 'number',
    value: 'N',
    help: 'image bytes per upload request, a multiple of 4 up to 768 (default 512)',
  },
  'no-reset': { type: 'boolean', help: 'upload and mark for a trial boot, but leave the pen in service mode' },
  factory: {
    type: 'boolean',
    help: "write the bootloader (--boot) over ST's ROM bootloader with stm32flash (BOOT0 high, USART1): a new pen",
  },
  boot: { type: 'string', value: 'FILE', help: 'with --factory: the bootloader binary (boot.bin)' },
  emulate: {
    type: 'string',
    value: 'FLASH',
    help: 'run an emulated pen (QEMU) on the flash file FLASH (made as a new pen if missing), its port the pty --port, until Ctrl-C',
  },
  trial: {
    type: 'boolean',
    help: 'leave the new firmware on trial: the port confirms it after its first successful homing',
  },
};
const USAGE = usageText(
  'flash',
  `Upload a signed firmware image to a pen over its serial port (SMP, the bootloader's service mode;
docs/updating.md). The image goes into the slot the pen does not run from; the pen then boots it on trial
and, once the new firmware answers on the port, pen flash confirms it (--trial leaves that to the firmware).
A pen running its firmware is asked into service mode with SERVICE. Usage: pen flash --port PATH (--image FILE | --board NAME)`,
  SPEC,
);

const RESET_WAIT_MS = 60_000;
const ERASE_WAIT_MS = 30_000;
const SLOT_NAMES = ['A', 'B'];

export async function flashCommand(argv: string[]): Promise<number> {
  const o = parseOptions(argv, SPEC, USAGE);
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  noPositional(o, USAGE);
  if (!o.port) throw new UsageError(`--port PATH is required\n\n${USAGE}`);
  if (o.emulate) {
    const { runEmulatedPen } = await import('../lib/emulator/factory-pen.js');
    return runEmulatedPen(
      boardOption((o.board as string | undefined) ?? 'stm32f405-tmc2209').name,
      o.emulate as string,
      o.port as string,
    );
  }
  if (o.factory)
    return factory(o.port as string, o.boot as string | undefined, (o.baud as number | undefined) ?? 57600);
  if (!o.image === !o.board) throw new UsageError(`give --image FILE or --board NAME (one of them)\n\n${USAGE}`);
  const chunkBytes = (o['chunk-bytes'] as number | undefined) ?? 512;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 32 || chunkBytes > 768 || chunkBytes % 4)
    throw new UsageError(`--chunk-bytes ${chunkBytes}: give a multiple of 4 from 32 to 768`);
  let file: Buffer | undefined;
  if (o.image) {
    if (!existsSync(o.image as string)) throw new UsageError(`--image ${o.image}: no such file`);
    file = readFileSync(o.image as string);
  }

  let port;
  try {
    port = openSerialPort(o.port as string, (o.baud as number | undefined) ?? 115200);
  } catch (e) {
    if (e instanceof PortError) throw new UsageError(e.message);
    throw e;
  }
  const smp = new SmpClient(port);
  const pen = new PenLines(smp, port);
  try {
    let slots = await listSlots(smp);
    if (!slots) {
      console.error(`no SMP answer on ${o.port}: asking the firmware to restart into service mode (SERVICE)`);
      const entered = await pen.enterService();
      if (entered !== true) {
        console.error(`pen flash: ${entered}`);
        return 1;
      }
      slots = await listSlots(smp);
      if (!slots) {
        console.error(`pen flash: the bootloader said it is in service mode, but does not answer SMP on ${o.port}`);
        return 1;
      }
    }
    const active = slots.find((s) => s.active);
    const free = active ? 1 - active.slot : 0;
    for (const s of slots)
      console.error(
        `slot ${SLOT_NAMES[s.slot]}: version ${s.version}${s.active ? ', runs' : ''}${s.confirmed ? ', confirmed' : ''}${s.pending ? ', pending' : ''}${s.refused ? `, refused: ${s.refused}` : ''}`,
      );
    if (!file) file = await buildForSlot(o, free);
    const image = checkImage(file, free, (o.image as string | undefined) ?? 'the image');
    if (image === undefined) return 1;
    const done = await upload(smp, file, image.slotName, chunkBytes);
    if (!done) return 1;
    const after = imageSlots(
      await smp.request('image test', OP_WRITE, GROUP_IMAGE, 0, { hash: image.sha256, confirm: false }),
    );
    const mine = after.find((s) => s.hash.equals(image.sha256));
    console.error(
      `slot ${image.slotName}: version ${mine?.version ?? image.version} ${mine?.pending ? 'marked for a trial boot' : mine?.confirmed ? 'already confirmed' : 'uploaded'}`,
    );
    if (o['no-reset']) {
      console.log(`uploaded version ${image.version} to slot ${image.slotName}; the pen stays in service mode`);
      return 0;
    }
    pen.lines.length = 0;
    await reset(smp);
    const started = await pen.bootResult(image.slotName);
    if (started.status !== 'started') return 1;
    if (!started.trial) {
      console.log(`the pen runs version ${started.version} from slot ${image.slotName}, confirmed`);
      return 0;
    }
    console.error(`slot ${image.slotName}: version ${started.version} started on trial (boot ${started.attempt} of 3)`);
    if (o.trial) {
      console.log(
        `the pen runs version ${started.version} from slot ${image.slotName} on trial (boot ${started.attempt} of 3); its firmware confirms it after its first successful homing, else the bootloader falls back after 3 starts`,
      );
      return 0;
    }
    if (!(await pen.answersStatus())) {
      console.log(
        `the pen runs version ${started.version} from slot ${image.slotName} on trial (boot ${started.attempt} of 3), but its firmware did not answer STATUS? in ${STATUS_WAIT_MS / 1000} s: it stays unconfirmed, and after 3 starts without a confirmation the bootloader falls back to the previous firmware`,
      );
      return 1;
    }
    return await confirmOverSmp(smp, pen, image);
  } catch (e) {
    if (e instanceof SmpRefused || e instanceof SmpTimeout) {
      console.error(`pen flash: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    smp.close();
    port.close();
  }
}

interface Checked {
  slotName: string;
  sha256: Buffer;
  version: string;
}

function checkImage(file: Buffer, free: number, name: string): Checked | undefined {
  let parsed;
  try {
    parsed = parseImage(file);
  } catch (e) {
    if (e instanceof ImageError) {
      console.error(`pen flash: ${name} is not a pen image: ${e.message}`);
      return undefined;
    }
    throw e;
  }
  const slot = [0x08020000, 0x08080000].indexOf(parsed.header.loadAddr);
  if (slot !== free) {
    console.error(
      `pen flash: ${name} is built for ${slot < 0 ? `address ${hex32(parsed.header.loadAddr)}` : `slot ${SLOT_NAMES[slot]}`}, ` +
        `but the pen's free slot is ${SLOT_NAMES[free]}: sign the slot ${SLOT_NAMES[free].toLowerCase()} build (pen image sign --slot ${SLOT_NAMES[free].toLowerCase()}), or use --board`,
    );
    return undefined;
  }
  return { slotName: SLOT_NAMES[free], sha256: parsed.sha256, version: formatVersion(parsed.header.version) };
}

/** The board firmware linked for the free slot, signed (the build is heavy: it runs the port build). */
async function buildForSlot(o: ReturnType<typeof parseOptions>, free: number): Promise<Buffer> {
  const board = boardOption(o.board as string);
  const layout = flashLayout(board);
  const slotName = free ? 'b' : 'a';
  const { buildFirmware } = await import('../build/build.js');
  const { buildPort } = await import('../build/port-build.js');
  const { buildSlotFirmware } = await import('../build/boot-build.js');
  console.error(`building ${board.name} for slot ${slotName.toUpperCase()} ...`);
  const fw = await buildFirmware(board.name);
  buildPort(board, fw.wasmPath);
  const built = buildSlotFirmware(board, slotName);
  const counter = (o['security-counter'] as number | undefined) ?? RELEASE_SECURITY_COUNTER;
  const counterProblem = securityCounterProblem(counter);
  if (counterProblem) throw new UsageError(`--security-counter ${counterProblem}`);
  let version;
  try {
    version = parseVersion((o.version as string | undefined) ?? '0.1.0');
  } catch (e) {
    throw new UsageError(`--version: ${(e as Error).message}`);
  }
  const slot = layout.slots[slotName];
  return signImage({
    firmware: built.bin,
    loadAddress: slot.address,
    headerBytes: layout.headerBytes,
    flags: IMAGE_F_ROM_FIXED,
    version,
    securityCounter: counter,
    board: board.name,
    halAbiVersion: HAL_ABI_VERSION,
    wasmSha256: createHash('sha256').update(readFileSync(fw.wasmPath)).digest(),
    linkAddress: slot.address + layout.headerBytes,
    privateKey: loadPrivateKey((o.key as string | undefined) ?? DEV_KEY_PATH),
  });
}

const kib = (n: number): string => (n / 1024).toFixed(1);

/** Uploads `file`, resuming where the pen says it got to; progress on stderr. False when refused. */
async function upload(smp: SmpClient, file: Buffer, slotName: string, chunkBytes: number): Promise<boolean> {
  const sha = createHash('sha256').update(file).digest();
  const t0 = performance.now();
  let off = 0,
    sentBytes = 0,
    lastShown = 0;
  const first = file.subarray(0, chunkBytes);
  // the first chunk erases the slot: three 128 KiB sectors take up to 4 s each on the part (STM32F405
  // datasheet, tERASE128KB at x32), and the emulator writes 384 KiB to its flash file
  let r = await smp.request(
    'upload',
    OP_WRITE,
    GROUP_IMAGE,
    1,
    { off: 0, len: file.length, sha, data: first, upgrade: false },
    ERASE_WAIT_MS,
  );
  sentBytes += first.length;
  off = typeof r.off === 'number' ? r.off : 0;
  if (off > first.length)
    console.error(
      `resuming the upload at ${kib(off)} of ${kib(file.length)} KiB (the pen kept that much of this image)`,
    );
  const resumedAt = off > first.length ? off : 0;
  const tty = process.stderr.isTTY;
  while (off < file.length) {
    const data = file.subarray(off, off + chunkBytes);
    r = await chunkWithRetry(smp, off, data);
    sentBytes += data.length;
    const next = typeof r.off === 'number' ? r.off : -1;
    if (next < 0 || next > file.length) {
      console.error(`pen flash: the pen answered offset ${next} for an image of ${file.length} bytes`);
      return false;
    }
    off = next;
    const now = performance.now();
    if (now - lastShown > (tty ? 200 : 2000) || off >= file.length) {
      lastShown = now;
      const s = (now - t0) / 1000,
        rate = sentBytes / 1024 / Math.max(s, 1e-3);
      const left = rate > 0 ? (file.length - off) / 1024 / rate : 0;
      const line = `slot ${slotName}: ${kib(off)} of ${kib(file.length)} KiB, ${rate.toFixed(1)} KiB/s, ${left.toFixed(0)} s left`;
      if (tty) process.stderr.write(`\r${line}   `);
      else console.error(line);
    }
  }
  const s = (performance.now() - t0) / 1000;
  if (tty) process.stderr.write('\n');
  console.error(
    `uploaded ${kib(file.length)} KiB in ${s.toFixed(1)} s (${(sentBytes / 1024 / Math.max(s, 1e-3)).toFixed(1)} KiB/s)${resumedAt ? `, resumed at ${kib(resumedAt)} KiB` : ''}`,
  );
  return true;
}

const STATUS_WAIT_MS = 120_000;
/** no line for this long: the firmware's output queue is empty, so a reply to SERVICE goes out at once */
const QUIET_MS = 3000;
const CHUNK_TRIES = 4;

/**
 * One upload chunk, sent again when no answer comes (a frame lost or damaged on the line, which the
 * pen drops): safe, as the pen answers a chunk at an offset it has already passed with the offset it
 * holds, and stale answers (another sequence number) are ignored.
 */
async function chunkWithRetry(smp: SmpClient, off: number, data: Buffer): Promise<SmpMap> {
  for (let tries = 1; ; tries++) {
    try {
      return await smp.request('upload', OP_WRITE, GROUP_IMAGE, 1, { off, data });
    } catch (e) {
      if (!(e instanceof SmpTimeout) || tries >= CHUNK_TRIES) throw e;
      console.error(`no answer to the chunk at ${kib(off)} KiB; sending it again (${tries} of ${CHUNK_TRIES - 1})`);
    }
  }
}

/** --factory: stm32flash writes the bootloader; the firmware follows with pen flash over SMP. */
function factory(port: string, boot: string | undefined, baud: number): number {
  if (!boot) throw new UsageError(`--factory needs --boot FILE, the bootloader binary\n\n${USAGE}`);
  const problem = factoryProblem(boot);
  if (problem) {
    console.error(`pen flash --factory: ${problem}`);
    return 1;
  }
  const failed = runFactory(factorySteps(port, boot, baud), (l) => console.error(l));
  if (failed) {
    console.error(`pen flash --factory: ${failed}`);
    return 1;
  }
  console.log(
    `the bootloader is written and runs; with no firmware it waits in service mode on USART2: pen flash --port <USART2's port> --image FILE`,
  );
  return 0;
}
const SERVICE_WAIT_MS = 10_000;

/** The slots, or undefined when nothing answers SMP (the firmware runs, or no pen). */
async function listSlots(smp: SmpClient): Promise<ImageSlot[] | undefined> {
  try {
    return imageSlots(await smp.request('image list', OP_READ, GROUP_IMAGE, 0, {}, 3000));
  } catch (e) {
    if (e instanceof SmpTimeout) return undefined;
    throw e;
  }
}

async function reset(smp: SmpClient): Promise<void> {
  await smp.request('reset', OP_WRITE, GROUP_OS, 5, {}).catch((e) => {
    if (!(e instanceof SmpTimeout)) throw e; // the answer may be lost in the reset
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type BootResult =
  | { status: 'started'; version: string; trial: boolean; attempt: number }
  | { status: 'refused' | 'service' | 'silent' };

/** The text lines on the port besides SMP: the bootloader's "boot: ..." and the firmware's replies. */
class PenLines {
  readonly lines: string[] = [];
  constructor(
    smp: SmpClient,
    private readonly port: { write(data: Buffer): void },
  ) {
    smp.onText = (line) => this.lines.push(line);
  }

  /** The first line matching `re`; `poke` is called at the start and again after `pokeQuietMs` without a new line. */
  private async waitFor(re: RegExp, ms: number, poke?: () => void, pokeQuietMs = 10_000): Promise<string | undefined> {
    const t0 = performance.now();
    let poked = -Infinity,
      seen = this.lines.length;
    while (performance.now() - t0 < ms) {
      const hit = this.lines.find((l) => re.test(l));
      if (hit) return hit;
      if (this.lines.length !== seen) ((seen = this.lines.length), (poked = performance.now()));
      if (poke && performance.now() - poked > pokeQuietMs) ((poked = performance.now()), poke());
      await sleep(50);
    }
    return undefined;
  }

  /** Until no line has come for `quietMs` (at most `ms`): what the firmware still had to say is out. */
  private async quiet(quietMs: number, ms: number): Promise<void> {
    const t0 = performance.now();
    let seen = this.lines.length,
      since = performance.now();
    while (performance.now() - t0 < ms && performance.now() - since < quietMs) {
      if (this.lines.length !== seen) ((seen = this.lines.length), (since = performance.now()));
      await sleep(50);
    }
  }

  /**
   * SERVICE to the firmware, then the bootloader's service mode: true, or why not. The firmware's
   * reply may be cut by its reset on a slow port (the emulator's): the bootloader's own line then
   * says enough.
   */
  async enterService(): Promise<true | string> {
    await this.quiet(QUIET_MS, RESET_WAIT_MS);
    this.lines.length = 0;
    this.port.write(Buffer.from('SERVICE\n'));
    // "ERR 1 unknown command" answers the SMP request the firmware took for a command line, not SERVICE
    const reply = await this.waitFor(/^(OK service|ERR (?!1 unknown command))|boot: service mode/, SERVICE_WAIT_MS);
    if (!reply)
      return 'no answer to SERVICE either: is a pen on this port? (or hold depth+ and depth- while switching it on: its bootloader then starts in service mode)';
    if (reply.startsWith('ERR'))
      return `the pen refused SERVICE (${reply}): it restarts into service mode only when off or ready, needles retracted; switch it off and run pen flash again`;
    if (reply.startsWith('OK')) console.error(`firmware: ${reply}`);
    const service = await this.waitFor(/boot: service mode/, RESET_WAIT_MS);
    if (!service)
      return `the pen said "${reply}", but its bootloader did not report service mode in ${RESET_WAIT_MS / 1000} s`;
    console.error(service.slice(service.indexOf('boot: service mode')));
    return true;
  }

  /** After a reset: what the bootloader says it started, refused, or that it stayed in service mode. */
  async bootResult(slotName: string): Promise<BootResult> {
    const last = await this.waitFor(/^boot: (starting slot |service mode)/, RESET_WAIT_MS);
    for (const l of this.lines.filter((x) => / refused: /.test(x))) console.error(l);
    if (!last) {
      console.log(
        `the pen was reset; its bootloader said nothing on the port in ${RESET_WAIT_MS / 1000} s, so which version runs is not known`,
      );
      return { status: 'silent' };
    }
    if (/^boot: service mode/.test(last)) {
      console.error(last);
      console.log('the pen stayed in service mode: no image it could start');
      return { status: 'service' };
    }
    const m = /^boot: starting slot ([AB])( \(trial (\d) of 3\))?/.exec(last)!;
    const version = this.lines.find((l) => /^boot: version /.test(l))?.replace(/^boot: version (\S+).*/, '$1') ?? '?';
    if (m[1] !== slotName) {
      console.log(`the pen kept running version ${version} from slot ${m[1]}: the new image was refused (see above)`);
      return { status: 'refused' };
    }
    return { status: 'started', version, trial: !!m[2], attempt: m[3] ? Number(m[3]) : 0 };
  }

  /**
   * The firmware answers STATUS?. Not asked while it starts: the first question goes out once it has
   * said its start-up lines and been quiet for 3 s, or after 10 s of silence from the start (a good
   * part says nothing at start); again after each further 15 s of silence. Under QEMU, bytes that
   * arrive while the firmware starts have been seen to stall its output, and on its slow port more
   * questions only queue more answers.
   */
  async answersStatus(): Promise<boolean> {
    const from = this.lines.length;
    const t0 = performance.now();
    let asked = false,
      heard = t0,
      seen = from;
    let status: string | undefined;
    while (!status && performance.now() - t0 < STATUS_WAIT_MS) {
      const now = performance.now();
      if (this.lines.length !== seen) ((seen = this.lines.length), (heard = now));
      const silence = now - heard;
      if (silence > (asked ? 15_000 : seen > from ? 3000 : 10_000)) {
        this.port.write(Buffer.from('STATUS?\n'));
        asked = true;
        heard = now;
      }
      status = this.lines.slice(from).find((l) => /^STATUS /.test(l));
      await sleep(50);
    }
    for (const l of this.lines.slice(from).filter((x) => /^board: /.test(x))) console.error(`firmware: ${l}`);
    if (status) console.error(`firmware: ${status}`);
    return status !== undefined;
  }
}

/**
 * The new firmware started and answers: confirm it as mcumgr's hosts do ("image confirm" after the
 * application answered), through the bootloader, which holds SMP here: SERVICE, confirm by hash, reset.
 */
async function confirmOverSmp(smp: SmpClient, pen: PenLines, image: Checked): Promise<number> {
  const entered = await pen.enterService();
  if (entered !== true) {
    console.error(`pen flash: confirming: ${entered}`);
    console.log(`the pen runs version ${image.version} from slot ${image.slotName} on trial, not confirmed`);
    return 1;
  }
  const slots = imageSlots(
    await smp.request('image confirm', OP_WRITE, GROUP_IMAGE, 0, { hash: image.sha256, confirm: true }),
  );
  if (!slots.find((s) => s.hash.equals(image.sha256))?.confirmed) {
    console.error(`pen flash: the bootloader did not mark slot ${image.slotName} confirmed`);
    return 1;
  }
  pen.lines.length = 0;
  await reset(smp);
  const started = await pen.bootResult(image.slotName);
  if (started.status !== 'started') return 1;
  if (started.trial) {
    console.log(
      `the pen runs version ${started.version} from slot ${image.slotName} still on trial: the confirmation did not hold`,
    );
    return 1;
  }
  const counter = pen.lines.find((l) => /^boot: starting slot /.test(l))?.match(/security counter (\d+)/)?.[1];
  if (!(await pen.answersStatus())) {
    console.log(
      `the pen runs version ${started.version} from slot ${image.slotName}, confirmed, but its firmware did not answer STATUS? in ${STATUS_WAIT_MS / 1000} s after the confirming reset`,
    );
    return 1;
  }
  console.log(
    `the pen runs version ${started.version} from slot ${image.slotName}, confirmed${counter ? ` (security counter ${counter})` : ''}`,
  );
  return 0;
}
