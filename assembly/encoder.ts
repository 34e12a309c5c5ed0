// Closed loop with the shaft encoder, where the board has one and the runtime reads it: each stroke's
// bottom (the real depth) and top measured from the encoder's peaks, and lost steps seen within the
// stroke at any speed, also where StallGuard is blind (slow, or just after a reversal). Without an
// encoder (ENC_ABSENT) the pen runs open loop as before and STATUS? says so. The encoder's position
// is absolute within one turn (board encoder.zero_count), so depths need no homing to be true.
// Owns the encoder's status, the commanded-to-measured offset and the stroke measurements.
import { ENC_ABSENT, ENC_HIGH, ENC_LOW, ENC_NOW, ENC_OK, F_ENCODER_SLIP, ST_PAUSED, ST_READY, ST_RUNNING } from "./abi";
import { encoder_count, encoder_status, step_position } from "./hal";
import { put, putInt, putField } from "./textio";
import { machineState, enterFault, turnFaultFound } from "./machine";
import { motionBusy, measuringNewestPlan, measuredTrim, measuredTrimIndex, pushConstantMove } from "./motion";
import { homeMoving } from "./homing";
import { retractMoving } from "./retract";
import { strokePlanCount } from "./planjob";
import {
  CLEARANCE_UM,
  ENCODER_FITTED,
  ENC_COUNTS_PER_REV,
  ENC_SLIP_COUNTS,
  ENC_TURN_COUNTS,
  ENC_BOTTOM_TURN_COUNTS,
  ENC_ZERO_COUNT,
  LEAD_NM,
  MAX_STEP_RATE,
  RETRACT_UM,
  STEP_TIMER_HZ,
  STEPS_PER_REV,
} from "./generated/board_config";

/**
 * ticks of failed readings while stroking before the encoder counts as lost: one. A second tick's wait
 * is a millisecond that a second fault, handing the retract to the spring at the deepest bottom, cannot spare
 */
const ERROR_TICKS: i32 = 1;
/** Q16 fixed point: counts per step and micrometres per count, so each tick multiplies, never divides */
const COUNTS_PER_STEP_Q16: i64 = (ENC_COUNTS_PER_REV * 65536 + STEPS_PER_REV / 2) / STEPS_PER_REV;
const UM_PER_COUNT_Q16: i64 = (LEAD_NM * 65536) / (ENC_COUNTS_PER_REV * 1000);
const GUARD_UM: i32 = RETRACT_UM + CLEARANCE_UM;
const LAG_INTERVAL_STEP_TICKS: i32 = <i32>(STEP_TIMER_HZ / MAX_STEP_RATE);
/**
 * A loss below the slip threshold still moves every stroke after it by what was lost: each top turn
 * is measured against the one two strokes before (a loss spread over a turn shows whole), so a shift
 * of more than this is steps lost, while the slow drift of a warming winding never adds up to it. On
 * one setting and trim the tops of the worst and drawn pens moved at most 6.2 um (4 counts) over
 * 620,000 turns of the sweeps (docs/simulator.md); a glitch that cost a drawn pen two strokes 25 um
 * deep moved its top 10.9 um, under the 12 um this was
 */
export const TOP_DRIFT_UM: i32 = 8;
const TOP_DRIFT_COUNTS: i32 = <i32>((<i64>TOP_DRIFT_UM * 1000 * ENC_COUNTS_PER_REV) / LEAD_NM);
/**
 * A suspected loss (a bottom deeper than it should be) is confirmed by the next top against the top
 * before that bottom: further apart than this. Those tops span a trim or the settling after a start,
 * where no step lost moved them 9.3 um (docs/simulator.md)
 */
