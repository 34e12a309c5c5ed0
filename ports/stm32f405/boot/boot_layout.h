/* Where the bootloader, its state and the two image slots live in the STM32F405's 1 MiB flash
 * (RM0090 3.3, table 5: sectors 0-3 are 16 KiB, 4 is 64 KiB, 5-11 are 128 KiB). The same numbers as
 * the image tool's layout (tools/lib/image/layout.ts): images are signed for these slot addresses.
 *
 *   0x08000000  sectors 0-2  48 KiB  bootloader code (write-protected in production: nWRP0-2)
 *   0x0800C000  sector 3     16 KiB  state area: the security counter where there is no OTP (emulator, host tests)
 *   0x08010000  sector 4     64 KiB  kept erased (room for the bootloader to grow)
 *   0x08020000  sectors 5-7  384 KiB slot A: 0x200 header, the firmware from 0x08020200, trailer in its last 32 bytes
 *   0x08080000  sectors 8-10 384 KiB slot B: the same at 0x08080000
 *   0x080E0000  sector 11    128 KiB free
 */
#ifndef BOOT_LAYOUT_H
#define BOOT_LAYOUT_H
#include <stdint.h>

#define FLASH_BASE_ADDR 0x08000000u
#define FLASH_TOTAL_BYTES 0x100000u
#define BOOT_CODE_BYTES 0xC000u
#define BOOT_STATE_ADDR 0x0800C000u
#define SLOT_A_ADDR 0x08020000u
#define SLOT_B_ADDR 0x08080000u
#define SLOT_BYTES 0x60000u
#define SLOT_HEADER_BYTES 0x200u /* the vector table (98 words) follows it, 512-byte aligned for VTOR */
#define TRAILER_BYTES 32u
#define SLOT_USABLE_BYTES (SLOT_BYTES - TRAILER_BYTES)

/* The security counter's thermometer: 64 bytes = 512 steps. On the part it is OTP blocks 14-15
 * (RM0090 3.8: 0x1FFF7800, 16 blocks of 32 bytes; blocks 0-1 hold the HAL's keys), which no erase
 * can reset; the emulated builds keep it at the start of the state sector. */
#define COUNTER_OTP_ADDR (0x1FFF7800u + 14u * 32u)
#define COUNTER_WORDS 16u
#define COUNTER_MAX (COUNTER_WORDS * 32u)

/* The sector (first address, bytes) holding addr, or 0 when addr is not in the main flash. */
static inline uint32_t flash_sector_bytes(uint32_t addr) {
  uint32_t off = addr - FLASH_BASE_ADDR;
  if (addr < FLASH_BASE_ADDR || off >= FLASH_TOTAL_BYTES) return 0;
  return off < 0x10000u ? 0x4000u : off < 0x20000u ? 0x10000u : 0x20000u;
}
static inline uint32_t flash_sector_start(uint32_t addr) {
  uint32_t off = addr - FLASH_BASE_ADDR;
  uint32_t start = off < 0x10000u ? off & ~0x3FFFu : off < 0x20000u ? 0x10000u : off & ~0x1FFFFu;
  return FLASH_BASE_ADDR + start;
}
#endif
