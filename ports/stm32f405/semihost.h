/* ARM semihosting (the debugger or QEMU's -semihosting does the I/O on the host): what the replay
 * build uses to read a recording, write the call log and exit with a status. */
#ifndef SEMIHOST_H
#define SEMIHOST_H
#include <stdint.h>

enum { SH_MODE_READ_BINARY = 1, SH_MODE_WRITE_BINARY = 5 };

int sh_open(const char *path, int mode); /* handle, or -1 */
int sh_close(int handle);
uint32_t sh_read(int handle, void *buf, uint32_t len);   /* bytes read; 0 at the end */
int sh_write(int handle, const void *buf, uint32_t len); /* 0 when all were written */
void sh_puts(const char *s);                             /* to the console */
int sh_cmdline(char *buf, uint32_t len);                 /* 0 on success */
void sh_exit(int status) __attribute__((noreturn));
#endif
