// A small, strict option parser: unknown options and missing values are errors that say what is valid.
export class UsageError extends Error {}

export interface OptionSpec {
  [name: string]: { type: 'string' | 'number' | 'boolean'; help: string; value?: string };
}

export interface Parsed {
  /** positional arguments */
  _: string[];
  help: boolean;
  [name: string]: string | number | boolean | string[] | undefined;
}

/** a decimal number as people type it: 3, -1.5, .25, 2e3 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function parseOptions(argv: string[], spec: OptionSpec, usage: string): Parsed {
  const out: Parsed = { _: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      out.help = true;
      continue;
    }
    if (!a.startsWith('--')) {
      out._.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option --${name}\n\n${usage}`);
    if (s.type === 'boolean') {
      out[name] = true;
      continue;
    }
    const raw = inline ?? argv[++i];
    // an option where its value should be is a forgotten value, not a value (--out --json): a value
    // that starts with -- only as --name=VALUE
    if (raw === undefined || (inline === undefined && raw.startsWith('--') && raw.length > 2))
      throw new UsageError(
        `--${name} needs a value (${s.value ?? s.type})${raw === undefined ? '' : `, got the option ${raw}`}`,
      );
    if (s.type === 'number') {
      const v = Number(raw);
      // decimal only: Number() would also take 0x20, 0b1 or 0o7 as numbers nobody meant
      if (!DECIMAL.test(raw) || !Number.isFinite(v))
        throw new UsageError(`--${name} must be a decimal number, got "${raw}"`);
      out[name] = v;
    } else {
      out[name] = raw;
    }
  }
  return out;
}

export function usageText(cmd: string, summary: string, spec: OptionSpec): string {
  const rows = Object.entries(spec).map(
    ([n, s]) => `  --${n}${s.type === 'boolean' ? '' : ` ${s.value ?? s.type.toUpperCase()}`}`.padEnd(26) + s.help,
  );
  return `Usage: pen ${cmd} [options]\n\n${summary}\n\nOptions:\n${rows.join('\n')}\n${'  -h, --help'.padEnd(26)}show this help`;
}

/** Positional arguments are an error for commands that take none. */
export function noPositional(o: Parsed, usage: string): void {
  if (o._.length) throw new UsageError(`unexpected argument "${o._[0]}"\n\n${usage}`);
}

/** An argument as a POSIX shell reads it back: as it is when it is plain, else in single quotes. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
