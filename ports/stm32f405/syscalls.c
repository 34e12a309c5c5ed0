/* The little of newlib's system interface the port needs: memory for malloc (the wasm2c runtime
 * allocates the module's linear memory and its type table once, at start-up), and an exit. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include "port.h"

extern char _sheap, _eheap;
static char *brk = &_sheap;

void *_sbrk(ptrdiff_t incr) {
  if (incr < 0 || incr > &_eheap - brk) {
    errno = ENOMEM;
    return (void *)-1;
  }
  char *old = brk;
  brk += incr;
  return old;
}

uint32_t port_heap_used(void) { return (uint32_t)(brk - &_sheap); }

void _exit(int code) { port_fatal(code == 0 ? PORT_FATAL_RETURNED : PORT_FATAL_EXCEPTION); }
