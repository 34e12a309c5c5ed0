// Clinic licences and answers as the maker and a clinic's tool make them (docs/security.md): the maker
// signs a licence binding a clinic's P-256 public key to a licence serial, an expiry and optionally pen
// serials; the clinic signs each challenge with the pen's serial. The layout is the dictionary's
// (abi/pen-abi.ts LICENCE), the one the firmware reads.
import { KeyObject } from 'node:crypto';
import { CHALLENGE_BYTES, CRYPTO_KEYS, LICENCE, LICENCE_FORMAT } from '../../abi/pen-abi.js';
import { P256_PUBLIC_BYTES, publicKeyFromRaw, rawPublicKey, signP256, verifyP256 } from '../../host-sim/keys.js';

export const KEY_ID_LICENCE_MAKER = CRYPTO_KEYS.find((k) => k.name === 'licence_maker')!.code;
/** bytes per AUTH LICENCE or AUTH ANSWER line (64 hex digits: the line stays under 95 bytes) */
export const PIECE_BYTES = 32;

export interface LicenceFields {
  serial: number;
  /** s since 1970 UTC; 0 = no expiry */
  expiryS: number;
  /** at most LICENCE.penSlots pen serials; none = any pen */
  pens: number[];
  /** the clinic's public key, 64 bytes X||Y */
  clinicPublic: Buffer;
  /** the maker key ID it names (default licence_maker) */
  keyId?: number;
  /** format byte (default LICENCE_FORMAT) */
  format?: number;
}

export class LicenceError extends Error {}

/** The signed part of a licence. */
export function licenceBody(f: LicenceFields): Buffer {
  if (!Number.isInteger(f.serial) || f.serial <= 0 || f.serial > 0xffffffff)
    throw new LicenceError(`licence serial ${f.serial} is not in 1..4294967295`);
  if (!Number.isInteger(f.expiryS) || f.expiryS < 0 || f.expiryS > 0xffffffff)
    throw new LicenceError(`expiry ${f.expiryS} is not a time in s since 1970 (0 for none)`);
  if (f.pens.length > LICENCE.penSlots)
    throw new LicenceError(`a licence names at most ${LICENCE.penSlots} pens, not ${f.pens.length}`);
  if (f.clinicPublic.length !== P256_PUBLIC_BYTES)
    throw new LicenceError(`the clinic key must be 64 bytes X||Y, not ${f.clinicPublic.length}`);
  const b = Buffer.alloc(LICENCE.signature);
  b[LICENCE.format] = f.format ?? LICENCE_FORMAT;
  b[LICENCE.keyId] = f.keyId ?? KEY_ID_LICENCE_MAKER;
  b.writeUInt32BE(f.serial, LICENCE.serial);
  b.writeUInt32BE(f.expiryS, LICENCE.expiry);
  f.pens.forEach((p, i) => {
    if (!Number.isInteger(p) || p <= 0 || p >= 0xffffffff) throw new LicenceError(`pen serial ${p} is not valid`);
    b.writeUInt32BE(p, LICENCE.pens + 4 * i);
  });
  f.clinicPublic.copy(b, LICENCE.clinicKey);
  return b;
}

/** A licence signed with the maker's licence key. */
export function issueLicence(f: LicenceFields, makerKey: KeyObject): Buffer {
  const body = licenceBody(f);
  return Buffer.concat([body, signP256(makerKey, body)]);
}

/** The fields of a licence (whatever its signature), or an error naming what is wrong with its form. */
export function readLicence(b: Buffer): LicenceFields & { signature: Buffer } {
  if (b.length !== LICENCE.bytes) throw new LicenceError(`a licence is ${LICENCE.bytes} bytes, this one ${b.length}`);
  const pens: number[] = [];
  for (let i = 0; i < LICENCE.penSlots; i++) {
    const p = b.readUInt32BE(LICENCE.pens + 4 * i);
    if (p) pens.push(p);
  }
  return {
    format: b[LICENCE.format],
    keyId: b[LICENCE.keyId],
    serial: b.readUInt32BE(LICENCE.serial),
    expiryS: b.readUInt32BE(LICENCE.expiry),
    pens,
    clinicPublic: Buffer.from(b.subarray(LICENCE.clinicKey, LICENCE.clinicKey + P256_PUBLIC_BYTES)),
    signature: Buffer.from(b.subarray(LICENCE.signature)),
  };
}

/** Whether the maker's signature on the licence verifies with `makerPublic`. */
export function licenceSignedBy(b: Buffer, makerPublic: KeyObject): boolean {
  return (
    b.length === LICENCE.bytes &&
    verifyP256(makerPublic, b.subarray(0, LICENCE.signature), b.subarray(LICENCE.signature))
  );
}

/** What the clinic signs: the challenge and the pen's serial (4 bytes, big-endian). */
export function answerMessage(challengeHex: string, penSerial: number): Buffer {
  const c = Buffer.from(challengeHex, 'hex');
  if (c.length !== CHALLENGE_BYTES || !/^[0-9a-fA-F]+$/.test(challengeHex))
    throw new LicenceError(`a challenge is ${CHALLENGE_BYTES * 2} hex digits`);
  const s = Buffer.alloc(4);
  s.writeUInt32BE(penSerial >>> 0);
  return Buffer.concat([c, s]);
}

/** The clinic's answer: its ECDSA P-256 signature (64 bytes r||s) over the challenge and the pen's serial. */
export function answerChallenge(challengeHex: string, penSerial: number, clinicKey: KeyObject): Buffer {
  if (clinicKey.type !== 'private') throw new LicenceError('the answer needs the clinic private key');
  return signP256(clinicKey, answerMessage(challengeHex, penSerial));
}

/** The lines that carry `bytes` to the pen, PIECE_BYTES a line: `AUTH <what> <offset> <hex>`. */
export function authLines(what: 'LICENCE' | 'ANSWER', bytes: Buffer): string[] {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += PIECE_BYTES)
    lines.push(`AUTH ${what} ${at} ${bytes.subarray(at, at + PIECE_BYTES).toString('hex')}`);
  return lines;
}

/** The challenge and the pen's serial in a reply to AUTH?, or undefined when it is not one. */
export function parseChallenge(reply: string): { challengeHex: string; penSerial: number } | undefined {
  const m = /^CHALLENGE ([0-9a-f]{32}) pen=(\d+)$/.exec(reply);
  return m ? { challengeHex: m[1], penSerial: Number(m[2]) } : undefined;
}

/** The clinic public key of a private key, as a licence carries it. */
export function clinicPublicOf(k: KeyObject): Buffer {
  return rawPublicKey(k);
}

/** A 64-byte clinic key from a licence back as a key object (undefined when not a P-256 point). */
export function clinicKeyFromLicence(b: Buffer): KeyObject | undefined {
  return publicKeyFromRaw(readLicence(b).clinicPublic);
}
