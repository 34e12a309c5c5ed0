// The treatment log loses nothing a patient record needs. The same life of a pen (sessions, a
// change of setting, stops) is cut by power failures, at random flash writes (each torn) and at
// random moments (an erase or program in flight torn by the storage part), then powered on again;
// and its final log is read back after single bit flips anywhere in the flash. After each: every
// record completed before the cut (or not hit by the flip) reads back, nothing torn is returned, an
// interrupted stretch of strokes is closed at start-up with its strokes to within a second, and the
// firmware's reader (LOG over the serial port) and the tools' reader (tools/lib/log-format.ts) agree.
//
// `npm test` runs a fixed, seeded sample; LOG_PROPERTY_FULL=1 (`npm run test:log-full`) runs all
// 2,000 cuts and 1,000 flips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PenSim } from '../../host-sim/pen.js';
import { Flash } from '../../host-sim/flash.js';
import { Rng } from '../../host-sim/rng.js';
import { readLogImage, LogRecordRead } from '../../tools/lib/log-format.js';
import { LOG_RECORDS, SEGMENT_ENDS } from '../../abi/pen-abi.js';
import { firmware, startByButton } from './helpers.js';

const FULL = process.env.LOG_PROPERTY_FULL === '1';
const CUTS_AT_WRITES = FULL ? 1000 : 60;
const CUTS_AT_TIMES = FULL ? 1000 : 60;
const FLIPS = FULL ? 1000 : 150;

const REC = (c: string): number => LOG_RECORDS.find((r) => r.constant === c)!.code;
const SEGMENT = REC('REC_SEGMENT');
const SEGMENT_OPEN = REC('REC_SEGMENT_OPEN');
const END = (name: string): number => SEGMENT_ENDS.find((e) => e.name === name)!.code;
const RATE_HZ = 100;
const WASM = await firmware();

type Geometry = { sectors: number; sectorBytes: number };
/** the reference pen's log (4 x 4 KiB): the life below never recycles a sector */
const BIG: Geometry = { sectors: 4, sectorBytes: 4096 };

/** A record as a comparable line: type and payload. */
const line = (r: { type: number; payload: number[] }): string => `${r.type} ${r.payload.join(' ')}`;

/** Records as the firmware gives them over the serial port, as lines. */
function firmwareLog(sim: PenSim): string[] {
  const n = Number(/^LOG count=(\d+)$/.exec(sim.command('LOG?', 2000))![1]);
  return Array.from({ length: n }, (_, i) => sim.command(`LOG ${i}`, 2000).split(' ').slice(2).join(' '));
}

const imageOf = (f: Flash): { words: Uint32Array; sectors: number; sectorBytes: number } => ({
  words: f.words,
  sectors: f.sectors,
  sectorBytes: f.sectorBytes,
});

/** One step of the life: at `atMs`, a command (or the power button). */
interface Step {
  atMs: number;
  do: string;
}

/** Sessions of strokes; odd ones change the rate halfway (a second stretch of strokes). */
function life(sessions: number): Step[] {
  const steps: Step[] = [{ atMs: 0, do: 'press power' }];
  for (let i = 0; i < sessions; i++) {
    const t0 = 1500 + 3200 * i;
    const runMs = i === 2 ? 2600 : 1400;
    steps.push({ atMs: t0, do: `SET DEPTH ${(0.3 + 0.1 * (i % 8)).toFixed(2)}` });
    steps.push({ atMs: t0 + 5, do: 'SET ZONE cheeks' });
    steps.push({ atMs: t0 + 10, do: `SET FREQ ${RATE_HZ}` });
    steps.push({ atMs: t0 + 20, do: 'START' });
    if (i % 2 === 1) steps.push({ atMs: t0 + 20 + runMs / 2, do: `SET FREQ ${RATE_HZ - 20}` });
    steps.push({ atMs: t0 + 20 + runMs, do: 'STOP' });
  }
  return steps;
}
const SESSIONS = 5;
const LIFE = life(SESSIONS);
const LIFE_END_MS = LIFE[LIFE.length - 1].atMs + 400;

