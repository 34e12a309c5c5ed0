/* The keys the HAL holds, by the ABI's key ID (pen_abi.h KEY_ID_*), from OTP (RM0090 3.8: 16 blocks of
 * 32 bytes at 0x1FFF7800, programmed once at provisioning and locked):
 *   block 0      KEY_ID_CLINIC_MAC: the clinic's HMAC-SHA-256 secret, 32 bytes (ABI 3's `clinic` key)
 *   block 1      ABI 3's cartridge secret (key_word only)
 *   blocks 2-3   KEY_ID_CARTRIDGE_MAKER: P-256 public key, x || y, 64 bytes big-endian
 *   blocks 4-5   KEY_ID_LICENCE_MAKER: the same
 *   blocks 14-15 the bootloader's security counter
 * The emulated build (QEMU maps no OTP) reads the same layout from the first 512 bytes of flash sector
 * 11 (0x080E0000) of its flash image. A key's bytes go from OTP into the HAL's own buffers only, never
 * into the module's memory. */
#ifndef CRYPTO_KEYS_H
#define CRYPTO_KEYS_H
#include <stdint.h>

/* Copies key `id` into out (64 bytes of room) and sets *len (64 for a P-256 point, 32 for a MAC secret):
 * CRYPTO_OK, or CRYPTO_E_NO_KEY, CRYPTO_E_UNPROVISIONED (all ones), CRYPTO_E_ZERO_KEY (all zeros);
 * out is zeroed when refused. Whether a point is on the curve is the caller's check. */
int32_t crypto_key_read(uint32_t id, uint8_t *out, uint32_t *len);
#endif
