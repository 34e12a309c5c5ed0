// `pen clinic`: what a clinic and the maker need for the professional-mode unlock (docs/security.md).
// `keys new` makes a clinic's own P-256 key pair; `licence` is the maker's step, signing a licence that
// binds the clinic's public key (the development maker key unless --maker-key); `answer` is the clinic's
// tool, signing a pen's challenge with the clinic's private key and printing the lines to send.
import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseOptions, usageText, OptionSpec, UsageError, noPositional } from '../lib/args.js';
import { KeyError, writeKeyPair } from '../lib/image/keys.js';
import { checkOutputFile } from '../lib/errors.js';
import { DEV_LICENCE_MAKER_KEY_PATH, rawPublicKey } from '../../host-sim/keys.js';
import {
  answerChallenge,
  authLines,
  issueLicence,
  LicenceError,
  licenceSignedBy,
  parseChallenge,
  readLicence,
} from '../lib/licence.js';
import { LICENCE, REVOKED_LICENCES } from '../../abi/pen-abi.js';

const HELP = `Usage: pen clinic keys new --out NAME
       pen clinic licence --clinic NAME.pub.pem --serial N [--expires YYYY-MM-DD] [--pens S1,S2] --out FILE
       pen clinic answer --key NAME.pem --licence FILE --challenge "CHALLENGE <hex> pen=<serial>"
       pen clinic show --licence FILE

Professional-mode unlock without a shared secret (docs/security.md):
  keys new   make a clinic's own ECDSA P-256 key pair (the private key never leaves the clinic)
  licence    the maker signs a licence binding a clinic's public key (development maker key unless --maker-key)
  answer     the clinic's tool: sign a pen's challenge and print the AUTH lines to send to the pen
  show       print a licence's fields and whether the development maker key signed it`;

const KEYS_SPEC: OptionSpec = {
  out: { type: 'string', value: 'NAME', help: 'write NAME.pem (private, mode 0600) and NAME.pub.pem (required)' },
};
const LICENCE_SPEC: OptionSpec = {
  clinic: { type: 'string', value: 'FILE', help: "the clinic's public key (PEM), from `pen clinic keys new`" },
  serial: { type: 'number', value: 'N', help: 'licence serial, 1..4294967295: what a revocation names' },
  expires: { type: 'string', value: 'DATE', help: 'expiry, YYYY-MM-DD (UTC midnight); default none' },
  pens: { type: 'string', value: 'S1,S2', help: `pen serials it opens, at most ${LICENCE.penSlots}; default any pen` },
  'maker-key': {
    type: 'string',
    value: 'FILE',
    help: "the maker's licence private key (default: the development key)",
  },
  out: { type: 'string', value: 'FILE', help: 'write the licence there, as hex (required)' },
};
const ANSWER_SPEC: OptionSpec = {
  key: { type: 'string', value: 'FILE', help: "the clinic's private key (PEM)" },
  licence: { type: 'string', value: 'FILE', help: "the clinic's licence (hex), from the maker" },
  challenge: {
    type: 'string',
    value: 'LINE',
    help: "the pen's reply to AUTH?: CHALLENGE <32 hex digits> pen=<serial>",
  },
};
const SHOW_SPEC: OptionSpec = {
  licence: { type: 'string', value: 'FILE', help: 'the licence (hex)' },
};

export async function clinicCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '-h' || sub === '--help' || sub === 'help') {
    console.log(HELP);
    return 0;
  }
  try {
    if (sub === 'keys') return keysNew(rest);
    if (sub === 'licence' || sub === 'license') return licence(rest);
    if (sub === 'answer') return answer(rest);
    if (sub === 'show') return show(rest);
  } catch (e) {
    if (e instanceof LicenceError || e instanceof KeyError) {
      console.error(`pen clinic ${sub}: ${e.message}`);
      return e instanceof KeyError ? 1 : 2;
    }
    throw e;
  }
  throw new UsageError(`${sub === undefined ? 'a sub-command is needed' : `unknown sub-command "${sub}"`}\n\n${HELP}`);
}

function keysNew(argv: string[]): number {
  const [what, ...rest] = argv;
  const usage = usageText(
    'clinic keys new',
    "Make a clinic's ECDSA P-256 key pair. Never overwrites a key.",
    KEYS_SPEC,
  );
  if (what !== 'new') throw new UsageError(`use "pen clinic keys new"\n\n${usage}`);
  const o = parseOptions(rest, KEYS_SPEC, usage);
  if (o.help) return help(usage);
  noPositional(o, usage);
  if (!o.out) throw new UsageError(`--out NAME is required\n\n${usage}`);
  const name = (o.out as string).replace(/\.pem$/, '');
  checkOutputFile(`${name}.pem`, '--out');
  const k = writeKeyPair(name);
  console.log(
    `wrote ${k.privatePath} (private, mode 0600: keep it in the clinic) and ${k.publicPath} (send it to the maker)`,
  );
  return 0;
}

