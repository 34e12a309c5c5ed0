/* newlib for arm-none-eabi has no <sys/mman.h>. wabt's wasm-rt-impl.c includes it for its mmap-based
 * linear memory, which it uses only on 64-bit hosts (WASM_RT_MEMCHECK_SIGNAL_HANDLER); on a 32-bit MCU
 * it allocates the memory with calloc, so these declarations are never called. */
#ifndef PORT_SYS_MMAN_H
#define PORT_SYS_MMAN_H
#include <stddef.h>
#include <sys/types.h>

#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 2
#define MAP_ANONYMOUS 0x20
#define MAP_FAILED ((void *)-1)

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
int munmap(void *addr, size_t length);
int mprotect(void *addr, size_t length, int prot);
#endif
