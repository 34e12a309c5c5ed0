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
    if (raw === undefined) throw new UsageError(`--${name} needs a value (${s.value ?? s.type})`);
    if (s.type === 'number') {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
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
  return `Usage: pen ${cmd} [options]\n\n${summary}\n\nOptions:\n${rows.join('\n')}\n  -h, --help                show this help`;
}

/** Positional arguments are an error for commands that take none. */
export function noPositional(o: Parsed, usage: string): void {
  if (o._.length) throw new UsageError(`unexpected argument "${o._[0]}"\n\n${usage}`);
}
