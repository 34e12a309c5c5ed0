// The depth trim moves the strokes a microstep at a time where the bottom is a microstep or two off
// (assembly/depthtrim.ts, TRIM_GAIN_MAX_PERMILLE): on the worst pen of the board's ranges a trim of
// two microsteps at a bottom 16-18 um short landed the tip within the dead band, but the next down half
// started from a top the carriage came to rest at in another phase of the motor's detent and peaked at
// 91-92 degrees (StallGuard: stall). These settings stalled that way and hold now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firmware } from './helpers.js';
import { loadBoard, withModel } from '../../boards/board.js';
import { MoveInfo } from '../../host-sim/executor.js';
import { worstPen } from '../../tools/lib/envelope-limit.js';
import { edgePoint } from '../../tools/lib/envelope-edge.js';
import { PenSim } from '../../host-sim/pen.js';
import { unlockProfessional } from '../../tools/lib/clinic.js';

const CASES: { board: string; cartridge: string; depthMm: number; freqHz: number; ask: 'edge' | number }[] = [
  // the STM32F405 board's own edge at 0.44 mm
  { board: 'stm32f405-tmc2209', cartridge: '16', depthMm: 0.44, freqHz: 54, ask: 'edge' },
  // inside the nano cartridge's envelope, on both boards
  { board: 'ref-pen', cartridge: 'nano', depthMm: 0.45, freqHz: 55, ask: 55 },
  { board: 'stm32f405-tmc2209', cartridge: 'nano', depthMm: 0.45, freqHz: 55, ask: 55 },
];

for (const c of CASES) {
  test(`${c.board}, cartridge ${c.cartridge}: ${c.depthMm} mm / ${c.freqHz} Hz holds on the worst pen`, async () => {
    const pen = worstPen(withModel(loadBoard(c.board), 'physical'));
    const p = edgePoint(pen, await firmware(c.board), c.cartridge, c.depthMm, c.ask, 1);
    assert.equal(p.freqHz, c.freqHz, 'the rate run');
    assert.ok(p.held, `not held: ${p.why}; load angle up to ${p.loadAngleDegMax.toFixed(0)} deg`);
    assert.equal(p.lostSteps, 0);
  });
}

test('a bottom 18 um short is trimmed one microstep deeper, not two', async () => {
  // nano at 0.45 mm / 55 Hz on the worst pen: the steady bottoms stop 18 um short (the case above)
  const pen = worstPen(withModel(loadBoard('ref-pen'), 'physical'));
  const sim = new PenSim({ board: pen, cartridge: 'nano', wasm: await firmware(), seed: 1 });
  const downSteps: number[] = [];
  const announce = sim.executor.announce.bind(sim.executor);
  sim.executor.announce = (m: MoveInfo): void => {
    if (m.dir === 1) downSteps.push(m.steps);
    announce(m);
  };
  sim.press('power');
  assert.ok(sim.runUntil(() => sim.state === 'ready', 3000));
  assert.match(unlockProfessional(sim), /^OK/);
  for (const line of ['SET ZONE stretch_marks', 'SET DEPTH 0.45', 'SET FREQ 55', 'START'])
    assert.match(sim.command(line), /^OK/, line);
  sim.press('start');
  sim.run(400);
  assert.equal(sim.state, 'running', `fault ${sim.fault}`);
  const plain = Math.min(...downSteps.slice(1));
  // the first half leaves the top from rest; the others are the plan's, one of them with the trim's steps
  const trimmed = downSteps.slice(1).filter((s) => s !== plain);
  assert.deepEqual(trimmed, [plain + 1], `down halves: ${downSteps.join(' ')}`);
});
