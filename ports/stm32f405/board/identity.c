/* The pen's serial number (HAL device_serial, docs/hal-abi.md): the maker writes it at the factory into
 * OTP block 2 (blocks 0 and 1 hold the older HMAC keys) and locks the block. It is what a clinic licence
 * names and what a clinic's answer signs; an unwritten block reads all ones, which the firmware refuses. */
#include <stdint.h>
#include "firmware.h"

#define OTP_SERIAL_BLOCK_ADDR 0x1FFF7840u /* OTP area 0x1FFF7800, 32-byte blocks: block 2 */

u32 Z_halZ_device_serial(struct Z_hal_instance_t *h) {
  (void)h;
  const volatile uint8_t *b = (const volatile uint8_t *)OTP_SERIAL_BLOCK_ADDR;
  return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}
