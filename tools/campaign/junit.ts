// A campaign as JUnit XML, in the shape `pen qa` writes (tools/qa/junit.ts: valid against Jenkins' and
// Ant's schemas): one <testsuite> per kind of case (single faults, pairs, glitches, power cuts), one
// <testcase> per case, failed when the needles were left out or came back after the deadline.
import { hostname } from 'node:os';
import { Provenance, provenancePairs } from '../qa/provenance.js';
import { CampaignCase } from './spec.js';
import { Outcome } from './run.js';
import { failureClass, failureType, kindOf, outcomeLine, replayCommand } from './summary.js';

export function campaignJunit(cases: CampaignCase[], outs: Outcome[], prov: Provenance, limitMs: number): string {
  const byKind = new Map<string, number[]>();
  cases.forEach((c, i) => byKind.set(kindOf(c), [...(byKind.get(kindOf(c)) ?? []), i]));
  const secs = (ms: number): string => (ms / 1000).toFixed(3);
  const host = hostname() || 'localhost';
  const stamp = prov.date.slice(0, 19);
  const failedTotal = outs.filter((o) => failureClass(o, limitMs)).length;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<!-- pen campaign: ${outs.length} cases, ${failedTotal} failed; ${prov.date}; commit ${prov.commit.replace(/-/g, '')} -->`,
    '<testsuites>',
  ];
  let id = 0;
  for (const [kind, idx] of byKind) {
    const failed = idx.filter((i) => failureClass(outs[i], limitMs)).length;
    const pkg = `campaign.${kind}`;
    out.push(
      `  <testsuite name="campaign ${x(kind)}" package="${pkg}" id="${id++}" timestamp="${stamp}" hostname="${x(host)}" tests="${idx.length}" failures="${failed}" errors="0" skipped="0" time="${secs(idx.reduce((a, i) => a + outs[i].wallMs, 0))}">`,
      '    <properties>',
    );
    const props: [string, string][] = [
      ['kind', kind],
      ['retract-limit-ms', String(limitMs)],
      ...[...new Set(idx.map((i) => cases[i].board))].map((b): [string, string] => ['board', b]),
      ...[...new Set(idx.map((i) => cases[i].model))].map((m): [string, string] => ['model', m]),
      ...provenancePairs(prov),
    ];
    for (const [k, v] of props) out.push(`      <property name="${x(k)}" value="${x(v)}"/>`);
    out.push('    </properties>');
    const log: string[] = [];
    for (const i of idx) {
      const o = outs[i];
      const cls = failureClass(o, limitMs);
      const open = `    <testcase classname="${pkg}" name="${x(o.id)}" time="${secs(o.wallMs)}"`;
      log.push(`${cls ? 'FAIL' : 'ok  '} ${o.id}: ${outcomeLine(o)}`);
      if (!cls) {
        out.push(`${open}/>`);
        continue;
      }
      const body = [outcomeLine(o), `replay: ${replayCommand(o.id)}`, ...(o.error ? [o.error] : [])];
      out.push(
        `${open}>`,
        `      <failure message="${x(cls)}" type="${failureType(o, limitMs)}">${x(body.join('\n'))}</failure>`,
        '    </testcase>',
      );
    }
    out.push(`    <system-out>${x(log.join('\n'))}</system-out>`, '    <system-err></system-err>', '  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

function x(s: string): string {
  return s
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
