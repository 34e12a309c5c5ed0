// The plan jobs: work too long for one control tick, done a little per tick. The stroke job finds a
// newly fitted cartridge's depth limit, clamps a new setting to the motor's envelope and plans its
// stroke (one plan run down and up; where only a longer down half runs the rate, one plan a half);
// the retract job, once per cartridge, plans the deepest stroke at the highest rate it runs at,
// whose steps the retract on a fault copies (motion.ts). Each job is a statically placed PlanJob
// passed explicitly; one job works per tick, the stroke job first. A finished plan is handed to
// motion. A check of one acceleration share is a few 64-bit divisions; the budget is in shares per
// tick, and the compression's in steps per tick, fewer when the tick's feed or reply did more.
import { CLAMP_NONE, CLAMP_STEP_RATE, CLAMP_TORQUE } from "./abi";
import {
  DriveModel,
  checkShare,
  shareSlackMn,
  sharePermille,
  halfStrokeUs,
  downHalf,
  upHalf,
  SHARE_COUNT,
} from "./envelope";
import {
  MovePlan,
  staticPlan,
  planBegin,
  planContinue,
  PLAN_OK,
  PLAN_BAD,
  PLAN_BUSY,
  PLAN_ARRAYS_BYTES,
} from "./compress";
import { nextStepTakesRoot, nextRootUnseeded } from "./profile";
import { bytesSent } from "./textio";
import {
  takeStrokePlan,
  takeRetractPlan,
  dropRetractPlan,
  spareStrokePlan,
  strokePlanPending,
  upPlanOf,
  FEED_SEGMENTS_PER_TICK,
} from "./motion";
import { segmentsFedThisTick } from "./budget";
import {
  resetSettings,
  clearCartridge,
  cartridgeLimitUm,
  fitCartridge,
  cartridgeIndex,
  cartridgeMaxDepthUm,
  strokeSteps,
  stepsForDepth,
  strokeUm,
  requestedFreqHz,
  settingClamped,
} from "./settings";
import {
  STEP_TIMER_HZ,
  STEPS_PER_REV,
  LEAD_NM,
  CLEARANCE_UM,
  DEPTH_MIN_UM,
  FREQ_MIN_HZ,
  FREQ_MAX_HZ,
  MARGIN_PERMILLE,
  MAX_STEP_RATE,
  CURVE_SPEED_UM_S,
  CURVE_SPEED_UM_S_LEN,
  CURVE_FORCE_MN,
  CART_MASS_MG,
  CART_MASS_MG_LEN,
  CART_LOAD_MN,
  SPRING_RATE_UN_PER_UM,
  SPRING_TOP_MN,
  SPRING_HELP_PERMILLE,
  SPLIT_MAX_FREQ_HZ,
  RING_PERIOD_US,
  SHORT_HALF_US,
  SHORT_RAMP_US,
  SPLIT_OFF_US,
  RING_OVER_US,
  STEP_TOL_STEP_TICKS,
  MICROSTEPS,
} from "./generated/board_config";
import { item } from "./statics";

const SHARES_PER_TICK: i32 = 1;
/**
 * Deepest trim of a stroke (microsteps past the set depth, depthtrim.ts): half a full step. At the
 * bottom the motor holds the spring and the needles back at a load angle; within its envelope that
 * angle stays under 45 degrees electrical (sin 45 = 71 % of its torque), so the tip is short of the
 * commanded bottom by less than half a full step, and a wrong encoder cannot take the needles deeper.
 * A setting's rate is clamped with its stroke this much longer: the trim puts the tip on the set
 * depth, but the field then turns further on, and the rotor nearer its stability limit, than the
 * stroke alone asks. Where even the lowest rate leaves no such room (the deepest settings), the rate
 * is clamped on the stroke itself: the tip's own travel, which the trim makes the set stroke, is
 * inside the envelope there.
 */
export const TRIM_MAX_STEPS: i32 = MICROSTEPS / 2;
const PLAN_STEPS_PER_TICK: i32 = 6;
/** steps compressed a tick once they no longer speed up (their times need no root: a plan is done sooner) */
const PLAN_EASY_STEPS_PER_TICK: i32 = 10;

