// What a report was made from: when, which firmware (SHA-256 and size per board), which commit and
// which tools. Printed on every HTML page and in every JUnit file, so a result can be traced back.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../../boards/paths.js';
import { shellQuote } from '../lib/args.js';

export interface FirmwareId {
  board: string;
  sha256: string;
  bytes: number;
}

export interface Provenance {
  /** ISO 8601, UTC, whole seconds */
  date: string;
  firmware: FirmwareId[];
  /** `git rev-parse HEAD`, with " (dirty)" when tracked files differ from it, or "not a git checkout" */
  commit: string;
  tools: { node: string; pen: string; assemblyscript: string };
  /** the default seed of the run (`--seed`) */
  seed: number;
}

export function firmwareId(board: string, wasmPath: string): FirmwareId {
  const bytes = readFileSync(wasmPath);
  return { board, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

export function collectProvenance(wasm: Record<string, string>, seed: number, now = new Date()): Provenance {
  return {
    date: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    firmware: Object.entries(wasm).map(([b, p]) => firmwareId(b, p)),
    commit: gitCommit(),
    tools: {
      node: process.version,
      pen: packageVersion(REPO_ROOT),
      assemblyscript: packageVersion(join(REPO_ROOT, 'node_modules', 'assemblyscript')),
    },
    seed,
  };
}

export function gitCommit(cwd = REPO_ROOT): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    // untracked files do not change what was built from the commit's sources
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() !== '';
    return dirty ? `${head} (dirty)` : head;
  } catch {
    return 'not a git checkout';
  }
}

function packageVersion(dir: string): string {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Provenance as name/value pairs, in the order a reader wants them (JUnit properties, HTML table). */
export function provenancePairs(p: Provenance): [string, string][] {
  return [
    ['date', p.date],
    ...p.firmware.flatMap((f): [string, string][] => [
      [`firmware.${f.board}.sha256`, f.sha256],
      [`firmware.${f.board}.bytes`, String(f.bytes)],
    ]),
    ['commit', p.commit],
    ['default-seed', String(p.seed)],
    ['node', p.tools.node],
    ['pen', p.tools.pen],
    ['assemblyscript', p.tools.assemblyscript],
  ];
}

/**
 * The command that runs one case again, alone, with the same seed and, for a tolerance run, on the
 * same pens (`pens`: how many it ran on; the seed draws them again).
 */
export function replayCommand(file: string, caseName: string, seed: number, pens = 1): string {
  return `npx pen qa ${shellQuote(file)} --grep ${shellQuote(caseName)} --seed ${seed}${pens > 1 ? ` --tolerance ${pens}` : ''}`;
}
