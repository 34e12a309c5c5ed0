/* The board's crypto imports (board/crypto_hal.c, crypto_keys.c, crypto_engine.c) on the host with
 * mbedTLS built for it, as HAL ABI 4 (docs/hal-abi.md "Crypto") describes them: keys by ID from an
 * array standing in for OTP, refusals with their reasons, the module's pointers checked, operations
 * stepped as the main loop steps them, random bits only from a healthy generator, and no key byte
 * from OTP ever in the module's memory. Built and run by tests/sim/port-crypto.test.ts (not a
 * *_test.cpp: it needs the crypto library, which port-drivers.test.ts does not build). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "firmware.h"
#include "pen_abi.h"
#include "crypto_engine.h"
#include "crypto_vectors.h"
#include "../board/otp_layout.h"
#include "../board/rng.h"

#define H struct Z_hal_instance_t *h
u32 Z_halZ_crypto_key_status(H, u32 key_id);
u32 Z_halZ_crypto_key_import(H, u32 pub_ptr);
void Z_halZ_crypto_key_destroy(H, u32 key_id);
u32 Z_halZ_crypto_hash_start(H, u32 msg_ptr, u32 msg_len);
u32 Z_halZ_crypto_verify_start(H, u32 key_id, u32 msg_ptr, u32 msg_len, u32 sig_ptr);
u32 Z_halZ_crypto_poll(H, u32 handle);
u32 Z_halZ_crypto_output(H, u32 handle, u32 index);
void Z_halZ_crypto_cancel(H, u32 handle);
u64 Z_halZ_crypto_random(H);
void board_crypto_init(void);
void board_crypto_background(void);

static int failures;
#define CHECK(cond, ...)                                                                                               \
  do {                                                                                                                 \
    if (!(cond)) {                                                                                                     \
      failures++;                                                                                                      \
      printf("FAIL %s:%d: ", __FILE__, __LINE__);                                                                      \
      printf(__VA_ARGS__);                                                                                             \
      printf("\n");                                                                                                    \
    }                                                                                                                  \
  } while (0)

/* ---- what the board gives the crypto HAL ---- */
uint8_t crypto_keys_test_otp[512];
static uint8_t memory[65536]; /* the module's linear memory */
static uint32_t rng_status = BOARD_RNG_OK;
static uint32_t rng_counter;
static struct Z_hal_instance_t hal;

void board_panic_reset(void) {
  printf("FAIL the HAL reset the pen\n");
  exit(1);
}
uint8_t *board_module_memory(uint32_t *bytes) {
  *bytes = sizeof memory;
  return memory;
}
uint32_t board_rng_read(uint8_t *out, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) out[i] = rng_status == BOARD_RNG_OK ? (uint8_t)(rng_counter++ * 37u + 11u) : 0;
  return rng_status;
}

/* the module's buffers */
enum { MSG = 0x1000, SIG = 0x2000, PUB = 0x3000 };

static void provision(uint8_t fill) {
  memset(crypto_keys_test_otp, 0xFF, sizeof crypto_keys_test_otp);
  if (fill == 0xFF) return;
  if (fill == 0) {
    memset(crypto_keys_test_otp, 0, 4 * OTP_BLOCK_BYTES);
    return;
  }
  memcpy(crypto_keys_test_otp + OTP_BLOCK_CARTRIDGE_MAKER * OTP_BLOCK_BYTES, vec_pub, 64);
  memcpy(crypto_keys_test_otp + OTP_BLOCK_LICENCE_MAKER * OTP_BLOCK_BYTES, vec_other_pub, 64);
}

/* Steps the engine as the main loop does until `handle` is no longer pending; returns its result. */
static int32_t finish(int32_t handle) {
  for (int i = 0; i < 100000 && (int32_t)Z_halZ_crypto_poll(&hal, (u32)handle) == CRYPTO_PENDING; i++)
    board_crypto_background();
  return (int32_t)Z_halZ_crypto_poll(&hal, (u32)handle);
}

