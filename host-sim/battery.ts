// One Li-ion cell: open-circuit voltage falls with charge drawn; the terminal voltage sags by the
// current times the internal resistance. The motor supply comes through a boost converter.
import { Board } from '../boards/board.js';

export class Battery {
  /** state of charge, 0..1 */
  soc: number;
  /** extra series resistance (ohm) a test can add to make it sag */
  extraOhm = 0;
  currentA = 0;
  private readonly b: Board['battery'];

  constructor(board: Board, soc = 0.9) {
    this.b = board.battery;
    this.soc = soc;
  }

  openCircuitV(): number {
    return this.b.empty_V + (this.b.full_V - this.b.empty_V) * this.soc;
  }

  terminalV(): number {
    return this.openCircuitV() - this.currentA * (this.b.internal_resistance_mohm / 1000 + this.extraOhm);
  }

  /** Draw for dt seconds: idle electronics plus the motor's power through the boost converter. */
  draw(dtS: number, motorW: number): void {
    const v = Math.max(0.5, this.openCircuitV());
    this.currentA = this.b.idle_current_mA / 1000 + motorW / (this.b.boost_efficiency * v);
    this.soc = Math.max(0, this.soc - (this.currentA * dtS) / 3600 / (this.b.capacity_mAh / 1000));
  }
}
