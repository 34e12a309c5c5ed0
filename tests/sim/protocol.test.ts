// The serial line protocol: one reply line per command, errors with a code and the valid range, and a
// parser that survives any bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readyPen } from './helpers.js';
import { Rng } from '../../host-sim/rng.js';
import { unlockProfessional } from '../../tools/lib/clinic.js';

const PRESS_START = '(start button)';
const UNTIL_PAUSED = '(until paused)';

test('commands and their exact replies', async () => {
  const sim = await readyPen();
  const cases: [string, string | RegExp][] = [
    ['SET DEPTH 1.20', /^OK depth=1\.20 freq=\d+/],
    ['set depth 0.5', /^OK depth=0\.50 freq=\d+/],
    ['SET DEPTH 9', 'ERR 3 depth 9.00 mm out of range 0.20..1.50 mm (cap of home mode)'],
    ['SET DEPTH 0.1', 'ERR 3 depth 0.10 mm out of range 0.20..1.50 mm'],
    ['SET DEPTH -1', 'ERR 2 bad depth: give millimetres, e.g. SET DEPTH 1.50'],
    ['SET DEPTH 1.2.3', 'ERR 2 bad depth: give millimetres, e.g. SET DEPTH 1.50'],
    ['SET FREQ 0', 'ERR 3 freq 0 Hz out of range 25..150 Hz'],
    ['SET FREQ 151', 'ERR 3 freq 151 Hz out of range 25..150 Hz'],
    ['SET FREQ 40', 'OK depth=0.50 freq=40'],
    ['SET FREQ 12.5', 'ERR 2 bad rate: give whole hertz, e.g. SET FREQ 100'],
    ['SET LEVEL 7', 'ERR 3 level 7 out of range 1..6'],
    ['SET LEVEL 2', 'OK depth=0.50 freq=40'],
    ['SET SPEED 3', 'ERR 1 unknown setting: SET DEPTH|FREQ|LEVEL|ZONE|MODE|IDLE'],
    ['FLY', 'ERR 1 unknown command: SET|START|PAUSE|STOP|POWER|CLEAR|STATUS?|AUTH?|AUTH|LOG?|LOG|SERVICE'],
    // a lookup reads a word only as far as the longest name (textio.ts WORD_MAX): longer words match none
    ['X'.repeat(95), 'ERR 1 unknown command: SET|START|PAUSE|STOP|POWER|CLEAR|STATUS?|AUTH?|AUTH|LOG?|LOG|SERVICE'],
    [
      'STATUS?' + '?'.repeat(40),
      'ERR 1 unknown command: SET|START|PAUSE|STOP|POWER|CLEAR|STATUS?|AUTH?|AUTH|LOG?|LOG|SERVICE',
    ],
    [
      'SET ZONE ' + 'stretch_marks'.repeat(6),
      'ERR 3 unknown zone: forehead|eyes|nose|upper_lip|cheekbones|cheeks|neck|acne_scars|stretch_marks|scalp',
    ],
    ['STOP', 'ERR 4 not allowed in state ready'],
    ['START', 'ERR 9 no treatment zone: SET ZONE <name> first'],
    [
      'SET ZONE chin',
      'ERR 3 unknown zone: forehead|eyes|nose|upper_lip|cheekbones|cheeks|neck|acne_scars|stretch_marks|scalp',
    ],
    ['SET ZONE Forehead', 'OK zone=forehead cap=0.75'],
    ['SET DEPTH 0.80', 'ERR 3 depth 0.80 mm out of range 0.20..0.75 mm (cap of zone forehead)'],
    ['SET MODE professional', 'ERR 10 professional mode needs a clinic licence: AUTH?, AUTH LICENCE, AUTH ANSWER'],
    ['SET MODE home', 'OK mode=home cap=0.75'],
    ['SET IDLE 10', 'ERR 3 idle time 10 s out of range 30..3600 s'],
    ['SET IDLE 600', 'OK idle=600'],
    ['AUTH 00', 'ERR 2 AUTH LICENCE|ANSWER <offset> <hex>: next offset 0'],
    ['AUTH ANSWER 8 00', 'ERR 2 AUTH LICENCE|ANSWER <offset> <hex>: next offset 0'],
    ['AUTH ANSWER 0 0', 'ERR 2 give 2 to 64 hex digits, at most 32 bytes from offset 0'],
    ['AUTH ANSWER 0 ' + '0'.repeat(66), 'ERR 2 give 2 to 64 hex digits, at most 32 bytes from offset 0'],
    ['AUTH LICENCE 0 ' + '0'.repeat(64), 'OK licence 32/156'],
    ['AUTH LICENCE 32 0z', 'ERR 2 give 2 to 64 hex digits, at most 32 bytes from offset 32'],
    ['AUTH ANSWER 0 ' + '0'.repeat(64), 'OK answer 32/64'],
    ['AUTH ANSWER 32 ' + '0'.repeat(64), 'ERR 10 refused: no_live_challenge'],
    [
      'STATUS?',
      /^STATUS state=ready fault=none depth=0\.50 freq=40 asked=40 clamp=none level=2 zone=forehead mode=home cap=0\.75 cartridge=ok:\d+ session_s=0 encoder=ok measured=none$/,
    ],
    ['START now', 'ERR 2 unexpected argument'],
    ['START', 'OK waiting for the start button'],
    [PRESS_START, ''], // the needles start from the button only
    ['SET ZONE eyes', 'OK zone=eyes cap=0.50'],
    ['SET DEPTH 0.60', 'ERR 3 depth 0.60 mm out of range 0.20..0.50 mm (cap of zone eyes)'],
    ['PAUSE', 'OK'],
    [UNTIL_PAUSED, ''], // LOG <i> is read only when the needles are still
    ['LOG?', 'LOG count=4'],
    ['LOG 0', /^LOG 0 2 0 \d+ 6 5$/], // event: start refused, no zone
    ['LOG 1', /^LOG 1 2 0 \d+ 2 131073$/], // event: 1 failed AUTH (low 16 bits), no live challenge (2 << 16)
    ['LOG 2', /^LOG 2 3 /], // the stretch of strokes the button started, opened at its first stroke
    ['LOG 3', /^LOG 3 1 /], // and closed by the pause
    ['LOG 5', 'ERR 3 no record 5: LOG? gives the count'],
    ['x'.repeat(100), 'ERR 5 line too long: at most 95 bytes'],
  ];
  for (const [cmd, want] of cases) {
    if (cmd === UNTIL_PAUSED) {
      assert.ok(
        sim.runUntil(() => sim.state === 'paused', 300),
        'paused at the top of the stroke',
      );
      continue;
    }
    if (cmd === PRESS_START) {
      sim.press('start');
      assert.ok(
        sim.runUntil(() => sim.state === 'running', 200),
        'the start button starts',
      );
      continue;
    }
    const got = sim.command(cmd);
    if (typeof want === 'string') assert.equal(got, want, cmd);
    else assert.match(got, want, cmd);
  }
  assert.ok(sim.runUntil(() => sim.state === 'paused', 300));
});

