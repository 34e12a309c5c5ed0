// JUnit XML, one <testsuite> per scenario file, one <testcase> per case: what CI servers read.
// It validates against both published schemas (tests/fixtures/junit/): Jenkins' xunit junit-10.xsd
// and Ant's JUnit.xsd. Their common ground decides the shape: <testsuites> has no attributes; each
// <testsuite> has id, package, timestamp and hostname, one <properties> first and <system-out> and
// <system-err> last; a <testcase> holds at most one <failure> and no output of its own; neither
// schema has `file` or `line` on a test case, so the file and line go into suite properties and the
// failure message, and `fileLine` adds them as attributes for annotators that read them (GitLab,
// GitHub actions), at the price of the strict schemas.
import { hostname } from 'node:os';
import { CaseResult, ExpectResult } from './results.js';
import { Provenance, provenancePairs, replayCommand } from './provenance.js';
import { xmlChars } from './escape.js';

export interface JunitOptions {
  /** `file` and `line` attributes on each <testcase> (outside both schemas) */
  fileLine?: boolean;
}

export function junitXml(results: CaseResult[], prov: Provenance, opts: JunitOptions = {}): string {
  const byFile = new Map<string, CaseResult[]>();
  for (const r of results) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const secs = (ms: number): string => (ms / 1000).toFixed(3);
  const host = hostname() || 'localhost';
  const stamp = prov.date.slice(0, 19); // Ant's pattern: no zone, no fraction (the date is UTC)
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<!-- pen qa: ${results.length} cases, ${results.filter((r) => r.status === 'failed').length} failed; ${prov.date}; commit ${prov.commit.replace(/-/g, '')} -->`,
    '<testsuites>',
  ];
  let id = 0;
  for (const [file, rs] of byFile) {
    const f = rs.filter((r) => r.status === 'failed').length;
    const pkg = classOf(file);
    out.push(
      `  <testsuite name="${x(file)}" package="${x(pkg)}" id="${id++}" timestamp="${stamp}" hostname="${x(host)}" tests="${rs.length}" failures="${f}" errors="0" skipped="0" time="${secs(rs.reduce((a, r) => a + r.wallMs, 0))}">`,
    );
    out.push('    <properties>');
    const props: [string, string][] = [
      ['file', file],
      ...[...new Set(rs.map((r) => r.board))].map((b): [string, string] => ['board', b]),
      ...[...new Set(rs.map((r) => r.cartridge))].map((c): [string, string] => ['cartridge', c]),
      ...[...new Set(rs.map((r) => String(r.seed)))].map((s): [string, string] => ['seed', s]),
      ...[...new Set(rs.flatMap((r) => r.requirements))].sort().map((q): [string, string] => ['requirement', q]),
      ...rs.map((r): [string, string] => [`line.${r.name}`, String(r.line ?? 1)]),
      // a tolerance run: the spread of each expectation over the pens (Ant's schema has no other place for it)
      ...rs.flatMap((r) =>
        r.expects
          .filter(() => r.pens)
          .map((e): [string, string] => [`spread.${r.name}.line${e.line}.${e.key}`, spreadText(e, r)]),
      ),
      ...provenancePairs(prov).filter(
        ([k]) => !k.startsWith('firmware.') || rs.some((r) => k.startsWith(`firmware.${r.board}.`)),
      ),
    ];
    for (const [k, v] of props) out.push(`      <property name="${x(k)}" value="${x(v)}"/>`);
    out.push('    </properties>');
    for (const r of rs) {
      const reqs = r.requirements.length ? ` [${r.requirements.join(' ')}]` : '';
      const where = opts.fileLine ? ` file="${x(r.file)}" line="${failedLine(r) ?? r.line ?? 1}"` : '';
      const open = `    <testcase classname="${x(pkg)}" name="${x(r.name + reqs)}" time="${secs(r.wallMs)}"${where}`;
      if (r.status !== 'failed') {
        out.push(`${open}/>`);
        continue;
      }
      // the message once, in the attribute; the body says where, how to replay, and what ran
      const body = [
        `${r.file}:${failedLine(r) ?? r.line ?? 1}`,
        `replay: ${replayCommand(r.file, r.name, r.seed, r.pens)}`,
        ...stepLog(r, false),
      ];
      out.push(
        `${open}>`,
        `      <failure message="${x(r.message ?? 'failed')}" type="expectation">${x(body.join('\n'))}</failure>`,
        '    </testcase>',
      );
    }
    // the logs of all cases of the file: Ant's schema has no output element inside a test case
    const log = rs.flatMap((r) => [
      `== ${r.status === 'failed' ? 'FAIL' : 'ok  '} ${r.name} (${r.file}:${r.line ?? 1}, seed ${r.seed})`,
      ...stepLog(r, true),
    ]);
    out.push(`    <system-out>${x(log.join('\n'))}</system-out>`, '    <system-err></system-err>', '  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

function classOf(file: string): string {
  return file.replace(/\.ya?ml$/, '').replace(/[/\\]/g, '.');
}

function failedLine(r: CaseResult): number | undefined {
  return r.steps.find((s) => s.status === 'failed')?.line;
}

/** Steps and expectations; `details` false leaves out what the failure message already says. */
function stepLog(r: CaseResult, details: boolean): string[] {
  return [
    ...r.steps.map(
      (s) =>
        `${s.status.padEnd(7)} line ${s.line}: ${s.text}${s.detail && (details || s.status !== 'failed') ? ` -> ${s.detail}` : ''}`,
    ),
    ...r.expects
      .filter((e) => details || e.pass)
      .map(
        (e) =>
          `${e.pass ? 'pass' : 'FAIL'}    line ${e.line}: ${e.key}: expected ${e.expected}, measured ${e.measured}${spreadText(e, r) ? ` (${spreadText(e, r)})` : ''}`,
      ),
  ];
}

/** "min .. max over N pens" of a tolerance run's expectation, and the pen it fails on; '' otherwise. */
function spreadText(e: ExpectResult, r: CaseResult): string {
  const sp = e.spread;
  if (!r.pens || !sp) return '';
  const fails = sp.worstPen !== undefined ? `, fails on pen ${sp.worstPen}` : '';
  // a text (a state, a reply) has no range: only the pens it ran on
  if (sp.min === undefined || sp.max === undefined || !sp.numbered) return `over ${sp.pens} pens${fails}`;
  const over = sp.numbered < sp.pens ? `${sp.numbered} of ${sp.pens}` : `${sp.pens}`;
  return `${num(sp.min)} .. ${num(sp.max)} over ${over} pens${fails}`;
}

function num(v: number): string {
  return String(Number(v.toPrecision(5)));
}

function x(s: string): string {
  // XML 1.0 has no place for most control characters, U+FFFE, U+FFFF or a lone surrogate: shown as \x01, \uFFFE
  return xmlChars(
    s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!),
  );
}
