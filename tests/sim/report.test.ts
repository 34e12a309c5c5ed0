// The HTML report of a run with one failure: provenance on the page, the failure listed first with a
// link to its case, the failure plot with the expected value and its tolerance band, requirements
// verified by programs `pen qa` does not run said to be "not run in this report", the failed case's
// VCD and CSV beside the report, and a replay command that runs that case alone and fails the same way.
// A screenshot in headless Chromium (Debian `chromium`) is the visual evidence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../../boards/paths.js';
import { firmwareId, gitCommit } from '../../tools/qa/provenance.js';
import { htmlReport, type EnvelopeLine } from '../../tools/qa/html.js';
import type { CaseResult } from '../../tools/qa/results.js';
import { caseSlugs } from '../../tools/qa/results.js';
import { firmwarePath } from '../../tools/build/build.js';
import { screenshotReport } from '../../tools/qa/screenshot.js';
import { oddCase, ODD_PROV as PROV } from './helpers.js';
import { tempDir } from './tmp-dir.js';

const PEN = join(REPO_ROOT, 'bin', 'pen.js');
const dir = tempDir('report-');

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

/**
 * What HTML forbids in a document: NUL and the other controls but tab, LF, FF and CR (C0, DEL, C1),
 * lone surrogates, noncharacters (U+FDD0..U+FDEF and the last two code points of every plane).
 */
