// A campaign as one self-contained HTML page: provenance, the summary figures, the failure classes,
// the worst cases with their replay commands, and heat maps of the retract time from onset over the
// stroke's phase and the depth (the worst over rates, and per fault), a cell black where needles stayed out.
import { Provenance, provenancePairs } from '../qa/provenance.js';
import { CampaignCase } from './spec.js';
import { Outcome } from './run.js';
import { Summary, failureClass, kindOf, outcomeLine, replayCommand } from './summary.js';

export function campaignHtml(cases: CampaignCase[], outs: Outcome[], s: Summary, prov: Provenance): string {
  const single = cases.map((c, i) => ({ c, o: outs[i] })).filter(({ c }) => kindOf(c) === 'single');
  const faults = [...new Set(single.map(({ c }) => c.events[0].fault))];
  const maps = [
    heatMap('every single fault', single, s.limitMs),
    ...faults.map((f) =>
      heatMap(
        f,
        single.filter(({ c }) => c.events[0].fault === f),
        s.limitMs,
      ),
    ),
  ];
  const glitches = cases.map((c, i) => ({ c, o: outs[i] })).filter(({ c }) => kindOf(c) === 'glitch');
  const glitchFaults = [...new Set(glitches.map(({ c }) => c.events[0].fault))];
  const glitchMaps = glitchFaults.map((f) =>
    heatMap(
      `${f} glitches (all lengths)`,
      glitches.filter(({ c }) => c.events[0].fault === f),
      s.limitMs,
    ),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pen campaign: ${s.cases} cases, ${s.cases - s.passed} failed</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;max-width:1200px}
table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}
.map td{width:34px;height:22px;text-align:center;font-size:11px;padding:0}
.map th{font-weight:normal;font-size:11px}
.bad{color:#b00;font-weight:bold}
code{background:#f4f4f4;padding:1px 3px}
.maps{display:flex;flex-wrap:wrap;gap:1.5em}
</style></head><body>
<h1>Fault campaign</h1>
<p class="${s.passed < s.cases ? 'bad' : ''}">${s.cases} cases: ${s.passed} passed (${s.riddenThrough} of them stroking on through a glitch or an unseen fault, ${s.harmless ?? 0} with no fault that needs a retract, judged by what their faults must cause), ${s.leftOut} stopped with the needles out, ${s.undetected} faults that mattered never detected (the pen strokes on), ${s.late} retracted later than ${s.limitMs} ms after the fault's onset${s.wrongEffect ? `, ${s.wrongEffect} without the effect their fault must cause` : ''}${s.errors ? `, ${s.errors} could not run` : ''}.</p>
<table><tr><th>kind</th><th>cases</th><th>needles out</th><th>never detected</th><th>late</th></tr>
${Object.entries(s.byKind)
  .map(
    ([k, v]) =>
      `<tr><td>${k}</td><td>${v.cases}</td><td>${v.leftOut}</td><td>${v.undetected}</td><td>${v.late}</td></tr>`,
  )
  .join('\n')}</table>
<p>Worst retract from onset: ${s.worstFromOnset ? `${s.worstFromOnset.ms} ms (<code>${esc(s.worstFromOnset.id)}</code>)` : 'none'}.<br>
Worst retract from detection: ${s.worstFromDetection ? `${s.worstFromDetection.ms} ms (<code>${esc(s.worstFromDetection.id)}</code>)` : 'none'}.<br>
${s.simS.toFixed(0)} simulated seconds in ${s.wallS.toFixed(0)} s.</p>
<h2>Failure classes</h2>
${
  s.classes.length
    ? `<table><tr><th>cases</th><th>class</th><th>faults most often in it</th><th>example</th></tr>
${s.classes
  .map(
    (c) =>
      `<tr><td>${c.cases}</td><td>${esc(c.name)}</td><td>${esc(c.faults.map(([f, n]) => `${f} ${n}`).join(', '))}</td><td><code>${esc(c.example)}</code></td></tr>`,
  )
  .join('\n')}</table>`
    : '<p>none</p>'
}
<h2>Worst cases</h2>
${
  s.worst.length
    ? `<table><tr><th>case</th><th>outcome</th><th>replay</th></tr>
${s.worst.map((o) => `<tr><td><code>${esc(o.id)}</code></td><td>${esc(outcomeLine(o))}</td><td><code>${esc(replayCommand(o.id))}</code></td></tr>`).join('\n')}</table>`
    : '<p>none</p>'
}
<h2>Retract time from onset over phase and depth</h2>
<p>Each cell: the worst case at that phase of the stroke (0 the top, 0.5 the bottom) and depth, over rates (and tissues).
Green within half the ${s.limitMs} ms limit, amber within it, red later; black: cases that failed with the needles out (left out, or a lasting fault never detected; the number: how many); grey "on": the pen stroked on through a glitch or a fault it cannot see while stroking, rightly. Hover a cell for its worst case's id.</p>
<div class="maps">${maps.join('\n')}</div>
${glitchMaps.length ? `<h2>Glitches</h2><div class="maps">${glitchMaps.join('\n')}</div>` : ''}
<h2>Provenance</h2>
<table>${provenancePairs(prov)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('')}</table>
</body></html>
`;
}

function heatMap(title: string, rows: { c: CampaignCase; o: Outcome }[], limitMs: number): string {
  const phases = [...new Set(rows.map(({ c }) => c.events[0].phase ?? 0))].sort((a, b) => a - b);
  const depths = [...new Set(rows.map(({ c }) => c.depthMm))].sort((a, b) => b - a);
  // per cell: the latest retract, the cases that failed with the needles out, and those that stroked on rightly
  const cell = new Map<string, { worst: number; out: number; on: number; id: string }>();
  for (const { c, o } of rows) {
    const k = `${c.events[0].phase ?? 0}/${c.depthMm}`;
    const v = cell.get(k) ?? { worst: -Infinity, out: 0, on: 0, id: o.id };
    if (!o.retracted && failureClass(o, limitMs)) {
      if (v.out === 0) v.id = o.id;
      v.out++;
    } else if (!o.retracted) v.on++;
    else if (v.out === 0 && (o.fromOnsetMs ?? 0) > v.worst) {
      v.worst = o.fromOnsetMs ?? 0;
      v.id = o.id;
    }
    cell.set(k, v);
  }
  const color = (v: { worst: number; out: number }): string =>
    v.out
      ? '#000;color:#fff'
      : v.worst === -Infinity
        ? '#ddd'
        : v.worst <= limitMs / 2
          ? '#9d9'
          : v.worst <= limitMs
            ? '#fd6'
            : '#e66';
  const body = depths
    .map(
      (d) =>
        `<tr><th>${d} mm</th>${phases
          .map((p) => {
            const v = cell.get(`${p}/${d}`);
            if (!v) return '<td></td>';
            const text = v.out ? String(v.out) : v.worst === -Infinity ? 'on' : v.worst.toFixed(0);
            return `<td style="background:${color(v)}" title="${esc(v.id)}">${text}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  return `<div><h3>${esc(title)}</h3><table class="map">${body}
<tr><th></th>${phases.map((p) => `<th>${Number(p.toFixed(2))}</th>`).join('')}</tr></table></div>`;
}

function esc(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}
