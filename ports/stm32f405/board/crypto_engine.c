/* crypto_engine.h, on mbedTLS 2.28's lowest-level API as the bootloader uses it (boot/boot_image.c),
 * with its restartable ECDSA verification: mbedtls_ecdsa_read_signature_restartable returns
 * MBEDTLS_ERR_ECP_IN_PROGRESS after CRYPTO_MAX_OPS basic operations and resumes from its restart
 * context at the next call. Only the operation at the head runs; its mbedTLS contexts are the only
 * ones alive.
 *
 * Two sides share the slots: the tick side (start, poll, output, cancel, point_valid; the control
 * tick's interrupt on the board) and the background (crypto_engine_slice; thread mode). The tick
 * interrupts the background, never the other way round, so each tick-side call runs whole between two
 * instructions of the background. A slot's `step` says who owns it: FREE and DONE slots the tick side,
 * the others the background, which the tick side then only reads, or asks to stop (`cancel`); the
 * background gives a slot back by writing `step` last. A cancelled slot stays taken until the
 * background has finished its step and wiped it, so a start cannot reuse its buffers meanwhile. */
#include <string.h>
#include "crypto_engine.h"
#include "pen_abi.h"
#include "mbedtls/ecdsa.h"
#include "mbedtls/ecp.h"
#include "mbedtls/memory_buffer_alloc.h"
#include "mbedtls/sha256.h"

#ifndef CRYPTO_ARENA_BYTES
#define CRYPTO_ARENA_BYTES 6144u /* mbedTLS's heap: a restartable verification peaks at about 4.5 KiB */
#endif
#define ARENA_HEADER_BYTES 64u /* memory_buffer_alloc.c's first block header, with room */
#define HASH_BYTES_PER_SLICE 128u

enum { KIND_HASH, KIND_ECDSA };
enum { STEP_FREE, STEP_QUEUED, STEP_HASH, STEP_KEY, STEP_VERIFY, STEP_DONE };

typedef struct {
  volatile uint32_t step;   /* STEP_*: written last when a slot changes hands */
  volatile uint32_t cancel; /* the tick side asks the background to drop the slot after its step */
  volatile int32_t handle, result;
  uint32_t kind, len, hashed, seq;
  uint8_t msg[CRYPTO_MSG_MAX];
  uint8_t point[1 + CRYPTO_POINT_BYTES]; /* 0x04 || x || y (SEC 1) */
  uint8_t sig[72];                       /* DER SEQUENCE { INTEGER r, INTEGER s } */
  uint32_t sig_len;
  uint8_t digest[32];
} op_t;

static op_t ops[CRYPTO_OPS];
static uint32_t next_seq, generation;
static op_t *volatile running; /* the operation the background holds: its mbedTLS contexts are alive */
#define BARRIER() __asm__ volatile("" ::: "memory") /* one core: keeping the compiler's order is enough */
static mbedtls_sha256_context sha;
static mbedtls_ecdsa_context ecdsa;
static mbedtls_ecdsa_restart_ctx restart;
static uint8_t arena[CRYPTO_ARENA_BYTES] __attribute__((aligned(8)));

/* The tick side's point checks (crypto_engine_point_valid) may interrupt the background inside
 * mbedTLS's allocator, which is not re-entrant: they allocate from an arena of their own, a stack
 * emptied after each check. The linker sends mbedTLS's calls to mbedtls_calloc and mbedtls_free here
 * (--wrap, tools/build/port-crypto.ts). */
#ifndef CRYPTO_TICK_ARENA_BYTES
#define CRYPTO_TICK_ARENA_BYTES 1536u /* a P-256 point check peaks at about 0.8 KiB */
#endif
static uint8_t tick_arena[CRYPTO_TICK_ARENA_BYTES] __attribute__((aligned(8)));
static uint32_t tick_arena_used, tick_arena_peak, tick_arena_on;
void *__real_mbedtls_calloc(size_t n, size_t size);
void __real_mbedtls_free(void *p);

