// A run's trace: every step with the carriage position, driver and endstop edges, state changes and
// HAL output calls. Exports CSV, VCD (GTKWave, PulseView, Surfer) and an SVG plot of the tip.

export interface TraceEvent { tTicks: number; kind: string; detail: string }

export class Trace {
  readonly stepT: number[] = [];
  readonly stepTip: number[] = [];
  readonly stepDir: number[] = [];
  readonly enable: [number, number][] = [];
  readonly endstop: [number, number][] = [];
  readonly events: TraceEvent[] = [];
  /** tip samples while the driver is off (free motion) */
  readonly driftT: number[] = [];
  readonly driftTip: number[] = [];

  constructor(readonly timerHz: number) {}

  step(t: number, dir: number, tipUm: number): void {
    this.stepT.push(t);
    this.stepDir.push(dir);
    this.stepTip.push(tipUm);
  }

  event(t: number, kind: string, detail: string): void { this.events.push({ tTicks: t, kind, detail }); }

  private us(t: number): number { return (t * 1e6) / this.timerHz; }

  /** Tip position samples in time order (steps and free motion merged). */
  tipSeries(): [number, number][] {
    const pts: [number, number][] = [];
    for (let i = 0; i < this.stepT.length; i++) pts.push([this.stepT[i], this.stepTip[i]]);
    for (let i = 0; i < this.driftT.length; i++) pts.push([this.driftT[i], this.driftTip[i]]);
    return pts.sort((a, b) => a[0] - b[0]);
  }

  csv(): string {
    const rows = ['time_us,tip_um,source'];
    for (const [t, tip] of this.tipSeries()) rows.push(`${this.us(t).toFixed(3)},${tip.toFixed(3)},motion`);
    for (const e of this.events) rows.push(`${this.us(e.tTicks).toFixed(3)},,${e.kind}: ${e.detail.replace(/[,\n]/g, ' ')}`);
    return rows.join('\n') + '\n';
  }

  /** Value change dump of step, dir, enable and endstop; 1 ns resolution, 1 us step pulses. */
  vcd(): string {
    const ns = (t: number): number => Math.round((t * 1e9) / this.timerHz);
    const changes: [number, string][] = [];
    let lastDir = -1;
    for (let i = 0; i < this.stepT.length; i++) {
      const t = ns(this.stepT[i]);
      const dir = this.stepDir[i] > 0 ? 1 : 0;
      if (dir !== lastDir) { changes.push([t - 1, `${dir}d`]); lastDir = dir; }
      changes.push([t, '1s'], [t + 1000, '0s']);
    }
    for (const [t, v] of this.enable) changes.push([ns(t), `${v}e`]);
    for (const [t, v] of this.endstop) changes.push([ns(t), `${v}h`]);
    changes.sort((a, b) => a[0] - b[0]);
    const out = [
      '$date simulated $end', '$version needle-pen host-sim $end', '$timescale 1ns $end',
      '$scope module pen $end',
      '$var wire 1 s step $end', '$var wire 1 d dir $end', '$var wire 1 e enable $end', '$var wire 1 h endstop $end',
      '$upscope $end', '$enddefinitions $end', '#0', '$dumpvars', '0s', '0d', '0e', '0h', '$end',
    ];
    let cur = 0;
    for (const [t, v] of changes) {
      const tt = Math.max(t, cur);
      if (tt !== cur) { out.push(`#${tt}`); cur = tt; }
      out.push(v);
    }
    return out.join('\n') + '\n';
  }

  /** SVG plot of the tip over time, with the guard plane and the set depth. */
  svg(opts: { depthUm?: number; title?: string; fromTicks?: number; toTicks?: number; width?: number; height?: number } = {}): string {
    const W = opts.width ?? 900;
    const H = opts.height ?? 300;
    const m = { l: 60, r: 10, t: 24, b: 34 };
    let pts = this.tipSeries();
    if (opts.fromTicks !== undefined) pts = pts.filter(([t]) => t >= opts.fromTicks!);
    if (opts.toTicks !== undefined) pts = pts.filter(([t]) => t <= opts.toTicks!);
    if (!pts.length) pts = [[0, 0]];
    const t0 = pts[0][0];
    const t1 = Math.max(pts[pts.length - 1][0], t0 + 1);
    let yMax = Math.max(100, (opts.depthUm ?? 0) * 1.1);
    let yMin = -100;
    for (const [, u] of pts) { if (u > yMax) yMax = u; if (u < yMin) yMin = u; }
    const X = (t: number): number => m.l + ((t - t0) / (t1 - t0)) * (W - m.l - m.r);
    const Y = (u: number): number => m.t + ((u - yMin) / (yMax - yMin)) * (H - m.t - m.b); // deeper = lower
    const poly = decimate(pts, Math.ceil(pts.length / (2 * W))).map(([t, u]) => `${X(t).toFixed(1)},${Y(u).toFixed(1)}`).join(' ');
    const ms = (t: number): string => (((t - t0) * 1000) / this.timerHz).toFixed(1);
    const parts = [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
      `<rect width="${W}" height="${H}" fill="white"/>`,
      `<text x="${m.l}" y="15" font-size="13">${escapeXml(opts.title ?? 'needle tip position')}</text>`,
      `<line x1="${m.l}" x2="${W - m.r}" y1="${Y(0)}" y2="${Y(0)}" stroke="#888" stroke-dasharray="4 3"/>`,
      `<text x="${W - m.r - 4}" y="${Y(0) - 3}" text-anchor="end" fill="#555">guard plane</text>`,
    ];
    if (opts.depthUm) {
      parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(opts.depthUm)}" y2="${Y(opts.depthUm)}" stroke="#c33" stroke-dasharray="6 3"/>`,
        `<text x="${W - m.r - 4}" y="${Y(opts.depthUm) + 12}" text-anchor="end" fill="#c33">set depth ${(opts.depthUm / 1000).toFixed(2)} mm</text>`);
    }
    parts.push(`<polyline fill="none" stroke="#1565c0" stroke-width="1" points="${poly}"/>`,
      `<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#000"/>`,
      `<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#000"/>`,
      `<text x="${m.l - 6}" y="${Y(yMin) + 4}" text-anchor="end">${(yMin / 1000).toFixed(2)}</text>`,
      `<text x="${m.l - 6}" y="${Y(yMax)}" text-anchor="end">${(yMax / 1000).toFixed(2)}</text>`,
      `<text x="12" y="${(m.t + H - m.b) / 2}" transform="rotate(-90 12 ${(m.t + H - m.b) / 2})" text-anchor="middle">tip past guard plane (mm)</text>`,
      `<text x="${m.l}" y="${H - 10}">${ms(t0)} ms</text>`,
      `<text x="${W - m.r}" y="${H - 10}" text-anchor="end">${ms(t1)} ms</text>`,
      '</svg>');
    return parts.join('\n') + '\n';
  }
}

/** Keeps the min and max of each bucket of n points, so peaks survive. */
function decimate(pts: [number, number][], n: number): [number, number][] {
  if (n <= 1) return pts;
  const out: [number, number][] = [];
  for (let i = 0; i < pts.length; i += n) {
    let lo = pts[i];
    let hi = pts[i];
    for (let j = i; j < Math.min(i + n, pts.length); j++) {
      if (pts[j][1] < lo[1]) lo = pts[j];
      if (pts[j][1] > hi[1]) hi = pts[j];
    }
    if (lo[0] <= hi[0]) out.push(lo, hi); else out.push(hi, lo);
  }
  return out;
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' }[c]!));
}
