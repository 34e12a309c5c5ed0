// The step queue vectors (tests/vectors/step-queue.json) on the simulator's executor, driven as
// host-sim/pen.ts drives it: steps due up to an op's tick first, the endstop looked at after each step
// of a SEG_STOP_AT_ENDSTOP segment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StepExecutor } from '../../host-sim/executor.js';
import { differences, loadVectors, type Edge, type Vector } from './step-queue-vectors.js';

const file = loadVectors();

function run(v: Vector): { edges: Edge[]; results: (number | undefined)[] } {
  const ex = new StepExecutor(file.queue_len, file.min_interval_ticks);
  ex.position = v.position;
  const edges: Edge[] = [];
  const e = v.endstop;
  const endstopActive = (): boolean =>
    e === null
      ? false
      : 'at_or_below_position' in e
        ? ex.position <= e.at_or_below_position
        : edges.length >= e.from_step;
  const advance = (t: number): void => {
    while (ex.nextStepTicks() <= t) {
      const ts = ex.nextStepTicks();
      const stops = ex.stopsAtEndstop;
      edges.push([ts, ex.step()]);
      if (stops && endstopActive()) ex.stopAtEndstop();
    }
  };
  const results = v.ops.map((op) => {
    advance(op.t);
    switch (op.op) {
      case 'push':
        return ex.push(op.t, ...op.args);
      case 'flush':
        ex.flush();
        return undefined;
      case 'status':
        return ex.status();
      case 'free':
        return ex.free;
      case 'position':
        return ex.position;
    }
  });
  advance(v.end_ticks);
  return { edges, results };
}

test('the step queue vectors are well formed', () => {
  assert.ok(file.vectors.length > 0);
  assert.equal(new Set(file.vectors.map((v) => v.name)).size, file.vectors.length, 'vector names are unique');
  for (const v of file.vectors) {
    assert.ok(v.description, `vector ${v.name} says what it checks`);
    v.ops.forEach((op, i) =>
      assert.ok(i === 0 || op.t >= v.ops[i - 1].t, `vector ${v.name}: op #${i} goes back in time`),
    );
    assert.ok(
      v.ops.every((op) => op.t <= v.end_ticks),
      `vector ${v.name}: an op after end_ticks`,
    );
  }
});

for (const v of file.vectors) {
  test(`step queue vector on the simulator's executor: ${v.name}`, () => {
    const { edges, results } = run(v);
    const diff = differences(v, edges, results);
    assert.deepEqual(diff, [], diff.join('\n'));
  });
}
