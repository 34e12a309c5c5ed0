// Simulated time: executes each step when it is due and lets the physics follow, runs a control tick
// (scheduled user actions, driver heat, battery draw, watchdog, firmware tick) every 1/control_hz,
// and moves the carriage freely while the driver is off. Time and physics go on while the pen has no
// power; the firmware and its watchdog do not.
import { SimClock } from './clock.js';
import { Trace } from './trace.js';
import { Mechanics } from './mechanics.js';
import { StrokeMeter } from './meter.js';
import { StepQueue } from './parts/step-queue.js';
import { StepperDriver } from './parts/stepper-driver.js';
import { Endstop } from './parts/endstop.js';
import { Telemetry } from './parts/telemetry.js';
import { PowerSupply } from './parts/power.js';
import { Watchdog } from './parts/watchdog.js';
import { Firmware } from './firmware.js';
import { EncoderSampler } from './parts/encoder.js';
import { Sampler } from './physics/model.js';

/** What the loop drives. */
export interface LoopParts {
  clock: SimClock;
  queue: StepQueue;
  mech: Mechanics;
  driver: StepperDriver;
  endstop: Endstop;
  telemetry: Telemetry;
  power: PowerSupply;
  watchdog: Watchdog;
  meter: StrokeMeter;
  trace: Trace | undefined;
  firmware: Firmware;
  /** the shaft encoder's sampling, when the board has one */
  encoder?: EncoderSampler;
}

export class TimeLoop {
  private nextControlTicks = 0;
  private readonly timeline: { tTicks: number; fn: () => void }[] = [];
  private stopWhen: (() => boolean) | undefined;
  private stopHit = false;

  constructor(
    private readonly p: LoopParts,
    readonly ticksPerControl: number,
  ) {
    // the physical model integrates on its own between the loop's events (when its steps are merged)
    if (p.mech.phys) {
      p.mech.phys.sampler = TimeLoop.sample as Sampler;
      p.mech.phys.samplerThis = this;
    }
  }

  /** Do `fn` at the first control tick at or after t. */
  at(t: number, fn: () => void): void {
    this.timeline.push({ tTicks: t, fn });
    this.timeline.sort((a, b) => a.tTicks - b.tTicks);
  }

  /**
   * Something outside changes the pen now (a fault or its end, the supply, the skin, the cartridge):
   * the physics is brought up to now first, so the change acts from its own moment, as at any other
   * event. (Between events the model may be up to a control period behind the clock: a driver
   * switched there would otherwise act from the model's last integration.)
   */
  eventNow(): void {
    const { clock, mech } = this.p;
    if (!mech.phys || mech.phys.timeTicks >= clock.tTicks) return;
    this.followEvent(clock.tTicks);
  }

  /** Advance simulated time by `ms`. */
  run(ms: number): void {
    this.runUntilTicks(this.p.clock.tTicks + this.p.clock.ticks(ms));
  }

  /** Advance until `done()` holds after a control tick, or `timeoutMs` passes; true if it held. */
  runUntil(done: () => boolean, timeoutMs: number): boolean {
    const clock = this.p.clock;
    const end = clock.tTicks + clock.ticks(timeoutMs);
    while (clock.tTicks < end) {
      this.runUntilTicks(Math.min(end, this.nextControlTicks + 1));
      if (done()) return true;
    }
    return done();
  }

  /** Advance until `done()` holds after some step (finer than runUntil), or `timeoutMs` passes. */
  runUntilStep(done: () => boolean, timeoutMs: number): boolean {
    this.stopWhen = done;
    this.stopHit = false;
    try {
      this.runUntilTicks(this.p.clock.tTicks + this.p.clock.ticks(timeoutMs));
    } finally {
      this.stopWhen = undefined;
    }
    return this.stopHit;
  }

  private runUntilTicks(end: number): void {
    const clock = this.p.clock;
    while (clock.tTicks < end) {
      // the enable pump is hardware: it runs down at its hold time, between control ticks too
      const pumpTicks = this.p.watchdog.pumpRunDownTicks();
      const pumpDue = pumpTicks > clock.tTicks && pumpTicks < Math.min(this.nextControlTicks, end);
      const target = pumpDue ? pumpTicks : Math.min(this.nextControlTicks, end);
      this.advance(target, pumpDue || target === this.nextControlTicks);
      if (pumpDue) {
        this.pumpRanDown();
        // the outputs going off is itself a moment runUntilStep may wait for
        if (this.stopWhen?.()) this.stopHit = true;
      }
      if (this.stopHit && this.stopWhen) return;
      if (clock.tTicks === this.nextControlTicks) {
        this.controlTick();
        this.nextControlTicks += this.ticksPerControl;
      }
    }
  }