void *__wrap_mbedtls_calloc(size_t n, size_t size) {
  if (!tick_arena_on) return __real_mbedtls_calloc(n, size);
  if (size && n > (CRYPTO_TICK_ARENA_BYTES - tick_arena_used) / size) return 0; /* mbedTLS: allocation failed */
  uint32_t bytes = ((uint32_t)(n * size) + 7u) & ~7u;
  if (bytes > CRYPTO_TICK_ARENA_BYTES - tick_arena_used) return 0;
  void *p = tick_arena + tick_arena_used;
  memset(p, 0, bytes);
  tick_arena_used += bytes;
  if (tick_arena_used > tick_arena_peak) tick_arena_peak = tick_arena_used;
  return p;
}

void __wrap_mbedtls_free(void *p) {
  if ((uint8_t *)p >= tick_arena && (uint8_t *)p < tick_arena + sizeof tick_arena) return; /* emptied at the end */
  __real_mbedtls_free(p);
}

void crypto_engine_init(void) {
  mbedtls_memory_buffer_alloc_init(arena, sizeof arena);
  /* painted past the allocator's first header: the high-water mark is the last byte changed */
  memset(arena + ARENA_HEADER_BYTES, 0xA5, sizeof arena - ARENA_HEADER_BYTES);
  mbedtls_ecp_set_max_ops(CRYPTO_MAX_OPS);
  memset(ops, 0, sizeof ops);
  running = 0;
  tick_arena_used = tick_arena_peak = tick_arena_on = 0;
}

uint32_t crypto_engine_tick_arena_peak(void) { return tick_arena_peak; }

uint32_t crypto_engine_arena_peak(void) {
  uint32_t n = sizeof arena;
  while (n > ARENA_HEADER_BYTES && arena[n - 1] == 0xA5) n--;
  return n;
}

/* Background: the mbedTLS contexts of the operation it holds freed (their memory back to the arena). */
static void free_contexts(void) {
  mbedtls_sha256_free(&sha);
  mbedtls_ecdsa_restart_free(&restart);
  mbedtls_ecdsa_free(&ecdsa);
}

/* Tick side: a live operation (a cancelled one is gone for its caller). */
static op_t *find(int32_t handle) {
  for (uint32_t i = 0; i < CRYPTO_OPS; i++)
    if (ops[i].step != STEP_FREE && !ops[i].cancel && ops[i].handle == handle && handle > 0) return &ops[i];
  return 0;
}

/* Inputs are not kept past their use (a MAC key among them). */
static void wipe_inputs(op_t *o) {
  memset(o->msg, 0, sizeof o->msg);
  memset(o->point, 0, sizeof o->point);
  memset(o->sig, 0, sizeof o->sig);
}

/* Background: the held operation ends; its result and digest are written before the slot goes to the
 * tick side. */
static void finish(op_t *o, int32_t result) {
  free_contexts();
  wipe_inputs(o);
  o->result = result;
  BARRIER();
  o->step = STEP_DONE;
  BARRIER();
  running = 0;
}

/* Background: every slot whose cancel the tick side asked for, wiped and given back. Such a slot is the
 * background's alone (find() no longer returns it and a start takes only free slots). */
static void release_cancelled(void) {
  for (uint32_t i = 0; i < CRYPTO_OPS; i++) {
    op_t *o = &ops[i];
    if (!o->cancel || o->step == STEP_FREE) continue;
    if (o == running) free_contexts(), running = 0;
    wipe_inputs(o);
    memset(o->digest, 0, sizeof o->digest);
    o->handle = 0;
    o->cancel = 0;
    BARRIER();
    o->step = STEP_FREE;
  }
}

/* Tick side: a free slot with the message copied in, or 0. The caller fills the rest, then queue()
 * hands it to the background. */
