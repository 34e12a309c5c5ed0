/* The board's background step in the replay build (ports/stm32f405/replay.c), for `pen conform
 * --crypto-background`: after every replayed tick, one step of an ECDSA P-256 check of the
 * crypto_vectors.h vectors runs through the board's crypto engine, as board_crypto_background() runs
 * it after every tick on the pen; a check that ends starts the next. The replay counts the module's
 * instructions per tick and these steps apart, so the figures show that the module's ticks stay what
 * they are while checks run, and how long each step between two ticks is. */
#include <stdint.h>
#include "crypto_engine.h"
#include "crypto_vectors.h"
#include "pen_abi.h"
#include "semihost.h"

void crypto_fatal(int code) {
  (void)code;
  sh_puts("replay: the mbedTLS arena is corrupt\n");
  sh_exit(3);
}

int replay_background(uint32_t *checks) {
  static int32_t handle;
  static uint32_t done;
  if (!handle) {
    crypto_engine_init();
    handle = crypto_engine_start_ecdsa(vec_msg, sizeof vec_msg, vec_pub, vec_sig);
  }
  (void)crypto_engine_slice();
  int32_t r = crypto_engine_poll(handle);
  if (r != CRYPTO_PENDING) {
    if (r != CRYPTO_OK) {
      sh_puts("replay: a background signature check failed\n");
      sh_exit(1);
    }
    crypto_engine_cancel(handle);
    handle = crypto_engine_start_ecdsa(vec_msg, sizeof vec_msg, vec_pub, vec_sig);
    done++;
  }
  *checks = done;
  return 1;
}
