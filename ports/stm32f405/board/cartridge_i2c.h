/* I2C transfers to the cartridge's ID chip, one at a time and never waited for: a transfer is started,
 * then polled once a control tick, each poll doing what the bus allows within a short budget.
 * cartridge_i2c.c drives I2C1 on the part; the host test of the chip protocol (cartridge_chip.c) puts a
 * shim behind the same calls that talks to the simulator's chip model. */
#ifndef CARTRIDGE_I2C_H
#define CARTRIDGE_I2C_H
#include <stdint.h>

enum {
  I2C_BUSY,         /* under way: poll again */
  I2C_DONE,         /* every byte went out, or came in */
  I2C_NACK_ADDRESS, /* nothing answered the address */
  I2C_NACK_DATA,    /* the device refused a byte */
  I2C_BUS_ERROR,    /* a misplaced START or STOP, or arbitration lost: something else drove the lines */
  I2C_TIMEOUT       /* the transfer did not end in time: SCL held low, or the peripheral stuck */
};

void cart_i2c_init(void);
/* A write of `n` bytes (0: the address alone); `data` must stay until the transfer ends. */
void cart_i2c_write(uint8_t address7, const uint8_t *data, uint32_t n);
/* A read of `n` bytes, n >= 3 (every frame of the chip is longer). */
void cart_i2c_read(uint8_t address7, uint8_t *data, uint32_t n);
/* Advances the transfer under way; one of the codes above. */
int cart_i2c_poll(void);
/* Drops the transfer under way and frees the bus: nine SCL pulses (a device in the middle of a byte lets go
 * of SDA), a STOP, then the peripheral reset and set up afresh. */
void cart_i2c_recover(void);
#endif