export const LOSS_CONFIRM_UM: i32 = 12;
const LOSS_CONFIRM_COUNTS: i32 = <i32>((<i64>LOSS_CONFIRM_UM * 1000 * ENC_COUNTS_PER_REV) / LEAD_NM);
/** the same for each bottom, on one stroke plan: the depth is the promise (20 um), the bottoms' scatter about 1 um */
export const BOTTOM_SHIFT_UM: i32 = 15;
/**
 * the second bottom after a change of the trim against the first: that one still rings from the
 * trim's longer half. Over 12,600 trims of the sweeps the second settled at most 17 um either way of
 * it, no step lost; twice BOTTOM_SHIFT_UM (30 um) let an obstacle 30 um short of the first pass
 */
const AFTER_TRIM_SHIFT_UM: i32 = 22;
/** bottoms and tops left alone after a start, a new setting (a depth or rate) or a change of the depth trim: the queue still held the old one, or the strokes ring from the change */
const PLAN_SETTLE_STROKES: i32 = 2;
/** the needles count as retracted when their tips are at least half the clearance behind the guard plane */
const RETRACTED_TIP_UM: i32 = -(CLEARANCE_UM / 2);
/** what encoderRetractState() answers */
export const ENC_RETRACT_UNKNOWN: i32 = -1;
export const ENC_RETRACT_NO: i32 = 0;
export const ENC_RETRACT_YES: i32 = 1;

let status: i32 = 1; // ENC_ABSENT until the first tick reads it
let synced: bool = false; // offset taken at rest since the last fault, homing or power-off
let fresh: bool = false; // the peaks still hold readings from before the strokes started
let offsetCounts: i64 = 0; // encoder minus commanded position (counts), taken at rest
let errorTicks: i32 = 0;
let goingDown: bool = true;
let runHigh: i32 = 0;
let runLow: i32 = 0;
let lastDepthUm: i32 = -1; // deepest tip of the last stroke (um past the guard plane), -1 none yet
let lastTopUm: i32 = 0; // where the last stroke turned back at the top (um from the endstop)
let depthMaxUm: i32 = -1; // deepest stroke since resetMeasuredDepth()
let depthMinUm: i32 = -1; // shallowest stroke since resetMeasuredDepth()
let measuredStrokes: i32 = 0;
let restCounts: i32 = 0; // the encoder at rest at the top, when the offset was taken
let topsSeen: i32 = 0; // top turns measured on the setting in use (negative: still to leave alone)
let topSettings: i32 = 0; // the planner's count of setting plans when the tops were last compared
let topsWaitSwitch: bool = false; // a new setting is handed over: its strokes are not yet measured
let topPrevCounts: i32 = 0; // the last top turn's peak less restCounts
let topPrev2Counts: i32 = 0; // the one before it
let topTrims: i32 = 0; // the trim's changes when the tops were last compared (measuredTrimIndex())
let bottomTrims: i32 = 0; // the trim's changes when the bottoms were last compared
let bottomsSeen: i32 = 0; // bottoms measured on the plan in use (negative: still to leave alone)
let bottomPlans: i32 = 0; // the planner's plan count when the bottoms were last compared
let bottomPrevUm: i32 = 0; // the last bottom
let bottomPrev2Um: i32 = 0; // the one before it
let bottomTrim: i32 = 0; // the depth trim the last bottom ran with (motion.ts measuredTrim)
let bottomKnown: bool = false; // the last bottom ran the setting in force (since the start, its newest plan)
let afterTrim: i32 = 0; // 1: the next bottom compared is the second after a change of the trim
let topLast: i32 = 0; // the last three top turns less the depth trim in force (counts), whatever the setting
let topLast1: i32 = 0;
let topLast2: i32 = 0;
let topsKnown: i32 = 0; // top turns in topLast.. since the start (the start itself is from rest: no turn)
let suspect: bool = false; // a bottom moved as lost steps would: the next top (or rest) judges it
let suspectTop: i32 = 0; // the top before the bottom it was compared with, less its trim

/** Carriage position (um from the endstop's design point) of an encoder count: the middle of the count, rounded. */
function countsToUm(c: i32): i32 {
  return <i32>((<i64>(c - ENC_ZERO_COUNT) * UM_PER_COUNT_Q16 + UM_PER_COUNT_Q16 / 2 + 32768) >> 16);
}

