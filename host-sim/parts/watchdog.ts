// The watchdog and the reset logic (HAL watchdog_kick, reset_cause, panic, reboot_to_service,
// image_confirm): a
// firmware that stops kicking is reset; a panic resets at once. The reset itself is the pen's (`reset`).
// Each kick also toggles the pin of the driver's enable pump (board driver.enable_pump_hold_ms): a
// firmware that stops kicking loses the driver's outputs after the hold time, long before the reset.
// The simulator has no bootloader: a restart into service mode is recorded, and the firmware runs on.
import { HalImports, HalPart } from '../hal.js';
import { FaultSource, FaultTable } from '../faults.js';
import { SimClock } from '../clock.js';
import { Trace } from '../trace.js';
import { RESET_CAUSES } from '../../abi/pen-abi.js';

const cause = (constant: string): number => RESET_CAUSES.find((c) => c.constant === constant)!.code;
export const RESET_POWER_ON = cause('RESET_POWER_ON');
export const RESET_WATCHDOG = cause('RESET_WATCHDOG');
export const RESET_PANIC = cause('RESET_PANIC');

export class Watchdog implements HalPart, FaultSource {
  resetCause = RESET_POWER_ON;
  /** the firmware hangs: its ticks do not run, nothing kicks */
  hung = false;
  private lastKickTicks = 0;
  /** the enable pump's hold time (timer ticks), or undefined where the board has none */
  pumpHoldTicks: number | undefined;
  /** control ticks at which the firmware asked to restart into the bootloader's service mode */
  readonly serviceRequestsTicks: number[] = [];
  /** control ticks at which the firmware confirmed its image (it homed); the simulator has no bootloader to tell */
  readonly imageConfirmsTicks: number[] = [];

  constructor(
    private readonly clock: SimClock,
    private readonly timeoutTicks: number,
    private readonly trace: Trace | undefined,
    private readonly reset: (cause: number) => void,
  ) {}

  imports(): HalImports {
    return {
      watchdog_kick: (): void => this.kick(),
      reset_cause: (): number => this.resetCause,
      panic: (code: number, line: number): void => this.panic(code, line),
      reboot_to_service: (): void => this.rebootToService(),
      image_confirm: (): void => {
        this.imageConfirmsTicks.push(this.clock.tTicks);
      },
    };
  }

  /** The MCU starts (again) after `cause`; the watchdog counts from now. */
  started(cause: number): void {
    this.resetCause = cause;
    this.hung = false;
    this.kick();
  }

  kick(): void {
    this.lastKickTicks = this.clock.tTicks;
  }

  expired(t: number): boolean {
    return t - this.lastKickTicks > this.timeoutTicks;
  }

  /** The enable pump has had no toggle for its hold time: the driver's outputs are off. */
  pumpExpired(t: number): boolean {
    return this.pumpHoldTicks !== undefined && t - this.lastKickTicks > this.pumpHoldTicks;
  }

  /** When the enable pump runs down if no toggle comes first (timer ticks), or Infinity where the board has none. */
  pumpRunDownTicks(): number {
    return this.pumpHoldTicks === undefined ? Infinity : this.lastKickTicks + this.pumpHoldTicks + 1;
  }

  /** Called on a control tick that found the watchdog expired. */
  bite(): void {
    this.trace?.event(this.clock.tTicks, 'runtime', 'watchdog reset');
    this.reset(RESET_WATCHDOG);
  }

  private rebootToService(): void {
    this.serviceRequestsTicks.push(this.clock.tTicks);
    this.trace?.event(this.clock.tTicks, 'runtime', 'restart into service mode');
  }

  private panic(code: number, line: number): void {
    this.trace?.event(this.clock.tTicks, 'runtime', `panic ${code} at line ${line}`);
    this.reset(RESET_PANIC);
    throw new Error(`firmware panic ${code} at line ${line}`);
  }

  faults(): FaultTable {
    return {
      hang: {
        inject: () => {
          this.hung = true;
        },
        clear: () => {
          this.hung = false;
        },
      },
    };
  }
}
