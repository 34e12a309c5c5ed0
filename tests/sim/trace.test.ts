// The trace: right from power-up, step pulses that survive a microsecond timescale, a CSV in time
// order, and streaming that keeps nothing in memory and writes what the in-memory trace writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PenSim } from '../../host-sim/pen.js';
import { StringOut, TraceSink } from '../../host-sim/trace/sink.js';
import { VcdWriter, vcdUnitFor } from '../../host-sim/trace/vcd.js';
import { CsvWriter } from '../../host-sim/trace/csv.js';
import { firmware, strokingPen, untilDiving } from './helpers.js';
import { loadBoard, withModel } from '../../boards/board.js';

/** Value changes of one VCD signal: [time, value] in file order. */
function changes(vcd: string, name: string): [number, string][] {
  const id = new RegExp(`^\\$var \\w+ \\d+ (\\S+) ${name} \\$end$`, 'm').exec(vcd)?.[1];
  assert.ok(id, `no signal ${name}`);
  const out: [number, string][] = [];
  let t = 0;
  for (const line of vcd.slice(vcd.indexOf('$enddefinitions')).split('\n')) {
    if (line.startsWith('#')) t = Number(line.slice(1));
    else if (/^[01]/.test(line) && line.slice(1) === id) out.push([t, line[0]]);
    else if (/^[rs]/.test(line) && line.endsWith(` ${id}`)) out.push([t, line.slice(1, -id.length - 1)]);
  }
  return out;
}

