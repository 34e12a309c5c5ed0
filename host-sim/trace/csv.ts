// Streams a trace as CSV in time order, one row per record: time_us, tip_um (steps and free motion),
// kind (step, tip, enable, endstop, or the event's kind) and detail (the step's direction, the line's
// level, the event's text).
import { TextOut, TraceLine, TraceSink } from './sink.js';

export const CSV_HEADER = 'time_us,tip_um,kind,detail';

export class CsvWriter implements TraceSink {
  private readonly usPerTick: number;

  constructor(
    private readonly out: TextOut,
    timerHz: number,
  ) {
    this.usPerTick = 1e6 / timerHz;
    out.write(CSV_HEADER + '\n');
  }

  private us(tTicks: number): string {
    return (tTicks * this.usPerTick).toFixed(3);
  }

  step(tTicks: number, dir: number, tipUm: number): void {
    this.out.write(`${this.us(tTicks)},${tipUm.toFixed(3)},step,${dir > 0 ? '+1' : '-1'}\n`);
  }

  tip(tTicks: number, tipUm: number): void {
    this.out.write(`${this.us(tTicks)},${tipUm.toFixed(3)},tip,\n`);
  }

  level(tTicks: number, line: TraceLine, value: number): void {
    this.out.write(`${this.us(tTicks)},,${line},${value ? 1 : 0}\n`);
  }

  event(tTicks: number, kind: string, detail: string): void {
    this.out.write(`${this.us(tTicks)},,${csvField(kind)},${csvField(detail)}\n`);
  }
}

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
