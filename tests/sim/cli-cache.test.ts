// The firmware is built once per board and build key, and a read-only checkout still runs `pen sim`:
// the build then goes to the user's cache, named by the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, statSync, symlinkSync, existsSync, chmodSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../../boards/paths.js';
import { buildFirmware, firmwareDir, firmwareKey, cacheRoots, firmwarePath } from '../../tools/build/build.js';
import { tempDir } from './tmp-dir.js';

const tmp = tempDir('pen-cache-');
const NOBODY = 65534;

test('a second build with the same sources is the cached one', async () => {
  const first = await buildFirmware('ref-pen');
  const mtime = statSync(first.wasmPath).mtimeMs;
  const t0 = Date.now();
  const again = await buildFirmware('ref-pen');
  assert.equal(again.wasmPath, first.wasmPath);
  assert.equal(statSync(again.wasmPath).mtimeMs, mtime, 'not written again');
  assert.ok(Date.now() - t0 < 5000, `a cache hit takes no compile (${Date.now() - t0} ms)`);
  assert.equal(firmwarePath('ref-pen'), first.wasmPath);
});

test('the key is one per board and source hash', () => {
  const ref = firmwareKey('ref-pen');
  assert.match(ref, /^[0-9a-f]{64}$/);
  assert.equal(firmwareKey('ref-pen'), ref, 'the same inputs, the same key');
  assert.notEqual(firmwareKey('stm32f405-tmc2209'), ref, "another board's constants, another key");
});

test('where the build goes: build/<board>/ when writable, else the first writable cache, named by the key', () => {
  // The decision is tested with a stand-in for "writable": tests run as root in CI, and chmod does
  // not stop root, so a read-only tree cannot be made there. The next test makes a real one when it can.
  const key = 'ab'.repeat(32);
  const env = { XDG_CACHE_HOME: join(tmp, 'xdg'), HOME: join(tmp, 'home') };
  const inTree = join(REPO_ROOT, 'build', 'ref-pen');
  assert.deepEqual(cacheRoots(env).slice(0, 2), [
    join(tmp, 'xdg', 'needle-pen'),
    join(tmp, 'home', '.cache', 'needle-pen'),
  ]);
  assert.equal(cacheRoots(env).length, 3, 'then the OS temporary directory');
  assert.equal(
    firmwareDir('ref-pen', key, () => true, env),
    inTree,
  );
  const readOnlyTree = (d: string): boolean => !d.startsWith(REPO_ROOT);
  assert.equal(
    firmwareDir('ref-pen', key, readOnlyTree, env),
    join(tmp, 'xdg', 'needle-pen', `ref-pen-${key.slice(0, 16)}`),
  );
  const noXdg = (d: string): boolean => readOnlyTree(d) && !d.startsWith(join(tmp, 'xdg'));
  assert.equal(
    firmwareDir('ref-pen', key, noXdg, env),
    join(tmp, 'home', '.cache', 'needle-pen', `ref-pen-${key.slice(0, 16)}`),
  );
  assert.equal(
    firmwareDir('ref-pen', key, () => false, env),
    inTree,
    'nothing writable: the build fails in the tree, naming it',
  );
});

// chmod does not stop root from writing: as root the pen runs as `nobody` (setpriv), where it does.
const isRoot = process.getuid?.() === 0;
const setpriv = spawnSync('setpriv', ['--version']).status === 0;
test(
  'pen sim runs from a read-only copy of the checkout, building into the cache',
  {
    skip: isRoot && !setpriv && 'running as root without setpriv (util-linux), so a read-only checkout cannot be made',
  },
  () => {
    const copy = join(tmp, 'checkout');
    mkdirSync(copy);
    for (const p of ['package.json', 'asconfig.json', 'assembly', 'boards', 'bin', 'dist', 'docs', 'keys'])
      cpSync(join(REPO_ROOT, p), join(copy, p), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'));
    const cache = join(tmp, 'cache');
    spawnSync('chmod', ['-R', 'a-w', copy]);
    try {
      const pen = [process.execPath, join(copy, 'bin', 'pen.js'), 'sim', '--seconds', '0.2'];
      if (isRoot) {
        mkdirSync(cache);
        chownSync(cache, NOBODY, NOBODY);
        chmodSync(tmp, 0o755);
      }
      const argv = isRoot
        ? ['setpriv', '--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', ...pen]
        : pen;
      const r = spawnSync(argv[0], argv.slice(1), {
        encoding: 'utf8',
        cwd: tmp,
        env: { ...process.env, XDG_CACHE_HOME: cache },
      });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(!existsSync(join(copy, 'build')), 'nothing written in the checkout');
      const dirs = readdirSync(join(cache, 'needle-pen'));
      assert.equal(dirs.length, 1);
      assert.match(dirs[0], /^ref-pen-[0-9a-f]{16}$/);
      assert.ok(existsSync(join(cache, 'needle-pen', dirs[0], 'firmware.wasm')));
    } finally {
      spawnSync('chmod', ['-R', 'u+w', copy]);
      chmodSync(copy, 0o755);
    }
  },
);
