// One self-contained HTML report: no network, no scripts. At the top: what it was made from
// (provenance), the failures with links to them, and a traceability table (with firmware coverage
// per requirement when the run counted it). Per case: steps, expectations against measurements, a plot
// of the needle around each expect with the expected value and its tolerance band, and for a failure
// the command that replays it and its trace files. Per matrix file: heat maps of depth and rate error
// over depth x rate with the envelope drawn.
import { CaseResult, Plot, ExpectResult, caseSlugs } from './results.js';
import { Requirement } from './requirements.js';
import { Provenance, replayCommand } from './provenance.js';
import type { CoverageMap } from '../build/coverage-build.js';
import { figures, percent, unreached, shortName } from './coverage.js';
import { htmlChars } from './escape.js';

export interface EnvelopeLine {
  board: string;
  cartridge: string;
  points: { depthMm: number; maxFreqHz: number }[];
}

export interface ReportExtras {
  provenance: Provenance;
  /** per board, when the run counted firmware coverage */
  coverage?: CoverageMap[];
  /** trace files of failed cases, by case name, relative to the report */
  traces?: Record<string, { vcd: string; csv: string }>;
  title?: string;
}

export function htmlReport(
  results: CaseResult[],
  reqs: Requirement[],
  envelopes: EnvelopeLine[],
  extras: ReportExtras,
): string {
  const title = extras.title ?? 'Pen QA report';
  const passed = results.filter((r) => r.status === 'passed').length;
  const failed = results.length - passed;
  const parts: string[] = [];
  // each case's section id, unique in the page (the same slugs as its trace files)
  const slugs = caseSlugs(results.map((r) => r.name));
  const caseAnchor = (name: string): string => 'case-' + slugs.get(name)!;
  parts.push(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${h(title)}</title><style>${CSS}</style></head><body>`,
  );
  parts.push(`<h1>${h(title)}</h1>`);
  parts.push(
    `<p class="summary"><span class="${failed ? 'fail' : 'pass'}">${passed} passed, ${failed} failed</span> &middot; ${results.length} cases from ${new Set(results.map((r) => r.file)).size} files</p>`,
  );
  parts.push(provenanceTable(extras.provenance));
  parts.push(failureList(results, caseAnchor));
  parts.push(traceability(results, reqs, extras.coverage));
  if (extras.coverage) parts.push(unreachedSection(results, extras.coverage));
  for (const [file, rs] of groupBy(results, (r) => r.file)) {
    parts.push(`<h2 id="${anchor(file)}">${h(file)}</h2>`);
    if (extras.coverage)
      parts.push(
        `<p class="cov">Firmware run by this file's cases: ${coverageCell(extras.coverage, rs)} (functions / branch arms)</p>`,
      );
    if (rs.length > 1 && rs[0].matrixKeys.includes('depth_mm') && rs[0].matrixKeys.includes('freq_hz')) {
      // one pair of maps per board and cartridge: each has its own envelope, and their cells would overlap
      const pens = groupBy(rs, (r) => `${r.board}, cartridge ${r.cartridge}`);
      let n = 0;
      for (const [pen, group] of pens) {
        const env = envelopes.find((e) => e.board === group[0].board && e.cartridge === group[0].cartridge);
        const key = `${anchor(file)}-${n++}`;
        if (pens.size > 1) parts.push(`<h3>${h(pen)}</h3>`);
        parts.push('<div class="maps">', heatMap(group, 'depth', env, key), heatMap(group, 'freq', env, key), '</div>');
      }
    }
    for (const r of rs) parts.push(caseSection(r, caseAnchor(r.name), extras.traces?.[r.name]));
  }
  parts.push(`<footer>${h(provenanceLine(extras.provenance))}</footer>`);
  parts.push('</body></html>');
  return parts.join('\n');
}

