// Board files: load, validate against boards/board.schema.json, and derive the numbers that both
// the firmware build and the physics need. A bad file fails with the field that is wrong.
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join, resolve, basename } from 'node:path';
import { Ajv, type ValidateFunction, type ErrorObject } from 'ajv';
import { REPO_ROOT } from './paths.js';

/** An uncertain number: its range and where it comes from (a datasheet, a paper, or "estimate"). */
export interface RangeValue {
  min: number;
  typical: number;
  max: number;
  source: string;
}

/** A range for a plain number elsewhere in the board file (its value is the typical one). */
export interface Tolerance {
  min: number;
  max: number;
  source: string;
}

/** Numbers only the physical model uses; each uncertain one a range. */
export interface BoardPhysics {
  /** the simulator's motor model: 'ideal' (kinematic, the default) or 'physical' */
  model?: 'ideal' | 'physical';
  source: string;
  detent_torque_mNm: RangeValue;
  damping_ratio: RangeValue;
  rotor_drag_uNms_per_rad: RangeValue;
  back_drive_efficiency: RangeValue;
  needle_puncture_mN: RangeValue;
  puncture_depth_um: RangeValue;
  shaft_friction_mN_per_mm: RangeValue;
  winding_thermal_resistance_C_per_W: RangeValue;
  winding_thermal_time_constant_s: RangeValue;
  stallguard_blind_full_steps: number;
  /** how much further out the endstop opens than it closes */
  endstop_hysteresis_um?: RangeValue;
}

/** A shaft encoder: an absolute angle sensor on the motor shaft (board.schema.json says what each number is). */
export interface BoardEncoder {
  part: string;
  bits: number;
  noise_counts_rms: number;
  latency_us: number;
  read_us: number;
  sample_hz: number;
  zero_count: number;
  sources: Record<string, string>;
}

export interface Cartridge {
  type: string;
  needles: number;
  needle_force_mN: number;
  mass_g: number;
  max_depth_um: number;
}

export interface Board {
  name: string;
  description: string;
  motor: {
    part: string;
    source: string;
    full_steps_per_rev: number;
    holding_torque_mNm: number;
    rated_current_A: number;
    phase_resistance_ohm: number;
    phase_inductance_mH: number;
    rotor_inertia_gcm2: number;
    torque_tolerance: number;
    pull_in_rate_full_steps_s: number;
    pull_out_curve: { supply_V: number; source: string; points_rpm_mNm: [number, number][] };
  };
  driver: {
    part: string;
    source: string;
    microsteps: number;
    supply_V: number;
    max_step_rate_hz: number;
    stallguard_min_full_steps_s: number;
    stallguard_threshold?: number;
    otpw_C: number;
    ot_C: number;
    thermal_resistance_C_per_W: number;
    thermal_time_constant_s: number;
    rdson_ohm: number;
    /** the enable's charge pump: outputs off this long after the firmware's last toggle (absent: no pump) */
    enable_pump_hold_ms?: number;
  };
  drive: {
    type: string;
    part: string;
    source: string;
    lead_mm: number;
    screw_inertia_gcm2: number;
    efficiency: number;
  };
  carriage: {
    mass_g: number;
    friction_N: number;
    return_spring_preload_N: number;
    return_spring_rate_N_per_mm: number;
    source: string;
  };
  geometry: {
    rear_stop_um: number;
    retract_um: number;
    clearance_um: number;
    depth_min_um: number;
    depth_max_um: number;
    front_stop_um: number;
  };
  endstop: { type: string; trigger_um: number };
  timing: {
    step_timer_hz: number;
    crystal_ppm: number;
    control_hz: number;
    step_queue_len: number;
    queue_lead_ms: number;
    step_time_tolerance_us: number;
  };
  stroke: { freq_min_hz: number; freq_max_hz: number; speed_levels_hz: number[]; torque_margin: number };
  homing: { speed_mm_s: number; release_um: number; travel_max_um: number };
  buttons: {
    debounce_ms: number;
    repeat_delay_ms: number;
    repeat_ms: number;
    long_press_ms: number;
    depth_step_um: number;
    stuck_ms?: number;
  };
  /** treatment-log flash; default 4 sectors of 4096 bytes */
  storage?: { part: string; sectors: number; sector_bytes: number };
  /** a shaft encoder; without one the firmware runs open loop */
  encoder?: BoardEncoder;
  /** auto-off after this long idle (s), default 300 */
  idle_off_s?: number;
  battery: {
    part: string;
    source: string;
    capacity_mAh: number;
    full_V: number;
    empty_V: number;
    internal_resistance_mohm: number;
    boost_efficiency: number;
    idle_current_mA: number;
  };
  cartridges: Cartridge[];
  default_cartridge: string;
  /** the microcontroller of a board with a C port (ports/<port>/) */
  mcu?: Mcu;
  physics?: BoardPhysics;
  /** ranges of plain numbers, keyed by their JSON pointer (e.g. /carriage/friction_N) */
  tolerances?: Record<string, Tolerance>;
}

