/* The cartridge chip driver's own calls (cartridge_chip.c); the HAL imports are in firmware.h. */
#ifndef CARTRIDGE_CHIP_H
#define CARTRIDGE_CHIP_H
#include <stdint.h>

/* Why the driver last let go of a chip: it went away between jobs, or a job failed halfway (the bus was
 * then reset). */
enum {
  CART_OK,           /* no chip let go since start-up */
  CART_REMOVED,      /* no answer to the presence probe between jobs: taken off */
  CART_NO_ANSWER,    /* its address NACKed in the middle of a job, or no answer within the command's time */
  CART_NACK,         /* a byte of a command NACKed */
  CART_BUS_ERROR,    /* a misplaced START or STOP, or arbitration lost */
  CART_TIMEOUT,      /* a transfer that did not end in time */
  CART_CRC,          /* an answer whose CRC does not match: a corrupted byte, or lines floating high */
  CART_CHIP_CRC,     /* the chip received a command with a wrong CRC */
  CART_CHIP_REFUSED, /* the chip refused a command (an unknown one, a bad parameter, its counter at its end) */
  CART_FRAME         /* an answer of the wrong length */
};

void board_cartridge_init(void);
void board_cartridge_1ms(void);
uint32_t board_cartridge_reason(void);
const char *board_cartridge_reason_name(uint32_t reason);
/* jobs cancelled since start-up */
uint32_t board_cartridge_errors(void);
uint16_t cart_crc16(const uint8_t *p, uint32_t n);
#endif
