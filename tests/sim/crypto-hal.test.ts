// The simulator's crypto HAL (host-sim/parts/crypto.ts, key-store.ts, entropy.ts) against its contract
// in docs/hal-abi.md "Crypto": keys by ID, asynchronous operations, cancel, fail-closed random numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SimClock } from '../../host-sim/clock.js';
import { CryptoEngine, CRYPTO_LATENCY } from '../../host-sim/parts/crypto.js';
import {
  CRYPTO_E_BAD_ARGUMENT,
  CRYPTO_E_BAD_HANDLE,
  CRYPTO_E_BAD_SIGNATURE,
  CRYPTO_E_BUSY,
  CRYPTO_E_MALFORMED_KEY,
  CRYPTO_E_NO_KEY,
  CRYPTO_E_RNG_HEALTH,
  CRYPTO_E_UNPROVISIONED,
  CRYPTO_E_ZERO_KEY,
  CRYPTO_OK,
  CRYPTO_PENDING,
  KEY_ID_CARTRIDGE_MAKER,
  KEY_ID_LICENCE_MAKER,
  KEY_ID_VOLATILE,
  KeyProvisioning,
  KeyStore,
} from '../../host-sim/parts/key-store.js';
import { APT_CUTOFF, Entropy, HealthTests, RCT_CUTOFF } from '../../host-sim/parts/entropy.js';
import { Rng } from '../../host-sim/rng.js';
import {
  devCartridgeMakerKey,
  devLicenceMakerKey,
  p256KeyFromSeed,
  publicKeyFromRaw,
  rawPublicKey,
  signP256,
  verifyP256,
} from '../../host-sim/keys.js';
import { HAL_CALLS } from '../../abi/pen-abi.js';

const TIMER_HZ = 16_000_000;

interface Bench {
  clock: SimClock;
  mem: Uint8Array;
  engine: CryptoEngine;
  hal: Record<string, (...a: number[]) => number>;
}

function bench(provisioning: KeyProvisioning = 'provisioned'): Bench {
  const keys = new KeyStore({
    cartridgeMakerPublic: rawPublicKey(devCartridgeMakerKey()),
    licenceMakerPublic: rawPublicKey(devLicenceMakerKey()),
    provisioning,
  });
  const clock = new SimClock(TIMER_HZ);
  const mem = new Uint8Array(65536);
  const engine = new CryptoEngine(keys, clock, () => mem);
  return { clock, mem, engine, hal: engine.imports() as unknown as Bench['hal'] };
}

const runMs = (b: Bench, ms: number): void => {
  b.clock.tTicks += b.clock.ticks(ms);
};

test('every crypto import is at the end of the table, and none returns more than a digest word', () => {
  const names = HAL_CALLS.map((c) => c.name);
  const first = names.indexOf('crypto_key_status');
  assert.deepEqual(names.slice(first, first + 9), [
    'crypto_key_status',
    'crypto_key_import',
    'crypto_key_destroy',
    'crypto_hash_start',
    'crypto_verify_start',
    'crypto_poll',
    'crypto_output',
    'crypto_cancel',
    'crypto_random',
  ]);
  for (const c of HAL_CALLS.slice(first)) assert.ok(c.params.length <= 4, `${c.name}: at most 4 arguments (replay)`);
});

test('keys by ID: provisioned keys are usable; erased, zero and unknown ones say why', () => {
  const b = bench();
  for (const id of [KEY_ID_CARTRIDGE_MAKER, KEY_ID_LICENCE_MAKER]) assert.equal(b.hal.crypto_key_status(id), CRYPTO_OK);
  assert.equal(b.hal.crypto_key_status(99), CRYPTO_E_NO_KEY);
  assert.equal(b.hal.crypto_key_status(KEY_ID_VOLATILE), CRYPTO_E_NO_KEY, 'an empty volatile slot');
  for (const [p, why] of [
    ['unprovisioned', CRYPTO_E_UNPROVISIONED],
    ['zero', CRYPTO_E_ZERO_KEY],
  ] as const) {
    const z = bench(p);
    for (const id of [KEY_ID_CARTRIDGE_MAKER, KEY_ID_LICENCE_MAKER]) {
      assert.equal(z.hal.crypto_key_status(id), why, `${p} key ${id}`);
      assert.equal(z.hal.crypto_verify_start(id, 0, 16, 64), why, `${p}: a check with key ${id} is refused`);
    }
  }
});