/** Each control tick, after the machine's: read the encoder, check it against the commanded position, measure strokes. */
export function encoderTick(): void {
  if (ENCODER_FITTED == 0) return;
  status = encoder_status();
  if (status == ENC_ABSENT) return;
  const state = machineState();
  if (state != ST_RUNNING && state != ST_READY && state != ST_PAUSED) {
    synced = false;
    suspect = false;
    return;
  }
  if (status != ENC_OK) {
    // (after the machine's tick: on the way up the fault waits for the next tick, whose retract's first
    // segments follow the flush at once, machine.ts turnFaultFound)
    if (state == ST_RUNNING && synced && ++errorTicks >= ERROR_TICKS) turnFaultFound(F_ENCODER_SLIP);
    return;
  }
  errorTicks = 0;
  const now = encoder_count(ENC_NOW);
  const commandedCounts = (<i64>step_position() * COUNTS_PER_STEP_Q16) >> 16;
  if (state != ST_RUNNING) {
    // at rest with the driver on the rotor sits on the field: the offset between the two positions
    if (!motionBusy()) {
      // the strokes stopped before the top that would judge a suspicion: the rest position judges it
      if (suspect && synced) confirmLoss(<i64>now - commandedCounts - offsetCounts);
      suspect = false;
      offsetCounts = <i64>now - commandedCounts;
      restCounts = now;
      synced = true;
      fresh = true;
    }
    return;
  }
  // the position check after a stop drives to the endstop on purpose (homing.ts judges it)
  if (!synced || homeMoving()) return;
  const err = <i64>now - commandedCounts - offsetCounts;
  if (<u64>(err + ENC_SLIP_COUNTS) > <u64>(2 * ENC_SLIP_COUNTS)) {
    enterFault(F_ENCODER_SLIP, false);
    // held short of the field (an obstacle): the motor's retract would spend its first milliseconds
    // taking back that lag with the needles still in (14.2 ms to the needles out from a 3.0 mm bottom,
    // 9 with this). The field goes back onto the rotor first, at the top step rate (the rotor need not
    // follow it); the retract's segments follow it, and the endstop stops the whole
    if (err < 0 && retractMoving())
      pushConstantMove(<i32>((-err * STEPS_PER_REV) / ENC_COUNTS_PER_REV), LAG_INTERVAL_STEP_TICKS, false, 0);
    return;
  }
  const hi = encoder_count(ENC_HIGH);
  const lo = encoder_count(ENC_LOW);
  if (fresh) {
    // the first tick of the strokes: the peaks date from before; start from here, going down
    fresh = false;
    goingDown = true;
    runHigh = now;
    runLow = now;
    // the first top measured is the first stroke's, which started from rest and still rings (12 um
    // off the next one on a drawn pen at 0.45 mm / 53 Hz): compared from the third
    topsSeen = -PLAN_SETTLE_STROKES + 1;
    topSettings = strokePlanCount();
    topsWaitSwitch = false;
    topsKnown = 0;
    suspect = false;
    bottomsSeen = -PLAN_SETTLE_STROKES;
    bottomKnown = false;
    return;
  }
  trackStroke(now, hi, lo);
}

/** A stroke turns when the carriage is back from its extreme (ENC_BOTTOM_TURN_COUNTS from the bottom, ENC_TURN_COUNTS from the top). */
function trackStroke(now: i32, hi: i32, lo: i32): void {
  if (goingDown) {
    if (hi > runHigh) runHigh = hi;
    if (now >= runHigh - ENC_BOTTOM_TURN_COUNTS) return;
    const depth = countsToUm(runHigh) - GUARD_UM;
    if (depth > 0) {
      // a move that stays behind the guard plane is no stroke
      strokeBottom(depth);
      checkBottom(depth);
    }
    goingDown = false;
    runLow = lo;
  } else {
    if (lo < runLow) runLow = lo;
    if (now <= runLow + ENC_TURN_COUNTS) return;
    lastTopUm = countsToUm(runLow);
    goingDown = true;
    runHigh = hi;
    checkTop(runLow - restCounts);
  }
}

