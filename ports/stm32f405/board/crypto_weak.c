/* Fail-closed stand-ins for the crypto HAL imports (docs/hal-abi.md "Crypto"), weak so that the board's
 * real crypto engine replaces them where it is linked in: until then every key reads as unprovisioned,
 * no operation starts and no random bits are given, so the firmware refuses rather than skips. */
#include <stdint.h>
#include "firmware.h"
#include "pen_abi.h"

#define H struct Z_hal_instance_t *h
#define WEAK __attribute__((weak))

WEAK u32 Z_halZ_crypto_key_status(H, u32 key_id) {
  (void)h, (void)key_id;
  return (u32)CRYPTO_E_UNPROVISIONED;
}
WEAK u32 Z_halZ_crypto_key_import(H, u32 pub_ptr) {
  (void)h, (void)pub_ptr;
  return (u32)CRYPTO_E_BUSY;
}
WEAK void Z_halZ_crypto_key_destroy(H, u32 key_id) { (void)h, (void)key_id; }
WEAK u32 Z_halZ_crypto_hash_start(H, u32 msg_ptr, u32 msg_len) {
  (void)h, (void)msg_ptr, (void)msg_len;
  return (u32)CRYPTO_E_BUSY;
}
WEAK u32 Z_halZ_crypto_verify_start(H, u32 key_id, u32 msg_ptr, u32 msg_len, u32 sig_ptr) {
  (void)h, (void)key_id, (void)msg_ptr, (void)msg_len, (void)sig_ptr;
  return (u32)CRYPTO_E_UNPROVISIONED;
}
WEAK u32 Z_halZ_crypto_poll(H, u32 handle) {
  (void)h, (void)handle;
  return (u32)CRYPTO_E_BAD_HANDLE;
}
WEAK u32 Z_halZ_crypto_output(H, u32 handle, u32 index) {
  (void)h, (void)handle, (void)index;
  return 0;
}
WEAK void Z_halZ_crypto_cancel(H, u32 handle) { (void)h, (void)handle; }
WEAK u64 Z_halZ_crypto_random(H) {
  (void)h;
  return (u64)(int64_t)CRYPTO_E_RNG_HEALTH;
}