test('zone caps: raising the depth past a cap is refused, a zone below the depth is refused, nothing is lowered', async () => {
  const sim = await readyPen();
  assert.match(unlockProfessional(sim), /^OK mode=professional cap=/);
  const caps: [string, string][] = [
    ['forehead', '0.75'],
    ['eyes', '0.50'],
    ['nose', '0.50'],
    ['upper_lip', '0.75'],
    ['cheekbones', '1.00'],
    ['cheeks', '2.00'],
    ['neck', '1.50'],
    ['acne_scars', '3.00'],
    ['stretch_marks', '3.00'],
    ['scalp', '2.50'],
  ];
  for (const [zone, cap] of caps) {
    sim.command('SET DEPTH 0.30');
    assert.equal(sim.command(`SET ZONE ${zone}`), `OK zone=${zone} cap=${cap}`);
    assert.match(sim.command(`SET DEPTH ${cap}`), new RegExp(`^OK depth=${cap.replace('.', '\\.')} `));
    const above = (Number(cap) + 0.01).toFixed(2);
    assert.match(sim.command(`SET DEPTH ${above}`), /^ERR 3 depth .* out of range 0\.20\.\.\d\.\d\d mm/);
    assert.equal(sim.indicator, 'refused');
  }
  // at 2.50 mm (scalp), the forehead is refused and the depth stays
  assert.equal(
    sim.command('SET ZONE forehead'),
    'ERR 11 depth 2.50 mm is above the 0.75 mm cap of zone forehead: set a shallower depth first',
  );
  assert.equal(
    sim.command('SET MODE home'),
    'ERR 11 depth 2.50 mm is above the 1.50 mm cap of home mode: set a shallower depth first',
  );
  assert.match(sim.command('STATUS?'), / depth=2\.50 .* zone=scalp mode=professional cap=2\.50 /);
});

test('100,000 random and mutated inputs: no trap, one reply per line', async () => {
  const sim = await readyPen();
  const rng = new Rng(42);
  const seeds = ['SET DEPTH 1.50', 'SET FREQ 120', 'START', 'STOP', 'STATUS?', 'SET LEVEL 3', 'POWER OFF', 'CLEAR'];
  let lines = 0;
  for (let i = 0; i < 100_000; i++) {
    let bytes: number[];
    if (rng.next() < 0.5) {
      bytes = Array.from({ length: Math.floor(rng.range(0, 80)) }, () => Math.floor(rng.range(0, 256)));
    } else {
      bytes = [...Buffer.from(seeds[Math.floor(rng.range(0, seeds.length))])];
      for (let m = Math.floor(rng.range(1, 4)); m > 0; m--) {
        const at = Math.floor(rng.range(0, bytes.length + 1));
        const op = rng.next();
        if (op < 0.4) bytes[at] = Math.floor(rng.range(0, 256));
        else if (op < 0.7) bytes.splice(at, 1);
        else bytes.splice(at, 0, Math.floor(rng.range(32, 127)));
      }
    }
    bytes = bytes.filter((b) => b !== 10 && b !== 13);
    if (bytes.length === 0) continue;
    sim.sendBytes([...bytes, 10]);
    lines++;
    if (i % 64 === 63) sim.runUntil(() => sim.rxPending === 0, 1000);
  }
  sim.runUntil(() => sim.rxPending === 0, 1000);
  sim.runUntil(() => sim.replies.length >= lines, 200); // the last reply goes out at the UART's pace
  sim.run(5);
  assert.equal(sim.resets, 0, 'no panic, no watchdog');
  assert.equal(sim.replies.length, lines, 'exactly one reply per line');
  for (const r of sim.replies) assert.match(r.line, /^(OK|ERR \d |STATUS )/);
});
