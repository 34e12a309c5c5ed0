/* The TRNG (ST RM0090 rev 19, 24): a word every 40 PLL48 cycles (under 1 us). Every byte goes through
 * the SP 800-90B health tests (rng_health.c) before it is given out; any failure latches, so the pen
 * never gives a challenge from a generator that was seen to fail. Bounded: at most
 * RNG_POLLS_PER_WORD status reads a word, at most RNG_SEED_RESTARTS restarts a read. */
#include <stdint.h>
#include "rng.h"
#include "rng_health.h"

#ifndef REG /* ports/stm32f405/test/ puts a model of the peripheral behind it */
#define REG(a) (*(volatile uint32_t *)(a))
#endif
#define RNG_CR REG(0x50060800u)
#define RNG_SR REG(0x50060804u)
#define RNG_DR REG(0x50060808u)
enum {
  CR_RNGEN = 1u << 2,
  SR_DRDY = 1u << 0,
  SR_CECS = 1u << 1,
  SR_SECS = 1u << 2,
  SR_CEIS = 1u << 5,
  SR_SEIS = 1u << 6
};

#define RNG_POLLS_PER_WORD 1000u /* a word takes about 140 core cycles at 168 MHz; a poll at least 4 */
#define RNG_SEED_RESTARTS 2u

static rng_health_t health;
static uint32_t status = BOARD_RNG_STARTING;
static uint32_t previous_word;

static void fail(uint32_t why) {
  if (status == BOARD_RNG_OK) status = why;
}

/* RM0090 24.3.2: on a seed error, clear SEIS, then disable and enable the generator; the word in DR
 * may be bad and is not used. */
static void restart(void) {
  RNG_SR = 0;
  RNG_CR = 0;
  RNG_CR = CR_RNGEN;
}

/* The next word that passed every test, or 0 with status set. The first word after enabling is only
 * the reference for the next comparison (RM0090 24.3.1): `reference` takes it untested. */
static uint32_t next_word(int reference) {
  uint32_t restarts = 0;
  for (uint32_t polls = 0; polls < RNG_POLLS_PER_WORD; polls++) {
    uint32_t sr = RNG_SR;
    if (sr & (SR_CEIS | SR_CECS)) {
      fail(BOARD_RNG_CLOCK);
      return 0;
    }
    if (sr & (SR_SEIS | SR_SECS)) {
      if (restarts++ == RNG_SEED_RESTARTS) {
        fail(BOARD_RNG_SEED);
        return 0;
      }
      restart();
      continue;
    }
    if (!(sr & SR_DRDY)) continue;
    uint32_t w = RNG_DR;
    if (reference) return previous_word = w;
    if (w == previous_word) {
      fail(BOARD_RNG_REPEAT);
      return 0;
    }
    previous_word = w;
    for (uint32_t i = 0; i < 4; i++) {
      uint32_t h = rng_health_feed(&health, (uint8_t)(w >> 8 * i));
      if (h) {
        fail(h == RNG_HEALTH_RCT ? BOARD_RNG_RCT : BOARD_RNG_APT);
        return 0;
      }
    }
    return w;
  }
  fail(BOARD_RNG_NO_DATA);
  return 0;
}

void board_rng_init(void) {
  rng_health_init(&health);
  status = BOARD_RNG_OK;
  RNG_CR = CR_RNGEN;
  (void)next_word(1);
  for (uint32_t i = 0; i < RNG_STARTUP_SAMPLES / 4 && status == BOARD_RNG_OK; i++) (void)next_word(0);
}

uint32_t board_rng_read(uint8_t *out, uint32_t n) {
  uint32_t i = 0;
  while (status == BOARD_RNG_OK && i < n) {
    uint32_t w = next_word(0);
    for (uint32_t k = 0; k < 4 && i < n && status == BOARD_RNG_OK; k++) out[i++] = (uint8_t)(w >> 8 * k);
  }
  if (status != BOARD_RNG_OK)
    for (i = 0; i < n; i++) out[i] = 0; /* nothing half-fresh leaves */
  return status;
}

uint32_t board_rng_status(void) { return status; }
