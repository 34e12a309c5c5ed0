// The retract endstop (HAL endstop_active): switches where the carriage passes its trigger point,
// within the switch's repeatability; it can stick closed or go dead.
import { HalImports, HalPart } from '../hal.js';
import { FaultSource, FaultTable } from '../faults.js';
import { Trace } from '../trace.js';
import { Board } from '../../boards/board.js';
import { Mechanics } from '../mechanics.js';
import { Rng } from '../rng.js';
import { EndstopSwitch } from '../physics/endstop-switch.js';

/** switching-point repeatability (um, either way) */
const REPEATABILITY_UM = 2;

export class Endstop implements HalPart, FaultSource {
  private mode: 'normal' | 'stuck' | 'dead' = 'normal';
  private was = false;
  private readonly offsetUm: number;
  private readonly hysteresis: EndstopSwitch | undefined;

  constructor(
    private readonly board: Board,
    private readonly mech: Mechanics,
    rng: Rng,
    private readonly trace: Trace | undefined,
  ) {
    this.offsetUm = rng.range(-REPEATABILITY_UM, REPEATABILITY_UM);
    const h = board.physics?.endstop_hysteresis_um;
    if (mech.phys && h)
      this.hysteresis = new EndstopSwitch(board.endstop.trigger_um + this.offsetUm, h.typical, mech.xUm);
    this.was = this.active(); // the carriage starts at rest on the switch: a level from t = 0, not a first edge
  }

  imports(): HalImports {
    return { endstop_active: (): number => (this.active() ? 1 : 0) };
  }

  active(): boolean {
    if (this.mode === 'stuck') return true;
    if (this.mode === 'dead') return false;
    if (this.hysteresis) return this.hysteresis.at(this.mech.xUm);
    return this.mech.xUm <= this.board.endstop.trigger_um + this.offsetUm;
  }

  /** Trace the switch's level when it changes. */
  watch(t: number): void {
    const a = this.active();
    if (a !== this.was) {
      this.was = a;
      this.trace?.level(t, 'endstop', a ? 1 : 0);
    }
  }

  faults(): FaultTable {
    const normal = (): void => {
      this.mode = 'normal';
    };
    return {
      endstop_stuck: {
        inject: () => {
          this.mode = 'stuck';
        },
        clear: normal,
      },
      endstop_dead: {
        inject: () => {
          this.mode = 'dead';
        },
        clear: normal,
      },
    };
  }
}
