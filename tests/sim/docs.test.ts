// The documents that QA and regulators read stay true to the tree: every hazard names scenarios
// that exist in the suite npm test runs, and every requirement is verified by at least one of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';
import { findScenarioFiles, loadScenario } from '../../tools/qa/scenario.js';
import { loadRequirements } from '../../tools/qa/requirements.js';

test('every hazard in docs/hazards.md names a scenario or test that exists', () => {
  const rows = readFileSync(join(REPO_ROOT, 'docs', 'hazards.md'), 'utf8')
    .split('\n')
    .filter((l) => /^\| H\d+ \|/.test(l));
  assert.ok(rows.length >= 15, `${rows.length} hazards`);
  for (const row of rows) {
    const verifiedBy = row.split('|')[6];
    const files = [...verifiedBy.matchAll(/`([^`]+\.(?:yaml|ts))`/g)].map((m) => m[1]);
    assert.ok(files.length > 0, `${row.split('|')[1].trim()} names no scenario`);
    for (const f of files) {
      const path = f.startsWith('tests/') ? join(REPO_ROOT, f) : join(REPO_ROOT, 'tests', 'qa', f);
      assert.ok(existsSync(path), `${row.split('|')[1].trim()}: ${f} does not exist`);
    }
  }
});

test('every requirement in docs/requirements.md is traced by a shipped scenario or test', () => {
  const cases = findScenarioFiles([join(REPO_ROOT, 'tests', 'qa')]).flatMap((f) => loadScenario(f));
  const traced = new Set(cases.flatMap((c) => c.requirements));
  for (const r of loadRequirements()) {
    for (const t of r.tests) assert.ok(existsSync(join(REPO_ROOT, t)), `${r.id}: ${t} does not exist`);
    // a requirement verified by a test program (the log's power cuts, the port's replay) names it
    assert.ok(traced.has(r.id) || r.tests.length > 0, `${r.id} (${r.title}) has no scenario and names no test`);
  }
});
