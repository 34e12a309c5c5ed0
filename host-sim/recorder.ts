// Records a simulator run for replay on a microcontroller: every value the HAL hands the firmware and
// every call the firmware makes, in order, with each init() and tick() marked (host-sim/recording.ts
// has the format). Give it to PenSim as its halTap.
import type { HalTap, HalImports } from './hal.js';
import { HAL_CALLS, RecordingWriter } from './recording.js';

const OPS = new Map(HAL_CALLS.map((c, i) => [c.name, i]));

export class Recorder implements HalTap {
  private readonly writer = new RecordingWriter();
  ticks = 0;
  calls = 0;
  inits = 0;

  wrap(imports: HalImports, resetCause: number): HalImports {
    // PenSim calls init() right after this, so the calls up to the first tick belong to init
    this.writer.init(resetCause);
    this.inits++;
    const out: HalImports = {};
    for (const [name, fn] of Object.entries(imports)) {
      const op = OPS.get(name);
      if (op === undefined) {
        throw new Error(
          `recorder: the simulator offers HAL import "${name}", which host-sim/recording.ts HAL_CALLS does not list; add it there and to the port's replay harness`,
        );
      }
      const call = fn as (...a: number[]) => unknown;
      // a void call is written before it runs: panic resets the module from inside the call, and the
      // reset's own entries must follow it
      out[name] =
        HAL_CALLS[op].ret === 'void'
          ? (...args: number[]) => {
              this.writer.call(op, args, undefined);
              this.calls++;
              return call(...args);
            }
          : (...args: number[]) => {
              const r = call(...args);
              this.writer.call(op, args, r);
              this.calls++;
              return r;
            };
    }
    return out;
  }

  beforeTick(): void {
    this.writer.tick();
    this.ticks++;
  }

  /** The recording, closed. */
  bytes(): Buffer {
    return this.writer.finish();
  }
}
