// The physical motor, drive train and load: rotor angle and carriage position as one rigid body
// (rotor and screw on the motor side, carriage and cartridge on the load side of the lead screw),
// the two phase currents, and the temperatures of the winding and the driver. Integrated in steps of
// at most H_MAX_S on a grid that the field's steps do not break: the steps within one integration
// step are merged into it (the currents follow the field's mean over it), and the model integrates
// up to an event where something must see it then (a full step for StallGuard, a control tick).
//
// Time step: the fastest dynamics are the electrical time constant L/R (0.57 ms on the reference
// pen, bridge included), the rotor's natural period (3.3 ms, 303 Hz with the detent) and the
// electrical period at the highest carriage speed (about 0.85 ms at 0.6 m/s). The currents are
// advanced exactly over a step (motor.ts), the mechanics by position Verlet, whose energy error is
// (w h)^2 / 8 (w the natural angular frequency): 7e-4 at 40 us. Over much of a stroke the steps
// come every 20-40 us: their microstep ripple (a 16th of a full step, at 25-50 kHz) lies far above
// what the rotor follows (200-300 Hz), so an integration step takes the field's staircase as its
// mean over the step (its exact area, not a ramp): the field at the step's end turned back by at
// most about one microstep. Steps faster than the fine step (20 us, above 1,170 rpm) are not
// merged: there the bus voltage limits the currents, and a 40 us step across their microstep edges
// would lose torque worth 9 % of the holding torque at 3,000 rpm (tests/sim/sim-speed.test.ts turns
// the rotor and compares). The model was first checked at a fixed 20 us (H_FINE_S) with one
// integration step per step interval (the field changing only at step edges), kept as the reference
// the merged step is measured against (tests/sim/physics-step.test.ts: tip path within 5 um, depth
// and overshoot within 2 um, load angle within 2 degrees, the pull-out curve within 1 % of the
// holding torque). The chopper's own PWM (20-40 kHz) is averaged (motor.ts).
//
// Drive train: the screw's efficiency acts on forces through the nut, never on the rotor's inertia:
// (J/p^2) a = F_motor - g F_nut, F_nut = m a - F_load, with g = 1/eta_drive while the motor drives the
// nut and g = eta_back while the load drives the motor (p = lead / 2 pi). Where neither way is
// consistent (the motor's pull lies between what it takes to drive the load and what lets the load
// back-drive it), the thread's friction holds the carriage still. Coulomb friction (nut drag,
// the needles' shaft friction, the cutting force on the way in) is applied as a bounded impulse per
// step, so a carriage at rest stays at rest while the forces stay below it (static friction).
import { PhysicsParams } from './params.js';
import { phaseStep } from './motor.js';
import { R_REFERENCE_C, COPPER_ALPHA_PER_K } from './params.js';

/** largest integration step (s): see the head of this file */
export const H_MAX_S = 40e-6;
/** the fine reference step (s): the step the model was first validated with */
export const H_FINE_S = 20e-6;
const TWO_PI = 2 * Math.PI;
/**
 * largest step in rotor angle (rad electrical) taken by rotation rather than by Math.sin/cos: at the
 * envelope's top speed an integration step turns the rotor about 0.3 rad
 */
const ROTATE_MAX_RAD = 0.35;
/** integration steps between exact sines: bounds the rotation's accumulated error near 1e-9 */
const ROTATE_RESYNC = 64;
/** how often the thermal models advance (s): far below their time constants (20 s, minutes) */
const HEAT_EVERY_S = 1e-3;
const HALF_PI = Math.PI / 2;
/** slots of the field's sine/cosine cache (a power of two; the travel spans about 600 microsteps) */
const FIELD_CACHE = 1024;

/** Called after each integration step with the time (ticks), carriage position and tip (um). */
export type Sampler = (this: unknown, tTicks: number, xUm: number, tipUm: number) => void;

