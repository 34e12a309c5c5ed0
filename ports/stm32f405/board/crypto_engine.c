/* crypto_engine.h: mbedTLS 2.28's lowest-level API, as the bootloader uses it (boot/boot_image.c),
 * with its restartable ECDSA verification: mbedtls_ecdsa_read_signature_restartable returns
 * MBEDTLS_ERR_ECP_IN_PROGRESS after CRYPTO_MAX_OPS basic operations and resumes from its restart
 * context at the next call. Everything runs in the main loop's thread, so a cancel from the tick
 * never meets a half-done step. */
#include <string.h>
#include "crypto_engine.h"
#include "mbedtls/ecdsa.h"
#include "mbedtls/ecp.h"
#include "mbedtls/memory_buffer_alloc.h"
#include "mbedtls/sha256.h"

#ifndef CRYPTO_ARENA_BYTES
#define CRYPTO_ARENA_BYTES 8192u /* mbedTLS's heap: the restartable verification's peak is about 5 KiB */
#endif

#define ARENA_HEADER_BYTES 64u /* memory_buffer_alloc.c's first block header, with room */

enum { STEP_NONE, STEP_HASH, STEP_KEY, STEP_VERIFY, STEP_DONE };

static struct {
  uint8_t msg[CRYPTO_MSG_MAX];
  uint32_t len, hashed;
  uint8_t pub[1 + CRYPTO_PUBKEY_BYTES]; /* 0x04 || x || y: SEC 1's uncompressed point */
  uint8_t sig_der[72];                  /* SEQUENCE { INTEGER r, INTEGER s } */
  uint32_t sig_der_len;
  uint8_t digest[CRYPTO_DIGEST_BYTES];
  int verify; /* a verification, not only a hash */
  uint32_t step, outcome, reason;
} job;

static mbedtls_sha256_context sha;
static mbedtls_ecdsa_context ecdsa;
static mbedtls_ecdsa_restart_ctx restart;
static int contexts_live;
static uint8_t arena[CRYPTO_ARENA_BYTES] __attribute__((aligned(8)));

void crypto_engine_init(void) {
  mbedtls_memory_buffer_alloc_init(arena, sizeof arena);
  /* painted past the allocator's first header: the high-water mark is the last byte changed */
  memset(arena + ARENA_HEADER_BYTES, 0xA5, sizeof arena - ARENA_HEADER_BYTES);
  mbedtls_ecp_set_max_ops(CRYPTO_MAX_OPS);
  memset(&job, 0, sizeof job);
}

uint32_t crypto_engine_arena_peak(void) {
  uint32_t n = sizeof arena;
  while (n && arena[n - 1] == 0xA5) n--;
  return n;
}

static void free_contexts(void) {
  if (!contexts_live) return;
  mbedtls_sha256_free(&sha);
  mbedtls_ecdsa_restart_free(&restart);
  mbedtls_ecdsa_free(&ecdsa);
  contexts_live = 0;
}

static void finish(uint32_t outcome, uint32_t reason) {
  free_contexts();
  job.step = STEP_DONE;
  job.outcome = outcome;
  job.reason = reason;
}

/* One INTEGER of DER from 32 big-endian bytes: leading zeros dropped, a zero byte added when the top
 * bit is set (X.690 8.3.2). */
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

static uint32_t start(const uint8_t *msg, uint32_t len, int verify) {
  if (job.step != STEP_NONE && job.step != STEP_DONE) return CRYPTO_E_BUSY;
  if (len > CRYPTO_MSG_MAX) return CRYPTO_E_TOO_LONG;
  free_contexts();
  memcpy(job.msg, msg, len);
  job.len = len;
  job.hashed = 0;
  job.verify = verify;
  job.outcome = CRYPTO_PENDING;
  job.reason = CRYPTO_E_NONE;
  mbedtls_sha256_init(&sha);
  mbedtls_ecdsa_init(&ecdsa);
  mbedtls_ecdsa_restart_init(&restart);
  contexts_live = 1;
  job.step = mbedtls_sha256_starts_ret(&sha, 0) == 0 ? STEP_HASH : STEP_NONE;
  if (job.step == STEP_NONE) finish(CRYPTO_FAILED, CRYPTO_E_INTERNAL);
  return CRYPTO_E_NONE;
}