static int32_t verify(u32 key, const uint8_t *sig, uint32_t sig_len) {
  memcpy(memory + SIG, sig, sig_len);
  return (int32_t)Z_halZ_crypto_verify_start(&hal, key, MSG, sizeof vec_msg, SIG);
}

static void key_refusals(void) {
  provision(0xFF);
  for (u32 id = 1; id <= 2; id++)
    CHECK((int32_t)Z_halZ_crypto_key_status(&hal, id) == CRYPTO_E_UNPROVISIONED, "key %u: erased OTP", id);
  CHECK(verify(KEY_ID_CARTRIDGE_MAKER, vec_sig, 64) == CRYPTO_E_UNPROVISIONED, "verify with an erased key");
  provision(0);
  for (u32 id = 1; id <= 2; id++)
    CHECK((int32_t)Z_halZ_crypto_key_status(&hal, id) == CRYPTO_E_ZERO_KEY, "key %u: zero OTP", id);
  CHECK(verify(KEY_ID_LICENCE_MAKER, vec_sig, 64) == CRYPTO_E_ZERO_KEY, "verify with a zero key");
  provision(1);
  memcpy(crypto_keys_test_otp + OTP_BLOCK_CARTRIDGE_MAKER * OTP_BLOCK_BYTES, vec_off_curve_pub, 64);
  CHECK((int32_t)Z_halZ_crypto_key_status(&hal, KEY_ID_CARTRIDGE_MAKER) == CRYPTO_E_MALFORMED_KEY, "off the curve");
  CHECK(verify(KEY_ID_CARTRIDGE_MAKER, vec_sig, 64) == CRYPTO_E_MALFORMED_KEY, "verify with a point off the curve");
  for (u32 id = 0; id < 300; id++)
    if (id != KEY_ID_CARTRIDGE_MAKER && id != KEY_ID_LICENCE_MAKER)
      CHECK((int32_t)Z_halZ_crypto_key_status(&hal, id) == CRYPTO_E_NO_KEY, "key %u should not exist", id);
  CHECK((int32_t)Z_halZ_crypto_key_status(&hal, 0xFFFFFFFFu) == CRYPTO_E_NO_KEY, "key -1");
}

static void checks(void) {
  provision(1);
  for (u32 id = 1; id <= 2; id++) CHECK(Z_halZ_crypto_key_status(&hal, id) == CRYPTO_OK, "key %u provisioned", id);
  int32_t hd = verify(KEY_ID_CARTRIDGE_MAKER, vec_sig, 64);
  CHECK(hd > 0, "start: %d", hd);
  memset(memory + MSG, 0xEE, sizeof vec_msg); /* the inputs were copied at the call */
  memcpy(memory + MSG, vec_msg, sizeof vec_msg);
  memset(memory + SIG, 0xEE, 64);
  CHECK((int32_t)Z_halZ_crypto_poll(&hal, (u32)hd) == CRYPTO_PENDING, "a check is pending at first");
  CHECK(finish(hd) == CRYPTO_OK, "a good signature: %d", finish(hd));
  CHECK(finish(hd) == CRYPTO_OK, "the result stays until cancel");
  CHECK(Z_halZ_crypto_output(&hal, (u32)hd, 0) == 0, "a check has no output");
  Z_halZ_crypto_cancel(&hal, (u32)hd);
  CHECK((int32_t)Z_halZ_crypto_poll(&hal, (u32)hd) == CRYPTO_E_BAD_HANDLE, "cancelled");

  struct {
    u32 key;
    const uint8_t *sig;
    uint32_t len;
    int32_t want;
  } cases[] = {
      {KEY_ID_CARTRIDGE_MAKER, vec_sig_bad, 64, CRYPTO_E_BAD_SIGNATURE},
      {KEY_ID_LICENCE_MAKER, vec_sig, 64, CRYPTO_E_BAD_SIGNATURE}, /* another maker's key */
  };
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    hd = verify(cases[i].key, cases[i].sig, cases[i].len);
    int32_t r = finish(hd);
    CHECK(hd > 0 && r == cases[i].want, "case %u: handle %d, result %d, want %d", i, hd, r, cases[i].want);
    Z_halZ_crypto_cancel(&hal, (u32)hd);
  }
  /* r = 0 and s = n are outside 1..n-1: refused by the check, not by a crash */
  uint8_t zero_r[64];
  memcpy(zero_r, vec_sig, 64);
  memset(zero_r, 0, 32);
  hd = verify(KEY_ID_CARTRIDGE_MAKER, zero_r, 64);
  CHECK(finish(hd) == CRYPTO_E_BAD_SIGNATURE, "r = 0");
  Z_halZ_crypto_cancel(&hal, (u32)hd);
}

