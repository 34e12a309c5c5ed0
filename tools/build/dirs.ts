// Making directories and probing them for writes. Node 20's mkdirSync({recursive: true}) never returns
// where mkdir answers ENOENT under an existing parent (/proc, some FUSE mounts), so the path is made one
// component at a time, and every failure comes back as an error with its code.
import { mkdirSync, statSync, openSync, closeSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** mkdir -p: makes `dir` and its missing parents; throws the first error (EROFS, EACCES, ENOTDIR, ...). */
export function makeDirs(dir: string): void {
  const path = resolve(dir);
  const missing: string[] = [];
  let p = path;
  for (;;) {
    let isDir: boolean | undefined;
    try { isDir = statSync(p).isDirectory(); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; }
    if (isDir === true) break;
    if (isDir === false) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: missing.length ? 'ENOTDIR' : 'EEXIST', path: p, syscall: 'mkdir' });
    missing.push(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  for (const m of missing.reverse()) {
    try { mkdirSync(m); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; }
  }
}

/** Makes `dir` if missing and creates and removes a file there; throws what failed. A real write, so it holds for root and read-only mounts alike. */
export function probeWrite(dir: string): void {
  makeDirs(dir);
  const probe = join(dir, `.pen-write-check-${process.pid}`);
  closeSync(openSync(probe, 'wx'));
  unlinkSync(probe);
}
