// The pen's identity (HAL device_serial): the serial number the maker wrote into its OTP, the one a
// clinic licence may name and a clinic's answer signs. 0 models a pen whose serial was never written.
import { HalImports, HalPart } from '../hal.js';

/** The simulated pen's serial unless a test gives another. */
export const SIM_PEN_SERIAL = 40_001_234;

export class Identity implements HalPart {
  constructor(readonly serial: number = SIM_PEN_SERIAL) {}

  imports(): HalImports {
    return { device_serial: (): number => this.serial | 0 };
  }
}