export class PhysicalDrive {
  // every number field starts as a number (not undefined): V8 then keeps it as an unboxed double
  // and a store in the loop allocates nothing
  /** carriage position (m from the endstop) and speed (m/s) */
  x = 0;
  v = 0;
  ia = 0;
  ib = 0;
  /** the driver's field angle in microsteps (electrical angle = fieldSteps x pi / (2 microsteps)) */
  fieldSteps = 0;
  on = false;
  /** a hard obstacle in front of the carriage (m) */
  obstacleM = Infinity;
  punctured = false;
  /** peak force per needle of the skin under the needles (N) and needles */
  punctureN = 0;
  needles = 0;
  windingC = 0;
  driverC = 0;
  windingCMax = 0;
  driverCMax = 0;
  loadAngleMaxRad = 0;
  /** deepest tip position since start (m past the guard plane) */
  tipMaxM = -Infinity;
  /** electrical cycles the rotor lags the field by (a slip changes it by one) */
  cycles = 0;
  /** microsteps lost in slips (4 full steps per lost cycle) */
  lostSteps = 0;
  /** StallGuard: a stall seen at the last full-step sample */
  stallSeen = false;
  private lostSinceSample = false;
  /** microsteps past the last full step (0 .. microsteps - 1): a counter, not a remainder per step */
  private msPhase = 0;
  private lastDir = 0;
  private sinceReversal = 0;
  private lastFieldTicks = -Infinity;
  private fieldRateSteps = 0;
  private fieldIntervalTicks = Infinity;
  private iaRef = 0;
  private ibRef = 0;
  private tTicks = 0;
  private rOhm = 0;
  private readonly kE: number = 0;
  private readonly mr: number = 0;
  // the pen's constants the integration uses as products
  private readonly invTimerHz: number = 0;
  private readonly invLp: number = 0;
  private readonly gd: number = 0;
  private readonly invMd: number = 0;
  private readonly invMb: number = 0;
  private readonly shaftPerStep: number = 0;
  private readonly invPunctureDepth: number = 0;
  private readonly fineTicks: number = 0;
  private readonly radPerStep: number = 0;
  /** the largest integration step (s): H_MAX_S, or H_FINE_S as the reference the larger step is checked against */
  get hMaxS(): number {
    return this.hMax;
  }
  set hMaxS(h: number) {
    this.hMax = h;
    this.merges = h > H_FINE_S;
    this.gridT = Math.floor(h * this.timerHz);
    this.splitTicks = NaN; // the step's split over a span depends on it
  }
  private hMax = H_MAX_S;
  private merges = true;
  private gridT = 0;

  constructor(
    readonly p: PhysicsParams,
    needles: number,
    punctureN: number,
    private readonly timerHz: number,
    startM: number,
  ) {
    this.x = startM;
    this.needles = needles;
    this.punctureN = punctureN;
    this.windingC = this.windingCMax = p.ambientC;
    this.driverC = this.driverCMax = p.ambientC;
    this.rOhm = this.resistance();
    this.kE = Math.PI / (2 * p.microsteps * p.stepM);
    this.mr = p.rotorInertiaKgM2 / p.leadPerRadM ** 2;
    this.invTimerHz = 1 / timerHz;
    this.invLp = 1 / p.leadPerRadM;
    this.gd = 1 / p.etaDrive;
    this.invMd = 1 / (this.mr + this.gd * p.carriageKg);
    this.invMb = 1 / (this.mr + p.etaBack * p.carriageKg);
    this.shaftPerStep = p.stepM / p.leadPerRadM;
    this.invPunctureDepth = 1 / p.punctureDepthM;
    this.fineTicks = H_FINE_S * timerHz;
    this.radPerStep = HALF_PI / p.microsteps;
    this.hMaxS = H_MAX_S;
  }

  /** rotor electrical angle (rad) */
  rotorAngle(): number {
    return this.x * this.kE;
  }
  fieldAngle(): number {
    return (this.fieldSteps * HALF_PI) / this.p.microsteps;
  }
  /** field minus rotor angle, wrapped to +/- pi (rad electrical) */
  loadAngle(): number {
    const d = this.fieldAngle() - this.rotorAngle();
    return d - TWO_PI * Math.round(d / TWO_PI);
  }
  /** motor shaft angle (rad), 0 at the endstop */
  shaftAngle(): number {
    return this.x / this.p.leadPerRadM;
  }

