// The buttons, as a user presses them: power on, depth with hold-to-repeat, speed levels, start/pause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PenSim } from '../../host-sim/pen.js';
import { firmware, BOARD } from './helpers.js';
import { stuckButtonMs } from '../../tools/build/firmware-config.js';

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

test('while the needles run a setting button takes its one step at its release, and a stuck one none', async () => {
  const sim = new PenSim({ wasm: await firmware() });
  sim.press('power');
  assert.ok(sim.runUntil(() => sim.state === 'ready', 2000));
  assert.match(sim.command('SET ZONE cheeks'), /^OK/);
  assert.match(sim.command('SET DEPTH 1.00'), /^OK/);
  const levels = BOARD.stroke.speed_levels_hz;
  const asked = sim.setting.askedHz;
  const level = levels.indexOf(asked);
  assert.ok(level > 0, `a speed level below ${asked} Hz`);
  sim.press('start');
  assert.ok(sim.runUntil(() => sim.state === 'running', 300));
  const step = BOARD.buttons.depth_step_um;
  // the setting as planned: to the microstep (7.9 um)
  const depthNear = (um: number, what: string): void =>
    assert.ok(Math.abs(sim.setting.depthUm - um) <= 8, `${what}: ${sim.setting.depthUm} um`);
  // held 400 ms: nothing while held (no repeat either), one step once released
  sim.press('depth_up', 400);
  sim.run(350);
  depthNear(1000, 'held down while running: no step yet');
  sim.run(100);
  depthNear(1000 + step, 'released: one step');
  sim.press('speed_down', 60);
  sim.run(40);
  assert.equal(sim.setting.askedHz, asked, 'speed- still held');
  sim.run(60);
  assert.equal(sim.setting.askedHz, levels[level - 1], 'speed- released: one level down');
  // pressed while running, released after a pause: the press belonged to the strokes, not to the pause
  sim.press('depth_down', 300);
  sim.run(50);
  sim.press('start'); // pause
  assert.ok(sim.runUntil(() => sim.state === 'paused', 300));
  sim.run(300);
  depthNear(1000 + step, 'released while paused: no step');
  // stuck down while running: the depth never moves, the stuck fault retracts, the release does nothing
  sim.press('start');
  assert.ok(sim.runUntil(() => sim.state === 'running', 300));
  const stuckMs = stuckButtonMs(BOARD);
  sim.press('depth_up', stuckMs + 500);
  assert.ok(sim.runUntil(() => sim.state === 'fault', stuckMs + 200));
  depthNear(1000 + step, 'stuck: no step');
  sim.run(800);
  depthNear(1000 + step, 'released after the stuck fault: no step');
});
