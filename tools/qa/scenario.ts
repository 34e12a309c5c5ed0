// Scenario files: YAML read with line numbers, checked against docs/scenario.schema.json and against
// what exists (boards, cartridges), matrices expanded into cases. A bad file fails before anything
// runs, with the file, the line and what would be valid.
import type { KeyProvisioning } from '../../host-sim/parts/key-store.js';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseDocument, LineCounter, isMap, isSeq, isScalar, visit, Node as YamlNode, Document } from 'yaml';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { REPO_ROOT } from '../../boards/paths.js';
import { boardNames, loadBoard, cartridgeOf, defaultModel } from '../../boards/board.js';
import { isSeed, SEED_MAX } from '../../host-sim/rng.js';

export type Step = Record<string, unknown> & { line: number };

export interface Case {
  /** unique within a run: file name and, for matrix cases, the values */
  name: string;
  scenario: string;
  file: string;
  line: number;
  board: string;
  cartridge?: string;
  seed: number;
  requirements: string[];
  tags: string[];
  powered: boolean;
  /** the treatment log the pen starts with: `empty`, or `full` (a ring of past sessions gone round) */
  log: 'empty' | 'full';
  tissue: string | number;
  /** how the pen's key storage was left (header `keys`; default provisioned) */
  keys?: KeyProvisioning;
  zone?: string;
  mode?: 'home' | 'professional';
  /**
   * the simulator model (header `model`): by default the physical one where the board has a `physics`
   * block (unless the block asks for the ideal one, as `pen sim` takes it), else the ideal one
   */
  model: 'ideal' | 'physical';
  /** pens to run on, drawn from the board's ranges (header `tolerance`, else `pen qa --tolerance`; default 1) */
  tolerance?: number;
  /** matrix values of this case ({} when not a matrix case) */
  params: Record<string, number | string>;
  matrixKeys: string[];
  steps: Step[];
}

/** One problem in a file, at its line. */
export interface Problem {
  line: number;
  message: string;
}

/** A file that cannot run; the message has one `file:line: ...` line per problem, in line order. */
export class ScenarioError extends Error {
  constructor(
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
  }
}

const PLACEHOLDER_REF = '#/definitions/placeholder';

interface Validators {
  /** docs/scenario.schema.json as published: "${key}" accepted where a value goes, for files as written */
  published: ValidateFunction;
  /** the same without placeholders, for each matrix case once its values are in */
  strict: ValidateFunction;
}

let validators: Validators | undefined;
function schemaValidators(): Validators {
  if (!validators) {
    const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'scenario.schema.json'), 'utf8'));
    const ajv = (): Ajv => new Ajv({ allErrors: true, strict: false, verbose: true }); // verbose: errors carry their schema, to list valid keys
    validators = { published: ajv().compile(schema), strict: ajv().compile(withoutPlaceholders(schema) as object) };
  }
  return validators;
}

/** `{anyOf: [S, placeholder], description}` becomes `{...S, description}`: the schema a filled-in case must meet. */
export function withoutPlaceholders(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutPlaceholders);
  if (!v || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (isPlaceholderChoice(o)) {
    const { anyOf, ...meta } = o;
    return withoutPlaceholders({ ...meta, ...(anyOf as Record<string, unknown>[])[0] });
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, withoutPlaceholders(x)]));
}

function isPlaceholderChoice(o: Record<string, unknown>): boolean {
  const a = o.anyOf as Record<string, unknown>[] | undefined;
  return Array.isArray(a) && a.length === 2 && a[1]?.$ref === PLACEHOLDER_REF;
}

/** Scenario files named directly or found under directories (*.yaml, *.yml). */
export function findScenarioFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const f of readdirSync(p).sort()) walk(join(p, f));
    } else if (/\.ya?ml$/.test(p)) {
      out.push(p);
    }
  };
  for (const p of paths) {
    if (!existsSync(p)) throw new ScenarioError(`${p}: no such file or directory`);
    const st = statSync(p);
    if (st.isFile() && !/\.ya?ml$/.test(p)) throw new ScenarioError(`${p}: a scenario file ends in .yaml or .yml`);
    walk(p);
  }
  return out;
}