const JOB_IDLE: i32 = 0;
const JOB_LIMIT: i32 = 1; // the deepest setting the motor runs at the lowest rate (10 um at a time)
const JOB_CLAMP: i32 = 2; // the asked rate, else the highest rate that runs (binary search)
const JOB_SHARE: i32 = 3; // the share of the rate run (probeNext)
const JOB_PLAN: i32 = 4; // step compression
const JOB_PLAN_UP: i32 = 5; // a stroke's down half is compressed: starts its up half's compression

// the ways a settled rate is tried, in order (JOB_SHARE; the down half longer between them: step)
const SHARE_EQUAL: i32 = 0; // equal halves, with the room for the trim the rate was settled with
const SHARE_EQUAL_NO_ROOM: i32 = 1; // at the lowest rate: equal halves, the stroke itself

// what one step of a job finished (bits)
const STEP_CLAMPED: i32 = 1; // the rate to run is settled (job.runHz, job.clamp)
const STEP_FINISHED: i32 = 2; // the job is done: job.result
const STEP_COMPRESSED: i32 = 4; // ... after compressing its steps
const STEP_LIMIT: i32 = 8; // the depth limit of the cartridge being fitted is found (job.limitUm)

/** One job's state: the stroke and rate under check, a share at a time, and where its plan goes. */
export class PlanJob {
  stage: i32 = JOB_IDLE;
  model: DriveModel = changetype<DriveModel>(0);
  plan: MovePlan = changetype<MovePlan>(0);
  result: i32 = PLAN_BAD;
  steps: i32 = 0; // the stroke clamped and planned
  limitUm: i32 = 0; // JOB_LIMIT: the depth under check
  askHz: i32 = 0;
  clampStage: i32 = 0; // 0 the asked rate, 1 the lowest rate, 2 the search, 3 the lowest rate without room for the trim
  loHz: i32 = 0; // runs
  hiHz: i32 = 0; // does not run
  runHz: i32 = 0;
  clamp: i32 = CLAMP_NONE;
  probeUm: i64 = 0;
  probeHz: i32 = 0;
  probeShare: i32 = 0; // shares tried so far at this rate
  /** the share tried first (index): 0, or for a split stroke's up half the down half's (see step) */
  probeFrom: i32 = 0;
  probeRateOk: bool = false; // some share was within the step rate
  bestShare: i32 = 0;
  /** what made bestShare the best so far (probeNext): the larger the better */
  bestMerit: i64 = 0;
  /** the asked or settled rate runs with equal halves (tried split because they ring: SPLIT_OFF_US) */
  eqRuns: bool = false;
  /** the asked or settled rate has been tried split */
  splitTried: bool = false;
  /** the move only goes up (the retract): planned with the loads of that direction */
  upOnly: bool = false;
  /** microsteps the clamp adds to the stroke: room for the trim */
  allowSteps: i32 = 0;
  bestShareIdx: i32 = 0;
  /** a stroke's rate runs when both halves do: the down half is probed first, then the up half (probeUp) */
  probeUp: bool = false;
  /** probing a stroke with the down half longer (envelope.ts downHalf); else equal halves */
  trySplit: bool = false;
  /** JOB_SHARE: the way the settled rate is being probed (SHARE_*) */
  shareTry: i32 = 0;
  /** the plan being made has unequal halves: its up half is compressed into upPlanOf(plan) */
  split: bool = false;
  downUs: i64 = 0; // the down half's time at probeHz (a retract's: its one half)
  upUs: i64 = 0; // the up half's
  downShare: i32 = 0; // the down half's share, kept while the up half is probed
  upShare: i32 = 0; // the up half's share, once both run
  planningUp: bool = false; // the down half is compressed: the up half is under way

  /** The rate under probe gives a stroke's up half a time of its own (checked, and planned, apart). */
  upDiffers(): bool {
    return this.trySplit && !this.upOnly && this.upUs != this.downUs;
  }
}

/** The drive train as the planner sees it: the board's, with the fitted cartridge's mass and load. */
export const model = changetype<DriveModel>(memory.data(offsetof<DriveModel>()));
const strokeJob = changetype<PlanJob>(memory.data(offsetof<PlanJob>()));
const retractJob = changetype<PlanJob>(memory.data(offsetof<PlanJob>()));
const retractPlan = staticPlan(memory.data(offsetof<MovePlan>()), memory.data(PLAN_ARRAYS_BYTES, 16));
let retractMade: bool = false; // for the cartridge fitted: handed to motion
let halted: bool = false; // a fault stopped the jobs; a new beginCartridge() starts them afresh
let fittingIndex: i32 = -1;
let plansHanded: i32 = 0;

