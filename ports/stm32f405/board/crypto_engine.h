/* The pen's background crypto engine: SHA-256 and ECDSA P-256 verification with mbedTLS
 * (ports/crypto/mbedtls_pen_config.h). A start copies its inputs into the engine's own buffers and
 * returns at once; the work runs in crypto_engine_slice(), which the main loop calls after each control
 * tick, each call bounded (restartable ECC: at most CRYPTO_MAX_OPS basic operations, hashing at most
 * CRYPTO_HASH_BYTES_PER_SLICE bytes); poll reads the outcome; cancel drops the job. One job at a time.
 * Public keys are 64 bytes (x || y, big-endian) that the caller has already refused when unprovisioned
 * or zero (crypto_keys.h); a point not on the curve fails here. */
#ifndef CRYPTO_ENGINE_H
#define CRYPTO_ENGINE_H
#include <stdint.h>

#define CRYPTO_MSG_MAX 512u     /* bytes of a message to hash or to verify a signature over */
#define CRYPTO_PUBKEY_BYTES 64u /* x || y */
#define CRYPTO_SIG_BYTES 64u    /* r || s, big-endian, as node:crypto's ieee-p1363 */
#define CRYPTO_DIGEST_BYTES 32u
#ifndef CRYPTO_MAX_OPS
/* mbedtls_ecp_set_max_ops: stop at every point the library allows. Its steps are then about 50,000
 * instructions, some up to 640,000 (inversions it cannot split); see ports/crypto/README.md */
#define CRYPTO_MAX_OPS 1u
#endif
#define CRYPTO_HASH_BYTES_PER_SLICE 256u

enum { CRYPTO_IDLE = 0, CRYPTO_PENDING = 1, CRYPTO_OK = 2, CRYPTO_FAILED = 3 };

/* why a job failed or a start was refused */
enum {
  CRYPTO_E_NONE = 0,
  CRYPTO_E_BUSY = 1,        /* a job is running: cancel it first */
  CRYPTO_E_TOO_LONG = 2,    /* the message is longer than CRYPTO_MSG_MAX */
  CRYPTO_E_KEY_INVALID = 3, /* the public key is not a point of P-256 */
  CRYPTO_E_BAD_SIGNATURE = 4,
  CRYPTO_E_NO_MEMORY = 5, /* mbedTLS's arena is too small: a build error, never the input's fault */
  CRYPTO_E_INTERNAL = 6,
};

void crypto_engine_init(void);
/* 0, or CRYPTO_E_* when refused (nothing started). */
uint32_t crypto_engine_start_sha256(const uint8_t *msg, uint32_t len);
/* Verifies sig over SHA-256(msg) with pub. 0, or CRYPTO_E_* when refused. */
uint32_t crypto_engine_start_verify(const uint8_t *msg, uint32_t len, const uint8_t *pub, const uint8_t *sig);
/* CRYPTO_IDLE, CRYPTO_PENDING, CRYPTO_OK or CRYPTO_FAILED; *reason gets CRYPTO_E_* when failed. */
uint32_t crypto_engine_poll(uint32_t *reason);
/* The SHA-256 of the last job, once it is CRYPTO_OK. */
const uint8_t *crypto_engine_digest(void);
/* Drops the job, whatever its state; the engine is idle again. */
void crypto_engine_cancel(void);
/* One bounded step of the job; returns 1 while there is work left. */
int crypto_engine_slice(void);
/* The arena's high-water mark in bytes (mbedTLS's heap), for the build's RAM report. */
uint32_t crypto_engine_arena_peak(void);
#endif
