// Runs one campaign case as its QA scenario and reads what the needles did: whether they ended back in
// the retracted position and stayed there, how long after the fault's onset and after the firmware's
// detection they got there, the state the pen ended in, and the last record of its treatment log.
import { Board, loadBoard } from '../../boards/board.js';
import { PenSim } from '../../host-sim/pen.js';
import { runCase } from '../qa/run-case.js';
import { FAULTS, LOG_EVENTS, LOG_RECORDS, nameOf } from '../../abi/pen-abi.js';
import { pensOf } from '../qa/tolerance.js';
import { worstPen } from './worst-pen.js';
import { strokingOn } from './summary.js';
import { DEPTH_TOL_UM, encoderThresholdUm, faultRule } from './faults.js';
import { CampaignCase, activeMs, detectionAllowanceMs, mayStrokeOn, onsetEvent, toQaCase } from './spec.js';

/** the needles must have stayed back this long at the end of the window to count as retracted (ms) */
export const SETTLED_MS = 20;
/** the time a retract has after a fault the firmware declared late in the window (ms): the 20 ms limit */
const LATE_FAULT_RETRACT_MS = 20;

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
  /**
   * what the retract deadline counts from (spec.ts onsetEvent): the fault's onset, the firmware's
   * detection (a fault noticed late by design), or none (no fault of the case needs a retract)
   */
  clock?: Clock;
  /** the checks of what the case's faults must cause besides a retract (faults.ts): a step loss's depth, a stuck RNG's refusal */
  checks?: Check[];
  /** a step loss the pen stroked on through: the largest change of a stroke's bottom after it (mm, signed) */
  depthErrMm?: number;
  /** state (and fault) after the pen was stopped to read its log, when it was still stroking at the end */
  afterStop?: string;
  /** the scenario's own verdict, when it failed for another reason than the needles (e.g. never started) */
  error?: string;
  /** faults that did nothing in this run (a stall whose obstacle no step ever pushed against): no clock, no detection asked */
  inert?: string[];
  /** glitches the firmware never saw while they lasted: no clock; what they left is judged as a step loss is */
  riddenGlitches?: string[];
  /** the first fault the pen reported before any was injected (a pen that cannot stroke) */
  ownFault?: string;
  /** a digest of the needle path, to show two runs are the same */
  traceDigest: string;
  wallMs: number;
  simMs: number;
}

export type Clock = 'onset' | 'detection' | 'none';

export interface Check {
  /** the check, in the words the summary groups failures by (no figures) */
  what: string;
  pass: boolean;
  /** what was measured, with the figures */
  measured: string;
  /** a failed check is a fault that mattered and was never detected, or a wrong effect */
  failure: 'undetected' | 'effect';
}

/** The pen a case runs on: the board's typical pen, the case's drawn pen, or the worst pen of its ranges. */
export function penOf(c: CampaignCase, tolerance: number, board?: Board): Board {
  const b = board ?? loadBoard(c.board);
  if (c.pen === 'worst') return worstPen(b, c.model).board;
  return pensOf(b, c.model, Math.max(tolerance, c.pen + 1), c.seed)[c.pen].board;
}