/** The start-up setting, no cartridge; the plan jobs idle. */
export function initSettings(): void {
  model.curveSpeedUmS = CURVE_SPEED_UM_S;
  model.curveForceMn = CURVE_FORCE_MN;
  model.curvePoints = CURVE_SPEED_UM_S_LEN;
  model.marginPermille = MARGIN_PERMILLE;
  model.maxStepRate = MAX_STEP_RATE;
  model.stepsPerRev = STEPS_PER_REV;
  model.leadNm = LEAD_NM;
  model.springRateUnPerUm = SPRING_RATE_UN_PER_UM;
  model.springTopMn = SPRING_TOP_MN;
  model.springHelpPermille = SPRING_HELP_PERMILLE;
  model.splitMaxHz = SPLIT_MAX_FREQ_HZ;
  strokeJob.model = model;
  retractJob.model = model;
  retractJob.upOnly = true;
  retractJob.plan = retractPlan;
  retractPlan.indexed = true; // searched in a fault's tick (motion.ts rampStepsFaster)
  resetSettings();
  beginCartridge(-1, 0, spare);
}
const spare = changetype<MovePlan>(memory.data(offsetof<MovePlan>())); // a plan nothing uses, before any cartridge

/**
 * Fit a cartridge (index into the board's table, -1 = none; needle length from its chip, 0 = the
 * table's); its stroke is then planned into `plan`. Removal takes effect at once; a new cartridge
 * is usable once the job has found its depth limit (settingsBusy() until then). Only when not running.
 */
export function beginCartridge(index: i32, chipLengthUm: i32, plan: MovePlan): void {
  halted = false;
  clearCartridge();
  strokeJob.stage = JOB_IDLE;
  strokeJob.result = PLAN_BAD;
  retractJob.stage = JOB_IDLE;
  retractMade = false; // made again for this cartridge
  dropRetractPlan();
  if (index < 0 || index >= CART_MASS_MG_LEN) return;
  model.massMg = item(CART_MASS_MG, index);
  model.loadMn = item(CART_LOAD_MN, index);
  fittingIndex = index;
  strokeJob.limitUm = cartridgeLimitUm(index, chipLengthUm);
  strokeJob.plan = plan;
  strokeJob.stage = JOB_LIMIT;
  strokeJob.trySplit = true; // the deepest setting the lowest rate runs at, with the down half longer
  probeBegin(strokeJob, <i64>(CLEARANCE_UM + strokeJob.limitUm), FREQ_MIN_HZ);
}

/** Fit a cartridge and finish the jobs at once (tests). */
export function selectCartridge(index: i32, chipLengthUm: i32, plan: MovePlan = new MovePlan()): void {
  beginCartridge(index, chipLengthUm, plan);
  finishSettings();
}

/** After a change of depth or rate: clamp it, then plan it into `plan`. */
export function beginSetting(plan: MovePlan): void {
  strokeJob.plan = plan;
  strokeJob.result = PLAN_BAD;
  retractJob.stage = JOB_IDLE; // started again once the setting is planned
  if (cartridgeIndex() < 0) {
    if (strokeJob.stage != JOB_LIMIT) strokeJob.stage = JOB_IDLE;
    return;
  } // a cartridge being fitted clamps when it is taken
  startClamp(strokeJob, strokeSteps(), requestedFreqHz());
}

/**
 * One tick of the jobs: the stroke job if it has work, else the retract job. Returns the stroke
 * plan's PLAN_* result in the tick the stroke job finishes (its plan, if made, is motion's), else PLAN_BUSY.
 */
export function planJobsTick(): i32 {
  if (halted) return PLAN_BUSY;
  if (strokeJob.stage == JOB_IDLE) {
    if (retractJob.stage != JOB_IDLE && (step(retractJob) & STEP_FINISHED) != 0 && retractJob.result == PLAN_OK) {
      retractMade = true;
      takeRetractPlan(retractJob.plan);
    }
    return PLAN_BUSY;
  }
  const done = step(strokeJob);
  if ((done & STEP_LIMIT) != 0) {
    fitCartridge(fittingIndex, strokeJob.limitUm);
    startClamp(strokeJob, strokeSteps(), requestedFreqHz());
  }
  if ((done & STEP_CLAMPED) != 0) settingClamped(strokeJob.runHz, strokeJob.clamp);
  if ((done & STEP_FINISHED) == 0) return PLAN_BUSY;
  if (strokeJob.result == PLAN_OK) handOver(strokeJob.plan);
  if ((done & STEP_COMPRESSED) != 0 && !retractMade)
    startClamp(retractJob, stepsForDepth(cartridgeMaxDepthUm()), FREQ_MAX_HZ);
  return strokeJob.result;
}

