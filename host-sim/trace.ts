// A run's trace: every step with the tip position, free motion of the tip, driver enable and endstop
// levels, state changes, HAL output calls, serial lines and injected faults, in time order. Kept in
// memory for tests and QA, or handed as it happens to sinks that stream it to files (trace/), so a
// run of any length takes the same memory. Exports CSV, VCD (GTKWave, PulseView, Surfer, sigrok-cli)
// and an SVG plot of the tip.
import { TraceLine, TraceSink, StringOut } from './trace/sink.js';
import { CsvWriter } from './trace/csv.js';
import { VcdWriter, VcdOptions } from './trace/vcd.js';
import { tipSvg, SvgOptions } from './trace/svg.js';

export type { TraceSink, TraceLine } from './trace/sink.js';
export { escapeXml } from './trace/svg.js';

export interface TraceEvent {
  tTicks: number;
  kind: string;
  detail: string;
}

/** record kinds, in the order log */
const STEP = 0,
  TIP = 1,
  ENABLE = 2,
  ENDSTOP = 3,
  EVENT = 4;

export class Trace {
  readonly stepT: number[] = [];
  readonly stepTip: number[] = [];
  readonly stepDir: number[] = [];
  readonly enable: [number, number][] = [];
  readonly endstop: [number, number][] = [];
  readonly events: TraceEvent[] = [];
  /** tip samples while the driver is off (free motion), and the tip at power-up */
  readonly driftT: number[] = [];
  readonly driftTip: number[] = [];
  /**
   * the physical model's tip at every event (a control tick, a step), the needle's path between the
   * steps: kept apart from the records (the files would grow by a row a step), while the trace keeps them
   */
  readonly modelT: number[] = [];
  readonly modelTip: number[] = [];
  /** the tip the last step or tip record gave (NaN before any) */
  private lastTipUm = NaN;
  /** the kind of each record, in the order they came */
  private readonly order: number[] = [];
  private keep = true;
  private sinks: TraceSink[] = [];

  constructor(readonly timerHz: number) {}

  /** Where the pen is at power-up: the tip, and the endstop's level (the carriage starts on it). */
  begin(tTicks: number, tipUm: number, endstopActive: boolean): void {
    this.tip(tTicks, tipUm);
    this.level(tTicks, 'endstop', endstopActive ? 1 : 0);
  }

  step(t: number, dir: number, tipUm: number): void {
    if (this.keep) {
      this.stepT.push(t);
      this.stepDir.push(dir);
      this.stepTip.push(tipUm);
      this.order.push(STEP);
    }
    this.lastTipUm = tipUm;
    for (const s of this.sinks) s.step(t, dir, tipUm);
  }

  /** The tip moved without a step (the driver is off). */
  tip(t: number, tipUm: number): void {
    if (this.keep) {
      this.driftT.push(t);
      this.driftTip.push(tipUm);
      this.order.push(TIP);
    }
    this.lastTipUm = tipUm;
    for (const s of this.sinks) s.tip(t, tipUm);
  }

  /**
   * The physical model's tip at an event, kept apart (modelT). With the driver off no step carries
   * the tip, so where it moved it is also a tip record: the spring's retract shows in the files and
   * the plot as the ideal model's free motion does.
   */
  modelAt(t: number, tipUm: number, free: boolean): void {
    if (this.keep) {
      this.modelT.push(t);
      this.modelTip.push(tipUm);
    }
    if (free && tipUm !== this.lastTipUm) this.tip(t, tipUm);
  }

  level(t: number, line: TraceLine, value: number): void {
    if (this.keep) {
      (line === 'enable' ? this.enable : this.endstop).push([t, value]);
      this.order.push(line === 'enable' ? ENABLE : ENDSTOP);
    }
    for (const s of this.sinks) s.level(t, line, value);
  }

  event(t: number, kind: string, detail: string): void {
    if (this.keep) {
      this.events.push({ tTicks: t, kind, detail });
      this.order.push(EVENT);
    }
    for (const s of this.sinks) s.event(t, kind, detail);
  }

  /**
   * Hand everything from now on to `sinks`, after what was kept so far. With `keep` false the
   * trace stops keeping records (and drops the ones it had): memory stays bounded.
   */
  stream(sinks: TraceSink[], keep = false): void {
    for (const s of sinks) this.replay(s);
    this.sinks.push(...sinks);
    if (!keep) {
      this.keep = false;
      for (const a of [
        this.stepT,
        this.stepTip,
        this.stepDir,
        this.enable,
        this.endstop,
        this.events,
        this.driftT,
        this.driftTip,
        this.modelT,
        this.modelTip,
        this.order,
      ])
        a.length = 0;
    }
  }

  /** Feed the kept records to a sink, in the order they came. */
  replay(sink: TraceSink): void {
    const i = [0, 0, 0, 0, 0];
    for (const k of this.order) {
      const n = i[k]++;
      if (k === STEP) sink.step(this.stepT[n], this.stepDir[n], this.stepTip[n]);
      else if (k === TIP) sink.tip(this.driftT[n], this.driftTip[n]);
      else if (k === ENABLE) sink.level(this.enable[n][0], 'enable', this.enable[n][1]);
      else if (k === ENDSTOP) sink.level(this.endstop[n][0], 'endstop', this.endstop[n][1]);
      else sink.event(this.events[n].tTicks, this.events[n].kind, this.events[n].detail);
    }
  }

  /** Tip position samples in time order (steps and free motion merged). */
  tipSeries(): [number, number][] {
    const pts: [number, number][] = [];
    let s = 0;
    let d = 0;
    for (const k of this.order) {
      if (k === STEP) {
        pts.push([this.stepT[s], this.stepTip[s]]);
        s++;
      } else if (k === TIP) {
        pts.push([this.driftT[d], this.driftTip[d]]);
        d++;
      }
    }
    return pts;
  }

  /** The kept trace as CSV (trace/csv.ts has the columns). */
  csv(): string {
    const out = new StringOut();
    this.replay(new CsvWriter(out, this.timerHz));
    return out.text();
  }

  /** The kept trace as a value change dump (trace/vcd.ts has the signals), ending at the last record or `endTicks`. */
  vcd(opts: VcdOptions & { endTicks?: number } = {}): string {
    const out = new StringOut();
    const w = new VcdWriter(out, this.timerHz, opts);
    this.replay(w);
    w.end(Math.max(opts.endTicks ?? 0, this.lastTicks()));
    return out.text();
  }

  private lastTicks(): number {
    return Math.max(
      this.stepT.at(-1) ?? 0,
      this.driftT.at(-1) ?? 0,
      this.events.at(-1)?.tTicks ?? 0,
      this.enable.at(-1)?.[0] ?? 0,
      this.endstop.at(-1)?.[0] ?? 0,
    );
  }

  /** SVG plot of the tip over time, with the guard plane and the set depth. */
  svg(opts: SvgOptions = {}): string {
    return tipSvg(this.tipSeries(), this.timerHz, opts);
  }
}