function provenanceTable(p: Provenance): string {
  const fw = p.firmware
    .map((f) => `<tr><th>firmware ${h(f.board)}</th><td><code>sha256 ${h(f.sha256)}</code>, ${f.bytes} bytes</td></tr>`)
    .join('');
  return `<table class="prov"><tr><th>date</th><td>${h(p.date)}</td></tr>${fw}<tr><th>commit</th><td><code>${h(p.commit)}</code></td></tr>
<tr><th>tools</th><td>pen ${h(p.tools.pen)}, node ${h(p.tools.node)}, assemblyscript ${h(p.tools.assemblyscript)}</td></tr><tr><th>default seed</th><td>${p.seed}</td></tr></table>`;
}

function provenanceLine(p: Provenance): string {
  return `${p.date} · ${p.firmware.map((f) => `${f.board} firmware sha256 ${f.sha256.slice(0, 16)}…, ${f.bytes} bytes`).join('; ')} · commit ${p.commit} · pen ${p.tools.pen}, node ${p.tools.node}, assemblyscript ${p.tools.assemblyscript}`;
}

function failureList(results: CaseResult[], caseAnchor: (name: string) => string): string {
  const failed = results.filter((r) => r.status === 'failed');
  if (!failed.length) return '<p class="pass">No failures.</p>';
  return `<h2 id="failures" class="fail">Failures (${failed.length})</h2><ol class="failures">${failed
    .map(
      (r) =>
        `<li><a href="#${caseAnchor(r.name)}">${h(r.name)}</a><br><span class="fail">${h(r.message ?? 'failed')}</span></li>`,
    )
    .join('')}</ol>`;
}

function traceability(results: CaseResult[], reqs: Requirement[], coverage?: CoverageMap[]): string {
  const rows: string[] = [];
  const ids = new Set([...reqs.map((r) => r.id), ...results.flatMap((r) => r.requirements)]);
  for (const id of [...ids].sort()) {
    const req = reqs.find((r) => r.id === id);
    const cs = results.filter((r) => r.requirements.includes(id));
    const fails = cs.filter((c) => c.status === 'failed').length;
    // pen qa runs scenario files only: the test programs a requirement names ran elsewhere, if at all
    const outside = req?.tests.length
      ? `<span class="warn">not run in this report:</span> ${req.tests.map((t) => `<code>${h(t)}</code>`).join(', ')} (npm test)`
      : '';
    const qa =
      cs.length === 0
        ? ''
        : fails
          ? `<span class="fail">${fails} of ${cs.length} failed</span>`
          : `<span class="pass">${cs.length} passed</span>`;
    const status = [qa, outside].filter(Boolean).join('<br>') || '<span class="warn">not covered</span>';
    const scen = [...groupBy(cs, (c) => c.file)]
      .map(
        ([f, list]) =>
          `<a href="#${anchor(f)}">${h(list[0].scenario)}</a>${list.length > 1 ? ` (${list.length} cases)` : ''}`,
      )
      .join('<br>');
    const cov = coverage ? `<td class="num">${coverageCell(coverage, cs)}</td>` : '';
    rows.push(
      `<tr><td><b>${h(id)}</b></td><td>${h(req?.title ?? '(not in docs/requirements.md)')}</td><td>${scen || '-'}</td><td>${status}</td>${cov}</tr>`,
    );
  }
  const covHead = coverage
    ? '<th title="firmware functions and branch arms the requirement\'s cases ran, of all in the firmware">coverage<br>functions / branches</th>'
    : '';
  const suite = coverage
    ? `<p>Firmware coverage of this run: ${coverageCell(coverage, results)} (functions / branch arms; lcov beside the report).</p>`
    : '';
  return `<h2>Traceability</h2>${suite}<table class="trace"><tr><th>requirement</th><th>text</th><th>cases</th><th>result</th>${covHead}</tr>${rows.join('')}</table>`;
}

function coverageCell(maps: CoverageMap[], cs: CaseResult[]): string {
  if (!cs.length) return '-';
  return maps
    .map((m) => {
      const f = figures(
        m,
        cs.filter((c) => c.board === m.board),
      );
      return `${maps.length > 1 ? `${h(m.board)}: ` : ''}${percent(f.fnHit, f.fnTotal)} / ${percent(f.brHit, f.brTotal)}`;
    })
    .join('<br>');
}

