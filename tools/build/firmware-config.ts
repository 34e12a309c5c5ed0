// Turns a board file into the constants the firmware is compiled with (assembly/generated/board_config.ts).
// All conversion from physical units to the firmware's integers happens here, at build time.
import { Board, Cartridge, cartridgeOf, derive, planningBoard } from '../../boards/board.js';

/**
 * How far the encoder and the commanded position may be apart before the firmware calls it lost steps
 * (full steps): a rotor in synchronism lags its field by less than one full step (90 degrees electrical,
 * the peak of its torque); further behind it is past its stability limit, held there by something (an
 * obstacle) or slipping. The sensor's latency and noise are under 0.06 full steps at the top speed, and
 * normal strokes stay within 0.7 full steps (docs/hazards.md). It was 1.25: an obstacle near the bottom
 * of a 3.0 mm stroke held the rotor 1.04 full steps behind, unseen until the stroke turned, 22 ms to the
 * retract.
 */
export const ENC_SLIP_FULL_STEPS = 1.0;

/**
 * How far back from its deepest reading the carriage must be before a stroke's bottom is judged (um):
 * an obstacle that holds the needles short is found at that judgment, and a slow, shallow stroke takes
 * milliseconds to come back half its length (an obstacle 0.11 mm short at 0.25 mm / 25 Hz: seen 18.8
 * ms after the hold, the needles out at 20.9). No stroke of the sweeps came back more than 1 um from
 * its deepest before going deeper again (docs/hazards.md).
 */
export const BOTTOM_TURN_UM = 100;

/**
 * A stroke's down half is given the longer time (assembly/envelope.ts DOWN_PERMILLE) only at rates
 * whose period spans at least this many periods of the rotor's oscillation on its magnetic spring:
 * measured on the physical model's worst pen, unequal halves held every depth at or below that rate
 * and took the pen past its stability limit at some shallow, faster settings (docs/simulator.md).
 */
export const SPLIT_ROTOR_PERIODS = 5;

/**
 * The rotor's ringing period under a stroke's load, in periods of its small oscillation (rotorNaturalHz):
 * far from its rest angle the magnetic spring is softer (its stiffness goes as the cosine of the load
 * angle), so a loaded rotor rings slower; 1.51 is its period at 64 degrees. Measured, not derived: a
 * stroke's down half speeding up for about this long left the worst pen of the physical model ringing
 * least (assembly/planjob.ts; the sweep of this number is in docs/simulator.md). 1.49-1.53 did as well;
 * 1.57 took the 45 % share at 34 Hz, which left 24 needles at 0.4 mm 29.5 um short.
 */
export const RING_LOADED_PERIODS = 1.51;

/**
 * A down half shorter than this many small-oscillation periods (8.0 ms: stroke rates above 62 Hz) is
 * far too short to speed up for the ringing period, where the rule above makes it a triangle: it
 * speeds up for SHORT_RAMP_PERIODS instead, or the share that runs nearest to that. As triangles the
 * worst pen stalled at nano 0.2 mm / 68-69 Hz (the load angle past 90 degrees in the first strokes);
 * with the shorter ramp and a cruise it peaks at 84-86 degrees there, 68 at 64 Hz (78 as a triangle).
 * Such a half also takes no share above 40 % (envelope.ts SHORT_SHARE_MOST): where the force check let
 * only the triangle or the 45 % share run (nano 0.2 mm / 70 Hz, 0.25 mm / 66 Hz) they stalled it.
 * Measured, not derived: on the model alone (the firmware's stroke without it) halves below 9.6 ms
 * rang least with a ramp of 0.5-0.6 periods (0.45 and 0.7 rang more), and halves of 10.2-10.4 ms
 * stalled with it.
 */
export const SHORT_HALF_PERIODS = 1.96;
export const SHORT_RAMP_PERIODS = 0.5;

