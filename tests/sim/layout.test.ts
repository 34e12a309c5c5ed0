// The arrows between the parts of the tree point one way (tools/README.md): the simulator never
// knows the tools, the board loader knows neither, the build stands without the simulator, and no
// command imports another. Checked on the import statements of the sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname, relative, posix } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';

function sources(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = posix.join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The repository files a source file imports (relative specifiers only), as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  const specs = [
    ...text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/gm),
    ...text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...text.matchAll(/\bnew URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g),
  ].map((m) => m[1]);
  return specs
    .filter((s) => s.startsWith('.'))
    .map((s) =>
      relative(REPO_ROOT, join(REPO_ROOT, dirname(file), s))
        .split('\\')
        .join('/')
        .replace(/\.js$/, '.ts'),
    );
}

const edges = ['abi', 'tools', 'host-sim', 'boards']
  .flatMap(sources)
  .flatMap((from) => importsOf(from).map((to) => ({ from, to })));
const under = (path: string, dir: string): boolean => path.startsWith(`${dir}/`);
const show = (es: { from: string; to: string }[]): string => es.map((e) => `${e.from} -> ${e.to}`).join('\n');

test('the import scan sees the imports it is meant to check', () => {
  assert.ok(
    edges.some((e) => e.from === 'tools/cli.ts' && e.to === 'tools/commands/sim.ts'),
    'tools/cli.ts -> tools/commands/sim.ts not found',
  );
  assert.ok(
    edges.some((e) => e.from === 'host-sim/pen.ts' && e.to === 'boards/board.ts'),
    'host-sim/pen.ts -> boards/board.ts not found',
  );
  assert.ok(
    edges.some((e) => e.from === 'tools/qa/runner.ts' && e.to === 'tools/qa/worker.ts'),
    'the worker, loaded by URL, not found',
  );
});

test('the simulator does not import the tools', () => {
  assert.deepEqual(show(edges.filter((e) => under(e.from, 'host-sim') && under(e.to, 'tools'))), '');
});

test('the board loader imports neither the simulator nor the tools', () => {
  assert.deepEqual(
    show(edges.filter((e) => under(e.from, 'boards') && (under(e.to, 'host-sim') || under(e.to, 'tools')))),
    '',
  );
});

test('no command imports another command', () => {
  assert.deepEqual(show(edges.filter((e) => under(e.from, 'tools/commands') && under(e.to, 'tools/commands'))), '');
});

test('the build imports only itself, the board loader and the dictionary, not the simulator nor the rest of the tools', () => {
  const out = edges.filter(
    (e) => under(e.from, 'tools/build') && !under(e.to, 'tools/build') && !under(e.to, 'boards') && !under(e.to, 'abi'),
  );
  assert.deepEqual(show(out), '');
});

test('the dictionary (abi/) imports nothing of the tree: everything else reads it', () => {
  assert.deepEqual(show(edges.filter((e) => under(e.from, 'abi') && !under(e.to, 'abi'))), '');
});
