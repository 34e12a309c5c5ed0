/* The firmware's own writes to the microcontroller's flash (the SERVICE request to the bootloader, the
 * confirmation of an image on trial): through the flash controller on the part, or through
 * semihosting to the file an emulator maps as its flash, whichever this start found (flash_access.c). */
#ifndef FLASH_ACCESS_H
#define FLASH_ACCESS_H
#include <stdint.h>

/* 1 when there is no flash controller (QEMU's netduinoplus2): the flash is the emulator's file */
int board_flash_emulated(void);
int board_flash_open(void); /* 0 when writes can start */
void board_flash_close(void);
uint32_t board_flash_read(uint32_t addr);
int board_flash_program(uint32_t addr, uint32_t value); /* 0 when the word reads back as value */
int board_flash_erase_sector3(void);                    /* the bootloader's state sector, 0x0800C000 */
#endif
