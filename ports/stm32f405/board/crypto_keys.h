/* The makers' P-256 public keys, by ID, from OTP (RM0090 3.8: 16 blocks of 32 bytes at 0x1FFF7800).
 * Key k (x || y, 64 bytes, big-endian) is blocks 2 + 2k and 3 + 2k, for k < CRYPTO_KEY_COUNT; blocks
 * 0-1 hold the symmetric keys of HAL ABI 3, blocks 14-15 the bootloader's security counter. The
 * emulated build (QEMU maps no OTP) reads the same layout from the first 512 bytes of flash sector 11
 * (0x080E0000) of the flash image. Keys go from OTP into the engine's buffer, never into the module. */
#ifndef CRYPTO_KEYS_H
#define CRYPTO_KEYS_H
#include <stdint.h>

#define CRYPTO_KEY_COUNT 6u

enum {
  CRYPTO_KEY_OK = 0,
  CRYPTO_KEY_UNKNOWN = 1,       /* no such key ID */
  CRYPTO_KEY_UNPROVISIONED = 2, /* every byte 0xFF: OTP never programmed */
  CRYPTO_KEY_ZERO = 3,          /* every byte 0 */
};

/* Copies key `id` into out[0..64) and returns CRYPTO_KEY_OK, or a refusal (out is then zeroed). */
uint32_t crypto_key_public(uint32_t id, uint8_t *out);
/* The same refusals for a key given by value (such as one the module names in its memory). */
uint32_t crypto_key_check(const uint8_t *key);
#endif
