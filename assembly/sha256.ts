// HMAC-SHA256 over a short message (at most 55 bytes) with a 32-byte key, one SHA-256 block per
// call of hmacStep(), so no control tick does more than one compression (about 3,000 instructions).
// Used for the professional-mode challenge and the cartridge authenticity tag.

const K: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
const IV: StaticArray<u32> = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

export const HMAC_MAX_MESSAGE: i32 = 55;

/** The key (32 bytes; shorter keys are zero-padded), the message and the result. */
export const hmacKey = new StaticArray<u8>(32);
export const hmacMessage = new StaticArray<u8>(HMAC_MAX_MESSAGE);
export const hmacResult = new StaticArray<u8>(32);

const h = new StaticArray<u32>(8);
const w = new StaticArray<u32>(64);
const inner = new StaticArray<u8>(32);
let messageLen: i32 = 0;
let stage: i32 = -1; // next block: 0 ipad, 1 message, 2 opad, 3 inner digest; -1 idle
let owner: i32 = 0;  // who started the job (the engine is shared: cartridge check, authentication)

/** Start HMAC(hmacKey, hmacMessage[0..len)) for `who` (non-zero); false if the message is too long. */
export function hmacStart(len: i32, who: i32 = 1): bool {
  if (len < 0 || len > HMAC_MAX_MESSAGE) return false;
  messageLen = len;
  stage = 0;
  owner = who;
  return true;
}

export function hmacBusy(): bool { return stage >= 0; }

/** Who started the job under way or last finished. */
export function hmacOwner(): i32 { return owner; }

/** Does one SHA-256 block; returns true when hmacResult is ready. */
export function hmacStep(): bool {
  if (stage < 0) return true;
  if (stage == 0 || stage == 2) {
    for (let i = 0; i < 8; i++) h[i] = IV[i];
    const pad: u8 = stage == 0 ? 0x36 : 0x5c;
    // the key fills the first 32 bytes of the 64-byte block; the rest is zero before the pad
    for (let i = 0; i < 16; i++) {
      let v: u32 = 0;
      for (let j = 0; j < 4; j++) {
        const k = 4 * i + j;
        v = (v << 8) | <u32>((k < 32 ? hmacKey[k] : <u8>0) ^ pad);
      }
      w[i] = v;
    }
  } else if (stage == 1) {
    loadFinalBlock(hmacMessage, messageLen);
  } else {
    loadFinalBlock(inner, 32);
  }
  compress();
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

/** A final block: the bytes, 0x80, zeros, and the bit length of 64 + len bytes (one key block before). */
function loadFinalBlock(src: StaticArray<u8>, len: i32): void {
  for (let i = 0; i < 16; i++) {
    let v: u32 = 0;
    for (let j = 0; j < 4; j++) {
      const k = 4 * i + j;
      const b: u32 = k < len ? <u32>src[k] : k == len ? 0x80 : 0;
      v = (v << 8) | b;
    }
    w[i] = v;
  }
  w[15] = <u32>((64 + len) * 8);
}

function compress(): void {
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15];
    const b = w[i - 2];
    const s0 = rotr<u32>(a, 7) ^ rotr<u32>(a, 18) ^ (a >>> 3);
    const s1 = rotr<u32>(b, 17) ^ rotr<u32>(b, 19) ^ (b >>> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (let i = 0; i < 64; i++) {
    const t1 = hh + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
    const t2 = (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

function digestTo(out: StaticArray<u8>): void {
  for (let i = 0; i < 8; i++) {
    out[4 * i] = <u8>(h[i] >>> 24);
    out[4 * i + 1] = <u8>(h[i] >>> 16);
    out[4 * i + 2] = <u8>(h[i] >>> 8);
    out[4 * i + 3] = <u8>h[i];
  }
}

/** Compares the first n bytes in constant time. */
export function equalBytes(a: StaticArray<u8>, b: StaticArray<u8>, n: i32): bool {
  let diff: u32 = 0;
  for (let i = 0; i < n; i++) diff |= <u32>(a[i] ^ b[i]);
  return diff == 0;
}
