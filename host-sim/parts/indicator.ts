// The indicator LED and beeper (HAL indicator_set): a pattern, and the fault code it blinks.
import { HalImports, HalPart } from '../hal.js';
import { SimClock } from '../clock.js';
import { Trace } from '../trace.js';
import { INDICATORS } from '../names.js';

export class Indicator implements HalPart {
  pattern = 'off';
  /** the fault code the indicator blinks (0 when it shows no fault) */
  code = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly trace: Trace | undefined,
  ) {}

  imports(): HalImports {
    return { indicator_set: (p: number): void => this.set(p) };
  }

  set(p: number): void {
    this.pattern = INDICATORS[p & 0xff] ?? String(p & 0xff);
    this.code = (p >> 8) & 0xff;
    this.trace?.event(this.clock.tTicks, 'hal', `indicator ${this.pattern}`);
  }
}