test('an ECDSA check with the maker key by ID completes after its latency; a changed message fails', () => {
  const b = bench();
  const msg = Buffer.from('type, needles, length, lot, serial, chip key');
  const sig = signP256(devCartridgeMakerKey(), msg);
  b.mem.set(msg, 100);
  b.mem.set(sig, 400);
  const h = b.hal.crypto_verify_start(KEY_ID_CARTRIDGE_MAKER, 100, msg.length, 400);
  assert.ok(h > 0);
  b.mem.fill(0, 100, 500); // inputs are copied at the start
  runMs(b, CRYPTO_LATENCY.verifyEcdsaMs - 1);
  assert.equal(b.hal.crypto_poll(h), CRYPTO_PENDING);
  runMs(b, 1);
  assert.equal(b.hal.crypto_poll(h), CRYPTO_OK);
  assert.equal(b.hal.crypto_poll(h), CRYPTO_OK, 'asked again: the same answer until cancelled');
  b.hal.crypto_cancel(h);
  assert.equal(b.hal.crypto_poll(h), CRYPTO_E_BAD_HANDLE);
  b.mem.set(msg, 100);
  b.mem[101] ^= 1;
  b.mem.set(sig, 400);
  const bad = b.hal.crypto_verify_start(KEY_ID_CARTRIDGE_MAKER, 100, msg.length, 400);
  runMs(b, CRYPTO_LATENCY.verifyEcdsaMs);
  assert.equal(b.hal.crypto_poll(bad), CRYPTO_E_BAD_SIGNATURE);
  const other = bench();
  other.mem.set(msg, 100);
  other.mem.set(sig, 400);
  const wrongKey = other.hal.crypto_verify_start(KEY_ID_LICENCE_MAKER, 100, msg.length, 400);
  runMs(other, CRYPTO_LATENCY.verifyEcdsaMs);
  assert.equal(other.hal.crypto_poll(wrongKey), CRYPTO_E_BAD_SIGNATURE, 'another key does not verify it');
});

test('a public key from memory is imported into a volatile slot; off-curve or blank keys are malformed', () => {
  const b = bench();
  const chip = p256KeyFromSeed('test chip');
  b.mem.set(rawPublicKey(chip), 200);
  const ids = [0, 1, 2, 3].map(() => b.hal.crypto_key_import(200));
  assert.deepEqual(ids, [KEY_ID_VOLATILE, KEY_ID_VOLATILE + 1, KEY_ID_VOLATILE + 2, KEY_ID_VOLATILE + 3]);
  assert.equal(b.hal.crypto_key_import(200), CRYPTO_E_BUSY, 'four slots');
  b.hal.crypto_key_destroy(KEY_ID_VOLATILE + 1);
  assert.equal(b.engine.importedKeys, 3);
  const id = b.hal.crypto_key_import(200);
  assert.equal(id, KEY_ID_VOLATILE + 1);
  const msg = Buffer.from('challenge serial counter');
  b.mem.set(msg, 0);
  b.mem.set(signP256(chip, msg), 300);
  const h = b.hal.crypto_verify_start(id, 0, msg.length, 300);
  runMs(b, CRYPTO_LATENCY.verifyEcdsaMs);
  assert.equal(b.hal.crypto_poll(h), CRYPTO_OK);
  b.mem.fill(0xff, 200, 264);
  assert.equal(b.hal.crypto_key_import(200), CRYPTO_E_MALFORMED_KEY, 'all ones');
  b.mem.fill(0, 200, 264);
  assert.equal(b.hal.crypto_key_import(200), CRYPTO_E_MALFORMED_KEY, 'all zeros');
  b.mem.set(rawPublicKey(chip), 200);
  b.mem[263] ^= 1;
  assert.equal(b.hal.crypto_key_import(200), CRYPTO_E_MALFORMED_KEY, 'off the curve');
  assert.equal(b.hal.crypto_key_import(65536 - 63), CRYPTO_E_BAD_ARGUMENT, 'outside linear memory');
});

test('SHA-256 gives its digest a word at a time, big-endian, once finished', () => {
  const b = bench();
  const msg = Buffer.from('abc');
  b.mem.set(msg, 10);
  const h = b.hal.crypto_hash_start(10, 3);
  assert.equal(b.hal.crypto_output(h, 0), 0, 'nothing before it is finished');
  runMs(b, CRYPTO_LATENCY.hashMs);
  assert.equal(b.hal.crypto_poll(h), CRYPTO_OK);
  const words = Buffer.alloc(32);
  for (let i = 0; i < 8; i++) words.writeInt32BE(b.hal.crypto_output(h, i), i * 4);
  assert.deepEqual(words, createHash('sha256').update(msg).digest());
  assert.equal(b.hal.crypto_output(h, 8), 0);
  assert.equal(b.hal.crypto_hash_start(10, 257), CRYPTO_E_BAD_ARGUMENT, 'at most 256 bytes');
  assert.equal(b.hal.crypto_hash_start(65530, 10), CRYPTO_E_BAD_ARGUMENT);
});

