// Loads a provisioned secret into the HMAC engine's key (key_word gives bytes 4i..4i+3, big-endian).
import { key_word } from "./hal";
import { hmacKey } from "./sha256";

export function loadHmacKey(key: i32): void {
  for (let i = 0; i < 8; i++) {
    const k = key_word(key, i);
    hmacKey[4 * i] = <u8>(k >>> 24);
    hmacKey[4 * i + 1] = <u8>(k >>> 16);
    hmacKey[4 * i + 2] = <u8>(k >>> 8);
    hmacKey[4 * i + 3] = <u8>k;
  }
}
