// The treatment log as people read it: records fetched over the serial protocol (LOG?, LOG i), the
// same way from a pen or the simulator, decoded into rows for CSV and JSON (docs/treatment-log.md).
import { PenSim } from '../../host-sim/pen.js';
import { FAULTS, CLAMPS, ZONES, MODES, LOG_EVENTS, LOG_RECORDS, nameOf } from '../../abi/pen-abi.js';

const record = (constant: string): { code: number; words: number } => LOG_RECORDS.find((r) => r.constant === constant)!;
const SEGMENT = record('REC_SEGMENT');
const EVENT = record('REC_EVENT');

export interface SegmentRow {
  record: number;
  type: 'segment';
  session: number;
  start: string;
  end: string;
  duration_s: number;
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

/** All records, oldest first, read over the serial port. */
export function readTreatmentLog(sim: PenSim): LogRow[] {
  const count = /^LOG count=(\d+)$/.exec(sim.command('LOG?'));
  if (!count) throw new LogFormatError('the pen did not answer LOG? with a count');
  const rows: LogRow[] = [];
  for (let i = 0; i < Number(count[1]); i++) rows.push(decodeLogLine(sim.command(`LOG ${i}`)));
  return rows;
}

const utc = (s: number): string => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

export function decodeLogLine(line: string): LogRow {
  const f = line.split(' ');
  if (f[0] !== 'LOG' || f.length < 3 || !f.slice(1).every((x) => /^\d+$/.test(x)))
    throw new LogFormatError(`not a log record: ${JSON.stringify(line)}`);
  const [record, type, ...w] = f.slice(1).map(Number);
  if (type === SEGMENT.code && w.length === SEGMENT.words) {
    const faultBits = w[9];
    return {
      record,
      type: 'segment',
      session: w[0],
      start: utc(w[1]),
      end: utc(w[2]),
      duration_s: w[2] - w[1],
      zone: nameOf(ZONES, w[3] & 0xff),
      mode: nameOf(MODES, (w[3] >> 8) & 0xff),
      freq_hz: (w[3] >> 16) & 0xff,
      clamp: nameOf(CLAMPS, w[3] >>> 24),
      depth_mm: w[4] / 1000,
      strokes: w[5],
      punctures: w[6],
      cartridge_serial: w[7],
      cartridge_lot: w[8],
      faults: FAULTS.filter((f) => f.code > 0 && faultBits & (1 << f.code))
        .map((f) => f.name)
        .join(' '),
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
