/* The pen's crypto engine: SHA-256 and ECDSA P-256 / SHA-256 verification with mbedTLS (ports/crypto/mbedtls_pen_config.h), for the HAL's crypto imports (crypto_hal.c). A start
 * copies its inputs into one of CRYPTO_MAX_OPERATIONS slots of the engine's own and returns a handle at
 * once; the work runs in crypto_engine_slice(), which the main loop's thread calls while work is left,
 * one bounded step a call (restartable ECC: mbedtls_ecp_set_max_ops(CRYPTO_MAX_OPS)), oldest
 * operation first; poll reads the outcome; cancel drops the operation and wipes its slot.
 * Results are pen_abi.h's CRYPTO_* codes.
 * The start, poll, output, cancel and point_valid calls (the tick side) may interrupt a step but must
 * not interrupt each other; crypto_engine_slice and crypto_engine_busy run in one thread (the
 * background) that never interrupts the tick side (crypto_engine.c says how they share the slots). */
#ifndef CRYPTO_ENGINE_H
#define CRYPTO_ENGINE_H
#include <stdint.h>

#define CRYPTO_OPS 4u         /* CRYPTO_MAX_OPERATIONS of the ABI */
#define CRYPTO_MSG_MAX 256u   /* CRYPTO_MAX_MESSAGE_BYTES of the ABI */
#define CRYPTO_POINT_BYTES 64 /* x || y, big-endian */
#define CRYPTO_SIG_BYTES 64   /* r || s, big-endian */
#ifndef CRYPTO_MAX_OPS
/* mbedtls_ecp_set_max_ops: stop at every point the library allows. Its steps are then about 50,000
 * instructions, some up to 640,000 (inversions it cannot split); see ports/crypto/README.md */
#define CRYPTO_MAX_OPS 1u
#endif

void crypto_engine_init(void);
/* A handle (> 0), or CRYPTO_E_BUSY / CRYPTO_E_BAD_ARGUMENT. */
int32_t crypto_engine_start_hash(const uint8_t *msg, uint32_t len);
int32_t crypto_engine_start_ecdsa(const uint8_t *msg, uint32_t len, const uint8_t *point, const uint8_t *sig);
/* CRYPTO_PENDING, CRYPTO_OK, CRYPTO_E_BAD_SIGNATURE, CRYPTO_E_BAD_HANDLE (or another CRYPTO_E_*). */
int32_t crypto_engine_poll(int32_t handle);
/* Word `index` of a finished hash's digest, big-endian; 0 otherwise. */
uint32_t crypto_engine_output(int32_t handle, uint32_t index);
/* The handle is dead at once; an operation in the middle of a step is wiped after that step. */
void crypto_engine_cancel(int32_t handle);
/* Is this a point of P-256 (mbedtls_ecp_check_pubkey)? Synchronous: about 12,000 instructions. */
int crypto_engine_point_valid(const uint8_t *point);
/* One bounded step of the oldest running operation; returns crypto_engine_busy(). */
int crypto_engine_slice(void);
/* Is work left for crypto_engine_slice (an operation not yet done, or a cancelled one to wipe)? */
int crypto_engine_busy(void);
/* The arena's high-water mark in bytes (mbedTLS's heap). */
uint32_t crypto_engine_arena_peak(void);
/* The high-water mark of the point checks' own arena in bytes. */
uint32_t crypto_engine_tick_arena_peak(void);
#endif