export interface Mcu {
  part: string;
  port: string;
  source: string;
  core_hz: number;
  flash_bytes: number;
  ram_bytes: number;
  flash_budget_bytes?: number;
  tick_budget_instructions?: number;
  step_timer: { name: string; clock_hz: number; prescaler: number };
  serial?: { name: string; baud: number };
  pins: Record<string, string | string[]>;
}

export class BoardError extends Error {}

export const BOARDS_DIR = join(REPO_ROOT, 'boards');

export function boardNames(): string[] {
  return readdirSync(BOARDS_DIR)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
    .map((f) => basename(f, '.json'))
    .sort();
}

/** A part of boards/board.schema.json. */
type SchemaNode = Record<string, unknown>;

let schemaCache: SchemaNode | undefined;
function boardSchema(): SchemaNode {
  schemaCache ??= JSON.parse(readFileSync(join(BOARDS_DIR, 'board.schema.json'), 'utf8')) as SchemaNode;
  return schemaCache;
}

let validator: ValidateFunction | undefined;
function validate(data: unknown): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(boardSchema());
  validator(data);
  return validator;
}

/**
 * What in a board's data does not match boards/board.schema.json, one line per error naming the field
 * (a JSON pointer): none for a valid board.
 */
export function schemaErrors(data: unknown): string[] {
  const v = validate(data);
  const lines = (v.errors ?? []).map((err: ErrorObject) => {
    const field = shownPointer(err.instancePath);
    if (isSourceField(field) && (err.keyword === 'pattern' || err.keyword === 'minLength'))
      return `${field}: is blank: a source must name where the number comes from (a datasheet, a paper, a measurement), or say "estimate"`;
    const extra =
      err.keyword === 'additionalProperties'
        ? ` "${(err.params as { additionalProperty: string }).additionalProperty}"`
        : '';
    return `${field}: ${err.message}${extra}`;
  });
  // an empty source breaks both minLength and the pattern: one line
  return [...new Set(lines)];
}

/**
 * A JSON pointer as people read it: the tolerances are keyed by pointers themselves, which a pointer
 * escapes (/tolerances/~1motor~1phase_resistance_ohm); shown unescaped and quoted there.
 */
function shownPointer(ptr: string): string {
  if (!ptr) return '/';
  return ptr
    .split('/')
    .map((k) => {
      const key = k.replace(/~1/g, '/').replace(/~0/g, '~');
      return key.includes('/') ? `"${key}"` : key;
    })
    .join('/');
}

/** The schema of the number at a JSON pointer into a board (undefined where the schema has none). */
function schemaAt(ptr: string): SchemaNode | undefined {
  const root = boardSchema();
  const deref = (n: SchemaNode | undefined): SchemaNode | undefined =>
    n && typeof n.$ref === 'string' ? (pointerGet(root, n.$ref.slice(1)) as SchemaNode | undefined) : n;
  let node: SchemaNode | undefined = root;
  for (const key of ptr.split('/').slice(1)) {
    node = deref(node);
    if (!node) return undefined;
    const props = node.properties as Record<string, SchemaNode> | undefined;
    const items = node.items as SchemaNode | SchemaNode[] | undefined;
    const more = node.additionalProperties;
    node =
      props && key in props
        ? props[key]
        : Array.isArray(items)
          ? items[Number(key)]
          : items !== undefined
            ? items
            : typeof more === 'object' && more !== null
              ? (more as SchemaNode)
              : undefined;
  }
  return deref(node);
}

