/* SP 800-90B 4.4.1 and 4.4.2, as written there (rng_health.h has the parameters). Pure C, no
 * registers: the host test (ports/stm32f405/test/rng_health_test.cpp) runs this very file. */
#include "rng_health.h"

void rng_health_init(rng_health_t *t) {
  t->rct_value = 0;
  t->rct_count = 0;
  t->apt_value = 0;
  t->apt_seen = 0;
  t->apt_count = 0;
  t->failed = RNG_HEALTH_OK;
}

uint32_t rng_health_feed(rng_health_t *t, uint8_t sample) {
  if (t->failed) return t->failed;
  /* repetition count: B counts the current run; B >= C is a failure */
  if (t->rct_count && sample == t->rct_value) {
    if (++t->rct_count >= RNG_RCT_CUTOFF) t->failed = RNG_HEALTH_RCT;
  } else {
    t->rct_value = sample;
    t->rct_count = 1;
  }
  /* adaptive proportion: the window's first sample A, then W - 1 more; B counts those equal to A */
  if (t->apt_seen == 0) {
    t->apt_value = sample;
    t->apt_count = 1;
  } else if (sample == t->apt_value && ++t->apt_count >= RNG_APT_CUTOFF && !t->failed) {
    t->failed = RNG_HEALTH_APT;
  }
  if (++t->apt_seen == RNG_APT_WINDOW) t->apt_seen = 0;
  return t->failed;
}
