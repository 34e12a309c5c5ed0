// The motor and the needle carriage. While the motor holds synchronism the carriage follows every
// microstep; the force the motion needs (mass x acceleration against skin, spring and friction) is
// checked against the pull-out force at that speed, and when it is exceeded the rotor slips: steps
// are lost and the carriage stalls until the step rate falls below the pull-in rate. With the driver
// off the carriage moves freely under the return spring and the skin.
//
// A board whose physics block says model 'physical' gets the physical model instead (physics/):
// load angle, currents, slips of whole electrical cycles, momentum kept through flush and driver-off.
// The loop then advances it in time (advanceTo); the kinematic path above stays as it was.
import { Board, Cartridge, derive, interpolate } from '../boards/board.js';
import { Tissue, TISSUES } from './tissue.js';
import { PhysicalDrive, Sampler } from './physics/model.js';
import { physicsParams } from './physics/params.js';

/** Rotor-following filter: how fast the rotor tracks the commanded position (rad/s). */
const FOLLOW_RAD_S = 2 * Math.PI * 400;

export class Mechanics {
  readonly stepUm: number;
  readonly guardUm: number;
  private readonly tickS: number;
  private readonly massKg: number;
  private readonly frictionN: number;
  private readonly springPreN: number;
  private readonly springRateNPerUm: number;
  private readonly rpmPerMps: number;
  private readonly forceScale: number; // pull-out torque (mNm) -> force at the carriage (N)
  private readonly curve: [number, number][];
  private readonly pullInStepsS: number;
  private readonly rearStopUm: number;
  private readonly frontStopUm: number;
  needles: number;
  private tissueNow: Tissue;
  /** the physical model, when the board asks for it */
  readonly phys: PhysicalDrive | undefined;
  private physLost = 0;

  /** carriage position (um from the endstop, positive toward the skin) */
  get xUm(): number {
    if (this.lookTicks >= 0) this.look();
    return this.xNowUm;
  }
  set xUm(x: number) {
    this.xNowUm = x;
    this.lookTicks = -1;
  }
  /** carriage speed (m/s) */
  get vMps(): number {
    if (this.lookTicks >= 0) this.look();
    return this.vNowMps;
  }
  set vMps(v: number) {
    this.vNowMps = v;
    this.lookTicks = -1;
  }
  // (= 0: number fields from the start, stored unboxed)
  private xNowUm = 0;
  private vNowMps = 0;
  /** the time (ticks) a reader may look at the physical carriage between events; -1 none */
  private lookTicks = -1;
  /** commanded position minus actual position, in steps (changes when steps are lost) */
  offsetSteps = 0;
  synced = true;
  slipping = false;
  missedSteps = 0;
  private obstacle = Infinity;
  private on = false;
  /** steps still to lose without a stall flag (a slipping clutch, a loose coupling: what the endstop check is for) */
  silentLoss = 0;
  /** highest force demand seen as a share of the available force */
  peakLoadShare = 0;

  // rotor-following filter state (um, um/s) and last update
  private fx = 0;
  private fv = 0;
  private lastTicks = 0;
  private lastStepTicks = -1;

  constructor(
    private readonly board: Board,
    cart: Cartridge,
    tissue: Tissue,
    torqueFactor: number,
    private readonly timerHz: number,
  ) {
    const d = derive(board);
    this.stepUm = d.stepUm;
    this.guardUm = board.geometry.retract_um + board.geometry.clearance_um;
    this.tickS = 1 / timerHz;
    this.massKg = d.effectiveMassKg(cart);
    this.frictionN = board.carriage.friction_N;
    this.springPreN = board.carriage.return_spring_preload_N;
    this.springRateNPerUm = board.carriage.return_spring_rate_N_per_mm / 1000;
    this.rpmPerMps = 60 / (board.drive.lead_mm / 1000);
    this.forceScale = (torqueFactor / 1000) * d.radPerM * board.drive.efficiency;
    this.curve = board.motor.pull_out_curve.points_rpm_mNm;
    this.pullInStepsS = board.motor.pull_in_rate_full_steps_s * board.driver.microsteps;
    this.rearStopUm = board.geometry.rear_stop_um;
    this.frontStopUm = board.geometry.front_stop_um;
    this.needles = cart.needles;
    this.tissueNow = tissue;
    // unpowered, the spring holds the carriage against the rear stop
    this.xUm = this.rearStopUm;
    this.fx = this.xUm;
    this.offsetSteps = -this.xUm / this.stepUm;
    if (board.physics?.model === 'physical') {
      const p = physicsParams(board, cart);
      this.phys = new PhysicalDrive(p, cart.needles, this.punctureN(p.punctureN, tissue), timerHz, this.xUm * 1e-6);
    }
  }

  /** a hard obstacle under the needles (um), or Infinity */
  get obstacleUm(): number {
    return this.obstacle;
  }
  set obstacleUm(v: number) {
    this.obstacle = v;
    if (this.phys) this.phys.obstacleM = v * 1e-6;
  }