/** Live the life up to `untilMs` (or its end), or until the power fails; true strokes since the last START. */
function live(sim: PenSim, untilMs: number): { strokesSinceStart: number; rateChanged: boolean } {
  let rateChanged = false;
  for (const s of LIFE) {
    if (s.atMs > untilMs || sim.dead) break;
    sim.run(Math.max(0, s.atMs - sim.nowMs));
    if (sim.dead) break;
    if (s.do === 'press power') sim.press('power');
    else {
      sim.send(s.do);
      if (s.do === 'START') {
        sim.press('start'); // START only arms: the button starts the needles
        sim.startMeasuring();
        rateChanged = false;
      }
      if (s.do.startsWith('SET FREQ') && sim.state === 'running') rateChanged = true;
    }
  }
  if (!sim.dead) sim.run(Math.max(0, untilMs - sim.nowMs));
  return { strokesSinceStart: sim.measure().strokes, rateChanged };
}

function pen(wasm: string, flash: Flash | undefined, geometry: Geometry, cutAtWrite?: number): PenSim {
  return new PenSim({ wasm, seed: 3, flash, flashGeometry: geometry, powerCutAtFlashWrite: cutAtWrite });
}

/** The reference life: its records, and the flash write that completed each (its commit word). */
async function reference(geometry: Geometry): Promise<{ records: LogRecordRead[]; doneAt: number[]; sim: PenSim }> {
  const wasm = await firmware();
  const sim = pen(wasm, undefined, geometry);
  const lastWriteTo = new Map<number, number>();
  const program = sim.flash.program.bind(sim.flash);
  sim.flash.program = (offset: number, value: number): number => {
    const r = program(offset, value);
    lastWriteTo.set(offset, sim.flash.writes);
    return r;
  };
  live(sim, LIFE_END_MS);
  const records = readLogImage(imageOf(sim.flash));
  const doneAt = records.map((r) => lastWriteTo.get(r.offset + (r.payload.length + 2) * 4)!);
  return { records, doneAt, sim };
}

/** Checks the log after a power cut: completed records kept, nothing torn, the interrupted segment closed. */
function checkAfterCut(
  got: LogRecordRead[],
  ref: { records: LogRecordRead[]; doneAt: number[] },
  writesDone: number,
  truth: { strokesSinceStart: number; rateChanged: boolean },
): void {
  const refLines = ref.records.map(line);
  const completed = ref.records.filter((_, i) => ref.doneAt[i] <= writesDone).map(line);
  const gotLines = got.map(line);
  // every completed record, in order, at the start of the log
  assert.deepEqual(gotLines.slice(0, completed.length), completed, 'the records completed before the cut');
  // after them: at most the recovered close of the interrupted segment, then the records of the new life
  const extra = got.slice(completed.length);
  for (const r of extra) {
    if (refLines.includes(line(r))) continue;
    assert.equal(r.type, SEGMENT, `an extra record is only a recovered segment: ${line(r)}`);
    assert.equal(r.payload[3] >>> 24, END('power_loss'), `closed by the power loss: ${line(r)}`);
    const opening = got.find(
      (o) => o.type === SEGMENT_OPEN && o.payload[0] === r.payload[0] && o.payload[1] === r.payload[1],
    );
    assert.ok(opening, `the recovered segment has its opening record: ${line(r)}`);
    const strokes = r.payload[6];
    const rate = r.payload[5];
    if (!truth.rateChanged) {
      const lost = truth.strokesSinceStart - strokes;
      assert.ok(
        lost >= -3 && lost <= rate + 3,
        `strokes within a second: ${strokes} read back, ${truth.strokesSinceStart} done at ${rate} Hz`,
      );
    } else {
      assert.ok(strokes <= truth.strokesSinceStart + 3, `no more strokes than were done: ${strokes}`);
    }
  }
}

/** Power on again after a cut: the firmware's and the tools' readers must agree. */
function restoreAndRead(sim: PenSim): LogRecordRead[] {
  sim.run(30);
  sim.powerRestore();
  // the firmware first: its replies wait for its start-up scan (and the record that may close)
  const viaFirmware = firmwareLog(sim);
  const viaTools = readLogImage(imageOf(sim.flash));
  assert.deepEqual(viaFirmware, viaTools.map(line), 'the firmware and the tools read the same records');
  return viaTools;
}

