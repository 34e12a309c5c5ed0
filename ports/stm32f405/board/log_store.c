/* The treatment log's storage (HAL flash_*): the STM32F405's 4 KiB backup SRAM (RM0090 2.3, 5.1.2),
 * kept through power-off by VBAT, which this board feeds from the cell through a diode. It behaves as
 * the ABI's flash: an erase sets a sector to 0xFF, a program only clears bits, and each word is
 * written at once, so a power cut leaves every word old or new. A NOR flash would hold more, but its
 * sector erase takes 45-400 ms and the ABI's erase returns when done: it needs a background eraser
 * first. With no VBAT at power-on the backup SRAM holds noise, which the log's magic words and CRCs
 * reject (assembly/log.ts). */
#include <stdint.h>
#include "firmware.h"

#ifndef REG /* ports/stm32f405/test/ puts a model of the peripheral behind it */
#define REG(a) (*(volatile uint32_t *)(a))
#endif
#define RCC_AHB1ENR REG(0x40023830u)
#define RCC_APB1ENR REG(0x40023840u)
#define PWR_CR REG(0x40007000u)
#define PWR_CSR REG(0x40007004u)
#ifndef BKPSRAM
#define BKPSRAM ((volatile uint32_t *)0x40024000u)
#endif
#ifndef LOG_SECTORS
#define LOG_SECTORS 4u /* board storage.sectors (tools/build/port-build.ts passes it) */
#endif
#ifndef LOG_SECTOR_BYTES
#define LOG_SECTOR_BYTES 1024u /* board storage.sector_bytes */
#endif
#define LOG_BYTES (LOG_SECTORS * LOG_SECTOR_BYTES)
#if LOG_BYTES > 4096u || (LOG_SECTOR_BYTES & 3u) != 0
#error "the backup SRAM holds 4 KiB of whole words: check the board's storage section"
#endif
#define H struct Z_hal_instance_t *h

/* Where the log lives: the backup SRAM, or, when its regulator never comes up (no backup SRAM, as
 * under QEMU's netduinoplus2, which maps only its first KiB and reads it as 0), a RAM array erased at
 * power-up, so the log then does not survive a power-off. fallbacks.c says which. */
static volatile uint32_t ram_log[LOG_BYTES / 4];
static volatile uint32_t *log_words = BKPSRAM;
int board_log_in_ram;

/* Clock and write access (RM0090 5.1.2): PWR clock, DBP, the BKPSRAM clock, then the backup regulator
 * that keeps it through standby and VBAT (BRE, ready when BRR). */
void board_log_init(void) {
  RCC_APB1ENR |= 1u << 28; /* PWR */
  PWR_CR |= 1u << 8;       /* DBP */
  RCC_AHB1ENR |= 1u << 18; /* BKPSRAMEN; read back so the clock reaches it first */
  uint32_t settle = RCC_AHB1ENR;
  (void)settle;
  PWR_CSR |= 1u << 9;                                               /* BRE */
  for (uint32_t i = 0; i < 100000u && !(PWR_CSR & 1u << 3); i++) {} /* BRR */
  if (!(PWR_CSR & 1u << 3)) {
    board_log_in_ram = 1;
    log_words = ram_log;
    for (uint32_t i = 0; i < LOG_BYTES / 4; i++) ram_log[i] = 0xFFFFFFFFu; /* erased, as after a first power-up */
  }
}

static int bad_offset(u32 offset) { return offset >= LOG_BYTES || (offset & 3u) != 0; }

u32 Z_halZ_flash_sectors(H) {
  (void)h;
  return LOG_SECTORS;
}
u32 Z_halZ_flash_sector_bytes(H) {
  (void)h;
  return LOG_SECTOR_BYTES;
}

u32 Z_halZ_flash_read(H, u32 offset) {
  (void)h;
  return bad_offset(offset) ? (u32)-1 : log_words[offset / 4];
}

u32 Z_halZ_flash_program(H, u32 offset, u32 value) {
  (void)h;
  if (bad_offset(offset)) return (u32)-1;
  uint32_t old = log_words[offset / 4];
  if (~old & value) return (u32)-2; /* a bit would go from 0 to 1: not erased */
  log_words[offset / 4] = old & value;
  return 0;
}

u32 Z_halZ_flash_erase(H, u32 sector) {
  (void)h;
  if (sector >= LOG_SECTORS) return (u32)-1;
  for (uint32_t i = 0; i < LOG_SECTOR_BYTES / 4; i++) log_words[sector * (LOG_SECTOR_BYTES / 4) + i] = 0xFFFFFFFFu;
  return 0;
}
