/* See flash_access.h. On the part, the flash controller (RM0090 3.6: unlock, 32-bit parallelism, wait
 * while BSY, lock). An emulator without one (QEMU's netduinoplus2 maps only a ROM and reads 0 for the
 * controller's registers) keeps the flash in a host file that the bootloader and the firmware write
 * through semihosting, its path the second word of the semihosting command line ("boot FILE").
 * The check is FLASH_OPTCR: its OPTLOCK bit is set by every reset and the option bytes are never all
 * zero, so it never reads 0 on the part; semihosting is only used when it does (a BKPT without a
 * debugger would fault on the part). */
#include <string.h>
#include "flash_access.h"
#include "semihost.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define FLASH_KEYR REG(0x40023C04u)
#define FLASH_SR REG(0x40023C0Cu)
#define FLASH_CR REG(0x40023C10u)
#define FLASH_OPTCR REG(0x40023C14u)
#define IWDG_KR REG(0x40003000u)
#define FLASH_BASE 0x08000000u
#define STATE_SECTOR 0x0800C000u /* sector 3, 16 KiB */
#define STATE_SECTOR_BYTES 0x4000u

int board_flash_emulated(void) { return FLASH_OPTCR == 0; }

/* ---- the emulator's flash file --------------------------------------------------------------------- */

static int handle = -1;

static int sh_seek(uint32_t addr) {
  register int r0 __asm__("r0") = 0x0A; /* SYS_SEEK */
  const uint32_t a[2] = {(uint32_t)handle, addr - FLASH_BASE};
  register const void *r1 __asm__("r1") = a;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}
static int file_open(void) {
  static char cmd[256];
  if (sh_cmdline(cmd, sizeof cmd) != 0) return -1;
  char *path = strchr(cmd, ' '); /* "boot FILE": the flash file */
  handle = path ? sh_open(path + 1, 3 /* read and write, binary */) : -1;
  return handle >= 0 ? 0 : -1;
}
static uint32_t file_read(uint32_t addr) {
  uint32_t w = 0;
  if (sh_seek(addr) != 0 || sh_read(handle, &w, 4) != 4) return 0;
  return w;
}
static int file_program(uint32_t addr, uint32_t value) {
  uint32_t w = file_read(addr) & value; /* flash only clears bits */
  return sh_seek(addr) == 0 && sh_write(handle, &w, 4) == 0 && w == value ? 0 : -1;
}
static int file_erase_sector3(void) {
  static uint32_t ff[128];
  memset(ff, 0xFF, sizeof ff);
  if (sh_seek(STATE_SECTOR) != 0) return -1;
  for (uint32_t done = 0; done < STATE_SECTOR_BYTES; done += sizeof ff)
    if (sh_write(handle, ff, sizeof ff) != 0) return -1;
  return 0;
}

/* ---- the flash controller ---------------------------------------------------------------------------- */

static void wait_ready(void) {
  while (FLASH_SR & 1u << 16) IWDG_KR = 0xAAAAu; /* BSY; a sector erase takes up to about 0.5 s */
}
static int controller_program(uint32_t addr, uint32_t value) {
  FLASH_CR = 2u << 8 | 1u; /* PSIZE x32, PG */
  REG(addr) = value;
  __asm__ volatile("dsb" ::: "memory");
  wait_ready();
  FLASH_CR = 0;
  return REG(addr) == value ? 0 : -1;
}
static int controller_erase_sector3(void) {
  FLASH_CR = 2u << 8 | 3u << 3 | 1u << 1; /* PSIZE x32, SNB 3, SER */
  FLASH_CR |= 1u << 16;                   /* STRT */
  wait_ready();
  FLASH_CR = 0;
  return REG(STATE_SECTOR) == 0xFFFFFFFFu ? 0 : -1;
}

/* ---- either ---------------------------------------------------------------------------------------- */

int board_flash_open(void) {
  if (board_flash_emulated()) return file_open();
  FLASH_KEYR = 0x45670123u;
  FLASH_KEYR = 0xCDEF89ABu;
  wait_ready();
  return 0;
}
void board_flash_close(void) {
  if (board_flash_emulated())
    sh_close(handle), handle = -1;
  else
    FLASH_CR = 1u << 31; /* LOCK */
}
uint32_t board_flash_read(uint32_t addr) { return board_flash_emulated() ? file_read(addr) : REG(addr); }
int board_flash_program(uint32_t addr, uint32_t value) {
  return board_flash_emulated() ? file_program(addr, value) : controller_program(addr, value);
}
int board_flash_erase_sector3(void) {
  return board_flash_emulated() ? file_erase_sector3() : controller_erase_sector3();
}
