// One case of a fault campaign: the pen (board, model, drawn pen, tissue, setting, seed) and the faults
// (the first at a phase of a stroke, each next one some milliseconds after the one before, any of them
// a glitch of a chosen length). Its id says all of that in one shell-safe word, so a case replays from
// its id alone, and it becomes a QA scenario (the same steps `pen qa` runs).
import { Case, Step } from '../qa/scenario.js';
import { Board, loadBoard } from '../../boards/board.js';
import { faultRule, signalOf } from './faults.js';
import { stuckButtonMs } from '../build/firmware-config.js';

export type Model = 'ideal' | 'physical';
export type PenChoice = number | 'worst';

export interface FaultEvent {
  /** an injectable fault (host-sim/faults.ts) or power_cut */
  fault: string;
  /** the first event: at this phase of a stroke (tools/qa/phase.ts) */
  phase?: number;
  /** a later event: this long after the previous one was injected (or ended, for a glitch) */
  delayMs?: number;
  /** a glitch: the fault goes away by itself after this long (a power cut: the supply comes back) */
  forMs?: number;
}

export interface CampaignCase {
  id: string;
  board: string;
  model: Model;
  /** the pen: 0 the typical one, k the k-th drawn (`--tolerance`, tools/qa/tolerance.ts), `worst` the corner of the board's ranges worst for a retract (worst-pen.ts) */
  pen: PenChoice;
  tissue: string;
  /** the cartridge type fitted (boards/<board>.json); undefined: the board's default cartridge */
  cartridge?: string;
  depthMm: number;
  freqHz: number;
  seed: number;
  events: FaultEvent[];
}

/** zone and mode that allow every depth of the campaign (up to the board's 3 mm) */
export const CAMPAIGN_ZONE = 'acne_scars';
/** strokes before the first fault: the pen is in its stroke pattern, not starting */
export const WARMUP_MS = 150;
/** time after the last fault before the outcome is read */
export const WINDOW_MS = 100;

/** Faults the pen is designed to notice only after a while, and that while (ms) on a board. */
function slowDetectionMs(fault: string, board: string): number {
  const b = boardOf(board);
  if (faultRule(fault, b).role !== 'noticed_late') return 0;
  // a held button is no hazard until the firmware calls it stuck: debounced, then held this long
  return b.buttons.debounce_ms + stuckButtonMs(b);
}

const boards = new Map<string, Board>();
function boardOf(name: string): Board {
  let b = boards.get(name);
  if (!b) boards.set(name, (b = loadBoard(name)));
  return b;
}

/**
 * The event the retract clock starts at: the first fault that needs a retract by itself (faults.ts,
 * role `retract`); else the first the pen notices late by design (a held button), whose deadline then
 * counts from its detection; else none (-1): no fault of the case needs a retract, and each is judged
 * by its own check. A harmless first fault (a held button, a stuck RNG, a dead endstop, a silent step
 * loss) never starts the clock of a pair. Nor does a fault measured as `inert` in the run (a stall
 * whose obstacle the carriage never pushed against: injected at the very bottom of a stroke).
 */
export function onsetEvent(c: CampaignCase, inert: ReadonlySet<number> = NONE): number {
  const b = boardOf(c.board);
  const needs = c.events.findIndex(
    (e, i) => !inert.has(i) && (e.fault === 'power_cut' || faultRule(e.fault, b).role === 'retract'),
  );
  if (needs >= 0) return needs;
  return c.events.findIndex((e) => slowDetectionMs(e.fault, c.board) > 0);
}

const NONE: ReadonlySet<number> = new Set();

/** How much later than the onset the pen may notice the fault by design (ms); then the deadline counts from its detection. */
export function detectionAllowanceMs(c: CampaignCase, inert: ReadonlySet<number> = NONE): number {
  const i = onsetEvent(c, inert);
  return i < 0 ? 0 : slowDetectionMs(c.events[i].fault, c.board);
}

