// The treatment log survives power cuts: the power fails at 1,000 random flash writes while the pen
// logs sessions; after each, every record completed before the cut reads back intact, nothing
// half-written is returned, and logging goes on where it stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PenSim } from '../../host-sim/pen.js';
import { Flash } from '../../host-sim/flash.js';
import { Rng } from '../../host-sim/rng.js';
import { firmware } from './helpers.js';

const SESSIONS = 14;
const CUTS = 1000;

/** Records as the pen gives them over the serial port, without their index. */
function readLog(sim: PenSim): string[] {
  const n = Number(/^LOG count=(\d+)$/.exec(sim.command('LOG?'))![1]);
  return Array.from({ length: n }, (_, i) => sim.command(`LOG ${i}`).split(' ').slice(2).join(' '));
}

function boot(
  wasm: string,
  flash: Flash | undefined,
  geometry: { sectors: number; sectorBytes: number },
  cut?: number,
): PenSim {
  const sim = new PenSim({ wasm, seed: 3, flash, flashGeometry: geometry, powerCutAtFlashWrite: cut });
  sim.press('power');
  sim.runUntil(() => sim.state === 'ready' || sim.dead, 2000);
  return sim;
}

/** One short session per call: a depth, a few strokes, stop. Returns false if the pen died. */
function session(sim: PenSim, i: number): boolean {
  // each session starts at the same moment in every life, so the records (with their times) match
  sim.run(Math.max(0, 1000 + 400 * i - sim.nowMs));
  for (const c of [`SET DEPTH ${(0.3 + 0.05 * (i % 10)).toFixed(2)}`, 'SET ZONE cheeks', 'START']) {
    if (sim.dead) return false;
    sim.command(c);
  }
  sim.press('start', 30); // START only arms: the button starts the needles
  sim.run(40);
  if (!sim.dead) sim.command('STOP');
  sim.runUntil(() => sim.state === 'ready' || sim.dead, 500);
  return !sim.dead;
}

async function property(
  geometry: { sectors: number; sectorBytes: number },
  check: (got: string[], before: string[], reference: string[]) => void,
): Promise<number> {
  const wasm = await firmware();
  // the reference life: after each session, how many flash writes and which records
  const ref = boot(wasm, undefined, geometry);
  const checkpoints: { writes: number; log: string[] }[] = [{ writes: ref.flash.writes, log: readLog(ref) }];
  for (let i = 0; i < SESSIONS; i++) {
    assert.ok(session(ref, i));
    checkpoints.push({ writes: ref.flash.writes, log: readLog(ref) });
  }
  const total = ref.flash.writes;
  // every record the reference life ever wrote, in order (the ring recycles old ones)
  const reference: string[] = [];
  for (const c of checkpoints) for (const r of c.log) if (!reference.includes(r)) reference.push(r);
  const rng = new Rng(99);
  for (let n = 0; n < CUTS; n++) {
    const cut = checkpoints[0].writes + 1 + Math.floor(rng.next() * (total - checkpoints[0].writes));
    const sim = boot(wasm, undefined, geometry, cut);
    for (let i = 0; i < SESSIONS && session(sim, i); i++);
    assert.ok(sim.dead, `the power cut at write ${cut} happened`);
    // records complete before the cut: those of the last checkpoint at or before it
    const before = [...checkpoints].reverse().find((c) => c.writes < cut)!.log;
    const after = boot(wasm, sim.flash.clone(new Rng(n)), geometry);
    const got = readLog(after);
    try {
      check(got, before, reference);
    } catch (e) {
      throw new Error(`power cut at flash write ${cut} of ${total}: ${(e as Error).message}`);
    }
    // and the pen goes on logging after the cut: one more record, after the ones it had
    assert.ok(session(after, SESSIONS + 2));
    const next = readLog(after);
    assert.ok(next.length >= 1 && next[next.length - 1].startsWith('1 '), 'a new segment record after recovery');
    if (next.length > got.length) assert.deepEqual(next.slice(0, got.length), got);
  }
  return total;
}

test('1,000 power cuts while logging, no sector recycled: exactly the completed records come back', async () => {
  const writes = await property({ sectors: 4, sectorBytes: 1024 }, (got, before) => {
    assert.deepEqual(got, before);
  });
  assert.ok(writes > 100, `${writes} flash writes in the reference life`);
});

test('1,000 power cuts while the log wraps around its sectors: no torn record, the newest completed one survives', async () => {
  await property({ sectors: 3, sectorBytes: 256 }, (got, before, reference) => {
    // every record returned is a whole record of the reference life, in order
    let at = -1;
    for (const r of got) {
      const k = reference.indexOf(r, at + 1);
      assert.ok(k > at, `record "${r}" is one the pen wrote, in order`);
      at = k;
    }
    // the newest record completed before the cut is there (older ones may have been recycled by design)
    if (before.length) assert.equal(got.includes(before[before.length - 1]), true, 'newest completed record kept');
  });
});