function handOver(plan: MovePlan): void {
  handed = plan;
  handedSplit = strokeJob.split;
  plansHanded++;
  takeStrokePlan(plan, strokeJob.split);
}

function probeBegin(job: PlanJob, um: i64, hz: i32): void {
  job.probeUm = um;
  job.probeHz = hz;
  job.probeShare = 0;
  job.probeFrom = 0;
  job.probeRateOk = false;
  job.bestShare = 0;
  job.bestMerit = i64.MIN_VALUE;
  job.probeUp = false;
}

/** Tries the next share: -1 while more are to try, else 1 if some share runs (bestShare) or 0. */
function probeNext(job: PlanJob, all: bool): i32 {
  const i = (job.probeFrom + job.probeShare++) % SHARE_COUNT;
  if (i == 0 && !job.probeUp) {
    // the halves' times once per rate, in the first share's tick (not in the command's)
    const halfUs = halfStrokeUs(job.probeHz);
    job.downUs = job.upOnly || !job.trySplit ? halfUs : downHalf(job.model, halfUs, job.probeHz);
    job.upUs = 2 * halfUs - job.downUs;
  }
  let r = checkShare(job.model, job.probeUm, job.probeUp ? job.upUs : job.downUs, i, job.upOnly || job.probeUp);
  if (r != CLAMP_STEP_RATE) job.probeRateOk = true;
  // of the shares that run, a retract takes the one with the most force to spare; a stroke's down half
  // the one that speeds up for the time nearest the rotor's ringing period under load (RING_PERIOD_US):
  // its speeding up and its slowing down into the bottom then leave the rotor ringing least. Over the
  // envelope on the worst pen of the physical model the most force to spare stalled 31 of 1,643
  // settings, this 5 (docs/simulator.md). A half far too short for it (SHORT_HALF_US) speeds up for a
  // short ramp (SHORT_RAMP_US) instead: for the ringing period it would be a triangle, which stalled
  // the worst pen at shallow settings above 62 Hz. In 32 bits: a half is under 0.5 s, and a 64-bit
  // division is a library call on the microcontroller.
  const rampUs = <i32>job.downUs < SHORT_HALF_US ? SHORT_RAMP_US : RING_PERIOD_US;
  const offUs = (<i32>job.downUs * sharePermille(i)) / 1000 - rampUs;
  const down = !job.upOnly && !job.probeUp;
  // a down half that speeds up for much longer than the ringing period (RING_OVER_US: only the longest
  // shares pass the force check) does not run its rate above the lowest: with the heavy cartridges
  // the worst pen stalled there (24 and 36 needles, 1.4-2.1 mm), and a lower rate runs a shorter share
  if (down && offUs > RING_OVER_US && job.probeHz > FREQ_MIN_HZ) r = CLAMP_TORQUE;
  const merit: i64 = r != CLAMP_NONE || !down ? shareSlackMn : <i64>-abs<i32>(offUs);
  if (r == CLAMP_NONE && merit > job.bestMerit) {
    job.bestMerit = merit;
    job.bestShare = sharePermille(i);
    job.bestShareIdx = i;
    if (!all) return 1;
  }
  if (job.probeShare < SHARE_COUNT) return -1;
  return job.bestShare > 0 ? 1 : 0;
}

function startClamp(job: PlanJob, steps: i32, hz: i32): void {
  job.splitTried = false;
  job.stage = JOB_CLAMP;
  job.clampStage = 0;
  job.steps = steps;
  job.askHz = hz;
  job.allowSteps = job.upOnly ? 0 : TRIM_MAX_STEPS; // a stroke may be trimmed deeper while it runs
  // the asked rate with equal halves first (one plan: a change takes effect sooner), then split (step)
  job.trySplit = false;
  probeBegin(job, strokeUm(steps + job.allowSteps), hz);
}

