// Streams a trace as a value change dump that GTKWave, PulseView, Surfer and sigrok-cli open: a
// microsecond timescale (finer only if the board can step faster than every 2 us), so every step
// pulse keeps its own rising and falling edge; the tip as a real signal; state, fault, indicator,
// serial lines and other events as string signals (events of one timestamp joined by "|", as a
// viewer shows one value per signal and timestamp). Only 1-bit wires, reals and strings: sigrok's
// VCD reader stops at the first multi-bit vector.
import { TextOut, TraceLine, TraceSink } from './sink.js';

/** timescales from coarse to fine, in seconds and as VCD writes them */
const UNITS: [number, string][] = [
  [1e-6, '1us'],
  [1e-7, '100ns'],
  [1e-8, '10ns'],
  [1e-9, '1ns'],
];
/** 1-bit wires; identifiers are ones sigrok reads as channels */
const WIRES = { step: 's', dir: 'd', enable: 'e', endstop: 'h', fault: 'f' } as const;
/** reals and strings; identifiers that no VCD reader takes for a value (not 0 1 x z b r) */
const TIP = 'T';
const STRINGS = { state: 'S', fault_name: 'C', indicator: 'I', serial_in: 'W', serial_out: 'Q', event: 'E' } as const;

/** The coarsest timescale at which steps `minStepIntervalS` apart keep separate pulses (a pulse is one unit). */
export function vcdUnitFor(minStepIntervalS: number): [number, string] {
  return UNITS.find(([u]) => minStepIntervalS >= 2 * u) ?? UNITS[UNITS.length - 1];
}

export interface VcdOptions {
  /** header comment lines (board, seed, settings, firmware hash) */
  comments?: string[];
  /** the shortest step interval the board allows (s); picks the timescale */
  minStepIntervalS?: number;
}

export class VcdWriter implements TraceSink {
  readonly unitS: number;
  private readonly ticksPerUnit: number;
  private readonly last = new Map<string, string>();
  private started = false;
  private cur = 0;
  private fallAt = -1;
  /** the step line's last edge (the initial value counts as one at 0) */
  private lastEdge = 0;
  private dir = 0;
  private tipUm = 0;
  /** step pulses written */
  steps = 0;
  /** Event and serial-line values of the current timestamp, not yet written: a viewer shows one value
   *  per signal and timestamp, so two events in one unit are written as one value, joined by "|". */
  private readonly pending = new Map<string, string>();

  constructor(
    private readonly out: TextOut,
    timerHz: number,
    opts: VcdOptions = {},
  ) {
    const [unitS, unitName] = vcdUnitFor(opts.minStepIntervalS ?? 1e-6 * 2);
    this.unitS = unitS;
    this.ticksPerUnit = timerHz * unitS;
    const vars = [
      ...Object.entries(WIRES).map(([name, id]) => `$var wire 1 ${id} ${name} $end`),
      `$var real 64 ${TIP} tip_um $end`,
      ...Object.entries(STRINGS).map(([name, id]) => `$var string 1 ${id} ${name} $end`),
    ];
    const comments = (opts.comments ?? []).map((c) => `$comment ${c.replace(/\$end/g, '$ end')} $end`);
    out.write(
      [
        '$date simulated $end',
        '$version needle-pen host-sim $end',
        ...comments,
        `$timescale ${unitName} $end`,
        '$scope module pen $end',
        ...vars,
        '$upscope $end',
        '$enddefinitions $end',
        '',
      ].join('\n'),
    );
    for (const id of Object.values(WIRES)) this.last.set(id, `0${id}`);
    this.last.set(TIP, `r0 ${TIP}`);
    for (const id of Object.values(STRINGS)) this.last.set(id, `s- ${id}`);
  }

  /** Time in units, rounded down: an edge is never drawn before it happened. */
  private unit(tTicks: number): number {
    return Math.floor(tTicks / this.ticksPerUnit + 1e-6);
  }

  private start(): void {
    // events before anything moved are the initial values
    for (const [id, v] of this.pending) this.last.set(id, `s${vcdString(v)} ${id}`);
    this.pending.clear();
    this.out.write(`#0\n$dumpvars\n${[...this.last.values()].join('\n')}\n$end\n`);
    this.started = true;
  }

  /** Write the current timestamp's events, each signal's joined into one value. */
  private flush(): void {
    for (const [id, v] of this.pending) {
      const text = `s${vcdString(v)} ${id}`;
      this.last.set(id, text);
      this.out.write(text + '\n');
    }
    this.pending.clear();
  }

