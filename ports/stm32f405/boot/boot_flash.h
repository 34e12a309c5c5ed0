/* The bootloader's flash drivers: the STM32F405's flash controller (boot_flash_stm32.c) and, for
 * QEMU, whose flash is a ROM with no controller, a file on the host through semihosting
 * (boot_flash_semihost.c). Both fill a boot_flash (boot_state.h). */
#ifndef BOOT_FLASH_H
#define BOOT_FLASH_H
#include "boot_state.h"

/* 0 when the flash can be written; the driver in `f`. */
int boot_flash_open(boot_flash *f);
void boot_flash_close(void);
/* Where the security counter's thermometer lives for this driver. */
uint32_t boot_flash_counter_addr(void);
#endif
