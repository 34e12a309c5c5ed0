// A run's trace: every step with the tip position, free motion of the tip, driver enable and endstop
// levels, state changes, HAL output calls, serial lines and injected faults, in time order. Kept in
// memory for tests and QA, or handed as it happens to sinks that stream it to files (trace/), so a
// run of any length takes the same memory. Exports CSV, VCD (GTKWave, PulseView, Surfer, sigrok-cli)
// and an SVG plot of the tip.
import { TraceLine, TraceSink, StringOut } from './trace/sink.js';
import { CsvWriter } from './trace/csv.js';
import { VcdWriter, VcdOptions } from './trace/vcd.js';
import { tipSvg, SvgOptions } from './trace/svg.js';
import { Column, firstAtOrAfter } from './trace/column.js';

export type { TraceSink, TraceLine } from './trace/sink.js';
export { escapeXml } from './trace/svg.js';

export interface TraceEvent {
  tTicks: number;
  kind: string;
  detail: string;
}

/** kinds of the records other than steps, in the order log */
const TIP = 0,
  ENABLE = 1,
  ENDSTOP = 2,
  EVENT = 3;

export class Trace {
  readonly stepT = new Column();
  readonly stepTip = new Column();
  readonly stepDir = new Column();
  readonly enable: [number, number][] = [];
  readonly endstop: [number, number][] = [];
  readonly events: TraceEvent[] = [];
  /** tip samples while the driver is off (free motion), and the tip at power-up */
  readonly driftT: number[] = [];
  readonly driftTip: number[] = [];
  /** the steps recorded before each free-motion sample: where it falls among them */
  private readonly driftAfterSteps: number[] = [];
  /**
   * the physical model's tip at every event (a control tick, a step), the needle's path between the
   * steps: kept apart from the records (the files would grow by a row a step), while the trace keeps them
   */
  readonly modelT: number[] = [];
  readonly modelTip: number[] = [];
  /** the tip the last step or tip record gave (NaN before any) */
  private lastTipUm = NaN;
  /**
   * the kind of each record other than a step, in the order they came, and the steps recorded before
   * it: the steps, most of the records, fall between them (a step's own entry here was a tenth of the
   * time a traced QA case took)
   */
  private readonly order: number[] = [];
  private readonly orderAfterSteps: number[] = [];
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
    }
    this.lastTipUm = tipUm;
    for (const s of this.sinks) s.step(t, dir, tipUm);
  }

  /** The tip moved without a step (the driver is off). */
  tip(t: number, tipUm: number): void {
    if (this.keep) {
      this.driftT.push(t);
      this.driftTip.push(tipUm);
      this.driftAfterSteps.push(this.stepT.length);
      this.note(TIP);
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
      this.note(line === 'enable' ? ENABLE : ENDSTOP);
    }
    for (const s of this.sinks) s.level(t, line, value);
  }

  event(t: number, kind: string, detail: string): void {
    if (this.keep) {
      this.events.push({ tTicks: t, kind, detail });
      this.note(EVENT);
    }
    for (const s of this.sinks) s.event(t, kind, detail);
  }

  private note(kind: number): void {
    this.order.push(kind);
    this.orderAfterSteps.push(this.stepT.length);
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
      for (const c of [this.stepT, this.stepTip, this.stepDir]) c.clear();
      for (const a of [
        this.enable,
        this.endstop,
        this.events,
        this.driftT,
        this.driftTip,
        this.driftAfterSteps,
        this.modelT,
        this.modelTip,
        this.order,
        this.orderAfterSteps,
      ])
        a.length = 0;
    }
  }

  /** Feed the kept records to a sink, in the order they came. */
  replay(sink: TraceSink): void {
    const i = [0, 0, 0, 0];
    let s = 0;
    const steps = (upTo: number): void => {
      for (; s < upTo; s++) sink.step(this.stepT.get(s), this.stepDir.get(s), this.stepTip.get(s));
    };
    for (let j = 0; j < this.order.length; j++) {
      steps(this.orderAfterSteps[j]);
      const k = this.order[j];
      const n = i[k]++;
      if (k === TIP) sink.tip(this.driftT[n], this.driftTip[n]);
      else if (k === ENABLE) sink.level(this.enable[n][0], 'enable', this.enable[n][1]);
      else if (k === ENDSTOP) sink.level(this.endstop[n][0], 'endstop', this.endstop[n][1]);
      else sink.event(this.events[n].tTicks, this.events[n].kind, this.events[n].detail);
    }
    steps(this.stepT.length);
  }

  /** Tip position samples in time order (steps and free motion merged). */
  tipSeries(): [number, number][] {
    return this.tipWindow(-Infinity, Infinity);
  }

  /**
   * The tip samples of tipSeries() from `fromTicks` to `toTicks` (both included), without walking the
   * whole trace: a QA case plots the window before each expectation, and a long case's trace holds
   * hundreds of thousands of steps. The records come in time order, so the window's first step and
   * first free-motion sample are found by bisection, and driftAfterSteps puts each sample where it came.
   */
  tipWindow(fromTicks: number, toTicks: number): [number, number][] {
    const pts: [number, number][] = [];
    let s = this.stepT.firstAtOrAfter(fromTicks);
    let d = firstAtOrAfter(this.driftT.length, (i) => this.driftT[i], fromTicks);
    const nS = this.stepT.length,
      nD = this.driftT.length;
    for (;;) {
      const drift = d < nD && (s >= nS || this.driftAfterSteps[d] <= s);
      if (!drift && s >= nS) break;
      const t = drift ? this.driftT[d] : this.stepT.get(s);
      if (t > toTicks) break;
      if (drift) pts.push([t, this.driftTip[d++]]);
      else pts.push([t, this.stepTip.get(s++)]);
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
      this.stepT.last() ?? 0,
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
