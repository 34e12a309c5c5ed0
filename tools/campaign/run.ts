// Runs one campaign case as its QA scenario and reads what the needles did: whether they ended back in
// the retracted position and stayed there, how long after the fault's onset and after the firmware's
// detection they got there, the state the pen ended in, and the last record of its treatment log.
import { Board, loadBoard } from '../../boards/board.js';
import { PenSim } from '../../host-sim/pen.js';
import { runCase } from '../qa/run-case.js';
import { LOG_EVENTS, LOG_RECORDS, nameOf } from '../../abi/pen-abi.js';
import { pensOf } from '../qa/tolerance.js';
import { CampaignCase, detectionAllowanceMs, mayStrokeOn, onsetEvent, toQaCase } from './spec.js';

/** the needles must have stayed back this long at the end of the window to count as retracted (ms) */
export const SETTLED_MS = 20;

export interface Outcome {
  id: string;
  /** the needles are back in the retracted position and stayed there for the last SETTLED_MS */
  retracted: boolean;
  /** from the fault's onset (spec.ts onsetEvent) to the retracted position (ms); undefined if not retracted */
  fromOnsetMs?: number;
  /** from the firmware's fault (its state became fault) to the retracted position (ms; negative: back before it noticed) */
  fromDetectionMs?: number;
  /** from onset to the firmware's fault (ms); undefined if it never reported one */
  detectionMs?: number;
  /** the fault the firmware reported first after the onset */
  detected?: string;
  /** the needle tips at the end (mm past the guard plane; negative: behind it) */
  tipMm: number;
  /** deepest the tips went after the onset (mm) */
  maxTipMm: number;
  state: string;
  fault: string;
  /** the last record of the treatment log, as `LOG <i>` answers it, or why there is none */
  log: string;
  /** every fault of the case went away by itself or is one the pen may stroke on with (spec.ts) */
  mayStrokeOn: boolean;
  /** how long the pen may take by design to notice the fault (ms); the deadline is that much later */
  allowanceMs: number;
  /** the scenario's own verdict, when it failed for another reason than the needles (e.g. never started) */
  error?: string;
  /** a digest of the needle path, to show two runs are the same */
  traceDigest: string;
  wallMs: number;
  simMs: number;
}

/** The pen a case runs on: the board's typical pen, or the case's drawn pen. */
export function penOf(c: CampaignCase, tolerance: number, board?: Board): Board {
  const b = board ?? loadBoard(c.board);
  return pensOf(b, c.model, Math.max(tolerance, c.pen + 1), c.seed)[c.pen].board;
}

export function runCampaignCase(c: CampaignCase, wasm: string, opts: { board?: Board } = {}): Outcome {
  const injectedTicks: number[] = [];
  const onsetAt = onsetEvent(c);
  let out: Outcome | undefined;
  const r = runCase(toQaCase(c), wasm, undefined, penOf(c, c.pen + 1, opts.board), {
    onInject: (_f, sim) => {
      injectedTicks.push(sim.tTicks);
    },
    onEnd: (sim) => {
      out = measure(c, sim, injectedTicks[onsetAt]);
    },
  });
  const o = out!;
  o.wallMs = r.wallMs;
  o.simMs = r.simMs;
  const step = r.steps.find((s) => s.status === 'failed');
  if (
    r.status === 'failed' &&
    !step?.text.startsWith('expect') &&
    !step?.text.startsWith('wait') &&
    injectedTicks.length < c.events.length
  )
    o.error = r.message;
  return o;
}

