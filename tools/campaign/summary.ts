// What a campaign's outcomes add up to: how many cases left the needles out, how late the others got
// back, the classes of failure, the worst cases, each with the command that replays it.
import type { CampaignCase } from './spec.js';
import type { Clock, Outcome } from './run.js';

/** retract deadline from the fault's onset (ms; docs/hazards.md) */
export const DEFAULT_LIMIT_MS = 20;

export type Kind = 'single' | 'pair' | 'glitch' | 'power_cut';

export function kindOf(c: CampaignCase): Kind {
  if (c.events.some((e) => e.fault === 'power_cut')) return 'power_cut';
  if (c.events.length > 1) return 'pair';
  if (c.events[0].forMs !== undefined) return 'glitch';
  return 'single';
}

/** What a case's retract deadline counts from (outcomes written before the field: from the allowance). */
export function clockOf(o: Outcome): Clock {
  return o.clock ?? (o.allowanceMs > 0 ? 'detection' : 'onset');
}

/** Why a case failed, in the few words the summary groups by; undefined when it passed. */
export function failureClass(o: Outcome, limitMs: number): string | undefined {
  if (o.error)
    return `the case could not run${o.ownFault && o.error.startsWith('the pen faulted') ? `: the pen faulted (${o.ownFault}) before any fault was injected` : ''}`;
  const check = o.checks?.find((c) => !c.pass);
  if (!o.retracted) {
    if (strokingOn(o)) {
      if (!o.mayStrokeOn) return `never detected: still ${o.state} after a lasting fault`;
      return check?.what; // judged by what the faults must cause
    }
    if (o.state === 'fault') return `needles left out in fault ${o.fault}`;
    return `needles left out in state ${o.state}${o.fault !== 'none' ? ` (${o.fault})` : ''}`;
  }
  const clock = clockOf(o);
  if (clock === 'detection') {
    // noticed late by design: the deadline counts from the detection, which must come within the allowance
    if ((o.detectionMs ?? Infinity) > o.allowanceMs + limitMs)
      return `detected later than the ${o.allowanceMs} ms the pen may take to notice`;
    if ((o.fromDetectionMs ?? 0) > limitMs) return `retracted later than ${limitMs} ms after detection`;
  } else if (clock === 'onset' && (o.fromOnsetMs ?? 0) > limitMs)
    return `retracted later than ${limitMs} ms after onset`;
  return check?.what;
}

export type FailureType = 'could-not-run' | 'left-out' | 'never-detected' | 'late' | 'effect';

/** How a failed case failed, in one word (JUnit's failure type, the summary's counts); undefined when it passed. */
export function failureType(o: Outcome, limitMs: number): FailureType | undefined {
  const cls = failureClass(o, limitMs);
  if (!cls) return undefined;
  if (o.error) return 'could-not-run';
  const check = o.checks?.find((c) => !c.pass && c.what === cls);
  if (check) return check.failure === 'effect' ? 'effect' : 'never-detected';
  if (strokingOn(o)) return 'never-detected';
  return o.retracted ? 'late' : 'left-out';
}

/** The firmware never saw a fault and the pen is still at work (a glitch ridden through, or a fault missed). */
export function strokingOn(o: Outcome): boolean {
  return !o.retracted && o.detected === undefined && (o.state === 'running' || o.state === 'paused');
}

export function passed(o: Outcome, limitMs: number): boolean {
  return failureClass(o, limitMs) === undefined;
}

export interface Summary {
  cases: number;
  passed: number;
  /** the pen stopped (fault, reset, off) with the needles out of the retracted position */
  leftOut: number;
  /** a lasting fault the firmware never noticed: the pen strokes on */
  undetected: number;
  /** glitches (and faults it cannot see while stroking) the pen rode through, stroking on: they pass */
  riddenThrough: number;
  late: number;
  /** a fault that cannot move the needles did not cause what it must (a stuck RNG not refused) */
  wrongEffect: number;
  /** faults that cannot move the needles (or that matter only by their effect), judged by it, passed */
  harmless: number;
  /** silent step losses that passed: within the depth tolerance, or found at the stop (open loop); the largest depth change */
  stepLoss: { within: number; foundAtStop: number; worstDepthMm?: number; worstId?: string };
  errors: number;
  limitMs: number;
  byKind: Record<string, { cases: number; leftOut: number; undetected: number; late: number }>;
  /** failure class -> cases, with the first faults most often in it */
  classes: { name: string; cases: number; faults: [string, number][]; example: string; message?: string }[];
  /** over the cases whose deadline counts from onset (not those noticed late by design) */
  worstFromOnset?: { ms: number; id: string };
  worstFromDetection?: { ms: number; id: string };
  /** the worst cases, left out first (deepest first), then the latest */
  worst: Outcome[];
  wallS: number;
  simS: number;
}

