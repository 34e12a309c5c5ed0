// The stepper driver (HAL driver_enable, driver_status, driver_temp_dc): the Driver model's flags and
// temperature, the enable line, and the StallGuard flag latched from a rotor slip until it is read.
import { HalImports, HalPart } from '../hal.js';
import { FaultSource, FaultTable } from '../faults.js';
import { SimClock } from '../clock.js';
import { Trace } from '../trace.js';
import { Board } from '../../boards/board.js';
import { Mechanics } from '../mechanics.js';
import { StepExecutor } from '../executor.js';
import { Driver } from '../driver.js';

/** how far above the shutdown temperature an over-temperature fault puts the die (deg C) */
const OVERTEMP_MARGIN_C = 5;
/** blocked cooling: thermal resistance multiplied by this while over-temperature is injected */
const BLOCKED_COOLING_FACTOR = 20;
/** where the die is when an over-temperature fault is taken back (deg C above ambient) */
const CLEARED_TEMP_RISE_C = 10;

export class StepperDriver implements HalPart, FaultSource {
  readonly model: Driver;
  private enabled = false;
  private stallLatched = false;
  /** the enable pump ran down (no toggle for its hold time): outputs off until the enable line rises again */
  private pumpDown = false;

  constructor(
    private readonly board: Board,
    private readonly clock: SimClock,
    private readonly mech: Mechanics,
    private readonly executor: StepExecutor,
    private readonly trace: Trace | undefined,
  ) {
    this.model = new Driver(board);
  }

  imports(): HalImports {
    return {
      driver_enable: (on: number): void => this.setEnable(on !== 0),
      driver_status: (): number => this.readStatus(),
      driver_temp_dc: (): number => Math.round(this.model.tempC * 10),
    };
  }

  /** The outputs drive the coils: enabled, and not switched off by the driver's own protection. */
  outputsOn(): boolean {
    return this.enabled && !this.model.tripped && !this.pumpDown;
  }

  setEnable(on: boolean): void {
    const t = this.clock.tTicks;
    this.enabled = on;
    if (on) this.pumpDown = false; // the latch after the pump is set again by a rising enable
    this.mech.setDriver(this.outputsOn(), t, this.executor.position);
    this.trace?.level(t, 'enable', on ? 1 : 0);
    this.trace?.event(t, 'hal', `driver_enable ${on ? 1 : 0}`);
  }

  /** The enable pump ran down: the outputs go off (the spring retracts) whatever the firmware thinks. */
  pumpRanDown(): void {
    if (this.pumpDown || !this.enabled) return;
    const t = this.clock.tTicks;
    this.pumpDown = true;
    this.mech.setDriver(false, t, this.executor.position);
    this.trace?.event(t, 'runtime', 'enable pump ran down: driver outputs off');
  }

  /** Power is gone: the enable line falls with it. */
  powerLost(): void {
    this.enabled = false;
    this.mech.setDriver(false, this.clock.tTicks, this.executor.position);
  }

  readStatus(): number {
    this.model.stallFlag = this.stallLatched;
    const s = this.model.status();
    this.stallLatched = false; // DIAG is a pulse: reading takes it
    this.model.stallFlag = false;
    return s;
  }

  /** After a step at t: a rotor slip (or, physically, a rotor past its stability limit) raises the stall flag, above StallGuard's lowest speed only. */
  watchSlip(t: number): void {
    if (!this.mech.slipping || this.stallLatched) return;
    const stepRate = this.board.driver.stallguard_min_full_steps_s * this.board.driver.microsteps;
    const ex = this.executor;
    const v = Math.abs(ex.busy ? this.clock.timerHz / Math.max(1, ex.nextStepTicks() - t) : 0);
    if (v >= stepRate) {
      this.stallLatched = true;
      // the physical rotor raises it past its stability limit at a full step, slipped or not yet
      this.trace?.event(
        t,
        'physics',
        this.mech.phys
          ? `stall flag raised: the rotor more than 90 deg behind its field at a full step, ${this.mech.missedSteps} steps lost so far`
          : 'rotor slipped: stall flag raised',
      );
    }
  }

  /** Advance the die temperature by dtS with the outputs as they are. */
  heat(dtS: number): void {
    this.model.heat(dtS, this.outputsOn());
  }

  /** Power the coils draw now (W): both phases at rated current. */
  coilW(): number {
    return this.outputsOn() ? 2 * this.board.motor.rated_current_A ** 2 * this.board.motor.phase_resistance_ohm : 0;
  }

  faults(): FaultTable {
    const d = this.model;
    const mech = this.mech;
    return {
      // a hard object right under the needles: the rotor slips against it
      stall: {
        inject: () => {
          mech.obstacleUm = mech.xUm;
        },
        clear: () => {
          mech.obstacleUm = Infinity;
        },
      },
      overtemp: {
        inject: () => {
          d.tempC = this.board.driver.ot_C + OVERTEMP_MARGIN_C;
          d.coolingFactor = BLOCKED_COOLING_FACTOR;
        },
        clear: () => {
          d.coolingFactor = 1;
          d.tempC = d.ambientC + CLEARED_TEMP_RISE_C;
        },
      },
      driver_short: {
        inject: () => {
          d.shorted = true;
        },
        clear: () => {
          d.shorted = false;
        },
      },
    };
  }
}
