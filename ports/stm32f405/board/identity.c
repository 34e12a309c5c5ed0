/* The pen's serial number (HAL device_serial, docs/hal-abi.md): the maker writes it at the factory into
 * its OTP block (otp_layout.h) and locks the block. It is what a clinic licence
 * names and what a clinic's answer signs; an unwritten block reads all ones, which the firmware refuses. */
#include <stdint.h>
#include "firmware.h"

#include "otp_layout.h"

u32 Z_halZ_device_serial(struct Z_hal_instance_t *h) {
  (void)h;
  const volatile uint8_t *b = (const volatile uint8_t *)OTP_ADDR(OTP_BLOCK_SERIAL);
  return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}
