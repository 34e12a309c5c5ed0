// How a campaign judges its cases (tools/campaign/faults.ts, spec.ts onsetEvent, run.ts checks): faults
// that cannot move the needles are judged by what they must cause, a harmless first fault never starts a
// pair's clock, a silent step loss by the depth it left, every case reports its log record (read after
// a stop), the worst pen of a board's ranges, and the hazards table made from the JSON report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoard } from '../../boards/board.js';
import { INJECTABLE } from '../../host-sim/faults.js';
import { faultRule } from '../../tools/campaign/faults.js';
import { activeMs, detectionAllowanceMs, onsetEvent, parseCaseId, makeCase } from '../../tools/campaign/spec.js';
import { runCampaignCase, depthCheck, depthChangeUm, settingErrUm, Outcome, Check } from '../../tools/campaign/run.js';
import { clockOf, failureClass, failureType, summarize } from '../../tools/campaign/summary.js';
import { worstPen, WORST_FOR_RETRACT } from '../../tools/campaign/worst-pen.js';
import { hazardsTable, withTable, TABLE_BEGIN, TABLE_END } from '../../tools/campaign/hazards.js';
import { firmware } from './helpers.js';
import type { PenSim } from '../../host-sim/pen.js';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';

const pen = (...args: string[]) =>
  spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), ...args], { encoding: 'utf8', cwd: REPO_ROOT });

const id = (board: string, ev: string): string => `${board}/ideal/p0/normal/d1.5/f80/s1/${ev}`;

test('every injectable fault has a rule; only faults that can move the needles need a retract', () => {
  const ref = loadBoard('ref-pen');
  const open = loadBoard('ref-pen-open-loop');
  for (const f of INJECTABLE) assert.ok(faultRule(f, ref).must.length > 0, f);
  assert.equal(faultRule('rng_stuck', ref).role, 'no_motion');
  assert.equal(faultRule('button_stuck', ref).role, 'noticed_late');
  assert.equal(faultRule('endstop_dead', ref).role, 'unseen');
  assert.equal(faultRule('step_loss', ref).role, 'depth');
  assert.equal(faultRule('stall', ref).role, 'retract');
  // an encoder the board does not have cannot fail
  assert.equal(faultRule('encoder_error', ref).role, ref.encoder ? 'retract' : 'no_motion');
  assert.equal(faultRule('encoder_error', open).role, 'no_motion');
});

test("a pair's clock starts at the first fault that needs a retract; a harmless first fault never starts it", () => {
  const on = (ev: string): [number, number] => {
    const c = parseCaseId(id('ref-pen', ev));
    return [onsetEvent(c), detectionAllowanceMs(c)];
  };
  assert.deepEqual(on('stall@0.25+2ms:rng_stuck'), [0, 0]);
  assert.deepEqual(on('rng_stuck@0.25+2ms:stall'), [1, 0]);
  assert.deepEqual(on('button_stuck@0.25+2ms:stall'), [1, 0]);
  assert.deepEqual(on('step_loss@0.25+6ms:hang'), [1, 0]);
  assert.deepEqual(on('endstop_dead@0.25+0ms:underrun'), [1, 0]);
  // a held button and nothing else that needs a retract: from its detection, within its designed time
  const [i, allowance] = on('button_stuck@0.25+2ms:rng_stuck');
  assert.equal(i, 0);
  assert.ok(allowance >= 5000, `${allowance} ms`);
  assert.deepEqual(on('rng_stuck@0.25+2ms:endstop_dead'), [-1, 0]);
});

test('a stuck RNG: no retract asked, AUTH? refused with no_random, the log record read after the stop', async () => {
  const wasm = await firmware();
  const o = runCampaignCase(parseCaseId(id('ref-pen', 'rng_stuck@0.25')), wasm);
  assert.equal(clockOf(o), 'none');
  assert.equal(o.state, 'running', 'it strokes on: the needles do not depend on the RNG');
  assert.match(o.afterStop!, /^(ready|paused)/);
  assert.match(o.log, /^LOG \d+ /, o.log);
  assert.equal(o.checks?.length, 1);
  assert.equal(o.checks![0].pass, true, o.checks![0].measured);
  assert.equal(failureClass(o, 20), undefined);
  const s = summarize([parseCaseId(o.id)], [o], 20);
  assert.equal(s.harmless, 1);
  assert.equal(s.undetected, 0);
  // the same fault with the refusal missing is a wrong effect, not a missed retract
  const wrong: Outcome = { ...o, checks: [{ ...o.checks![0], pass: false }] };
  assert.equal(failureType(wrong, 20), 'effect');
  assert.equal(summarize([parseCaseId(o.id)], [wrong], 20).wrongEffect, 1);
});

