/* crypto_keys.h. Reads OTP byte by byte (it is byte-addressable flash) into the caller's buffer. */
#include <string.h>
#include "crypto_keys.h"

#ifdef BOARD_EMULATED
#define KEYS_BASE 0x080E0000u /* sector 11 of the flash image: OTP's layout, for QEMU */
#else
#define KEYS_BASE 0x1FFF7800u
#endif
#define BLOCK_BYTES 32u
#define FIRST_BLOCK 2u

uint32_t crypto_key_check(const uint8_t *key) {
  uint32_t ones = 0, zeros = 0;
  for (uint32_t i = 0; i < 64; i++) ones += key[i] == 0xFF, zeros += key[i] == 0;
  return ones == 64 ? CRYPTO_KEY_UNPROVISIONED : zeros == 64 ? CRYPTO_KEY_ZERO : CRYPTO_KEY_OK;
}

uint32_t crypto_key_public(uint32_t id, uint8_t *out) {
  if (id >= CRYPTO_KEY_COUNT) {
    memset(out, 0, 64);
    return CRYPTO_KEY_UNKNOWN;
  }
  const volatile uint8_t *otp = (const volatile uint8_t *)(KEYS_BASE + (FIRST_BLOCK + 2u * id) * BLOCK_BYTES);
  for (uint32_t i = 0; i < 64; i++) out[i] = otp[i];
  uint32_t r = crypto_key_check(out);
  if (r != CRYPTO_KEY_OK) memset(out, 0, 64);
  return r;
}
