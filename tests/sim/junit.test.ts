// JUnit that CI servers accept: a run with a failure validates against Jenkins' junit-10.xsd and Ant's
// JUnit.xsd (tests/fixtures/junit/) with xmllint; provenance and requirements are suite properties;
// the failure message appears once. (`npm run test:qa` validates the shipped suite's JUnit the same way.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { findScenarioFiles, loadScenario } from '../../tools/qa/scenario.js';
import { runCases } from '../../tools/qa/runner.js';
import { junitXml } from '../../tools/qa/junit.js';
import { collectProvenance, firmwareId } from '../../tools/qa/provenance.js';
import { REPO_ROOT } from '../../boards/paths.js';
import { firmware, oddCase, ODD_PROV as PROV } from './helpers.js';
import { tempDir } from './tmp-dir.js';

const SCHEMAS = ['jenkins-junit-10.xsd', 'ant-junit.xsd'].map((s) => join(REPO_ROOT, 'tests', 'fixtures', 'junit', s));
const dir = tempDir('junit-');

function xmllint(xml: string, schema: string): { ok: boolean; out: string } {
  const p = join(dir, 'junit.xml');
  writeFileSync(p, xml);
  const r = spawnSync('xmllint', ['--noout', '--schema', schema, p], { encoding: 'utf8' });
  if (r.error) throw new Error(`xmllint is needed (Debian libxml2-utils): ${r.error.message}`);
  return { ok: r.status === 0, out: r.stderr };
}

async function fixtureRun() {
  const wasm = await firmware();
  const cases = findScenarioFiles([join(REPO_ROOT, 'tests', 'fixtures', 'qa-failing')]).flatMap((f) =>
    loadScenario(f, 7),
  );
  const results = await runCases(cases, { wasm: { 'ref-pen': wasm }, jobs: 1 });
  return { results, prov: collectProvenance({ 'ref-pen': wasm }, 7), wasm };
}

test('the JUnit of a run with a failure validates against the Jenkins and Ant schemas', async () => {
  const { results, prov, wasm } = await fixtureRun();
  assert.equal(results.filter((r) => r.status === 'failed').length, 1, 'the fixture has one failing case');
  const xml = junitXml(results, prov);
  for (const s of SCHEMAS) {
    const v = xmllint(xml, s);
    assert.ok(v.ok, `${s}:\n${v.out}`);
  }
  // suite-level provenance, board, seed and requirements; none inside a test case
  const id = firmwareId('ref-pen', wasm);
  for (const [k, v] of [
    ['firmware.ref-pen.sha256', id.sha256],
    ['board', 'ref-pen'],
    ['seed', '7'],
    ['requirement', 'PEN-HOME-01'],
    ['commit', prov.commit],
    ['node', process.version],
  ]) {
    assert.ok(xml.includes(`<property name="${k}" value="${v}"/>`), `property ${k}=${v}`);
  }
  assert.doesNotMatch(xml, /<testcase[^>]*>\s*<properties>/);
  assert.match(
    xml,
    /<testcase classname="tests\.fixtures\.qa-failing\.depth-too-tight" name="fixture depth off by 0\.1 mm \[PEN-HOME-01\]"/,
  );
  // the message once: in the attribute, not again in the body
  const failure = /<failure message="([^"]*)" type="expectation">([^<]*)<\/failure>/.exec(xml);
  assert.ok(failure, 'a failure element');
  assert.match(failure[1], /depth-too-tight\.yaml:12: expected depth_mm 0\.9 \+\/- 0\.02 mm, measured/);
  assert.ok(!failure[2].includes('measured mean'), `the body repeats the message:\n${failure[2]}`);
  assert.match(
    failure[2],
    /^tests\/fixtures\/qa-failing\/depth-too-tight\.yaml:12\nreplay: npx pen qa tests\/fixtures\/qa-failing\/depth-too-tight\.yaml --grep &apos;fixture depth off by 0\.1 mm&apos; --seed 7\n/,
  );
});

test('with file and line attributes for annotators, the case names its file and the failing line', async () => {
  const { results, prov } = await fixtureRun();
  const xml = junitXml(results, prov, { fileLine: true });
  assert.match(
    xml,
    /<testcase [^>]*name="fixture depth off by 0\.1 mm \[PEN-HOME-01\]"[^>]* file="tests\/fixtures\/qa-failing\/depth-too-tight\.yaml" line="12">/,
  );
  assert.match(
    xml,
    /<testcase [^>]*name="fixture depth as set \[PEN-HOME-01\]"[^>]* file="tests\/fixtures\/qa-failing\/passes\.yaml" line="2"\/>/, // a case that passed: where it is named
  );
  // the strict schemas know no such attributes: without them the file is valid again
  const v = xmllint(xml.replace(/ file="[^"]*" line="\d+"/g, ''), SCHEMAS[0]);
  assert.ok(v.ok, v.out);
});

/** XML 1.0's Char production, as code points; a lone surrogate is not one. */
const XML_CHAR = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

test('names and replies with characters XML forbids (U+FFFE, U+FFFF, lone surrogates, controls) stay well-formed, shown as escapes', () => {
  const xml = junitXml(
    [oddCase('x \uFFFE', 'bell\u0007 \uFFFF'), oddCase('y \uD800 z \uDFFF', 'esc\u001b[2J'), oddCase('ok 😀', 'OK')],
    PROV,
  );
  assert.match(xml, XML_CHAR, 'every character is an XML Char');
  assert.ok(xml.includes('<testcase classname="tests.qa.odd" name="x \\uFFFE" '), 'U+FFFE as text');
  assert.ok(xml.includes('name="y \\uD800 z \\uDFFF"'), 'lone surrogates as text');
  assert.ok(xml.includes('name="ok 😀"'), 'a character outside the BMP is kept');
  assert.ok(xml.includes('reply: bell\\x07 \\uFFFF'), 'the serial reply too');
  assert.ok(xml.includes('esc\\x1b[2J'));
  const p = join(dir, 'odd.xml');
  writeFileSync(p, xml);
  const r = spawnSync('xmllint', ['--noout', p], { encoding: 'utf8' });
  if (r.error) throw new Error(`xmllint is needed (Debian libxml2-utils): ${r.error.message}`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
});