/**
 * Steps lost below the slip threshold: the top turn shifted from the one two strokes before. A new
 * setting (a rate or depth) turns at the top with another lag: its tops are compared among themselves
 * once the strokes have switched to it and rung out (PLAN_SETTLE_STROKES).
 */
function checkTop(topCounts: i32): void {
  // the trim moves the whole stroke, its top too
  // (in i32: the trims span 2.5 MICROSTEPS, a few million in Q16)
  const trimmed = topCounts - ((measuredTrim() * <i32>COUNTS_PER_STEP_Q16) >> 16);
  if (suspect) {
    suspect = false;
    confirmLoss(<i64>(trimmed - suspectTop));
  }
  topLast2 = topLast1;
  topLast1 = topLast;
  topLast = trimmed;
  topsKnown++; // from each start: 2^31 strokes are 300 days of stroking
  const settings = strokePlanCount();
  if (settings != topSettings) {
    topSettings = settings;
    topsWaitSwitch = true;
  }
  // counted from the strokes' switch to the new setting, not from its handing over: the strokes before
  // the switch ran the setting before, and its first tops still ring from the change
  if (topsWaitSwitch) {
    topsSeen = -PLAN_SETTLE_STROKES;
    topsWaitSwitch = !measuringNewestPlan();
  }
  // a change of the depth trim lengthens one half: the strokes after it ring in another phase, and
  // their tops move by other than the trim (3 microsteps, 24 um, moved them about 6 um on a drawn
  // pen at 2.89 mm): compared among themselves from the third top after it. A new setting's first
  // trims come while its own tops still settle: a trim never shortens what is left of that wait (a
  // drawn pen from 0.27 mm / 61 Hz to 0.56 mm / 50 Hz: the tip's tops moved 31, 10 and 3 um a stroke)
  const trims = measuredTrimIndex();
  if (trims != topTrims) {
    topTrims = trims;
    if (topsSeen > -PLAN_SETTLE_STROKES + 1) topsSeen = -PLAN_SETTLE_STROKES + 1;
  }
  // a top left alone restarts the history: the first one compared is held to the one just before
  if (topsSeen <= 0) topPrevCounts = topCounts;
  const shift = topCounts - topPrev2Counts;
  topPrev2Counts = topPrevCounts;
  topPrevCounts = topCounts;
  // that first comparison meets the settling's last ring: held to LOSS_CONFIRM_UM (no step lost moved
  // it 10.9 um over 12,400 such tops of the sweeps); the next ones to TOP_DRIFT_UM (topsSeen counts
  // on, as topsKnown). Outside +-drift is one unsigned comparison: fewer module bytes than two, docs/porting.md
  const drift = topsSeen > 1 ? TOP_DRIFT_COUNTS : LOSS_CONFIRM_COUNTS;
  if (topsSeen++ > 0 && <u32>(shift + drift) > <u32>(2 * drift)) {
    if (drift == TOP_DRIFT_COUNTS) turnFaultFound(F_ENCODER_SLIP);
    // the first one further off is judged by the next top, as a deeper bottom is: tops that alternate
    // stroke to stroke (the ringing repeats every second stroke) read 12.4 um one apart and agree two
    // apart (the STM32F405 board's worst pen, 16 needles at 0.55 mm / 33 Hz); a loss moves both
    else if (!suspect) {
      suspect = true;
      suspectTop = topLast1;
    }
  }
}

/**
 * A change of the depth trim moves the first bottom after it by its length times 0.6-1.8 (the bottom
 * meets the detent and microstep in another phase, docs/simulator.md); a bottom that moved outside half
 * to twice that, give or take BOTTOM_SHIFT_UM, lost steps (a loss while the trim settles would be
 * made up by the next trims unseen: the bottoms are compared on one trim only).
 */