/**
 * Every fault of the case went away by itself (a glitch), or is one the pen may stroke on with: unseen
 * while stroking, unable to move the needles, a silent step loss (judged by the depth it left), or
 * measured inert (a stall obstacle never pushed against).
 */
export function mayStrokeOn(c: CampaignCase, inert: ReadonlySet<number> = NONE): boolean {
  const b = boardOf(c.board);
  return c.events.every(
    (e, i) =>
      inert.has(i) ||
      (activeMs(c, i) !== undefined && e.fault !== 'power_cut') ||
      (e.fault !== 'power_cut' && ['unseen', 'no_motion', 'depth'].includes(faultRule(e.fault, b).role)),
  );
}

/**
 * How long event i acted (ms): its glitch length, or until a later fault on the same signal replaced it
 * (faults.ts `signalOf`); undefined while it lasts to the end.
 */
export function activeMs(c: CampaignCase, i: number): number | undefined {
  const e = c.events[i];
  if (e.forMs !== undefined) return e.forMs;
  const sig = signalOf(e.fault);
  if (sig === undefined) return undefined;
  let ms = 0;
  for (let j = i + 1; j < c.events.length; j++) {
    ms += c.events[j].delayMs ?? 0;
    if (signalOf(c.events[j].fault) === sig) return ms;
    if (c.events[j].forMs !== undefined) ms += c.events[j].forMs!;
  }
  return undefined;
}

export function caseId(c: Omit<CampaignCase, 'id'>): string {
  const ev = c.events
    .map((e, i) => {
      const head = i === 0 ? `${e.fault}@${num(e.phase ?? 0)}` : `${num(e.delayMs ?? 0)}ms:${e.fault}`;
      return e.forMs !== undefined ? `${head}~${num(e.forMs)}ms` : head;
    })
    .join('+');
  const cart = c.cartridge === undefined ? '' : `/c${c.cartridge}`; // (the default cartridge: ids as they always were)
  return `${c.board}/${c.model}/p${c.pen}/${c.tissue}${cart}/d${num(c.depthMm)}/f${num(c.freqHz)}/s${c.seed}/${ev}`;
}

export function makeCase(c: Omit<CampaignCase, 'id'>): CampaignCase {
  return { ...c, id: caseId(c) };
}

/** The case an id names; throws with what is wrong. */
export function parseCaseId(id: string): CampaignCase {
  const m =
    /^([A-Za-z0-9_.-]+)\/(ideal|physical)\/p(\d+|worst)\/([a-z]+|\d+(?:\.\d+)?)(?:\/c([A-Za-z0-9_-]+))?\/d(\d+(?:\.\d+)?)\/f(\d+(?:\.\d+)?)\/s(\d+)\/(.+)$/.exec(
      id,
    );
  if (!m)
    throw new Error(
      `"${id}" is not a campaign case id: BOARD/MODEL/PEN/TISSUE[/cCARTRIDGE]/dDEPTH/fRATE/sSEED/FAULT@PHASE[~LENms][+DELAYms:FAULT...], e.g. ref-pen/ideal/p0/normal/d1.5/f80/s1/stall@0.5`,
    );
  const events = m[9].split('+').map((part, i): FaultEvent => {
    const e =
      i === 0
        ? /^([a-z_]+)@(\d+(?:\.\d+)?)(?:~(\d+(?:\.\d+)?)ms)?$/.exec(part)
        : /^(\d+(?:\.\d+)?)ms:([a-z_]+)(?:~(\d+(?:\.\d+)?)ms)?$/.exec(part);
    if (!e) throw new Error(`"${part}" in case id "${id}": write FAULT@PHASE for the first fault, DELAYms:FAULT after`);
    const ev: FaultEvent = i === 0 ? { fault: e[1], phase: Number(e[2]) } : { fault: e[2], delayMs: Number(e[1]) };
    if (e[3] !== undefined) ev.forMs = Number(e[3]);
    return ev;
  });
  return makeCase({
    board: m[1],
    model: m[2] as Model,
    pen: m[3] === 'worst' ? 'worst' : Number(m[3]),
    tissue: m[4],
    ...(m[5] === undefined ? {} : { cartridge: m[5] }),
    depthMm: Number(m[6]),
    freqHz: Number(m[7]),
    seed: Number(m[8]),
    events,
  });
}

