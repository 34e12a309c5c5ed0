// The step timer and its segment queue (HAL now_ticks, step_queue_*, step_position), over the
// StepExecutor. Its faults: the timer losing what it had queued, and steps lost where no flag shows it.
import { HalImports, HalPart } from '../hal.js';
import { FaultSource, FaultTable } from '../faults.js';
import { SimClock } from '../clock.js';
import { Trace } from '../trace.js';
import { Board } from '../../boards/board.js';
import { Mechanics } from '../mechanics.js';
import { StepExecutor, PUSH_OK } from '../executor.js';

/** steps a slipping coupling loses without a stall flag (what the endstop check after a stop is for) */
const SILENT_LOSS_STEPS = 24;

export class StepQueue implements HalPart, FaultSource {
  readonly executor: StepExecutor;

  constructor(
    board: Board,
    private readonly clock: SimClock,
    private readonly mech: Mechanics,
    private readonly trace: Trace | undefined,
  ) {
    const nominalHz = board.timing.step_timer_hz;
    this.executor = new StepExecutor(board.timing.step_queue_len, Math.ceil(nominalHz / board.driver.max_step_rate_hz));
  }

  imports(): HalImports {
    const ex = this.executor;
    return {
      now_ticks: (): bigint => BigInt(this.clock.tTicks),
      step_queue_push: (interval: number, count: number, add: number, flags: number): number =>
        this.push(interval, count, add, flags),
      step_queue_free: (): number => ex.free,
      step_queue_flush: (): void => this.flush(),
      step_queue_status: (): number => ex.status(),
      step_position: (): number => ex.position,
    };
  }

  push(interval: number, count: number, add: number, flags: number): number {
    const t = this.clock.tTicks;
    const r = this.executor.push(t, interval, count, add, flags);
    if (r !== PUSH_OK)
      this.trace?.event(t, 'hal', `step_queue_push refused (${r}): ${interval},${count},${add},${flags}`);
    return r;
  }

  flush(): void {
    this.executor.flush();
    this.mech.settle(this.clock.tTicks, this.executor.position);
    this.trace?.event(this.clock.tTicks, 'hal', 'step_queue_flush');
  }

  faults(): FaultTable {
    return {
      underrun: { inject: () => this.executor.dropQueue(), clear: () => {} }, // over once it happened
      step_loss: {
        inject: () => {
          this.mech.silentLoss = SILENT_LOSS_STEPS;
        },
        clear: () => {},
      },
    };
  }
}
