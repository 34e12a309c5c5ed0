// Where a board's firmware is built: build/<board>/ in the checkout, or, when the checkout is
// read-only, a directory of the user's cache named by the build's key.
import { join } from 'node:path';
import { homedir, tmpdir } from 'node:os';
import { REPO_ROOT } from '../../boards/paths.js';
import { probeWrite } from './dirs.js';

/**
 * build/<board>/ when it can be written; otherwise a directory of the user's cache named by the
 * build's key, so a read-only checkout still runs the simulator. `writable` is a parameter so the
 * choice can be tested where permissions do not bind (root).
 */
export function firmwareDir(board: string, key: string, writable: (dir: string) => boolean = canWriteDir, env: NodeJS.ProcessEnv = process.env): string {
  const inTree = join(REPO_ROOT, 'build', board);
  if (writable(inTree)) return inTree;
  for (const root of cacheRoots(env)) {
    const dir = join(root, `${board}-${key.slice(0, 16)}`);
    if (writable(dir)) return dir;
  }
  return inTree; // nothing is writable: the build fails there, with the path in its message
}

/** $XDG_CACHE_HOME/needle-pen, ~/.cache/needle-pen, then the OS temporary directory. */
export function cacheRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const roots: string[] = [];
  if (env.XDG_CACHE_HOME) roots.push(join(env.XDG_CACHE_HOME, 'needle-pen'));
  const home = env.HOME ?? homedir();
  if (home) roots.push(join(home, '.cache', 'needle-pen'));
  roots.push(join(tmpdir(), 'needle-pen-cache'));
  return roots;
}

/** True when a file can be made in `dir` (made if missing). */
export function canWriteDir(dir: string): boolean {
  try {
    probeWrite(dir);
    return true;
  } catch {
    return false;
  }
}
