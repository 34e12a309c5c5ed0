/* The STM32F405's flash interface (RM0090 3.9: FLASH_KEYR, FLASH_SR, FLASH_CR), 32-bit programming
 * (PSIZE x32, 2.7-3.6 V). Programming a word that is already programmed only clears more bits, which
 * the trailer and the thermometer rely on (the F4 has no flash ECC; ST's EEPROM emulation, AN3969,
 * does the same). The OTP area is programmed the same way (RM0090 3.8) and can never be erased. */
#include <string.h>
#include "boot_flash.h"
#include "boot_layout.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define FLASH_KEYR REG(0x40023C04u)
#define FLASH_SR REG(0x40023C0Cu)
#define FLASH_CR REG(0x40023C10u)
#define SR_BSY (1u << 16)
#define SR_ERRORS 0xF2u /* PGSERR, PGPERR, PGAERR, WRPERR, OPERR */
#define CR_PG (1u << 0)
#define CR_SER (1u << 1)
#define CR_STRT (1u << 16)
#define CR_PSIZE_X32 (2u << 8)
#define CR_LOCK (1u << 31)

static int wait_done(void) {
  while (FLASH_SR & SR_BSY) {}
  uint32_t sr = FLASH_SR;
  FLASH_SR = SR_ERRORS; /* write 1 to clear */
  return sr & SR_ERRORS ? -1 : 0;
}

static int rd(void *ctx, uint32_t addr, void *buf, uint32_t len) {
  (void)ctx;
  memcpy(buf, (const void *)addr, len);
  return 0;
}

static int program_word(void *ctx, uint32_t addr, uint32_t value) {
  (void)ctx;
  if (addr & 3u) return -1;
  FLASH_CR = CR_PSIZE_X32 | CR_PG;
  *(volatile uint32_t *)addr = value;
  __asm__ volatile("dsb" ::: "memory");
  int r = wait_done();
  FLASH_CR = 0;
  return r;
}

/* Sector number for an address (RM0090 table 5). */
static uint32_t sector_of(uint32_t addr) {
  uint32_t off = addr - FLASH_BASE_ADDR;
  return off < 0x10000u ? off >> 14 : off < 0x20000u ? 4u : 4u + (off >> 17);
}

static int erase_sector(void *ctx, uint32_t addr) {
  (void)ctx;
  if (!flash_sector_bytes(addr) || addr < FLASH_BASE_ADDR + BOOT_CODE_BYTES) return -1; /* never the bootloader */
  FLASH_CR = CR_PSIZE_X32 | CR_SER | sector_of(addr) << 3;
  FLASH_CR |= CR_STRT;
  int r = wait_done();
  FLASH_CR = 0;
  return r;
}

static const uint8_t *map(void *ctx, uint32_t addr) {
  (void)ctx;
  return (const uint8_t *)addr;
}

int boot_flash_open(boot_flash *f) {
  if (FLASH_CR & CR_LOCK) {
    FLASH_KEYR = 0x45670123u; /* the unlock sequence, RM0090 3.5.1 */
    FLASH_KEYR = 0xCDEF89ABu;
  }
  FLASH_SR = SR_ERRORS;
  *f = (boot_flash){0, rd, program_word, erase_sector, map};
  return FLASH_CR & CR_LOCK ? -1 : 0;
}

void boot_flash_close(void) { FLASH_CR = CR_LOCK; }

uint32_t boot_flash_counter_addr(void) { return COUNTER_OTP_ADDR; }
