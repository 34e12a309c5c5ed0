/* I2C1 master (PB6 SCL, PB7 SDA, open drain, AF4) at 400 kHz for the cartridge's ID chip, polled: each
 * cart_i2c_poll() does the steps the bus is ready for, for at most BUDGET_TICKS of TIM2, and a transfer
 * that has not ended after TRANSFER_MS polls is given up. Registers: ST RM0090 rev 19, 27.6 (I2C; the
 * master sequences of 27.3.3) and 8.4 (GPIO). */
#include <stdint.h>
#include "cartridge_i2c.h"

#ifndef REG /* ports/stm32f405/test/ puts a model of the peripheral behind it */
#define REG(a) (*(volatile uint32_t *)(a))
#endif
#define RCC_APB1ENR REG(0x40023840u)
#define GPIOB 0x40020400u
#define GPIOB_MODER REG(GPIOB + 0x00u)
#define GPIOB_OTYPER REG(GPIOB + 0x04u)
#define GPIOB_PUPDR REG(GPIOB + 0x0Cu)
#define GPIOB_BSRR REG(GPIOB + 0x18u)
#define GPIOB_AFRL REG(GPIOB + 0x20u)
#define I2C1_CR1 REG(0x40005400u)
#define I2C1_CR2 REG(0x40005404u)
#define I2C1_DR REG(0x40005410u)
#define I2C1_SR1 REG(0x40005414u)
#define I2C1_SR2 REG(0x40005418u)
#define I2C1_CCR REG(0x4000541Cu)
#define I2C1_TRISE REG(0x40005420u)
#define TIM2_CNT REG(0x40000024u)
enum { CR1_PE = 1u << 0, CR1_START = 1u << 8, CR1_STOP = 1u << 9, CR1_ACK = 1u << 10, CR1_SWRST = 1u << 15 };
enum {
  SR1_SB = 1u << 0,
  SR1_ADDR = 1u << 1,
  SR1_BTF = 1u << 2,
  SR1_RXNE = 1u << 6,
  SR1_TXE = 1u << 7,
  SR1_BERR = 1u << 8,
  SR1_ARLO = 1u << 9,
  SR1_AF = 1u << 10,
  SR1_OVR = 1u << 11,
  SR1_TIMEOUT = 1u << 14
};
enum { CCR_FAST = 1u << 15 };
enum { SCL_PIN = 6, SDA_PIN = 7 };

#define APB1_MHZ 42u
#define BUS_HZ 400000u
#define TRANSFER_MS 10u     /* the longest frame (72 bytes) takes 1.7 ms at 400 kHz */
#define BUDGET_TICKS 6300u  /* 300 us of TIM2 (21 MHz) per poll: about 13 bytes at 400 kHz */
#define HALF_BIT_TICKS 105u /* 5 us: the recovery clocks at 100 kHz, slow enough for any device */
#define SPIN_LIMIT 2000u    /* a bound on every busy wait, should TIM2 not count */

enum { S_IDLE, S_START, S_ADDRESS, S_WRITE, S_WRITE_END, S_READ };

static uint32_t state = S_IDLE, address, count, done, ms_in_transfer;
static const uint8_t *tx;
static uint8_t *rx;
static int reading;

void cart_i2c_init(void) {
  RCC_APB1ENR |= 1u << 21; /* I2C1; the read back below lets the clock reach it first */
  uint32_t settle = RCC_APB1ENR;
  (void)settle;
  GPIOB_OTYPER |= 3u << SCL_PIN;                                    /* open drain */
  GPIOB_AFRL = (GPIOB_AFRL & ~(0xFFu << 24)) | 4u << 24 | 4u << 28; /* AF4: I2C1 */
  GPIOB_PUPDR = (GPIOB_PUPDR & ~(0xFu << 12)) | 5u << 12;           /* pull-up */
  GPIOB_MODER = (GPIOB_MODER & ~(0xFu << 12)) | 10u << 12;          /* alternate function */
  I2C1_CR1 = CR1_SWRST;
  I2C1_CR1 = 0;
  I2C1_CR2 = APB1_MHZ;
  I2C1_CCR = CCR_FAST | APB1_MHZ * 1000000u / (3u * BUS_HZ); /* duty 2:1, 400 kHz */
  I2C1_TRISE = APB1_MHZ * 300u / 1000u + 1u;                 /* 300 ns rise time allowed (fast mode) */
  I2C1_CR1 = CR1_PE;
  state = S_IDLE;
}

static void begin(uint8_t address7, uint32_t n, int read) {
  address = (uint32_t)address7 << 1 | (read ? 1u : 0u);
  count = n;
  done = 0;
  reading = read;
  ms_in_transfer = 0;
  I2C1_CR1 |= CR1_ACK | CR1_START;
  state = S_START;
}

void cart_i2c_write(uint8_t address7, const uint8_t *data, uint32_t n) {
  tx = data;
  begin(address7, n, 0);
}

