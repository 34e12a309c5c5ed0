// Exit codes and the errors behind them: a script or CI job tells a failed check from a bad command
// line and from a machine that cannot run the tools, and each message names the problem and the fix.
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { probeWrite } from '../build/dirs.js';

export const EXIT_OK = 0;
/** a test, check or budget failed */
export const EXIT_FAILED = 1;
/** bad input or usage: an unknown option, a value out of range, a scenario file with errors */
export const EXIT_USAGE = 2;
/** the environment: an unwritable or unusable path, a missing tool */
export const EXIT_ENVIRONMENT = 3;

/** A problem with the machine rather than with the command line: a path that cannot be written, a missing tool. */
export class EnvironmentError extends Error {
  constructor(
    problem: string,
    readonly fix: string,
  ) {
    super(`${problem}: ${fix}`);
    this.name = 'EnvironmentError';
  }
}

const PATH_CODES: Record<string, string> = {
  EROFS: 'is on a read-only file system',
  EACCES: 'is not writable (permission denied)',
  EPERM: 'is not writable (operation not permitted)',
  ENOSPC: 'cannot be written: the disk is full',
  EDQUOT: 'cannot be written: the disk quota is used up',
  ENOTDIR: 'has a file where a directory should be',
  EISDIR: 'is a directory, not a file',
  EEXIST: 'exists and is not a directory',
};

/** A Node file-system or spawn error said as an EnvironmentError, or undefined when it is something else. */
export function environmentErrorOf(e: unknown): EnvironmentError | undefined {
  if (e instanceof EnvironmentError) return e;
  const err = e as NodeJS.ErrnoException | undefined;
  if (!err || typeof err.code !== 'string') return undefined;
  if (err.code === 'ENOENT' && /^spawn/.test(err.syscall ?? '')) {
    return new EnvironmentError(`${err.path ?? 'a tool'} not found`, 'install it or put it on PATH');
  }
  const what = PATH_CODES[err.code];
  if (!what) return undefined;
  return new EnvironmentError(
    `${err.path ?? 'a path'} ${what} (${err.code})`,
    'choose a writable path, or fix the permissions',
  );
}

/**
 * Checks before anything runs that `file` can be written: its directory is made (as the write would
 * make it) and a probe file created and removed there. `option` names where the path came from.
 */
export function checkOutputFile(file: string, option: string): void {
  const path = resolve(file);
  if (isDirectory(path)) throw new EnvironmentError(`${option} ${file} is a directory`, 'give a file name');
  probeDir(dirname(path), option, file);
}

/** Checks before anything runs that files can be written into directory `dir` (made if missing). */
export function checkOutputDir(dir: string, option: string): void {
  probeDir(resolve(dir), option, dir);
}

function probeDir(dir: string, option: string, given: string): void {
  try {
    probeWrite(dir);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const what = PATH_CODES[err.code ?? ''] ?? `cannot be written (${err.code ?? err.message})`;
    const code = err.code && PATH_CODES[err.code] ? ` (${err.code})` : '';
    const where = err.path && !err.path.includes('.pen-write-check-') ? err.path : dir; // the directory, not the probe
    throw new EnvironmentError(
      `${option} ${given}: ${where} ${what}${code}`,
      'choose a writable path, or fix the permissions',
    );
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
