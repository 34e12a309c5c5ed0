/* The flash under QEMU: netduinoplus2's flash is a ROM and its controller is not modelled, so the
 * emulated build keeps the whole 1 MiB flash in a file on the host. QEMU preloads the file at
 * 0x08000000 (-device loader,file=F,addr=0x08000000), which is what map() reads (nothing rewrites an
 * image during a boot); reads of the state and every write go to the file through semihosting (the
 * file's name is the second word of the semihosting command line), so the next QEMU run starts from
 * the flash as this one left it. The security counter sits in the state sector (no OTP is modelled). */
#include <string.h>
#include "boot_flash.h"
#include "boot_layout.h"
#include "semihost.h"

enum { SYS_SEEK = 0x0A, SH_MODE_READ_WRITE_BINARY = 3 };
static int handle = -1;

static int sh_seek(uint32_t pos) {
  register int r0 __asm__("r0") = SYS_SEEK;
  const uint32_t a[2] = {(uint32_t)handle, pos};
  register const void *r1 __asm__("r1") = a;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

static int in_flash(uint32_t addr, uint32_t len) {
  return addr >= FLASH_BASE_ADDR && len <= FLASH_TOTAL_BYTES && addr - FLASH_BASE_ADDR <= FLASH_TOTAL_BYTES - len;
}

static int rd(void *ctx, uint32_t addr, void *buf, uint32_t len) {
  (void)ctx;
  if (!in_flash(addr, len) || sh_seek(addr - FLASH_BASE_ADDR) != 0) return -1;
  return sh_read(handle, buf, len) == len ? 0 : -1;
}

static int program_word(void *ctx, uint32_t addr, uint32_t value) {
  uint32_t w;
  if (addr & 3u || rd(ctx, addr, &w, 4) != 0) return -1;
  w &= value; /* flash only clears bits */
  if (sh_seek(addr - FLASH_BASE_ADDR) != 0) return -1;
  return sh_write(handle, &w, 4) == 0 ? 0 : -1;
}

static int erase_sector(void *ctx, uint32_t addr) {
  (void)ctx;
  uint32_t bytes = flash_sector_bytes(addr);
  if (!bytes || addr < FLASH_BASE_ADDR + BOOT_CODE_BYTES) return -1;
  static uint8_t ff[512];
  memset(ff, 0xFF, sizeof ff);
  if (sh_seek(flash_sector_start(addr) - FLASH_BASE_ADDR) != 0) return -1;
  for (uint32_t done = 0; done < bytes; done += sizeof ff)
    if (sh_write(handle, ff, sizeof ff) != 0) return -1;
  return 0;
}

static const uint8_t *map(void *ctx, uint32_t addr) {
  (void)ctx;
  return (const uint8_t *)addr;
}

int boot_flash_open(boot_flash *f) {
  static char cmd[256];
  *f = (boot_flash){0, rd, program_word, erase_sector, map};
  if (handle >= 0) return 0;
  if (sh_cmdline(cmd, sizeof cmd) != 0) return -1;
  char *path = strchr(cmd, ' ');
  if (!path) return -1;
  handle = sh_open(path + 1, SH_MODE_READ_WRITE_BINARY);
  return handle >= 0 ? 0 : -1;
}

void boot_flash_close(void) {
  if (handle >= 0) sh_close(handle);
  handle = -1;
}

uint32_t boot_flash_counter_addr(void) { return BOOT_STATE_ADDR; }