export function summarize(cases: CampaignCase[], outs: Outcome[], limitMs: number, worstN = 20, wallS = 0): Summary {
  const s: Summary = {
    cases: outs.length,
    passed: 0,
    leftOut: 0,
    undetected: 0,
    riddenThrough: 0,
    late: 0,
    wrongEffect: 0,
    harmless: 0,
    stepLoss: { within: 0, foundAtStop: 0 },
    errors: 0,
    limitMs,
    byKind: {},
    classes: [],
    worst: [],
    wallS,
    simS: outs.reduce((a, o) => a + o.simMs, 0) / 1000,
  };
  const classes = new Map<string, { cases: number; faults: Map<string, number>; example: string; message?: string }>();
  outs.forEach((o, i) => {
    const k = (s.byKind[kindOf(cases[i])] ??= { cases: 0, leftOut: 0, undetected: 0, late: 0 });
    k.cases++;
    const cls = failureClass(o, limitMs);
    const type = failureType(o, limitMs);
    if (!cls) {
      s.passed++;
      if (strokingOn(o) && (clockOf(o) !== 'none' || o.riddenGlitches?.length)) s.riddenThrough++;
      else if (clockOf(o) === 'none') s.harmless++;
      for (const c of o.checks ?? []) {
        if (c.what.startsWith('step loss within')) s.stepLoss.within++;
        if (c.what.startsWith('step loss found at the stop')) s.stepLoss.foundAtStop++;
      }
    } else if (type === 'could-not-run') s.errors++;
    else if (type === 'effect') s.wrongEffect++;
    else if (type === 'never-detected') {
      s.undetected++;
      k.undetected++;
    } else if (type === 'left-out') {
      s.leftOut++;
      k.leftOut++;
    } else {
      s.late++;
      k.late++;
    }
    if (cls) {
      const c = classes.get(cls) ?? { cases: 0, faults: new Map(), example: o.id, message: o.error };
      c.cases++;
      const f = cases[i].events.map((e) => (e.forMs !== undefined ? `${e.fault} glitch` : e.fault)).join('+');
      c.faults.set(f, (c.faults.get(f) ?? 0) + 1);
      classes.set(cls, c);
    }
    if (o.depthErrMm !== undefined && Math.abs(o.depthErrMm) > Math.abs(s.stepLoss.worstDepthMm ?? 0))
      [s.stepLoss.worstDepthMm, s.stepLoss.worstId] = [o.depthErrMm, o.id];
    if (clockOf(o) === 'onset' && o.fromOnsetMs !== undefined && o.fromOnsetMs > (s.worstFromOnset?.ms ?? -Infinity))
      s.worstFromOnset = { ms: o.fromOnsetMs, id: o.id };
    if (
      clockOf(o) !== 'none' &&
      o.fromDetectionMs !== undefined &&
      o.fromDetectionMs > (s.worstFromDetection?.ms ?? -Infinity)
    )
      s.worstFromDetection = { ms: o.fromDetectionMs, id: o.id };
  });
  s.classes = [...classes.entries()]
    .map(([name, c]) => ({
      name,
      cases: c.cases,
      faults: [...c.faults.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5),
      example: c.example,
      ...(c.message ? { message: c.message } : {}),
    }))
    .sort((a, b) => b.cases - a.cases);
  s.worst = [...outs]
    .filter((o) => !passed(o, limitMs))
    .sort(
      (a, b) =>
        severity(b) - severity(a) || (!a.retracted ? b.tipMm - a.tipMm : lateness(b, limitMs) - lateness(a, limitMs)),
    )
    .slice(0, worstN);
  return s;
}

