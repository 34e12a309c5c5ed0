/* The shaft encoder (HAL encoder_count, encoder_status; board encoder section). This board's wiring
 * for the sensor's SPI port is not fixed yet, so the port reports no encoder: the firmware runs open
 * loop (depth from the commanded steps, StallGuard and the endstop check for lost steps) and STATUS?
 * says `encoder=absent`. With the sensor fitted, this file reads it from a sample_hz timer interrupt,
 * unwraps the angle across turns and keeps the highest and lowest reading between the firmware's reads. */
#include <stdint.h>
#include "firmware.h"
#include "pen_abi.h"

#define H struct Z_hal_instance_t *h

u32 Z_halZ_encoder_status(H) {
  (void)h;
  return ENC_ABSENT;
}

u32 Z_halZ_encoder_count(H, u32 which) {
  (void)h;
  (void)which;
  return 0; /* the ABI's value while the status is not ENC_OK */
}
