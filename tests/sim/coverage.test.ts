// Firmware coverage of QA cases: the instrumented copy behaves as the release firmware does, counts
// function entries and both arms of every branch, and its lcov is read by genhtml. A fixed small
// sample of the suite, not all of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadScenario } from '../../tools/qa/scenario.js';
import { runCases } from '../../tools/qa/runner.js';
import { buildCoverageFirmware } from '../../tools/build/coverage-build.js';
import { lcov, figures, unreached } from '../../tools/qa/coverage.js';
import { htmlReport } from '../../tools/qa/html.js';
import { loadRequirements } from '../../tools/qa/requirements.js';
import { collectProvenance } from '../../tools/qa/provenance.js';
import { REPO_ROOT } from '../../boards/paths.js';
import { firmware } from './helpers.js';
import { tempDir } from './tmp-dir.js';

const SAMPLE = ['tests/qa/homing.yaml', 'tests/qa/faults/overtemp.yaml'];

test('coverage of a sample: same results as the release firmware, counts per case, lcov for genhtml', async () => {
  const release = await firmware();
  const map = await buildCoverageFirmware('ref-pen', release);
  assert.notEqual(map.wasmPath, release);
  assert.ok(
    map.counters.some((c) => c.fn === 'assembly/index/tick' && c.kind === 'function'),
    'the firmware tick is counted',
  );
  const fn = map.counters.filter((c) => c.kind === 'function');
  assert.ok(
    fn.length > 50 && fn.every((c) => c.file.startsWith('assembly/') && c.line > 0),
    'functions with their source file and line',
  );

  const cases = SAMPLE.flatMap((f) => loadScenario(join(REPO_ROOT, f), 1));
  const plain = await runCases(cases, { wasm: { 'ref-pen': release }, jobs: 1 });
  const counted = await runCases(cases, { wasm: { 'ref-pen': map.wasmPath }, jobs: 2, coverage: true });
  // the instrumented copy changes no measurement
  const same = (rs: typeof plain) => rs.map((r) => JSON.stringify([r.status, r.expects, r.steps, r.simMs]));
  assert.deepEqual(same(counted), same(plain));
  assert.ok(counted.every((r) => r.status === 'passed'));
  for (const r of counted) assert.ok((r.coverage ?? []).length > 20, `${r.name} hit counters`);

  const f = figures(map, counted);
  assert.ok(f.fnHit > 0 && f.fnHit < f.fnTotal && f.brHit > 0 && f.brHit < f.brTotal, JSON.stringify(f));
  // the overtemperature fault runs code the homing case does not
  const homing = figures(
    map,
    counted.filter((r) => r.file.endsWith('homing.yaml')),
  );
  assert.ok(f.fnHit > homing.fnHit || f.brHit > homing.brHit);
  const never = unreached(map, counted);
  assert.ok(
    never.some((u) => u.file === 'assembly/machine.ts'),
    'state machine paths no sample case reached are listed',
  );

  const dir = tempDir('coverage-');
  const info = lcov(map, counted);
  writeFileSync(join(dir, 'lcov.info'), info);
  const sum = (k: string) =>
    [...info.matchAll(new RegExp(`^${k}:(\\d+)$`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
  assert.equal(sum('FNF'), f.fnTotal);
  assert.equal(sum('FNH'), f.fnHit);
  assert.equal(sum('BRF'), f.brTotal);
  assert.equal(sum('BRH'), f.brHit);
  const g = spawnSync('genhtml', ['-q', '--branch-coverage', '-o', join(dir, 'html'), join(dir, 'lcov.info')], {
    encoding: 'utf8',
  });
  if (g.error) throw new Error(`genhtml is needed (Debian lcov): ${g.error.message}`);
  assert.equal(g.status, 0, g.stderr);
  assert.ok(existsSync(join(dir, 'html', 'index.html')));
  assert.match(readFileSync(join(dir, 'html', 'index.html'), 'utf8'), /Functions/);

  // the traceability table gets a coverage figure per requirement
  const html = htmlReport(counted, loadRequirements(), [], {
    provenance: collectProvenance({ 'ref-pen': release }, 1),
    coverage: [map],
  });
  assert.match(html, /<th[^>]*>coverage<br>functions \/ branches<\/th>/);
  assert.match(html, /<td><b>PEN-HOME-01<\/b><\/td>.*?<td class="num">\d+\.\d % \/ \d+\.\d %<\/td><\/tr>/);
  assert.match(html, /Firmware paths no case reached/);
});
