// The per-fault retract table of docs/hazards.md, made from campaign JSON reports (`pen campaign --json`),
// never typed by hand: one row per fault, one column per report (board, model, pen), each cell the
// worst retract time from the fault's onset and from the firmware's detection, and what failed.
import { CampaignCase } from './spec.js';
import { Outcome } from './run.js';
import { clockOf, failureType, kindOf } from './summary.js';

/** what `pen campaign --json` writes */
export interface CampaignReport {
  provenance: { commit?: string; date?: string };
  summary: { limitMs: number; cases: number; wallS?: number };
  cases: CampaignCase[];
  outcomes: Outcome[];
}

export const TABLE_BEGIN = '<!-- campaign-table begin: made by pen campaign --hazards-table, do not edit by hand -->';
export const TABLE_END = '<!-- campaign-table end -->';

interface Cell {
  cases: number;
  onsetMs?: number;
  detectionMs?: number;
  leftOut: number;
  late: number;
  undetected: number;
  other: number;
  notRun: number;
  judgedByEffect: number;
}

/** The row a case belongs to: its first fault, a glitch of it, or the kind for pairs and power cuts. */
function rowOf(c: CampaignCase): string {
  const k = kindOf(c);
  if (k === 'pair') return 'pairs of faults (0-6 ms apart)';
  if (k === 'power_cut') return 'power_cut';
  if (k === 'glitch') return `${c.events[0].fault} glitch (0.1-5 ms)`;
  return c.events[0].fault;
}

function columnName(r: CampaignReport): string {
  const c = r.cases[0];
  const pen = c.pen === 'worst' ? 'worst pen' : c.pen === 0 ? 'typical pen' : `pen ${c.pen}`;
  return `${c.board}, ${c.model}, ${pen}`;
}

/** The markdown table of one or more campaign reports. */
export function hazardsTable(reports: CampaignReport[]): string {
  const rows = new Map<string, Cell[]>();
  reports.forEach((r, col) => {
    const limit = r.summary.limitMs;
    r.cases.forEach((c, i) => {
      const o = r.outcomes[i];
      const name = rowOf(c);
      if (!rows.has(name)) rows.set(name, []);
      const cells = rows.get(name)!;
      const cell = (cells[col] ??= {
        cases: 0,
        leftOut: 0,
        late: 0,
        undetected: 0,
        other: 0,
        notRun: 0,
        judgedByEffect: 0,
      });
      cell.cases++;
      const clock = clockOf(o);
      if (clock === 'none') cell.judgedByEffect++;
      else {
        if (clock === 'onset' && o.fromOnsetMs !== undefined)
          cell.onsetMs = Math.max(cell.onsetMs ?? -Infinity, o.fromOnsetMs);
        if (o.fromDetectionMs !== undefined)
          cell.detectionMs = Math.max(cell.detectionMs ?? -Infinity, o.fromDetectionMs);
      }
      const type = failureType(o, limit);
      if (type === 'left-out') cell.leftOut++;
      else if (type === 'late') cell.late++;
      else if (type === 'never-detected') cell.undetected++;
      else if (type === 'could-not-run') cell.notRun++;
      else if (type) cell.other++;
    });
  });
  const cols = reports.map(columnName);
  const head = [
    `| fault | ${cols.map((c) => `${c}: worst from onset / from detection (ms)`).join(' | ')} |`,
    `|---|${cols.map(() => '---').join('|')}|`,
  ];
  const fmt = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(1));
  const body = [...rows.entries()].map(([name, cells]) => {
    const txt = cols.map((_, i) => {
      const c = cells[i];
      if (!c) return 'not run';
      const fails = [
        c.leftOut && `${c.leftOut} needles out`,
        c.late && `${c.late} late`,
        c.undetected && `${c.undetected} never detected`,
        c.other && `${c.other} without the effect the fault must cause`,
        c.notRun && `${c.notRun} could not run`,
      ].filter(Boolean);
      const times = c.judgedByEffect === c.cases ? 'no retract needed' : `${fmt(c.onsetMs)} / ${fmt(c.detectionMs)}`;
      return `${times} (${c.cases} cases${fails.length ? `: ${fails.join(', ')}` : ', all passed'})`;
    });
    return `| ${name} | ${txt.join(' | ')} |`;
  });
  const src = reports.map(
    (r) =>
      `${columnName(r)}: ${r.summary.cases} cases, limit ${r.summary.limitMs} ms, commit ${r.provenance.commit ?? '?'}`,
  );
  return [TABLE_BEGIN, ...head, ...body, '', `Made from: ${src.join('; ')}.`, TABLE_END].join('\n');
}

/** The document with its table replaced (between the markers), or the table appended when it has none. */
export function withTable(doc: string, table: string): string {
  const a = doc.indexOf(TABLE_BEGIN);
  const b = doc.indexOf(TABLE_END);
  if (a < 0 || b < a) return `${doc.replace(/\n*$/, '\n\n')}${table}\n`;
  return doc.slice(0, a) + table + doc.slice(b + TABLE_END.length);
}