/** Splits one CSV row (RFC 4180 quoting). */
function csvRow(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        v += line.slice(i, q);
        i = q + 1;
        if (line[i] === '"') {
          v += '"';
          i++;
        } else break;
      }
      out.push(v);
      i++;
    } else {
      const c = line.indexOf(',', i);
      const end = c < 0 ? line.length : c;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

test('the endstop and the tip are right from t = 0', async () => {
  const sim = new PenSim({ wasm: await firmware(), trace: true });
  const tip = sim.observation.tipUm;
  assert.ok(sim.endstopActive(), 'the carriage starts on the endstop');
  sim.press('power');
  assert.ok(sim.runUntil(() => sim.state === 'ready', 3000));
  const vcd = sim.trace!.vcd();
  assert.deepEqual(changes(vcd, 'endstop')[0], [0, '1'], 'endstop closed at t = 0');
  assert.deepEqual(changes(vcd, 'tip_um')[0], [0, tip.toFixed(3)], 'tip at rest at t = 0');
  const rows = sim.trace!.csv().trim().split('\n').slice(1).map(csvRow);
  assert.deepEqual(
    rows.find((r) => r[2] === 'endstop'),
    ['0.000', '', 'endstop', '1'],
  );
  assert.deepEqual(
    rows.find((r) => r[2] === 'tip'),
    ['0.000', tip.toFixed(3), 'tip', ''],
  );
});

test('the VCD timescale is the coarsest at which every step keeps its own pulse', () => {
  assert.equal(vcdUnitFor(5e-6)[1], '1us');
  assert.equal(vcdUnitFor(2e-6)[1], '1us');
  assert.equal(vcdUnitFor(1.9e-6)[1], '100ns');
  assert.equal(vcdUnitFor(0.1e-6)[1], '10ns');
});

test('steps at sub-microsecond times each keep a rising and a falling edge', () => {
  const timerHz = 16e6; // 62.5 ns ticks
  const ticks = [21, 83, 174, 255, 336, 417, 16015]; // 1.3125 us, 5.1875 us, ... 1000.9375 us
  const out = new StringOut();
  const w = new VcdWriter(out, timerHz, { minStepIntervalS: 5e-6 });
  for (const t of ticks) w.step(t, 1, t / 16);
  w.end(Math.round(0.002 * timerHz));
  const step = changes(out.text(), 'step');
  const rises = step.filter(([, v]) => v === '1').map(([t]) => t);
  assert.deepEqual(
    rises,
    ticks.map((t) => Math.floor(t / 16)),
    'each rise at the microsecond it happened in',
  );
  for (const r of rises)
    assert.ok(
      step.some(([t, v]) => t === r + 1 && v === '0'),
      `pulse at ${r} falls 1 us later`,
    );
  const times = step.map(([t]) => t);
  assert.equal(new Set(times).size, times.length, 'no two step edges share a timestamp');
});

test('two steps in one microsecond are both counted', () => {
  const timerHz = 16e6;
  const out = new StringOut();
  const w = new VcdWriter(out, timerHz); // a 1 us timescale, then steps closer than the board allows
  const ticks = [16, 20, 24, 100];
  for (const t of ticks) w.step(t, 1, 0);
  w.end(200);
  const step = changes(out.text(), 'step');
  assert.equal(step.filter(([, v]) => v === '1').length, ticks.length);
  const times = step.map(([t]) => t);
  assert.equal(new Set(times).size, times.length, 'no two step edges share a timestamp');
  assert.equal(w.steps, ticks.length);
});

test('events in one timestamp are all in the VCD, joined into one value per signal', () => {
  const out = new StringOut();
  const w = new VcdWriter(out, 16e6); // a 1 us timescale: 16 ticks a unit
  w.event(0, 'boot', 'cold start');
  w.event(3, 'hal', 'log append');
  w.step(40, 1, 0);
  w.event(48, 'cartridge', 'accepted');
  w.event(50, 'mode', 'normal');
  w.event(50, 'mode', 'normal'); // the same event twice is two events
  w.event(50, 'serial', '> STATUS');
  w.event(52, 'serial', '> STATUS');
  w.event(80, 'serial', '< OK');
  w.event(96, 'serial', '< OK'); // the same line again, a unit later
  w.end(200);
  const text = out.text();
  assert.deepEqual(changes(text, 'event'), [
    [0, 'boot:cold_start|hal:log_append'],
    [3, 'cartridge:accepted|mode:normal|mode:normal'],
  ]);
  assert.deepEqual(changes(text, 'serial_in'), [
    [0, '-'],
    [3, 'STATUS|STATUS'],
  ]);
  assert.deepEqual(changes(text, 'serial_out'), [
    [0, '-'],
    [5, 'OK'],
    [6, 'OK'],
  ]);
  // one value per signal and timestamp, everywhere in the dump
  let t = -1;
  const seen = new Set<string>();
  for (const line of text.slice(text.indexOf('$end\n', text.indexOf('$dumpvars'))).split('\n')) {
    if (line.startsWith('#')) {
      t = Number(line.slice(1));
      seen.clear();
    } else if (line.length > 1) {
      const id = line.startsWith('s') || line.startsWith('r') ? line.slice(line.lastIndexOf(' ') + 1) : line.slice(1);
      assert.ok(!seen.has(id), `two values of ${id} at #${t}`);
      seen.add(id);
    }
  }
});

test('the CSV is in time order, with events in their own columns', async () => {
  const sim = await strokingPen(1.0, 40, { trace: true });
  sim.send('STATUS?');
  sim.run(50);
  const lines = sim.trace!.csv().trim().split('\n');
  assert.equal(lines[0], 'time_us,tip_um,kind,detail');
  const rows = lines.slice(1).map(csvRow);
  for (let i = 1; i < rows.length; i++)
    assert.ok(Number(rows[i][0]) >= Number(rows[i - 1][0]), `row ${i + 1} goes back in time`);
  for (const r of rows) assert.equal(r.length, 4, r.join('|'));
  const kinds = new Set(rows.map((r) => r[2]));
  for (const k of ['step', 'tip', 'enable', 'endstop', 'state', 'serial', 'setting', 'hal'])
    assert.ok(kinds.has(k), `kind ${k}`);
  assert.ok(rows.some((r) => r[2] === 'serial' && r[3].startsWith('< STATUS state=running')));
  assert.ok(
    rows.some((r) => r[2] === 'setting' && r[3].includes(',')),
    'a detail with a comma survives quoting',
  );
  const steps = rows.filter((r) => r[2] === 'step');
  assert.equal(steps.length, sim.executor.totalSteps);
});

test('a streamed trace keeps nothing and writes what the kept trace writes', async () => {
  const kept = await strokingPen(1.2, 45, { trace: true, seed: 7 });
  const streamed = new PenSim({ wasm: await firmware(), trace: true, seed: 7 });
  const csvOut = new StringOut();
  const vcdOut = new StringOut();
  const csv = new CsvWriter(csvOut, streamed.timerHz);
  const vcd = new VcdWriter(vcdOut, streamed.timerHz);
  let records = 0;
  const counter: TraceSink = {
    step: () => {
      records++;
    },
    tip: () => {
      records++;
    },
    level: () => {
      records++;
    },
    event: () => {
      records++;
    },
  };
  streamed.trace!.stream([csv, vcd, counter]);
  // the same actions as strokingPen
  streamed.press('power');
  streamed.runUntil(() => streamed.state === 'ready', 3000);
  for (const l of ['AUTH?']) streamed.command(l);
  assert.equal(streamed.trace!.stepT.length, 0, 'no steps kept');
  assert.equal(streamed.trace!.events.length, 0, 'no events kept');
  assert.ok(records > 100);
  // the kept trace replayed gives the same text as the streamed one, up to where both are
  const head = kept.trace!.csv().split('\n');
  const got = csvOut.text().split('\n').slice(0, -1);
  assert.deepEqual(got.slice(0, got.length - 1), head.slice(0, got.length - 1));
  vcd.end(streamed.tTicks);
  assert.ok(vcdOut.text().startsWith(kept.trace!.vcd().slice(0, 400)));
});

test('a step in the first microsecond still shows as a pulse after the initial values', () => {
  const out = new StringOut();
  const w = new VcdWriter(out, 16e6);
  w.step(5, 1, 0); // 0.3125 us
  w.end(100);
  const step = changes(out.text(), 'step');
  assert.deepEqual(step, [
    [0, '0'],
    [1, '1'],
    [2, '0'],
  ]);
});

test("the physical model's free motion is in the files: the spring's retract after a driver cut", async () => {
  const physical = withModel(loadBoard('ref-pen'), 'physical');
  const sim = await strokingPen(1.5, 40, { board: physical, trace: true, seed: 3 });
  const csvOut = new StringOut();
  sim.trace!.stream([new CsvWriter(csvOut, sim.timerHz)], false);
  untilDiving(sim, 1200);
  sim.inject('driver_short'); // the driver cuts its outputs: nothing steps, the spring takes the needles out
  sim.run(40);
  assert.equal(sim.state, 'fault');
  assert.equal(sim.observation.needle, 'retracted');
  const rows = csvOut.text().trim().split('\n').map(csvRow);
  const cut = rows.findIndex((r) => r[2] === 'hal' && r[3] === 'driver_enable 0');
  assert.ok(cut > 0, 'the firmware cut the driver');
  const tips = rows
    .slice(cut)
    .filter((r) => r[2] === 'tip')
    .map((r) => Number(r[1]));
  // from in the skin to the retracted position, a row a control tick while it moves, none once at rest
  assert.ok(tips.length >= 5 && tips.length < 40, `${tips.length} tip rows after the cut`);
  assert.ok(tips[0] > 0, `first free tip ${tips[0]} um: still in the skin`);
  assert.equal(tips.at(-1), sim.observation.tipUm, 'the last row is where the tip rests');
  assert.ok(tips.at(-1)! < -1000, `rests at ${tips.at(-1)} um`);
  // streamed, nothing of the model's own samples is kept either
  assert.equal(sim.trace!.modelT.length, 0);
});

test("a window of the tip's path is that part of the whole path, across steps and free motion", async () => {
  const physical = withModel(loadBoard('ref-pen'), 'physical');
  const sim = await strokingPen(1.5, 40, { board: physical, trace: true, seed: 3 });
  untilDiving(sim, 1200);
  sim.inject('driver_short'); // free motion: the spring's retract, tip records between no steps
  sim.run(40);
  const obs = sim.observation;
  const all = obs.tipSeries();
  const driftFrom = sim.trace!.driftT.findIndex((t) => t > all[all.length - 1][0] - sim.ticks(40));
  assert.ok(driftFrom >= 0 && sim.trace!.driftT.length - driftFrom >= 5, 'free motion at the end of the trace');
  const end = obs.tTicks;
  // windows that start and end on a record, between records, before the first and past the last
  const edges = [0, all[0][0], all[100][0], all[100][0] + 1, end - sim.ticks(120), end - sim.ticks(30), end, end + 5];
  for (const from of edges)
    for (const to of edges) {
      const want = all.filter(([t]) => t >= from && t <= to);
      assert.deepEqual(obs.tipWindow(from, to), want, `window ${from}..${to}`);
    }
});