void cart_i2c_read(uint8_t address7, uint8_t *data, uint32_t n) {
  rx = data;
  begin(address7, n, 1);
}

/* Ends the transfer with a STOP; a NACK flag is cleared (rc_w0), so that the next START is not refused. */
static int finish(int code) {
  I2C1_CR1 |= CR1_STOP;
  I2C1_SR1 = ~SR1_AF;
  state = S_IDLE;
  return code;
}

/* One step if the bus is ready for it: I2C_BUSY after a step, or -1 when it has to wait, or an end code. */
static int step(void) {
  uint32_t sr1 = I2C1_SR1, sr2;
  if (sr1 & (SR1_BERR | SR1_ARLO | SR1_OVR | SR1_TIMEOUT)) {
    state = S_IDLE;
    return I2C_BUS_ERROR;
  }
  switch (state) {
  case S_START:
    if (!(sr1 & SR1_SB)) return -1;
    I2C1_DR = address;
    state = S_ADDRESS;
    return I2C_BUSY;
  case S_ADDRESS:
    if (sr1 & SR1_AF) return finish(I2C_NACK_ADDRESS);
    if (!(sr1 & SR1_ADDR)) return -1;
    sr2 = I2C1_SR2; /* SR1 then SR2 clears ADDR */
    (void)sr2;
    if (reading) {
      state = S_READ; /* the chip starts sending */
      return I2C_BUSY;
    }
    if (count == 0) return finish(I2C_DONE); /* the address alone: a presence probe */
    state = S_WRITE;
    return I2C_BUSY;
  case S_WRITE:
    if (sr1 & SR1_AF) return finish(I2C_NACK_DATA);
    if (!(sr1 & SR1_TXE)) return -1;
    I2C1_DR = tx[done++];
    if (done == count) state = S_WRITE_END;
    return I2C_BUSY;
  case S_WRITE_END:
    if (sr1 & SR1_AF) return finish(I2C_NACK_DATA);
    if (!(sr1 & SR1_BTF)) return -1; /* the last byte is out and acknowledged */
    return finish(I2C_DONE);
  case S_READ:
    /* RM0090 27.3.3, N > 2 bytes: one at a time until three are left; then, each time the data and shift
     * registers are both full (BTF: the bus waits meanwhile), NACK and read N-2; STOP and read N-1 and N */
    if (count - done > 3) {
      if (!(sr1 & SR1_RXNE)) return -1;
      rx[done++] = (uint8_t)I2C1_DR;
      return I2C_BUSY;
    }
    if (!(sr1 & SR1_BTF)) return -1;
    if (count - done == 3) {
      I2C1_CR1 &= ~CR1_ACK;
      rx[done++] = (uint8_t)I2C1_DR;
      return I2C_BUSY;
    }
    I2C1_CR1 |= CR1_STOP;
    rx[done++] = (uint8_t)I2C1_DR;
    rx[done++] = (uint8_t)I2C1_DR;
    state = S_IDLE;
    return I2C_DONE;
  default:
    return I2C_DONE;
  }
}

int cart_i2c_poll(void) {
  if (state == S_IDLE) return I2C_DONE;
  if (++ms_in_transfer > TRANSFER_MS) {
    state = S_IDLE;
    return I2C_TIMEOUT;
  }
  uint32_t t0 = TIM2_CNT;
  for (uint32_t n = 0; n < SPIN_LIMIT && TIM2_CNT - t0 < BUDGET_TICKS; n++) {
    int r = step();
    if (r != I2C_BUSY && r != -1) return r;
  }
  return I2C_BUSY;
}

static void half_bit(void) {
  uint32_t t0 = TIM2_CNT;
  for (uint32_t n = 0; n < SPIN_LIMIT && TIM2_CNT - t0 < HALF_BIT_TICKS; n++) {}
}

static void line(int pin, int high) { GPIOB_BSRR = high ? 1u << pin : 1u << (pin + 16); }

void cart_i2c_recover(void) {
  I2C1_CR1 = 0; /* the peripheral lets go of the pins */
  state = S_IDLE;
  line(SCL_PIN, 1);
  line(SDA_PIN, 1);
  GPIOB_MODER = (GPIOB_MODER & ~(0xFu << 12)) | 5u << 12; /* general-purpose outputs, still open drain */
  for (int i = 0; i < 9; i++) { /* a device halfway through a byte shifts it out and lets go of SDA */
    line(SCL_PIN, 0);
    half_bit();
    line(SCL_PIN, 1);
    half_bit();
  }
  line(SCL_PIN, 0); /* then a STOP: SDA rises while SCL is high */
  line(SDA_PIN, 0);
  half_bit();
  line(SCL_PIN, 1);
  half_bit();
  line(SDA_PIN, 1);
  half_bit();
  cart_i2c_init();
}