static void hashes_and_arguments(void) {
  memcpy(memory + MSG, vec_abc, 3);
  int32_t hd = (int32_t)Z_halZ_crypto_hash_start(&hal, MSG, 3);
  CHECK(finish(hd) == CRYPTO_OK, "hash");
  for (u32 i = 0; i < 8; i++) {
    const uint8_t *d = vec_abc_sha256 + 4 * i;
    CHECK(Z_halZ_crypto_output(&hal, (u32)hd, i) == ((u32)d[0] << 24 | (u32)d[1] << 16 | (u32)d[2] << 8 | d[3]),
          "digest word %u", i);
  }
  CHECK(Z_halZ_crypto_output(&hal, (u32)hd, 8) == 0, "word 8");
  Z_halZ_crypto_cancel(&hal, (u32)hd);
  memcpy(memory + MSG, vec_msg, sizeof vec_msg);

  CHECK((int32_t)Z_halZ_crypto_hash_start(&hal, MSG, 257) == CRYPTO_E_BAD_ARGUMENT, "257 bytes");
  CHECK((int32_t)Z_halZ_crypto_hash_start(&hal, 65536 - 10, 11) == CRYPTO_E_BAD_ARGUMENT, "past the end");
  CHECK((int32_t)Z_halZ_crypto_hash_start(&hal, 0xFFFFFFF0u, 32) == CRYPTO_E_BAD_ARGUMENT, "wrapping");
  CHECK((int32_t)Z_halZ_crypto_hash_start(&hal, 65536, 0) > 0, "an empty message at the end is inside");
  CHECK((int32_t)Z_halZ_crypto_verify_start(&hal, KEY_ID_CARTRIDGE_MAKER, MSG, 16, 65536 - 63) == CRYPTO_E_BAD_ARGUMENT,
        "signature past the end");
  CHECK((int32_t)Z_halZ_crypto_key_import(&hal, 65536 - 63) == CRYPTO_E_BAD_ARGUMENT, "key past the end");

  /* four operations at once; the fifth is refused until one ends */
  int32_t open[4];
  open[0] = 0;
  board_crypto_init();
  for (int i = 0; i < 4; i++) open[i] = (int32_t)Z_halZ_crypto_hash_start(&hal, MSG, 16);
  CHECK((int32_t)Z_halZ_crypto_hash_start(&hal, MSG, 16) == CRYPTO_E_BUSY, "a fifth operation");
  Z_halZ_crypto_cancel(&hal, (u32)open[2]);
  int32_t again = (int32_t)Z_halZ_crypto_hash_start(&hal, MSG, 16);
  CHECK(again > 0 && again != open[2], "a freed slot gives a new handle (%d, was %d)", again, open[2]);
  CHECK((int32_t)Z_halZ_crypto_poll(&hal, (u32)open[2]) == CRYPTO_E_BAD_HANDLE, "the old handle is dead");
  for (int i = 0; i < 4; i++) Z_halZ_crypto_cancel(&hal, (u32)(i == 2 ? again : open[i]));
  CHECK((int32_t)Z_halZ_crypto_poll(&hal, 12345) == CRYPTO_E_BAD_HANDLE, "a handle never given");
  Z_halZ_crypto_cancel(&hal, 12345); /* ignored */
}