function unreachedSection(results: CaseResult[], maps: CoverageMap[]): string {
  const out: string[] = ['<h2 id="unreached">Firmware paths no case reached</h2>'];
  for (const m of maps) {
    const f = figures(
      m,
      results.filter((c) => c.board === m.board),
    );
    out.push(
      `<p>${h(m.board)}: ${f.fnTotal - f.fnHit} of ${f.fnTotal} functions never ran; ${f.brTotal - f.brHit} of ${f.brTotal} branch arms never taken.</p>`,
    );
    const rows = unreached(
      m,
      results.filter((c) => c.board === m.board),
    ).map(
      (u) =>
        `<tr><td><code>${h(u.file)}</code></td><td>${u.never.map((n) => `<code>${h(shortName(n.fn, u.file))}</code> (line ${n.line})`).join(', ') || '-'}</td><td>${u.partly.map((n) => `<code>${h(shortName(n.fn, u.file))}</code> ${n.missed}/${n.arms}`).join(', ') || '-'}</td></tr>`,
    );
    out.push(
      `<table class="unreached"><tr><th>file</th><th>functions never run</th><th>functions with arms never taken (missed/arms)</th></tr>${rows.join('')}</table>`,
    );
  }
  return out.join('\n');
}

function caseSection(r: CaseResult, id: string, trace?: { vcd: string; csv: string }): string {
  const steps = r.steps
    .map(
      (s) =>
        `<tr class="${s.status}"><td>${s.line}</td><td><code>${h(s.text)}</code></td><td>${s.status}</td><td>${h(s.detail ?? '')}</td></tr>`,
    )
    .join('');
  const exps = r.expects
    .map(
      (e) =>
        `<tr class="${e.pass ? 'passed' : 'failed'}"><td>${e.line}</td><td>${h(e.key)}</td><td>${h(e.expected)}</td><td>${h(e.measured)}</td>${spreadCell(e, r)}<td>${e.pass ? 'pass' : 'FAIL'}</td></tr>`,
    )
    .join('');
  // a failure's plot is drawn larger: it is what a reader looks at first
  const plots = r.plots
    .map((p) =>
      plotSvg(
        p,
        r.expects.filter((e) => e.line === p.line),
        r.status === 'failed',
      ),
    )
    .join('');
  // open: failures, and every case that has no heat map to stand for it
  const open = r.status === 'failed' || !(r.matrixKeys.includes('depth_mm') && r.matrixKeys.includes('freq_hz'));
  const replay =
    r.status === 'failed'
      ? `<p>Replay: <code>${h(replayCommand(r.file, r.name, r.seed, r.pens))}</code>${trace ? ` &middot; trace: <a href="${h(trace.vcd)}">VCD</a>, <a href="${h(trace.csv)}">CSV</a>` : ''}</p>`
      : '';
  return `<details id="${id}" class="case ${r.status}"${open ? ' open' : ''}><summary><span class="${r.status === 'passed' ? 'pass' : 'fail'}">${r.status === 'passed' ? 'PASS' : 'FAIL'}</span> ${h(r.name)} <small>seed ${r.seed}, ${r.board}${r.model ? `, ${r.model} model` : ''}${r.pens ? `, ${r.pens} pens` : ''}, cartridge ${h(r.cartridge)}, ${(r.simMs / 1000).toFixed(2)} s simulated</small></summary>
${r.message ? `<p class="fail">${h(r.message)}</p>` : ''}${replay}
<table><tr><th>line</th><th>step</th><th>result</th><th>detail</th></tr>${steps}</table>
${exps ? `<table><tr><th>line</th><th>expect</th><th>expected</th><th>measured</th>${r.pens ? `<th>spread over ${r.pens} pens</th>` : ''}<th></th></tr>${exps}</table>` : ''}
<div class="plots">${plots}</div></details>`;
}

