// Loads a provisioned secret into the HMAC engine's key (key_word gives bytes 4i..4i+3, big-endian).
import { key_word } from "./hal";
import { hmacKey } from "./sha256";

export function loadHmacKey(key: i32): void {
  for (let i = 0; i < 8; i++)
    store<u32>(changetype<usize>(hmacKey) + ((<usize>i) << 2), bswap<u32>(<u32>key_word(key, i)));
}