  /**
   * Execute the steps due up to `target` and, at an event (`event`: a control tick, the enable pump
   * running down), let the physics follow. Where a caller's run() ends is no event: the physics is
   * not cut there, so a run sliced any way gives the same trace, bit for bit (cutting an integration
   * step at each slice's end changed it: with the worst pen at 2.0 mm and 25 Hz with 36 needles, a
   * run in one piece stalled and the same run in 0.1 ms slices did not). There the carriage is only
   * looked at (Mechanics.lookAt); the parts watch it at the next event. (The kinematic model's drift
   * with the driver off still takes its steps from each slice's start.)
   */
  private advance(target: number, event: boolean): void {
    const { clock, mech, meter, trace, telemetry, endstop, driver } = this.p;
    const ex = this.p.queue.executor;
    const from = clock.tTicks;
    const ph = mech.phys;
    // merged steps: the model integrates when its steps span its step (or at a full step), and the
    // parts watch the carriage where it was integrated to; a segment the endstop may stop, step by step
    const merging = ph !== undefined && ph.mergesSteps;
    for (;;) {
      const ts = ex.nextStepTicks();
      if (ts > target) break;
      const stops = ex.stopsAtEndstop;
      if (ph && (!merging || stops)) this.follow(ts);
      clock.tTicks = ts;
      const move = ex.move;
      const moveStart = ex.moveStartTicks;
      const d = ex.step();
      mech.step(ts, d, ex.position);
      if (merging && ph.timeTicks !== this.watchedPhysTicks) this.watch(ts);
      driver.watchSlip(ts);
      if (move && ex.move === move) meter.onStep(ts, move, moveStart, ex.moveStep);
      if (!ph) {
        meter.onMove(ts, mech.xUm, mech.tipUm());
        this.p.encoder?.observe(ts);
      }
      if (trace) trace.step(ts, d, mech.tipUm());
      if (!ph) {
        // (the physical carriage has not moved since follow() watched it at ts: a step turns the field only)
        telemetry.watchRetract(ts);
        endstop.watch(ts);
      }
      if (stops && endstop.active()) {
        ex.stopAtEndstop();
        mech.settle(ts, ex.position);
      } else if (!ex.busy) mech.settle(ts, ex.position);
      if (this.stopWhen && this.stopWhen()) {
        this.stopHit = true;
        return;
      }
    }
    clock.tTicks = target;
    if (mech.phys) {
      if (!event) {
        mech.lookAt(target);
        return;
      }
      this.followEvent(target);
      return;
    }
    const dtS = (target - from) / clock.timerHz;
    if (!driver.outputsOn() && dtS > 0) {
      const before = mech.xUm;
      mech.drift(dtS);
      if (mech.xUm !== before) {
        meter.onMove(target, mech.xUm, mech.tipUm());
        this.p.encoder?.observe(target);
        trace?.tip(target, mech.tipUm());
        telemetry.watchRetract(target);
        endstop.watch(target);
      }
    }
  }

  /**
   * The physical model moves on its own between events: the meter and the encoder see each integration
   * step. One function for every loop, called with the loop as `this`: a closure per loop was a new
   * call target at the model's call site each run, and V8 threw the model's compiled code away for it
   * (docs/simulator.md: a new pen's second and third runs 2-3x slower, now and then one stuck at 7x).
   */
  private static sample(this: TimeLoop, t: number, xUm: number, tipUm: number): void {
    this.p.meter.onTip(t, tipUm);
    this.p.encoder?.observeAt(t, xUm);
  }

  /**
   * ... and the encoder, retract timing and the endstop at each event (a step, a control tick: 1 ms
   * or finer) that moved the model: with merged steps the model's time is the last integration's, up
   * to H_MAX_S before the event. Within one advance the model's position is only known at its end.
   */
  private follow(t: number): void {
    this.p.mech.advanceTo(t); // (the model's own sampler, TimeLoop.sample: one function for every loop)
    this.watch(t);
  }

  /** The physical model at an event at t: followed there, and the tip's place in the trace. */
  private followEvent(t: number): void {
    this.follow(t);
    this.p.trace?.modelAt(t, this.p.mech.tipUm(), !this.p.driver.outputsOn());
  }

  /** The parts watch the carriage as the model has it, at the event at t (the trace keeps its time order). */
  private watch(t: number): void {
    this.watchedPhysTicks = this.p.mech.phys!.timeTicks;
    this.p.encoder?.observe(t);
    this.p.telemetry.watchRetract(t);
    this.p.endstop.watch(t);
  }
  /** the model's time when the parts last watched it (ticks) */
  private watchedPhysTicks = -1;

  private pumpRanDown(): void {
    const { clock, driver, mech, watchdog } = this.p;
    if (!watchdog.pumpExpired(clock.tTicks)) return;
    driver.pumpRanDown();
    mech.driverOn = driver.outputsOn();
  }

  private controlTick(): void {
    const { clock, driver, power, mech, watchdog, firmware } = this.p;
    const t = clock.tTicks;
    while (this.timeline.length && this.timeline[0].tTicks <= t) this.timeline.shift()!.fn();
    const dtS = this.ticksPerControl / clock.timerHz;
    const coilW = driver.coilW(); // what the coils drew over the tick, before the driver could trip
    driver.heat(dtS);
    power.draw(dtS, coilW);
    if (watchdog.pumpExpired(t)) driver.pumpRanDown();
    mech.driverOn = driver.outputsOn();
    if (firmware.dead) return;
    if (watchdog.expired(t)) {
      watchdog.bite();
      return;
    }
    if (watchdog.hung) return;
    firmware.tick();
  }
}