/** The case's steps, as a scenario runs them. */
export function caseSteps(c: CampaignCase): Record<string, unknown>[] {
  const steps: Record<string, unknown>[] = [
    { set: { depth_mm: c.depthMm, freq_hz: c.freqHz } },
    { press: 'start' },
    { run: `${WARMUP_MS}ms` },
  ];
  c.events.forEach((e, i) => {
    if (i > 0 && (e.delayMs ?? 0) > 0) steps.push({ run: `${num(e.delayMs!)}ms` });
    const inject: Record<string, unknown> = { fault: e.fault };
    if (i === 0) inject.at = { phase: e.phase ?? 0 };
    if (e.forMs !== undefined) inject.for = `${num(e.forMs)}ms`;
    steps.push({ inject: i === 0 || e.forMs !== undefined ? inject : e.fault });
  });
  const allowance = Math.max(0, ...c.events.map((e) => slowDetectionMs(e.fault, c.board)));
  if (allowance > 0) steps.push({ wait: { state: 'fault', timeout: `${allowance + WINDOW_MS}ms` } });
  steps.push({ run: `${WINDOW_MS}ms` });
  steps.push({ expect: { needle: 'retracted' } });
  return steps;
}

/** The case as a QA case (tools/qa/scenario.ts), lines numbered as in `scenarioYaml`. */
export function toQaCase(c: CampaignCase): Case {
  const steps = caseSteps(c).map((s, i): Step => ({ ...s, line: headerLines(c) + 1 + i }));
  return {
    name: c.id,
    scenario: c.id,
    file: `campaign/${c.id}`,
    line: 1,
    board: c.board,
    seed: c.seed,
    requirements: [],
    tags: ['campaign'],
    powered: true,
    tissue: c.tissue,
    cartridge: c.cartridge,
    zone: CAMPAIGN_ZONE,
    mode: 'professional',
    model: c.model,
    log: 'empty',
    params: {},
    matrixKeys: [],
    steps,
  };
}

/** lines before the first step in `scenarioYaml` (one more for a pen other than the typical one, one for a cartridge) */
function headerLines(c: CampaignCase): number {
  return 11 + (c.pen !== 0 ? 1 : 0) + (c.cartridge !== undefined ? 1 : 0);
}

/** The case as a scenario file for `pen qa` (only the typical pen: a drawn pen replays with `pen campaign --replay`). */
export function scenarioYaml(c: CampaignCase): string {
  const header = [
    '# yaml-language-server: $schema=../docs/scenario.schema.json',
    `# A fault campaign case; the same with its figures: npx pen campaign --replay ${c.id}`,
    ...(c.pen !== 0
      ? [
          `# This file runs the typical pen; the case's own pen (${c.pen === 'worst' ? 'the worst pen' : `drawn pen ${c.pen}`}) runs with the replay`,
        ]
      : []),
    `name: "campaign ${c.id}"`,
    `board: ${c.board}`,
    `model: ${c.model}`,
    `seed: ${c.seed}`,
    `tissue: ${c.tissue}`,
    ...(c.cartridge !== undefined ? [`cartridge: "${c.cartridge}"`] : []),
    `zone: ${CAMPAIGN_ZONE}`,
    'mode: professional',
    'tags: [campaign]',
    'steps:',
  ];
  const body = caseSteps(c).map((s) => `  - ${flow(s).slice(1, -1)}`);
  return [...header, ...body].join('\n') + '\n';
}

/** YAML flow style, one step a line: {set: {depth_mm: 1.5}} */
function flow(v: unknown): string {
  if (v && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}: ${flow(x)}`)
      .join(', ')}}`;
  return typeof v === 'string' && !/^[a-z0-9_.]+$/i.test(v) ? JSON.stringify(v) : String(v);
}

function num(v: number): string {
  return String(Number(v.toFixed(4)));
}
