// The treatment log as people read it: records fetched over the serial protocol (LOG?, LOG i), the
// same way from a pen or the simulator, decoded into rows for CSV and JSON (docs/treatment-log.md).
import { PenSim } from '../../host-sim/pen.js';
import { FAULTS, CLAMPS, ZONES, MODES, LOG_EVENTS, LOG_RECORDS, SEGMENT_ENDS, nameOf } from '../../abi/pen-abi.js';

const record = (constant: string): { code: number; words: number } => LOG_RECORDS.find((r) => r.constant === constant)!;
const SEGMENT = record('REC_SEGMENT');
const EVENT = record('REC_EVENT');
const SEGMENT_OPEN = record('REC_SEGMENT_OPEN');

export interface SegmentRow {
  record: number;
  /** a closed stretch of strokes, or one whose close is not in the log (still running, or lost) */
  type: 'segment' | 'segment_open';
  session: number;
  start: string;
  end: string;
  duration_s: number;
  /** how it was closed (SEGMENT_ENDS), or `open` */
  closed_by: string;
  zone: string;
  mode: string;
  depth_mm: number;
  freq_hz: number;
  clamp: string;
  strokes: number;
  punctures: number;
  cartridge_serial: number;
  cartridge_lot: number;
  faults: string;
}
export interface EventRow {
  record: number;
  type: 'event';
  session: number;
  time: string;
  event: string;
  detail: string;
}
export type LogRow = SegmentRow | EventRow;

export class LogFormatError extends Error {}

/** how long one `LOG i` may take: a search from the oldest record over the largest log, a slice a tick */
const LOG_REPLY_MS = 2000;

/**
 * All records, oldest first, read over the serial port; a stretch's opening record is left out when
 * its closing record is there (the closing one has everything the opening one has, and the counts).
 */
export function readTreatmentLog(sim: PenSim): LogRow[] {
  const count = /^LOG count=(\d+)$/.exec(sim.command('LOG?', LOG_REPLY_MS));
  if (!count) throw new LogFormatError('the pen did not answer LOG? with a count');
  const rows: LogRow[] = [];
  for (let i = 0; i < Number(count[1]); i++) rows.push(decodeLogLine(sim.command(`LOG ${i}`, LOG_REPLY_MS)));
  return withoutClosedOpenings(rows);
}

/** Drops each opening record whose segment record (same session and start) is in the log. */
export function withoutClosedOpenings(rows: LogRow[]): LogRow[] {
  const closed = new Set(
    rows.filter((r) => r.type === 'segment').map((r) => `${r.session} ${(r as SegmentRow).start}`),
  );
  return rows.filter((r) => r.type !== 'segment_open' || !closed.has(`${r.session} ${r.start}`));
}

const utc = (s: number): string => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

export function decodeLogLine(line: string): LogRow {
  const f = line.split(' ');
  if (f[0] !== 'LOG' || f.length < 3 || !f.slice(1).every((x) => /^\d+$/.test(x)))
    throw new LogFormatError(`not a log record: ${JSON.stringify(line)}`);
  const [record, type, ...w] = f.slice(1).map(Number);
  if (type === SEGMENT.code && w.length === SEGMENT.words) {
    const faultBits = w[10];
    return {
      record,
      type: 'segment',
      session: w[0],
      start: utc(w[1]),
      end: utc(w[2]),
      duration_s: w[2] - w[1],
      closed_by: nameOf(SEGMENT_ENDS, w[3] >>> 24),
      zone: nameOf(ZONES, w[3] & 0xff),
      mode: nameOf(MODES, (w[3] >> 8) & 0xff),
      clamp: nameOf(CLAMPS, (w[3] >> 16) & 0xff),
      depth_mm: w[4] / 1000,
      freq_hz: w[5],
      strokes: w[6],
      punctures: w[7],
      cartridge_serial: w[8],
      cartridge_lot: w[9],
      faults: FAULTS.filter((f) => f.code > 0 && f.code < 32 && (faultBits >>> f.code) & 1)
        .map((f) => f.name)
        .join(' '),
    };
  }
  if (type === SEGMENT_OPEN.code && w.length === SEGMENT_OPEN.words) {
    return {
      record,
      type: 'segment_open',
      session: w[0],
      start: utc(w[1]),
      end: '',
      duration_s: 0,
      closed_by: 'open',
      zone: nameOf(ZONES, w[2] & 0xff),
      mode: nameOf(MODES, (w[2] >> 8) & 0xff),
      clamp: nameOf(CLAMPS, (w[2] >> 16) & 0xff),
      depth_mm: w[3] / 1000,
      freq_hz: w[4],
      strokes: 0,
      punctures: 0,
      cartridge_serial: w[6],
      cartridge_lot: w[7],
      faults: '',
    };
  }
  if (type === EVENT.code && w.length === EVENT.words) {
    const ev = LOG_EVENTS.find((e) => e.code === w[2]);
    const detail = !ev?.details
      ? String(w[3])
      : ev.counted
        ? `${w[3] & 0xffff} x ${nameOf(ev.details, w[3] >>> 16)}`
        : nameOf(ev.details, w[3]);
    return { record, type: 'event', session: w[0], time: utc(w[1]), event: ev?.name ?? String(w[2]), detail };
  }
  throw new LogFormatError(`unknown record type ${type} with ${w.length} words: ${JSON.stringify(line)}`);
}

const CSV_COLUMNS = [
  'record',
  'type',
  'session',
  'start',
  'end',
  'duration_s',
  'zone',
  'mode',
  'depth_mm',
  'freq_hz',
  'clamp',
  'strokes',
  'punctures',
  'cartridge_serial',
  'cartridge_lot',
  'faults',
  'closed_by',
  'time',
  'event',
  'detail',
];

export function logCsv(rows: LogRow[]): string {
  const cell = (v: unknown): string =>
    v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v);
  return (
    [
      CSV_COLUMNS.join(','),
      ...rows.map((r) => CSV_COLUMNS.map((c) => cell((r as unknown as Record<string, unknown>)[c])).join(',')),
    ].join('\n') + '\n'
  );
}
