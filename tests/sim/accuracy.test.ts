// Depth and stroke rate over the envelope: the firmware in the simulator hits what it promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strokingPen, maxFreq, depthLimit } from './helpers.js';

const DEPTHS_MM = [0.25, 0.5, 1.0, 1.5, 2.0, 3.0];
const DEPTH_TOL_MM = 0.02;
const FREQ_TOL = 0.005;
const STEP_ERR_MAX_US = 10;

test('depth within 0.02 mm, rate within 0.5 %, no lost step: 6 depths x 5 rates inside the envelope', async (t) => {
  for (const depth of DEPTHS_MM) {
    const top = await maxFreq(depth);
    assert.ok(top >= 25, `envelope at ${depth} mm reaches ${top} Hz`);
    const rates = [0, 1, 2, 3, 4].map((i) => Math.round(25 + ((top - 25) * i) / 4));
    for (const hz of rates) {
      await t.test(`${depth.toFixed(2)} mm at ${hz} Hz`, async () => {
        const sim = await strokingPen(depth, hz, { seed: 7 });
        sim.startMeasuring();
        sim.run(1000);
        const m = sim.measure();
        assert.equal(sim.setting.clamp, 'none');
        assert.ok(m.strokes >= hz - 2, `${m.strokes} strokes in 1 s`);
        assert.ok(m.depth_mm, 'strokes reached the skin');
        for (const v of [m.depth_mm.mean, m.depth_mm.min, m.depth_mm.max]) {
          assert.ok(Math.abs(v - depth) <= DEPTH_TOL_MM, `depth ${v.toFixed(4)} mm vs ${depth} mm`);
        }
        assert.ok(Math.abs(m.freq_hz! / hz - 1) <= FREQ_TOL, `rate ${m.freq_hz} Hz vs ${hz} Hz`);
        assert.equal(m.missed_steps, 0);
        assert.ok(m.step_error_us_max <= STEP_ERR_MAX_US, `step timing error ${m.step_error_us_max.toFixed(2)} us`);
        assert.ok(Math.abs(m.puncture_rate! - m.freq_hz! * sim.cartridge.needles) < 1e-6);
      });
    }
  }
});

test('every cartridge at its deepest depth and highest rate: no lost step in tough tissue', async (t) => {
  for (const cart of ['12', '16', '24', '36', 'nano']) {
    await t.test(`cartridge ${cart}`, async () => {
      const deepest = await depthLimit(cart);
      const hz = await maxFreq(deepest, cart);
      const sim = await strokingPen(deepest, hz, { cartridge: cart, tissue: 'tough', seed: 11 });
      sim.startMeasuring();
      sim.run(1000);
      const m = sim.measure();
      assert.equal(m.missed_steps, 0, `lost steps at ${deepest} mm, ${hz} Hz`);
      assert.ok(Math.abs(m.depth_mm!.mean - deepest) <= DEPTH_TOL_MM);
      assert.ok(sim.mech.peakLoadShare < 1);
    });
  }
});