const TRIM_GAIN_LOW_PERMILLE: i32 = 500;
const TRIM_GAIN_HIGH_PERMILLE: i32 = 2000;
const STEP_NM: i32 = <i32>(LEAD_NM / STEPS_PER_REV);

/**
 * Steps lost below the slip threshold: a bottom shifted from the one two strokes before, on the same
 * plan and trim; across a change of the trim alone, the first bottom against the last one before it,
 * the second against the first within AFTER_TRIM_SHIFT_UM either way, and the third against the second.
 * The first still rings from the trim's longer half: on the worst pen the second settled 17 um above
 * it (24 needles at 1.55 mm / 31 Hz) or 15 um below (36 needles at 0.65 mm / 34 Hz), no step lost, and
 * the third stayed there. Left alone, the second hid an obstacle met there for 40 ms; held to the one
 * before the trim, as the first is, it stopped 36 needles at 0.25 mm and 12 and 16 at 0.5 mm / 25 Hz
 * (docs/simulator.md).
 */
function checkBottom(depthUm: i32): void {
  const plans = strokePlanCount();
  const trims = measuredTrimIndex();
  const trim = measuredTrim();
  // a bottom of the plan handed last, not of the one before: while the next setting is still being
  // planned the strokes run on as they were, and are compared on (an obstacle met then was first
  // seen by the new setting's trims, 228.6 ms after the hold: tests/sim/encoder.test.ts)
  const newest = measuringNewestPlan();
  if (plans != bottomPlans || trims != bottomTrims || !newest) {
    bottomsSeen = -PLAN_SETTLE_STROKES;
    afterTrim = 0;
    if (plans == bottomPlans && newest && bottomKnown) {
      // in i32: the trims span 2.5 MICROSTEPS, so d times 2000 stays under 2^31 for any lead under 85 mm
      const d = (trim - bottomTrim) * STEP_NM;
      const a = (d * TRIM_GAIN_LOW_PERMILLE) / 1000;
      const b = (d * TRIM_GAIN_HIGH_PERMILLE) / 1000;
      const moved = (depthUm - bottomPrevUm) * 1000;
      const slack = BOTTOM_SHIFT_UM * 1000;
      if (moved < min(a, b) - slack) {
        turnFaultFound(F_ENCODER_SLIP);
        return;
      }
      if (moved > max(a, b) + slack) suspectLoss(1);
      bottomsSeen = 0; // the next bottom is compared with this one
      afterTrim = 1;
    }
    bottomPlans = plans;
    bottomTrims = trims;
  }
  bottomKnown = newest;
  bottomTrim = trim;
  if (bottomsSeen <= 0) {
    bottomsSeen++;
    bottomPrevUm = depthUm;
    bottomPrev2Um = depthUm;
    return;
  }
  const shift = depthUm - bottomPrev2Um;
  bottomPrev2Um = afterTrim ? depthUm : bottomPrevUm;
  bottomPrevUm = depthUm;
  const slack = afterTrim ? AFTER_TRIM_SHIFT_UM : BOTTOM_SHIFT_UM;
  if (shift < -slack) turnFaultFound(F_ENCODER_SLIP);
  else if (shift > slack) suspectLoss(2);
  afterTrim = 0;
}

/**
 * A bottom deeper than the one `back` strokes before, as lost steps would leave it. Lost steps move
 * the whole stroke, its top too; a bottom alone also moves while the strokes settle after the trims
 * from a start (the worst pen at 0.5 mm / 25 Hz, 24 and 36 needles: 17-30 um deeper, no step lost;
 * the model settles over up to six strokes, docs/simulator.md). So the next top turn (or the rest
 * position, if the strokes stop first), less its trim, is compared with the top before that bottom:
 * further than LOSS_CONFIRM_UM off, steps were lost. That top comes before the next bottom: no deeper
 * stroke runs while it is judged. A shallower bottom (an obstacle, or steps lost on the way in) stops
 * the strokes at once, and so does a deeper one before that top is known (the first strokes start
 * from rest, which turns with no lag).
 */
