// A temporary directory for a test file, removed when the file's tests have run: a test run leaves
// nothing behind in the OS temporary directory (each file runs in its own process under node --test).
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

// registered as the module loads, at the file's top level: it runs once, after every test of the file
after(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new empty directory named `prefix` plus a random tail, removed after the file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
