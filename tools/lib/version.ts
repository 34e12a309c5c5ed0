// `pen --version`: the package version and the SHA-256 of the firmware the tools run, so a report or a
// bug can name exactly which firmware it is about.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';
import { buildFirmware } from '../build/build.js';

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Builds the firmware only when its cached build is missing or stale. */
export async function versionText(board = 'ref-pen'): Promise<string> {
  const built = await buildFirmware(board);
  const sha256 = createHash('sha256').update(readFileSync(built.wasmPath)).digest('hex');
  return `pen ${packageVersion()}\nfirmware ${board} sha256 ${sha256} (${built.bytes} bytes, ${built.wasmPath})`;
}
