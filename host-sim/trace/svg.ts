// An SVG plot of the tip over time, with the guard plane and the set depth; and a sink that keeps
// only the last stretch of the tip's path, for a plot of a run of any length.
import { TraceSink } from './sink.js';

export interface SvgOptions {
  depthUm?: number;
  title?: string;
  fromTicks?: number;
  toTicks?: number;
  width?: number;
  height?: number;
}

export function tipSvg(series: [number, number][], timerHz: number, opts: SvgOptions = {}): string {
  const W = opts.width ?? 900;
  const H = opts.height ?? 300;
  const m = { l: 60, r: 10, t: 24, b: 34 };
  let pts = series;
  if (opts.fromTicks !== undefined) pts = pts.filter(([t]) => t >= opts.fromTicks!);
  if (opts.toTicks !== undefined) pts = pts.filter(([t]) => t <= opts.toTicks!);
  if (!pts.length) pts = [[0, 0]];
  const t0 = pts[0][0];
  const t1 = Math.max(pts[pts.length - 1][0], t0 + 1);
  let yMax = Math.max(100, (opts.depthUm ?? 0) * 1.1);
  let yMin = -100;
  for (const [, u] of pts) {
    if (u > yMax) yMax = u;
    if (u < yMin) yMin = u;
  }
  const X = (t: number): number => m.l + ((t - t0) / (t1 - t0)) * (W - m.l - m.r);
  const Y = (u: number): number => m.t + ((u - yMin) / (yMax - yMin)) * (H - m.t - m.b); // deeper = lower
  const poly = decimate(pts, Math.ceil(pts.length / (2 * W)))
    .map(([t, u]) => `${X(t).toFixed(1)},${Y(u).toFixed(1)}`)
    .join(' ');
  // the run's own time, as the CSV and VCD beside the plot give it
  const ms = (t: number): string => ((t * 1000) / timerHz).toFixed(1);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.l}" y="15" font-size="13">${escapeXml(opts.title ?? 'needle tip position')}</text>`,
    `<line x1="${m.l}" x2="${W - m.r}" y1="${Y(0)}" y2="${Y(0)}" stroke="#888" stroke-dasharray="4 3"/>`,
    `<text x="${W - m.r - 4}" y="${Y(0) - 3}" text-anchor="end" fill="#555">guard plane</text>`,
  ];
  if (opts.depthUm) {
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${Y(opts.depthUm)}" y2="${Y(opts.depthUm)}" stroke="#c33" stroke-dasharray="6 3"/>`,
      `<text x="${W - m.r - 4}" y="${Y(opts.depthUm) + 12}" text-anchor="end" fill="#c33">set depth ${(opts.depthUm / 1000).toFixed(2)} mm</text>`,
    );
  }
  parts.push(
    `<polyline fill="none" stroke="#1565c0" stroke-width="1" points="${poly}"/>`,
    `<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#000"/>`,
    `<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#000"/>`,
    `<text x="${m.l - 6}" y="${Y(yMin) + 4}" text-anchor="end">${(yMin / 1000).toFixed(2)}</text>`,
    `<text x="${m.l - 6}" y="${Y(yMax)}" text-anchor="end">${(yMax / 1000).toFixed(2)}</text>`,
    `<text x="12" y="${(m.t + H - m.b) / 2}" transform="rotate(-90 12 ${(m.t + H - m.b) / 2})" text-anchor="middle">tip past guard plane (mm)</text>`,
    `<text x="${m.l}" y="${H - 10}">${ms(t0)} ms</text>`,
    `<text x="${W - m.r}" y="${H - 10}" text-anchor="end">${ms(t1)} ms</text>`,
    '</svg>',
  );
  return parts.join('\n') + '\n';
}

/** Keeps the tip's path over the last `spanTicks`. */
export class TipWindow implements TraceSink {
  private t: number[] = [];
  private tipUm: number[] = [];
  private head = 0;

  constructor(private readonly spanTicks: number) {}

  private add(tTicks: number, tipUm: number): void {
    this.t.push(tTicks);
    this.tipUm.push(tipUm);
    while (this.t[this.head] < tTicks - this.spanTicks) this.head++;
    if (this.head > 4096 && this.head * 2 > this.t.length) {
      this.t = this.t.slice(this.head);
      this.tipUm = this.tipUm.slice(this.head);
      this.head = 0;
    }
  }

  step(tTicks: number, _dir: number, tipUm: number): void {
    this.add(tTicks, tipUm);
  }
  tip(tTicks: number, tipUm: number): void {
    this.add(tTicks, tipUm);
  }
  level(): void {}
  event(): void {}

  series(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = this.head; i < this.t.length; i++) out.push([this.t[i], this.tipUm[i]]);
    return out;
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
    if (lo[0] <= hi[0]) out.push(lo, hi);
    else out.push(hi, lo);
  }
  return out;
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