function suspectLoss(back: i32): void {
  if (suspect) return; // the first suspicion's top is the older one: it spans both
  if (topsKnown <= back) {
    turnFaultFound(F_ENCODER_SLIP);
    return;
  }
  suspect = true;
  suspectTop = back == 1 ? topLast1 : topLast2;
}

function confirmLoss(shiftCounts: i64): void {
  if (<u64>(shiftCounts + LOSS_CONFIRM_COUNTS) > <u64>(2 * LOSS_CONFIRM_COUNTS)) turnFaultFound(F_ENCODER_SLIP);
}

function strokeBottom(depthUm: i32): void {
  lastDepthUm = depthUm;
  if (depthMaxUm < 0 || depthUm > depthMaxUm) depthMaxUm = depthUm;
  if (depthMinUm < 0 || depthUm < depthMinUm) depthMinUm = depthUm;
  measuredStrokes++;
}

/** STATUS? keys: `encoder=ok|absent|error` (absent: open loop) and `measured=` the last stroke's depth in mm to the micrometre, or none. */
export function putEncoderStatus(): void {
  put(" encoder=");
  putField("ok|absent|error", encoderStatus());
  put(" measured=");
  const d = lastDepthUm;
  if (d < 0) {
    put("none");
    return;
  }
  putInt(d / 1000);
  put(".");
  const f = d % 1000;
  putInt(f / 100);
  putInt((f / 10) % 10);
  putInt(f % 10);
}

/** The encoder's ENC_STATUS_* as last read (ENC_ABSENT on a board without one): not ENC_OK means open loop. */
export function encoderStatus(): i32 {
  return ENCODER_FITTED == 0 ? ENC_ABSENT : status;
}

/** The pen runs closed loop: an encoder answers and its offset to the commanded position is known. */
export function encoderClosedLoop(): bool {
  return ENCODER_FITTED != 0 && status == ENC_OK && synced;
}

/** The last stroke's measured depth (um past the guard plane), -1 when none was measured (or open loop). */
export function lastMeasuredDepthUm(): i32 {
  return lastDepthUm;
}

/** Where the last stroke turned at the top (um from the endstop's design point). */
export function lastMeasuredTopUm(): i32 {
  return lastTopUm;
}

/** Strokes measured since power-on (a treatment log can difference it). */
export function measuredStrokeCount(): i32 {
  return measuredStrokes;
}

/** Deepest and shallowest measured stroke since resetMeasuredDepth() (um), -1 when none: for the treatment log. */
export function measuredDepthMaxUm(): i32 {
  return depthMaxUm;
}
export function measuredDepthMinUm(): i32 {
  return depthMinUm;
}
/** Start a new range for measuredDepthMaxUm/MinUm (e.g. when a log segment opens). */
export function resetMeasuredDepth(): void {
  depthMaxUm = -1;
  depthMinUm = -1;
}

/** The needles' tip now by the encoder (um past the guard plane, negative behind it); only valid when encoderStatus() is ENC_OK. */
export function encoderTipUm(): i32 {
  return countsToUm(encoder_count(ENC_NOW)) - GUARD_UM;
}

/**
 * A retract confirmed by the encoder, read now: ENC_RETRACT_YES when the tips are at least half the
 * clearance behind the guard plane, ENC_RETRACT_NO when not, ENC_RETRACT_UNKNOWN without a working
 * encoder (no encoder, or a failed reading: confirm by the endstop, or cut the driver).
 */
export function encoderRetractState(): i32 {
  if (ENCODER_FITTED == 0) return ENC_RETRACT_UNKNOWN;
  if (encoder_status() != ENC_OK) return ENC_RETRACT_UNKNOWN;
  return encoderTipUm() <= RETRACTED_TIP_UM ? ENC_RETRACT_YES : ENC_RETRACT_NO;
}

/** True only when a working encoder sees the needles retracted (encoderRetractState() == ENC_RETRACT_YES). */
export function encoderSaysRetracted(): bool {
  return encoderRetractState() == ENC_RETRACT_YES;
}
