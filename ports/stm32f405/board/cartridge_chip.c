/* The cartridge's ID chip (HAL cartridge_read/cartridge_write): a 24xx02-class I2C EEPROM at address
 * 0x50 on I2C1 (PB6 SCL, PB7 SDA), 100 kHz. The ABI reads a byte synchronously and the firmware reads
 * 16 a tick; a random read costs about 0.4 ms of bus time, so the port keeps an image of the chip's
 * 48 bytes instead, read and kept current in the background: board_cartridge_1ms() runs once per
 * control tick, after tick(), and advances a state machine without waiting more than BUDGET_TICKS.
 * Every 5 ms it checks that the chip still answers; a chip that stops answering is a removal.
 * Registers: ST RM0090 rev 19, 27.6 (I2C), 8.4 (GPIO). */
#include <stdint.h>
#include "firmware.h"

#ifndef REG /* ports/stm32f405/test/ puts a model of the peripheral behind it */
#define REG(a) (*(volatile uint32_t *)(a))
#endif
#define RCC_APB1ENR REG(0x40023840u)
#define GPIOB 0x40020400u
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
  SR1_ERRORS = 1u << 8 | 1u << 9 | 1u << 11 | 1u << 14,
  SR1_AF = 1u << 10
};

#define CHIP_ADDRESS 0x50u
#define CHIP_BYTES 48u
#define USED_ADDR 16u /* the one-way "used" byte (docs/treatment-log.md) */
#define APB1_MHZ 42u
#define POLL_MS 5u         /* how often a fitted chip is checked, and an absent one looked for */
#define WRITE_MS 10u       /* the chip's write cycle (5 ms), with margin */
#define GIVE_UP_MS 40u     /* a transfer that long is broken (48 bytes take about 15): reset, treat as absent */
#define BUDGET_TICKS 6300u /* 300 us of TIM2 (21 MHz) per call: about three bytes at 100 kHz */
#define H struct Z_hal_instance_t *h

/* what the machine does: look for the chip, read its image, write the used byte */
enum { S_IDLE, S_START, S_ADDR_W, S_MEM_ADDR, S_RESTART, S_ADDR_R, S_READ, S_WRITE_DATA, S_STOP_AFTER };
enum { JOB_PROBE, JOB_READ, JOB_WRITE };

static uint8_t image[CHIP_BYTES];
static int image_valid;   /* a chip answered and all 48 bytes are here */
static int write_pending; /* image[USED_ADDR] still to be written to the chip */
static uint32_t state = S_IDLE, job, received, ms_in_job, idle_ms;

void board_cartridge_init(void) {
  RCC_APB1ENR |= 1u << 21; /* I2C1; the read back below lets the clock reach it first */
  uint32_t settle = RCC_APB1ENR;
  (void)settle;
  REG(GPIOB + 0x04) |= 3u << 6;                                                   /* OTYPER: open drain */
  REG(GPIOB + 0x20) = (REG(GPIOB + 0x20) & ~(0xFFu << 24)) | 4u << 24 | 4u << 28; /* AFRL: AF4 */
  REG(GPIOB + 0x0C) = (REG(GPIOB + 0x0C) & ~(0xFu << 12)) | 5u << 12;             /* PUPDR: pull-up */
  REG(GPIOB + 0x00) = (REG(GPIOB + 0x00) & ~(0xFu << 12)) | 10u << 12;            /* MODER: alternate */
  I2C1_CR1 = CR1_SWRST;
  I2C1_CR1 = 0;
  I2C1_CR2 = APB1_MHZ;
  I2C1_CCR = APB1_MHZ * 1000000u / (2u * 100000u); /* standard mode: SCL high and low 5 us each */
  I2C1_TRISE = APB1_MHZ + 1u;                      /* 1000 ns rise time allowed */
  I2C1_CR1 = CR1_PE;
}

/* Nothing on the bus for `ms` control ticks. */
static void idle(uint32_t ms) {
  state = S_IDLE;
  idle_ms = ms;
}

static void begin(uint32_t what) {
  job = what;
  ms_in_job = 0;
  received = 0;
  I2C1_CR1 |= CR1_ACK | CR1_START;
  state = S_START;
}

/* The chip did not answer, the bus failed, or a transfer took too long: the cartridge is gone. */
static void absent(void) {
  I2C1_CR1 = CR1_SWRST;
  I2C1_CR1 = 0;
  board_cartridge_init();
  image_valid = 0;
  write_pending = 0;
  idle(POLL_MS);
}

