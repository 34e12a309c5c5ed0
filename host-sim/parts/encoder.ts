// An optional shaft encoder (board physics.encoder): a magnetic angle sensor on the motor shaft's
// rear end, as closed-loop steppers use, so firmware can see what the rotor really did. The HAL
// imports to read it come with the next ABI; until then tests and tools read it through the part.
import { HalImports, HalPart } from '../hal.js';
import { Board } from '../../boards/board.js';
import { Mechanics } from '../mechanics.js';

export class ShaftEncoder implements HalPart {
  /** counts per revolution */
  readonly countsPerRev: number;

  constructor(
    board: Board,
    private readonly mech: Mechanics,
  ) {
    const e = board.physics?.encoder;
    if (!e) throw new Error(`board ${board.name} describes no shaft encoder (physics.encoder)`);
    this.countsPerRev = 2 ** e.bits;
  }

  imports(): HalImports {
    return {};
  }

  /** the shaft's absolute angle within one turn, in counts (0 .. countsPerRev - 1), as the sensor reads it */
  angleCounts(): number {
    const turns = this.mech.shaftAngleRad() / (2 * Math.PI);
    return Math.floor((turns - Math.floor(turns)) * this.countsPerRev) % this.countsPerRev;
  }
}