  /** The field takes the rotor's position (the driver comes up where the rotor sits). */
  alignField(): void {
    this.fieldSteps = this.fieldStart = this.x / this.p.stepM;
    this.fieldArea = 0;
    this.cycles = 0;
    this.setRefs();
  }

  setDriver(on: boolean): void {
    this.advanceTo(this.edgeTicks); // the field's steps so far act before it changes
    this.on = on;
    if (on) this.alignField();
  }

  /**
   * Steps merged into integration steps (see the head of this file): with the model's step; the fine
   * reference H_FINE_S keeps one integration step per step interval, as the model was first checked.
   */
  get mergesSteps(): boolean {
    return this.merges;
  }

  /** the merged integration steps' grid (ticks): H_MAX_S, in whole ticks as the step times are */
  private gridTicks(): number {
    return this.gridT;
  }

  /** the time the model has been integrated to (ticks) */
  get timeTicks(): number {
    return this.tTicks;
  }

  /**
   * One microstep of the field at t (ticks), +1 toward the skin; StallGuard samples at each full step.
   * The model integrates up to t first, or (merging) only when the steps since its last integration
   * span H_MAX_S, and before a full step, so that StallGuard's sample sees the rotor at t.
   */
  fieldStep(d: number, t: number): void {
    const m = this.p.microsteps;
    let phase = this.msPhase + d;
    // (a step of one microstep wraps by one turn; a remainder only for larger ones)
    if (phase >= m) phase -= m;
    else if (phase < 0) phase += m;
    if (phase >= m || phase < 0) phase = ((phase % m) + m) % m;
    if (!this.merges) this.advanceTo(t);
    else {
      // integration steps on a grid of H_MAX_S from the last integration, the field's steps within
      // each merged into it; t stays within one grid step of the model's time
      const hTicks = this.gridT;
      if (t - this.tTicks > hTicks) {
        if (this.edgeTicks > this.tTicks) this.advanceTo(this.tTicks + hTicks);
        const rest = t - this.tTicks;
        if (rest > hTicks) this.advanceTo(t - (rest % hTicks || hTicks));
      }
      // (steps faster than the fine step each get their own integration step, as in the reference:
      // there the chopper runs against the bus voltage, and merging them loses pull-out torque)
      if (phase === 0 || t - this.lastFieldTicks < this.fineTicks) this.advanceTo(t);
    }
    if (t > this.tTicks) {
      // the field's staircase since the last integration, as its area (microsteps x ticks)
      this.fieldArea += (this.fieldSteps - this.fieldStart) * (t - this.edgeTicks);
      this.edgeTicks = t;
    }
    this.fieldSteps += d;
    this.setRefs();
    const dt = t - this.lastFieldTicks;
    this.lastFieldTicks = t;
    this.fieldRateSteps = dt > 0 ? this.timerHz / dt : 0;
    this.fieldIntervalTicks = dt > 0 ? dt : Infinity;
    if (d !== this.lastDir) {
      this.sinceReversal = 0;
      this.lastDir = d;
    } else this.sinceReversal++;
    this.msPhase = phase;
    if (phase !== 0) return;
    const p = this.p;
    const blind =
      this.sinceReversal < p.stallguardBlindFullSteps * p.microsteps ||
      this.fieldRateSteps < p.stallguardMinFullStepsS * p.microsteps;
    this.stallSeen = !blind && (this.lostSinceSample || Math.abs(this.loadAngle()) > HALF_PI);
    this.lostSinceSample = false;
  }

  /** the field at the last integration, the staircase's area since, and its last edge (ticks) */
  private fieldStart = 0;
  private fieldArea = 0;
  private edgeTicks = 0;

