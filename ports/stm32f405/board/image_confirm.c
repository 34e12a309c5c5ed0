/* Confirms the image the pen runs from when it is on trial (boot/README.md, "Slots, trials and the
 * security counter"): the slot's trailer word `confirmed` is programmed from erased to 0, once. The
 * bootloader then keeps starting it, and advances the security counter to the image's. The slot is
 * the one this firmware's vector table lies in; a build linked for 0x08000000 (no bootloader) has no
 * trailer and confirms nothing. */
#include <stdint.h>
#include "boot/boot_layout.h"
#include "firmware.h"
#include "flash_access.h"

extern void (*const vector_table[])(void); /* startup.c */

enum { TRAILER_SEQ, TRAILER_SEQ_INV, TRAILER_ATTEMPT1, TRAILER_CONFIRMED = 5, TRAILER_BAD };

/* The slot the firmware runs from, or 0. */
static uint32_t own_slot(void) {
  uint32_t at = (uint32_t)vector_table;
  if (at == SLOT_A_ADDR + SLOT_HEADER_BYTES) return SLOT_A_ADDR;
  if (at == SLOT_B_ADDR + SLOT_HEADER_BYTES) return SLOT_B_ADDR;
  return 0;
}

/* 0 when this call confirmed the image, 1 when there was nothing to confirm (already confirmed, not
 * started by the bootloader), -1 when the flash could not be written. */
int board_confirm_image(void) {
  uint32_t slot = own_slot();
  if (!slot) return 1;
  uint32_t trailer = slot + SLOT_BYTES - TRAILER_BYTES;
  if (board_flash_open() != 0) return -1;
  uint32_t seq = board_flash_read(trailer + 4u * TRAILER_SEQ), inv = board_flash_read(trailer + 4u * TRAILER_SEQ_INV);
  int r = 1;
  if (seq == ~inv && seq != 0xFFFFFFFFu && board_flash_read(trailer + 4u * TRAILER_BAD) == 0xFFFFFFFFu &&
      board_flash_read(trailer + 4u * TRAILER_CONFIRMED) == 0xFFFFFFFFu)
    r = board_flash_program(trailer + 4u * TRAILER_CONFIRMED, 0);
  board_flash_close();
  return r;
}

/* HAL image_confirm (ABI 4): the firmware homed. Once per start: a second homing finds it confirmed. */
void Z_halZ_image_confirm(struct Z_hal_instance_t *h) {
  (void)h;
  static int done;
  if (!done) done = 1, (void)board_confirm_image();
}