static op_t *claim(const uint8_t *msg, uint32_t len, uint32_t kind) {
  for (uint32_t i = 0; i < CRYPTO_OPS; i++) {
    op_t *o = &ops[i];
    if (o->step != STEP_FREE) continue;
    memset(o->msg, 0, sizeof o->msg);
    memcpy(o->msg, msg, len);
    memset(o->digest, 0, sizeof o->digest);
    o->len = len;
    o->kind = kind;
    o->hashed = 0;
    o->sig_len = 0;
    o->cancel = 0;
    o->seq = next_seq++;
    generation = (generation + 1) & 0x00FFFFFFu;
    o->handle = (int32_t)(generation << 2 | i) + 1; /* a reused slot gets a new handle */
    o->result = CRYPTO_PENDING;
    return o;
  }
  return 0;
}

static int32_t queue(op_t *o) {
  BARRIER();
  o->step = STEP_QUEUED;
  return o->handle;
}

int32_t crypto_engine_start_hash(const uint8_t *msg, uint32_t len) {
  if (len > CRYPTO_MSG_MAX) return CRYPTO_E_BAD_ARGUMENT;
  op_t *o = claim(msg, len, KIND_HASH);
  return o ? queue(o) : CRYPTO_E_BUSY;
}

/* One INTEGER of DER from 32 big-endian bytes: leading zeros dropped, a zero byte put in front when the
 * top bit is set (X.690 8.3.2). */
static uint32_t der_integer(uint8_t *out, const uint8_t *be) {
  uint32_t skip = 0;
  while (skip < 31 && be[skip] == 0) skip++;
  uint32_t n = 32 - skip, pad = be[skip] >> 7;
  out[0] = 0x02;
  out[1] = (uint8_t)(n + pad);
  out[2] = 0;
  memcpy(out + 2 + pad, be + skip, n);
  return 2 + pad + n;
}

int32_t crypto_engine_start_ecdsa(const uint8_t *msg, uint32_t len, const uint8_t *point, const uint8_t *sig) {
  if (len > CRYPTO_MSG_MAX) return CRYPTO_E_BAD_ARGUMENT;
  op_t *o = claim(msg, len, KIND_ECDSA);
  if (!o) return CRYPTO_E_BUSY;
  o->point[0] = 0x04;
  memcpy(o->point + 1, point, CRYPTO_POINT_BYTES);
  uint32_t n = der_integer(o->sig + 2, sig);
  n += der_integer(o->sig + 2 + n, sig + 32);
  o->sig[0] = 0x30;
  o->sig[1] = (uint8_t)n;
  o->sig_len = n + 2;
  return queue(o);
}

int32_t crypto_engine_poll(int32_t handle) {
  op_t *o = find(handle);
  if (!o) return CRYPTO_E_BAD_HANDLE;
  return o->step == STEP_DONE ? o->result : CRYPTO_PENDING;
}

uint32_t crypto_engine_output(int32_t handle, uint32_t index) {
  op_t *o = find(handle);
  if (!o || o->step != STEP_DONE || o->kind != KIND_HASH || o->result != CRYPTO_OK || index > 7) return 0;
  const uint8_t *d = o->digest + 4 * index;
  return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

/* Tick side. A finished operation, or a queued one the background has not taken, is freed at once; one
 * the background holds is dropped by the background after its current step (release_cancelled). */
void crypto_engine_cancel(int32_t handle) {
  op_t *o = find(handle);
  if (!o) return;
  if (o->step == STEP_DONE || (o->step == STEP_QUEUED && o != running)) {
    memset(o, 0, sizeof *o); /* STEP_FREE, inputs wiped */
    return;
  }
  o->cancel = 1;
}

int crypto_engine_busy(void) {
  if (running) return 1;
  for (uint32_t i = 0; i < CRYPTO_OPS; i++)
    if (ops[i].cancel || (ops[i].step != STEP_FREE && ops[i].step != STEP_DONE)) return 1;
  return 0;
}

int crypto_engine_point_valid(const uint8_t *point) {
  tick_arena_on = 1;
  mbedtls_ecp_group grp;
  mbedtls_ecp_point q;
  uint8_t bin[1 + CRYPTO_POINT_BYTES];
  bin[0] = 0x04;
  memcpy(bin + 1, point, CRYPTO_POINT_BYTES);
  mbedtls_ecp_group_init(&grp);
  mbedtls_ecp_point_init(&q);
  int err = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1);
  if (!err) err = mbedtls_ecp_point_read_binary(&grp, &q, bin, sizeof bin);
  if (!err) err = mbedtls_ecp_check_pubkey(&grp, &q); /* coordinates < p, on the curve */
  mbedtls_ecp_point_free(&q);
  mbedtls_ecp_group_free(&grp);
  memset(tick_arena, 0, tick_arena_used); /* public data, but the arena starts clean each time */
  tick_arena_used = 0;
  tick_arena_on = 0;
  return err == 0;
}

