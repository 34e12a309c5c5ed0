/* crypto_engine.h, on mbedTLS 2.28's lowest-level API as the bootloader uses it (boot/boot_image.c),
 * with its restartable ECDSA verification: mbedtls_ecdsa_read_signature_restartable returns
 * MBEDTLS_ERR_ECP_IN_PROGRESS after CRYPTO_MAX_OPS basic operations and resumes from its restart
 * context at the next call. Only the operation at the head runs; its mbedTLS contexts are the only
 * ones alive. */
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
  uint32_t step, kind, len, hashed, seq;
  int32_t handle, result;
  uint8_t msg[CRYPTO_MSG_MAX];
  uint8_t point[1 + CRYPTO_POINT_BYTES]; /* 0x04 || x || y (SEC 1) */
  uint8_t sig[72];                       /* DER SEQUENCE { INTEGER r, INTEGER s } */
  uint32_t sig_len;
  uint8_t digest[32];
} op_t;

static op_t ops[CRYPTO_OPS];
static uint32_t next_seq, generation;
static op_t *running; /* the operation whose mbedTLS contexts are alive */
static mbedtls_sha256_context sha;
static mbedtls_ecdsa_context ecdsa;
static mbedtls_ecdsa_restart_ctx restart;
static uint8_t arena[CRYPTO_ARENA_BYTES] __attribute__((aligned(8)));

void crypto_engine_init(void) {
  mbedtls_memory_buffer_alloc_init(arena, sizeof arena);
  /* painted past the allocator's first header: the high-water mark is the last byte changed */
  memset(arena + ARENA_HEADER_BYTES, 0xA5, sizeof arena - ARENA_HEADER_BYTES);
  mbedtls_ecp_set_max_ops(CRYPTO_MAX_OPS);
  memset(ops, 0, sizeof ops);
  running = 0;
}

uint32_t crypto_engine_arena_peak(void) {
  uint32_t n = sizeof arena;
  while (n > ARENA_HEADER_BYTES && arena[n - 1] == 0xA5) n--;
  return n;
}

static void stop_running(void) {
  if (!running) return;
  mbedtls_sha256_free(&sha);
  mbedtls_ecdsa_restart_free(&restart);
  mbedtls_ecdsa_free(&ecdsa);
  running = 0;
}

static op_t *find(int32_t handle) {
  for (uint32_t i = 0; i < CRYPTO_OPS; i++)
    if (ops[i].step != STEP_FREE && ops[i].handle == handle && handle > 0) return &ops[i];
  return 0;
}

static void finish(op_t *o, int32_t result) {
  if (o == running) stop_running();
  o->step = STEP_DONE;
  o->result = result;
  memset(o->msg, 0, sizeof o->msg); /* inputs are not kept past their use (a MAC key among them) */
  memset(o->point, 0, sizeof o->point);
  memset(o->sig, 0, sizeof o->sig);
}

/* A free slot with the message copied in, or 0. */
static op_t *claim(const uint8_t *msg, uint32_t len, uint32_t kind) {
  for (uint32_t i = 0; i < CRYPTO_OPS; i++) {
    op_t *o = &ops[i];
    if (o->step != STEP_FREE) continue;
    memset(o, 0, sizeof *o);
    memcpy(o->msg, msg, len);
    o->len = len;
    o->kind = kind;
    o->seq = next_seq++;
    generation = (generation + 1) & 0x00FFFFFFu;
    o->handle = (int32_t)(generation << 2 | i) + 1; /* a reused slot gets a new handle */
    o->step = STEP_QUEUED;
    o->result = CRYPTO_PENDING;
    return o;
  }
  return 0;
}

int32_t crypto_engine_start_hash(const uint8_t *msg, uint32_t len) {
  if (len > CRYPTO_MSG_MAX) return CRYPTO_E_BAD_ARGUMENT;
  op_t *o = claim(msg, len, KIND_HASH);
  return o ? o->handle : CRYPTO_E_BUSY;
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
  return o->handle;
}

int32_t crypto_engine_poll(int32_t handle) {
  op_t *o = find(handle);
  return o ? o->result : CRYPTO_E_BAD_HANDLE;
}

uint32_t crypto_engine_output(int32_t handle, uint32_t index) {
  op_t *o = find(handle);
  if (!o || o->kind != KIND_HASH || o->result != CRYPTO_OK || index > 7) return 0;
  const uint8_t *d = o->digest + 4 * index;
  return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

void crypto_engine_cancel(int32_t handle) {
  op_t *o = find(handle);
  if (!o) return;
  if (o == running) stop_running();
  memset(o, 0, sizeof *o); /* STEP_FREE, inputs wiped */
}

int crypto_engine_point_valid(const uint8_t *point) {
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
  return err == 0;
}

/* The oldest operation not yet done. */
static op_t *head(void) {
  op_t *h = 0;
  for (uint32_t i = 0; i < CRYPTO_OPS; i++) {
    op_t *o = &ops[i];
    if (o->step != STEP_FREE && o->step != STEP_DONE && (!h || (int32_t)(o->seq - h->seq) < 0)) h = o;
  }
  return h;
}

int crypto_engine_slice(void) {
  op_t *o = running ? running : head();
  if (!o) return 0;
  int err;
  switch (o->step) {
  case STEP_QUEUED:
    running = o;
    mbedtls_sha256_init(&sha);
    mbedtls_ecdsa_init(&ecdsa);
    mbedtls_ecdsa_restart_init(&restart);
    o->step = mbedtls_sha256_starts_ret(&sha, 0) == 0 ? STEP_HASH : STEP_DONE;
    if (o->step == STEP_DONE) finish(o, CRYPTO_E_BAD_SIGNATURE);
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
  return head() != 0;
}
