/* What the board drivers take from wasm2c's firmware.h, for the host tests (the .cpp files here). */
#ifndef FIRMWARE_H_TEST
#define FIRMWARE_H_TEST
#include <stdint.h>
typedef uint32_t u32;
typedef uint64_t u64;
struct Z_hal_instance_t {
  int unused;
};
#endif