/** Some work on `job`: what it finished (STEP_* bits), 0 while it works on. */
function step(job: PlanJob): i32 {
  // a piece of fixed cost (a share's check, a half's first roots, the start of an up half) waits for a
  // tick whose feed pushed fewer than the most segments: beside four pushes of a deep stroke it took
  // a tick of the STM32F405 port to 4,946-5,011 of its 5,000 instructions (docs/porting.md); the
  // compression's own steps are fewer in such a tick instead
  const crowded = segmentsFedThisTick() >= FEED_SEGMENTS_PER_TICK;
  for (let n = 0; n < SHARES_PER_TICK && job.stage != JOB_IDLE; n++) {
    if (job.stage == JOB_PLAN || job.stage == JOB_PLAN_UP) {
      if (crowded && (job.stage == JOB_PLAN_UP || nextRootUnseeded())) return 0;
      let r: i32;
      if (job.stage == JOB_PLAN_UP) {
        r = planUpHalf(job);
        job.stage = JOB_PLAN;
      } else {
        // a tick whose feed pushed several segments (a fast stretch of the strokes) or that sent a reply's
        // bytes compresses fewer steps: a root step costs about what a segment or six bytes do; so does
        // an indexed plan's upkeep for the segments a tick closes (compress.ts MovePlan.indexed)
        const busy = max(segmentsFedThisTick() - 1, 0) + bytesSent() / 6 + (job.plan.indexed ? 1 : 0);
        // (the first two steps' roots, found from scratch, are a tick's work alone)
        r = planContinue(
          nextRootUnseeded()
            ? 2
            : nextStepTakesRoot()
              ? max(PLAN_STEPS_PER_TICK - busy, 1)
              : max(PLAN_EASY_STEPS_PER_TICK - 2 * busy, 1),
        );
        if (r == PLAN_OK && job.split && !job.planningUp) {
          job.stage = JOB_PLAN_UP; // the down half is done: the up half starts in the next tick
          return 0;
        }
      }
      if (r == PLAN_BUSY) return 0;
      job.stage = JOB_IDLE;
      job.result = r;
      return STEP_FINISHED | STEP_COMPRESSED;
    }
    // the asked rate is probed over every share: when it runs, its best share is known and planning
    // starts at once (no second probe of the same rate); a stroke's up half, which the spring helps,
    // takes the first share that runs (a tick each: the change takes effect sooner), from the down
    // half's share on: the rotor rings less into the next down half than after the up half's own
    // first share, the triangle (measured on the worst pen of the ranges, docs/simulator.md)
    if (crowded) return 0;
    const all = job.stage == JOB_SHARE || (job.stage == JOB_CLAMP && job.clampStage == 0);
    let r = probeNext(job, all && !job.probeUp);
    if (r < 0) continue;
    if (job.upDiffers()) {
      if (!job.probeUp && r > 0) {
        // the down half runs: now the up half at the same rate
        job.downShare = job.bestShare;
        job.probeUp = true;
        job.probeShare = 0;
        job.probeFrom = job.bestShareIdx;
        job.bestShare = 0;
        job.bestMerit = i64.MIN_VALUE;
        continue;
      }
      if (job.probeUp) {
        job.upShare = job.bestShare;
        job.bestShare = r > 0 ? job.downShare : 0;
        job.probeUp = false;
      }
    }
    // the rate under check (the asked one, or the one the clamp settled) with equal halves does not
    // run, or runs only speeding up far from the ringing period (SPLIT_OFF_US; none that ran:
    // bestMerit is i64.MIN_VALUE): tried with the down half longer, where that applies; equal halves
    // that ran are kept when the split does not run. The same rule for both, so that a clamped
    // setting runs the plan its rate gets when asked (equal halves kept at a clamped rate rang a
    // drawn pen into a slip that the split, asked at that rate, holds)
    if (
      all &&
      !job.upOnly &&
      (job.trySplit
        ? r == 0 && job.eqRuns
        : !job.splitTried && job.probeHz <= job.model.splitMaxHz && job.bestMerit < -SPLIT_OFF_US)
    ) {
      job.eqRuns = r > 0;
      job.splitTried = true;
      job.trySplit = !job.trySplit;
      probeBegin(job, job.probeUm, job.probeHz);
      continue;
    }
    if (job.stage == JOB_LIMIT) {
      if (r == 0 && job.limitUm > DEPTH_MIN_UM) {
        job.limitUm -= 10;
        probeBegin(job, <i64>(CLEARANCE_UM + job.limitUm), FREQ_MIN_HZ);
        continue;
      }
      return STEP_LIMIT;
    } else if (job.stage == JOB_CLAMP) {
      if (job.clampStage == 0 && r > 0) {
        // the asked rate runs and its best share is known: planning starts at once
        job.runHz = job.askHz;
        job.clamp = CLAMP_NONE;
        return STEP_CLAMPED | startPlan(job, true);
      }
      if (clampStep(job, r > 0)) return job.stage == JOB_IDLE ? STEP_CLAMPED | STEP_FINISHED : STEP_CLAMPED;
    } else {
      if (r == 0 && nextShareTry(job)) continue;
      return startPlan(job, r > 0);
    }
  }
  return 0;
}

