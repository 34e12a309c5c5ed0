// The HTML report of a run with one failure: provenance on the page, the failure listed first with a
// link to its case, the failure plot with the expected value and its tolerance band, requirements
// verified by programs `pen qa` does not run said to be "not run in this report", the failed case's
// VCD and CSV beside the report, and a replay command that runs that case alone and fails the same way.
// A screenshot in headless Chromium (Debian `chromium`) is the visual evidence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../../boards/paths.js';
import { firmwareId, gitCommit } from '../../tools/qa/provenance.js';
import { firmwarePath } from '../../tools/build/build.js';
import { screenshotReport } from '../../tools/qa/screenshot.js';

const PEN = join(REPO_ROOT, 'bin', 'pen.js');
const dir = mkdtempSync(join(tmpdir(), 'report-'));

function pen(args: string[]) {
  return spawnSync(process.execPath, [PEN, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
}

test('the report of a run with one failure: provenance, failure first, band, traces, replay, screenshot', async () => {
  const html = join(dir, 'report.html');
  const r = pen([
    'qa',
    'tests/fixtures/qa-failing',
    '--html',
    html,
    '--junit',
    join(dir, 'junit.xml'),
    '--coverage',
    join(dir, 'cov'),
    '--seed',
    '3',
    '--jobs',
    '2',
  ]);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const page = readFileSync(html, 'utf8');

  const fw = firmwareId('ref-pen', firmwarePath('ref-pen'));
  assert.match(page, /<th>date<\/th><td>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/td>/);
  assert.ok(page.includes(`sha256 ${fw.sha256}</code>, ${fw.bytes} bytes`), 'firmware hash and size');
  assert.ok(page.includes(`<code>${gitCommit()}</code>`), 'commit');
  assert.match(page, /pen 0\.\d+\.\d+, node v\d+\.\d+\.\d+, assemblyscript 0\.\d+\.\d+/);

  // the failure is listed before the traceability table, linked to its case section
  const list = page.indexOf('<h2 id="failures"');
  assert.ok(list > 0 && list < page.indexOf('<h2>Traceability</h2>'));
  const link = /<ol class="failures"><li><a href="#([^"]+)">fixture depth off by 0\.1 mm<\/a>/.exec(page);
  assert.ok(link, 'a link to the failed case');
  assert.ok(page.includes(`<details id="${link[1]}" class="case failed" open>`));

  // its plot draws the expected depth, 0.9 mm, with the 0.02 mm band
  const section = page.slice(page.indexOf(`<details id="${link[1]}"`));
  assert.match(
    section.slice(0, section.indexOf('</details>')),
    /class="band"\/><line [^>]*class="expected"\/><text [^>]*>expected 0\.900 ± 0\.020 mm<\/text>/,
  );

  // requirements verified by test programs outside pen qa
  assert.match(
    page,
    /<td><b>PEN-LOG-01<\/b><\/td>.*?not run in this report:<\/span> <code>tests\/sim\/log\.test\.ts<\/code>/,
  );
  assert.doesNotMatch(page, /verified outside QA/);
  assert.match(page, /Firmware coverage of this run: \d+\.\d % \/ \d+\.\d %/);
  assert.ok(existsSync(join(dir, 'cov', 'lcov.info')));

  // the failed case's trace beside the report, linked from its section
  const vcd = join(dir, 'report-failed', 'fixture_depth_off_by_0.1_mm.vcd');
  assert.match(readFileSync(vcd, 'utf8'), /\$timescale/);
  assert.match(readFileSync(vcd.replace(/\.vcd$/, '.csv'), 'utf8'), /^time_us,/);
  assert.ok(page.includes('<a href="report-failed/fixture_depth_off_by_0.1_mm.vcd">VCD</a>'));

  // the replay command runs that case alone and fails the same way
  const cmd = /Replay: <code>npx pen qa (\S+) --grep &#39;([^&]+)&#39; --seed (\d+)<\/code>/.exec(page);
  assert.ok(cmd, 'a replay command');
  assert.deepEqual(
    [cmd[1], cmd[2], cmd[3]],
    ['tests/fixtures/qa-failing/depth-too-tight.yaml', 'fixture depth off by 0.1 mm', '3'],
  );
  const again = pen(['qa', cmd[1], '--grep', cmd[2], '--seed', cmd[3], '--jobs', '1']);
  assert.equal(again.status, 1);
  assert.match(again.stdout, /^1 cases in/m);
  const message = (out: string) => /FAIL fixture depth off by 0\.1 mm\n\s+(.*)/.exec(out)?.[1];
  assert.equal(message(again.stdout), message(r.stdout));

  const shots = await screenshotReport(html, join(dir, 'report.png'));
  assert.equal(shots.length, 2, 'the top of the report and the failed case');
  for (const s of shots) assert.deepEqual([...readFileSync(s).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
});