/** left out after stopping, worst; then a fault missed; then late */
function severity(o: Outcome): number {
  return o.retracted ? 0 : strokingOn(o) ? 1 : 2;
}

/** how far past its deadline a late case came back (ms) */
function lateness(o: Outcome, limitMs: number): number {
  return clockOf(o) === 'detection' ? (o.fromDetectionMs ?? 0) - limitMs : (o.fromOnsetMs ?? 0) - limitMs;
}

/** The command that runs one case again, alone, and prints its figures. */
export function replayCommand(id: string): string {
  return `npx pen campaign --replay ${id}`;
}

/** One case's figures on one line. */
export function outcomeLine(o: Outcome): string {
  const back = o.retracted
    ? `retracted ${o.fromOnsetMs} ms after onset${o.fromDetectionMs !== undefined ? `, ${o.fromDetectionMs} ms after detection` : ', never detected'}`
    : `NOT retracted: tips at ${o.tipMm.toFixed(3)} mm`;
  const det = o.detected !== undefined ? `detected as ${o.detected} after ${o.detectionMs} ms` : 'not detected';
  const clock = clockOf(o) === 'none' ? '; no fault needing a retract (times from the first fault)' : '';
  const inert = o.inert?.length
    ? `; ${o.inert.join(', ')}: its obstacle never blocked a step nor held the needles back past the depth tolerance`
    : '';
  const ridden = o.riddenGlitches?.length
    ? `; ${o.riddenGlitches.join(', ')} glitch: not seen while it lasted (judged by the steps it cost)`
    : '';
  const stop = o.afterStop ? `; stopped to read the log: ${o.afterStop}` : '';
  const checks = (o.checks ?? []).map((c) => `; ${c.pass ? 'ok' : 'FAILED'}: ${c.what}: ${c.measured}`).join('');
  return `${back}; ${det}; ends ${o.state}${o.fault !== 'none' ? ` (${o.fault})` : ''}${clock}${inert}${ridden}${stop}; log: ${o.log}${checks}`;
}

export function summaryText(s: Summary): string {
  const lines = [
    `${s.cases} cases: ${s.passed} passed (${s.riddenThrough} of them stroking on through a glitch or an unseen fault, ${s.harmless} with no fault that needs a retract, judged by what their faults must cause), ${s.leftOut} stopped with the needles out, ${s.undetected} faults that mattered never detected (stroking on), ${s.late} retracted later than ${s.limitMs} ms after onset${s.wrongEffect ? `, ${s.wrongEffect} without the effect their fault must cause` : ''}${s.errors ? `, ${s.errors} could not run` : ''}`,
  ];
  const sl = s.stepLoss;
  if (sl.within || sl.foundAtStop || sl.worstDepthMm !== undefined)
    lines.push(
      `step losses passed: ${sl.within} within the depth tolerance, ${sl.foundAtStop} found at the stop (open loop); largest change of a stroke's bottom ${sl.worstDepthMm ?? 0} mm${sl.worstId ? ` (${sl.worstId})` : ''}`,
    );
  for (const [k, v] of Object.entries(s.byKind))
    lines.push(
      `  ${k.padEnd(10)} ${String(v.cases).padStart(6)} cases, ${v.leftOut} needles out, ${v.undetected} never detected, ${v.late} late`,
    );
  if (s.worstFromOnset) lines.push(`worst retract from onset:     ${s.worstFromOnset.ms} ms (${s.worstFromOnset.id})`);
  if (s.worstFromDetection)
    lines.push(`worst retract from detection: ${s.worstFromDetection.ms} ms (${s.worstFromDetection.id})`);
  if (s.classes.length) lines.push('failure classes:');
  for (const c of s.classes) {
    lines.push(`  ${String(c.cases).padStart(6)}  ${c.name}: ${c.faults.map(([f, n]) => `${f} ${n}`).join(', ')}`);
    if (c.message) lines.push(`          e.g. ${c.message.split('\n')[0]}`);
  }
  if (s.worst.length) lines.push(`worst ${s.worst.length} cases:`);
  for (const o of s.worst) lines.push(`  ${outcomeLine(o)}\n    ${replayCommand(o.id)}`);
  return lines.join('\n');
}
