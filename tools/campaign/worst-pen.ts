// The worst pen of a board's ranges for a retract: every tolerance and physics range at the end that
// makes the needles come back slower or not at all (the weakest spring, the most drag and detent, the
// lowest efficiency, the most inertia, the weakest motor). It reads whatever the board file says, so
// a changed range moves the corner with it; a range this table does not know stays typical and is named.
import { Board, RangeValue, withModel } from '../../boards/board.js';

export interface Corner {
  end: 'min' | 'max' | 'typical';
  why: string;
}

/** By JSON pointer: tolerances as in the board's `tolerances`, physics ranges as `/physics/<key>`. */
export const WORST_FOR_RETRACT: Record<string, Corner> = {
  '/carriage/return_spring_preload_N': { end: 'min', why: 'the weakest spring' },
  '/carriage/return_spring_rate_N_per_mm': { end: 'min', why: 'the weakest spring' },
  '/carriage/friction_N': { end: 'max', why: 'the most nut and guide drag' },
  '/carriage/mass_g': { end: 'max', why: 'the most inertia' },
  '/motor/rotor_inertia_gcm2': { end: 'max', why: 'the most inertia' },
  '/motor/holding_torque_mNm': { end: 'min', why: 'the weakest motor' },
  '/motor/phase_resistance_ohm': { end: 'max', why: 'the least current, so the least torque at speed' },
  '/motor/phase_inductance_mH': { end: 'max', why: 'the torque falls soonest with speed' },
  '/drive/efficiency': { end: 'min', why: 'the least of the motor force reaches the carriage' },
  '/driver/supply_V': { end: 'min', why: 'the least voltage, so the least torque at speed' },
  '/physics/detent_torque_mNm': { end: 'max', why: 'the most detent to back-drive with the driver off' },
  '/physics/back_drive_efficiency': { end: 'min', why: 'the spring back-drives the screw the least' },
  '/physics/damping_ratio': { end: 'max', why: 'the most damping of the rotor while the motor retracts' },
  '/physics/rotor_drag_uNms_per_rad': { end: 'max', why: 'the most drag on the rotor the spring turns' },
  '/physics/shaft_friction_mN_per_mm': { end: 'max', why: 'the skin holds the needles the most' },
  '/physics/needle_puncture_mN': { end: 'max', why: 'the heaviest load on the way in (stalls, sags)' },
  '/physics/winding_thermal_resistance_C_per_W': { end: 'max', why: 'the hottest winding, the least torque' },
  '/physics/winding_thermal_time_constant_s': { end: 'min', why: 'the winding heats soonest' },
  '/physics/puncture_depth_um': { end: 'typical', why: 'the skin deflection does not act on the way back' },
  '/physics/endstop_hysteresis_um': {
    end: 'typical',
    why: 'the switch opens further out only; a retract is confirmed where it closes',
  },
  '/endstop/trigger_um': {
    end: 'typical',
    why: 'where the switch sits shifts every position the same way (homing finds it); its tolerance is what --tolerance draws',
  },
};

export interface WorstPen {
  board: Board;
  /** pointer -> the value the worst pen takes */
  values: Record<string, number>;
  /** ranges of the board the table does not know: left typical */
  unknown: string[];
}

/** The worst pen of a board on a model (the ideal model reads only some of the values: tools/qa/tolerance.ts). */
export function worstPen(b: Board, model: 'ideal' | 'physical'): WorstPen {
  const pen = JSON.parse(JSON.stringify(withModel(b, model))) as Board;
  const values: Record<string, number> = {};
  const unknown: string[] = [];
  for (const ptr of Object.keys(b.tolerances ?? {}).sort()) {
    const t = b.tolerances![ptr];
    const c = WORST_FOR_RETRACT[ptr];
    if (!c) unknown.push(ptr);
    if (!c || c.end === 'typical') continue;
    pointerSet(pen, ptr, t[c.end]);
    values[ptr] = t[c.end];
  }
  const ph = (pen.physics ?? {}) as unknown as Record<string, unknown>;
  for (const key of Object.keys(ph).sort()) {
    const r = ph[key] as RangeValue;
    if (!(r !== null && typeof r === 'object' && 'min' in r && 'max' in r && 'typical' in r)) continue;
    const ptr = `/physics/${key}`;
    const c = WORST_FOR_RETRACT[ptr];
    if (!c) unknown.push(ptr);
    if (!c || c.end === 'typical') continue;
    r.typical = r[c.end];
    values[ptr] = r[c.end];
  }
  return { board: pen, values, unknown };
}

/** The worst pen said in one line, for the run's output. */
export function describeWorstPen(w: WorstPen): string {
  const v = Object.entries(w.values).map(([k, x]) => `${k.slice(1)}=${Number(x.toPrecision(4))}`);
  if (!v.length) return 'worst pen: the board gives no ranges, so it is its own numbers';
  return `worst pen: ${v.join(', ')}${w.unknown.length ? `; typical (no known worst end): ${w.unknown.map((k) => k.slice(1)).join(', ')}` : ''}`;
}

function pointerSet(o: unknown, ptr: string, v: number): void {
  const keys = ptr.split('/').slice(1);
  const last = keys.pop()!;
  const parent = keys.reduce<unknown>((a, k) => (a as Record<string, unknown>)[k], o) as Record<string, unknown>;
  parent[last] = v;
}
