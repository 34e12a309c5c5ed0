// The meter's step-timing error with what stays the same over a move computed once per move: the
// same numbers as the ideal trajectory's own function (host-sim/profile.ts), bit for bit, whatever
// the move's shape (speeding up, cruising, slowing down; moves that follow each other).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StrokeMeter } from '../../host-sim/meter.js';
import { idealStepTicks } from '../../host-sim/profile.js';
import { MoveInfo } from '../../host-sim/executor.js';

test("the meter's step error per move is idealStepTicks' error, bit for bit", () => {
  const moves: MoveInfo[] = [
    { dir: 1, steps: 640, durationTicks: 320_000, accelTicks: 100_000 },
    { dir: -1, steps: 333, durationTicks: 171_717, accelTicks: 85_000 },
    { dir: 1, steps: 7, durationTicks: 9_001, accelTicks: 4_000 },
    { dir: 1, steps: 1200, durationTicks: 1_000_003, accelTicks: 1 },
  ];
  let start = 12_345;
  for (const move of moves) {
    for (let k = 1; k <= move.steps; k++) {
      // a step a little off its ideal time, by an amount that changes from step to step
      const ideal = start + idealStepTicks(k, move.steps, move.durationTicks, move.accelTicks);
      const t = Math.round(ideal) + ((k * 7) % 5) - 2;
      const reference = new StrokeMeter(16e6);
      reference.onStepError(t - ideal);
      const meter = new StrokeMeter(16e6);
      meter.onStep(t, move, start, k);
      assert.equal(meter.maxStepErrTicks, reference.maxStepErrTicks, `step ${k} of ${move.steps}`);
    }
    start += move.durationTicks;
  }
});
