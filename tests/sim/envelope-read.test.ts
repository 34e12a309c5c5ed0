// `pen envelope` reads the firmware's envelope through the serial protocol: it waits for the pen to
// finish checking its cartridge (the depth settings are refused until then) rather than printing the
// refusal as the envelope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBoard, BOARDS_DIR } from '../../boards/board.js';
import { buildFirmware } from '../../tools/build/build.js';
import { readEnvelope, standardDepths } from '../../tools/lib/envelope.js';
import { tempDir } from './tmp-dir.js';

test('the envelope of a board whose cartridge check outlasts power-on is read once the check is done', async () => {
  // a planner using 80 % of the pull-out force: the lowest rate does not run the cartridge's full depth,
  // so the check tries rate after rate and is still at it when the pen is ready
  const dir = tempDir('envelope-read-');
  const b = JSON.parse(readFileSync(join(BOARDS_DIR, 'ref-pen.json'), 'utf8'));
  b.name = 'ref-pen-margin80';
  b.stroke.torque_margin = 0.8;
  const file = join(dir, `${b.name}.json`);
  writeFileSync(file, JSON.stringify(b));
  const fw = await buildFirmware(file);
  const board = loadBoard(file);
  const env = readEnvelope(board, fw.wasmPath, undefined, standardDepths(board));
  // each depth either runs, up to a rate the motor's torque sets, or is refused as past the motor's cap
  // (the deepest setting the lowest rate runs); none is refused as still being checked
  const runs = env.filter((p) => p.maxFreqHz > 0);
  assert.ok(runs.length >= 4, JSON.stringify(env));
  for (const p of runs) assert.equal(p.clamp, 'torque', `${p.depthMm} mm`);
  assert.ok(runs.every((p) => p.maxFreqHz >= board.stroke.freq_min_hz));
  for (const p of env.filter((p) => p.maxFreqHz === 0))
    assert.match(
      p.clamp,
      /^ERR 3 depth [\d.]+ mm out of range 0\.20\.\.[\d.]+ mm \(cap of motor\)$/,
      `${p.depthMm} mm`,
    );
  assert.equal(env[0].depthMm, 0.25);
  assert.ok(env[0].maxFreqHz > 0, env[0].clamp);
});