/**
 * Equal halves whose down half speeds up further than this from the ringing period (in small-oscillation
 * periods: 1.0 ms) are tried with the down half longer, as the clamp's search would split them: at the
 * deepest settings of the heavy cartridges equal halves run only with the 40-50 % shares (1.5 ms off),
 * which stalled the worst pen, and the split runs the 30 % share. Measured, not derived: over the inside
 * sweep 0.12-0.37 left the fewest runs not held; 0.5 is equal halves as before, 0 split every stroke up
 * to SPLIT_MAX_FREQ_HZ, which slipped at shallow settings (docs/simulator.md).
 */
export const SPLIT_OFF_PERIODS = 0.25;

/**
 * A down half that speeds up for longer than the ringing period by more than this (in small-oscillation
 * periods: 1.43 ms) does not run its rate, unless it is the lowest: where the force check lets only the
 * longest shares run (the 24- and 36-needle cartridges at 1.4-2.1 mm) such halves stalled the worst pen
 * (speeding up 1.47-1.99 ms too long), and the next lower rate runs a share near the ringing period.
 * Measured, not derived: at the edge on the worst pen, halves 1.35 ms too long held well (36 needles at
 * 1.7 mm / 28 Hz, 72-74 degrees), and from 1.47 ms on they stalled or peaked at 73-90 degrees; below
 * 2.1 mm the default cartridge's are at most 1.14 ms too long (docs/simulator.md).
 */
export const RING_OVER_PERIODS = 0.35;

/** How long a button is held before the firmware calls it stuck (ms): the board's, or 5 s. */
export function stuckButtonMs(b: Board): number {
  return b.buttons.stuck_ms ?? 5000;
}

/**
 * Small-oscillation frequency (Hz) of the slowest rotor of the board's ranges on its magnetic spring:
 * stiffness holding torque x pole pairs against the rotor's, the screw's and the heaviest carriage's inertia.
 */
export function rotorNaturalHz(plan: Board): number {
  const polePairs = plan.motor.full_steps_per_rev / 4;
  const stiffnessNmPerRad = (plan.motor.holding_torque_mNm / 1000) * polePairs;
  const leadPerRadM = plan.drive.lead_mm / 1000 / (2 * Math.PI);
  const heaviestKg = (plan.carriage.mass_g + Math.max(...plan.cartridges.map((c) => c.mass_g))) / 1000;
  const inertiaKgM2 =
    (plan.motor.rotor_inertia_gcm2 + plan.drive.screw_inertia_gcm2) * 1e-7 + heaviestKg * leadPerRadM ** 2;
  return Math.sqrt(stiffnessNmPerRad / inertiaKgM2) / (2 * Math.PI);
}