function measure(c: CampaignCase, sim: PenSim, onsetTicks: number | undefined): Outcome {
  const pen = sim.observation;
  const guardUm = pen.carriageUm - pen.tipUm;
  const backUm = sim.board.geometry.retract_um + sim.mech.stepUm; // as the observation says "retracted"
  const isBack = (tipUm: number): boolean => tipUm < 0 && tipUm + guardUm <= backUm;
  const series = needlePath(sim);
  const end = pen.tTicks;
  const onset = onsetTicks ?? end;
  // the last moment the needles were out after the onset; retracted from the sample after it
  let lastOut = -1;
  let maxTip = -Infinity;
  for (let i = 0; i < series.length; i++) {
    const [t, tip] = series[i];
    if (t < onset) continue;
    if (tip > maxTip) maxTip = tip;
    if (!isBack(tip)) lastOut = i;
  }
  const nowBack = pen.needle === 'retracted';
  let backAt: number | undefined;
  if (nowBack) {
    if (lastOut < 0) backAt = onset;
    else if (lastOut + 1 < series.length) backAt = series[lastOut + 1][0];
    else backAt = end;
  }
  const settled = backAt !== undefined && pen.ms(end - backAt) >= SETTLED_MS;
  const detection = sim.stateLog.find((s) => s.tTicks >= onset && s.state === 'fault');
  const o: Outcome = {
    id: c.id,
    retracted: settled,
    tipMm: round(pen.tipUm / 1000),
    maxTipMm: round((Number.isFinite(maxTip) ? maxTip : pen.tipUm) / 1000),
    state: pen.state,
    fault: pen.fault,
    log: '',
    mayStrokeOn: mayStrokeOn(c),
    allowanceMs: detectionAllowanceMs(c),
    traceDigest: digest(series, onset),
    wallMs: 0,
    simMs: 0,
  };
  if (detection) {
    o.detected = detection.fault;
    o.detectionMs = round(pen.ms(detection.tTicks - onset));
  }
  if (settled) {
    o.fromOnsetMs = round(pen.ms(backAt! - onset));
    if (detection) o.fromDetectionMs = round(pen.ms(backAt! - detection.tTicks));
  }
  o.log = lastLogRecord(sim);
  return o;
}

/**
 * The needle path in time order: steps and free motion (tipSeries), and the physical model's own
 * samples between events, which the trace keeps apart (its drift arrays) and tipSeries leaves out.
 */
function needlePath(sim: PenSim): [number, number][] {
  const pts = sim.observation.tipSeries();
  const tr = sim.trace;
  if (sim.mech.phys && tr) {
    for (let i = 0; i < tr.driftT.length; i++) pts.push([tr.driftT[i], tr.driftTip[i]]);
    pts.sort((a, b) => a[0] - b[0]);
  }
  return pts;
}

/** The last log record, asked over the serial port after the outcome is read (it costs simulated time). */
function lastLogRecord(sim: PenSim): string {
  if (sim.dead) return 'none: the pen is not running';
  try {
    const count = /count=(\d+)/.exec(sim.command('LOG?', 50));
    if (!count) return 'none: LOG? was not answered with a count';
    if (Number(count[1]) === 0) return 'none: the log is empty';
    return describeLog(sim.command(`LOG ${Number(count[1]) - 1}`, 50));
  } catch (e) {
    return `none: ${(e as Error).message}`;
  }
}

/** A `LOG <i>` answer with its record said in words after it (docs/treatment-log.md). */
export function describeLog(line: string): string {
  const w = line.split(' ').slice(2).map(Number);
  const type = nameOf(LOG_RECORDS, w[0]);
  if (type === 'event' && w.length >= 5) {
    const ev = LOG_EVENTS.find((e) => e.code === w[3]);
    const detail = ev?.details ? nameOf(ev.details, w[4]) : String(w[4]);
    return `${line} (event ${ev?.name ?? w[3]}${detail !== '0' ? ` ${detail}` : ''})`;
  }
  if (type === 'segment' && w.length >= 11) return `${line} (segment: ${w[6]} strokes at ${w[5]} um)`;
  return line;
}

function round(v: number): number {
  return Number(v.toFixed(3));
}

/** FNV-1a over the needle path from the onset: equal digests, the same run. */
function digest(series: [number, number][], from: number): string {
  let h = 0x811c9dc5;
  const mix = (v: number): void => {
    const s = v.toFixed(4);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  };
  for (const [t, tip] of series) {
    if (t < from) continue;
    mix(t);
    mix(tip);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