function licence(argv: string[]): number {
  const usage = usageText(
    'clinic licence',
    "Sign a licence binding a clinic's public key, as the maker does. Without --maker-key the development key signs it: such a licence opens only pens provisioned with the development key, never a real pen.",
    LICENCE_SPEC,
  );
  const o = parseOptions(argv, LICENCE_SPEC, usage);
  if (o.help) return help(usage);
  noPositional(o, usage);
  for (const k of ['clinic', 'serial', 'out'])
    if (o[k] === undefined) throw new UsageError(`--${k} is required\n\n${usage}`);
  const clinicPub = readKey(o.clinic as string, 'public');
  const serial = o.serial as number;
  const expiryS = o.expires === undefined ? 0 : dateSeconds(o.expires as string);
  const pens = o.pens === undefined ? [] : (o.pens as string).split(',').map((p) => Number(p.trim()));
  const makerPath = (o['maker-key'] as string | undefined) ?? DEV_LICENCE_MAKER_KEY_PATH;
  const maker = readKey(makerPath, 'private');
  checkOutputFile(o.out as string, '--out');
  const lic = issueLicence({ serial, expiryS, pens, clinicPublic: rawPublicKey(clinicPub) }, maker);
  writeFileSync(o.out as string, lic.toString('hex') + '\n');
  console.log(
    `wrote ${o.out}: licence ${serial}, ${expiryS ? `expires ${new Date(expiryS * 1000).toISOString()}` : 'no expiry'}, ${pens.length ? `pens ${pens.join(', ')}` : 'any pen'}`,
  );
  if (o['maker-key'] === undefined) console.log('  signed with the DEVELOPMENT maker key: it opens no real pen');
  if (REVOKED_LICENCES.includes(serial)) console.log(`  serial ${serial} is on the revocation list: pens refuse it`);
  return 0;
}

function answer(argv: string[]): number {
  const usage = usageText(
    'clinic answer',
    "Sign a pen's challenge with the clinic's private key and print the lines to send to the pen, in order: the licence (5 lines), then the answer (2 lines).",
    ANSWER_SPEC,
  );
  const o = parseOptions(argv, ANSWER_SPEC, usage);
  if (o.help) return help(usage);
  noPositional(o, usage);
  for (const k of ['key', 'licence', 'challenge'])
    if (o[k] === undefined) throw new UsageError(`--${k} is required\n\n${usage}`);
  const ch = parseChallenge((o.challenge as string).trim());
  if (!ch) throw new UsageError(`--challenge must be the pen's whole reply, "CHALLENGE <32 hex digits> pen=<serial>"`);
  const key = readKey(o.key as string, 'private');
  const lic = readLicenceFile(o.licence as string);
  if (!readLicence(lic).clinicPublic.equals(rawPublicKey(key)))
    throw new LicenceError(`${o.licence} is not this clinic's licence: it names another clinic key`);
  const ans = answerChallenge(ch.challengeHex, ch.penSerial, key);
  for (const l of [...authLines('LICENCE', lic), ...authLines('ANSWER', ans)]) console.log(l);
  return 0;
}

function show(argv: string[]): number {
  const usage = usageText('clinic show', "Print a licence's fields.", SHOW_SPEC);
  const o = parseOptions(argv, SHOW_SPEC, usage);
  if (o.help) return help(usage);
  noPositional(o, usage);
  if (o.licence === undefined) throw new UsageError(`--licence is required\n\n${usage}`);
  const lic = readLicenceFile(o.licence as string);
  const f = readLicence(lic);
  const dev = licenceSignedBy(lic, createPublicKey(readKey(DEV_LICENCE_MAKER_KEY_PATH, 'private')));
  console.log(`licence ${f.serial} (format ${f.format}, maker key ID ${f.keyId})`);
  console.log(`  expires     ${f.expiryS ? new Date(f.expiryS * 1000).toISOString() : 'never'}`);
  console.log(`  pens        ${f.pens.length ? f.pens.join(', ') : 'any'}`);
  console.log(`  clinic key  ${f.clinicPublic.toString('hex')}`);
  console.log(`  signed by   ${dev ? 'the DEVELOPMENT maker key' : 'not the development maker key'}`);
  if (REVOKED_LICENCES.includes(f.serial)) console.log('  REVOKED');
  return 0;
}

function help(usage: string): number {
  console.log(usage);
  return 0;
}

function readKey(path: string, kind: 'public' | 'private'): KeyObject {
  if (!existsSync(path)) throw new LicenceError(`${path}: no such file`);
  const pem = readFileSync(path, 'utf8');
  let k: KeyObject;
  try {
    k = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch {
    throw new LicenceError(`${path}: not a PEM ${kind} key`);
  }
  if (k.asymmetricKeyType !== 'ec' || k.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new LicenceError(`${path}: not an ECDSA P-256 key`);
  return k;
}

function readLicenceFile(path: string): Buffer {
  if (!existsSync(path)) throw new LicenceError(`${path}: no such file`);
  const hex = readFileSync(path, 'utf8').trim();
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new LicenceError(`${path}: a licence file holds hex digits`);
  const b = Buffer.from(hex, 'hex');
  readLicence(b); // its length
  return b;
}

function dateSeconds(d: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 1000 : NaN;
  if (!Number.isFinite(t)) throw new UsageError(`--expires must be a date YYYY-MM-DD, got "${d}"`);
  return t;
}