  private setRefs(): void {
    // the field sits on a few hundred microstep positions: their sines and cosines are kept (the
    // same expression as computed afresh, so the same numbers) in a small direct-mapped cache
    const f = this.fieldSteps;
    const slot = Math.floor(f) & (FIELD_CACHE - 1);
    if (this.fieldKey[slot] !== f) {
      const phi = this.fieldAngle();
      this.fieldKey[slot] = f;
      this.fieldCos[slot] = this.p.currentPeakA * Math.cos(phi);
      this.fieldSin[slot] = this.p.currentPeakA * Math.sin(phi);
    }
    this.iaRef = this.fieldCos[slot];
    this.ibRef = this.fieldSin[slot];
  }
  private readonly fieldKey = new Float64Array(FIELD_CACHE).fill(NaN);
  private readonly fieldCos = new Float64Array(FIELD_CACHE);
  private readonly fieldSin = new Float64Array(FIELD_CACHE);

  private resistance(): number {
    return this.p.phaseResistanceOhm * (1 + COPPER_ALPHA_PER_K * (this.windingC - R_REFERENCE_C)) + 2 * this.p.rdsonOhm;
  }

  /** what advanceTo hands each integration step to when it is given no sampler of its own */
  sampler: Sampler | undefined;
  /** the receiver `sampler` is called with: one function for every loop (a closure per loop would be a new call target to the compiler each run) */
  samplerThis: unknown = undefined;

  /**
   * The carriage's position (m) at t (ticks), for a reader between events, without integrating there:
   * the state is integrated to t on the side and put back as it was (nothing sampled), so the model's
   * steps stay where the events put them and the run goes on bit for bit as if nobody had looked.
   */
  xAt(t: number): number {
    if (t <= this.tTicks) return this.x;
    const saved = Object.assign({}, this);
    this.sampler = undefined;
    this.advanceTo(t);
    const x = this.x;
    const v = this.v;
    Object.assign(this, saved);
    this.lookedVMps = v;
    return x;
  }
  /** the carriage's speed (m/s) at the time xAt() last looked at */
  lookedVMps = 0;

