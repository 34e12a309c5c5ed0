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
import { SmpClient, GROUP_IMAGE, GROUP_OS, OP_READ, OP_WRITE, imageSlots, ImageSlot } from '../lib/smp/client.js';
import { SmpRefused, SmpTimeout } from '../lib/smp/errors.js';
import { openSerialPort, PortError } from '../lib/smp/serial-port.js';
import { HAL_ABI_VERSION } from '../../abi/pen-abi.js';

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
  'security-counter': { type: 'number', value: 'N', help: 'with --board: rollback counter, 0..512 (default 1)' },
  baud: { type: 'number', value: 'N', help: 'baud rate (default 115200)' },
  'chunk-bytes': {
    type: 'number',
    value: 'N',
    help: 'image bytes per upload request, a multiple of 4 up to 768 (default 512)',
  },
  'no-reset': { type: 'boolean', help: 'upload and mark for a trial boot, but leave the pen in service mode' },
};
const USAGE = usageText(
  'flash',
  `Upload a signed firmware image to a pen over its serial port (SMP, the bootloader's service mode;
docs/updating.md). The image goes into the slot the pen does not run from; the pen then boots it on trial
and the firmware confirms it. Usage: pen flash --port PATH (--image FILE | --board NAME)`,
  SPEC,
);

const RESET_WAIT_MS = 60_000;
const SLOT_NAMES = ['A', 'B'];

export async function flashCommand(argv: string[]): Promise<number> {
  const o = parseOptions(argv, SPEC, USAGE);
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  noPositional(o, USAGE);
  if (!o.port) throw new UsageError(`--port PATH is required\n\n${USAGE}`);
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
  const bootLines: string[] = [];
  smp.onText = (line) => {
    if (/^boot: /.test(line)) bootLines.push(line);
  };
  try {
    let slots: ImageSlot[];
    try {
      slots = imageSlots(await smp.request('image list', OP_READ, GROUP_IMAGE, 0, {}, 3000));
    } catch (e) {
      if (e instanceof SmpTimeout) {
        console.error(
          `pen flash: no SMP answer on ${o.port}: is the pen in service mode? (hold depth+ and depth- while switching it on, or send the firmware's SERVICE command)`,
        );
        return 1;
      }
      throw e;
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
    bootLines.length = 0;
    await smp.request('reset', OP_WRITE, GROUP_OS, 5, {}).catch((e) => {
      if (!(e instanceof SmpTimeout)) throw e;
    });
    return await reportBoot(bootLines, image.slotName, image.version);
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
  const counter = (o['security-counter'] as number | undefined) ?? 1;
  if (!Number.isInteger(counter) || counter < 0 || counter > 512)
    throw new UsageError(`--security-counter ${counter}: the pen stores 0..512`);
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
  let r = await smp.request('upload', OP_WRITE, GROUP_IMAGE, 1, {
    off: 0,
    len: file.length,
    sha,
    data: first,
    upgrade: false,
  });
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
    r = await smp.request('upload', OP_WRITE, GROUP_IMAGE, 1, { off, data });
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

/** After the reset: the bootloader's own lines on the port say what it started, refused or why it stayed. */
async function reportBoot(lines: string[], slotName: string, version: string): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < RESET_WAIT_MS) {
    const start = lines.find((l) => /^boot: starting slot /.test(l));
    const service = lines.find((l) => /^boot: service mode/.test(l));
    if (start || service) {
      for (const l of lines.filter((x) => / refused: /.test(x))) console.error(l);
      if (service) {
        console.error(service);
        console.log('the pen stayed in service mode: no image it could start');
        return 1;
      }
      const m = /^boot: starting slot ([AB])( \(trial (\d) of 3\))?/.exec(start!)!;
      const ver = lines.find((l) => /^boot: version /.test(l))?.replace(/^boot: version (\S+).*/, '$1') ?? '?';
      if (m[1] !== slotName) {
        console.log(`the pen kept running version ${ver} from slot ${m[1]}: the new image was refused (see above)`);
        return 1;
      }
      console.log(
        m[2]
          ? `the pen runs version ${ver} from slot ${m[1]} on trial (boot ${m[3]} of 3); the firmware confirms it once it has started well`
          : `the pen runs version ${ver} from slot ${m[1]}, confirmed`,
      );
      return 0;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  console.log(
    `the pen was reset; its bootloader said nothing on the port in ${RESET_WAIT_MS / 1000} s, so which version runs is not known (version ${version} was marked for a trial boot in slot ${slotName})`,
  );
  return 1;
}