function isIntegerField(ptr: string): boolean {
  return schemaAt(ptr)?.type === 'integer';
}

/** Loads a board by name (boards/NAME.json) or by path. */
export function loadBoard(nameOrPath = 'ref-pen'): Board {
  const isPath = nameOrPath.endsWith('.json') || nameOrPath.includes('/');
  const file = isPath ? resolve(nameOrPath) : join(BOARDS_DIR, `${nameOrPath}.json`);
  if (!existsSync(file)) {
    throw new BoardError(`unknown board "${nameOrPath}": no file ${file}. Boards: ${boardNames().join(', ')}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new BoardError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  const errors = schemaErrors(data);
  if (errors.length) {
    const lines = errors.slice(0, 8).map((l) => `  ${l}`);
    throw new BoardError(`${file}: does not match boards/board.schema.json:\n${lines.join('\n')}`);
  }
  const board = data as Board;
  checkConsistency(board, file);
  return board;
}

/** A field that says where numbers come from: a `source`, or one of the encoder's `sources`. */
function isSourceField(ptr: string): boolean {
  return /\/source$|\/sources\/[^/]+$/.test(ptr);
}

/**
 * The enable pump's shortest hold, in control periods: one period between toggles, and a quarter for
 * the tick's start jitter (the lowest interrupt priority on the port) and the monostable's tolerance.
 */
export const PUMP_HOLD_MIN_PERIODS = 1.25;

function checkConsistency(b: Board, file: string): void {
  const fail = (field: string, msg: string): never => {
    throw new BoardError(`${file}: ${shownPointer(field)}: ${msg}`);
  };
  if (!isPathName(file, b.name)) fail('/name', `"${b.name}" must match the file name`);
  const pts = b.motor.pull_out_curve.points_rpm_mNm;
  if (pts[0][0] !== 0) fail('/motor/pull_out_curve/points_rpm_mNm/0', 'the first point must be at 0 rpm');
  for (let i = 1; i < pts.length; i++) {
    if (!(pts[i][0] > pts[i - 1][0]))
      fail(`/motor/pull_out_curve/points_rpm_mNm/${i}`, 'rpm must rise from point to point');
  }
  const holdMs = b.driver.enable_pump_hold_ms;
  const periodMs = 1000 / b.timing.control_hz;
  if (holdMs !== undefined && holdMs < PUMP_HOLD_MIN_PERIODS * periodMs)
    fail(
      '/driver/enable_pump_hold_ms',
      `${holdMs} ms is too short: the firmware toggles the enable pump once per control tick (every ${periodMs} ms), so a hold under ${PUMP_HOLD_MIN_PERIODS} periods (${PUMP_HOLD_MIN_PERIODS * periodMs} ms) would cut the driver of a working pen at a tick that starts late. Give at least ${PUMP_HOLD_MIN_PERIODS * periodMs} ms`,
    );
  const g = b.geometry;
  if (g.depth_min_um >= g.depth_max_um)
    fail('/geometry/depth_min_um', `must be below depth_max_um (${g.depth_max_um})`);
  if (g.retract_um <= b.endstop.trigger_um)
    fail('/geometry/retract_um', `must be in front of the endstop (${b.endstop.trigger_um} um)`);
  if (g.rear_stop_um >= b.endstop.trigger_um) fail('/geometry/rear_stop_um', 'must be behind the endstop');
  if (g.front_stop_um <= g.retract_um + g.clearance_um + g.depth_max_um) {
    fail(
      '/geometry/front_stop_um',
      `must be beyond the deepest stroke (${g.retract_um + g.clearance_um + g.depth_max_um} um)`,
    );
  }
  const s = b.stroke;
  if (s.freq_min_hz > s.freq_max_hz) fail('/stroke/freq_min_hz', `must not exceed freq_max_hz (${s.freq_max_hz})`);
  s.speed_levels_hz.forEach((f, i) => {
    if (f < s.freq_min_hz || f > s.freq_max_hz)
      fail(`/stroke/speed_levels_hz/${i}`, `${f} Hz is outside ${s.freq_min_hz}..${s.freq_max_hz} Hz`);
  });
  if (b.driver.ot_C <= b.driver.otpw_C) fail('/driver/ot_C', 'shutdown must be above the prewarning');
  const types = new Set<string>();
  b.cartridges.forEach((c, i) => {
    if (types.has(c.type)) fail(`/cartridges/${i}/type`, `"${c.type}" appears twice`);
    types.add(c.type);
    if (c.max_depth_um < g.depth_min_um)
      fail(`/cartridges/${i}/max_depth_um`, `below the board's shallowest depth ${g.depth_min_um} um`);
  });
  for (const [ptr, t] of Object.entries(b.tolerances ?? {})) {
    // the key is itself a pointer: escaped (RFC 6901) as the schema's errors print it
    const field = `/tolerances/${escapePointerKey(ptr)}`;
    const v = pointerGet(b, ptr);
    if (typeof v !== 'number') fail(field, `${ptr} is not a number in this board`);
    if (!(t.min <= t.max)) fail(field, `min ${t.min} exceeds max ${t.max}`);
    const domain = domainOf(ptr);
    if (domain) {
      for (const end of ['min', 'max'] as const) {
        const why = outsideDomain(t[end], domain);
        if (why) fail(`${field}/${end}`, why);
      }
    }
    // a pen drawn from the tolerance is a board too: it must still match the schema
    const sch = schemaAt(ptr) ?? {};
    for (const end of ['min', 'max'] as const) {
      const x = t[end];
      if (typeof sch.minimum === 'number' && x < sch.minimum)
        fail(`${field}/${end}`, `${x} is below ${ptr}'s minimum ${sch.minimum} in boards/board.schema.json`);
      if (typeof sch.maximum === 'number' && x > sch.maximum)
        fail(`${field}/${end}`, `${x} is above ${ptr}'s maximum ${sch.maximum} in boards/board.schema.json`);
      if (sch.type === 'integer' && !Number.isInteger(x))
        fail(`${field}/${end}`, `${x} is not a whole number, but ${ptr} is an integer`);
    }
    if (!(t.min <= (v as number) && (v as number) <= t.max))
      fail(field, `the board's value ${v} is outside ${t.min}..${t.max}`);
  }
  for (const [key, r] of rangesOf(b)) {
    const field = `/physics/${key}`;
    if (!(r.min <= r.max)) fail(field, `min ${r.min} exceeds max ${r.max}`);
    const domain = domainOf(field);
    if (!domain)
      fail(field, `no physical domain is known for this quantity: add its field to DOMAINS in boards/board.ts`);
    for (const end of ['min', 'typical', 'max'] as const) {
      const why = outsideDomain(r[end], domain!);
      if (why) fail(`${field}/${end}`, why);
    }
    if (!(r.min <= r.typical && r.typical <= r.max)) fail(field, `typical ${r.typical} is outside ${r.min}..${r.max}`);
  }
  // the spring retracts the needles with the driver off (every fault's fallback): on every pen of the ranges
  const spring = springRetract(b, 'worst');
  if (!(spring.springN > spring.needN)) fail('/carriage/return_spring_preload_N', springRetractMessage(spring));
  if (!types.has(b.default_cartridge))
    fail('/default_cartridge', `"${b.default_cartridge}" is not one of ${[...types].join(', ')}`);
  const hz = b.timing.step_timer_hz;
  if (hz / (2 * s.freq_min_hz) > 2 ** 31 - 1)
    fail('/timing/step_timer_hz', 'a half stroke at the lowest rate must fit in 31 bits of ticks');
  const m = b.mcu;
  if (m) {
    const timerHz = m.step_timer.clock_hz / m.step_timer.prescaler;
    if (timerHz !== hz)
      fail(
        '/timing/step_timer_hz',
        `${hz} Hz, but ${m.step_timer.name} at ${m.step_timer.clock_hz} Hz / ${m.step_timer.prescaler} runs at ${timerHz} Hz`,
      );
    if (!existsSync(join(REPO_ROOT, 'ports', m.port))) fail('/mcu/port', `"${m.port}": no folder ports/${m.port}`);
  }
}

