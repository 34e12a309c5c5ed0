/* The SERVICE command's request to the bootloader (boot/smp.h): the first erased word of the request
 * area is programmed to SERVICE_REQUEST_WORD; the bootloader takes it (clears it to 0) when it enters
 * service mode after the reset. A word only goes from erased to the request, so a power cut leaves
 * it erased (no request) or whole. With every word taken, sector 3 is erased and the counter words
 * before the area (used only by builds without OTP) are written back first. The writes go through
 * flash_access.c (the flash controller, or an emulator's flash file). */
#include <stdint.h>
#include "boot/smp.h"
#include "flash_access.h"

#define STATE_SECTOR 0x0800C000u /* sector 3, 16 KiB */
#define KEPT_WORDS ((SERVICE_REQUEST_ADDR - STATE_SECTOR) / 4u)

/* 0 when the request is written. */
int board_service_request(void) {
  if (board_flash_open() != 0) return -1;
  uint32_t addr = 0;
  for (uint32_t i = 0; i < SERVICE_REQUEST_WORDS && !addr; i++)
    if (board_flash_read(SERVICE_REQUEST_ADDR + 4u * i) == 0xFFFFFFFFu) addr = SERVICE_REQUEST_ADDR + 4u * i;
  int r = 0;
  if (!addr) { /* every word taken: erase, keeping the counter words */
    uint32_t counter[KEPT_WORDS];
    for (uint32_t i = 0; i < KEPT_WORDS; i++) counter[i] = board_flash_read(STATE_SECTOR + 4u * i);
    r = board_flash_erase_sector3();
    for (uint32_t i = 0; i < KEPT_WORDS && r == 0; i++)
      if (counter[i] != 0xFFFFFFFFu) r = board_flash_program(STATE_SECTOR + 4u * i, counter[i]);
    addr = SERVICE_REQUEST_ADDR;
  }
  if (r == 0) r = board_flash_program(addr, SERVICE_REQUEST_WORD);
  board_flash_close();
  return r;
}
