/* The HAL's crypto imports (HAL ABI 4, docs/hal-abi.md "Crypto") on the board: keys by ID from OTP
 * (crypto_keys.c) or imported into volatile slots here, the work in crypto_engine.c, stepped by the
 * main loop's thread (board_crypto_background) while the ticks interrupt it, random bits from the health-tested TRNG
 * (rng.c). Every pointer the module passes is checked against its linear memory; inputs are copied at
 * the call; nothing here ever writes a key byte into the module's memory. */
#include <stdint.h>
#include <string.h>
#include "firmware.h"
#include "pen_abi.h"
#include "crypto_engine.h"
#include "crypto_keys.h"
#include "rng.h"

#define H struct Z_hal_instance_t *h

void board_panic_reset(void) __attribute__((noreturn));
uint8_t *board_module_memory(uint32_t *bytes); /* main.c: the module's linear memory */

/* in the ABI; declared here while the module does not import them yet (firmware.h has only imports) */
u32 Z_halZ_crypto_key_status(H, u32 key_id);
u32 Z_halZ_crypto_key_import(H, u32 pub_ptr);
void Z_halZ_crypto_key_destroy(H, u32 key_id);
u32 Z_halZ_crypto_hash_start(H, u32 msg_ptr, u32 msg_len);
u32 Z_halZ_crypto_verify_start(H, u32 key_id, u32 msg_ptr, u32 msg_len, u32 sig_ptr);
u32 Z_halZ_crypto_poll(H, u32 handle);
u32 Z_halZ_crypto_output(H, u32 handle, u32 index);
void Z_halZ_crypto_cancel(H, u32 handle);
u64 Z_halZ_crypto_random(H);

static uint8_t volatile_keys[CRYPTO_VOLATILE_KEYS][CRYPTO_POINT_BYTES];
static uint8_t volatile_used[CRYPTO_VOLATILE_KEYS];

/* mbedTLS's allocator found its arena corrupt (mbedtls_pen_config.h): driver off, reset. */
void crypto_fatal(int code) {
  (void)code;
  board_panic_reset();
}

void board_crypto_init(void) {
  crypto_engine_init();
  memset(volatile_keys, 0, sizeof volatile_keys);
  memset(volatile_used, 0, sizeof volatile_used);
}

/* The main loop's thread: one step of the oldest running operation (ports/crypto/README.md has how long
 * a step takes); the control tick interrupts it. */
void board_crypto_background(void) { (void)crypto_engine_slice(); }

/* Is a step waiting? The main loop sleeps only when not. */
int board_crypto_pending(void) { return crypto_engine_busy(); }

/* The module's bytes [ptr, ptr + len), or 0 when they are not all inside its linear memory. */
static const uint8_t *module_bytes(u32 ptr, u32 len) {
  uint32_t size;
  uint8_t *mem = board_module_memory(&size);
  if (!mem || ptr > size || len > size - ptr) return 0;
  return mem + ptr;
}

/* Key `id` into out (64 bytes): CRYPTO_OK with *len, or why not. */
static int32_t key_bytes(u32 id, uint8_t *out, uint32_t *len) {
  if (id >= KEY_ID_VOLATILE && id < KEY_ID_VOLATILE + CRYPTO_VOLATILE_KEYS) {
    if (!volatile_used[id - KEY_ID_VOLATILE]) return CRYPTO_E_NO_KEY;
    memcpy(out, volatile_keys[id - KEY_ID_VOLATILE], CRYPTO_POINT_BYTES);
    *len = CRYPTO_POINT_BYTES;
    return CRYPTO_OK;
  }
  int32_t r = crypto_key_read(id, out, len);
  if (r == CRYPTO_OK && *len == CRYPTO_POINT_BYTES && !crypto_engine_point_valid(out)) r = CRYPTO_E_MALFORMED_KEY;
  return r;
}

u32 Z_halZ_crypto_key_status(H, u32 key_id) {
  (void)h;
  uint8_t key[64];
  uint32_t len;
  int32_t r = key_bytes(key_id, key, &len);
  memset(key, 0, sizeof key);
  return (u32)r;
}

u32 Z_halZ_crypto_key_import(H, u32 pub_ptr) {
  (void)h;
  const uint8_t *pub = module_bytes(pub_ptr, CRYPTO_POINT_BYTES);
  if (!pub) return (u32)CRYPTO_E_BAD_ARGUMENT;
  uint8_t point[CRYPTO_POINT_BYTES];
  memcpy(point, pub, sizeof point); /* one copy, checked and kept: the module cannot change it between */
  if (!crypto_engine_point_valid(point)) return (u32)CRYPTO_E_MALFORMED_KEY;
  for (uint32_t i = 0; i < CRYPTO_VOLATILE_KEYS; i++) {
    if (volatile_used[i]) continue;
    memcpy(volatile_keys[i], point, sizeof point);
    volatile_used[i] = 1;
    return KEY_ID_VOLATILE + i;
  }
  return (u32)CRYPTO_E_BUSY;
}

void Z_halZ_crypto_key_destroy(H, u32 key_id) {
  (void)h;
  if (key_id < KEY_ID_VOLATILE || key_id >= KEY_ID_VOLATILE + CRYPTO_VOLATILE_KEYS) return;
  memset(volatile_keys[key_id - KEY_ID_VOLATILE], 0, CRYPTO_POINT_BYTES);
  volatile_used[key_id - KEY_ID_VOLATILE] = 0; /* started checks keep their own copy of the point */
}

u32 Z_halZ_crypto_hash_start(H, u32 msg_ptr, u32 msg_len) {
  (void)h;
  const uint8_t *msg = msg_len <= CRYPTO_MAX_MESSAGE_BYTES ? module_bytes(msg_ptr, msg_len) : 0;
  if (!msg) return (u32)CRYPTO_E_BAD_ARGUMENT;
  return (u32)crypto_engine_start_hash(msg, msg_len);
}

u32 Z_halZ_crypto_verify_start(H, u32 key_id, u32 msg_ptr, u32 msg_len, u32 sig_ptr) {
  (void)h;
  uint8_t key[64];
  uint32_t len;
  int32_t r = key_bytes(key_id, key, &len);
  if (r == CRYPTO_OK) {
    const uint8_t *msg = msg_len <= CRYPTO_MAX_MESSAGE_BYTES ? module_bytes(msg_ptr, msg_len) : 0;
    const uint8_t *sig = module_bytes(sig_ptr, CRYPTO_SIG_BYTES);
    r = msg && sig && len == CRYPTO_POINT_BYTES ? crypto_engine_start_ecdsa(msg, msg_len, key, sig)
                                                : CRYPTO_E_BAD_ARGUMENT;
  }
  return (u32)r;
}

u32 Z_halZ_crypto_poll(H, u32 handle) {
  (void)h;
  return (u32)crypto_engine_poll((int32_t)handle);
}

u32 Z_halZ_crypto_output(H, u32 handle, u32 index) {
  (void)h;
  return crypto_engine_output((int32_t)handle, index);
}

void Z_halZ_crypto_cancel(H, u32 handle) {
  (void)h;
  crypto_engine_cancel((int32_t)handle);
}

u64 Z_halZ_crypto_random(H) {
  (void)h;
  uint8_t b[4];
  if (board_rng_read(b, sizeof b) != BOARD_RNG_OK) return (u64)(int64_t)CRYPTO_E_RNG_HEALTH;
  return (u64)((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]);
}
