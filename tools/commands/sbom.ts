// `pen sbom [--out FILE]`: the CycloneDX 1.5 SBOM of the npm dependencies and the port's C parts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseOptions, usageText, OptionSpec, noPositional } from '../lib/args.js';
import { checkOutputFile } from '../lib/errors.js';
import { makeSbom, sbomProblems } from '../lib/sbom.js';
import { firmwarePath } from '../build/build.js';
import { REPO_ROOT } from '../../boards/paths.js';
import { join } from 'node:path';

const SPEC: OptionSpec = {
  out: { type: 'string', value: 'FILE', help: 'write the SBOM there (default: standard output)' },
};
const USAGE = usageText(
  'sbom',
  "Write a CycloneDX 1.5 JSON SBOM: every npm package of package-lock.json (runtime ones required, dev tools excluded: they do not ship), the port's C parts (mbedTLS from Debian's source package, the wasm2c runtime, newlib, libgcc) with the versions of their Debian packages, and the reference pen's firmware.wasm with its SHA-256 when it is built (docs/security.md).",
  SPEC,
);

export async function sbomCommand(argv: string[]): Promise<number> {
  const o = parseOptions(argv, SPEC, USAGE);
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  noPositional(o, USAGE);
  if (o.out) checkOutputFile(o.out as string, '--out');
  const version = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version as string;
  const fw = firmwarePath('ref-pen');
  const bom = makeSbom({ version, firmware: existsSync(fw) ? readFileSync(fw) : undefined });
  const problems = sbomProblems(bom);
  if (problems.length) {
    console.error(`pen sbom: the SBOM is not valid CycloneDX 1.5:\n  ${problems.join('\n  ')}`);
    return 1;
  }
  const text = JSON.stringify(bom, null, 2) + '\n';
  if (o.out) {
    writeFileSync(o.out as string, text);
    console.error(
      `wrote ${o.out}: ${bom.components.length} components (${bom.components.filter((c) => c.purl?.startsWith('pkg:npm')).length} npm, ${bom.components.filter((c) => !c.purl?.startsWith('pkg:npm')).length} C)`,
    );
  } else process.stdout.write(text);
  return 0;
}
