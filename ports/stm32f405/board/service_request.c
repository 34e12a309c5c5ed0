/* The SERVICE command's request to the bootloader (boot/smp.h): the first erased word of the request
 * area is programmed to SERVICE_REQUEST_WORD; the bootloader takes it (clears it to 0) when it enters
 * service mode after the reset. A word only goes from erased to the request, so a power cut leaves
 * it erased (no request) or whole. With every word taken, sector 3 is erased and the counter words
 * before the area (used only by builds without OTP) are written back first. The real build programs
 * through the flash controller (RM0090 3.6: unlock, 32-bit parallelism, wait while BSY, lock); the
 * emulated build (BOARD_EMULATED) writes the flash file QEMU was started on through semihosting, as
 * the emulated bootloader does (QEMU's flash is a ROM with no controller). */
#include <stdint.h>
#include "boot/smp.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define FLASH_BASE 0x08000000u
#define STATE_SECTOR 0x0800C000u /* sector 3, 16 KiB */
#define STATE_SECTOR_BYTES 0x4000u
#define KEPT_WORDS ((SERVICE_REQUEST_ADDR - STATE_SECTOR) / 4u)

#ifdef BOARD_EMULATED
#include <string.h>
#include "semihost.h"

static int handle = -1;

static int sh_seek(uint32_t addr) {
  register int r0 __asm__("r0") = 0x0A; /* SYS_SEEK */
  const uint32_t a[2] = {(uint32_t)handle, addr - FLASH_BASE};
  register const void *r1 __asm__("r1") = a;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}
static int open_flash(void) {
  static char cmd[256];
  if (sh_cmdline(cmd, sizeof cmd) != 0) return -1;
  char *path = strchr(cmd, ' '); /* "boot FILE": the flash file */
  handle = path ? sh_open(path + 1, 3 /* read and write, binary */) : -1;
  return handle >= 0 ? 0 : -1;
}
static void close_flash(void) { sh_close(handle); }
static uint32_t read_word(uint32_t addr) {
  uint32_t w = 0;
  if (sh_seek(addr) != 0 || sh_read(handle, &w, 4) != 4) return 0;
  return w;
}
static int program_word(uint32_t addr, uint32_t value) {
  uint32_t w = read_word(addr) & value; /* flash only clears bits */
  return sh_seek(addr) == 0 && sh_write(handle, &w, 4) == 0 ? 0 : -1;
}
static int erase_state_sector(void) {
  static uint32_t ff[128];
  memset(ff, 0xFF, sizeof ff);
  if (sh_seek(STATE_SECTOR) != 0) return -1;
  for (uint32_t done = 0; done < STATE_SECTOR_BYTES; done += sizeof ff)
    if (sh_write(handle, ff, sizeof ff) != 0) return -1;
  return 0;
}
#else
#define FLASH_KEYR REG(0x40023C04u)
#define FLASH_SR REG(0x40023C0Cu)
#define FLASH_CR REG(0x40023C10u)
#define IWDG_KR REG(0x40003000u)

static void wait_ready(void) {
  while (FLASH_SR & 1u << 16) IWDG_KR = 0xAAAAu; /* BSY; a sector erase takes up to about 0.5 s */
}
static int open_flash(void) {
  FLASH_KEYR = 0x45670123u;
  FLASH_KEYR = 0xCDEF89ABu;
  wait_ready();
  return 0;
}
static void close_flash(void) { FLASH_CR = 1u << 31; /* LOCK */ }
static uint32_t read_word(uint32_t addr) { return REG(addr); }
static int program_word(uint32_t addr, uint32_t value) {
  FLASH_CR = 2u << 8 | 1u; /* PSIZE x32, PG */
  REG(addr) = value;
  __asm__ volatile("dsb" ::: "memory");
  wait_ready();
  FLASH_CR = 0;
  return REG(addr) == value ? 0 : -1;
}
static int erase_state_sector(void) {
  FLASH_CR = 2u << 8 | 3u << 3 | 1u << 1; /* PSIZE x32, SNB 3, SER */
  FLASH_CR |= 1u << 16;                   /* STRT */
  wait_ready();
  FLASH_CR = 0;
  return REG(STATE_SECTOR) == 0xFFFFFFFFu ? 0 : -1;
}
#endif

/* 0 when the request is written. */
int board_service_request(void) {
  if (open_flash() != 0) return -1;
  uint32_t addr = 0;
  for (uint32_t i = 0; i < SERVICE_REQUEST_WORDS && !addr; i++)
    if (read_word(SERVICE_REQUEST_ADDR + 4u * i) == 0xFFFFFFFFu) addr = SERVICE_REQUEST_ADDR + 4u * i;
  int r = 0;
  if (!addr) { /* every word taken: erase, keeping the counter words */
    uint32_t counter[KEPT_WORDS];
    for (uint32_t i = 0; i < KEPT_WORDS; i++) counter[i] = read_word(STATE_SECTOR + 4u * i);
    r = erase_state_sector();
    for (uint32_t i = 0; i < KEPT_WORDS && r == 0; i++)
      if (counter[i] != 0xFFFFFFFFu) r = program_word(STATE_SECTOR + 4u * i, counter[i]);
    addr = SERVICE_REQUEST_ADDR;
  }
  if (r == 0) r = program_word(addr, SERVICE_REQUEST_WORD);
  close_flash();
  return r;
}
