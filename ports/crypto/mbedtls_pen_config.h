/* mbedTLS 2.28 configuration for the pen firmware's crypto HAL (board/crypto_engine.c): what the bootloader
 * has (mbedtls_config.h), plus restartable ECC, so that a verification runs in slices of bounded length
 * between control ticks. Only what verifying needs
 * (SHA-256, bignum, ECP on secp256r1, ECDSA verify, ASN.1 parse of the DER signature). Used with
 * -DMBEDTLS_CONFIG_FILE='"mbedtls_pen_config.h"' in place of mbedTLS's include/mbedtls/config.h, whose
 * comments document every option named here. */
#ifndef PEN_FIRMWARE_MBEDTLS_CONFIG_H
#define PEN_FIRMWARE_MBEDTLS_CONFIG_H

/* the bare Cortex-M4: no OS, no file system, no time, no entropy source (verifying needs none) */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_HAVE_ASM /* bn_mul.h has Thumb-2 multiply-accumulate loops */

/* the heap: bignum and ECP call calloc/free; they get a static arena of the bootloader's
 * (memory_buffer_alloc.c), so nothing comes from newlib's malloc. Its peak is measured by painting the
 * arena (MBEDTLS_MEMORY_DEBUG would pull in fprintf). */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_PLATFORM_SNPRINTF_MACRO snprintf /* never called; platform.h wants a name */
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
/* the allocator stops on a corrupt arena: crypto_fatal (the pen resets, driver off), not newlib's exit() */
void crypto_fatal(int code);
#define MBEDTLS_PLATFORM_EXIT_MACRO crypto_fatal

/* the modules */
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER /* about 1.5 KiB less code for a slower compression loop */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NO_INTERNAL_RNG /* no blinding: verifying handles public data only */
#define MBEDTLS_ECP_NIST_OPTIM      /* fast reduction modulo the P-256 prime */
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C /* ecdsa.c needs it to build (signing); the linker drops it */

/* sizes: only 256-bit numbers, small windows (less RAM for the precomputed points), no fixed-point
 * table for the generator (it would be computed into RAM at the first verification) */
#define MBEDTLS_MPI_MAX_SIZE 32
#define MBEDTLS_MPI_WINDOW_SIZE 1
#define MBEDTLS_ECP_MAX_BITS 256
#define MBEDTLS_ECP_WINDOW_SIZE 4
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
/* a verification stops after mbedtls_ecp_set_max_ops() basic operations and resumes at the next call
 * (MBEDTLS_ERR_ECP_IN_PROGRESS); check_config.h wants the legacy ECDH context with it */
#define MBEDTLS_ECP_RESTARTABLE
#define MBEDTLS_ECDH_LEGACY_CONTEXT

#include "mbedtls/check_config.h"
#endif