static void imported_keys(void) {
  memcpy(memory + PUB, vec_import_pub, 64);
  int32_t id = (int32_t)Z_halZ_crypto_key_import(&hal, PUB);
  CHECK(id == KEY_ID_VOLATILE, "import: %d", id);
  memset(memory + PUB, 0, 64);
  int32_t hd = verify((u32)id, vec_import_sig, 64);
  Z_halZ_crypto_key_destroy(&hal, (u32)id); /* a started check keeps its copy */
  CHECK(finish(hd) == CRYPTO_OK, "a check with an imported key");
  Z_halZ_crypto_cancel(&hal, (u32)hd);
  CHECK((int32_t)Z_halZ_crypto_key_status(&hal, (u32)id) == CRYPTO_E_NO_KEY, "destroyed");
  uint8_t bad[3][64];
  memcpy(bad[0], vec_off_curve_pub, 64);
  memset(bad[1], 0, 64);
  memset(bad[2], 0xFF, 64);
  for (int i = 0; i < 3; i++) {
    memcpy(memory + PUB, bad[i], 64);
    CHECK((int32_t)Z_halZ_crypto_key_import(&hal, PUB) == CRYPTO_E_MALFORMED_KEY, "bad key %d imported", i);
  }
  memcpy(memory + PUB, vec_import_pub, 64);
  for (int i = 0; i < 4; i++) CHECK((int32_t)Z_halZ_crypto_key_import(&hal, PUB) == KEY_ID_VOLATILE + i, "slot %d", i);
  CHECK((int32_t)Z_halZ_crypto_key_import(&hal, PUB) == CRYPTO_E_BUSY, "a fifth volatile key");
  for (int i = 0; i < 4; i++) Z_halZ_crypto_key_destroy(&hal, KEY_ID_VOLATILE + i);
  Z_halZ_crypto_key_destroy(&hal, KEY_ID_CARTRIDGE_MAKER); /* ignored: provisioned keys stay */
  CHECK(Z_halZ_crypto_key_status(&hal, KEY_ID_CARTRIDGE_MAKER) == CRYPTO_OK, "a provisioned key was destroyed");
}

static void random_bits(void) {
  rng_status = BOARD_RNG_OK;
  int64_t a = (int64_t)Z_halZ_crypto_random(&hal), b = (int64_t)Z_halZ_crypto_random(&hal);
  CHECK(a >= 0 && a <= 0xFFFFFFFFll && b >= 0 && a != b, "random: %lld %lld", (long long)a, (long long)b);
  rng_status = BOARD_RNG_APT;
  CHECK((int64_t)Z_halZ_crypto_random(&hal) == CRYPTO_E_RNG_HEALTH, "a failed generator gave bits");
  rng_status = BOARD_RNG_NO_DATA;
  CHECK((int64_t)Z_halZ_crypto_random(&hal) == CRYPTO_E_RNG_HEALTH, "a silent generator gave bits");
  rng_status = BOARD_RNG_OK;
}

/* No 8 consecutive bytes of an OTP key anywhere in the module's memory. */
static void no_key_in_memory(void) {
  const uint8_t *keys[2] = {vec_pub, vec_other_pub};
  const uint32_t lens[2] = {64, 64};
  for (int k = 0; k < 2; k++)
    for (uint32_t off = 0; off + 8 <= lens[k]; off++)
      for (uint32_t at = 0; at + 8 <= sizeof memory; at++)
        if (memory[at] == keys[k][off] && memcmp(memory + at, keys[k] + off, 8) == 0) {
          CHECK(0, "bytes %u.. of key %d found at %u of the module's memory", off, k, at);
          return;
        }
}

int main(void) {
  board_crypto_init();
  memcpy(memory + MSG, vec_msg, sizeof vec_msg);
  key_refusals();
  checks();
  hashes_and_arguments();
  imported_keys();
  random_bits();
  no_key_in_memory();
  printf("crypto HAL: arena peak %u bytes\n", crypto_engine_arena_peak());
  printf("crypto HAL: passed: %d failures\n", failures);
  return failures != 0;
}