/**
 * The settled rate did not run the way job.shareTry probed it, nor split (step): the next way, if any
 * is left. The split with the trim's room comes before the stroke itself with equal halves at the
 * lowest rate, as when that rate is asked: the stroke without room, which the deepest settings run
 * (see TRIM_MAX_STEPS), stalled the worst pen at 3.0 mm once the trim deepened it.
 */
function nextShareTry(job: PlanJob): bool {
  if (job.upOnly) return false;
  if (job.shareTry != SHARE_EQUAL_NO_ROOM && job.runHz == FREQ_MIN_HZ && job.allowSteps > 0) {
    job.shareTry = SHARE_EQUAL_NO_ROOM;
    job.trySplit = false;
    probeBegin(job, strokeUm(job.steps), job.runHz);
    return true;
  }
  return false;
}

/** The rate and share are settled (`runs`: some share runs): starts compressing; what the job finished. */
function startPlan(job: PlanJob, runs: bool): i32 {
  job.stage = JOB_IDLE;
  job.result = PLAN_BAD;
  if (!runs) return STEP_FINISHED;
  job.split = job.upDiffers();
  const res = planShare(job);
  if (res == PLAN_BUSY) {
    job.stage = JOB_PLAN;
    return 0;
  }
  job.result = res;
  return STEP_FINISHED;
}

/**
 * Starts compressing the job's stroke at the rate and share settled: a stroke's down half into
 * job.plan, then (planUpHalf) its up half; a retract as one half-stroke.
 */
function planShare(job: PlanJob): i32 {
  const halfStepTicks = STEP_TIMER_HZ / (2 * <i64>job.probeHz);
  const durStepTicks = job.split ? downHalf(job.model, halfStepTicks, job.probeHz) : halfStepTicks;
  job.planningUp = false;
  return planBegin(job.plan, job.steps, durStepTicks, (durStepTicks * <i64>job.bestShare) / 1000, STEP_TOL_STEP_TICKS);
}

/** A stroke's down half is compressed: starts its up half (a tick of its own: the tick budget). */
function planUpHalf(job: PlanJob): i32 {
  job.planningUp = true;
  const durStepTicks = upHalf(job.model, STEP_TIMER_HZ / (2 * <i64>job.probeHz), job.probeHz);
  return planBegin(
    upPlanOf(job.plan),
    job.steps,
    durStepTicks,
    (durStepTicks * <i64>job.upShare) / 1000,
    STEP_TOL_STEP_TICKS,
  );
}

/** The strokes run the plan of the setting in force: no job makes another, none waits to be taken. */
export function strokePlanSettled(): bool {
  return strokeJob.stage == JOB_IDLE && !strokePlanPending();
}

let handed: MovePlan = changetype<MovePlan>(0);
let handedSplit: bool = false;

/** The stroke plan handed over last (its down half, when split), or null before any (tests). */
export function handedStrokePlan(): MovePlan | null {
  return changetype<usize>(handed) == 0 ? null : handed;
}

/** The stroke plan handed over last has unequal halves (its up half: motion.ts upPlanOf). */
export function strokePlanSplit(): bool {
  return handedSplit;
}

/** Stroke plans handed over since start-up: a new one is a new setting (a depth or rate). */
export function strokePlanCount(): i32 {
  return plansHanded;
}