  /** Integrate up to t (ticks). */
  advanceTo(t: number, sample: Sampler | undefined = this.sampler): void {
    const dTicks = t - this.tTicks;
    if (dTicks <= 0) return;
    // merged field steps lie within one grid step of the last integration: that grid step first
    if (this.edgeTicks > this.tTicks && dTicks > this.gridT) {
      this.advanceTo(this.tTicks + this.gridT, sample);
      this.advanceTo(t, sample);
      return;
    }
    // the span's split into equal steps, kept while spans of the same length repeat (the grid's)
    if (dTicks !== this.splitTicks) {
      this.splitTicks = dTicks;
      this.splitS = dTicks * this.invTimerHz;
      this.splitN = Math.ceil(this.splitS / this.hMax - 1e-9);
      this.splitH = this.splitS / this.splitN;
      this.splitEnd = (dTicks * this.splitN) / this.splitN;
    }
    const dtS = this.splitS,
      n = this.splitN,
      h = this.splitH;
    const p = this.p;
    const kt = p.ktNmPerA,
      m = p.carriageKg,
      kE = this.kE;
    const r = this.rOhm,
      l = p.phaseInductanceH,
      vb = p.busV,
      negVb = -vb, // (negated here, once per call: a negation first met inside the loop costs a recompile)
      on = this.on;
    // what depends on the step's length and the winding's resistance, kept while they repeat (the
    // grid's step, a resistance that changes once a millisecond); the decay factor exp(-r h / l)
    // only where a phase cannot follow its reference (the bus voltage limits it)
    if (r !== this.decayR || h !== this.decayH) {
      this.decayR = r;
      this.decayH = h;
      this.decay = -1;
      this.lOverH = l / h;
      this.invR = 1 / r;
    }
    let decay = this.decay;
    const lOverH = this.lOverH,
      invR = this.invR;
    const gd = this.gd,
      gb = p.etaBack;
    // the divisions of the loop, as products (constants of the pen, computed once)
    const invLp = this.invLp,
      invMd = this.invMd,
      invMb = this.invMb;
    const hiStop = Math.min(p.frontStopM, this.obstacleM);
    const rearStop = p.rearStopM,
      guard = p.guardM,
      punctureDepth = p.punctureDepthM;
    const detent4 = p.detentNm * 4,
      drag = p.dragNmsPerRad;
    // the field's mean shaft speed over the last step interval (0 once it has waited two intervals),
    // which the oscillation's damping acts against; none with the driver off (no current loop)
    const fieldDamping = on ? p.fieldDampingNmsPerRad : 0;
    const fieldMoving = this.tTicks - this.lastFieldTicks <= 2 * this.fieldIntervalTicks;
    const wField = fieldMoving ? this.lastDir * this.fieldRateSteps * this.shaftPerStep : 0;
    const springPre = p.springPreN,
      springRate = p.springRateNPerM;
    const nutDrag = p.nutDragN;
    const fp = this.needles * this.punctureN;
    const skinRate = fp * this.invPunctureDepth;
    const cutN = fp * p.cutShare,
      shaftPerM = this.needles * p.shaftFrictionNPerM;
    let iaRef = this.iaRef,
      ibRef = this.ibRef;
    if (this.edgeTicks > this.tTicks) {
      // steps merged into this integration step: the currents follow the staircase's mean over it,
      // the field at its end turned back by the mean's lag behind the end (at most about two
      // microsteps, 0.2 rad: Taylor to the 8th order, error below 2e-11; further, the exact sines)
      const lagSteps =
        this.fieldSteps -
        this.fieldStart -
        (this.fieldArea + (this.fieldSteps - this.fieldStart) * (t - this.edgeTicks)) / dTicks;
      const dl = lagSteps * this.radPerStep,
        dl2 = dl * dl;
      let cd: number, sd: number;
      if (dl2 < 0.04) {
        cd = 1 - dl2 * (1 / 2) * (1 - dl2 * (1 / 12) * (1 - dl2 * (1 / 30) * (1 - dl2 * (1 / 56))));
        sd = dl * (1 - dl2 * (1 / 6) * (1 - dl2 * (1 / 20) * (1 - dl2 * (1 / 42))));
      } else {
        cd = Math.cos(dl);
        sd = Math.sin(dl);
      }
      iaRef = this.iaRef * cd + this.ibRef * sd;
      ibRef = this.ibRef * cd - this.iaRef * sd;
    }
    this.fieldStart = this.fieldSteps;
    this.fieldArea = 0;
    this.edgeTicks = t;
    const phi = this.fieldAngle();
    const t0Ticks = this.tTicks;
    let x = this.x,
      v = this.v,
      ia = this.ia,
      ib = this.ib;
    let i2 = 0;
    let th0 = this.rotTh,
      s = this.rotS,
      c = this.rotC,
      rotated = this.rotN;
    let punctured = this.punctured,
      tipMax = this.tipMaxM,
      angleMax = this.loadAngleMaxRad;
    for (let k = 1; k <= n; k++) {
      const x0 = x,
        ia0 = ia,
        ib0 = ib;
      const xh = x + (v * h) / 2;
      const th = xh * kE;
      // sine and cosine of the rotor angle: rotated by the step in angle (Taylor to the 10th order:
      // error below d^11 / 11!, 3e-13 at 0.35 rad), computed afresh every ROTATE_RESYNC steps
      const d = th - th0;
      if (d > -ROTATE_MAX_RAD && d < ROTATE_MAX_RAD && ++rotated < ROTATE_RESYNC) {
        const d2 = d * d;
        const cd =
            1 - d2 * (1 / 2) * (1 - d2 * (1 / 12) * (1 - d2 * (1 / 30) * (1 - d2 * (1 / 56) * (1 - d2 * (1 / 90))))),
          sd =
            d *
            (1 - d2 * (1 / 6) * (1 - d2 * (1 / 20) * (1 - d2 * (1 / 42) * (1 - d2 * (1 / 72) * (1 - d2 * (1 / 110))))));
        const s1 = s * cd + c * sd;
        c = c * cd - s * sd;
        s = s1;
      } else {
        s = Math.sin(th);
        c = Math.cos(th);
        rotated = 0;
      }
      th0 = th;
      const w = v * invLp;
      const ea = -kt * w * s,
        eb = kt * w * c;
      if (on) {
        // the chopper brings each phase to its reference where the bus voltage allows (motor.ts's
        // phaseStep, inlined: the one place a division and a call per step show)
        const ua = r * ia + ea + lOverH * (iaRef - ia);
        const ub = r * ib + eb + lOverH * (ibRef - ib);
        const aFollows = ua <= vb && ua >= negVb,
          bFollows = ub <= vb && ub >= negVb;
        if (!(aFollows && bFollows) && decay < 0) decay = this.decayFor(r, h, l);
        if (aFollows) ia = iaRef;
        else {
          const iInf = ((ua > 0 ? vb : negVb) - ea) * invR;
          ia = iInf + (ia - iInf) * decay;
        }
        if (bFollows) ib = ibRef;
        else {
          const iInf = ((ub > 0 ? vb : negVb) - eb) * invR;
          ib = iInf + (ib - iInf) * decay;
        }
      } else if (ia !== 0 || ib !== 0) {
        if (decay < 0) decay = this.decayFor(r, h, l);
        ia = phaseStep(ia, iaRef, ea, r, l, vb, h, decay, false);
        ib = phaseStep(ib, ibRef, eb, r, l, vb, h, decay, false);
      }
      i2 += ia * ia + ib * ib;
      const torque =
        kt * (ib * c - ia * s) - detent4 * s * c * (c * c - s * s) - drag * w - fieldDamping * (w - wField);
      const fm = torque * invLp;
      // load side: return spring, skin (elastic until it gives, then cutting and shaft friction)
      let fext = -(springPre + springRate * (xh > 0 ? xh : 0));
      let frBoth = nutDrag,
        frIn = 0;
      const depth = xh - guard;
      if (depth > 0) {
        if (!punctured) fext -= skinRate * depth;
        else {
          frIn = cutN;
          frBoth += shaftPerM * depth;
        }
      }
      let g = gd,
        invM = invMd;
      let a = (fm + g * fext) * invM;
      let vs = v + a * h;
      let dir = vs > 0 ? 1 : vs < 0 ? -1 : 0;
      let fr = frBoth + (dir > 0 ? frIn : 0);
      if ((m * a - fext + dir * fr) * dir < 0) {
        // the load drives the motor through the screw
        g = gb;
        invM = invMb;
        a = (fm + g * fext) * invM;
        vs = v + a * h;
        dir = vs > 0 ? 1 : vs < 0 ? -1 : 0;
        fr = frBoth + (dir > 0 ? frIn : 0);
        // neither way is consistent (the motor would move the carriage against the nut, the load
        // would move it along): the thread's friction holds it, the screw is self-locking there
        if ((m * a - fext + dir * fr) * dir > 0) vs = 0;
      }
      const dv = g * fr * h * invM;
      v = Math.abs(vs) <= dv ? 0 : vs - dir * dv;
      x = xh + (v * h) / 2;
      if (x < rearStop) {
        x = rearStop;
        if (v < 0) v = 0;
      }
      if (x > hiStop) {
        x = hiStop;
        if (v > 0) v = 0;
      }
      const d2 = x - guard;
      if (d2 >= punctureDepth) punctured = true;
      else if (d2 <= 0) punctured = false;
      if (d2 > tipMax) tipMax = d2;
      if (on) {
        const lag = phi - x * kE;
        // the load angle within half a cycle of the cycles counted so far: no slip (the rounding
        // only when it leaves that band)
        let wrapped = lag - TWO_PI * this.cycles;
        if (wrapped > Math.PI || wrapped < -Math.PI) {
          const cyc = Math.round(lag / TWO_PI);
          wrapped = lag - TWO_PI * cyc;
          if (cyc !== this.cycles) {
            this.lostSteps += Math.abs(cyc - this.cycles) * 4 * p.microsteps;
            this.cycles = cyc;
            this.lostSinceSample = true;
          }
        }
        if (wrapped < 0) wrapped = -wrapped;
        if (wrapped > angleMax) angleMax = wrapped;
      }
      if (v === 0 && x === x0 && ia === ia0 && ib === ib0 && k < n) {
        // at rest (static friction holds the carriage, the currents sit at their reference or at
        // zero): within one advance nothing outside changes, so every further step would repeat this
        // one. Skip to the end: the same state, the currents' heat for the steps skipped, the rotor's
        // sine due for its exact recomputation after as many steps as it would have had.
        i2 += (n - k) * (ia * ia + ib * ib);
        rotated += n - k;
        k = n;
      }
      if (sample)
        sample.call(
          this.samplerThis,
          Math.round(t0Ticks + (k === n ? this.splitEnd : (dTicks * k) / n)),
          x * 1e6,
          d2 * 1e6,
        );
    }
    this.x = x;
    this.v = v;
    this.ia = ia;
    this.ib = ib;
    this.punctured = punctured;
    this.tipMaxM = tipMax;
    this.loadAngleMaxRad = angleMax;
    this.rotTh = th0;
    this.rotS = s;
    this.rotC = c;
    this.rotN = rotated;
    this.tTicks = t;
    // the temperatures move in seconds: update them (and the winding's resistance) once per ms
    this.heatDtS += dtS;
    this.heatI2dt += i2 * h;
    if (this.heatDtS >= HEAT_EVERY_S) {
      this.heat(this.heatDtS, this.heatI2dt);
      this.heatDtS = 0;
      this.heatI2dt = 0;
    }
  }
  private decayFor(r: number, h: number, l: number): number {
    return (this.decay = Math.exp((-r * h) / l));
  }
  private splitTicks = NaN;
  private splitS = 0;
  private splitN = 0;
  private splitH = 0;
  /** (span x steps) / steps: the last step's end as the general expression has it */
  private splitEnd = 0;
  private lOverH = 0;
  private invR = 0;
  private decayR = NaN;
  private decayH = NaN;
  private decay = 0;
  private rotTh = NaN;
  private rotS = 0;
  private rotC = 1;
  private rotN = 0;
  private heatDtS = 0;
  private heatI2dt = 0;

