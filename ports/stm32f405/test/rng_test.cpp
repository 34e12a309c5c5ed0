// Host test of the SP 800-90B health tests (board/rng_health.c) with vectors at their cutoffs, and of
// the TRNG driver (board/rng.c) against a model of the STM32F405's RNG (RM0090 24): it fails closed
// (status, zeroed bytes, latched) on a stuck, biased, silent or clock-failed generator, recovers from
// a seed error the documented way, and never hands out a stale word.
#include <cstring>
#include <initializer_list>
#include "registers.h"
#include "../board/rng_health.c"
#include "../board/rng.c"

namespace model {
enum Source { GOOD, STUCK_WORD, TWO_VALUES, SILENT, CLOCK_ERROR, SEED_ONCE, SEED_ALWAYS };
Source source = GOOD;
uint32_t cr, sr_write_clears, words_read, restarts;
uint64_t x = 0x9E3779B97F4A7C15ull;
bool seed_pending;
uint32_t prng() { // xorshift64*: stands in for a healthy generator
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  return (uint32_t)((x * 0x2545F4914F6CDD1Dull) >> 32);
}
} // namespace model
using namespace model;

uint32_t reg_read(uint32_t addr) {
  switch (addr) {
  case 0x50060800u:
    return cr;
  case 0x50060804u:
    if (!(cr & CR_RNGEN) || source == SILENT) return 0;
    if (source == CLOCK_ERROR) return SR_CEIS | SR_CECS;
    if (seed_pending) return SR_SEIS | SR_SECS;
    return SR_DRDY;
  case 0x50060808u: {
    words_read++;
    if (source == STUCK_WORD) return 0x12345678u;
    if (source == TWO_VALUES) { // 1 bit a byte, never the same word twice in a row (the APT, not the repeat test)
      static uint32_t last;
      uint32_t w;
      do {
        uint32_t r = prng();
        w = 0;
        for (int i = 0; i < 4; i++) w |= (r >> i & 1u ? 0x5Au : 0xC3u) << 8 * i;
      } while (w == last);
      return last = w;
    }
    return prng();
  }
  }
  printf("read of an unmodelled register %08x\n", addr);
  exit(1);
}

void reg_write(uint32_t addr, uint32_t v) {
  if (addr == 0x50060800u) {
    if ((cr & CR_RNGEN) && !(v & CR_RNGEN)) {
      restarts++;
      if (source == SEED_ONCE) seed_pending = false; // a restart clears it
    }
    cr = v;
  } else if (addr == 0x50060804u) {
    sr_write_clears++;
  } else {
    printf("write to an unmodelled register %08x\n", addr);
    exit(1);
  }
}

static void reset_model(Source s) {
  source = s;
  cr = 0;
  words_read = restarts = sr_write_clears = 0;
  seed_pending = s == SEED_ALWAYS;
}

static bool all_zero(const uint8_t *b, int n) {
  for (int i = 0; i < n; i++)
    if (b[i]) return false;
  return true;
}

