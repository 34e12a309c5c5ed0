// What the needles did: per-stroke penetration depth (deepest tip position past the guard plane; with
// the physical model the tip's own path, sampled at each integration step),
// stroke rate from successive stroke bottoms, step timing error against the plan, lost steps.
import type { MoveInfo } from './executor.js';
import { idealMoveTerms, idealStepTicksWith } from './profile.js';

export interface Stroke {
  tTicks: number;
  depthUm: number;
}

export interface Measurement {
  strokes: number;
  depth_mm: { mean: number; min: number; max: number } | null;
  freq_hz: number | null;
  puncture_rate: number | null;
  missed_steps: number;
  step_error_us_max: number;
}

export class StrokeMeter {
  strokes: Stroke[] = [];
  missedAtStart = 0;
  maxStepErrTicks = 0;
  private lastX = NaN;
  private down = false;
  private deepX = -Infinity;
  private deepT = 0;

  constructor(private readonly timerHz: number) {}

  /** Start a new measurement window. */
  reset(missedNow: number): void {
    this.strokes = [];
    this.missedAtStart = missedNow;
    this.maxStepErrTicks = 0;
  }

  /** The carriage moved to xUm at t; tipUm is the same position relative to the guard plane. */
  onMove(t: number, xUm: number, tipUm: number): void {
    if (xUm > this.lastX) {
      if (!this.down || xUm > this.deepX) {
        this.deepX = xUm;
        this.deepT = t;
        this.deepTip = tipUm;
      }
      this.down = true;
    } else if (xUm < this.lastX) {
      if (this.down && this.deepTip > 0) this.strokes.push({ tTicks: this.deepT, depthUm: this.deepTip });
      this.down = false;
    }
    this.lastX = xUm;
  }
  private deepTip = 0;

  /**
   * Physical model: the tip at t (um past the guard plane). A stroke is one excursion past the guard
   * plane, its depth the deepest point of it, so the rotor ringing at the bottom counts once.
   */
  onTip(t: number, tipUm: number): void {
    if (tipUm > 0) {
      if (!this.inSkin || tipUm > this.excursionTip) {
        this.excursionTip = tipUm;
        this.excursionT = t;
      }
      this.inSkin = true;
    } else if (this.inSkin) {
      this.strokes.push({ tTicks: this.excursionT, depthUm: this.excursionTip });
      this.inSkin = false;
    }
  }
  private inSkin = false;
  private excursionTip = 0;
  private excursionT = 0;

  onStepError(errTicks: number): void {
    const e = Math.abs(errTicks);
    if (e > this.maxStepErrTicks) this.maxStepErrTicks = e;
  }

  /**
   * Step k of `move` (begun ideally at startTicks) came at t: its error against the ideal trajectory,
   * with what stays the same over a move computed once per move (the same numbers as idealStepTicks).
   */
  onStep(t: number, move: MoveInfo, startTicks: number, k: number): void {
    if (move !== this.idealMove) {
      this.idealMove = move;
      const terms = idealMoveTerms(move.steps, move.durationTicks, move.accelTicks);
      this.idealCruise = terms.cruise;
      this.idealXa = terms.xa;
    }
    const ideal = idealStepTicksWith(
      k,
      move.steps,
      move.durationTicks,
      move.accelTicks,
      this.idealCruise,
      this.idealXa,
    );
    const e = Math.abs(t - (startTicks + ideal));
    if (e > this.maxStepErrTicks) this.maxStepErrTicks = e;
  }
  private idealMove: MoveInfo | undefined;
  private idealCruise = 0;
  private idealXa = 0;

  summary(needles: number, missedNow: number): Measurement {
    const s = this.strokes;
    // reduce, not Math.min(...): an hour's run has more strokes than a call may have arguments
    const depths = s.map((x) => x.depthUm / 1000);
    const freq = s.length >= 2 ? ((s.length - 1) * this.timerHz) / (s[s.length - 1].tTicks - s[0].tTicks) : null;
    return {
      strokes: s.length,
      depth_mm: depths.length
        ? {
            mean: depths.reduce((a, b) => a + b, 0) / depths.length,
            min: depths.reduce((a, b) => Math.min(a, b)),
            max: depths.reduce((a, b) => Math.max(a, b)),
          }
        : null,
      freq_hz: freq,
      puncture_rate: freq === null ? null : freq * needles,
      missed_steps: missedNow - this.missedAtStart,
      step_error_us_max: (this.maxStepErrTicks * 1e6) / this.timerHz,
    };
  }
}
