// A treatment-log record (a CRC and a dozen flash writes) waits for a tick whose step feed pushed at
// most one segment: beside four pushes of a deep stroke it took the STM32F405 port's tick over its
// budget (docs/porting.md). Seen from the HAL: the pushes and flash writes of each tick.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HalImports, HalTap } from '../../host-sim/pen.js';
import { strokingPen } from './helpers.js';

/** Counts each tick's step-queue pushes and flash writes; `ticks` holds [pushes, writes] of every tick that wrote. */
class TickCounter implements HalTap {
  pushes = 0;
  writes = 0;
  ticks: [number, number][] = [];
  wrap(imports: HalImports): HalImports {
    const push = imports.step_queue_push as (...a: number[]) => number;
    const program = imports.flash_program as (...a: number[]) => number;
    return {
      ...imports,
      step_queue_push: (...a: number[]) => {
        this.pushes++;
        return push(...a);
      },
      flash_program: (...a: number[]) => {
        this.writes++;
        return program(...a);
      },
    };
  }
  beforeTick(): void {
    if (this.writes) this.ticks.push([this.pushes, this.writes]);
    this.pushes = this.writes = 0;
  }
}

test('a treatment record goes in a tick whose feed pushed at most one segment: a change of depth at 3.0 mm / 40 Hz', async () => {
  const tap = new TickCounter();
  const sim = await strokingPen(3.0, 40, { halTap: tap });
  sim.run(700);
  tap.ticks.length = 0; // count from here: the ticks before wrote the stretch's opening record and checkpoints
  assert.match(sim.command('SET DEPTH 2.70'), /^OK/);
  sim.run(1500);
  assert.equal(sim.state, 'running');
  const records = tap.ticks.filter(([, writes]) => writes > 1); // a record: a header, a payload, a CRC, a commit word
  assert.ok(records.length >= 2, `${records.length} records: the old stretch's close and the new one's opening`);
  // (a checkpoint, the stroke count in one flash word each second, costs little and may go in any tick)
  const busy = records.filter(([pushes]) => pushes > 1);
  assert.deepEqual(busy, [], 'ticks that wrote a record beside two or more pushes ([pushes, writes])');
});