static void health_vectors() {
  rng_health_t t;
  // RCT: a run of C - 1 = 10 equal bytes passes, the 11th fails
  rng_health_init(&t);
  for (int i = 0; i < 10; i++) CHECK(rng_health_feed(&t, 7) == 0, "RCT: byte %d of a run of 10 fails", i);
  CHECK(rng_health_feed(&t, 7) == RNG_HEALTH_RCT, "RCT: the 11th equal byte passes");
  CHECK(rng_health_feed(&t, 8) == RNG_HEALTH_RCT, "RCT: the failure does not latch");
  // RCT: a different byte starts a new run
  rng_health_init(&t);
  for (int round = 0; round < 100; round++) {
    for (int i = 0; i < 10; i++) CHECK(rng_health_feed(&t, (uint8_t)round) == 0, "RCT: runs of 10 must pass");
  }
  // APT: in one window, 176 copies of the first byte pass, 177 fail (runs kept short for the RCT)
  for (uint32_t copies : {176u, 177u}) {
    rng_health_init(&t);
    uint32_t got = 0, placed = 0;
    for (uint32_t i = 0; i < RNG_APT_WINDOW && !got; i++) {
      uint8_t b = (placed < copies && i % 2 == 0) ? 0x42 : (uint8_t)(i % 251 == 0x42 ? 0x43 : i % 251);
      if (b == 0x42) placed++;
      got = rng_health_feed(&t, b);
    }
    CHECK(placed == copies, "APT: placed %u copies, meant %u", placed, copies);
    CHECK(got == (copies >= RNG_APT_CUTOFF ? (uint32_t)RNG_HEALTH_APT : 0u), "APT: %u copies gave %u", copies, got);
  }
  // APT: the count starts again with each window (176 a window, ten windows)
  rng_health_init(&t);
  uint32_t got = 0;
  for (uint32_t w = 0; w < 10; w++)
    for (uint32_t i = 0; i < RNG_APT_WINDOW; i++) {
      uint8_t b = (i < 2 * 176 && i % 2 == 0) ? 0x42 : (uint8_t)(1 + i % 200 + (i % 200 >= 0x41));
      got |= rng_health_feed(&t, b);
    }
  CHECK(got == 0, "APT: 176 copies in each of ten windows failed (%u)", got);
  // a healthy source passes 4 MiB; a 1-bit-a-byte source fails the APT
  rng_health_init(&t);
  for (uint32_t i = 0; i < (1u << 22) && !got; i++) got = rng_health_feed(&t, (uint8_t)(prng() >> 13));
  CHECK(got == 0, "a healthy source failed after some bytes: %u", got);
  rng_health_init(&t);
  for (uint32_t i = 0; i < 4 * RNG_APT_WINDOW && !got; i++) got = rng_health_feed(&t, prng() & 1 ? 0x5A : 0xC3);
  CHECK(got == RNG_HEALTH_APT, "a source of two values passed the APT (%u)", got);
}

static uint32_t run_driver(Source s, uint8_t *out, int n) {
  reset_model(s);
  board_rng_init();
  return board_rng_read(out, (uint32_t)n);
}

static void driver() {
  uint8_t b[32], c[32];
  CHECK(board_rng_status() == BOARD_RNG_STARTING, "status before init is %u", board_rng_status());
  CHECK(run_driver(GOOD, b, 32) == BOARD_RNG_OK, "a good generator failed: %u", board_rng_status());
  CHECK(words_read >= 1 + RNG_STARTUP_SAMPLES / 4 + 8, "start-up test read only %u words", words_read);
  CHECK(board_rng_read(c, 32) == BOARD_RNG_OK && memcmp(b, c, 32) != 0, "two reads gave the same bytes");
  CHECK(!all_zero(b, 32), "good bytes are all zero");

  CHECK(run_driver(STUCK_WORD, b, 32) == BOARD_RNG_REPEAT, "a stuck word gave %u", board_rng_status());
  CHECK(all_zero(b, 32), "a stuck generator's bytes left");
  // (a run of 11 equal bytes spans two whole equal words, so on the driver the repeat test fires first)
  CHECK(run_driver(TWO_VALUES, b, 32) == BOARD_RNG_APT, "a 1-bit source gave %u", board_rng_status());
  CHECK(run_driver(SILENT, b, 32) == BOARD_RNG_NO_DATA, "a silent generator gave %u", board_rng_status());
  CHECK(all_zero(b, 32), "a silent generator gave bytes (a stale word?)");
  CHECK(run_driver(CLOCK_ERROR, b, 32) == BOARD_RNG_CLOCK, "a clock error gave %u", board_rng_status());
  CHECK(run_driver(SEED_ALWAYS, b, 32) == BOARD_RNG_SEED, "endless seed errors gave %u", board_rng_status());

  // a seed error in the middle: the generator is restarted (RM0090 24.3.2) and the read goes on
  reset_model(GOOD);
  board_rng_init();
  seed_pending = true;
  source = SEED_ONCE;
  CHECK(board_rng_read(b, 32) == BOARD_RNG_OK, "a single seed error failed the read: %u", board_rng_status());
  CHECK(restarts == 1, "the generator was restarted %u times", restarts);

  // latched: once failed, a healthy generator again gives nothing until the next init
  run_driver(STUCK_WORD, b, 32);
  source = GOOD;
  CHECK(board_rng_read(b, 32) == BOARD_RNG_REPEAT && all_zero(b, 32), "the failure did not latch");
  // bounded: a silent generator costs at most RNG_POLLS_PER_WORD status reads a read
  reset_model(SILENT);
  board_rng_init();
  CHECK(board_rng_read(b, 4) == BOARD_RNG_NO_DATA, "silent generator");
}

int main() {
  health_vectors();
  driver();
  printf("rng: passed: %d failures\n", failures);
  return failures != 0;
}
