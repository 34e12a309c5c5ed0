/* The keys the HAL holds, by the ABI's key ID (pen_abi.h KEY_ID_*), from OTP (otp_layout.h): the maker's
 * P-256 public keys. A key's bytes go from OTP into the HAL's own buffers only, never into the module's
 * memory. */
#ifndef CRYPTO_KEYS_H
#define CRYPTO_KEYS_H
#include <stdint.h>

/* Copies key `id` into out (64 bytes of room) and sets *len (64: a P-256 point):
 * CRYPTO_OK, or CRYPTO_E_NO_KEY, CRYPTO_E_UNPROVISIONED (all ones), CRYPTO_E_ZERO_KEY (all zeros);
 * out is zeroed when refused. Whether a point is on the curve is the caller's check. */
int32_t crypto_key_read(uint32_t id, uint8_t *out, uint32_t *len);
#endif
