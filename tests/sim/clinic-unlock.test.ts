// Professional-mode unlock without a shared secret: the maker's licence binds a clinic's public key; the
// pen checks it with the maker key it holds by ID, then the clinic's signature over a fresh challenge
// and its serial. Every refusal names its reason; keys, serial or random source that cannot be used
// refuse everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readyPen } from './helpers.js';
import { PenSim, SimOptions } from '../../host-sim/pen.js';
import { devLicenceMakerKey, p256KeyFromSeed } from '../../host-sim/keys.js';
import { simClinic, unlockProfessional, sendLines, Clinic } from '../../tools/lib/clinic.js';
import {
  answerChallenge,
  authLines,
  clinicPublicOf,
  issueLicence,
  parseChallenge,
  licenceSignedBy,
  readLicence,
} from '../../tools/lib/licence.js';
import { qaLicence, QaLicence } from '../../tools/qa/licences.js';
import { createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../../boards/paths.js';
import { tempDir } from './tmp-dir.js';

const DAY_S = 86_400;

/** AUTH? and, with a challenge, `licence` and the clinic's answer; the last reply. */
function tryUnlock(sim: PenSim, licence: Buffer | undefined, clinic: Clinic = simClinic()): string {
  const ch = parseChallenge(sim.command('AUTH?'));
  if (!ch) return sim.replies[sim.replies.length - 1].line;
  const answer = answerChallenge(ch.challengeHex, ch.penSerial, clinic.key);
  return sendLines(sim, [...(licence ? authLines('LICENCE', licence) : []), ...authLines('ANSWER', answer)]);
}

/** Past any lock-out the failures so far have set. */
function waitOut(sim: PenSim): void {
  sim.run(61_000);
}

test("the development clinic's licence and answer unlock; the log names the licence", async () => {
  const sim = await readyPen();
  const c = sim.command('AUTH?');
  assert.match(c, new RegExp(`^CHALLENGE [0-9a-f]{32} pen=${sim.serial}$`));
  const ch = parseChallenge(c)!;
  const lines = [
    ...authLines('LICENCE', simClinic().licence),
    ...authLines('ANSWER', answerChallenge(ch.challengeHex, ch.penSerial, simClinic().key)),
  ];
  assert.ok(
    lines.every((l) => l.length <= 95),
    'every line fits the protocol',
  );
  const replies = lines.map((l) => sim.command(l, 300));
  assert.deepEqual(replies, [
    'OK licence 32/156',
    'OK licence 64/156',
    'OK licence 96/156',
    'OK licence 128/156',
    'OK licence 156/156',
    'OK answer 32/64',
    'OK mode=professional cap=3.00',
  ]);
  assert.match(sim.command('STATUS?'), / mode=professional cap=3\.00 /);
  const log = sim.command('LOG 0').split(' ').map(Number);
  assert.deepEqual(
    log.slice(2, 3).concat(log.slice(5)),
    [2, 3, 100001],
    'event auth_passed, detail the licence serial',
  );
});

test('every kind of wrong licence is refused with its reason, and the mode stays home', async () => {
  const sim = await readyPen();
  const cases: [QaLicence, string][] = [
    ['other_maker', 'licence_not_genuine'],
    ['altered', 'licence_not_genuine'],
    ['other_key', 'licence_other_key'],
    ['malformed', 'licence_malformed'],
    ['expired', 'licence_expired'],
    ['revoked', 'licence_revoked'],
    ['other_pen', 'licence_other_pen'],
    ['none', 'no_licence'],
  ];
  for (const [kind, reason] of cases) {
    assert.equal(tryUnlock(sim, qaLicence(kind, sim.serial, sim.rtcSeconds())), `ERR 10 refused: ${reason}`, kind);
    assert.match(sim.command('STATUS?'), / mode=home /);
    waitOut(sim);
  }
  // the same pieces, whole and genuine, still open the pen
  assert.equal(tryUnlock(sim, simClinic().licence), 'OK mode=professional cap=3.00');
});

test("a licence naming this pen opens it; the clinic's own answer to another pen's challenge does not", async () => {
  const clinic = simClinic();
  const lic = (pens: number[]): Buffer =>
    issueLicence({ serial: 100010, expiryS: 0, pens, clinicPublic: clinicPublicOf(clinic.key) }, devLicenceMakerKey());
  const sim = await readyPen();
  assert.equal(tryUnlock(sim, lic([7, sim.serial])), 'OK mode=professional cap=3.00');
  // an answer signed for pen B's serial, sent to pen A with A's challenge, is wrong
  const a = await readyPen({ penSerial: 50_000_001 });
  const ch = parseChallenge(a.command('AUTH?'))!;
  const forB = answerChallenge(ch.challengeHex, 50_000_002, clinic.key);
  assert.equal(
    sendLines(a, [...authLines('LICENCE', clinic.licence), ...authLines('ANSWER', forB)]),
    'ERR 10 refused: wrong_answer',
  );
});

test('an answer is good once: the same answer again, to its challenge or a new one, is refused', async () => {
  const sim = await readyPen();
  const clinic = simClinic();
  const ch = parseChallenge(sim.command('AUTH?'))!;
  const answer = answerChallenge(ch.challengeHex, ch.penSerial, clinic.key);
  const send = (): string => sendLines(sim, [...authLines('LICENCE', clinic.licence), ...authLines('ANSWER', answer)]);
  assert.equal(send(), 'OK mode=professional cap=3.00');
  sim.command('SET MODE home');
  assert.equal(send(), 'ERR 10 refused: replayed');
  waitOut(sim);
  assert.match(sim.command('AUTH?'), /^CHALLENGE /);
  assert.equal(send(), 'ERR 10 refused: replayed', 'to a fresh challenge');
  assert.match(sim.command('STATUS?'), / mode=home /);
});

test("another clinic's key with a genuine licence is a wrong answer; a clinic licensed by the maker opens with its own key", async () => {
  const sim = await readyPen();
  const other: Clinic = { key: p256KeyFromSeed('a clinic the maker never licensed'), licence: simClinic().licence };
  assert.equal(tryUnlock(sim, other.licence, other), 'ERR 10 refused: wrong_answer');
  waitOut(sim);
  const key = p256KeyFromSeed('a second licensed clinic');
  const own: Clinic = {
    key,
    licence: issueLicence(
      { serial: 100011, expiryS: sim.rtcSeconds() + 30 * DAY_S, pens: [], clinicPublic: clinicPublicOf(key) },
      devLicenceMakerKey(),
    ),
  };
  assert.equal(tryUnlock(sim, own.licence, own), 'OK mode=professional cap=3.00');
});

test('fail closed: unprovisioned or zero keys, no serial, a failed random source give no challenge; a lost clock refuses licences that expire', async () => {
  const refusal = async (opts: Partial<SimOptions>): Promise<string> => (await readyPen(opts)).command('AUTH?');
  assert.equal(await refusal({ keyProvisioning: 'unprovisioned' }), 'ERR 10 refused: key_unprovisioned');
  assert.equal(await refusal({ keyProvisioning: 'zero' }), 'ERR 10 refused: key_zero');
  assert.equal(await refusal({ penSerial: 0 }), 'ERR 10 refused: no_serial');
  const sim = await readyPen();
  sim.inject('rng_stuck');
  assert.equal(sim.command('AUTH?'), 'ERR 10 refused: no_random');
  // a clock that reads before the earliest possible time has lost its time: expiry cannot be checked
  const lost = await readyPen({ rtcStart: 1000 });
  const key = simClinic().key;
  const expiring = issueLicence(
    { serial: 100012, expiryS: 1_900_000_000, pens: [], clinicPublic: clinicPublicOf(key) },
    devLicenceMakerKey(),
  );
  assert.equal(tryUnlock(lost, expiring), 'ERR 10 refused: clock_not_set');
  waitOut(lost);
  assert.equal(tryUnlock(lost, simClinic().licence), 'OK mode=professional cap=3.00', 'a licence without expiry');
});

test('the licence format: the tool reads back what it issued, and only the maker key signs it', () => {
  const lic = simClinic().licence;
  const f = readLicence(lic);
  assert.equal(f.serial, 100001);
  assert.equal(f.expiryS, 0);
  assert.deepEqual(f.pens, []);
  assert.ok(licenceSignedBy(lic, createPublicKey(devLicenceMakerKey())));
  assert.ok(!licenceSignedBy(lic, createPublicKey(p256KeyFromSeed('another maker'))));
});

test('the pen checks without delaying its ticks: an unlock in a stroking pen keeps every stroke', async () => {
  const sim = await readyPen();
  sim.command('SET ZONE cheeks');
  sim.command('START');
  sim.press('start');
  sim.run(300);
  sim.startMeasuring();
  assert.equal(unlockProfessional(sim), 'OK mode=professional cap=2.00', 'the zone caps it');
  sim.run(200);
  const m = sim.measure();
  assert.equal(sim.state, 'running');
  assert.equal(m.missed_steps, 0);
});

test('pen clinic: a new clinic key, a licence from the maker, and the answer lines open a pen', async () => {
  const dir = tempDir('clinic-');
  const pen = (...args: string[]): string => {
    const r = spawnSync('node', [join(REPO_ROOT, 'bin', 'pen.js'), 'clinic', ...args], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  pen('keys', 'new', '--out', 'clinic');
  const sim = await readyPen();
  pen(
    'licence',
    '--clinic',
    'clinic.pub.pem',
    '--serial',
    '4242',
    '--expires',
    '2031-01-01',
    '--pens',
    String(sim.serial),
    '--out',
    'clinic.lic',
  );
  assert.match(pen('show', '--licence', 'clinic.lic'), /licence 4242 .*\n {2}expires {5}2031-01-01/);
  const lines = pen('answer', '--key', 'clinic.pem', '--licence', 'clinic.lic', '--challenge', sim.command('AUTH?'))
    .trim()
    .split('\n');
  assert.equal(lines.length, 7);
  assert.equal(sendLines(sim, lines), 'OK mode=professional cap=3.00');
  assert.match(sim.command('LOG 0'), / 3 4242$/);
});
