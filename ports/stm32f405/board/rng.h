/* The STM32F405's true random number generator (RM0090 24) behind SP 800-90B health tests
 * (rng_health.h). Fails closed: a generator that stops delivering, reports a clock error, repeats a
 * word or fails a health test gives no bytes, only a status, and stays failed until a reset. */
#ifndef BOARD_RNG_H
#define BOARD_RNG_H
#include <stdint.h>

enum {
  BOARD_RNG_OK = 0,
  BOARD_RNG_RCT = 1,      /* the repetition count test failed (rng_health.h) */
  BOARD_RNG_APT = 2,      /* the adaptive proportion test failed */
  BOARD_RNG_REPEAT = 3,   /* two consecutive 32-bit words were equal (RM0090 24.3.1's continuous test) */
  BOARD_RNG_NO_DATA = 4,  /* no word within RNG_POLLS_PER_WORD polls: no clock, or no generator (QEMU) */
  BOARD_RNG_CLOCK = 5,    /* the clock error flag (CEIS): the 48 MHz clock is too slow */
  BOARD_RNG_SEED = 6,     /* seed errors (SEIS) that restarting the generator did not clear */
  BOARD_RNG_STARTING = 7, /* board_rng_init has not run */
};

/* Enables the generator and runs the start-up test (RNG_STARTUP_SAMPLES bytes, none given out). */
void board_rng_init(void);
/* Fills out[0..n) with fresh bytes; returns BOARD_RNG_OK, or the latched reason (out is then zeroed). */
uint32_t board_rng_read(uint8_t *out, uint32_t n);
/* BOARD_RNG_OK, or why the generator failed. */
uint32_t board_rng_status(void);
#endif
