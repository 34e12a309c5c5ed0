/* The crypto engine on the board: its start-up, its background slice in the main loop, and the stop
 * its allocator asks for on a corrupt arena. The HAL's crypto imports (keys by ID from crypto_keys.c,
 * the work in crypto_engine.c) build on these. */
#include <stdint.h>
#include "crypto_engine.h"

void board_panic_reset(void) __attribute__((noreturn));

/* mbedTLS's allocator found its arena corrupt (mbedtls_pen_config.h): driver off, reset. */
void crypto_fatal(int code) {
  (void)code;
  board_panic_reset();
}

void board_crypto_init(void) { crypto_engine_init(); }

/* Once per control tick, after tick(): one step of a running job (see ports/crypto/README.md for how
 * long the longest step is). */
void board_crypto_background(void) { (void)crypto_engine_slice(); }