function forbiddenInHtml(s: string): string[] {
  const out: string[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const control = (cp <= 0x1f && ![0x09, 0x0a, 0x0c, 0x0d].includes(cp)) || (cp >= 0x7f && cp <= 0x9f);
    const surrogate = cp >= 0xd800 && cp <= 0xdfff;
    const nonchar = (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe;
    if (control || surrogate || nonchar) out.push(`U+${cp.toString(16).toUpperCase()}`);
  }
  return out;
}

test('names and serial text with characters HTML forbids are shown as escapes, the rest kept', () => {
  const page = htmlReport(
    [
      oddCase('x \uFFFE\u0000', 'bell\u0007 \uFDD0 \u{1FFFF}'),
      oddCase('y \uD800 \u009b z', 'esc\u001b[2J tab\tok'),
      oddCase('ok 😀', 'OK'),
    ],
    [],
    [],
    { provenance: PROV },
  );
  assert.deepEqual(forbiddenInHtml(page), []);
  assert.ok(page.includes('</span> x \\uFFFE\\x00 <small>'), 'the name in its summary');
  assert.ok(page.includes('>x \\uFFFE\\x00</a>'), 'and in the failure list');
  assert.ok(page.includes('</span> y \\uD800 \\x9b z <small>'));
  assert.ok(page.includes('reply: bell\\x07 \\uFDD0 \\u{1FFFF}'), 'the serial reply');
  assert.ok(page.includes('reply: esc\\x1b[2J tab\tok'), 'a tab is kept');
  assert.ok(page.includes('</span> ok 😀 <small>'), 'a character outside the BMP is kept');
});

test('case slugs are unique within a run: names alike but for punctuation, or in their first 100 characters, or in case', () => {
  const long = 'a'.repeat(100);
  const names = [
    'same x<1',
    'same x>1',
    'plain name',
    'fixture depth off by 0.1 mm',
    `${long} one`,
    `${long} two`,
    'Pen',
    'pen',
  ];
  const s = caseSlugs(names);
  assert.equal(s.size, names.length);
  assert.equal(new Set([...s.values()].map((v) => v.toLowerCase())).size, names.length, [...s.values()].join(' '));
  // a name no other comes near keeps its plain form
  assert.equal(s.get('plain name'), 'plain_name');
  assert.equal(s.get('fixture depth off by 0.1 mm'), 'fixture_depth_off_by_0.1_mm');
  // the others: the plain form and a hash of the full name, the same in any run
  assert.match(s.get('same x<1')!, /^same_x_1-[0-9a-f]{8}$/);
  assert.match(s.get('same x>1')!, /^same_x_1-[0-9a-f]{8}$/);
  assert.match(s.get(`${long} one`)!, new RegExp(`^${long}-[0-9a-f]{8}$`));
  assert.match(s.get('Pen')!, /^Pen-[0-9a-f]{8}$/);
  assert.deepEqual(caseSlugs(names), s, 'the same names, the same slugs');
  assert.equal(caseSlugs(['same x>1', 'same x<1']).get('same x<1'), s.get('same x<1'), 'not the order of the run');
  // a name spelled like another's slug with its hash: a counter settles it
  const clash = caseSlugs(['same x<1', 'same x>1', s.get('same x<1')!]);
  assert.equal(new Set(clash.values()).size, 3, [...clash.values()].join(' '));
});

test('two failing cases whose names differ only in punctuation get their own trace files and sections', () => {
  const qa = tempDir('slug-qa-');
  for (const [f, name] of [
    ['lt.yaml', 'same x<1'],
    ['gt.yaml', 'same x>1'],
  ])
    writeFileSync(join(qa, f), `name: "${name}"\nsteps:\n  - run: 10ms\n  - expect: {state: fault}\n`);
  const html = join(qa, 'out', 'report.html');
  const r = pen(['qa', qa, '--html', html, '--jobs', '1']);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const page = readFileSync(html, 'utf8');
  const failedDir = join(qa, 'out', 'report-failed');
  assert.equal(readdirSync(failedDir).filter((f) => f.endsWith('.vcd')).length, 2, 'a trace file each');
  const ids = [...page.matchAll(/<details id="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, 2, `a section each: ${ids.join(' ')}`);
  const vcds = new Set<string>();
  for (const name of ['same x<1', 'same x>1']) {
    const esc = name.replace('<', '&lt;').replace('>', '&gt;');
    // the failure list links to the case's own section, and that section to its own trace
    const link = new RegExp(`<li><a href="#([^"]+)">${esc}</a>`).exec(page);
    assert.ok(link, `the failure list links ${name}`);
    const section = page.slice(page.indexOf(`<details id="${link[1]}"`));
    assert.match(
      section,
      new RegExp(`^<details id="${link[1]}" class="case failed" open><summary><span class="fail">FAIL</span> ${esc} `),
    );
    const vcd = /<a href="report-failed\/([^"]+\.vcd)">VCD<\/a>/.exec(section.slice(0, section.indexOf('</details>')));
    assert.ok(vcd, `${name}: a trace link`);
    assert.match(readFileSync(join(failedDir, vcd[1]), 'utf8'), /\$timescale/);
    vcds.add(vcd[1]);
  }
  assert.equal(vcds.size, 2, [...vcds].join(' '));
  // the names the slugs take: the plain form and a hash of the full name
  const slugs = caseSlugs(['same x<1', 'same x>1']);
  assert.deepEqual([...vcds].sort(), [...slugs.values()].map((v) => `${v}.vcd`).sort());
});

test('a matrix over two boards gets one pair of heat maps per board, each with its own cells and envelope', () => {
  const cell = (board: string, depth: number, freq: number): CaseResult => ({
    ...oddCase(`grid [board=${board}, depth_mm=${depth}, freq_hz=${freq}]`, 'OK'),
    file: 'tests/qa/grid.yaml',
    board,
    params: { board, depth_mm: depth, freq_hz: freq },
    matrixKeys: ['board', 'depth_mm', 'freq_hz'],
    status: 'passed',
    metrics: { depthErrMm: board === 'a' ? 0.001 : -0.002, freqErrPct: 0 },
  });
  const results = ['a', 'b'].flatMap((b) => [0.5, 1].flatMap((d) => [30, 60].map((f) => cell(b, d, f))));
  const envelope = (board: string, hz: number): EnvelopeLine => ({
    board,
    cartridge: '16',
    points: [0.5, 1].map((depthMm) => ({ depthMm, maxFreqHz: hz })),
  });
  const page = htmlReport(results, [], [envelope('a', 60), envelope('b', 30)], { provenance: PROV });
  const maps = page.split('<svg class="heat"').slice(1);
  assert.equal(maps.length, 4, 'depth and rate maps for each board');
  assert.ok(page.indexOf('<h3>a, cartridge 16</h3>') < page.indexOf('<h3>b, cartridge 16</h3>'));
  for (const [i, board] of ['a', 'a', 'b', 'b'].entries()) {
    const titles = [...maps[i].matchAll(/<title>grid \[board=(\w)/g)].map((m) => m[1]);
    assert.deepEqual(titles, [board, board, board, board], `map ${i}: only board ${board}'s four cells`);
  }
  // each board's envelope line: board a's at its 60 Hz row (the top), board b's at its 30 Hz row
  const envY = (svg: string): string => /<path d="M\d+,(\d+)/.exec(svg)![1];
  assert.notEqual(envY(maps[0]), envY(maps[2]));
  assert.equal(new Set(maps.map((m) => /<pattern id="([^"]+)"/.exec(m)![1])).size, 4, 'a hatch pattern id per map');
});