test('a step loss is judged by the depth it left: out of tolerance within the encoder threshold fails; open loop passes when the stop finds it', async () => {
  // at this phase the loss (0.06 mm at the bottom) stays inside the encoder's slip threshold (a full
  // step): the firmware finds it by the bottom that moved (assembly/encoder.ts checkBottom)
  const closed = runCampaignCase(parseCaseId(id('ref-pen', 'step_loss@0.4375')), await firmware());
  assert.equal(clockOf(closed), 'none');
  assert.equal(closed.detected, 'encoder_slip');
  assert.ok((closed.detectionMs ?? Infinity) < 20, `${closed.detectionMs} ms`);
  assert.equal(failureClass(closed, 20), undefined);
  // had it stroked on with a bottom out of tolerance, the loss mattered and was never detected
  const missed: Outcome = {
    ...closed,
    retracted: false,
    detected: undefined,
    detectionMs: undefined,
    state: 'running',
    fault: 'none',
    depthErrMm: -0.06,
    checks: [
      {
        what: "never detected: a step loss within the encoder's threshold left the depth out of tolerance",
        pass: false,
        measured: '-0.06 mm',
        failure: 'undetected',
      },
    ],
  };
  assert.match(failureClass(missed, 20) ?? '', /never detected: a step loss/);
  assert.equal(failureType(missed, 20), 'never-detected');
  const open = runCampaignCase(
    parseCaseId(id('ref-pen-open-loop', 'step_loss@0.75')),
    await firmware('ref-pen-open-loop'),
  );
  assert.match(open.afterStop ?? '', /lost_steps/);
  assert.equal(failureClass(open, 20), undefined, open.checks?.[0].measured);
  assert.equal(summarize([parseCaseId(open.id)], [open], 20).stepLoss.foundAtStop, 1);
  // within the tolerance: a pass, counted apart with its figure
  const small: Outcome = {
    ...missed,
    depthErrMm: 0.01,
    checks: [{ what: 'step loss within the depth tolerance', pass: true, measured: '0.01 mm', failure: 'undetected' }],
  };
  assert.equal(failureClass(small, 20), undefined);
  assert.equal(summarize([parseCaseId(closed.id)], [small], 20).stepLoss.within, 1);
});

test('every case reports its log record, also when the pen stroked on (read after a stop)', async () => {
  const wasm = await firmware();
  for (const ev of ['endstop_dead@0.5', 'endstop_stuck@0.3~0.2ms', 'stall@0.25']) {
    const o = runCampaignCase(parseCaseId(id('ref-pen', ev)), wasm);
    assert.match(o.log, /^LOG \d+ /, `${ev}: ${o.log}`);
  }
});

test('the worst pen: every range at its worst end for a retract, whatever the board file says; an id names it', () => {
  const b = loadBoard('ref-pen');
  const w = worstPen(b, 'physical');
  assert.equal(w.unknown.length, 0, `ranges with no known worst end: ${w.unknown.join(', ')}`);
  for (const [ptr, t] of Object.entries(b.tolerances ?? {})) {
    const end = WORST_FOR_RETRACT[ptr].end;
    if (end !== 'typical') assert.equal(w.values[ptr], t[end], ptr);
  }
  assert.equal(w.board.carriage.return_spring_preload_N, b.tolerances!['/carriage/return_spring_preload_N'].min);
  assert.equal(w.board.physics!.detent_torque_mNm.typical, b.physics!.detent_torque_mNm.max);
  assert.equal(w.board.physics!.model, 'physical');
  // a changed range moves the corner with it
  const changed = structuredClone(b);
  changed.tolerances!['/carriage/friction_N'].max = 1.1;
  assert.equal(worstPen(changed, 'physical').board.carriage.friction_N, 1.1);
  const c = parseCaseId('ref-pen/physical/pworst/normal/d1/f80/s1/stall@0.5');
  assert.equal(c.pen, 'worst');
  assert.equal(makeCase({ ...c, pen: 'worst' }).id, c.id);
});

