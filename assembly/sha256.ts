// HMAC-SHA256 over a short message (at most 55 bytes) with a 32-byte key, a fifth of a SHA-256 block
// per call of hmacStep() (loading the block, or 16 of the 64 rounds), so that the control tick
// that runs it stays within its instruction budget: a whole HMAC takes 20 ticks.
// Used for the professional-mode challenge and the cartridge authenticity tag.

import { staticArray, STATIC_HEADER_BYTES } from "./statics";
import { noteHeavyWork } from "./budget";

const K: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
];
const IV: StaticArray<u32> = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

export const HMAC_MAX_MESSAGE: i32 = 55;

/** The key (32 bytes; shorter keys are zero-padded), the message and the result. */
export const hmacKey: StaticArray<u8> = staticArray<u8>(memory.data(STATIC_HEADER_BYTES + 32, 16), 32);
export const hmacMessage: StaticArray<u8> = staticArray<u8>(
  memory.data(STATIC_HEADER_BYTES + HMAC_MAX_MESSAGE, 16),
  HMAC_MAX_MESSAGE,
);
export const hmacResult: StaticArray<u8> = staticArray<u8>(memory.data(STATIC_HEADER_BYTES + 32, 16), 32);

const h: StaticArray<u32> = staticArray<u32>(memory.data(STATIC_HEADER_BYTES + 8 * 4, 16), 8);
const w: StaticArray<u32> = staticArray<u32>(memory.data(STATIC_HEADER_BYTES + 64 * 4, 16), 64);
const inner: StaticArray<u8> = staticArray<u8>(memory.data(STATIC_HEADER_BYTES + 32, 16), 32);
const BLOCK: usize = memory.data(64);
let messageLen: i32 = 0;
let stage: i32 = -1; // next block: 0 ipad, 1 message, 2 opad, 3 inner digest; -1 idle
let part: i32 = 0; // of that block: 0 load, 1..4 sixteen rounds each
let owner: i32 = 0; // who started the job (the engine is shared: cartridge check, authentication)
// working variables between the parts of a block
let va: u32 = 0,
  vb: u32 = 0,
  vc: u32 = 0,
  vd: u32 = 0,
  ve: u32 = 0,
  vf: u32 = 0,
  vg: u32 = 0,
  vh: u32 = 0;

/** Start HMAC(hmacKey, hmacMessage[0..len)) for `who` (non-zero); false if the message is too long. */
export function hmacStart(len: i32, who: i32 = 1): bool {
  if (len < 0 || len > HMAC_MAX_MESSAGE) return false;
  messageLen = len;
  stage = 0;
  part = 0;
  owner = who;
  return true;
}

export function hmacBusy(): bool {
  return stage >= 0;
}

/** Who started the job under way or last finished. */
export function hmacOwner(): i32 {
  return owner;
}

/** Does a fifth of a SHA-256 block; returns true when hmacResult is ready. */
export function hmacStep(): bool {
  if (stage < 0) return true;
  noteHeavyWork();
  if (part == 0) {
    // the key block (the key, zeros, each byte xor the pad), then the message's or the inner digest's final block
    if (stage == 0 || stage == 2) memory.copy(changetype<usize>(h), changetype<usize>(IV), 32);
    if (stage == 0) loadBlock(hmacKey, 32, 0x36363636);
    else if (stage == 1) loadBlock(hmacMessage, messageLen, 0);
    else if (stage == 2) loadBlock(hmacKey, 32, 0x5c5c5c5c);
    else loadBlock(inner, 32, 0);
    va = unchecked(h[0]);
    vb = unchecked(h[1]);
    vc = unchecked(h[2]);
    vd = unchecked(h[3]);
    ve = unchecked(h[4]);
    vf = unchecked(h[5]);
    vg = unchecked(h[6]);
    vh = unchecked(h[7]);
  } else {
    rounds((part - 1) << 4);
  }
  if (++part < 5) return false;
  part = 0;
  unchecked((h[0] += va));
  unchecked((h[1] += vb));
  unchecked((h[2] += vc));
  unchecked((h[3] += vd));
  unchecked((h[4] += ve));
  unchecked((h[5] += vf));
  unchecked((h[6] += vg));
  unchecked((h[7] += vh));
  if (stage == 1) digestTo(inner);
  if (stage == 3) {
    digestTo(hmacResult);
    stage = -1;
    return true;
  }
  stage++;
  return false;
}

/** Runs the whole HMAC at once (tests, start-up). */
export function hmacRun(len: i32): bool {
  if (!hmacStart(len)) return false;
  while (!hmacStep()) {}
  return true;
}

/**
 * The block to compress: `len` bytes of `src`, zeros, each word xor `pad`; with no pad it is a final
 * block: 0x80 after the bytes and the bit length of 64 + len bytes (one key block before) at the end.
 */
function loadBlock(src: StaticArray<u8>, len: i32, pad: u32): void {
  memory.fill(BLOCK, 0, 64);
  memory.copy(BLOCK, changetype<usize>(src), <usize>len);
  if (pad == 0) store<u8>(BLOCK + <usize>len, 0x80);
  for (let i = 0; i < 16; i++) unchecked((w[i] = bswap<u32>(load<u32>(BLOCK + ((<usize>i) << 2))) ^ pad));
  if (pad == 0) unchecked((w[15] = <u32>((64 + len) * 8)));
}

// Every index below is a loop counter within 0..63: the arrays are read unchecked.
function rounds(from: i32): void {
  let a = va,
    b = vb,
    c = vc,
    d = vd,
    e = ve,
    f = vf,
    g = vg,
    hh = vh;
  for (let i = from; i < from + 16; i++) {
    if (i >= 16) {
      // the message schedule, expanded as the rounds need it
      const x = unchecked(w[i - 15]);
      const y = unchecked(w[i - 2]);
      const s0 = rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >>> 3);
      const s1 = rotr<u32>(y, 17) ^ rotr<u32>(y, 19) ^ (y >>> 10);
      unchecked((w[i] = w[i - 16] + s0 + w[i - 7] + s1));
    }
    const t1 =
      hh +
      (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) +
      ((e & f) ^ (~e & g)) +
      unchecked(K[i]) +
      unchecked(w[i]);
    const t2 = (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  va = a;
  vb = b;
  vc = c;
  vd = d;
  ve = e;
  vf = f;
  vg = g;
  vh = hh;
}

function digestTo(out: StaticArray<u8>): void {
  for (let i = 0; i < 8; i++) store<u32>(changetype<usize>(out) + ((<usize>i) << 2), bswap<u32>(unchecked(h[i])));
}

/** Compares the first n bytes in constant time. */
export function equalBytes(a: StaticArray<u8>, b: StaticArray<u8>, n: i32): bool {
  let diff: u32 = 0;
  for (let i = 0; i < n; i++) diff |= <u32>(a[i] ^ b[i]); // n is the caller's: checked
  return diff == 0;
}
