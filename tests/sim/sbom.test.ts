// `pen sbom`: a CycloneDX 1.5 SBOM naming every npm package of package-lock.json and the port's C parts.
// No CycloneDX JSON schema is available offline (no npm package ships it), so the structure the
// specification requires is checked here field by field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../../boards/paths.js';
import { CdxBom, makeSbom, npmComponents, sbomProblems } from '../../tools/lib/sbom.js';
import { tempDir } from './tmp-dir.js';

test('pen sbom writes CycloneDX 1.5 JSON with every npm package and the C parts of the port', () => {
  const out = join(tempDir('sbom-'), 'sbom.json');
  const r = spawnSync('node', [join(REPO_ROOT, 'bin', 'pen.js'), 'sbom', '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const bom = JSON.parse(readFileSync(out, 'utf8')) as CdxBom;
  assert.deepEqual(sbomProblems(bom), []);
  assert.equal(bom.bomFormat, 'CycloneDX');
  assert.equal(bom.specVersion, '1.5');
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8'));
  const shipped = new Map<string, boolean>(); // name@version -> some copy is not a dev dependency
  for (const [path, p] of Object.entries(
    lock.packages as Record<string, { version?: string; link?: boolean; dev?: boolean }>,
  )) {
    if (path === '' || p.link || !p.version) continue;
    const id = `${path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${p.version}`;
    shipped.set(id, (shipped.get(id) ?? false) || !p.dev);
  }
  for (const [id, ships] of shipped) {
    const c = bom.components.find((x) => `${x.group ? `${x.group}/${x.name}` : x.name}@${x.version}` === id);
    assert.ok(c, `${id} is in the SBOM`);
    assert.equal(c.scope, ships ? 'required' : 'excluded', `${id}: shipped or not`);
    assert.match(c.purl!, /^pkg:npm\//);
  }
  assert.equal(bom.components.filter((c) => c.purl!.startsWith('pkg:npm/')).length, shipped.size);
  for (const part of ['mbedtls', 'wasm2c-runtime', 'newlib', 'libgcc']) {
    const c = bom.components.find((x) => x.name === part);
    assert.ok(c, `${part} is in the SBOM`);
    assert.match(c.purl!, /^pkg:deb\/debian\//);
  }
  // the vendored interpreters the tests replay the module in: named with their commits, not shipped
  for (const [name, repo] of [
    ['wasm3', 'wasm3/wasm3'],
    ['wamr', 'bytecodealliance/wasm-micro-runtime'],
  ]) {
    const c = bom.components.find((x) => x.name === name);
    assert.ok(c, `${name} is in the SBOM`);
    assert.equal(c.scope, 'excluded');
    assert.match(c.purl!, new RegExp(`^pkg:github/${repo}@[0-9a-f]{40}$`));
    assert.match(
      readFileSync(join(REPO_ROOT, 'third_party', name, 'README.md'), 'utf8'),
      new RegExp(c.purl!.split('@')[1]),
    );
  }
  const root = bom.metadata.component;
  assert.equal(root.type, 'firmware');
  for (const dep of ['ajv', 'assemblyscript', 'binaryen', 'yaml'])
    assert.ok(
      bom.dependencies[0].dependsOn.some((r) => r.startsWith(`pkg:npm/${dep}@`)),
      `the product depends on ${dep}`,
    );
});

test('the structural check finds what CycloneDX forbids', () => {
  const bom = makeSbom({ version: '0.0.0', now: new Date(0), serial: 'urn:uuid:00000000-0000-4000-8000-000000000000' });
  assert.deepEqual(sbomProblems(bom), []);
  const broken = structuredClone(bom);
  broken.specVersion = '1.4' as '1.5';
  broken.components[0].hashes = [{ alg: 'SHA-512', content: 'xyz' }];
  broken.components.push({ ...broken.components[1] });
  broken.dependencies[0].dependsOn.push('pkg:npm/nothing@1');
  const p = sbomProblems(broken);
  assert.equal(p.length, 4, p.join('\n'));
  assert.ok(npmComponents().length > 100);
});