/**
 * The values a quantity can take at all, whatever the part: a magnitude is never negative, a quantity
 * the model divides by or that has no meaning at zero is above it, an efficiency lies in (0, 1].
 */
interface Domain {
  kind: 'non-negative' | 'positive' | 'efficiency';
  /** the quantity, for the message: "a damping ratio" */
  what: string;
}

/**
 * The domain of every physics range and of every number a tolerance ranges, by its JSON pointer (most
 * by the unit or the quantity its name ends with); the first match decides. Every physics range must
 * have one. A plain number none matches has no domain here: a position may be signed (the endstop's
 * trigger point: its production tolerance puts it on either side of home).
 */
const DOMAINS: [RegExp, Domain][] = [
  [/efficiency$/, { kind: 'efficiency', what: 'an efficiency' }],
  [/_time_constant_s$/, { kind: 'positive', what: 'a time constant' }],
  // the carriage and the rotor always have mass; a cartridge's hub and the parts on the screw may add none
  [/^\/carriage\/mass_g$/, { kind: 'positive', what: "the carriage's mass" }],
  [/^\/motor\/rotor_inertia_gcm2$/, { kind: 'positive', what: "the rotor's inertia" }],
  [/\/(\w+_)?mass_g$/, { kind: 'non-negative', what: 'a mass' }],
  [/_inertia_gcm2$/, { kind: 'non-negative', what: 'an inertia' }],
  // a phase or a switch conducts through some resistance; a cell's may be taken as none
  [/_ohm$/, { kind: 'positive', what: 'a resistance' }],
  [/_mohm$/, { kind: 'non-negative', what: 'a resistance' }],
  [/_mH$/, { kind: 'positive', what: 'an inductance' }],
  [/_V$/, { kind: 'positive', what: 'a voltage' }],
  [/_A$/, { kind: 'positive', what: 'a current' }],
  [/friction/, { kind: 'non-negative', what: 'a friction' }],
  [/_rate_N_per_mm$/, { kind: 'non-negative', what: 'a spring rate' }],
  [/_mNm$/, { kind: 'non-negative', what: 'a torque' }],
  [/_m?N$/, { kind: 'non-negative', what: 'a force' }],
  [/damping_ratio$/, { kind: 'non-negative', what: 'a damping ratio' }],
  [/drag_uNms_per_rad$/, { kind: 'non-negative', what: 'a drag coefficient' }],
  [/_C_per_W$/, { kind: 'non-negative', what: 'a thermal resistance' }],
  [/hysteresis_um$/, { kind: 'non-negative', what: 'a hysteresis' }],
  // the physical model's skin stiffness is the puncture force over it
  [/puncture_depth_um$/, { kind: 'positive', what: "the skin's deflection before it gives" }],
];

