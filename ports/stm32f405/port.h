/* What the shared parts of the STM32F405 port (start-up, runtime glue) ask of the build they are in:
 * the board build (main.c, hal.c) or the replay build (replay.c). */
#ifndef PORT_H
#define PORT_H
#include <stdint.h>

enum {
  PORT_FATAL_EXCEPTION = 1, /* a CPU fault or an unexpected interrupt */
  PORT_FATAL_RETURNED = 2,  /* main() returned */
};

/* Never returns. The board build switches the driver off and resets; the replay build reports and exits. */
void port_fatal(int why) __attribute__((noreturn));

/* Bytes of stack used so far (deepest point since reset) and of heap handed out. */
uint32_t port_stack_used(void);
uint32_t port_heap_used(void);
#endif