test('at most four operations are open; cancel frees a slot, a reset frees them all', () => {
  const b = bench();
  const hs = [0, 1, 2, 3].map(() => b.hal.crypto_hash_start(0, 16));
  assert.ok(hs.every((h) => h > 0));
  assert.equal(b.hal.crypto_hash_start(0, 16), CRYPTO_E_BUSY);
  b.hal.crypto_cancel(hs[2]);
  assert.equal(b.hal.crypto_poll(hs[2]), CRYPTO_E_BAD_HANDLE, 'a cancelled handle is gone');
  const again = b.hal.crypto_hash_start(0, 16);
  assert.ok(again > 0 && !hs.includes(again), 'a new handle, never an old one');
  b.hal.crypto_cancel(12345); // ignored
  b.mem.set(rawPublicKey(p256KeyFromSeed('k')), 100);
  assert.ok(b.hal.crypto_key_import(100) >= KEY_ID_VOLATILE);
  b.hal = b.engine.imports() as unknown as Bench['hal']; // the module was reset
  assert.equal(b.engine.openOperations, 0);
  assert.equal(b.engine.importedKeys, 0);
  assert.equal(b.hal.crypto_poll(hs[0]), CRYPTO_E_BAD_HANDLE);
});

test('the simulator signs deterministically, and node:crypto verifies what it signs', () => {
  const k = p256KeyFromSeed('chip 7');
  assert.deepEqual(rawPublicKey(k), rawPublicKey(p256KeyFromSeed('chip 7')));
  const s1 = signP256(k, Buffer.from('m'));
  assert.deepEqual(s1, signP256(k, Buffer.from('m')));
  assert.ok(verifyP256(k, Buffer.from('m'), s1));
  assert.ok(!verifyP256(k, Buffer.from('n'), s1));
});

test('results kept for the next pen answer only what was asked: a changed signature, message or key still fails', () => {
  const k = p256KeyFromSeed('chip kept');
  const pub = publicKeyFromRaw(rawPublicKey(k))!;
  const other = publicKeyFromRaw(rawPublicKey(p256KeyFromSeed('another chip kept')))!;
  const msg = Buffer.from('a challenge the chip answered');
  const sig = signP256(k, msg);
  const sigBytes = Buffer.from(sig);
  for (let pass = 0; pass < 2; pass++) {
    // (twice: the second time every answer comes from the tables)
    assert.ok(verifyP256(pub, msg, sig));
    const flipped = Buffer.from(sig);
    flipped[40] ^= 1;
    assert.ok(!verifyP256(pub, msg, flipped), 'a changed signature');
    assert.ok(!verifyP256(pub, Buffer.from('a challenge the chip answered.'), sig), 'a changed message');
    assert.ok(!verifyP256(other, msg, sig), 'another key');
    assert.ok(!verifyP256(pub, msg, sig.subarray(0, 63)), 'a short signature');
    assert.equal(publicKeyFromRaw(Buffer.alloc(64, 7)), undefined, 'a point off the curve');
  }
  // a signature handed out is the caller's: changing it changes nothing kept
  const mine = signP256(k, msg);
  mine.fill(0);
  assert.deepEqual(signP256(k, msg), sigBytes);
});

test('random numbers pass the health tests, and a stuck source fails closed until the next boot', () => {
  const e = new Entropy(new Rng(1), new Rng(2));
  let hal = e.imports() as unknown as Record<string, () => bigint>;
  const words = Array.from({ length: 2000 }, () => hal.crypto_random());
  assert.ok(words.every((w) => w >= 0n && w <= 0xffffffffn));
  assert.ok(new Set(words).size > 1990);
  e.faults().rng_stuck!.inject();
  const after = Array.from({ length: 3 }, () => hal.crypto_random());
  assert.equal(after[2], BigInt(CRYPTO_E_RNG_HEALTH), 'the repetition count test trips within a few bytes');
  e.faults().rng_stuck!.clear();
  assert.equal(hal.crypto_random(), BigInt(CRYPTO_E_RNG_HEALTH), 'latched: no bits after a failure');
  hal = e.imports() as unknown as Record<string, () => bigint>;
  assert.ok(hal.crypto_random() >= 0n, 'a reset tests again, and a good source passes');
  e.faults().rng_stuck!.inject();
  hal = e.imports() as unknown as Record<string, () => bigint>;
  assert.equal(hal.crypto_random(), BigInt(CRYPTO_E_RNG_HEALTH), 'the start-up test catches a source stuck at boot');
});

test('the health tests: repetition count and adaptive proportion cutoffs as SP 800-90B computes them', () => {
  assert.equal(RCT_CUTOFF, 6); // 1 + ceil(20 / 4)
  assert.ok(APT_CUTOFF > 50 && APT_CUTOFF < 70, `${APT_CUTOFF}`);
  const t = new HealthTests();
  for (let i = 0; i < RCT_CUTOFF - 1; i++) assert.ok(t.sample(7));
  assert.ok(!t.sample(7));
  const a = new HealthTests();
  let ok = true;
  for (let i = 0; i < 512 && ok; i++) ok = a.sample(i % 8 === 0 ? 9 : i & 0xff); // a byte far too common
  assert.ok(!ok, 'the adaptive proportion test trips');
});