/** A tolerance run's spread of one expectation: min..max measured over the pens, and the pen that failed. */
function spreadCell(e: ExpectResult, r: CaseResult): string {
  if (!r.pens) return '';
  const sp = e.spread;
  if (!sp || sp.min === undefined || sp.max === undefined) return '<td></td>';
  const worst = sp.worstPen !== undefined ? `; fails on pen ${sp.worstPen}` : '';
  const notRun = sp.notReached ? `; not reached on pen ${sp.notReached.join(', ')}` : '';
  const some = sp.numbered !== undefined && sp.numbered < sp.pens ? ` (${sp.numbered} of ${sp.pens} pens)` : '';
  return `<td>${h(`${fmt(sp.min)} .. ${fmt(sp.max)}${some}${worst}${notRun}`)}</td>`;
}

function fmt(v: number): string {
  return String(Number(v.toPrecision(5)));
}

/** The expected depth and its tolerance (µm) of a depth expectation ("1.5 +/- 0.02 mm"). */
function depthBand(es: ExpectResult[]): { valueUm: number; tolUm: number; pass: boolean } | undefined {
  const e = es.find((x) => x.key === 'depth_mm');
  const m = e && /^(-?[\d.]+) \+\/- ([\d.]+) mm$/.exec(e.expected);
  return m ? { valueUm: Number(m[1]) * 1000, tolUm: Number(m[2]) * 1000, pass: e!.pass } : undefined;
}

function plotSvg(p: Plot, es: ExpectResult[] = [], large = false): string {
  const W = large ? 680 : 440,
    H = large ? 260 : 150,
    L = 64,
    R = 8,
    T = 16,
    B = 22; // L: room for the axis labels
  if (p.tMs.length < 2) return `<svg width="${W}" height="${H}"><text x="10" y="20">no motion to plot</text></svg>`;
  const t0 = p.tMs[0],
    t1 = p.tMs[p.tMs.length - 1] || t0 + 1;
  const band = depthBand(es);
  let lo = -100,
    hi = Math.max(100, (p.depthUm ?? 0) * 1.1, band ? (band.valueUm + band.tolUm) * 1.05 : 0);
  for (const u of p.tipUm) {
    if (u < lo) lo = u;
    if (u > hi) hi = u;
  }
  const X = (t: number): number => L + ((t - t0) / Math.max(1e-9, t1 - t0)) * (W - L - R);
  const Y = (u: number): number => T + ((u - lo) / (hi - lo)) * (H - T - B);
  const pts = p.tMs.map((t, i) => `${X(t).toFixed(1)},${Y(p.tipUm[i]).toFixed(1)}`).join(' ');
  return `<svg class="plot" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg">
<text x="${L}" y="11">needle tip before the expect on line ${p.line}</text>
<line x1="${L}" x2="${W - R}" y1="${Y(0)}" y2="${Y(0)}" class="guard"/><text x="${W - R}" y="${Y(0) - 2}" text-anchor="end" class="lbl">guard plane</text>
${p.depthUm ? `<line x1="${L}" x2="${W - R}" y1="${Y(p.depthUm)}" y2="${Y(p.depthUm)}" class="depth"/><text x="${W - R}" y="${Y(p.depthUm) + 10}" text-anchor="end" class="lbl depthlbl">set ${(p.depthUm / 1000).toFixed(2)} mm</text>` : ''}
${band ? `<rect x="${L}" width="${W - R - L}" y="${Y(band.valueUm - band.tolUm).toFixed(1)}" height="${Math.max(3, Y(band.valueUm + band.tolUm) - Y(band.valueUm - band.tolUm)).toFixed(1)}" class="band"/><line x1="${L}" x2="${W - R}" y1="${Y(band.valueUm)}" y2="${Y(band.valueUm)}" class="expected"/><text x="${L + 3}" y="${Y(band.valueUm - band.tolUm) - 3}" class="lbl explbl">expected ${(band.valueUm / 1000).toFixed(3)} ± ${(band.tolUm / 1000).toFixed(3)} mm</text>` : ''}
<polyline points="${pts}" class="tip"/>

<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" class="axis"/><line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" class="axis"/>
<text x="${L - 3}" y="${Y(lo) + 4}" text-anchor="end" class="lbl">${(lo / 1000).toFixed(2)}</text><text x="${L - 3}" y="${Y(hi)}" text-anchor="end" class="lbl">${(hi / 1000).toFixed(2)} mm</text>
<text x="${L}" y="${H - 6}" class="lbl">${t0.toFixed(1)} ms</text><text x="${W - R}" y="${H - 6}" text-anchor="end" class="lbl">${t1.toFixed(1)} ms</text></svg>`;
}

