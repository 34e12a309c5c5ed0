// The treatment log as people read it: records fetched over the serial protocol (LOG?, LOG i), the
// same way from a pen or the simulator, decoded into rows for CSV and JSON (docs/treatment-log.md).
import { PenSim } from '../../host-sim/pen.js';
import { FAULTS, CLAMPS } from '../../host-sim/names.js';

const ZONES = ['none', 'forehead', 'eyes', 'nose', 'upper_lip', 'cheekbones', 'cheeks', 'neck', 'acne_scars', 'stretch_marks', 'scalp'];
const MODES = ['home', 'professional'];
const EVENTS = ['', 'fault', 'auth_failed', 'auth_passed', 'cartridge_refused', 'cartridge_removed', 'start_refused', 'idle_off'];
const REFUSALS = ['none', 'unknown', 'not_genuine', 'used'];
const START_REFUSALS = ['ok', 'wrong_state', 'no_cartridge', 'plan_failed', 'battery_low', 'no_zone', 'cartridge_refused', 'cartridge_checking'];

export interface SegmentRow {
  record: number; type: 'segment'; session: number; start: string; end: string; duration_s: number;
  zone: string; mode: string; depth_mm: number; freq_hz: number; clamp: string; strokes: number; punctures: number;
  cartridge_serial: number; cartridge_lot: number; faults: string;
}
export interface EventRow { record: number; type: 'event'; session: number; time: string; event: string; detail: string }
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
const name = (list: readonly string[], i: number): string => list[i] ?? String(i);

export function decodeLogLine(line: string): LogRow {
  const f = line.split(' ');
  if (f[0] !== 'LOG' || f.length < 3 || !f.slice(1).every((x) => /^\d+$/.test(x))) throw new LogFormatError(`not a log record: ${JSON.stringify(line)}`);
  const [record, type, ...w] = f.slice(1).map(Number);
  if (type === 1 && w.length === 10) {
    const faultBits = w[9];
    return {
      record, type: 'segment', session: w[0], start: utc(w[1]), end: utc(w[2]), duration_s: w[2] - w[1],
      zone: name(ZONES, w[3] & 0xff), mode: name(MODES, (w[3] >> 8) & 0xff), freq_hz: (w[3] >> 16) & 0xff,
      clamp: name(CLAMPS, w[3] >>> 24), depth_mm: w[4] / 1000, strokes: w[5], punctures: w[6],
      cartridge_serial: w[7], cartridge_lot: w[8],
      faults: FAULTS.filter((_, k) => k > 0 && faultBits & (1 << k)).join(' '),
    };
  }
  if (type === 2 && w.length === 4) {
    const ev = name(EVENTS, w[2]);
    const detail = ev === 'fault' ? name(FAULTS, w[3]) : ev === 'cartridge_refused' ? name(REFUSALS, w[3])
      : ev === 'start_refused' ? name(START_REFUSALS, w[3]) : ev === 'auth_failed' ? (w[3] === 2 ? 'no_live_challenge' : 'wrong_answer') : String(w[3]);
    return { record, type: 'event', session: w[0], time: utc(w[1]), event: ev, detail };
  }
  throw new LogFormatError(`unknown record type ${type} with ${w.length} words: ${JSON.stringify(line)}`);
}

const CSV_COLUMNS = ['record', 'type', 'session', 'start', 'end', 'duration_s', 'zone', 'mode', 'depth_mm', 'freq_hz', 'clamp',
  'strokes', 'punctures', 'cartridge_serial', 'cartridge_lot', 'faults', 'time', 'event', 'detail'];

export function logCsv(rows: LogRow[]): string {
  const cell = (v: unknown): string => (v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => cell((r as unknown as Record<string, unknown>)[c])).join(','))].join('\n') + '\n';
}