test('the hazards table is made from the JSON report and replaces only its own part of the document', () => {
  const cases = [
    parseCaseId('ref-pen/physical/pworst/normal/d1/f80/s1/stall@0.5'),
    parseCaseId('ref-pen/physical/pworst/normal/d1/f80/s2/rng_stuck@0.5'),
  ];
  const base = {
    tipMm: -0.4,
    maxTipMm: 1,
    log: '',
    traceDigest: '',
    wallMs: 1,
    simMs: 1,
    mayStrokeOn: false,
    allowanceMs: 0,
  };
  const outcomes: Outcome[] = [
    {
      ...base,
      id: cases[0].id,
      retracted: true,
      fromOnsetMs: 7.2,
      fromDetectionMs: 6.3,
      state: 'fault',
      fault: 'stall',
      clock: 'onset',
    },
    { ...base, id: cases[1].id, retracted: false, state: 'running', fault: 'none', clock: 'none', mayStrokeOn: true },
  ];
  const table = hazardsTable([{ provenance: { commit: 'abc' }, summary: { limitMs: 20, cases: 2 }, cases, outcomes }]);
  assert.match(table, /\| stall \| 7\.2 \/ 6\.3 \(1 cases, all passed\) \|/);
  assert.match(table, /\| rng_stuck \| no retract needed \(1 cases, all passed\) \|/);
  assert.match(table, /ref-pen, physical, worst pen/);
  const doc = `# H\n\nbefore\n\n${TABLE_BEGIN}\nold\n${TABLE_END}\n\nafter\n`;
  const out = withTable(doc, table);
  assert.ok(out.startsWith('# H\n\nbefore\n\n') && out.endsWith('\n\nafter\n'));
  assert.ok(!out.includes('\nold\n'));
  assert.equal(withTable(out, table), out, 'made again, the same document');
});

