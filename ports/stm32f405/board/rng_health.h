/* NIST SP 800-90B section 4.4 health tests on the raw output of the STM32F405's TRNG, one byte a sample:
 * the repetition count test (4.4.1) and the adaptive proportion test (4.4.2). Claimed min-entropy
 * H = 2 bits a byte (ST publishes no figure for this generator; a low claim keeps false alarms at the
 * false-positive rate alpha = 2^-20 while a stuck or biased source still trips them), so:
 *   RCT cutoff C = 1 + ceil(20 / H) = 11 identical bytes in a row;
 *   APT window W = 512 bytes, cutoff C = 1 + CRITBINOM(512, 2^-H, 1 - 2^-20) = 177 copies of the
 *   window's first byte.
 * A failure latches (the generator stays failed until a reset): the firmware then gets no random bytes. */
#ifndef RNG_HEALTH_H
#define RNG_HEALTH_H
#include <stdint.h>

#define RNG_RCT_CUTOFF 11u
#define RNG_APT_WINDOW 512u
#define RNG_APT_CUTOFF 177u
#define RNG_STARTUP_SAMPLES 1024u /* SP 800-90B 4.3: the start-up test sees 1,024 samples before any output */

enum { RNG_HEALTH_OK = 0, RNG_HEALTH_RCT = 1, RNG_HEALTH_APT = 2 };

typedef struct {
  uint8_t rct_value;
  uint32_t rct_count; /* bytes equal to rct_value in a row, 0 before the first */
  uint8_t apt_value;
  uint32_t apt_seen;  /* bytes of the current window so far, 0 = a new window starts */
  uint32_t apt_count; /* of those, bytes equal to apt_value */
  uint32_t failed;    /* RNG_HEALTH_*: the first test that failed, latched */
} rng_health_t;

void rng_health_init(rng_health_t *t);
/* Feeds one sample through both tests; returns t->failed (0 while healthy). */
uint32_t rng_health_feed(rng_health_t *t, uint8_t sample);
#endif
