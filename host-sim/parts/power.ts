// The battery as the pen measures it (HAL battery_mv): the cell model, drawn on each control tick; and
// the supply to the electronics, which a power cut takes away at once (a cell contact bouncing off, a
// pen dropped) and a power-on brings back.
import { HalImports, HalPart } from '../hal.js';
import { FaultSource, FaultTable } from '../faults.js';
import { Board } from '../../boards/board.js';
import { Battery } from '../battery.js';

/** series resistance a sagging cell gains (ohm) */
const SAG_EXTRA_OHM = 1.0;
/** charge of a cell put back after a low-battery fault */
const RECHARGED_SOC = 0.9;

export class PowerSupply implements HalPart, FaultSource {
  readonly cell: Battery;
  /** the electronics have power: false from a power cut until the power is back */
  supplyOn = true;

  constructor(board: Board) {
    this.cell = new Battery(board);
  }

  imports(): HalImports {
    return { battery_mv: (): number => Math.round(this.cell.terminalV() * 1000) };
  }

  /** Draw for dtS seconds with the coils taking coilW. */
  draw(dtS: number, coilW: number): void {
    this.cell.draw(dtS, coilW);
  }

  faults(): FaultTable {
    const c = this.cell;
    return {
      battery_sag: {
        inject: () => {
          c.extraOhm = SAG_EXTRA_OHM;
        },
        clear: () => {
          c.extraOhm = 0;
        },
      },
      // an empty cell: below the pen's start threshold at rest
      battery_low: {
        inject: () => {
          c.soc = 0;
        },
        clear: () => {
          c.soc = RECHARGED_SOC;
        },
      },
    };
  }
}