  /** the driver's outputs drive the coils (the loop and the driver's protection set it) */
  get driverOn(): boolean {
    return this.on;
  }
  set driverOn(v: boolean) {
    if (this.phys && v !== this.on) this.phys.setDriver(v);
    this.on = v;
  }

  get tissue(): Tissue {
    return this.tissueNow;
  }
  set tissue(t: Tissue) {
    this.tissueNow = t;
    if (this.phys) this.phys.punctureN = this.punctureN(this.phys.p.punctureN, t);
  }

  /** the board's puncture force per needle is for normal skin; other tissues scale it */
  private punctureN(boardN: number, t: Tissue): number {
    return (boardN * t.peakN * 1000) / TISSUES.normal;
  }

  /** Physical model: integrate up to t (ticks), `sample` after each integration step. */
  advanceTo(t: number, sample?: Sampler): void {
    const ph = this.phys!;
    if (sample !== this.sampleFn) {
      this.sampleFn = sample;
      // the carriage's position is current for whatever the sampler reads (endstop, retract timing)
      this.sampleWrapped =
        sample &&
        ((tt, x, tip) => {
          this.xUm = x;
          sample(tt, x, tip);
        });
    }
    ph.advanceTo(t, this.sampleWrapped);
    this.syncPhys();
  }
  /**
   * Physical model: the carriage is where it is at t, between events, without integrating there
   * (PhysicalDrive.xAt); worked out only when something reads it (a run polled every control tick
   * reads little of it).
   */
  lookAt(t: number): void {
    this.lookTicks = t;
  }
  private look(): void {
    const t = this.lookTicks;
    this.lookTicks = -1;
    const ph = this.phys!;
    this.xNowUm = ph.xAt(t) * 1e6;
    this.vNowMps = ph.lookedVMps;
  }
  private sampleFn: Sampler | undefined;
  private sampleWrapped: Sampler | undefined;

  private syncPhys(): void {
    const ph = this.phys!;
    this.xUm = ph.x * 1e6;
    this.vMps = ph.v;
    if (ph.lostSteps !== this.physLost) {
      this.missedSteps += ph.lostSteps - this.physLost;
      this.physLost = ph.lostSteps;
    }
    if (ph.loadAngleMaxRad !== this.physAngleMax) {
      this.physAngleMax = ph.loadAngleMaxRad; // (called at every step: the sine only when it changed)
      this.peakLoadShare = Math.sin(Math.min(Math.PI / 2, ph.loadAngleMaxRad));
    }
  }
  private physAngleMax = NaN;

  /** What the physical model saw over the run (undefined for the ideal model). */
  physicsSummary():
    | { tip_max_um: number; load_angle_deg_max: number; winding_temp_c_max: number; driver_temp_c_max: number }
    | undefined {
    const ph = this.phys;
    if (!ph) return undefined;
    return {
      tip_max_um: ph.tipMaxM * 1e6,
      load_angle_deg_max: (ph.loadAngleMaxRad * 180) / Math.PI,
      winding_temp_c_max: ph.windingCMax,
      driver_temp_c_max: ph.driverCMax,
    };
  }

  private physStep(t: number, d: number): void {
    const ph = this.phys!;
    if (!this.on) this.missedSteps++;
    else if (this.silentLoss > 0) {
      this.silentLoss--;
      this.missedSteps++;
    } // the coupling slips: the rotor never sees it
    else ph.fieldStep(d, t);
    this.slipping = ph.stallSeen;
    this.syncPhys();
  }

  availableForceN(vMps: number): number {
    return interpolate(this.curve, Math.abs(vMps) * this.rpmPerMps) * this.forceScale;
  }

  /** External force on the carriage (N, positive toward the skin). */
  externalForceN(xUm: number, vMps: number): number {
    const spring = -(this.springPreN + this.springRateNPerUm * Math.max(0, xUm));
    const skin = this.tissue.forceN(this.needles, xUm - this.guardUm, vMps);
    return spring + skin;
  }

