// Phases of a stroke, for faults injected at a chosen point of one (`inject: {fault, at: {phase}}`).
// A stroke starts when a move toward the skin begins (phase 0, the top). The move in takes phases
// 0 to 0.5, whatever its share of the stroke's time, so 0.5 is always the bottom; the way back and any
// rest at the top take 0.5 to 1. Within each half the phase is linear in time.
import { PenSim } from '../../host-sim/pen.js';

/** named phases and their values */
export const PHASES = { top: 0, descending: 0.25, bottom: 0.5, ascending: 0.75 } as const;
export type PhaseName = keyof typeof PHASES;

/** how long to wait for a stroke to begin (ms) */
const STROKE_WAIT_MS = 2000;

export function phaseValue(p: number | PhaseName): number {
  return typeof p === 'number' ? p : PHASES[p];
}

/**
 * Runs the pen to the given phase (0 <= phase < 1) of the next stroke that begins; false if none
 * begins within 2 s. Exact to the step timer's tick: the run ends at the computed instant.
 */
export function runToPhase(sim: PenSim, phase: number): boolean {
  const ex = sim.executor;
  let seen = ex.move;
  const began = sim.runUntilStep(() => {
    const m = ex.move;
    if (m === seen) return false;
    seen = m;
    return m !== undefined && m.dir === 1;
  }, STROKE_WAIT_MS);
  if (!began || !ex.move) return false;
  const start = ex.moveStartTicks;
  const inTicks = ex.move.durationTicks;
  const freqHz = sim.setting.freqHz;
  // the stroke's period as set; never shorter than the move in (a slow stroke's rest is what is left)
  const periodTicks = Math.max(inTicks + 1, freqHz > 0 ? sim.timerHz / freqHz : 2 * inTicks);
  const target =
    phase < 0.5 ? start + (phase / 0.5) * inTicks : start + inTicks + ((phase - 0.5) / 0.5) * (periodTicks - inTicks);
  const due = Math.round(target) - sim.tTicks;
  if (due > 0) sim.run(sim.ms(due));
  return true;
}