/** Run the asked rate if the motor can; otherwise keep the depth and lower the rate. True once the rate is settled. */
function clampStep(job: PlanJob, runs: bool): bool {
  const stage = job.clampStage;
  if (stage == 0) {
    job.trySplit = !job.upOnly; // the search: the down half longer where that applies
    job.clamp = job.probeRateOk ? CLAMP_TORQUE : CLAMP_STEP_RATE;
    job.loHz = FREQ_MIN_HZ;
    job.hiHz = job.askHz;
  } else if (stage == 1 && !runs) {
    if (job.allowSteps > 0) {
      // no room for the trim even at the lowest rate: the lowest rate if the stroke itself runs there
      job.allowSteps = 0;
      job.clampStage = 3;
      probeBegin(job, strokeUm(job.steps), FREQ_MIN_HZ);
      return false;
    }
    return finishClamp(job, 0, job.clamp); // not even the lowest rate
  } else if (stage == 3) {
    if (!runs) return finishClamp(job, 0, job.clamp);
    return finishClamp(job, FREQ_MIN_HZ, job.askHz == FREQ_MIN_HZ ? CLAMP_NONE : job.clamp);
  } else if (stage == 2) {
    if (runs) job.loHz = job.probeHz;
    else job.hiHz = job.probeHz;
  }
  // the lowest rate first, then halve [lo, hi) until one rate is left: the rate falls as the stroke grows
  const hz = stage == 0 ? FREQ_MIN_HZ : (job.loHz + job.hiHz) >> 1;
  job.clampStage = stage == 0 ? 1 : 2;
  if (hz > job.loHz || job.clampStage == 1) {
    probeBegin(job, job.probeUm, hz);
    return false;
  }
  return finishClamp(job, job.loHz, job.clamp);
}

function finishClamp(job: PlanJob, hz: i32, reason: i32): bool {
  job.runHz = hz;
  job.clamp = reason;
  job.stage = JOB_IDLE;
  if (hz == 0) {
    job.result = PLAN_BAD;
    return true;
  }
  job.stage = JOB_SHARE;
  // the rate settled: as when it is asked, equal halves where they run it well (one plan), else the
  // down half longer (step)
  job.shareTry = SHARE_EQUAL;
  job.trySplit = false;
  job.splitTried = false;
  probeBegin(job, job.probeUm, hz);
  return true;
}

/** A fault: the jobs stop where they are until the cartridge is taken again (safety.ts restartPlanJobs). */
export function haltPlanJobs(): void {
  halted = true;
}

/** True while the jobs are stopped by a fault. */
export function planJobsHalted(): bool {
  return halted;
}

/** The retract plan for the cartridge fitted is made, or its job has given up (the retract copies the stroke plan). */
export function retractPlanSettled(): bool {
  return retractMade || (strokeJob.stage == JOB_IDLE && retractJob.stage == JOB_IDLE);
}

/** True while the job has not yet settled the depth limit and rate (a reply to SET waits for it). */
export function settingPending(): bool {
  return strokeJob.stage == JOB_LIMIT || strokeJob.stage == JOB_CLAMP;
}

/** True while a newly fitted cartridge is not yet usable. */
export function settingsBusy(): bool {
  return strokeJob.stage == JOB_LIMIT;
}

/** The stroke plan: PLAN_BUSY while the job works on it, then PLAN_OK or why it failed. */
export function planState(): i32 {
  return strokeJob.stage != JOB_IDLE ? PLAN_BUSY : strokeJob.result;
}

/** True while a job has work left (the retract plan included). */
export function settingsWorking(): bool {
  return strokeJob.stage != JOB_IDLE || retractJob.stage != JOB_IDLE;
}

/** Runs the jobs to their end at once (tests). */
export function finishSettings(): void {
  while (settingsWorking()) planJobsTick();
}

/** Plans the current setting at once (tests). */
export function planStroke(plan: MovePlan): i32 {
  beginSetting(plan);
  finishSettings();
  return strokeJob.result;
}

/** The highest rate up to `askHz` the shipped clamp runs a stroke of `um` at on `m`, or 0 (tests). */
export function clampRateHz(m: DriveModel, um: i64, askHz: i32): i32 {
  const job = new PlanJob();
  job.model = m;
  job.stage = JOB_CLAMP;
  job.askHz = askHz;
  probeBegin(job, um, askHz);
  while ((step(job) & STEP_CLAMPED) == 0) {}
  return job.runHz;
}
