// `pen image sign|verify|info`: firmware images in MCUboot's format for a board's bootloader.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseOptions, usageText, OptionSpec, UsageError } from '../lib/args.js';
import { boardOption } from '../lib/board-option.js';
import { firmwarePath } from '../build/build.js';
import { portDir } from '../build/port-build.js';
import {
  RELEASE_SECURITY_COUNTER,
  SECURITY_COUNTER_MAX,
  securityCounterProblem,
} from '../lib/image/security-counter.js';
import { HAL_ABI_VERSION } from '../../abi/pen-abi.js';
import { REPO_ROOT } from '../../boards/paths.js';
import type { Board } from '../../boards/board.js';
import {
  ImageError,
  IMAGE_F_ROM_FIXED,
  IMAGE_FLAG_NAMES,
  HDR,
  parseVersion,
  formatVersion,
  hex32,
  hexType,
  tlvSpec,
} from '../lib/image/format.js';
import { parseImage, ParsedImage, Tlv } from '../lib/image/parse.js';
import { signImage } from '../lib/image/sign.js';
import { verifyImage } from '../lib/image/verify.js';
import {
  DEV_KEY_PATH,
  DEV_PUB_KEY_PATH,
  KeyError,
  loadPrivateKey,
  loadPublicKey,
  keyHash,
  isDevelopmentKey,
} from '../lib/image/keys.js';
import { flashLayout, SlotName } from '../lib/image/layout.js';
import { checkOutputFile } from '../lib/errors.js';
import { elfLoadAddress } from '../lib/image/elf.js';
import { toIntelHex } from '../lib/image/ihex.js';

const HELP = `Usage: pen image <sign|verify|info> [options]

Firmware images in MCUboot's format (docs/updating.md):
  sign     header + firmware binary + signed TLVs, ECDSA P-256
  verify   check an image as the bootloader will; exit 0 good, 1 bad, 2 usage
  info     print every header field and TLV

Run \`pen image <sub-command> --help\` for its options.`;

const SIGN_SPEC: OptionSpec = {
  board: { type: 'string', value: 'NAME', help: 'board the image is for (required; its port gives the flash layout)' },
  key: { type: 'string', value: 'PEM', help: `private key (default the development key ${rel(DEV_KEY_PATH)})` },
  version: { type: 'string', value: 'X.Y.Z+B', help: 'image version (default the package version, build 0)' },
  'security-counter': {
    type: 'number',
    value: 'N',
    help: `rollback counter, 0..${SECURITY_COUNTER_MAX} (default ${RELEASE_SECURITY_COUNTER}, the release's: tools/lib/image/security-counter.ts)`,
  },
  slot: { type: 'string', value: 'a|b', help: 'slot the image runs from (default a)' },
  // not "--wasm": the AssemblyScript compiler takes that word from the process's arguments when loaded
  module: { type: 'string', value: 'FILE', help: 'the firmware.wasm QA passed (default build/<board>/firmware.wasm)' },
  'link-address': {
    type: 'string',
    value: 'ADDR',
    help: "address INPUT.bin is linked at (default from the port ELF, or the slot's)",
  },
  out: { type: 'string', value: 'FILE', help: 'write the signed image there (required)' },
  hex: { type: 'string', value: 'FILE', help: 'also write it as Intel HEX at the slot address' },
};
const SIGN_USAGE = usageText(
  'image sign',
  `Sign a firmware binary (INPUT.bin, default build/<board>/port/slot_<slot>/firmware.bin from \`pen build\`)
into an MCUboot image. Usage: pen image sign --board NAME --out FILE [options] [INPUT.bin]`,
  SIGN_SPEC,
);

const VERIFY_SPEC: OptionSpec = {
  key: {
    type: 'string',
    value: 'PEM',
    help: `public (or private) key to check against (default ${rel(DEV_PUB_KEY_PATH)})`,
  },
  board: {
    type: 'string',
    value: 'NAME',
    help: 'also require the image to be for this board and fit one of its slots',
  },
};
const VERIFY_USAGE = usageText(
  'image verify',
  `Check an image: structure, hash, key, signature, HAL ABI (and board).
Exit status 0 when good, 1 when the image is bad, 2 on usage errors. Usage: pen image verify FILE [options]`,
  VERIFY_SPEC,
);

