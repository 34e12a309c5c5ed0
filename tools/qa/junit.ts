// JUnit XML, one <testcase> per case, one <testsuite> per scenario file: what CI systems read.
import { CaseResult } from './results.js';

export function junitXml(results: CaseResult[]): string {
  const byFile = new Map<string, CaseResult[]>();
  for (const r of results) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const failures = results.filter((r) => r.status === 'failed').length;
  const secs = (ms: number): string => (ms / 1000).toFixed(3);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="pen qa" tests="${results.length}" failures="${failures}" time="${secs(results.reduce((a, r) => a + r.wallMs, 0))}">`];
  for (const [file, rs] of byFile) {
    const f = rs.filter((r) => r.status === 'failed').length;
    out.push(`  <testsuite name="${x(file)}" tests="${rs.length}" failures="${f}" errors="0" time="${secs(rs.reduce((a, r) => a + r.wallMs, 0))}">`);
    for (const r of rs) {
      out.push(`    <testcase classname="${x(file.replace(/\.ya?ml$/, '').replace(/[/\\]/g, '.'))}" name="${x(r.name)}" time="${secs(r.wallMs)}">`);
      out.push('      <properties>');
      out.push(`        <property name="seed" value="${r.seed}"/>`, `        <property name="board" value="${x(r.board)}"/>`, `        <property name="cartridge" value="${x(r.cartridge)}"/>`);
      for (const q of r.requirements) out.push(`        <property name="requirement" value="${x(q)}"/>`);
      out.push('      </properties>');
      if (r.status === 'failed') {
        const detail = r.expects.filter((e) => !e.pass).map((e) => `${r.file}:${e.line}: ${e.key}: expected ${e.expected}, measured ${e.measured}`);
        out.push(`      <failure message="${x(r.message ?? 'failed')}" type="expectation">${x([r.message ?? '', ...detail].join('\n'))}</failure>`);
      }
      const lines = [
        ...r.steps.map((s) => `${s.status.padEnd(7)} line ${s.line}: ${s.text}${s.detail ? ` -> ${s.detail}` : ''}`),
        ...r.expects.map((e) => `${e.pass ? 'pass' : 'FAIL'}    line ${e.line}: ${e.key}: expected ${e.expected}, measured ${e.measured}`),
      ];
      out.push(`      <system-out>${x(lines.join('\n'))}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

function x(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' }[c]!))
    // XML 1.0 has no place for most control characters
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