/* Does the next step of the transfer if the bus is ready for it; 0 when it has to wait. */
static int step(void) {
  uint32_t sr1 = I2C1_SR1, sr2;
  if (sr1 & SR1_ERRORS) {
    absent();
    return 0;
  }
  switch (state) {
  case S_START:
    if (!(sr1 & SR1_SB)) return 0;
    I2C1_DR = CHIP_ADDRESS << 1; /* write */
    state = S_ADDR_W;
    return 1;
  case S_ADDR_W:
    if (sr1 & SR1_AF) {
      I2C1_CR1 |= CR1_STOP;
      I2C1_SR1 = ~SR1_AF;
      absent();
      return 0;
    } /* no chip */
    if (!(sr1 & SR1_ADDR)) return 0;
    sr2 = I2C1_SR2; /* SR1 then SR2 clears ADDR */
    if (job == JOB_PROBE) {
      I2C1_CR1 |= CR1_STOP;
      idle(POLL_MS);
      return 1;
    }
    I2C1_DR = job == JOB_WRITE ? USED_ADDR : 0;
    state = S_MEM_ADDR;
    return 1;
  case S_MEM_ADDR:
    if (!(sr1 & SR1_TXE)) return 0;
    if (job == JOB_WRITE) {
      I2C1_DR = image[USED_ADDR];
      state = S_WRITE_DATA;
      return 1;
    }
    I2C1_CR1 |= CR1_START; /* repeated start, then read from address 0 */
    state = S_RESTART;
    return 1;
  case S_RESTART:
    if (!(sr1 & SR1_SB)) return 0;
    I2C1_DR = CHIP_ADDRESS << 1 | 1u; /* read */
    state = S_ADDR_R;
    return 1;
  case S_ADDR_R:
    if (sr1 & SR1_AF) {
      I2C1_CR1 |= CR1_STOP;
      I2C1_SR1 = ~SR1_AF;
      absent();
      return 0;
    }
    if (!(sr1 & SR1_ADDR)) return 0;
    sr2 = I2C1_SR2;
    state = S_READ;
    return 1;
  case S_READ:
    /* RM0090 27.3.3, N > 2 bytes: one at a time until three are left; then, each time the data and
     * shift registers are both full (BTF: the bus waits meanwhile), NACK and read N-2; STOP and read
     * N-1 and N (as ST's HAL_I2C_Master_Receive) */
    if (CHIP_BYTES - received > 3) {
      if (!(sr1 & SR1_RXNE)) return 0;
      image[received++] = (uint8_t)I2C1_DR;
      return 1;
    }
    if (!(sr1 & SR1_BTF)) return 0;
    if (CHIP_BYTES - received == 3) {
      I2C1_CR1 &= ~CR1_ACK;
      image[received++] = (uint8_t)I2C1_DR;
      return 1;
    }
    I2C1_CR1 |= CR1_STOP;
    image[received++] = (uint8_t)I2C1_DR;
    image[received++] = (uint8_t)I2C1_DR;
    image_valid = 1;
    idle(POLL_MS);
    return 1;
  case S_WRITE_DATA:
    if (!(sr1 & SR1_BTF)) return 0;
    I2C1_CR1 |= CR1_STOP;
    write_pending = 0;
    idle(WRITE_MS); /* the chip writes for up to 5 ms and answers nothing meanwhile: not a removal */
    return 1;
  default:
    (void)sr2;
    return 0;
  }
}

/* Once per control tick, after tick(): a write waiting, else a presence check every POLL_MS. */
void board_cartridge_1ms(void) {
  if (state == S_IDLE) {
    if (idle_ms && --idle_ms) return;
    begin(write_pending ? JOB_WRITE : image_valid ? JOB_PROBE : JOB_READ);
  }
  if (++ms_in_job > GIVE_UP_MS) {
    absent();
    return;
  }
  uint32_t t0 = TIM2_CNT;
  while (state != S_IDLE && TIM2_CNT - t0 < BUDGET_TICKS) step();
}

u32 Z_halZ_cartridge_read(H, u32 addr) {
  (void)h;
  return image_valid && addr < CHIP_BYTES ? image[addr] : (u32)-1;
}

/* Only the used byte takes writes, and only bits going 1 -> 0; the chip is written in the background. */
u32 Z_halZ_cartridge_write(H, u32 addr, u32 value) {
  (void)h;
  if (!image_valid) return (u32)-1;
  if (addr != USED_ADDR || value > 0xFFu || (~image[USED_ADDR] & value)) return (u32)-2;
  image[USED_ADDR] &= (uint8_t)value;
  write_pending = 1;
  return 0;
}