  /** Make `u` the current timestamp (never going back) and write the pending falling edge if it is due. */
  private at(u: number): void {
    if (!this.started) this.start();
    else if (this.pending.size > 0 && u > this.cur) this.flush();
    if (this.fallAt >= 0 && this.fallAt <= u) {
      if (this.fallAt > this.cur) {
        this.out.write(`#${this.fallAt}\n`);
        this.cur = this.fallAt;
      }
      this.out.write(`0${WIRES.step}\n`);
      this.lastEdge = this.fallAt;
      this.fallAt = -1;
    }
    if (u > this.cur) {
      this.out.write(`#${u}\n`);
      this.cur = u;
    }
  }

  private set(u: number, id: string, text: string): void {
    if (this.last.get(id) === text) return;
    this.last.set(id, text);
    // values at time 0 before anything moved are the initial values ($dumpvars)
    if (!this.started && u === 0) return;
    this.at(u);
    this.out.write(text + '\n');
  }

  step(tTicks: number, dir: number, tipUm: number): void {
    let u = this.unit(tTicks);
    // a rise in the same unit as the previous edge (or the initial values) would not show: two steps in
    // one unit cannot happen at the chosen timescale, nor a step in the dump's first unit; if they
    // did, the pulse is delayed, not lost
    const lastEdge = this.fallAt >= 0 ? this.fallAt : this.lastEdge;
    if (u <= lastEdge) u = lastEdge + 1;
    this.at(u);
    this.lastEdge = u;
    // the hot path of a long trace: one string per step, values compared as numbers
    const d = dir > 0 ? 1 : 0;
    let text = '';
    if (d !== this.dir) {
      this.dir = d;
      text = `${d}${WIRES.dir}\n`;
      this.last.set(WIRES.dir, `${d}${WIRES.dir}`);
    }
    text += `1${WIRES.step}\n`;
    if (tipUm !== this.tipUm) {
      this.tipUm = tipUm;
      text += `r${tipUm.toFixed(3)} ${TIP}\n`;
      this.last.delete(TIP);
    }
    this.out.write(text);
    this.fallAt = this.cur + 1;
    this.steps++;
  }

  tip(tTicks: number, tipUm: number): void {
    if (tipUm === this.tipUm) return;
    this.tipUm = tipUm;
    this.set(this.unit(tTicks), TIP, `r${tipUm.toFixed(3)} ${TIP}`);
  }

  level(tTicks: number, line: TraceLine, value: number): void {
    const id = WIRES[line];
    this.set(this.unit(tTicks), id, `${value ? 1 : 0}${id}`);
  }

  event(tTicks: number, kind: string, detail: string): void {
    const u = this.unit(tTicks);
    const str = (id: string, v: string): void => this.set(u, id, `s${vcdString(v)} ${id}`);
    if (kind === 'state') {
      // "fault (stall)" or "ready"
      const m = /^(\S+)(?: \((.*)\))?$/.exec(detail);
      const state = m?.[1] ?? detail;
      str(STRINGS.state, state);
      this.set(u, WIRES.fault, `${state === 'fault' ? 1 : 0}${WIRES.fault}`);
      str(STRINGS.fault_name, m?.[2] ?? 'none');
    } else if (kind === 'hal' && detail.startsWith('indicator ')) {
      str(STRINGS.indicator, detail.slice('indicator '.length));
    } else if (kind === 'serial' && (detail.startsWith('> ') || detail.startsWith('< '))) {
      this.queue(u, detail[0] === '>' ? STRINGS.serial_in : STRINGS.serial_out, detail.slice(2));
    } else {
      this.queue(u, STRINGS.event, `${kind}:${detail}`);
    }
  }

  /** An event (or serial line) at `u`: written when the time moves on, with the others of its unit.
   *  Never compared with the last value: the same event twice in a row is still two events. */
  private queue(u: number, id: string, v: string): void {
    if (this.started || u > 0) this.at(u);
    const prev = this.pending.get(id);
    this.pending.set(id, prev === undefined ? v : `${prev}|${v}`);
  }

  /** Close the dump at `endTicks` (the last pulse ends first). */
  end(endTicks: number): void {
    const u = this.unit(endTicks);
    this.at(Math.max(u, this.fallAt, this.cur));
    this.flush();
  }
}

/** A VCD string value has no white space; an empty one is "-". */
function vcdString(s: string): string {
  return s.replace(/\s/g, '_') || '-';
}
