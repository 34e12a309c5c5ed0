// Failed professional-mode unlocks: the next challenge waits longer after each failure, and failures
// reach the log at most once a minute with their count, so a flood of bad AUTH lines leaves every
// treatment record in the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readyPen, startByButton } from './helpers.js';
import { PenSim } from '../../host-sim/pen.js';
import { LOG_EVENTS, LOG_RECORDS } from '../../abi/pen-abi.js';
import { simClinic, sendLines } from '../../tools/lib/clinic.js';
import { answerChallenge, authLines, parseChallenge } from '../../tools/lib/licence.js';
import { p256KeyFromSeed } from '../../host-sim/keys.js';

const WRONG_KEY = p256KeyFromSeed('not a licensed clinic');
const ZERO_PIECE = '00'.repeat(32);

const SEGMENT = LOG_RECORDS.find((r) => r.constant === 'REC_SEGMENT')!.code;
const EVENT = LOG_RECORDS.find((r) => r.constant === 'REC_EVENT')!.code;
const AUTH_FAILED = LOG_EVENTS.find((e) => e.constant === 'EV_AUTH_FAILED')!.code;

function logLines(sim: PenSim): string[] {
  const n = Number(/count=(\d+)/.exec(sim.command('LOG?'))![1]);
  return Array.from({ length: n }, (_, i) => sim.command(`LOG ${i}`).replace(/^LOG \d+ /, ''));
}
const typeOf = (l: string): number => Number(l.split(' ')[0]);

/** One wrong try: AUTH? and, if a challenge came, the genuine licence and a wrong answer. The replies. */
function wrongTry(sim: PenSim): string[] {
  const c = sim.command('AUTH?');
  const ch = parseChallenge(c);
  if (!ch) return [c];
  const answer = answerChallenge(ch.challengeHex, ch.penSerial, WRONG_KEY);
  const lines = [...authLines('LICENCE', simClinic().licence), ...authLines('ANSWER', answer)];
  return [c, ...lines.slice(0, -1).map(() => 'OK'), sendLines(sim, lines)];
}

test('each failure doubles the wait for the next challenge, up to a minute; an unlock resets it', async () => {
  const sim = await readyPen();
  const waits: number[] = [];
  for (let i = 0; i < 8; i++) {
    const r = wrongTry(sim);
    assert.equal(r[r.length - 1], 'ERR 10 refused: wrong_answer');
    const m = /^ERR 10 refused: locked_out: try again in (\d+) s$/.exec(sim.command('AUTH?'));
    assert.ok(m, 'the next challenge is refused with the time left');
    waits.push(Number(m[1]));
    sim.run(Number(m[1]) * 1000 - 50);
    assert.match(sim.command('AUTH?'), /^ERR 10 refused: locked_out/, 'not before the time is up');
    sim.run(100);
  }
  assert.deepEqual(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
  // a power-off does not reset it: the module keeps counting while the pen is off
  wrongTry(sim);
  sim.command('POWER OFF');
  sim.press('power');
  sim.runUntil(() => sim.state === 'ready', 3000);
  assert.match(sim.command('AUTH?'), /^ERR 10 refused: locked_out: try again in (5\d|60) s$/);
});

test('600 bad AUTH lines leave every treatment record in the log; failures are counted, one record a minute', async () => {
  const sim = await readyPen();
  sim.command('SET ZONE cheeks');
  for (const depth of ['0.50', '0.70', '0.90']) {
    sim.command(`SET DEPTH ${depth}`);
    startByButton(sim);
    sim.run(300);
    sim.command('STOP');
    assert.ok(sim.runUntil(() => sim.state === 'ready', 500));
  }
  const before = logLines(sim);
  const segments = before.filter((l) => typeOf(l) === SEGMENT);
  assert.equal(segments.length, 3);
  const t0 = sim.nowMs;
  let failures = 0;
  let lines = 0;
  for (let i = 0; i < 300; i++) {
    // an answer to no challenge (two lines), and a challenge with a wrong answer when one is given
    const r = [
      sim.command(`AUTH ANSWER 0 ${ZERO_PIECE}`),
      sim.command(`AUTH ANSWER 32 ${ZERO_PIECE}`, 200),
      ...wrongTry(sim),
    ];
    lines += r.length;
    failures += r.filter((x) => /^ERR 10 refused: (wrong_answer|no_live_challenge)$/.test(x)).length;
  }
  assert.ok(lines >= 600, `${lines} lines`);
  const after = logLines(sim);
  assert.deepEqual(
    after.filter((l) => typeOf(l) === SEGMENT),
    segments,
    'every treatment record is still there',
  );
  const authRecords = (ls: string[]): number[] =>
    ls
      .map((l) => l.split(' ').map(Number))
      .filter((w) => w[0] === EVENT && w[3] === AUTH_FAILED)
      .map((w) => w[4]);
  const minutes = Math.ceil((sim.nowMs - t0) / 60_000);
  assert.ok(authRecords(after).length <= minutes + 1, `${authRecords(after).length} records in ${minutes} min`);
  sim.run(61_000); // what was held back is logged within a minute
  const counted = authRecords(logLines(sim)).reduce((a, d) => a + (d & 0xffff), 0);
  assert.equal(counted, failures, 'every failure is counted in the log');
});