test('--pen: worst by default on the physical model, typical or a drawn pen; bad values and --pen with --tolerance are usage errors', () => {
  const list = pen('campaign', '--list', '--kind', 'power_cut', '--sample', '2');
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^ref-pen\/physical\/pworst\//m);
  assert.match(pen('campaign', '--list', '--pen', 'typical', '--sample', '1').stdout, /\/p0\//);
  assert.match(
    pen('campaign', '--list', '--pen', '3', '--model', 'ideal', '--sample', '1').stdout,
    /^ref-pen\/ideal\/p3\//m,
  );
  for (const args of [
    ['--pen', 'best'],
    ['--pen', 'worst', '--tolerance', '3'],
    ['--from', 'x.json'],
  ]) {
    const u = pen('campaign', ...args);
    assert.equal(u.status, 2, `${args.join(' ')}: ${u.stderr}`);
  }
});

test('a stall whose obstacle no step ever pushed against (at the very bottom of a stroke) needs nothing; one met is a fault to retract', async () => {
  const wasm = await firmware();
  const bottom = runCampaignCase(parseCaseId(id('ref-pen', 'stall@0.5')), wasm);
  assert.deepEqual(bottom.inert, ['stall']);
  assert.equal(clockOf(bottom), 'none');
  assert.equal(failureClass(bottom, 20), undefined);
  const met = runCampaignCase(parseCaseId(id('ref-pen', 'stall@0.25')), wasm);
  assert.equal(met.inert, undefined);
  assert.equal(clockOf(met), 'onset');
  assert.equal(met.detected, 'stall');
});

test("steps missed with the driver off are no obstacle's block: a stall at the bottom, then a hang, is clocked from the hang", async () => {
  // the worst pen at 3.0 mm / 25 Hz: the obstacle placed at the bottom holds nothing back; the hang 4 ms
  // later lets the enable pump run down, and every step after that is missed. Counted as the obstacle's,
  // they made the stall the clock's onset, 4 ms before the hang.
  const o = runCampaignCase(
    parseCaseId('ref-pen/physical/pworst/normal/d3/f25/s643604/stall@0.5+4ms:hang'),
    await firmware(),
  );
  assert.deepEqual(o.inert, ['stall']);
  assert.equal(clockOf(o), 'onset');
  assert.equal(o.detected, 'watchdog_reset');
  assert.ok(o.fromOnsetMs! > 8 && o.fromOnsetMs! < 14, `${o.fromOnsetMs} ms from the hang`);
  assert.equal(failureClass(o, 20), undefined);
});

test('an obstacle that holds the needles back without a step lost is no inert stall: measured against the same run without it', async () => {
  // the worst pen at 0.25 mm / 40 Hz, the obstacle placed as the needles go in: the rotor lags, no step
  // is lost before StallGuard sees it, and the needles stop 0.1 mm short. Judged by lost steps alone it
  // was inert (no clock); 196 of the worst pen's 242 single stalls so judged held the needles back by
  // more than the depth tolerance.
  const o = runCampaignCase(
    parseCaseId('ref-pen/physical/pworst/normal/d0.25/f40/s452459/stall@0.125'),
    await firmware(),
  );
  assert.equal(o.inert, undefined);
  assert.equal(clockOf(o), 'onset');
  assert.equal(o.detected, 'stall');
  assert.ok(o.fromOnsetMs! < 20, `${o.fromOnsetMs} ms`);
  // an obstacle where the stroke turns anyway holds nothing back past the tolerance: inert still
  const bottom = runCampaignCase(
    parseCaseId('ref-pen/physical/pworst/normal/d3/f25/s643604/stall@0.5'),
    await firmware(),
  );
  assert.deepEqual(bottom.inert, ['stall']);
  assert.equal(clockOf(bottom), 'none');
});

test('an obstacle is judged to hold the needles back only while they touch it, not when the runs drift apart in time', async () => {
  // an obstacle at a bottom, after a button stuck 4.7 ms before (the pen strokes on until the stuck
  // button's fault, 5 s on): it holds nothing, but it moves the tip by a fraction of a micrometre and
  // the run drifts from the one without it; 3.5 s on, a stroke on its way up stood 21 um from the other
  // (0.1 ms apart), which was judged held back and the case late (1,513.6 ms from that "onset")
  const o = runCampaignCase(
    parseCaseId('stm32f405-tmc2209/physical/pworst/normal/d1.65/f95/s754184/button_stuck@0.3735+4.7ms:stall'),
    await firmware('stm32f405-tmc2209'),
  );
  assert.deepEqual(o.inert, ['stall']);
  assert.equal(o.detected, 'stuck_button');
  assert.ok(o.fromDetectionMs! <= 20, `${o.fromDetectionMs} ms from detection`);
  assert.equal(failureClass(o, 20), undefined);
});

test('a stall placed on the way out counts from the contact with its obstacle, a stroke later', async () => {
  const o = runCampaignCase(parseCaseId(id('ref-pen', 'stall@0.75')), await firmware());
  assert.equal(o.inert, undefined);
  assert.equal(clockOf(o), 'onset');
  assert.equal(o.detected, 'stall');
  // from its placing the next stroke comes down to it some milliseconds later; from the contact, at once
  assert.ok((o.detectionMs ?? Infinity) < 2, `detected ${o.detectionMs} ms after the contact`);
  assert.ok((o.fromOnsetMs ?? Infinity) <= 20, `${o.fromOnsetMs} ms`);
});

test('a fault replaced by a later one on the same signal lasted until then: an endstop stuck, then dead at once, is a dead endstop', async () => {
  const c = (ev: string) => parseCaseId(id('ref-pen', ev));
  assert.equal(activeMs(c('endstop_stuck@0.25+0ms:endstop_dead'), 0), 0);
  assert.equal(activeMs(c('endstop_stuck@0.25+2ms:stall+6ms:endstop_dead'), 0), 8);
  assert.equal(activeMs(c('endstop_stuck@0.25+2ms:stall'), 0), undefined);
  assert.equal(activeMs(c('endstop_stuck@0.25~0.5ms'), 0), 0.5);
  const wasm = await firmware();
  const masked = runCampaignCase(c('endstop_stuck@0.25+0ms:endstop_dead'), wasm);
  assert.deepEqual(masked.riddenGlitches, ['endstop_stuck']);
  assert.equal(clockOf(masked), 'none');
  // the dead endstop is unseen while stroking; the stop's position check must find it
  assert.match(masked.afterStop ?? '', /endstop_not_found/);
  assert.ok(masked.checks?.some((k) => k.what.startsWith('a dead endstop') && k.pass));
  assert.equal(failureClass(masked, 20), undefined);
  // held for two control ticks the stuck endstop is seen, and its clock runs from its onset
  const seen = runCampaignCase(c('endstop_stuck@0.25+2ms:endstop_dead'), wasm);
  assert.equal(seen.riddenGlitches, undefined);
  assert.equal(clockOf(seen), 'onset');
  assert.equal(seen.detected, 'endstop_stuck');
  assert.equal(failureClass(seen, 20), undefined);
});

test('a stall replaced by a second one (the obstacle moved) lasted until then: the clock runs from the second obstacle met', async () => {
  // the worst pen at 3.0 mm / 25 Hz: the first obstacle at the bottom, the second 4.5 ms later on the
  // way out, met by the next stroke 32 ms after that. Counted from the first, it read 52.9 ms late.
  const c = parseCaseId('ref-pen/physical/pworst/normal/d3/f25/s643604/stall@0.5+4.5ms:stall');
  assert.equal(activeMs(c, 0), 4.5);
  assert.equal(activeMs(c, 1), undefined);
  const o = runCampaignCase(c, await firmware());
  assert.equal(o.detected, 'stall');
  assert.equal(clockOf(o), 'onset');
  assert.deepEqual(o.riddenGlitches, ['stall']); // the first obstacle, at the bottom, blocked nothing
  assert.ok(o.detectionMs! < 5, `detected ${o.detectionMs} ms after the second obstacle was met`);
  assert.ok(o.fromOnsetMs! < 20, `${o.fromOnsetMs} ms from the second obstacle met`);
  assert.equal(failureClass(o, 20), undefined);
});

test('a driver glitch the firmware never saw starts no clock; the steps it cost are found by the encoder or judged by the depth', async () => {
  // on the worst pen the outputs off for 0.5 ms cost about a full step: every bottom after it 0.1 mm shallower
  const o = runCampaignCase(
    parseCaseId('ref-pen/physical/pworst/normal/d1/f80/s750967/driver_short@0.25~0.5ms'),
    await firmware(),
  );
  assert.deepEqual(o.riddenGlitches, ['driver_short']);
  assert.equal(clockOf(o), 'none');
  assert.equal(o.detected, 'encoder_slip');
  assert.ok(o.retracted);
  assert.equal(failureClass(o, 20), undefined);
  // stroking on with such a bottom would be a loss never detected
  const missed: Outcome = {
    ...o,
    retracted: false,
    detected: undefined,
    state: 'running',
    fault: 'none',
    checks: [
      {
        what: "never detected: a step loss in a glitch within the encoder's threshold left the depth out of tolerance",
        pass: false,
        measured: '-0.1 mm',
        failure: 'undetected',
      },
    ],
  };
  assert.equal(failureType(missed, 20), 'never-detected');
});

test('an endstop glitch the firmware never saw cost no step: a bottom that moves after it (the depth trim settling) is not charged to it', async () => {
  // on the worst pen at 0.5 mm the trim still moves the bottom by 21 um in the strokes after this glitch
  const o = runCampaignCase(
    parseCaseId('ref-pen/physical/pworst/normal/d0.5/f80/s739141/endstop_stuck@0.5625~0.1ms'),
    await firmware(),
  );
  assert.deepEqual(o.riddenGlitches, ['endstop_stuck']);
  assert.equal(clockOf(o), 'none');
  assert.ok(
    o.checks?.some((k) => k.what.includes('no step missed') && k.pass),
    JSON.stringify(o.checks),
  );
  assert.equal(failureClass(o, 20), undefined);
  // a driver glitch that cost steps is still judged by them (the test above)
});

test('a loss judged by the set depth: a bottom that moved more than 0.02 mm but stays within 0.02 mm of the setting keeps the promise', () => {
  const board = loadBoard('ref-pen');
  const kept = depthCheck(board, 27, 'ready', 'step loss in a glitch', 16);
  assert.ok(kept.pass, JSON.stringify(kept));
  assert.match(kept.what, /every bottom after it within the depth tolerance of the setting/);
  assert.match(kept.measured, /moved 0\.027 mm .* 0\.016 mm from the setting/);
  for (const settingUm of [21, -21, undefined]) {
    const k = depthCheck(board, 27, 'ready', 'step loss in a glitch', settingUm);
    assert.equal(k.pass, false, `${settingUm} um from the setting: ${JSON.stringify(k)}`);
    assert.match(k.what, /^never detected: a step loss in a glitch within the encoder's threshold/);
  }
  assert.ok(depthCheck(board, -20, 'ready').pass, 'a bottom that moved 0.02 mm is within the tolerance');
});

/** Runs a case whose glitch was ridden through; its glitch-loss check must pass (returned with the outcome). */
async function glitchLossPassed(id: string, board?: string): Promise<{ o: Outcome; k: Check }> {
  const o = runCampaignCase(parseCaseId(id), await firmware(board));
  const k = o.checks?.find((x) => x.what.startsWith('step loss in a glitch'));
  assert.ok(k?.pass, JSON.stringify(o.checks));
  return { o, k: k! };
}

test('a case the set-depth rule decides: a 0.1 ms driver short whose bottoms move 0.031 mm and end on the setting', async () => {
  // the open-loop pen at 2.5 mm / 80 Hz (the down half longer) on the worst pen: its strokes stop short
  // of the setting (no trim), and the steps a 0.1 ms short costs move them 0.031 mm deeper, to within
  // 0.005 mm of it; judged by the change alone it would read "never detected". (Since the depth trim
  // moves the strokes and the encoder holds the bottoms to it across a trim, no closed-loop case of the
  // campaigns' grids is decided by this rule: their losses are found, or stay within the tolerance.)
  const { o, k } = await glitchLossPassed(
    'ref-pen-open-loop/physical/pworst/normal/d2.5/f80/s369374/driver_short@0.5625~0.1ms',
    'ref-pen-open-loop',
  );
  assert.match(k.what, /every bottom after it within the depth tolerance of the setting/);
  assert.ok(o.depthErrMm! > 0.02, `moved ${o.depthErrMm} mm: the rule is not needed`);
  assert.equal(failureClass(o, 20), undefined);
});

test("the strokes judged after a loss are the window's: a stroke the stop after it cuts short is not one", () => {
  // drawn pen 3 at 3.0 mm / 72 Hz once met this (pen campaign --random 1000 --seed 70 --pen 3,
  // .../d3/f72/s213763/driver_short@0.5378~0.1ms): a 0.1 ms driver short moved the bottoms 0.015 mm
  // deeper, the STOP that ends the window met the loss and retracted a stroke 0.045 mm into the skin,
  // and judged with that stroke the case read "never detected: a stroke's bottom moved -2.942 mm". The
  // firmware now finds that loss within the window, so the rule is held here on a needle path of its
  // own (a thousand ticks a unit): strokes to 2.950 mm, a loss at 100, strokes to 2.965 mm, and the
  // window's end at 200 inside a stroke the stop cuts short at 0.045 mm.
  const path: [number, number][] = [[0, -300]];
  const stroke = (t0: number, bottomUm: number, end = t0 + 10): void => {
    path.push(
      [t0 * 1000, -300],
      [(t0 + 1) * 1000, 10],
      [(t0 + 5) * 1000, bottomUm],
      [(end - 1) * 1000, 10],
      [end * 1000, -300],
    );
  };
  for (let t = 0; t < 100; t += 20) stroke(t, 2950);
  for (let t = 100; t < 200; t += 20) stroke(t, 2965);
  stroke(195, 45, 215); // the stroke the stop cuts short: it ends after the window
  const sim = {
    observation: { tipSeries: () => path.map((p) => [...p] as [number, number]) },
    mech: {},
    trace: undefined,
  } as unknown as PenSim;
  assert.equal(depthChangeUm(sim, 100_000, 200_000), 15);
  assert.equal(settingErrUm(sim, 100_000, 200_000, 3.0), -35);
  // with the window's end after the cut stroke, it is one of them
  assert.equal(depthChangeUm(sim, 100_000, 220_000), 45 - 2950);
});

for (const id of [
  'ref-pen/physical/pworst/normal/d1.25/f130/s219535/driver_short@0.7598~0.2ms',
  'ref-pen/physical/pworst/normal/d2.8/f121/s255255/overtemp@0.5421~0.1ms',
]) {
  test(`a glitch's loss found across the trims that follow it: ${id}`, async () => {
    // the glitch costs steps within the encoder's threshold early in the strokes; the trims that follow
    // move the bottoms, and a bottom held across a trim shows the loss. Left unchecked while the trims
    // settle after a start (a first form of a fix for false encoder_slips there), each stroked on 23 um
    // or more off the depth, unseen.
    const o = runCampaignCase(parseCaseId(id), await firmware());
    assert.equal(o.detected, 'encoder_slip');
    assert.equal(failureClass(o, 20), undefined);
  });
}

test("a glitch's step loss the depth trim makes up: the bottoms after it move at most 0.02 mm", async () => {
  // a 0.1 ms over-temperature flag at 1.0 mm / 80 Hz on the worst pen: the steps it cost moved the
  // bottoms 15 um, and the trims brought them back (the rest position after the stop finds the loss).
  // (This test ran a 0.1 ms driver short at 0.5 mm / 80 Hz: its bottoms moved 27 um while the trim
  // closed the whole error at once, 19 um going half the way at a time, 9 um going as far as lands
  // within the dead band at a gain of 1.6; with the trims a microstep at a time near the depth the
  // encoder finds that loss, encoder_slip 32 ms after the short.)
  const { o, k } = await glitchLossPassed('ref-pen/physical/pworst/normal/d1/f80/s26721/overtemp@0.9375~0.1ms');
  const moved = Number(/moved (-?[\d.]+) mm/.exec(k.measured)![1]);
  assert.ok(Math.abs(moved) <= 0.02, k.measured);
  assert.equal(failureClass(o, 20), undefined);
});

test('a dead endstop whose stop another fault ends first is found by the homing that clearing the fault starts', async () => {
  // the stop finishes its stroke into the stall's obstacle: fault stall, not the stop's position check
  // (d1/f80/s362352 did, until the depth trim moved the strokes instead of planning them again;
  // d2.5/f25/s100112 until a stroke's share followed the rotor's ringing: its strokes now meet the
  // obstacle while stroking, an encoder slip; d2/f25/s100110 until the trims went a microstep at a time
  // near the depth: its stop's position check now finds the dead endstop first). This case's obstacle
  // holds the second bottom after a trim 22 um short and goes unseen while stroking (docs/hazards.md,
  // residual risks): that is the obstacle's own judging; the dead endstop's is what is held here.
  const o = runCampaignCase(
    parseCaseId('ref-pen/physical/pworst/normal/d3/f25/s100112/endstop_dead@0.5+2ms:stall'),
    await firmware(),
  );
  assert.equal(o.afterStop, 'fault (stall)');
  const k = o.checks?.find((x) => x.what.startsWith('a dead endstop'));
  assert.ok(k?.pass, JSON.stringify(o.checks));
  assert.match(k!.measured, /cleared, its homing: fault \(endstop_not_found\)$/);
  assert.doesNotMatch(failureClass(o, 20) ?? '', /endstop/);
});

test('a fault the firmware declares at the end of the window is judged by its retract, not cut off', async () => {
  // a stall 75 ms after a fault that needs no motion (a stuck RNG): the firmware declares encoder_slip
  // 82 ms into the window, so the retract and the 20 ms the needles must stay back end after the 100 ms
  // window (without the extension the case reads "not retracted"). (The grid's single stalls are all
  // found within 32 ms since the depth trim moves the strokes; at phase 0.25 this stall is seen at once.)
  const o = runCampaignCase(
    parseCaseId('ref-pen/physical/pworst/normal/d1/f40/s16/rng_stuck@0.4375+75ms:stall'),
    await firmware(),
  );
  assert.equal(o.detected, 'encoder_slip');
  assert.equal(clockOf(o), 'onset'); // from when the obstacle held the needles back, 75 ms and more into the window
  assert.ok(o.retracted, `tips at ${o.tipMm} mm`);
  assert.ok(o.fromDetectionMs! <= 20, `${o.fromDetectionMs} ms from detection`);
  assert.equal(failureClass(o, 20), undefined);
});