export function firmwareConfigSource(b: Board): string {
  const d = derive(b);
  // the planner's force model: the worst end of every range (boards/board.ts), so the envelope holds on every pen
  const plan = planningBoard(b);
  const dp = derive(plan.board);
  const lines: string[] = [];
  const i32 = (name: string, v: number, why: string): void => {
    if (!Number.isInteger(v) || v < -(2 ** 31) || v > 2 ** 31 - 1) throw new Error(`${name} = ${v} does not fit an i32`);
    lines.push(`/** ${why} */\nexport const ${name}: i32 = ${v};`);
  };
  const i64 = (name: string, v: number, why: string): void => {
    if (!Number.isSafeInteger(v)) throw new Error(`${name} = ${v} is not an integer`);
    lines.push(`/** ${why} */\nexport const ${name}: i64 = ${v};`);
  };
  const arr = (name: string, vs: number[], why: string): void => {
    vs.forEach((v) => { if (!Number.isInteger(v) || Math.abs(v) > 2 ** 31 - 1) throw new Error(`${name}: ${v} does not fit an i32`); });
    // a static array literal: laid out at compile time with its length, so indices into it are bounds-checked
    lines.push(`/** ${why} */\nexport const ${name}: StaticArray<i32> = [${vs.join(', ')}];`);
    lines.push(`export const ${name}_LEN: i32 = ${vs.length};`);
  };
  const t = b.timing;
  const g = b.geometry;
  const leadM = b.drive.lead_mm / 1000;
  const worst = plan.torqueFactor;
  const pts = b.motor.pull_out_curve.points_rpm_mNm;
  if (pts.length > 16) throw new Error('pull_out_curve: at most 16 points fit the firmware table');

  i64('STEP_TIMER_HZ', t.step_timer_hz, 'step timer clock (Hz)');
  i32('CONTROL_HZ', t.control_hz, 'control ticks per second');
  i32('QUEUE_LEN', t.step_queue_len, 'segments the HAL step queue holds');
  i64('QUEUE_LEAD_STEP_TICKS', Math.round((t.queue_lead_ms * t.step_timer_hz) / 1000), 'keep this much motion queued ahead (step timer ticks)');
  i64('STEP_TOL_STEP_TICKS', Math.floor((t.step_time_tolerance_us * t.step_timer_hz) / 1e6), 'largest compression error per step (step timer ticks)');
  i64('STEPS_PER_REV', d.stepsPerRev, 'microsteps per motor revolution');
  i32('MICROSTEPS', b.driver.microsteps, 'microsteps per full step');
  i64('LEAD_NM', Math.round(b.drive.lead_mm * 1e6), 'carriage travel per revolution (nm)');
  i32('RETRACT_UM', g.retract_um, 'rest position between strokes, from the endstop (um)');
  i32('CLEARANCE_UM', g.clearance_um, 'tips behind the guard plane at rest (um)');
  i32('DEPTH_MIN_UM', g.depth_min_um, 'shallowest settable depth (um)');
  i32('DEPTH_MAX_UM', g.depth_max_um, 'deepest settable depth on this board (um)');
  i32('FREQ_MIN_HZ', b.stroke.freq_min_hz, 'lowest stroke rate (Hz)');
  i32('FREQ_MAX_HZ', b.stroke.freq_max_hz, 'highest stroke rate (Hz)');
  arr('SPEED_LEVELS_HZ', b.stroke.speed_levels_hz, 'stroke rate of speed levels 1..n (Hz)');
  i32('MARGIN_PERMILLE', Math.round(b.stroke.torque_margin * 1000), 'share of the pull-out force the planner uses');
  i64('MAX_STEP_RATE', Math.floor(b.driver.max_step_rate_hz), 'highest step rate (steps/s)');
  arr('CURVE_SPEED_UM_S', pts.map(([rpm]) => Math.round((rpm / 60) * leadM * 1e6)), 'carriage speed of the pull-out curve points (um/s)');
  arr('CURVE_FORCE_MN', pts.map(([, mNm]) => Math.floor((mNm / 1000) * worst * d.radPerM * plan.board.drive.efficiency * 1000)),
    "worst-case pull-out force at the carriage at those speeds (mN): the weakest motor's torque through the least efficient screw");
  arr('CART_NEEDLES', b.cartridges.map((c) => c.needles), 'needles per cartridge, in board order');
  arr('CART_MAX_DEPTH_UM', b.cartridges.map((c) => c.max_depth_um), 'needle length past the guard plane per cartridge (um)');
  arr('CART_MASS_MG', b.cartridges.map((c) => Math.ceil(dp.effectiveMassKg(c) * 1e6)), 'heaviest moving mass at the carriage with rotor inertia, per cartridge (mg)');
  // The force model does not see the rotor's ringing, which the needles' friction damps: with fewer
  // needles of the default cartridge's kind the planner let the rate rise 1-2 Hz above the default's
  // edge, and there the worst pen with 12 needles stalled (once slipped) at 85-91 degrees (0.45-0.57,
  // 0.81, 1.82, 2.17 and 2.25 mm: docs/simulator.md). Such a cartridge is planned with the default's
  // load. (Another kind of needle has its own edge, measured: the nano's holds.)
  const deflt = cartridgeOf(b, b.default_cartridge);
  const planLoadN = (c: Cartridge): number =>
    c.needle_force_mN === deflt.needle_force_mN ? Math.max(dp.topLoadN(c), dp.topLoadN(deflt)) : dp.topLoadN(c);
  arr('CART_LOAD_MN', b.cartridges.map((c) => Math.ceil(planLoadN(c) * 1000)), "opposing force per cartridge on the worst pen at the top of a stroke: needles, friction, spring at rest (mN); with fewer needles of the default cartridge's kind, the default's");
  const springTopN = (c: Board['carriage']): number =>
    c.return_spring_preload_N + c.return_spring_rate_N_per_mm * (g.retract_um / 1000);
  const weakest = (ptr: string, v: number): number => b.tolerances?.[ptr]?.min ?? v;
  i32('SPRING_TOP_MN', Math.ceil(springTopN(plan.board.carriage) * 1000), "the strongest return spring's force at the rest position (mN): the spring's part of CART_LOAD_MN");
  i32('SPRING_HELP_PERMILLE', Math.floor(1000 * Math.min(
      weakest('/carriage/return_spring_preload_N', b.carriage.return_spring_preload_N) / plan.board.carriage.return_spring_preload_N,
      weakest('/carriage/return_spring_rate_N_per_mm', b.carriage.return_spring_rate_N_per_mm) / plan.board.carriage.return_spring_rate_N_per_mm)),
    "the weakest spring's share of the strongest (per mille): a spring that helps a move is counted at this");
  i32('SPLIT_MAX_FREQ_HZ', Math.floor(rotorNaturalHz(plan.board) / SPLIT_ROTOR_PERIODS),
    `highest stroke rate whose down half is given the longer time: ${SPLIT_ROTOR_PERIODS} periods of the slowest rotor's oscillation a stroke (Hz)`);
  i32('RING_PERIOD_US', Math.round((RING_LOADED_PERIODS * 1e6) / rotorNaturalHz(plan.board)),
    `the slowest rotor's ringing period under a stroke's load: ${RING_LOADED_PERIODS} periods of its small oscillation (us)`);
  i32('SHORT_HALF_US', Math.round((SHORT_HALF_PERIODS * 1e6) / rotorNaturalHz(plan.board)),
    `a down half shorter than this speeds up for SHORT_RAMP_US, not the ringing period: ${SHORT_HALF_PERIODS} small-oscillation periods (us)`);
  i32('SHORT_RAMP_US', Math.round((SHORT_RAMP_PERIODS * 1e6) / rotorNaturalHz(plan.board)),
    `how long a short down half speeds up: ${SHORT_RAMP_PERIODS} small-oscillation periods (us)`);
  i32('SPLIT_OFF_US', Math.round((SPLIT_OFF_PERIODS * 1e6) / rotorNaturalHz(plan.board)),
    `equal halves that speed up this far from the ringing period are tried with the down half longer: ${SPLIT_OFF_PERIODS} small-oscillation periods (us)`);
  i32('RING_OVER_US', Math.round((RING_OVER_PERIODS * 1e6) / rotorNaturalHz(plan.board)),
    `a down half that speeds up longer than the ringing period by more than this does not run its rate (but the lowest): ${RING_OVER_PERIODS} small-oscillation periods (us)`);
  i32('SPRING_RATE_UN_PER_UM', Math.ceil(plan.board.carriage.return_spring_rate_N_per_mm * 1000), "the stiffest spring's rate: the load grows by this much per um of travel (uN/um)");
  i32('HOMING_INTERVAL_STEP_TICKS', Math.round(t.step_timer_hz / ((b.homing.speed_mm_s * 1000) / d.stepUm)), 'step interval of homing moves (step timer ticks)');
  i32('HOMING_RELEASE_UM', b.homing.release_um, 'move off an active endstop by this much first (um)');
  i32('HOMING_TRAVEL_UM', b.homing.travel_max_um, 'longest homing move (um)');
  const ticksPerControl = t.control_hz;
  const ms = (v: number): number => Math.max(1, Math.round((v * ticksPerControl) / 1000));
  i32('DEBOUNCE_CONTROL_TICKS', ms(b.buttons.debounce_ms), 'control ticks a button level must hold');
  i32('REPEAT_DELAY_CONTROL_TICKS', ms(b.buttons.repeat_delay_ms), 'control ticks before a held depth button repeats');
  i32('REPEAT_CONTROL_TICKS', ms(b.buttons.repeat_ms), 'control ticks between repeats');
  i32('LONG_PRESS_CONTROL_TICKS', ms(b.buttons.long_press_ms), 'control ticks of a long press');
  i32('DEPTH_STEP_UM', b.buttons.depth_step_um, 'depth change per button press (um)');
  i32('STUCK_BUTTON_CONTROL_TICKS', ms(stuckButtonMs(b)), 'a button held this long is stuck (control ticks)');
  i32('IDLE_OFF_S', b.idle_off_s ?? 300, 'auto-off after this long ready or paused with no input (s)');
  i32('BATTERY_MIN_MV', Math.round(b.battery.empty_V * 1000), 'below this cell voltage the pen will not start, and retracts if running (mV)');
  encoderConfig(b, d.stepsPerRev, i32, i64);

  if (pts.length && Math.max(b.homing.speed_mm_s * 1000 / d.stepUm) > b.motor.pull_in_rate_full_steps_s * b.driver.microsteps) {
    throw new Error('homing.speed_mm_s: above the motor pull-in rate; homing moves start without a ramp');
  }
  // no string constants: each would cost a UTF-16 copy in the module's data
  return `// Generated from boards/${b.name}.json by \`pen build\`. Do not edit: change the board file.\n\n${lines.join('\n')}\n`;
}