/** Depth x rate grid coloured by error, cells the pen clamped hatched, the envelope drawn as a staircase. */
function heatMap(rs: CaseResult[], what: 'depth' | 'freq', env: EnvelopeLine | undefined, key: string): string {
  const hatch = `hatch-${what}-${key}`; // one pattern per map: ids are unique in the page
  const depths = [...new Set(rs.map((r) => Number(r.params.depth_mm)))].sort((a, b) => a - b);
  const freqs = [...new Set(rs.map((r) => Number(r.params.freq_hz)))].sort((a, b) => a - b);
  const cw = Math.max(24, Math.min(56, 560 / depths.length)),
    ch = Math.max(16, Math.min(36, 300 / freqs.length));
  const L = 60,
    T = 30,
    W = L + cw * depths.length + 110,
    H = T + ch * freqs.length + 46;
  const limit = what === 'depth' ? 0.02 : 0.5; // the tolerance: full colour at the limit
  const unit = what === 'depth' ? 'mm' : '%';
  const cells: string[] = [];
  for (const r of rs) {
    const i = depths.indexOf(Number(r.params.depth_mm));
    const j = freqs.indexOf(Number(r.params.freq_hz));
    const v = what === 'depth' ? r.metrics?.depthErrMm : r.metrics?.freqErrPct;
    const x = L + i * cw,
      y = T + (freqs.length - 1 - j) * ch;
    const fill = v === undefined ? '#ccc' : colour(v / limit);
    const tip = `${r.name}: ${v === undefined ? 'not measured' : `${what} error ${v >= 0 ? '+' : ''}${v.toFixed(what === 'depth' ? 4 : 3)} ${unit}`}${r.metrics?.clamped ? `, clamped to ${r.metrics.setFreqHz} Hz` : ''}${r.status === 'failed' ? ' (FAILED)' : ''}`;
    cells.push(
      `<rect x="${x}" y="${y}" width="${cw - 1}" height="${ch - 1}" fill="${fill}"${r.status === 'failed' ? ' stroke="#000" stroke-width="2"' : ''}><title>${h(tip)}</title></rect>`,
    );
    if (r.metrics?.clamped)
      cells.push(`<rect x="${x}" y="${y}" width="${cw - 1}" height="${ch - 1}" fill="url(#${hatch})"/>`);
  }
  // envelope: for each depth column, a line at the highest rate the pen runs
  let envPath = '';
  if (env) {
    const rowOf = (hz: number): number => {
      let k = -1;
      freqs.forEach((f, idx) => {
        if (f <= hz) k = idx;
      });
      return k;
    };
    const segs: string[] = [];
    depths.forEach((d, i) => {
      const p = env.points.find((q) => Math.abs(q.depthMm - d) < 1e-9);
      if (!p) return;
      const y = T + (freqs.length - 1 - rowOf(p.maxFreqHz)) * ch;
      segs.push(`${segs.length ? 'L' : 'M'}${L + i * cw},${y} L${L + (i + 1) * cw - 1},${y}`);
    });
    envPath = `<path d="${segs.join(' ')}" class="env"/>`;
  }
  const legend: string[] = [];
  for (let k = 0; k <= 10; k++) {
    const v = -1 + k / 5;
    legend.push(`<rect x="${W - 90}" y="${T + (10 - k) * 12}" width="14" height="12" fill="${colour(v)}"/>`);
  }
  return `<svg class="heat" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg">
<defs><pattern id="${hatch}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#0006" stroke-width="1.5"/></pattern></defs>
<text x="${L}" y="16" class="ttl">${what === 'depth' ? 'depth error (mean - set), mm' : 'stroke-rate error against the rate run, %'}</text>
${cells.join('')}${envPath}
${depths.map((d, i) => `<text x="${L + i * cw + cw / 2}" y="${T + freqs.length * ch + 12}" text-anchor="middle" class="lbl">${d}</text>`).join('')}
<text x="${L + (depths.length * cw) / 2}" y="${H - 8}" text-anchor="middle" class="lbl">set depth (mm)</text>
${freqs.map((f, j) => `<text x="${L - 4}" y="${T + (freqs.length - 1 - j) * ch + ch / 2 + 4}" text-anchor="end" class="lbl">${f}</text>`).join('')}
<text x="12" y="${T + (freqs.length * ch) / 2}" transform="rotate(-90 12 ${T + (freqs.length * ch) / 2})" text-anchor="middle" class="lbl">asked rate (Hz)</text>
${legend.join('')}<text x="${W - 72}" y="${T + 9}" class="lbl">+${limit} ${unit}</text><text x="${W - 72}" y="${T + 64}" class="lbl">0</text><text x="${W - 72}" y="${T + 129}" class="lbl">-${limit} ${unit}</text>
<text x="${W - 90}" y="${T + 150}" class="lbl">hatched: clamped</text><text x="${W - 90}" y="${T + 162}" class="lbl envlbl">line: envelope</text></svg>`;
}

