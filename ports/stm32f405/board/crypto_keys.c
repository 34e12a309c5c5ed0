/* crypto_keys.h. OTP is byte-addressable flash: read byte by byte into the caller's buffer. */
#include <string.h>
#include "crypto_keys.h"
#include "otp_layout.h"
#include "pen_abi.h"

int32_t crypto_key_read(uint32_t id, uint8_t *out, uint32_t *len) {
  uint32_t block = id == KEY_ID_CARTRIDGE_MAKER ? OTP_BLOCK_CARTRIDGE_MAKER
                   : id == KEY_ID_LICENCE_MAKER ? OTP_BLOCK_LICENCE_MAKER
                                                : 99u;
  *len = 64u;
  memset(out, 0, 64);
  if (block == 99u) return CRYPTO_E_NO_KEY;
  const volatile uint8_t *otp = (const volatile uint8_t *)OTP_ADDR(block);
  uint32_t ones = 0, zeros = 0;
  for (uint32_t i = 0; i < *len; i++) {
    out[i] = otp[i];
    ones += out[i] == 0xFF;
    zeros += out[i] == 0;
  }
  int32_t r = ones == *len ? CRYPTO_E_UNPROVISIONED : zeros == *len ? CRYPTO_E_ZERO_KEY : CRYPTO_OK;
  if (r != CRYPTO_OK) memset(out, 0, 64);
  return r;
}