  /** One commanded step at time t (ticks), direction d (+1 toward the skin). cmdSteps is the executor position after it. */
  step(t: number, d: number, cmdSteps: number): void {
    if (this.phys) {
      this.physStep(t, d);
      return;
    }
    if (!this.driverOn) {
      this.missedSteps++;
      return;
    }
    const dtS = (t - this.lastTicks) * this.tickS;
    if (this.silentLoss > 0) {
      // the coupling slips: the carriage stays where it is, otherwise moving as commanded; its speed
      // and acceleration go on with the field's (the filter follows the field and is moved back with
      // the carriage). A filter left standing kept the speed from before the loss: across a bottom
      // turn the first step after it read as a reversal within one step, a stall the driver flagged
      // (tests/qa/faults/step-loss-within-threshold.yaml on drawn pens)
      this.silentLoss--;
      this.missedSteps++;
      this.follow((cmdSteps - d - this.offsetSteps) * this.stepUm, dtS);
      this.offsetSteps += d;
      this.fx -= d * this.stepUm;
      this.lastTicks = t;
      this.lastStepTicks = t;
      return;
    }
    const stepRate = this.lastStepTicks >= 0 ? this.timerHz / Math.max(1, t - this.lastStepTicks) : 0;
    this.lastStepTicks = t;
    if (this.slipping) {
      if (stepRate < this.pullInStepsS)
        this.resync(cmdSteps - d); // slow enough to catch the field again
      else {
        this.missedSteps++;
        this.offsetSteps += d;
        this.lastTicks = t;
        return;
      }
    }
    // advance the follow filter to t with the old target, measuring the mean acceleration
    const target = (cmdSteps - d - this.offsetSteps) * this.stepUm;
    const v0 = this.fv;
    this.follow(target, dtS);
    this.lastTicks = t;
    const accel = dtS > 0 ? ((this.fv - v0) * 1e-6) / dtS : 0; // m/s^2
    const v = this.fv * 1e-6;
    const newX = (cmdSteps - this.offsetSteps) * this.stepUm;
    const blocked = newX > this.obstacleUm || newX > this.frontStopUm || newX < this.rearStopUm;
    const need = this.massKg * accel - this.externalForceN(this.xUm, v) + d * this.frictionN;
    const avail = this.availableForceN(v);
    const share = Math.abs(need) / avail;
    if (share > this.peakLoadShare) this.peakLoadShare = share;
    if (blocked || share > 1) {
      this.slipping = true;
      this.missedSteps++;
      this.offsetSteps += d;
      this.vMps = 0;
      this.fv = 0;
      return;
    }
    this.xUm = newX;
    this.vMps = v;
  }

  private follow(target: number, dtS: number): void {
    if (dtS <= 0) return;
    const w = FOLLOW_RAD_S;
    const e0 = this.fx - target;
    const c = this.fv + w * e0;
    const ex = Math.exp(-w * dtS);
    this.fx = target + (e0 + c * dtS) * ex;
    this.fv = (this.fv - w * c * dtS) * ex;
  }

  /** The rotor locks onto the field again where the carriage is. */
  resync(cmdSteps: number): void {
    this.slipping = false;
    this.offsetSteps = cmdSteps - this.xUm / this.stepUm;
    this.fx = this.xUm;
    this.fv = 0;
    this.vMps = 0;
  }

  /** The step queue stopped (flush, end of move, endstop): the rotor comes to rest. */
  settle(t: number, cmdSteps: number): void {
    if (this.phys) {
      this.advanceTo(t);
      return;
    } // the rotor keeps its momentum
    if (this.slipping) this.resync(cmdSteps);
    this.lastTicks = t;
    this.lastStepTicks = -1;
    this.fx = this.xUm;
    this.fv = 0;
    this.vMps = 0;
  }

  setDriver(on: boolean, t: number, cmdSteps: number): void {
    if (on === this.driverOn) return;
    if (this.phys) {
      this.advanceTo(t);
      this.driverOn = on;
      return;
    }
    this.driverOn = on;
    this.settle(t, cmdSteps);
    this.resync(cmdSteps);
  }

  /** Free motion with the driver off, advanced by dtS seconds (semi-implicit Euler, small steps). */
  drift(dtS: number): void {
    if (this.driverOn || this.phys) return;
    const h = 10e-6;
    for (let left = dtS; left > 1e-12; left -= h) {
      const dt = Math.min(h, left);
      const f = this.externalForceN(this.xUm, this.vMps);
      if (this.vMps === 0 && Math.abs(f) <= this.frictionN) return; // static friction holds it
      const fr = this.vMps !== 0 ? -Math.sign(this.vMps) * this.frictionN : -Math.sign(f) * this.frictionN;
      let v = this.vMps + ((f + fr) / this.massKg) * dt;
      if (this.vMps !== 0 && Math.sign(v) !== Math.sign(this.vMps)) v = 0; // friction stops, never reverses
      let x = this.xUm + v * dt * 1e6;
      if (x <= this.rearStopUm) {
        x = this.rearStopUm;
        v = 0;
      }
      if (x >= this.frontStopUm) {
        x = this.frontStopUm;
        v = 0;
      }
      this.xUm = x;
      this.vMps = v;
    }
  }

  /** The motor shaft's angle (rad), 0 with the carriage at the endstop's design point. */
  shaftAngleRad(): number {
    return this.phys ? this.phys.shaftAngle() : (this.xUm * 1e-6 * 2 * Math.PI) / (this.board.drive.lead_mm / 1000);
  }

  /** Needles' tip past the guard plane (um; negative = retracted behind it). */
  tipUm(): number {
    return this.xUm - this.guardUm;
  }
}
