#!/usr/bin/env node
// `pen`: the command line of the pen project. The TypeScript sources are compiled to dist/ by
// `npm install` (prepare) or `npm run build:ts`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'tools', 'cli.js');
if (!existsSync(cli)) {
  console.error(
    'pen: the tools are not compiled yet (no dist/tools/cli.js). Run `npm install` or `npm run build:ts` in ' + root,
  );
  process.exit(2);
}
const { main } = await import(cli);
process.exitCode = await main(process.argv.slice(2));
