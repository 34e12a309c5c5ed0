// The buttons, as a user presses them: power on, depth with hold-to-repeat, speed levels, start/pause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PenSim } from '../../host-sim/pen.js';
import { firmware, BOARD } from './helpers.js';

test('power on, depth+ pressed and held, speed levels, start and pause, long press off', async () => {
  const sim = new PenSim({ wasm: await firmware() });
  sim.run(50);
  assert.equal(sim.state, 'off', 'nothing moves before the power button');
  sim.press('power', 80);
  assert.ok(sim.runUntil(() => sim.state === 'ready', 2000));
  const step = BOARD.buttons.depth_step_um;
  const d0 = sim.setting.depthUm;
  sim.press('depth_up', 60);
  sim.run(100);
  assert.ok(Math.abs(sim.setting.depthUm - (d0 + step)) <= 8, `one press: ${sim.setting.depthUm} um`);
  // held for 1.2 s: one press, then repeats every repeat_ms after repeat_delay_ms
  const held = 1200;
  const b = BOARD.buttons;
  const repeats = Math.floor((held - b.debounce_ms - b.repeat_delay_ms) / b.repeat_ms) + 1;
  const d1 = sim.setting.depthUm;
  sim.press('depth_up', held);
  sim.run(held + 100);
  assert.ok(
    Math.abs(sim.setting.depthUm - (d1 + step * (1 + repeats))) <= 8,
    `held: ${sim.setting.depthUm} um from ${d1} um`,
  );
  sim.press('speed_down', 60);
  sim.run(100);
  assert.equal(sim.setting.askedHz, BOARD.stroke.speed_levels_hz[1], 'level 3 -> 2');
  assert.match(sim.command('SET ZONE cheeks'), /^OK/);
  sim.press('start', 60);
  sim.run(100);
  assert.equal(sim.state, 'running');
  sim.press('start', 60);
  assert.ok(sim.runUntil(() => sim.state === 'paused', 300));
  assert.ok(sim.observation.tipUm < 0, 'paused with the needles retracted');
  sim.press('power', b.long_press_ms + 100);
  sim.run(b.long_press_ms + 200);
  assert.equal(sim.state, 'off');
  assert.equal(sim.mech.driverOn, false);
});

test('depth- at the shallowest depth is refused with a signal', async () => {
  const sim = new PenSim({ wasm: await firmware() });
  sim.press('power');
  sim.runUntil(() => sim.state === 'ready', 2000);
  sim.command('SET DEPTH 0.20');
  sim.press('depth_down', 60);
  sim.run(100);
  assert.equal(sim.indicator, 'refused');
  assert.ok(Math.abs(sim.setting.depthUm - 200) <= 4);
});