/* Background: the oldest queued operation, now held (running), or 0. The tick side may free or reuse
 * the slot between the search and `running = o`: it is taken only if it is still the same queued one. */
static op_t *take(void) {
  op_t *h = 0;
  for (uint32_t i = 0; i < CRYPTO_OPS; i++) {
    op_t *o = &ops[i];
    if (o->step == STEP_QUEUED && !o->cancel && (!h || (int32_t)(o->seq - h->seq) < 0)) h = o;
  }
  if (!h) return 0;
  int32_t handle = h->handle;
  running = h;
  BARRIER();
  if (h->step != STEP_QUEUED || h->handle != handle || h->cancel) {
    running = 0;
    return 0;
  }
  return h;
}

int crypto_engine_slice(void) {
  release_cancelled();
  op_t *o = running ? running : take();
  if (!o) return crypto_engine_busy();
  int err;
  switch (o->step) {
  case STEP_QUEUED:
    mbedtls_sha256_init(&sha);
    mbedtls_ecdsa_init(&ecdsa);
    mbedtls_ecdsa_restart_init(&restart);
    if (mbedtls_sha256_starts_ret(&sha, 0) == 0)
      o->step = STEP_HASH;
    else
      finish(o, CRYPTO_E_BAD_SIGNATURE);
    break;
  case STEP_HASH: {
    uint32_t n = o->len - o->hashed;
    if (n > HASH_BYTES_PER_SLICE) n = HASH_BYTES_PER_SLICE;
    err = mbedtls_sha256_update_ret(&sha, o->msg + o->hashed, n);
    o->hashed += n;
    if (!err && o->hashed < o->len) break;
    if (!err) err = mbedtls_sha256_finish_ret(&sha, o->digest);
    if (err)
      finish(o, CRYPTO_E_BAD_SIGNATURE);
    else if (o->kind == KIND_HASH)
      finish(o, CRYPTO_OK); /* the digest stays for crypto_engine_output */
    else
      o->step = STEP_KEY;
    break;
  }
  case STEP_KEY: /* the group's constants and the point (checked on the curve when it was taken) */
    err = mbedtls_ecp_group_load(&ecdsa.grp, MBEDTLS_ECP_DP_SECP256R1);
    if (!err) err = mbedtls_ecp_point_read_binary(&ecdsa.grp, &ecdsa.Q, o->point, sizeof o->point);
    if (!err) err = mbedtls_ecp_check_pubkey(&ecdsa.grp, &ecdsa.Q);
    if (err)
      finish(o, CRYPTO_E_MALFORMED_KEY);
    else
      o->step = STEP_VERIFY;
    break;
  case STEP_VERIFY:
    err = mbedtls_ecdsa_read_signature_restartable(&ecdsa, o->digest, sizeof o->digest, o->sig, o->sig_len, &restart);
    if (err == MBEDTLS_ERR_ECP_IN_PROGRESS) break;
    finish(o, err ? CRYPTO_E_BAD_SIGNATURE : CRYPTO_OK); /* r or s outside 1..n-1 fail here too */
    break;
  default:
    break;
  }
  release_cancelled(); /* a cancel that came during the step */
  return crypto_engine_busy();
}