/** And the pen logs on: a session after the cut is the newest record, after the ones it had (`before`, in a row). */
function logsOn(was: PenSim, before: LogRecordRead[]): void {
  // the same flash, and a new cartridge (the life used its own): another power-on
  const sim = new PenSim({
    wasm: WASM,
    seed: 4,
    flash: was.flash.clone(new Rng(5)),
    chip: { type: was.cartridge.type, serial: 900001, lot: 7 },
  });
  sim.press('power');
  assert.ok(
    sim.runUntil(() => sim.state === 'ready', 3000),
    `ready after the cut: ${sim.state} ${sim.fault}`,
  );
  for (const c of ['SET ZONE cheeks', 'SET DEPTH 0.50']) assert.match(sim.command(c), /^OK/);
  startByButton(sim);
  sim.run(300);
  assert.match(sim.command('STOP'), /^OK/);
  sim.run(300);
  const after = readLogImage(imageOf(sim.flash));
  const from = before.length ? after.findIndex((r) => line(r) === line(before[0])) : 0;
  assert.ok(from >= 0, 'the records it had are still there');
  assert.deepEqual(after.slice(from, from + before.length).map(line), before.map(line));
  assert.equal(after[after.length - 1].type, SEGMENT, 'a closed segment is the newest record');
  assert.equal(after[after.length - 1].payload[3] >>> 24, END('closed'));
}

test(`${CUTS_AT_WRITES} power cuts at random flash writes, each torn: completed records kept, nothing torn`, async () => {
  const wasm = await firmware();
  const ref = await reference(BIG);
  const total = ref.sim.flash.writes;
  assert.ok(
    ref.records.some((r) => r.checkpoints.length >= 2),
    'the life writes checkpoints',
  );
  const rng = new Rng(11);
  for (let n = 0; n < CUTS_AT_WRITES; n++) {
    const cut = 1 + Math.floor(rng.next() * total);
    const sim = pen(wasm, undefined, BIG, cut);
    let truth = { strokesSinceStart: 0, rateChanged: false };
    // live on until the cut falls (it stops the firmware), then as far as the life goes
    const lived = live(sim, LIFE_END_MS);
    if (sim.dead) truth = lived;
    assert.ok(sim.dead, `the cut at write ${cut} of ${total} fell`);
    try {
      const got = restoreAndRead(sim);
      checkAfterCut(got, ref, cut - 1, truth);
      if (n % 10 === 0) logsOn(sim, got);
    } catch (e) {
      throw new Error(`power cut at flash write ${cut} of ${total}: ${(e as Error).message}`);
    }
  }
});

test(`${CUTS_AT_TIMES} power cuts at random moments: completed records kept, an interrupted segment closed with its strokes`, async () => {
  const wasm = await firmware();
  const ref = await reference(BIG);
  const rng = new Rng(12);
  let recovered = 0;
  for (let n = 0; n < CUTS_AT_TIMES; n++) {
    // a moment in the life, to the microsecond, so that some fall inside a program or an erase
    const atMs = 1000 + Math.round(rng.next() * (LIFE_END_MS - 1000) * 1000) / 1000;
    const sim = pen(wasm, undefined, BIG);
    const truth = live(sim, atMs);
    // the strokes up to the cut: the meter counts bottoms, the firmware strokes queued
    const done = sim.flashWritesDone;
    sim.powerCut();
    try {
      const got = restoreAndRead(sim);
      checkAfterCut(got, ref, done, truth);
      if (got.some((r) => r.type === SEGMENT && r.payload[3] >>> 24 === END('power_loss'))) recovered++;
      if (n % 10 === 0) logsOn(sim, got);
    } catch (e) {
      throw new Error(`power cut at ${atMs} ms: ${(e as Error).message}`);
    }
  }
  assert.ok(recovered >= CUTS_AT_TIMES / 5, `${recovered} cuts fell while stroking and were recovered`);
});