/** Diverging blue-white-red for -1..1 (the tolerance), darker beyond. */
function colour(v: number): string {
  const a = Math.max(-1.5, Math.min(1.5, v));
  const t = Math.min(1, Math.abs(a));
  const base = a < 0 ? [33, 102, 172] : [178, 24, 43];
  const c = base.map((b) => Math.round(255 + (b - 255) * t));
  if (Math.abs(a) > 1) return a < 0 ? '#08306b' : '#67000d';
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return m;
}

function anchor(s: string): string {
  return 'f-' + s.replace(/[^a-zA-Z0-9]+/g, '-');
}

/** Markup escaped, and the characters HTML forbids (controls, lone surrogates, noncharacters) shown as \x01, \uFFFE. */
function h(s: string): string {
  return htmlChars(s).replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4}.pass{color:#1b7e2a;font-weight:600}.fail{color:#c62828;font-weight:600}.warn{color:#b26a00}.other{color:#555}
tr.failed td{background:#fdecea}tr.skipped td{color:#999}details.case{margin:4px 0;padding:4px 8px;border:1px solid #eee}
details.case.failed{border-color:#e57373}summary{cursor:pointer}small{color:#777}
.plots{display:flex;flex-wrap:wrap;gap:8px}.maps{display:flex;flex-wrap:wrap;gap:16px}
svg text{font:10px sans-serif;fill:#333}svg .ttl{font-size:12px;font-weight:600}
.tip{fill:none;stroke:#1565c0;stroke-width:1}.guard{stroke:#888;stroke-dasharray:4 3}.depth{stroke:#c33;stroke-dasharray:6 3}
.depthlbl{fill:#c33}.axis{stroke:#000}.env{fill:none;stroke:#000;stroke-width:2.5}.envlbl{font-weight:600}
code{font-size:12px}.band{fill:#2e7d32;fill-opacity:.18;stroke:#2e7d32;stroke-opacity:.5;stroke-dasharray:2 2}
.expected{stroke:#2e7d32;stroke-width:1.5}.explbl{fill:#2e7d32;font-weight:600}
table.prov th{width:10em}ol.failures li{margin:4px 0}footer{margin-top:32px;color:#777;font-size:12px;border-top:1px solid #ddd;padding-top:6px}
td.num{white-space:nowrap}`;
