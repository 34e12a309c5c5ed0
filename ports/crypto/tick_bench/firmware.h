/* A stand-in for wasm2c's firmware.h: what board/main.c takes from the translated module, for the
 * tick bench (tick_bench.c), whose "module" is C. */
#ifndef FIRMWARE_H_TICK_BENCH
#define FIRMWARE_H_TICK_BENCH
#include <stdint.h>
#include "wasm-rt.h"
typedef uint32_t u32;
typedef uint64_t u64;
struct Z_hal_instance_t;
typedef struct Z_firmware_instance_t {
  struct Z_hal_instance_t *Z_hal_instance;
  wasm_rt_memory_t w2c_memory;
} Z_firmware_instance_t;
void Z_firmware_init_module(void);
void Z_firmware_instantiate(Z_firmware_instance_t *, struct Z_hal_instance_t *);
u32 Z_firmwareZ_abi_version(Z_firmware_instance_t *);
void Z_firmwareZ_init(Z_firmware_instance_t *);
void Z_firmwareZ_tick(Z_firmware_instance_t *);
wasm_rt_memory_t *Z_firmwareZ_memory(Z_firmware_instance_t *instance);
void Z_halZ_watchdog_kick(struct Z_hal_instance_t *);
u32 Z_halZ_crypto_key_import(struct Z_hal_instance_t *, u32);
u32 Z_halZ_crypto_hash_start(struct Z_hal_instance_t *, u32, u32);
u32 Z_halZ_crypto_verify_start(struct Z_hal_instance_t *, u32, u32, u32, u32);
u32 Z_halZ_crypto_poll(struct Z_hal_instance_t *, u32);
void Z_halZ_crypto_cancel(struct Z_hal_instance_t *, u32);
#endif
