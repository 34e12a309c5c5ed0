/* crypto_keys.h. OTP is byte-addressable flash: read byte by byte into the caller's buffer. */
#include <string.h>
#include "crypto_keys.h"
#include "pen_abi.h"

#if defined(CRYPTO_KEYS_HOST_TEST) /* ports/stm32f405/test/crypto_hal_host.c: an array stands in for OTP */
#include <stdint.h>
extern const uint8_t crypto_keys_test_otp[];
#define KEYS_BASE ((uintptr_t)crypto_keys_test_otp)
#elif defined(BOARD_EMULATED)
#define KEYS_BASE 0x080E0000u /* sector 11 of the flash image: OTP's layout, for QEMU */
#else
#define KEYS_BASE 0x1FFF7800u
#endif
#define BLOCK_BYTES 32u

int32_t crypto_key_read(uint32_t id, uint8_t *out, uint32_t *len) {
  uint32_t block = id == KEY_ID_CLINIC_MAC        ? 0u
                   : id == KEY_ID_CARTRIDGE_MAKER ? 2u
                   : id == KEY_ID_LICENCE_MAKER   ? 4u
                                                  : 99u;
  *len = id == KEY_ID_CLINIC_MAC ? 32u : 64u;
  memset(out, 0, 64);
  if (block == 99u) return CRYPTO_E_NO_KEY;
  const volatile uint8_t *otp = (const volatile uint8_t *)(KEYS_BASE + block * BLOCK_BYTES);
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
