// Keys of the simulated world: what a pen holds (by reference, in its HAL), what the maker holds (to
// certify cartridge chips and sign licences), and the P-256 arithmetic the simulator needs around them.
// Every key here is a development or test key: public knowledge, so a real pen must never carry one.
import { createECDH, createHash, createHmac, createPrivateKey, createPublicKey, KeyObject, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../boards/paths.js';

/** The maker's development key that certifies cartridge chips (keys/README.md): proves nothing. */
export const DEV_CARTRIDGE_MAKER_KEY_PATH = join(REPO_ROOT, 'keys', 'dev-cartridge-maker.DEVELOPMENT-ONLY.pem');
/** The maker's development key that signs clinic licences (keys/README.md): proves nothing. */
export const DEV_LICENCE_MAKER_KEY_PATH = join(REPO_ROOT, 'keys', 'dev-licence-maker.DEVELOPMENT-ONLY.pem');

/** Raw P-256 key sizes: a public key X||Y, a private scalar, a signature r||s. */
export const P256_PUBLIC_BYTES = 64;
export const P256_PRIVATE_BYTES = 32;
export const P256_SIGNATURE_BYTES = 64;

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const cache = new Map<string, KeyObject>();

// The functions below are pure, and a QA or campaign run makes hundreds of pens with the same chips,
// keys and signatures: each result is kept for the next pen that asks the same (node's key import and
// P-256 arithmetic were an eighth of a QA run). Bounded: a full table is dropped whole.
const MEMO_MAX = 4096;
function memo<V>(table: Map<string, V>, key: string, make: () => V): V {
  if (table.has(key)) return table.get(key)!;
  const v = make();
  if (table.size >= MEMO_MAX) table.clear();
  table.set(key, v);
  return v;
}
/** the same for results that belong to one key object (its tables go with it) */
function memoFor<V>(tables: WeakMap<KeyObject, Map<string, V>>, k: KeyObject, key: string, make: () => V): V {
  let table = tables.get(k);
  if (!table) tables.set(k, (table = new Map()));
  return memo(table, key, make);
}
const publicKeys = new Map<string, KeyObject | undefined>();
const seededKeys = new Map<string, KeyObject>();
const signatures = new WeakMap<KeyObject, Map<string, Buffer>>();
const verdicts = new WeakMap<KeyObject, Map<string, boolean>>();
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
/** a message's table key: its digest, so that a table of signed images stays small */
const digestOf = (...parts: Uint8Array[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('base64');
};

/** A PEM private key from a file, read once. */
export function loadPrivateKey(path: string): KeyObject {
  let k = cache.get(path);
  if (!k) {
    k = createPrivateKey(readFileSync(path, 'utf8'));
    if (k.asymmetricKeyType !== 'ec' || k.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
      throw new Error(`${path}: not an ECDSA P-256 private key`);
    cache.set(path, k);
  }
  return k;
}

export function devCartridgeMakerKey(): KeyObject {
  return loadPrivateKey(DEV_CARTRIDGE_MAKER_KEY_PATH);
}

export function devLicenceMakerKey(): KeyObject {
  return loadPrivateKey(DEV_LICENCE_MAKER_KEY_PATH);
}

/** A P-256 public key (or the public half of a private one) as the HAL takes it: 64 bytes X||Y. */
export function rawPublicKey(k: KeyObject): Buffer {
  const jwk = (k.type === 'private' ? createPublicKey(k) : k).export({ format: 'jwk' });
  return Buffer.concat([Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
}

/** The private scalar d of a P-256 key (32 bytes): what must never be found in the module's memory. */
export function privateScalar(k: KeyObject): Buffer {
  return Buffer.from(k.export({ format: 'jwk' }).d!, 'base64url');
}

/** The public key for 64 raw bytes X||Y, or undefined when they are not a point on the curve. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject | undefined {
  if (raw.length !== P256_PUBLIC_BYTES) return undefined;
  return memo(publicKeys, hex(raw), () => importPublicKey(raw));
}

function importPublicKey(raw: Uint8Array): KeyObject | undefined {
  const b = Buffer.from(raw);
  try {
    const x = b.subarray(0, 32).toString('base64url');
    const y = b.subarray(32).toString('base64url');
    return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x, y }, format: 'jwk' });
  } catch {
    return undefined; // node checks that the point is on the curve
  }
}

/** A P-256 private key derived from `label`: the same label gives the same key (a seed is a run). */
export function p256KeyFromSeed(label: string): KeyObject {
  return memo(seededKeys, label, () => deriveKey(label));
}

function deriveKey(label: string): KeyObject {
  for (let i = 0; ; i++) {
    const d = createHash('sha256').update(`${label}/${i}`).digest();
    const dn = BigInt('0x' + d.toString('hex'));
    if (dn === 0n || dn >= N) continue; // about 2^-32 of the draws
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    const pub = ecdh.getPublicKey(); // 0x04 || X || Y
    const b64 = (b: Buffer): string => b.toString('base64url');
    return createPrivateKey({
      key: { kty: 'EC', crv: 'P-256', d: b64(d), x: b64(pub.subarray(1, 33)), y: b64(pub.subarray(33)) },
      format: 'jwk',
    });
  }
}

/**
 * ECDSA P-256 / SHA-256 signature (64 bytes r||s) with a nonce derived from the key and the message, so
 * the same chip and challenge always give the same bytes (node:crypto's signatures are randomized).
 */
export function signP256(priv: KeyObject, msg: Uint8Array): Buffer {
  return Buffer.from(memoFor(signatures, priv, digestOf(msg), () => sign(priv, msg)));
}

function sign(priv: KeyObject, msg: Uint8Array): Buffer {
  const d = privateScalar(priv);
  const dn = big(d);
  const h = createHash('sha256').update(msg).digest();
  const z = big(h) % N;
  for (let i = 0; ; i++) {
    const kb = createHmac('sha256', d)
      .update(h)
      .update(Buffer.from([i]))
      .digest();
    const k = big(kb) % N;
    if (k === 0n) continue;
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(bytes32(k));
    const r = big(ecdh.getPublicKey().subarray(1, 33)) % N;
    const s = (modInverse(k, N) * ((z + r * dn) % N)) % N;
    if (r === 0n || s === 0n) continue;
    return Buffer.concat([bytes32(r), bytes32(s)]);
  }
}

/** Whether `sig` (64 bytes r||s) is a valid ECDSA P-256 / SHA-256 signature of `msg` by `pub`. */
export function verifyP256(pub: KeyObject, msg: Uint8Array, sig: Uint8Array): boolean {
  if (sig.length !== P256_SIGNATURE_BYTES) return false;
  return memoFor(verdicts, pub, digestOf(msg, sig), () => verifyOnce(pub, msg, sig));
}

function verifyOnce(pub: KeyObject, msg: Uint8Array, sig: Uint8Array): boolean {
  try {
    return verify('sha256', msg, { key: pub, dsaEncoding: 'ieee-p1363' }, sig);
  } catch {
    return false;
  }
}

function big(b: Uint8Array): bigint {
  return BigInt('0x' + (Buffer.from(b).toString('hex') || '0'));
}

function bytes32(v: bigint): Buffer {
  return Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [a % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}
