// One case of a fault campaign: the pen (board, model, drawn pen, tissue, setting, seed) and the faults
// (the first at a phase of a stroke, each next one some milliseconds after the one before, any of them
// a glitch of a chosen length). Its id says all of that in one shell-safe word, so a case replays from
// its id alone, and it becomes a QA scenario (the same steps `pen qa` runs).
import { Case, Step } from '../qa/scenario.js';
import { loadBoard } from '../../boards/board.js';

export type Model = 'ideal' | 'physical';

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
  /** the drawn pen: 0 the typical one, k the k-th of `--tolerance` (tools/qa/tolerance.ts) */
  pen: number;
  tissue: string;
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
/** the firmware's default stuck-button time (tools/build/firmware-config.ts), for boards that set none */
const DEFAULT_STUCK_MS = 5000;

/** Faults the pen is designed to notice only after a while, and that while (ms) on a board. */
function slowDetectionMs(fault: string, board: string): number {
  if (fault !== 'button_stuck') return 0;
  // a held button is no hazard until the firmware calls it stuck: debounced, then held this long
  const b = loadBoard(board).buttons;
  return b.debounce_ms + (b.stuck_ms ?? DEFAULT_STUCK_MS);
}

/**
 * The event the retract deadline counts from: the first that needs a retract by itself (not one the
 * pen notices late by design, nor one it may stroke on with), else the first.
 */
export function onsetEvent(c: CampaignCase): number {
  const needs = c.events.findIndex((e) => !(e.fault in STROKE_ON_FAULTS) && slowDetectionMs(e.fault, c.board) === 0);
  if (needs >= 0) return needs;
  const slow = c.events.findIndex((e) => slowDetectionMs(e.fault, c.board) > 0);
  return slow >= 0 ? slow : 0;
}

/** How much later than the onset the pen may notice the fault by design (ms); then the deadline counts from its detection. */
export function detectionAllowanceMs(c: CampaignCase): number {
  return slowDetectionMs(c.events[onsetEvent(c)].fault, c.board);
}

/**
 * Lasting faults the pen cannot see while it strokes and that are no hazard by themselves: stroking on
 * is a right answer (the next retract or homing must find them; pairs with them test that).
 */
export const STROKE_ON_FAULTS: Record<string, string> = {
  endstop_dead: 'the endstop is never reached while stroking',
};

/** Every fault of the case went away by itself (a glitch) or is one the pen may stroke on with. */
export function mayStrokeOn(c: CampaignCase): boolean {
  return c.events.every((e) => (e.forMs !== undefined && e.fault !== 'power_cut') || e.fault in STROKE_ON_FAULTS);
}

export function caseId(c: Omit<CampaignCase, 'id'>): string {
  const ev = c.events
    .map((e, i) => {
      const head = i === 0 ? `${e.fault}@${num(e.phase ?? 0)}` : `${num(e.delayMs ?? 0)}ms:${e.fault}`;
      return e.forMs !== undefined ? `${head}~${num(e.forMs)}ms` : head;
    })
    .join('+');
  return `${c.board}/${c.model}/p${c.pen}/${c.tissue}/d${num(c.depthMm)}/f${num(c.freqHz)}/s${c.seed}/${ev}`;
}

export function makeCase(c: Omit<CampaignCase, 'id'>): CampaignCase {
  return { ...c, id: caseId(c) };
}

/** The case an id names; throws with what is wrong. */
export function parseCaseId(id: string): CampaignCase {
  const m =
    /^([A-Za-z0-9_.-]+)\/(ideal|physical)\/p(\d+)\/([a-z]+|\d+(?:\.\d+)?)\/d(\d+(?:\.\d+)?)\/f(\d+(?:\.\d+)?)\/s(\d+)\/(.+)$/.exec(
      id,
    );
  if (!m)
    throw new Error(
      `"${id}" is not a campaign case id: BOARD/MODEL/pN/TISSUE/dDEPTH/fRATE/sSEED/FAULT@PHASE[~LENms][+DELAYms:FAULT...], e.g. ref-pen/ideal/p0/normal/d1.5/f80/s1/stall@0.5`,
    );
  const events = m[8].split('+').map((part, i): FaultEvent => {
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
    pen: Number(m[3]),
    tissue: /^\d/.test(m[4]) ? m[4] : m[4],
    depthMm: Number(m[5]),
    freqHz: Number(m[6]),
    seed: Number(m[7]),
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
  const steps = caseSteps(c).map((s, i): Step => ({ ...s, line: HEADER_LINES + 1 + i }));
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
    zone: CAMPAIGN_ZONE,
    mode: 'professional',
    model: c.model,
    log: 'empty',
    params: {},
    matrixKeys: [],
    steps,
  };
}

/** lines before the first step in `scenarioYaml` */
const HEADER_LINES = 11;

/** The case as a scenario file for `pen qa` (only the typical pen: a drawn pen replays with `pen campaign --replay`). */
export function scenarioYaml(c: CampaignCase): string {
  const header = [
    '# yaml-language-server: $schema=../docs/scenario.schema.json',
    `# A fault campaign case; the same with its figures: npx pen campaign --replay ${c.id}`,
    `name: "campaign ${c.id}"`,
    `board: ${c.board}`,
    `model: ${c.model}`,
    `seed: ${c.seed}`,
    `tissue: ${c.tissue}`,
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
