/* What this start found missing and how the board makes do, said once on the command port (USART2)
 * before the firmware speaks: one image runs on the part and under QEMU's netduinoplus2, which lacks
 * the crystal, the PLL, the backup SRAM, the flash controller and every GPIO input. Each fallback is
 * chosen where it is detected (hal.c, log_store.c, flash_access.c); none lets the motor run: without
 * the crystal the driver's enable pin is left to the board's pull-up (off). */
#include <stdint.h>
#include "firmware.h"
#include "flash_access.h"

extern volatile uint32_t board_clock_status; /* hal.c: bit 0 no crystal, bit 1 no PLL */
extern int board_log_in_ram;                 /* log_store.c */
extern int board_buttons_implausible;        /* hal.c */

static void say(const char *s) {
  while (*s) Z_halZ_serial_write(0, (u32)(uint8_t)*s++);
  Z_halZ_serial_write(0, '\n');
}

void board_report_fallbacks(void) {
  (void)Z_halZ_buttons_raw(0); /* a first read, so that inputs stuck low are known before the first tick */
  if (board_clock_status & 1u)
    say("board: no crystal (HSE not ready in 100 ms): running from HSI; a fault keeps the driver off");
  if (board_clock_status & 2u) say("board: no PLL lock: running at 16 MHz from HSI, timings are slow");
  if (board_log_in_ram)
    say("board: no backup SRAM (its regulator never became ready): the treatment log is kept in RAM and lost at "
        "power-off");
  if (board_buttons_implausible) say("board: all six buttons read pressed at once: implausible, read as released");
  if (board_flash_emulated())
    say("board: no flash controller (FLASH_OPTCR reads 0): flash writes go to the emulator's flash file (semihosting)");
}