const INFO_SPEC: OptionSpec = {
  json: { type: 'boolean', help: 'print one JSON object' },
};
const INFO_USAGE = usageText(
  'image info',
  'Print every header field and TLV of an image (its structure is checked, not its signature).\nUsage: pen image info FILE [--json]',
  INFO_SPEC,
);

export async function imageCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'sign':
      return signCommand(rest);
    case 'verify':
      return verifyCommand(rest);
    case 'info':
      return infoCommand(rest);
    case '-h':
    case '--help':
    case 'help':
      console.log(HELP);
      return 0;
    case undefined:
      throw new UsageError(`a sub-command is needed\n\n${HELP}`);
    default:
      throw new UsageError(`unknown sub-command "${sub}"\n\n${HELP}`);
  }
}

function rel(p: string): string {
  return relative(process.cwd(), p) || p;
}

function keyOption<T>(load: () => T): T {
  try {
    return load();
  } catch (e) {
    if (e instanceof KeyError) throw new UsageError(e.message);
    throw e;
  }
}

function parseAddress(text: string, what: string): number {
  const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n > 0xffffffff)
    throw new UsageError(`${what} "${text}" is not a 32-bit address (e.g. 0x08020200)`);
  return n;
}

function readInput(path: string, what: string): Buffer {
  if (!existsSync(path)) throw new UsageError(`${what} ${path}: no such file`);
  return readFileSync(path);
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

function signCommand(argv: string[]): number {
  const o = parseOptions(argv, SIGN_SPEC, SIGN_USAGE);
  if (o.help) {
    console.log(SIGN_USAGE);
    return 0;
  }
  if (o._.length > 1) throw new UsageError(`one INPUT.bin at most, got ${o._.length}\n\n${SIGN_USAGE}`);
  if (!o.board) throw new UsageError(`--board NAME is required\n\n${SIGN_USAGE}`);
  if (!o.out) throw new UsageError(`--out FILE is required\n\n${SIGN_USAGE}`);
  checkOutputFile(o.out as string, '--out');
  if (o.hex) checkOutputFile(o.hex as string, '--hex');
  const board = boardOption(o.board as string);
  let layout;
  try {
    layout = flashLayout(board);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const slotName = (o.slot as string | undefined) ?? 'a';
  if (slotName !== 'a' && slotName !== 'b') throw new UsageError(`--slot ${slotName}: the slots are a and b`);
  const slot = layout.slots[slotName as SlotName];
  let version;
  try {
    version = parseVersion((o.version as string | undefined) ?? packageVersion());
  } catch (e) {
    throw new UsageError(`--version: ${(e as Error).message}`);
  }
  const counter = (o['security-counter'] as number | undefined) ?? RELEASE_SECURITY_COUNTER;
  const counterProblem = securityCounterProblem(counter);
  if (counterProblem) throw new UsageError(`--security-counter ${counterProblem}`);

  // pen build writes the firmware linked for each slot: the one for this slot is signed
  const slotBuild = join(portDir(board.name), `slot_${slotName}`);
  const defaultInput = join(slotBuild, 'firmware.bin');
  const input = o._[0] ?? defaultInput;
  if (!o._[0] && !existsSync(input))
    throw new UsageError(`no ${rel(input)}: build it first with \`pen build --board ${board.name}\``);
  const firmware = readInput(input, 'INPUT.bin');
  const wasmFile = (o.module as string | undefined) ?? firmwarePath(board.name);
  if (!o.module && !existsSync(wasmFile))
    throw new UsageError(`no ${rel(wasmFile)}: build it first with \`pen build --board ${board.name}\``);
  const wasmSha256 = createHash('sha256').update(readInput(wasmFile, '--module')).digest();
  const runsAt = slot.address + layout.headerBytes;
  const linkAddress =
    o['link-address'] !== undefined
      ? parseAddress(o['link-address'] as string, '--link-address')
      : o._[0] === undefined
        ? elfLoadAddress(join(slotBuild, 'firmware.elf'))
        : runsAt;

  const keyPath = (o.key as string | undefined) ?? DEV_KEY_PATH;
  const privateKey = keyOption(() => loadPrivateKey(keyPath));
  const image = signImage({
    firmware,
    loadAddress: slot.address,
    headerBytes: layout.headerBytes,
    flags: IMAGE_F_ROM_FIXED,
    version,
    securityCounter: counter,
    board: board.name,
    halAbiVersion: HAL_ABI_VERSION,
    wasmSha256,
    linkAddress,
    privateKey,
  });
  writeFileSync(o.out as string, image);
  if (o.hex) writeFileSync(o.hex as string, toIntelHex(image, slot.address));
  console.log(`signed ${o.out}${o.hex ? ` and ${o.hex}` : ''}`);
  console.log(
    `  board     ${board.name}, slot ${slot.name} at ${hex32(slot.address)}, firmware runs at ${hex32(runsAt)}`,
  );
  console.log(`  version   ${formatVersion(version)}, security counter ${counter}, HAL ABI ${HAL_ABI_VERSION}`);
  console.log(
    `  firmware  ${firmware.length} bytes from ${rel(input)}; image ${image.length} bytes (slot holds ${slot.bytes})`,
  );
  console.log(`  wasm      ${wasmSha256.toString('hex')} (${rel(wasmFile)})`);
  console.log(`  key       ${rel(keyPath)}, key hash ${keyHash(privateKey).toString('hex')}`);
  if (isDevelopmentKey(privateKey))
    console.error(
      `warning: signed with the DEVELOPMENT key (${rel(DEV_KEY_PATH)}): for development and emulator tests only, never for a pen that leaves the lab`,
    );
  if (linkAddress !== runsAt)
    console.error(
      `warning: the firmware is linked at ${hex32(linkAddress)}, but slot ${slot.name} runs it at ${hex32(runsAt)}: it will not start from that slot`,
    );
  if (image.length > slot.bytes) {
    console.error(`image of ${image.length} bytes does not fit slot ${slot.name} (${slot.bytes} bytes)`);
    return 1;
  }
  return 0;
}

function verifyCommand(argv: string[]): number {
  const o = parseOptions(argv, VERIFY_SPEC, VERIFY_USAGE);
  if (o.help) {
    console.log(VERIFY_USAGE);
    return 0;
  }
  if (o._.length !== 1) throw new UsageError(`one FILE is needed\n\n${VERIFY_USAGE}`);
  const file = o._[0];
  const bytes = readInput(file, 'FILE');
  const keyPath = (o.key as string | undefined) ?? DEV_PUB_KEY_PATH;
  const publicKey = keyOption(() => loadPublicKey(keyPath));
  const board: Board | undefined = o.board ? boardOption(o.board as string) : undefined;
  if (board)
    try {
      flashLayout(board);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  let img: ParsedImage;
  try {
    img = verifyImage(bytes, { publicKey, halAbiVersion: HAL_ABI_VERSION, board });
  } catch (e) {
    if (!(e instanceof ImageError)) throw e;
    console.error(`pen image verify: ${file}: ${e.message}`);
    return 1;
  }
  const dev = isDevelopmentKey(publicKey) ? ' (the development key)' : '';
  console.log(
    `${file}: good: board ${img.board}, version ${formatVersion(img.header.version)}, security counter ${img.securityCounter}, HAL ABI ${img.halAbiVersion}, load address ${hex32(img.header.loadAddr)}, signed by key ${img.keyHash.toString('hex').slice(0, 16)}...${dev}`,
  );
  return 0;
}

export interface InfoRow {
  offset: number;
  field: string;
  value: string;
}

/** Every header field and TLV, in file order, as rows for a table. */
export function infoRows(img: ParsedImage): InfoRow[] {
  const h = img.header;
  const flagNames = Object.entries(IMAGE_FLAG_NAMES)
    .filter(([bit]) => h.flags & Number(bit))
    .map(([, n]) => n);
  const rows: InfoRow[] = [
    { offset: HDR.magic, field: 'ih_magic', value: hex32(h.magic) },
    { offset: HDR.loadAddr, field: 'ih_load_addr', value: hex32(h.loadAddr) },
    { offset: HDR.hdrSize, field: 'ih_hdr_size', value: `${h.hdrSize} bytes` },
    { offset: HDR.protectTlvSize, field: 'ih_protect_tlv_size', value: `${h.protectTlvSize} bytes` },
    { offset: HDR.imgSize, field: 'ih_img_size', value: `${h.imgSize} bytes` },
    {
      offset: HDR.flags,
      field: 'ih_flags',
      value: `${hex32(h.flags)}${flagNames.length ? ` (${flagNames.join(' | ')})` : ''}`,
    },
    { offset: HDR.verMajor, field: 'ih_ver', value: formatVersion(h.version) },
    { offset: HDR.pad1, field: '_pad1', value: hex32(h.pad1) },
    { offset: img.firmwareOffset, field: 'firmware', value: `${img.firmwareBytes} bytes` },
    { offset: img.protectedOffset, field: 'protected TLV info', value: `magic 0x6908, ${h.protectTlvSize} bytes` },
  ];
  for (const t of img.tlvs.filter((x) => x.area === 'protected')) rows.push(tlvRow(t));
  rows.push({
    offset: img.unprotectedOffset,
    field: 'TLV info',
    value: `magic 0x6907, ${img.totalBytes - img.unprotectedOffset} bytes`,
  });
  for (const t of img.tlvs.filter((x) => x.area === 'unprotected')) rows.push(tlvRow(t));
  return rows;
}

function tlvValue(t: Tlv): string {
  switch (tlvSpec(t.type)!.kind) {
    case 'u32':
      return String(t.value.readUInt32LE(0));
    case 'address':
      return hex32(t.value.readUInt32LE(0));
    case 'string':
      return t.value.toString('latin1');
    default:
      return t.value.toString('hex');
  }
}

function tlvRow(t: Tlv): InfoRow {
  return {
    offset: t.offset,
    field: `TLV ${t.name} (${hexType(t.type)})`,
    value: `${tlvValue(t)}${tlvSpec(t.type)!.kind === 'der-signature' ? ` (${t.value.length} bytes)` : ''}`,
  };
}

function infoCommand(argv: string[]): number {
  const o = parseOptions(argv, INFO_SPEC, INFO_USAGE);
  if (o.help) {
    console.log(INFO_USAGE);
    return 0;
  }
  if (o._.length !== 1) throw new UsageError(`one FILE is needed\n\n${INFO_USAGE}`);
  const file = o._[0];
  const bytes = readInput(file, 'FILE');
  let img: ParsedImage;
  try {
    img = parseImage(bytes);
  } catch (e) {
    if (!(e instanceof ImageError)) throw e;
    console.error(`pen image info: ${file}: ${e.message}`);
    return 1;
  }
  if (o.json) {
    const h = img.header;
    console.log(
      JSON.stringify(
        {
          file,
          bytes: img.totalBytes,
          header: {
            magic: hex32(h.magic),
            load_addr: hex32(h.loadAddr),
            hdr_size: h.hdrSize,
            protect_tlv_size: h.protectTlvSize,
            img_size: h.imgSize,
            flags: hex32(h.flags),
            version: formatVersion(h.version),
            pad1: h.pad1,
          },
          tlvs: img.tlvs.map((t) => ({
            area: t.area,
            offset: t.offset,
            type: hexType(t.type),
            name: t.name,
            length: t.value.length,
            value: tlvValue(t),
          })),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const rows = infoRows(img);
  const w = Math.max(...rows.map((r) => r.field.length));
  console.log(`${file}: ${img.totalBytes} bytes (structure checked; \`pen image verify\` checks the signature)`);
  console.log(`  ${'offset'.padStart(8)}  ${'field'.padEnd(w)}  value`);
  for (const r of rows) console.log(`  ${String(r.offset).padStart(8)}  ${r.field.padEnd(w)}  ${r.value}`);
  return 0;
}