export function runCampaignCase(c: CampaignCase, wasm: string, opts: { board?: Board } = {}): Outcome {
  const injectedTicks: number[] = [];
  const atInjection: { obstacleUm: number; vMps: number }[] = [];
  let missed: MissWatch | undefined;
  let out: Outcome | undefined;
  const pen = penOf(c, 1, opts.board);
  const r = runCase(toQaCase(c), wasm, undefined, pen, {
    onInject: (_f, sim) => {
      injectedTicks.push(sim.tTicks);
      atInjection.push({ obstacleUm: sim.mech.obstacleUm, vMps: sim.mech.vMps });
      missed ??= watchMisses(sim);
    },
    onEnd: (sim) => {
      // a fault the firmware declared near the end of the window gets the time its retract has (the
      // 20 ms of a retract and the SETTLED_MS it must stay back) before anything is measured: the window
      // is long enough for faults found early, and a late one is judged by its retract, not cut off
      const first = injectedTicks[0];
      const lateFault =
        first === undefined ? undefined : sim.stateLog.find((s) => s.tTicks >= first && s.state === 'fault');
      if (lateFault) {
        const until = lateFault.tTicks + ((LATE_FAULT_RETRACT_MS + SETTLED_MS) / 1000) * sim.clock.timerHz;
        if (until > sim.tTicks) sim.run(((until - sim.tTicks) / sim.clock.timerHz) * 1000);
      }
      // a lasting stall whose obstacle neither blocked a step nor held the needles back by more than the
      // depth tolerance before the pen reacted to anything (injected at the very bottom of a stroke, where
      // no later stroke goes further) did nothing
      const heldFrom = new Map<number, number>(); // stalls that held the needles back without a step missed: since when
      const inert = new Set(
        c.events
          .map((e, i) => {
            if (e.fault !== 'stall' || e.forMs !== undefined || injectedTicks[i] === undefined || !missed) return -1;
            const reacted = sim.stateLog.find((s) => s.tTicks >= injectedTicks[i] && s.state === 'fault')?.tTicks;
            const blocked = missed.drivenTicks.some(
              (t) => t >= injectedTicks[i] && (reacted === undefined || t <= reacted),
            );
            if (blocked) return -1;
            // its obstacle stands until the end, or until a later stall puts the carriage's one elsewhere
            const next = c.events.findIndex((e, j) => j > i && e.fault === 'stall' && injectedTicks[j] !== undefined);
            const standsUntil = Math.min(reacted ?? sim.tTicks, next < 0 ? Infinity : injectedTicks[next]);
            const obstacleTipUm = atInjection[i].obstacleUm - sim.mech.guardUm;
            const held = heldBack(c, wasm, pen, i, needlePath(sim), injectedTicks[i], standsUntil, obstacleTipUm);
            if (held.overTicks === undefined) return i;
            heldFrom.set(i, held.overTicks);
            return -1;
          })
          .filter((i) => i >= 0),
      );
      // a glitch the firmware never saw while it lasted was ridden through: what it left behind (steps the
      // outputs missed while they were off) is judged as a silent step loss is, by the depth or its detection
      const ridden = new Set(
        c.events
          .map((e, i) => {
            const forMs = activeMs(c, i); // a glitch, or a fault another on its signal replaced
            if (forMs === undefined || e.fault === 'power_cut' || injectedTicks[i] === undefined) return -1;
            const seenBy = injectedTicks[i] + ((forMs + GLITCH_SEEN_MS) / 1000) * sim.clock.timerHz;
            const seen = sim.stateLog.some(
              (s) => s.tTicks >= injectedTicks[i] && s.tTicks <= seenBy && s.state === 'fault',
            );
            return seen ? -1 : i;
          })
          .filter((i) => i >= 0),
      );
      const noClock = new Set([...inert, ...ridden]);
      // a stall counts from the needles' contact with its obstacle, not from its placing (below)
      // (one that only held the needles back counts from when it held them past the depth tolerance:
      // an obstacle at a bottom that later strokes, set deeper, come down to)
      const onsets = injectedTicks.map((t, i) =>
        c.events[i].fault === 'stall' && !inert.has(i)
          ? (heldFrom.get(i) ?? contactTicks(sim, t, atInjection[i]) ?? t)
          : t,
      );
      out = measure(c, sim, injectedTicks, onsets, onsetEvent(c, noClock), inert);
      if (ridden.size) out.riddenGlitches = [...ridden].map((i) => c.events[i].fault);
      afterWindow(c, sim, out, injectedTicks, ridden, missed);
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
  ) {
    o.error = r.message;
    // a pen that faults by itself before any fault is injected (a pen of the ranges that cannot stroke) says so
    const own = injectedTicks.length === 0 ? o.ownFault : undefined;
    if (own) o.error = `the pen faulted (${own}) before any fault was injected: ${r.message}`;
  }
  return o;
}

function measure(
  c: CampaignCase,
  sim: PenSim,
  injectedTicks: number[],
  onsets: number[],
  onsetAt: number,
  inert: ReadonlySet<number>,
): Outcome {
  const pen = sim.observation;
  // with no fault that needs a retract, times are given from the first fault (and judged by no deadline)
  const onsetTicks = onsets[Math.max(0, onsetAt)];
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
  // the firmware's fault after the onset; or one it entered before, on an earlier fault of the case, and was still in
  const before = sim.stateLog.filter((s) => s.tTicks < onset).at(-1);
  const detection =
    sim.stateLog.find((s) => s.tTicks >= onset && s.state === 'fault') ??
    (before?.state === 'fault' && before.tTicks >= (injectedTicks[0] ?? end) ? before : undefined);
  const own = sim.stateLog.find((s) => s.tTicks < (injectedTicks[0] ?? end) && s.state === 'fault');
  const o: Outcome = {
    id: c.id,
    retracted: settled,
    tipMm: round(pen.tipUm / 1000),
    maxTipMm: round((Number.isFinite(maxTip) ? maxTip : pen.tipUm) / 1000),
    state: pen.state,
    fault: pen.fault,
    log: '',
    mayStrokeOn: mayStrokeOn(c, inert),
    allowanceMs: detectionAllowanceMs(c, inert),
    clock: onsetAt < 0 ? 'none' : detectionAllowanceMs(c, inert) > 0 ? 'detection' : 'onset',
    traceDigest: digest(series, onset),
    wallMs: 0,
    simMs: 0,
  };
  if (own) o.ownFault = own.fault;
  if (inert.size) o.inert = [...inert].map((i) => c.events[i].fault);
  if (detection) {
    o.detected = detection.fault;
    o.detectionMs = round(pen.ms(detection.tTicks - onset));
  }
  if (settled) {
    o.fromOnsetMs = round(pen.ms(backAt! - onset));
    if (detection) o.fromDetectionMs = round(pen.ms(backAt! - detection.tTicks));
  }
  return o;
}

/** carriage speed toward the skin above which a stall's obstacle, placed where the carriage is, blocks it at once (m/s) */
const MOVING_IN_MPS = 1e-3;
/** how far the carriage must have moved off the obstacle to come back to it later, and how close is contact (um) */
const OFF_OBSTACLE_UM = 5;
const CONTACT_UM = 0.5;

/**
 * Whether an obstacle held the needles back, and since when: the first moment (ticks) the tips stood
 * on the obstacle (at `obstacleTipUm`) more than the depth tolerance short of where the same case
 * without that obstacle (removed as soon as it is placed, all else the same, bit for bit) had them,
 * from its placing to `endTicks`; undefined if never. The physical rotor lags its field by up to two
 * full steps before it loses one, so an obstacle can hold the needles well short without a step
 * missed. Only while the tips touch it: the two runs drift apart in time (an obstacle that holds
 * nothing still moves the tip by a fraction of a micrometre, and the encoder's counts and the trims
 * with it), and seconds on, a stroke on its way up 0.1 ms off the other's stood 20 um from it (a stuck
 * button and an obstacle at a bottom, `...d1.65/f95/s754184/button_stuck@0.3735+4.7ms:stall` on the
 * STM32F405 board: judged held 3.5 s after its placing, then late).
 */
function heldBack(
  c: CampaignCase,
  wasm: string,
  pen: Board,
  event: number,
  path: [number, number][],
  fromTicks: number,
  endTicks: number,
  obstacleTipUm: number,
): { overTicks?: number } {
  let injected = 0;
  let free: [number, number][] = [];
  runCase(toQaCase(c), wasm, undefined, pen, {
    onInject: (_f, sim) => {
      if (injected++ === event) sim.mech.obstacleUm = Infinity;
    },
    onEnd: (sim) => {
      free = needlePath(sim);
    },
  });
  let j = 0;
  for (const [t, tip] of path) {
    if (t < fromTicks) continue;
    if (t > endTicks) break;
    while (j + 1 < free.length && free[j + 1][0] <= t) j++;
    if (j + 1 >= free.length) break;
    const [t0, y0] = free[j];
    const [t1, y1] = free[j + 1];
    const there = t1 > t0 ? y0 + ((y1 - y0) * (t - t0)) / (t1 - t0) : y0;
    if (tip >= obstacleTipUm - CONTACT_UM && there - tip > DEPTH_TOL_UM) return { overTicks: t };
  }
  return {};
}

/**
 * When the needles met a stall's obstacle. The obstacle is placed where the carriage is: on the way in
 * it blocks the carriage at once; on the way out (or at the turn) it acts only when a later stroke comes
 * down to it, and that contact is the fault's onset: before it nothing is wrong, and no detection (a
 * motor, an encoder or a person) could see anything. Undefined when the carriage never came back to it.
 */
function contactTicks(sim: PenSim, injected: number, at: { obstacleUm: number; vMps: number }): number | undefined {
  if (!Number.isFinite(at.obstacleUm) || at.vMps > MOVING_IN_MPS) return injected;
  const pen = sim.observation;
  const guardUm = pen.carriageUm - pen.tipUm;
  let off = false;
  for (const [t, tip] of needlePath(sim)) {
    if (t < injected) continue;
    const x = tip + guardUm;
    if (x < at.obstacleUm - OFF_OBSTACLE_UM) off = true;
    else if (off && x >= at.obstacleUm - CONTACT_UM) return t;
  }
  return undefined;
}

interface MissWatch {
  /** when the motor missed steps (first of each run of them), from the first injection on */
  ticks: number[];
  /**
   * the same, with the driver's outputs on: what an obstacle can block (with them off every step is
   * missed, obstacle or none: a hang's enable pump running down is no block)
   */
  drivenTicks: number[];
}

/**
 * Notes when the mechanics miss a step (blocked, slipping, driver off), without changing what it does.
 * A step a silent loss swallows (the `step_loss` fault) is no block: it is left out.
 */
function watchMisses(sim: PenSim): MissWatch {
  const w: MissWatch = { ticks: [], drivenTicks: [] };
  const mech = sim.mech;
  let v = mech.missedSteps;
  let silent = mech.silentLoss;
  let swallowed = false; // the silent loss took the step being counted
  Object.defineProperty(mech, 'silentLoss', {
    configurable: true,
    get: () => silent,
    set: (x: number) => {
      if (x < silent) swallowed = true;
      silent = x;
    },
  });
  Object.defineProperty(mech, 'missedSteps', {
    configurable: true,
    get: () => v,
    set: (x: number) => {
      if (x > v && !swallowed && w.ticks.at(-1) !== sim.tTicks) w.ticks.push(sim.tTicks);
      if (x > v && !swallowed && mech.driverOn && w.drivenTicks.at(-1) !== sim.tTicks) w.drivenTicks.push(sim.tTicks);
      swallowed = false;
      v = x;
    },
  });
  return w;
}

/** a glitch counts as seen when the firmware faulted while it lasted or within this after (ms): one control tick */
const GLITCH_SEEN_MS = 1;

/** the fault the position check of a stop reports when the endstop never came */
const ENDSTOP_NOT_FOUND = FAULTS.find((f) => f.constant === 'F_ENDSTOP_NOT_FOUND')!.name;

/** Did the motor miss a step while a glitch ridden through lasted (or within GLITCH_SEEN_MS after)? */
function costSteps(
  sim: PenSim,
  c: CampaignCase,
  injectedTicks: number[],
  ridden: ReadonlySet<number>,
  missed: MissWatch | undefined,
): boolean {
  if (!missed) return true;
  return [...ridden].some((i) => {
    const end = injectedTicks[i] + (((activeMs(c, i) ?? 0) + GLITCH_SEEN_MS) / 1000) * sim.clock.timerHz;
    return missed.ticks.some((t) => t >= injectedTicks[i] && t <= end);
  });
}

/** what a glitch ridden through is judged as: the steps the outputs missed while it lasted */
const GLITCH_LOSS = 'step loss in a glitch';

/** how long a STOP may take to bring the pen to rest before its log is read (ms) */
const STOP_TIMEOUT_MS = 3000;

/**
 * After the outcome is read: stop a pen still stroking (or homing), as a user reading the log would,
 * since `LOG <i>` is refused then; read the last log record; run the checks of the case's faults that
 * are judged by their effect. It costs simulated time after the window, never inside it.
 */
function afterWindow(
  c: CampaignCase,
  sim: PenSim,
  o: Outcome,
  injectedTicks: number[],
  ridden: ReadonlySet<number>,
  missed: MissWatch | undefined,
): void {
  const board = sim.board;
  const wasStroking = strokingOn(o);
  // the strokes judged are the window's: the STOP below may cut one short (or the fault it meets may)
  const windowEndTicks = sim.tTicks;
  if (!sim.dead) {
    const busy = (): boolean => ['running', 'homing'].includes(sim.observation.state);
    if (busy()) {
      try {
        sim.command('STOP', 50);
      } catch {
        // the pen did not answer: the state after the wait says what it did
      }
      sim.runUntil(() => !busy(), STOP_TIMEOUT_MS);
      const p = sim.observation;
      o.afterStop = `${p.state}${p.fault !== 'none' ? ` (${p.fault})` : ''}`;
    }
  }
  o.log = lastLogRecord(sim);
  const checks: Check[] = [];
  const lasting = (f: string): number => c.events.findIndex((e) => e.fault === f && e.forMs === undefined);
  const loss = lasting('step_loss');
  if (loss >= 0 && wasStroking) {
    const err = depthChangeUm(sim, injectedTicks[loss], windowEndTicks);
    if (err !== undefined) o.depthErrMm = round(err / 1000);
    checks.push(
      depthCheck(board, err, o.afterStop, undefined, settingErrUm(sim, injectedTicks[loss], windowEndTicks, c.depthMm)),
    );
  } else if (ridden.size && wasStroking && o.mayStrokeOn && !costSteps(sim, c, injectedTicks, ridden, missed)) {
    // a glitch on a signal alone (an endstop's, a flag's) moved nothing: a bottom that moves after it is
    // the depth trim settling, not the glitch
    checks.push({
      what: `${GLITCH_LOSS}: none, no step missed while it lasted`,
      pass: true,
      measured: 'no step missed',
      failure: 'undetected',
    });
  } else if (ridden.size && wasStroking && o.mayStrokeOn) {
    // steps the outputs missed during a glitch ridden through move the bottom as a silent loss does
    const from = Math.min(...[...ridden].map((i) => injectedTicks[i]));
    const err = depthChangeUm(sim, from, windowEndTicks);
    if (err !== undefined) o.depthErrMm = round(err / 1000);
    checks.push(depthCheck(board, err, o.afterStop, GLITCH_LOSS, settingErrUm(sim, from, windowEndTicks, c.depthMm)));
  }
  if (lasting('endstop_dead') >= 0 && wasStroking && !sim.dead) {
    // unseen while stroking by design; the position check of the stop is its control (docs/hazards.md).
    // Another fault of the case may end the stop first (a stall met on the stroke the stop finishes):
    // a fault forgets the home, so the pen strokes again only after a homing, which must find it.
    const notFound = (s: string | undefined): boolean => s?.startsWith(`fault (${ENDSTOP_NOT_FOUND})`) ?? false;
    let measured = `after the stop: ${o.afterStop ?? '-'}`;
    let found = notFound(o.afterStop);
    if (!found && o.afterStop?.startsWith('fault')) {
      sim.press('power'); // clear the fault: the pen homes first
      if (sim.runUntil(() => sim.observation.state === 'homing', 200))
        sim.runUntil(() => sim.observation.state !== 'homing', STOP_TIMEOUT_MS);
      const p = sim.observation;
      const after = `${p.state}${p.fault !== 'none' ? ` (${p.fault})` : ''}`;
      measured += `; cleared, its homing: ${after}`;
      found = notFound(after);
    }
    checks.push({
      what: 'a dead endstop: found by the position check at the stop',
      pass: found,
      measured,
      failure: 'undetected',
    });
  }
  if (lasting('rng_stuck') >= 0 && faultRule('rng_stuck', board).role === 'no_motion') {
    let reply: string;
    try {
      reply = sim.dead ? 'none: the pen is not running' : sim.command('AUTH?', 200);
    } catch (e) {
      reply = `none: ${(e as Error).message}`;
    }
    checks.push({
      what: 'a stuck RNG: AUTH? must be refused with no_random',
      pass: /refused: no_random/.test(reply),
      measured: `AUTH? -> ${reply}`,
      failure: 'effect',
    });
  }
  if (checks.length) o.checks = checks;
}

/**
 * A silent step loss the pen stroked on through: pass when every stroke's bottom stayed within the
 * depth tolerance of where it was before the loss; on a board without an encoder also when the stop
 * found it (the endstop check, its designed control, docs/hazards.md H9: the pen ends the stop in a
 * fault: steps lost, or the endstop not found). Else the loss mattered and was not detected while stroking.
 */
export function depthCheck(
  board: Board,
  errUm: number | undefined,
  afterStop: string | undefined,
  subject = 'step loss',
  settingErr?: number,
): Check {
  const thr = encoderThresholdUm(board);
  const limits = `tolerance ${DEPTH_TOL_UM / 1000} mm${thr !== undefined ? `, the encoder's threshold ${round(thr / 1000)} mm` : ', no encoder'}`;
  if (errUm === undefined)
    return {
      what: `${subject}: no stroke after it to measure`,
      pass: true,
      measured: 'no stroke after the loss',
      failure: 'undetected',
    };
  const measured = `a stroke's bottom moved ${round(errUm / 1000)} mm after the loss (${limits}); after the stop: ${afterStop ?? '-'}`;
  if (Math.abs(errUm) <= DEPTH_TOL_UM)
    return { what: `${subject} within the depth tolerance`, pass: true, measured, failure: 'undetected' };
  // the promise is the set depth: a bottom that moved (the depth trim settling on its way to the setting,
  // or a loss it made up) but stayed within the tolerance of the setting kept it
  if (settingErr !== undefined && Math.abs(settingErr) <= DEPTH_TOL_UM)
    return {
      what: `${subject}: every bottom after it within the depth tolerance of the setting`,
      pass: true,
      measured: `${measured}; worst bottom after it ${round(settingErr / 1000)} mm from the setting`,
      failure: 'undetected',
    };
  if (thr === undefined && afterStop?.startsWith('fault'))
    return { what: `${subject} found at the stop (open loop)`, pass: true, measured, failure: 'undetected' };
  const what =
    thr === undefined
      ? `never detected: a ${subject} left the depth out of tolerance, not found at the stop`
      : Math.abs(errUm) <= thr
        ? `never detected: a ${subject} within the encoder's threshold left the depth out of tolerance`
        : `never detected: a ${subject} beyond the encoder's threshold`;
  return { what, pass: false, measured, failure: 'undetected' };
}

/** Each excursion of the tips past the guard plane: when it began and ended, and its bottom (um). */
function excursions(sim: PenSim): { start: number; end: number; bottom: number }[] {
  const out: { start: number; end: number; bottom: number }[] = [];
  let start = -1;
  let bottom = -Infinity;
  for (const [t, tip] of needlePath(sim)) {
    if (tip > 0) {
      if (start < 0) [start, bottom] = [t, tip];
      else bottom = Math.max(bottom, tip);
    } else if (start >= 0) {
      out.push({ start, end: t, bottom });
      start = -1;
    }
  }
  return out;
}

/**
 * How far the strokes' bottoms moved after `fromTicks` (um, signed, the largest), over the strokes
 * that ended by `endTicks` (the window's end): each excursion of the tips past the guard plane has a
 * bottom; the reference is the median of the last three before.
 */
export function depthChangeUm(sim: PenSim, fromTicks: number, endTicks: number): number | undefined {
  const all = excursions(sim);
  const before = all.filter((e) => e.end <= fromTicks).map((e) => e.bottom);
  const after = all.filter((e) => e.end > fromTicks && e.start >= fromTicks && e.end <= endTicks).map((e) => e.bottom);
  if (!after.length || !before.length) return undefined;
  const ref = before.slice(-3).sort((a, b) => a - b)[Math.floor(Math.min(3, before.length) / 2)];
  return after.reduce((w, b) => (Math.abs(b - ref) > Math.abs(w) ? b - ref : w), 0);
}

/** The worst bottom after `fromTicks` of the strokes ended by `endTicks`, against the set depth (um, signed); undefined with no stroke. */
export function settingErrUm(sim: PenSim, fromTicks: number, endTicks: number, depthMm: number): number | undefined {
  let worst: number | undefined;
  for (const e of excursions(sim)) {
    const err = e.bottom - depthMm * 1000;
    if (e.start >= fromTicks && e.end <= endTicks && (worst === undefined || Math.abs(err) > Math.abs(worst)))
      worst = err;
  }
  return worst;
}

/**
 * The needle path in time order: steps and free motion (tipSeries), and the physical model's own
 * samples at every event, which the trace keeps apart (modelT) and tipSeries leaves out (those of
 * free motion are in both: the same point twice changes no measure).
 */
function needlePath(sim: PenSim): [number, number][] {
  const pts = sim.observation.tipSeries();
  const tr = sim.trace;
  if (sim.mech.phys && tr) {
    for (let i = 0; i < tr.modelT.length; i++) pts.push([tr.modelT[i], tr.modelTip[i]]);
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
