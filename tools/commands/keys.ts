// `pen keys new --out NAME`: a P-256 signing key pair for firmware images.
import { parseOptions, usageText, OptionSpec, UsageError } from '../lib/args.js';
import { KeyError, writeKeyPair } from '../lib/image/keys.js';
import { checkOutputFile } from '../lib/errors.js';

const NEW_SPEC: OptionSpec = {
  out: { type: 'string', value: 'NAME', help: 'write NAME.pem (private, mode 0600) and NAME.pub.pem (required)' },
};
const NEW_USAGE = usageText(
  'keys new',
  'Make an ECDSA P-256 key pair for `pen image sign --key NAME.pem`. Never overwrites a key.\nKeep a production private key off the repository and off shared disks (docs/updating.md).',
  NEW_SPEC,
);
const HELP = `Usage: pen keys new --out NAME

Signing keys for firmware images:
  new      make an ECDSA P-256 key pair as PEM files`;

export async function keysCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '-h' || sub === '--help' || sub === 'help') {
    console.log(HELP);
    return 0;
  }
  if (sub !== 'new')
    throw new UsageError(
      `${sub === undefined ? 'a sub-command is needed' : `unknown sub-command "${sub}"`}\n\n${HELP}`,
    );
  const o = parseOptions(rest, NEW_SPEC, NEW_USAGE);
  if (o.help) {
    console.log(NEW_USAGE);
    return 0;
  }
  if (o._.length) throw new UsageError(`unexpected argument "${o._[0]}"\n\n${NEW_USAGE}`);
  if (!o.out) throw new UsageError(`--out NAME is required\n\n${NEW_USAGE}`);
  const name = (o.out as string).replace(/\.pem$/, '');
  checkOutputFile(`${name}.pem`, '--out');
  try {
    const k = writeKeyPair(name);
    console.log(`wrote ${k.privatePath} (private, mode 0600) and ${k.publicPath}`);
    console.log(`  key hash ${k.hash.toString('hex')} (SHA-256 of the DER public key, as in the images' KEYHASH TLV)`);
    return 0;
  } catch (e) {
    if (!(e instanceof KeyError)) throw e;
    console.error(`pen keys new: ${e.message}`);
    return 1;
  }
}