  /** First-order thermal models of the winding and the driver's die over dtS with the integral of i^2. */
  private heat(dtS: number, i2dt: number): void {
    const p = this.p;
    const cu = (i2dt * (this.rOhm - 2 * p.rdsonOhm)) / dtS;
    const die = (i2dt * 2 * p.rdsonOhm) / dtS;
    this.windingC += (p.ambientC + cu * p.windingRthCPerW - this.windingC) * (1 - Math.exp(-dtS / p.windingTauS));
    this.driverC += (p.ambientC + die * p.driverRthCPerW - this.driverC) * (1 - Math.exp(-dtS / p.driverTauS));
    if (this.windingC > this.windingCMax) this.windingCMax = this.windingC;
    if (this.driverC > this.driverCMax) this.driverCMax = this.driverC;
    this.rOhm = this.resistance();
  }

  /** Mechanical energy (J) for checks with losses off: kinetic, magnetic, detent, spring (currents held). */
  energyJ(): number {
    const p = this.p;
    const th = this.rotorAngle();
    const kin = 0.5 * (this.mr + p.carriageKg) * this.v * this.v;
    const mag = -(p.ktNmPerA / p.polePairs) * (this.ia * Math.cos(th) + this.ib * Math.sin(th));
    const det = -(p.detentNm / (4 * p.polePairs)) * Math.cos(4 * th);
    const xp = Math.max(0, this.x);
    const spring = p.springPreN * this.x + 0.5 * p.springRateNPerM * xp * xp;
    return kin + mag + det + spring;
  }
}