function domainOf(ptr: string): Domain | undefined {
  return DOMAINS.find(([re]) => re.test(ptr))?.[1];
}

/** Why a value is outside its quantity's domain, or undefined when it is inside. */
function outsideDomain(v: number, d: Domain): string | undefined {
  if (d.kind === 'non-negative') return v < 0 ? `${v} is below 0 (${d.what} cannot be negative)` : undefined;
  if (d.kind === 'positive') return v > 0 ? undefined : `${v} is not above 0 (${d.what} must be greater than 0)`;
  if (v <= 0) return `${v} is not above 0 (${d.what} lies in (0, 1])`;
  return v > 1 ? `${v} is above 1 (${d.what} lies in (0, 1])` : undefined;
}

/** One key as a JSON pointer's segment (RFC 6901): "~" as "~0", "/" as "~1". */
function escapePointerKey(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function pointerGet(o: unknown, ptr: string): unknown {
  return ptr
    .split('/')
    .slice(1)
    .reduce<unknown>(
      (a, k) => (a !== null && typeof a === 'object' ? (a as Record<string, unknown>)[k] : undefined),
      o,
    );
}

function pointerSet(o: unknown, ptr: string, v: number): void {
  const keys = ptr.split('/').slice(1);
  const last = keys.pop()!;
  const parent = keys.reduce<unknown>((a, k) => (a as Record<string, unknown>)[k], o) as Record<string, unknown>;
  parent[last] = v;
}

/**
 * The return spring against the driver-off drive train at the carriage position where it has the least
 * to spare (N): the spring must win everywhere between the endstop and each cartridge's deepest position.
 */
export interface SpringRetract {
  /** the spring's force at that position */
  springN: number;
  /** what holds the carriage there: friction, the detent torque through the screw, the needles' shaft friction */
  needN: number;
  /** the position (um from the endstop) and the cartridge whose needles are in the skin there (none: out of the skin) */
  positionUm: number;
  cartridge?: string;
  /** the parts of needN */
  detentN: number;
  frictionN: number;
  shaftN: number;
  /** the spring's numbers used, and the least preload that would beat the hold everywhere */
  preloadN: number;
  rateNPerMm: number;
  preloadNeededN: number;
  detentMNm: number;
  backDriveEfficiency: number;
}

/**
 * The return spring against the driver-off drive train: `typical` takes the board's own numbers, `worst`
 * the weakest spring and the strongest hold its tolerances and physics ranges allow. The spring force and
 * the hold are both linear in the position between the endstop, the skin plane and each cartridge's
 * deepest position, so the least margin is at one of those points.
 */
export function springRetract(b: Board, which: 'typical' | 'worst'): SpringRetract {
  const worst = which === 'worst';
  const tol = (ptr: string, v: number, end: 'min' | 'max'): number => {
    const t = b.tolerances?.[ptr];
    return worst && t ? t[end] : v;
  };
  const range = (r: RangeValue | undefined, fallback: number, end: 'min' | 'max'): number =>
    r === undefined ? fallback : worst ? r[end] : r.typical;
  const c = b.carriage;
  const preloadN = tol('/carriage/return_spring_preload_N', c.return_spring_preload_N, 'min');
  const rateNPerMm = tol('/carriage/return_spring_rate_N_per_mm', c.return_spring_rate_N_per_mm, 'min');
  const frictionN = tol('/carriage/friction_N', c.friction_N, 'max');
  const detentMNm = range(b.physics?.detent_torque_mNm, 0, 'max');
  const eta = range(b.physics?.back_drive_efficiency, b.drive.efficiency, 'min');
  const shaftNPerMm = range(b.physics?.shaft_friction_mN_per_mm, 0, 'max') / 1000; // per needle
  const leadPerRadM = b.drive.lead_mm / 1000 / (2 * Math.PI);
  // the spring drives the rotor back through the screw: it must turn it past the detent's peak
  const detentN = detentMNm / 1000 / (leadPerRadM * eta);
  const g = b.geometry;
  const guardUm = g.retract_um + g.clearance_um;
  const points: { x: number; shaftN: number; cartridge?: string }[] = [
    { x: 0, shaftN: 0 },
    { x: guardUm, shaftN: 0 },
  ];
  for (const cart of b.cartridges) {
    const depthUm = Math.min(g.depth_max_um, cart.max_depth_um);
    points.push({ x: guardUm + depthUm, shaftN: (cart.needles * shaftNPerMm * depthUm) / 1000, cartridge: cart.type });
  }
  const at = points.map((p) => {
    const springN = preloadN + (rateNPerMm * p.x) / 1000;
    const needN = frictionN + detentN + p.shaftN;
    return { ...p, springN, needN };
  });
  const least = at.reduce((a, p) => (p.springN - p.needN < a.springN - a.needN ? p : a));
  const preloadNeededN = Math.max(...at.map((p) => p.needN - (rateNPerMm * p.x) / 1000));
  return {
    springN: least.springN,
    needN: least.needN,
    positionUm: least.x,
    cartridge: least.cartridge,
    detentN,
    frictionN,
    shaftN: least.shaftN,
    preloadN,
    rateNPerMm,
    preloadNeededN,
    detentMNm,
    backDriveEfficiency: eta,
  };
}

/** The refusal of a board whose spring loses somewhere: the numbers, where, and the ways to fix it. */
export function springRetractMessage(s: SpringRetract): string {
  const f = (v: number): string => v.toFixed(2);
  const where = s.cartridge
    ? `at ${f(s.positionUm / 1000)} mm from the endstop (cartridge ${s.cartridge} at its deepest, needles in the skin)`
    : `at ${f(s.positionUm / 1000)} mm from the endstop`;
  return (
    `with the driver off the worst-case spring (preload ${f(s.preloadN)} N, rate ${f(s.rateNPerMm)} N/mm) pushes ${f(s.springN)} N ${where}, ` +
    `but the worst-case hold there is ${f(s.needN)} N (detent ${s.detentMNm.toFixed(1)} mNm through the screw at back-driving efficiency ${f(s.backDriveEfficiency)}: ${f(s.detentN)} N; ` +
    `nut and guide drag ${f(s.frictionN)} N; needles' shaft friction ${f(s.shaftN)} N): the spring could not retract the needles. ` +
    `Fix: a spring whose weakest preload is above ${f(s.preloadNeededN)} N at this rate (with a margin), a lower drag acceptance limit, or a motor specified with less detent torque`
  );
}

function rangesOf(b: Board): [string, RangeValue][] {
  const ph = b.physics as unknown as Record<string, unknown> | undefined;
  if (!ph) return [];
  return Object.keys(ph)
    .sort()
    .filter((k) => isRange(ph[k]))
    .map((k) => [k, ph[k] as RangeValue]);
}

function isRange(v: unknown): boolean {
  return v !== null && typeof v === 'object' && 'min' in v && 'typical' in v && 'max' in v;
}

/**
 * One pen drawn from the board's ranges, the same for the same seed: every tolerance and every
 * physics range uniformly between its min and max, in a fixed order (sorted keys), a number the
 * schema makes an integer rounded to the nearest. The result is a board whose plain numbers and
 * typical values are the drawn ones, and which matches the schema.
 */
export function drawPen(b: Board, seed: number): Board {
  const pen = JSON.parse(JSON.stringify(b)) as Board;
  let s = (seed >>> 0) ^ 0x7e11;
  const next = (): number => {
    // mulberry32, as host-sim/rng.ts
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (const ptr of Object.keys(b.tolerances ?? {}).sort()) {
    const t = b.tolerances![ptr];
    const v = t.min + (t.max - t.min) * next();
    // an integer field (the endstop's switching point, um) takes the nearest whole number, +0 for -0
    pointerSet(pen, ptr, isIntegerField(ptr) ? Math.round(v) + 0 : v);
  }
  for (const [key] of rangesOf(pen)) {
    const r = (pen.physics as unknown as Record<string, RangeValue>)[key];
    r.typical = r.min + (r.max - r.min) * next();
  }
  return pen;
}

/** Which end of each range the firmware's planner takes: the weakest motor and drive, the heaviest, most loaded carriage. */
const PLANNING_WORST_END: Record<string, 'min' | 'max'> = {
  '/motor/holding_torque_mNm': 'min',
  '/motor/rotor_inertia_gcm2': 'max',
  '/drive/efficiency': 'min',
  '/carriage/mass_g': 'max',
  '/carriage/friction_N': 'max',
  '/carriage/return_spring_preload_N': 'max',
  '/carriage/return_spring_rate_N_per_mm': 'max',
};

/**
 * The board as the firmware plans it: every plain number with a range at the end that makes strokes
 * hardest, so the envelope built from it holds on every pen of the ranges. `torqueFactor` is the
 * share of the datasheet's torque the weakest motor gives (from the holding torque's range, else the
 * board's torque_tolerance).
 */
export function planningBoard(b: Board): { board: Board; torqueFactor: number } {
  const pen = JSON.parse(JSON.stringify(b)) as Board;
  for (const [ptr, end] of Object.entries(PLANNING_WORST_END)) {
    const t = b.tolerances?.[ptr];
    if (t) pointerSet(pen, ptr, t[end]);
  }
  const torqueFactor = b.tolerances?.['/motor/holding_torque_mNm']
    ? pen.motor.holding_torque_mNm / b.motor.holding_torque_mNm
    : 1 - b.motor.torque_tolerance;
  return { board: pen, torqueFactor };
}

/**
 * The model the simulator runs a board on unless told: the physical one where the board has its
 * numbers (a physics block that does not ask for the ideal one), else the kinematic one.
 */
export function defaultModel(b: Board): 'ideal' | 'physical' {
  return b.physics && b.physics.model !== 'ideal' ? 'physical' : 'ideal';
}

/** The board with the simulator's motor model chosen. */
export function withModel(b: Board, model: 'ideal' | 'physical'): Board {
  if (model === 'physical' && !b.physics)
    throw new BoardError(`board ${b.name} has no physics block: the physical model needs one`);
  return b.physics ? { ...b, physics: { ...b.physics, model } } : b;
}

function isPathName(file: string, name: string): boolean {
  return basename(file, '.json') === name;
}

export function cartridgeOf(b: Board, type?: string): Cartridge {
  const t = type ?? b.default_cartridge;
  const c = b.cartridges.find((x) => x.type === t);
  if (!c)
    throw new BoardError(
      `unknown cartridge "${t}" for board ${b.name}: valid types are ${b.cartridges.map((x) => x.type).join(', ')}`,
    );
  return c;
}

/** Numbers derived from a board, in SI units unless the name says otherwise. */
export interface Derived {
  stepsPerRev: number;
  stepUm: number;
  /** rad of motor shaft per metre of travel */
  radPerM: number;
  /** moving mass seen at the carriage, rotor and screw inertia included, for a cartridge */
  effectiveMassKg(c: Cartridge): number;
  /** typical pull-out force at the carriage (N) at a carriage speed (m/s) */
  pullOutForceN(speedMps: number): number;
  /** opposing force at the top of a stroke for a cartridge (N): its needles, the drag, the spring at the rest position */
  topLoadN(c: Cartridge): number;
}

export function derive(b: Board): Derived {
  const stepsPerRev = b.motor.full_steps_per_rev * b.driver.microsteps;
  const leadM = b.drive.lead_mm / 1000;
  const radPerM = (2 * Math.PI) / leadM;
  const inertia = (b.motor.rotor_inertia_gcm2 + b.drive.screw_inertia_gcm2) * 1e-7;
  const pts = b.motor.pull_out_curve.points_rpm_mNm;
  const g = b.geometry;
  return {
    stepsPerRev,
    stepUm: (b.drive.lead_mm * 1000) / stepsPerRev,
    radPerM,
    effectiveMassKg: (c) => (b.carriage.mass_g + c.mass_g) / 1000 + inertia * radPerM * radPerM,
    pullOutForceN: (speedMps) => {
      const rpm = (Math.abs(speedMps) / leadM) * 60;
      return (interpolate(pts, rpm) / 1000) * radPerM * b.drive.efficiency;
    },
    topLoadN: (c) =>
      (c.needles * c.needle_force_mN) / 1000 +
      b.carriage.friction_N +
      b.carriage.return_spring_preload_N +
      b.carriage.return_spring_rate_N_per_mm * (g.retract_um / 1000),
  };
}

/** Piecewise-linear interpolation in an ascending table; flat beyond both ends. */
export function interpolate(pts: [number, number][], x: number): number {
  if (x <= pts[0][0]) return pts[0][1];
  for (let i = 1; i < pts.length; i++) {
    if (x <= pts[i][0]) {
      const [x0, y0] = pts[i - 1];
      const [x1, y1] = pts[i];
      return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
  }
  return pts[pts.length - 1][1];
}