/** Reads one file into its cases; throws ScenarioError naming file:line on any problem. */
export function loadScenario(path: string, defaultSeed = 1, defaultTolerance?: number): Case[] {
  if (!isSeed(defaultSeed))
    throw new ScenarioError(`default seed ${defaultSeed} is not a seed: give a whole number 0..${SEED_MAX}`);
  const file = relative(process.cwd(), resolve(path)) || path;
  const text = readFileSync(path, 'utf8');
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const at = (line: number, msg: string): ScenarioError => new ScenarioError(`${file}:${line}: ${msg}`);
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw at(lc.linePos(e.pos[0]).line, `not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const raw = doc.toJS() as Record<string, unknown> | null;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw at(1, 'a scenario is a mapping with at least `name` and `steps`');
  const lineOf = (pathParts: (string | number)[]): number => nodeLine(doc, lc, pathParts);

  const matrix = (raw.matrix ?? {}) as Record<string, unknown[]>;
  const combos = expandMatrix(matrix);
  const { matrix: _m, ...rest } = raw;
  const usedText = JSON.stringify(rest); // the steps, and header keys such as cartridge
  if (raw.matrix && typeof raw.matrix === 'object') {
    for (const key of Object.keys(matrix)) {
      if (!usedText.includes('${' + key + '}'))
        throw at(
          lineOf(['matrix', key]),
          `matrix key "${key}" is never used in the steps: write \${${key}} where its value goes`,
        );
    }
  }
  for (const m of usedText.matchAll(/\$\{([^}]*)\}/g)) {
    if (!(m[1] in matrix)) {
      const keys = Object.keys(matrix);
      throw at(
        lineUsing(doc, lc, m[0]) ?? lineOf(['steps']),
        `\${${m[1]}} has no value: ${keys.length ? `matrix keys are ${keys.join(', ')}` : 'the file has no matrix'}`,
      );
    }
  }

  // the file as written, placeholders and all: every problem at its own line
  const { published, strict } = schemaValidators();
  if (!published(raw)) throw scenarioError(file, schemaProblems(published.errors!, raw, lineOf));

  const cases: Case[] = [];
  for (const params of combos) {
    const data = substitute(raw, params) as Record<string, unknown>;
    const values = Object.entries(params)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    const inCase = values ? ` (matrix case ${values})` : '';
    if (!strict(data)) {
      throw scenarioError(
        file,
        schemaProblems(strict.errors!, data, lineOf).map((p) => ({
          ...p,
          message: `${p.message}${inCase}`,
        })),
      );
    }
    const board = (data.board as string | undefined) ?? 'ref-pen';
    if (!boardNames().includes(board))
      throw at(lineOf(['board']), `unknown board "${board}": boards are ${boardNames().join(', ')}`);
    const cartridge = data.cartridge === undefined ? undefined : String(data.cartridge);
    try {
      cartridgeOf(loadBoard(board), cartridge);
    } catch (e) {
      throw at(lineOf(['cartridge']), (e as Error).message);
    }
    if (data.model === 'physical' && !loadBoard(board).physics)
      throw at(lineOf(['model']), `board ${board} has no physics block: the physical model needs one`);
    // the schema says so too; a seed past 32 bits would run as a smaller one
    if (data.seed !== undefined && !isSeed(data.seed)) throw at(lineOf(['seed']), seedProblem(data.seed));
    const steps = (data.steps as Record<string, unknown>[]).map((s, i) => ({ ...s, line: lineOf(['steps', i]) }));
    steps.forEach((s, i) => checkDurations(s, i, (line, msg) => at(line, msg + inCase)));
    const suffix = Object.keys(params).length
      ? ` [${Object.entries(params)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}]`
      : '';
    cases.push({
      name: `${data.name as string}${suffix}`,
      scenario: data.name as string,
      file,
      line: lineOf(['name']), // where the case is named: its file:line for a report
      board,
      cartridge,
      seed: (data.seed as number | undefined) ?? defaultSeed,
      requirements: (data.requirements as string[] | undefined) ?? [],
      tags: (data.tags as string[] | undefined) ?? [],
      powered: (data.powered as boolean | undefined) ?? true,
      log: (data.log as 'empty' | 'full' | undefined) ?? 'empty',
      tissue: (data.tissue as string | number | undefined) ?? 'normal',
      keys: data.keys as KeyProvisioning | undefined,
      zone: data.zone as string | undefined,
      mode: data.mode as 'home' | 'professional' | undefined,
      model: (data.model as 'ideal' | 'physical' | undefined) ?? defaultModel(loadBoard(board)),
      tolerance: (data.tolerance as number | undefined) ?? defaultTolerance,
      params,
      matrixKeys: Object.keys(matrix),
      steps,
    });
  }
  return cases;
}

function expandMatrix(matrix: Record<string, unknown[]>): Record<string, number | string>[] {
  let out: Record<string, number | string>[] = [{}];
  for (const [k, values] of Object.entries(matrix)) {
    if (!Array.isArray(values)) return out; // the schema check reports it
    out = out.flatMap((c) => values.map((v) => ({ ...c, [k]: v as number | string })));
  }
  return out;
}

/** "${key}" alone becomes the value itself (a number stays a number); inside a longer string it is spliced in. */
function substitute(v: unknown, params: Record<string, number | string>): unknown {
  if (typeof v === 'string') {
    const whole = /^\$\{([a-z_][a-z0-9_]*)\}$/.exec(v);
    if (whole && whole[1] in params) return params[whole[1]];
    return v.replace(/\$\{([a-z_][a-z0-9_]*)\}/g, (m, k) => (k in params ? String(params[k]) : m));
  }
  if (Array.isArray(v)) return v.map((x) => substitute(x, params));
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = k === 'matrix' ? x : substitute(x, params);
    return o;
  }
  return v;
}

/** the shortest glitch `inject: {for}` takes (ms) */
export const GLITCH_MIN_MS = 0.01;
/** the longest run, wait timeout, hold or glitch (ms): an hour of simulated time */
export const TIME_MAX_MS = 3_600_000;

export function durationMs(v: unknown): number {
  if (typeof v === 'number') return v;
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(ms|s)$/.exec(String(v));
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/** The values of a step that are times: a duration (run, wait timeout), a glitch (inject for), a hold. */
type TimeKind = 'duration' | 'glitch' | 'hold';

const TIME_FORMS: Record<TimeKind, string> = {
  duration: 'is not a duration: write 250ms, 2s or 1.5s, or a number of milliseconds (above 0, up to 1 hour)',
  glitch: `is not a glitch length: write 0.2ms, 5ms or 1s, or a number of milliseconds (${GLITCH_MIN_MS} ms to 1 hour)`,
  hold: 'is not a hold time: give a number of milliseconds (above 0, up to 1 hour)',
};

/** Which time a JSON pointer into a scenario points at, if any. */
function timeKind(pointer: string): TimeKind | undefined {
  if (/^\/steps\/\d+\/(run|wait\/timeout)$/.test(pointer)) return 'duration';
  if (/^\/steps\/\d+\/inject\/for$/.test(pointer)) return 'glitch';
  if (/^\/steps\/\d+\/hold\/ms$/.test(pointer)) return 'hold';
  return undefined;
}

/** `steps.2.run "0ms" is not a duration: ...`: the value, where it is and what would be valid. */
function timeProblem(kind: TimeKind, pointer: string, v: unknown): string {
  return `${pointer.replace(/^\//, '').replace(/\//g, '.')} ${JSON.stringify(v)} ${TIME_FORMS[kind]}`;
}

function timeOk(kind: TimeKind, v: unknown): boolean {
  // a hold is a number of milliseconds only (the schema says so); the others also "250ms", "2s"
  const ms = kind === 'hold' ? (typeof v === 'number' ? v : NaN) : durationMs(v);
  // a glitch shorter than the step timer's resolution would not exist; 10 us is well above it
  return (kind === 'glitch' ? ms >= GLITCH_MIN_MS : ms > 0) && ms <= TIME_MAX_MS;
}

/** Every time of step `i` against its bounds (the schema says the same where it can). */
function checkDurations(s: Step, i: number, at: (line: number, msg: string) => ScenarioError): void {
  const check = (kind: TimeKind, pointer: string, v: unknown): void => {
    if (!timeOk(kind, v)) throw at(s.line, timeProblem(kind, `/steps/${i}/${pointer}`, v));
  };
  const field = (key: string, sub: string): unknown => {
    const o = s[key];
    return o && typeof o === 'object' ? (o as Record<string, unknown>)[sub] : undefined;
  };
  if ('run' in s) check('duration', 'run', s.run);
  if (field('wait', 'timeout') !== undefined) check('duration', 'wait/timeout', field('wait', 'timeout'));
  if (field('inject', 'for') !== undefined) check('glitch', 'inject/for', field('inject', 'for'));
  if ('hold' in s) check('hold', 'hold/ms', field('hold', 'ms'));
}

function seedProblem(v: unknown): string {
  return `seed: ${JSON.stringify(v)} is not a seed: give a whole number 0..${SEED_MAX}`;
}

/** The instance path of an error; for an unknown key, the key itself, so the line is the key's. */
function errorPath(e: ErrorObject): (string | number)[] {
  const parts: (string | number)[] = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~')));
  if (e.keyword === 'additionalProperties')
    parts.push(String((e.params as { additionalProperty: string }).additionalProperty));
  return parts;
}

/**
 * ajv's errors as one problem per step or header key (a step's errors from one wrong value are
 * many: a type, each branch of a choice), each explained from its own errors and at its own line.
 */
function schemaProblems(
  errors: ErrorObject[],
  data: Record<string, unknown>,
  lineOf: (path: (string | number)[]) => number,
): Problem[] {
  const groups = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    if (
      e.schemaPath.startsWith(PLACEHOLDER_REF) ||
      (e.keyword === 'anyOf' && isPlaceholderChoice(e.parentSchema as Record<string, unknown>))
    )
      continue; // "not a placeholder either" says nothing new
    const unit = errorUnit(e);
    groups.set(unit, [...(groups.get(unit) ?? []), e]);
  }
  const problems = [...groups.values()].map((es) => {
    const e = deepest(es);
    return { line: lineOf(errorPath(e)), message: explain(es, data) };
  });
  return problems.sort((a, b) => a.line - b.line);
}

/** What an error is about: one step, one header key, or (at the top) one missing or unknown key. */
function errorUnit(e: ErrorObject): string {
  const parts = e.instancePath.split('/').slice(1);
  if (!parts.length) return `${e.keyword} ${JSON.stringify(e.params)}`;
  if (parts[0] === 'steps' && parts.length >= 2) return `/steps/${parts[1]}`;
  return `/${parts[0]}`;
}

function scenarioError(file: string, problems: Problem[]): ScenarioError {
  return new ScenarioError(problems.map((p) => `${file}:${p.line}: ${p.message}`).join('\n'), problems);
}

/** The deepest error is the most specific; among equals, ajv's first. */
function deepest(errors: ErrorObject[]): ErrorObject {
  return [...errors].sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length)[0];
}

const STEP_KEYS = [
  'set',
  'press',
  'hold',
  'run',
  'wait',
  'inject',
  'clear',
  'load',
  'send',
  'expect',
  'authenticate',
  'cartridge',
];

/** The most useful of ajv's errors, said for a person. */
function explain(errors: ErrorObject[], data: Record<string, unknown>): string {
  const e = deepest(errors);
  const where = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'the file';
  const p = e.params as Record<string, unknown>;
  const isStep = /^\/steps\/\d+$/.test(e.instancePath);
  const time = timeKind(e.instancePath);
  if (time) return timeProblem(time, e.instancePath, valueAt(data, e.instancePath));
  if (e.instancePath === '/seed') return seedProblem(valueAt(data, e.instancePath));
  if (e.instancePath === '/tissue')
    return `tissue: ${JSON.stringify(valueAt(data, e.instancePath))} is not valid: use one of soft, normal, tough, or a peak insertion force per needle in mN (a number, 0 or more)`;
  if (/\/phase$/.test(e.instancePath))
    return `${where}: ${JSON.stringify(valueAt(data, e.instancePath))} is not a phase: give 0 <= phase < 1, or top, descending, bottom, ascending`;
  switch (e.keyword) {
    case 'additionalProperties':
      if (isStep) return `unknown step "${p.additionalProperty}": valid steps are ${STEP_KEYS.join(', ')}`;
      return `unknown key "${p.additionalProperty}" in ${where}: valid keys are ${validKeys(e)}`;
    case 'enum':
      return `${where}: "${valueAt(data, e.instancePath)}" is not valid: use one of ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'required':
      return `${where}: missing "${p.missingProperty}"`;
    case 'maxProperties':
      if (isStep)
        return `${where}: one step per list item (found ${Object.keys(valueAt(data, e.instancePath) as object).join(' and ')}): start each with "- "`;
      return `${where}: ${e.message}`;
    case 'type':
      return `${where}: must be ${p.type}, got ${JSON.stringify(valueAt(data, e.instancePath))}`;
    case 'oneOf':
    case 'pattern':
      return `${where}: ${JSON.stringify(valueAt(data, e.instancePath))} is not valid (${e.parentSchema?.description ?? e.message})`;
    default:
      return `${where}: ${e.message}`;
  }
}

function validKeys(e: ErrorObject): string {
  const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props).join(', ') : '(see docs/scenario.schema.json)';
}

function valueAt(data: unknown, pointer: string): unknown {
  let v: unknown = data;
  for (const part of pointer.split('/').slice(1)) v = (v as Record<string, unknown> | undefined)?.[part];
  return v;
}

/** Line of the first value (outside the matrix) that contains `text`. */
function lineUsing(doc: Document, lc: LineCounter, text: string): number | undefined {
  let line: number | undefined;
  visit(doc, {
    Pair: (_, pair) => (isScalar(pair.key) && pair.key.value === 'matrix' ? visit.SKIP : undefined),
    Scalar: (_, node) => {
      if (typeof node.value === 'string' && node.value.includes(text) && node.range) {
        line = lc.linePos(node.range[0]).line;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return line;
}

/** Line of the YAML node at a path, or of its nearest existing parent. */
function nodeLine(doc: Document, lc: LineCounter, path: (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as YamlNode | undefined;
    if (node && (node as YamlNode).range) {
      // for a key of a map, point at the key line rather than the value
      if (n > 0) {
        const parent = doc.getIn(path.slice(0, n - 1), true);
        if (isMap(parent)) {
          const pair = parent.items.find(
            (it) => String((it.key as { value?: unknown })?.value) === String(path[n - 1]),
          );
          const key = pair?.key as YamlNode | undefined;
          if (key?.range) return lc.linePos(key.range[0]).line;
        }
        if (isSeq(parent)) return lc.linePos((node as YamlNode).range![0]).line;
      }
      return lc.linePos((node as YamlNode).range![0]).line;
    }
  }
  return 1;
}