uint32_t crypto_engine_start_sha256(const uint8_t *msg, uint32_t len) { return start(msg, len, 0); }

uint32_t crypto_engine_start_verify(const uint8_t *msg, uint32_t len, const uint8_t *pub, const uint8_t *sig) {
  if (job.step != STEP_NONE && job.step != STEP_DONE) return CRYPTO_E_BUSY;
  if (len > CRYPTO_MSG_MAX) return CRYPTO_E_TOO_LONG;
  job.pub[0] = 0x04;
  memcpy(job.pub + 1, pub, CRYPTO_PUBKEY_BYTES);
  uint8_t body[70];
  uint32_t n = der_integer(body, sig);
  n += der_integer(body + n, sig + 32);
  job.sig_der[0] = 0x30;
  job.sig_der[1] = (uint8_t)n;
  memcpy(job.sig_der + 2, body, n);
  job.sig_der_len = n + 2;
  return start(msg, len, 1);
}

uint32_t crypto_engine_poll(uint32_t *reason) {
  *reason = job.step == STEP_DONE ? job.reason : CRYPTO_E_NONE;
  return job.step == STEP_NONE ? CRYPTO_IDLE : job.step == STEP_DONE ? job.outcome : CRYPTO_PENDING;
}

const uint8_t *crypto_engine_digest(void) { return job.digest; }

void crypto_engine_cancel(void) {
  free_contexts();
  memset(&job, 0, sizeof job); /* STEP_NONE; nothing of the old inputs is kept */
}

static uint32_t ecp_reason(int err) {
  return err == MBEDTLS_ERR_MPI_ALLOC_FAILED || err == MBEDTLS_ERR_ECP_ALLOC_FAILED ? CRYPTO_E_NO_MEMORY
                                                                                    : CRYPTO_E_BAD_SIGNATURE;
}

int crypto_engine_slice(void) {
  int err;
  switch (job.step) {
  case STEP_HASH: {
    uint32_t n = job.len - job.hashed;
    if (n > CRYPTO_HASH_BYTES_PER_SLICE) n = CRYPTO_HASH_BYTES_PER_SLICE;
    if (mbedtls_sha256_update_ret(&sha, job.msg + job.hashed, n) != 0) {
      finish(CRYPTO_FAILED, CRYPTO_E_INTERNAL);
      break;
    }
    job.hashed += n;
    if (job.hashed < job.len) break;
    if (mbedtls_sha256_finish_ret(&sha, job.digest) != 0)
      finish(CRYPTO_FAILED, CRYPTO_E_INTERNAL);
    else if (!job.verify)
      finish(CRYPTO_OK, CRYPTO_E_NONE);
    else
      job.step = STEP_KEY;
    break;
  }
  case STEP_KEY: /* the group's constants, the point, and the check that it is on the curve */
    err = mbedtls_ecp_group_load(&ecdsa.grp, MBEDTLS_ECP_DP_SECP256R1);
    if (!err) err = mbedtls_ecp_point_read_binary(&ecdsa.grp, &ecdsa.Q, job.pub, sizeof job.pub);
    if (!err) err = mbedtls_ecp_check_pubkey(&ecdsa.grp, &ecdsa.Q);
    if (err)
      finish(CRYPTO_FAILED, err == MBEDTLS_ERR_MPI_ALLOC_FAILED ? CRYPTO_E_NO_MEMORY : CRYPTO_E_KEY_INVALID);
    else
      job.step = STEP_VERIFY;
    break;
  case STEP_VERIFY:
    err = mbedtls_ecdsa_read_signature_restartable(&ecdsa, job.digest, sizeof job.digest, job.sig_der, job.sig_der_len,
                                                   &restart);
    if (err == MBEDTLS_ERR_ECP_IN_PROGRESS) break;
    if (err)
      finish(CRYPTO_FAILED, ecp_reason(err));
    else
      finish(CRYPTO_OK, CRYPTO_E_NONE);
    break;
  default:
    return 0;
  }
  return job.step != STEP_DONE && job.step != STEP_NONE;
}
