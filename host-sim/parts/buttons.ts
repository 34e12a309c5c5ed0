// The six buttons (HAL buttons_raw): one bit per button, pressed = 1; a stuck one stays pressed.
import { HalImports, HalPart } from '../hal.js';
import { FaultSource, FaultTable } from '../faults.js';
import { BUTTONS, ButtonName } from '../names.js';

/** the button a stuck-button fault holds down */
const STUCK_BUTTON: ButtonName = 'depth_up';

export class Buttons implements HalPart, FaultSource {
  raw = 0;
  private stuck = 0;

  imports(): HalImports {
    return { buttons_raw: (): number => this.raw };
  }

  bit(button: ButtonName): number {
    const bit = 1 << BUTTONS.indexOf(button);
    if (bit < 1) throw new Error(`unknown button "${button}": ${BUTTONS.join(', ')}`);
    return bit;
  }

  down(bit: number): void {
    this.raw |= bit;
  }

  up(bit: number): void {
    this.raw &= ~bit | this.stuck;
  }

  faults(): FaultTable {
    return {
      button_stuck: {
        inject: () => {
          this.stuck |= 1 << BUTTONS.indexOf(STUCK_BUTTON);
          this.raw |= this.stuck;
        },
        clear: () => {
          this.raw &= ~this.stuck;
          this.stuck = 0;
        },
      },
    };
  }
}
