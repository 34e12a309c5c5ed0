/* ARM semihosting calls (ARM DUI 0471, "Semihosting operations"): a BKPT 0xAB with the operation in
 * r0 and a pointer to its arguments in r1. */
#include <string.h>
#include "semihost.h"

enum {
  SYS_OPEN = 0x01,
  SYS_CLOSE = 0x02,
  SYS_WRITE0 = 0x04,
  SYS_WRITE = 0x05,
  SYS_READ = 0x06,
  SYS_GET_CMDLINE = 0x15,
  SYS_EXIT = 0x18,
  SYS_EXIT_EXTENDED = 0x20,
};
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

static int sh_call(int op, const void *arg) {
  register int r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

int sh_open(const char *path, int mode) {
  const uint32_t a[3] = {(uint32_t)path, (uint32_t)mode, (uint32_t)strlen(path)};
  return sh_call(SYS_OPEN, a);
}

int sh_close(int handle) {
  const uint32_t a[1] = {(uint32_t)handle};
  return sh_call(SYS_CLOSE, a);
}

uint32_t sh_read(int handle, void *buf, uint32_t len) {
  const uint32_t a[3] = {(uint32_t)handle, (uint32_t)buf, len};
  return len - (uint32_t)sh_call(SYS_READ, a); /* the call returns the bytes NOT read */
}

int sh_write(int handle, const void *buf, uint32_t len) {
  const uint32_t a[3] = {(uint32_t)handle, (uint32_t)buf, len};
  return sh_call(SYS_WRITE, a);
}

void sh_puts(const char *s) { sh_call(SYS_WRITE0, s); }

int sh_cmdline(char *buf, uint32_t len) {
  uint32_t a[2] = {(uint32_t)buf, len};
  return sh_call(SYS_GET_CMDLINE, a);
}

void sh_exit(int status) {
  const uint32_t a[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
  sh_call(SYS_EXIT_EXTENDED, a);
  /* a host without the extended exit: at least stop, with "failed" for any non-zero status */
  sh_call(SYS_EXIT, (const void *)(status == 0 ? ADP_STOPPED_APPLICATION_EXIT : 0x20023u));
  for (;;) {}
}