test(`${FLIPS} single bit flips anywhere in the flash: only the record hit is lost, and the pen logs on`, async () => {
  const wasm = await firmware();
  const ref = await reference(BIG);
  const image = ref.sim.flash;
  const refLines = ref.records.map(line);
  // the words each record occupies
  const owner = new Map<number, number>();
  ref.records.forEach((r, i) => {
    for (let k = 0; k < r.payload.length + 3; k++) owner.set(r.offset / 4 + k, i);
  });
  const rng = new Rng(13);
  // half the flips in written words (headers, records, checkpoints), half anywhere
  const written = Array.from(image.words.keys()).filter((i) => image.words[i] !== 0xffffffff);
  for (let n = 0; n < FLIPS; n++) {
    const wordIndex =
      n % 2 === 0 ? written[Math.floor(rng.next() * written.length)] : Math.floor(rng.next() * image.words.length);
    const bit = Math.floor(rng.next() * 32);
    const flash = image.clone(new Rng(n));
    flash.words[wordIndex] = (flash.words[wordIndex] ^ (1 << bit)) >>> 0;
    const hit = owner.get(wordIndex);
    try {
      const sim = pen(wasm, flash, BIG);
      const got = firmwareLog(sim);
      const viaTools = readLogImage(imageOf(sim.flash));
      assert.deepEqual(got, viaTools.map(line), 'the firmware and the tools read the same records');
      // the record hit is lost, or read whole when the flip fell where it does no harm (its commit word)
      const old = got.filter((l) => refLines.includes(l));
      const expected = old.length === refLines.length ? refLines : refLines.filter((_, i) => i !== hit);
      assert.deepEqual(old, expected, 'every record the flip did not hit, in order, and nothing else of the old ones');
      for (const l of got) {
        if (refLines.includes(l)) continue;
        // a flip in a segment's close: the start-up closes it again from its checkpoints
        assert.equal(ref.records[hit!]?.type, SEGMENT, `an extra record only when a close was hit: ${l}`);
      }
      if (n % 10 === 0) logsOn(sim, viaTools);
    } catch (e) {
      throw new Error(`bit ${bit} of word ${wordIndex} (record ${hit ?? 'none'}): ${(e as Error).message}`);
    }
  }
});

test('a flip in a sector header neither hides the sector nor moves the ring: the next erase is the right one', async () => {
  const wasm = await firmware();
  const small: Geometry = { sectors: 3, sectorBytes: 512 };
  const ref = await reference(small);
  const image = ref.sim.flash;
  for (let s = 0; s < small.sectors; s++) {
    for (let w = 0; w < 4; w++) {
      for (const bit of [0, 7, 31]) {
        const flash = image.clone(new Rng(s * 100 + w));
        const at = (s * small.sectorBytes) / 4 + w;
        flash.words[at] = (flash.words[at] ^ (1 << bit)) >>> 0;
        const sim = pen(wasm, flash, small);
        const viaFirmware = firmwareLog(sim);
        const got = readLogImage(imageOf(sim.flash));
        assert.deepEqual(got.map(line), ref.records.map(line), `sector ${s} header word ${w} bit ${bit}`);
        assert.deepEqual(viaFirmware, got.map(line));
        // logging on recycles the oldest sector, never the newest records
        logsOn(sim, got.slice(-3));
      }
    }
  }
});

test('the ring recycles its oldest sector when full: no torn record, the newest ones kept', async () => {
  const small: Geometry = { sectors: 3, sectorBytes: 256 };
  const ref = await reference(small);
  const wasm = await firmware();
  const all = new Set<string>();
  // every record the life wrote, even recycled: from a run that keeps the whole history in a big log
  for (const r of (await reference(BIG)).records) all.add(line(r));
  const rng = new Rng(14);
  for (let n = 0; n < 40; n++) {
    const cut = 1 + Math.floor(rng.next() * ref.sim.flash.writes);
    const sim = pen(wasm, undefined, small, cut);
    live(sim, LIFE_END_MS);
    const got = restoreAndRead(sim);
    for (const r of got) {
      if (r.type === SEGMENT && r.payload[3] >>> 24 === END('power_loss')) continue;
      assert.ok(all.has(line(r)), `cut at write ${cut}: record "${line(r)}" is one the pen wrote`);
    }
  }
});

test('a payload word of 0xFFFFFFFF after a torn record hides nothing written after it', async () => {
  const wasm = await firmware();
  const flash = new Flash(BIG.sectors, BIG.sectorBytes, new Rng(1));
  const { LogImageWriter } = await import('../../tools/lib/log-format.js');
  const w = new LogImageWriter(imageOf(flash));
  w.append(2, [1, 1795000000, 4, 1]);
  // a torn record: its header and two payload words, then the power failed
  const at = readLogImage(imageOf(flash))[0].offset / 4 + 7;
  flash.words.set([0xa501000b, 1, 0xffffffff], at);
  const w2 = new LogImageWriter(imageOf(flash));
  w2.append(2, [1, 1795000001, 4, 0xffffffff]); // a lot or serial of 0xFFFFFFFF
  w2.append(2, [1, 1795000002, 4, 3]);
  const sim = pen(wasm, flash, BIG);
  sim.run(20);
  assert.deepEqual(firmwareLog(sim), ['2 1 1795000000 4 1', '2 1 1795000001 4 4294967295', '2 1 1795000002 4 3']);
});
