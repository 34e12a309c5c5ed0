// The real-time clock (HAL rtc_seconds): seconds since 1970, set at power-up, running on simulated time.
import { HalImports, HalPart } from '../hal.js';
import { SimClock } from '../clock.js';

export class Rtc implements HalPart {
  constructor(
    private readonly clock: SimClock,
    private readonly startS: number,
  ) {}

  imports(): HalImports {
    return { rtc_seconds: (): number => this.seconds() | 0 };
  }

  seconds(): number {
    return Math.floor(this.startS + this.clock.tTicks / this.clock.timerHz) >>> 0;
  }
}
