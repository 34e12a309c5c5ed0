// `pen cartridge make|show`: test cartridge chip files (docs/cartridge-chip.md), certified with the
// maker's development key unless another key is given. For tests and the simulator only.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseOptions, usageText, OptionSpec, UsageError } from '../lib/args.js';
import { checkOutputFile } from '../lib/errors.js';
import { loadBoard } from '../../boards/board.js';
import { CartridgeChip, ChipFile, CERT_ADDR, PUBKEY_ADDR } from '../../host-sim/cartridge-chip.js';
import {
  DEV_CARTRIDGE_MAKER_KEY_PATH,
  devCartridgeMakerKey,
  loadPrivateKey,
  publicKeyFromRaw,
  verifyP256,
} from '../../host-sim/keys.js';
import { createPublicKey, KeyObject } from 'node:crypto';

const MAKE_SPEC: OptionSpec = {
  serial: { type: 'number', value: 'N', help: 'the chip serial, 0..4294967295 (required)' },
  lot: { type: 'number', value: 'L', help: 'the lot, 0..4294967295 (required)' },
  type: { type: 'string', value: 'TYPE', help: "cartridge type (default: the board's first)" },
  board: { type: 'string', value: 'NAME', help: 'board whose cartridge list the type is from (default ref-pen)' },
  uses: { type: 'number', value: 'N', help: 'use counter to start from (default 0: new)' },
  key: { type: 'string', value: 'FILE.pem', help: 'maker key to certify with (default the development key)' },
  out: { type: 'string', value: 'FILE', help: 'write the chip file here (required)' },
};
const MAKE_USAGE = usageText(
  'cartridge make',
  'Make a test cartridge chip file: a chip key pair, the certificate over its data and public key, a use counter.\nCertified with the maker development key unless --key is given: for tests and the simulator only.',
  MAKE_SPEC,
);
const SHOW_SPEC: OptionSpec = {
  key: { type: 'string', value: 'FILE.pem', help: 'maker key (public or private PEM) to check the certificate with' },
};
const SHOW_USAGE = usageText('cartridge show FILE', 'Print a chip file and check its certificate.', SHOW_SPEC);
const HELP = `Usage: pen cartridge make --serial N --lot L --out FILE [options]
       pen cartridge show FILE

Test cartridge chips (docs/cartridge-chip.md):
  make     make a chip file certified with the development maker key
  show     print a chip file and check its certificate`;

const u32 = (v: unknown, what: string, usage: string): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff)
    throw new UsageError(`--${what} takes a whole number 0..4294967295\n\n${usage}`);
  return v;
};

export async function cartridgeCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '-h' || sub === '--help' || sub === 'help') {
    console.log(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'make') return make(rest);
  if (sub === 'show') return show(rest);
  throw new UsageError(`unknown sub-command "${sub}"\n\n${HELP}`);
}

function make(argv: string[]): number {
  const o = parseOptions(argv, MAKE_SPEC, MAKE_USAGE);
  if (o.help) {
    console.log(MAKE_USAGE);
    return 0;
  }
  if (o._.length) throw new UsageError(`unexpected argument "${o._[0]}"\n\n${MAKE_USAGE}`);
  if (o.serial === undefined || o.lot === undefined || !o.out)
    throw new UsageError(`--serial, --lot and --out are required\n\n${MAKE_USAGE}`);
  const board = loadBoard((o.board as string | undefined) ?? 'ref-pen');
  const type = (o.type as string | undefined) ?? board.cartridges[0].type;
  const keyPath = (o.key as string | undefined) ?? DEV_CARTRIDGE_MAKER_KEY_PATH;
  const maker = o.key ? loadPrivateKey(keyPath) : devCartridgeMakerKey();
  checkOutputFile(o.out as string, '--out');
  const chip = new CartridgeChip(
    board,
    {
      type,
      serial: u32(o.serial, 'serial', MAKE_USAGE),
      lot: u32(o.lot, 'lot', MAKE_USAGE),
      uses: o.uses === undefined ? 0 : u32(o.uses, 'uses', MAKE_USAGE),
    },
    maker,
  );
  writeFileSync(o.out as string, JSON.stringify(chip.toFile(), null, 2) + '\n');
  console.log(
    `wrote ${o.out as string}: cartridge ${type}, serial ${chip.serial}, lot ${chip.lot}, uses ${chip.useCount}`,
  );
  if (!o.key)
    console.log('  certified with the DEVELOPMENT maker key: a test chip, accepted only by pens that hold that key');
  return 0;
}

function show(argv: string[]): number {
  const o = parseOptions(argv, SHOW_SPEC, SHOW_USAGE);
  if (o.help) {
    console.log(SHOW_USAGE);
    return 0;
  }
  if (o._.length !== 1) throw new UsageError(`give one chip file\n\n${SHOW_USAGE}`);
  let chip: CartridgeChip;
  try {
    chip = CartridgeChip.fromFile(JSON.parse(readFileSync(o._[0], 'utf8')) as ChipFile);
  } catch (e) {
    console.error(`pen cartridge show: ${o._[0]}: ${(e as Error).message}`);
    return 1;
  }
  const maker: KeyObject = createPublicKey(o.key ? readFileSync(o.key as string, 'utf8') : devCartridgeMakerKey());
  const chipKey = publicKeyFromRaw(chip.bytes.subarray(PUBKEY_ADDR, CERT_ADDR));
  const certified =
    !!chipKey && verifyP256(maker, chip.bytes.subarray(0, CERT_ADDR), chip.bytes.subarray(CERT_ADDR, CERT_ADDR + 64));
  console.log(`cartridge ${chip.spec.type}, serial ${chip.serial}, lot ${chip.lot}, uses ${chip.useCount}`);
  console.log(
    `certificate: ${certified ? 'valid' : 'does NOT verify'} with the ${o.key ? `key in ${o.key as string}` : 'development maker key'}`,
  );
  return certified ? 0 : 1;
}
