// The serial line protocol: one reply line per command, errors with a code and the valid range, and a
// parser that survives any bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readyPen } from './helpers.js';
import { Rng } from '../../host-sim/rng.js';

test('commands and their exact replies', async () => {
  const sim = await readyPen();
  const cases: [string, string | RegExp][] = [
    ['SET DEPTH 1.20', /^OK depth=1\.20 freq=\d+/],
    ['set depth 0.5', /^OK depth=0\.50 freq=\d+/],
    ['SET DEPTH 9', 'ERR 3 depth 9.00 mm out of range 0.20..3.00 mm'],
    ['SET DEPTH 0.1', 'ERR 3 depth 0.10 mm out of range 0.20..3.00 mm'],
    ['SET DEPTH -1', 'ERR 2 bad depth: give millimetres, e.g. SET DEPTH 1.50'],
    ['SET DEPTH 1.2.3', 'ERR 2 bad depth: give millimetres, e.g. SET DEPTH 1.50'],
    ['SET FREQ 0', 'ERR 3 freq 0 Hz out of range 25..150 Hz'],
    ['SET FREQ 151', 'ERR 3 freq 151 Hz out of range 25..150 Hz'],
    ['SET FREQ 40', 'OK depth=0.50 freq=40'],
    ['SET FREQ 12.5', 'ERR 2 bad rate: give whole hertz, e.g. SET FREQ 100'],
    ['SET LEVEL 7', 'ERR 3 level 7 out of range 1..6'],
    ['SET LEVEL 2', 'OK depth=0.50 freq=40'],
    ['SET SPEED 3', 'ERR 1 unknown setting: SET DEPTH <mm>, SET FREQ <Hz> or SET LEVEL <n>'],
    ['FLY', 'ERR 1 unknown command: SET DEPTH|SET FREQ|SET LEVEL|START|PAUSE|STOP|POWER ON|POWER OFF|CLEAR|STATUS?'],
    ['STOP', 'ERR 4 not allowed in state ready'],
    ['STATUS?', 'STATUS state=ready fault=none depth=0.50 freq=40 asked=40 clamp=none level=2 cartridge=1'],
    ['START now', 'ERR 2 unexpected argument'],
    ['START', 'OK'],
    ['PAUSE', 'OK'],
    ['x'.repeat(100), 'ERR 5 line too long: at most 63 bytes'],
  ];
  for (const [cmd, want] of cases) {
    const got = sim.command(cmd);
    if (typeof want === 'string') assert.equal(got, want, cmd);
    else assert.match(got, want, cmd);
  }
  sim.runUntil(() => sim.state === 'paused', 200);
  assert.equal(sim.state, 'paused');
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
  sim.run(5);
  assert.equal(sim.resets, 0, 'no panic, no watchdog');
  assert.equal(sim.replies.length, lines, 'exactly one reply per line');
  for (const r of sim.replies) assert.match(r.line, /^(OK|ERR \d |STATUS )/);
});