/** The shaft encoder's constants; a board without one gets ENCODER_FITTED = 0 and runs open loop. */
function encoderConfig(
  b: Board,
  stepsPerRev: number,
  i32: (name: string, v: number, why: string) => void,
  i64: (name: string, v: number, why: string) => void,
): void {
  const e = b.encoder;
  const cpr = e ? 2 ** e.bits : 1;
  const countsOfUm = (um: number): number => Math.round((um / (b.drive.lead_mm * 1000)) * cpr);
  if (e) {
    // the position is absolute within one turn: the whole travel must lie inside it
    const lo = e.zero_count + countsOfUm(b.geometry.rear_stop_um);
    const hi = e.zero_count + countsOfUm(b.geometry.front_stop_um);
    if (lo < 0 || hi >= cpr) throw new Error(`encoder.zero_count: the travel (counts ${lo}..${hi}) leaves the turn 0..${cpr - 1}`);
  }
  const g = b.geometry;
  i32('ENCODER_FITTED', e ? 1 : 0, 'the board has a shaft encoder (the runtime may still report it absent)');
  i64('ENC_COUNTS_PER_REV', cpr, 'encoder counts per motor revolution');
  i32('ENC_ZERO_COUNT', e ? e.zero_count : 0, "encoder count with the carriage at the endstop's design point");
  i32('ENC_SLIP_COUNTS', Math.floor((ENC_SLIP_FULL_STEPS * b.driver.microsteps * cpr) / stepsPerRev), `encoder and commanded position further apart than ${ENC_SLIP_FULL_STEPS} full steps: steps were lost (counts)`);
  i32('ENC_TURN_COUNTS', countsOfUm((g.clearance_um + g.depth_min_um) / 2), 'a stroke turns at its top when the carriage is back this far from its extreme: half the shortest stroke (counts)');
  i32('ENC_BOTTOM_TURN_COUNTS', countsOfUm(Math.min(BOTTOM_TURN_UM, (g.clearance_um + g.depth_min_um) / 2)), `a stroke turns at its bottom when the carriage is back this far from its deepest: ${BOTTOM_TURN_UM} um (counts)`);
}
