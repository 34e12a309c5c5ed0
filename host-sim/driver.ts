// The stepper driver as the firmware sees it (TMC2209-like): status flags, temperature, and the
// driver's own protection, which switches the outputs off on over-temperature and shorts.
import { Board } from '../boards/board.js';

export const DRV_OTPW = 1 << 0;
export const DRV_OT = 1 << 1;
export const DRV_S2GA = 1 << 2;
export const DRV_S2GB = 1 << 3;
export const DRV_STALL = 1 << 8;
export const DRV_UV = 1 << 9;

export class Driver {
  /** die temperature (deg C) */
  tempC: number;
  ambientC = 25;
  /** extra thermal resistance factor, >1 when cooling is blocked */
  coolingFactor = 1;
  shorted = false;
  stallFlag = false;
  undervoltage = false;
  /** outputs disabled by the driver's own protection */
  tripped = false;
  private readonly rth: number;
  private readonly tau: number;
  private readonly lossW: number;

  constructor(private readonly board: Board) {
    this.tempC = this.ambientC;
    this.rth = board.driver.thermal_resistance_C_per_W;
    this.tau = board.driver.thermal_time_constant_s;
    // both phases at rated current through two switches each
    this.lossW = 2 * board.motor.rated_current_A ** 2 * 2 * board.driver.rdson_ohm;
  }

  /** Advance the thermal model by dt seconds with the outputs on or off. */
  heat(dtS: number, on: boolean): void {
    const target = this.ambientC + (on ? this.lossW * this.rth * this.coolingFactor : 0);
    this.tempC += (target - this.tempC) * (1 - Math.exp(-dtS / this.tau));
    if (this.tempC >= this.board.driver.ot_C || this.shorted) this.tripped = true;
    else if (this.tripped && !this.shorted && this.tempC < this.board.driver.otpw_C) this.tripped = false;
  }

  status(): number {
    let s = 0;
    if (this.tempC >= this.board.driver.otpw_C) s |= DRV_OTPW;
    if (this.tempC >= this.board.driver.ot_C) s |= DRV_OT;
    if (this.shorted) s |= DRV_S2GA;
    if (this.stallFlag) s |= DRV_STALL;
    if (this.undervoltage) s |= DRV_UV;
    return s;
  }
}
