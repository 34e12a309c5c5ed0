// The firmware's side of the crypto HAL (docs/hal-abi.md "Crypto"): keys stay in the HAL and are
// named by ID, checks run asynchronously (start, poll once a tick, cancel), random bytes come from
// the health-tested generator or not at all. Every job that holds a handle or an imported key gives
// it back through here when it ends, however it ends.
import { checkedSet } from "./statics";
import { crypto_cancel, crypto_key_destroy, crypto_random } from "./hal";
import { KEY_ID_VOLATILE } from "./abi";

/** Fill `n` bytes of `buf` from the health-tested RNG; false (and `buf` useless) when it has failed. */
export function randomBytes(buf: StaticArray<u8>, n: i32): bool {
  for (let i = 0; i < n; i += 4) {
    const r = crypto_random();
    if (r < 0) return false; // fails closed: no challenge from a failed source
    const w = <u32>r;
    for (let k = 0; k < 4 && i + k < n; k++) checkedSet(buf, i + k, <u8>(w >>> ((<u32>k) << 3)));
  }
  return true;
}

/** Cancel (or free) operation `handle` if there is one; returns 0, the "no handle" value. */
export function endOperation(handle: i32): i32 {
  if (handle > 0) crypto_cancel(handle);
  return 0;
}

/** Destroy an imported key if there is one; returns 0, the "no key" value. */
export function dropKey(keyId: i32): i32 {
  if (keyId >= KEY_ID_VOLATILE) crypto_key_destroy(keyId);
  return 0;
}

/** Byte address of a buffer's element `at`, for a HAL call that reads memory. */
export function addressOf(buf: StaticArray<u8>, at: i32): i32 {
  return <i32>changetype<usize>(buf) + at;
}
