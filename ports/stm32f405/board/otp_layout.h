/* What the maker writes into the STM32F405's OTP area at provisioning (RM0090 3.8: 16 blocks of 32 bytes
 * at 0x1FFF7800, each programmed once and then locked; an unwritten byte reads 0xFF). The pen holds no
 * secret here: public keys that verify, and its serial number.
 *   blocks 0-1   KEY_ID_CARTRIDGE_MAKER: the maker's P-256 public key, x || y, 64 bytes big-endian
 *   blocks 2-3   KEY_ID_LICENCE_MAKER: the same, for clinic licences
 *   block 4      the pen's serial number (HAL device_serial), 4 bytes big-endian
 *   blocks 14-15 the bootloader's security counter (boot/boot_layout.h)
 * The emulated build (QEMU maps no OTP) reads the same layout from the first 512 bytes of flash sector 11
 * (0x080E0000) of its flash image. */
#ifndef OTP_LAYOUT_H
#define OTP_LAYOUT_H

#if defined(CRYPTO_KEYS_HOST_TEST) /* ports/stm32f405/test/crypto_hal_host.c: an array stands in for OTP */
#include <stdint.h>
extern uint8_t crypto_keys_test_otp[];
#define OTP_BASE ((uintptr_t)crypto_keys_test_otp)
#elif defined(BOARD_EMULATED)
#define OTP_BASE 0x080E0000u
#else
#define OTP_BASE 0x1FFF7800u
#endif
#define OTP_BLOCK_BYTES 32u
#define OTP_BLOCK_CARTRIDGE_MAKER 0u
#define OTP_BLOCK_LICENCE_MAKER 2u
#define OTP_BLOCK_SERIAL 4u
#define OTP_ADDR(block) (OTP_BASE + (block)*OTP_BLOCK_BYTES)
#endif
