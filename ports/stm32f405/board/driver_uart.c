/* The TMC2209's single-wire UART (USART3: PB10 TX through 1 kohm to PDN_UART, PB11 RX on PDN_UART,
 * 115200 baud): sets the driver up for StallGuard on DIAG and reads its status flags for
 * driver_status(). Datagrams and registers: TMC2209 datasheet rev 1.03, 4.1 (UART), 5 (registers).
 * The MCU hears its own bytes (the wire is shared), then the driver's reply.
 *
 * board_driver_uart_1ms() runs once per control tick, after tick(), and never waits: one datagram
 * is under way at a time, sent and received by the USART3 interrupt. Every second the setup is
 * written again, so a driver that lost its supply and reset gets it back; between, DRV_STATUS and
 * GSTAT are read in turn every POLL_MS. A driver that does not answer for NO_ANSWER_MS reads as
 * charge-pump undervoltage (driver_status bit 512), which the firmware treats as a fault that cuts
 * the driver: its protections cannot be seen, so the pen must not run. */
#include <stdint.h>
#include "firmware.h"
#include "pen_abi.h"

#ifndef STALLGUARD_THRESHOLD
#define STALLGUARD_THRESHOLD 50 /* board driver.stallguard_threshold: DIAG when SG_RESULT <= 2 * this */
#endif
#ifndef DRIVER_MICROSTEPS
#define DRIVER_MICROSTEPS 16 /* board driver.microsteps */
#endif
#ifndef STALLGUARD_MIN_FULL_STEPS_S
#define STALLGUARD_MIN_FULL_STEPS_S 100 /* board driver.stallguard_min_full_steps_s */
#endif

#ifndef REG /* ports/stm32f405/test/ puts a model of the peripheral behind it */
#define REG(a) (*(volatile uint32_t *)(a))
#endif
#define RCC_APB1ENR REG(0x40023840u)
#define GPIOB 0x40020400u
#define USART3_SR REG(0x40004800u)
#define USART3_DR REG(0x40004804u)
#define USART3_BRR REG(0x40004808u)
#define USART3_CR1 REG(0x4000480Cu)
#define NVIC_ISER1 REG(0xE000E104u)
#ifndef NVIC_IPR
#define NVIC_IPR(n) (*(volatile uint8_t *)(0xE000E400u + (n)))
#endif
#define IRQ_USART3 39
#define USART_RXNE (1u << 5)
#define USART_ORE (1u << 3)
#define USART_TXE (1u << 7)

#define TMC_CLOCK_HZ 12000000u /* the TMC2209's internal clock: TSTEP counts it */
#define REG_GCONF 0x00u
#define REG_GSTAT 0x01u
#define REG_TCOOLTHRS 0x14u
#define REG_SGTHRS 0x40u
#define REG_CHOPCONF 0x6Cu
#define REG_DRV_STATUS 0x6Fu
/* pdn_disable (PDN_UART is the UART), mstep_reg_select (microsteps from MRES), multistep_filt;
 * en_SpreadCycle stays 0: StallGuard4 works in StealthChop only */
#define GCONF_VALUE (1u << 6 | 1u << 7 | 1u << 8)
#define MRES                                                                                                           \
  (DRIVER_MICROSTEPS == 256   ? 0u                                                                                     \
   : DRIVER_MICROSTEPS == 128 ? 1u                                                                                     \
   : DRIVER_MICROSTEPS == 64  ? 2u                                                                                     \
   : DRIVER_MICROSTEPS == 32  ? 3u                                                                                     \
   : DRIVER_MICROSTEPS == 16  ? 4u                                                                                     \
   : DRIVER_MICROSTEPS == 8   ? 5u                                                                                     \
                              : 6u)
#define CHOPCONF_VALUE (0x10000053u | MRES << 24) /* the reset value (TOFF 3, HSTRT 5, intpol) with MRES */
/* StallGuard only above the speed where it is reliable: TSTEP (clocks per microstep) at or below this */
#define TCOOLTHRS_VALUE (TMC_CLOCK_HZ / (STALLGUARD_MIN_FULL_STEPS_S * DRIVER_MICROSTEPS))
#define POLL_MS 5u
#define SETUP_EVERY_MS 1000u
#define ANSWER_MS 5u /* a read's 12 bytes take 1 ms at 115200 baud */
#define NO_ANSWER_MS 50u
#define DRV_FLAGS                                                                                                      \
  (uint32_t)(DRV_OTPW | DRV_OT | DRV_SHORT) /* DRV_STATUS otpw, ot, s2ga, s2gb, s2vsa, s2vsb: the ABI's bits 0..5 */
#define H struct Z_hal_instance_t *h

static volatile uint8_t tx[8], rx[12];
static volatile uint32_t tx_len, tx_sent, rx_len;
static uint32_t status_flags; /* DRV_STATUS bits 0..5, and DRV_UV from GSTAT or from silence */
static uint32_t busy_ms, expect, reading, since_answer_ms, until_setup_ms, setup_step, poll_reg = REG_DRV_STATUS;
static uint32_t idle_ms;

void USART3_IRQHandler(void) {
  uint32_t sr = USART3_SR;
  if (sr & (USART_RXNE | USART_ORE)) {
    uint8_t b = (uint8_t)USART3_DR;
    if (rx_len < sizeof rx) rx[rx_len] = b, rx_len = rx_len + 1;
  }
  if ((sr & USART_TXE) && (USART3_CR1 & USART_TXE)) {
    if (tx_sent < tx_len)
      USART3_DR = tx[tx_sent], tx_sent = tx_sent + 1;
    else
      USART3_CR1 &= ~USART_TXE;
  }
}

/* CRC-8, polynomial x^8 + x^2 + x + 1, bytes taken LSB first (datasheet 4.2). */
static uint8_t crc8(const volatile uint8_t *d, uint32_t n) {
  uint8_t crc = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint8_t b = d[i];
    for (int j = 0; j < 8; j++, b >>= 1)
      crc = (uint8_t)(((crc >> 7) ^ (b & 1u)) ? (crc << 1) ^ 0x07u : (uint32_t)crc << 1);
  }
  return crc;
}

static void send(uint32_t n) {
  tx[n - 1] = crc8(tx, n - 1);
  tx_len = n;
  tx_sent = 0;
  rx_len = 0;
  busy_ms = 0;
  USART3_CR1 |= USART_TXE; /* TXEIE: the interrupt sends */
}

static void write_reg(uint32_t reg, uint32_t value) {
  tx[0] = 0x05;
  tx[1] = 0;
  tx[2] = (uint8_t)(reg | 0x80u);
  tx[3] = (uint8_t)(value >> 24);
  tx[4] = (uint8_t)(value >> 16);
  tx[5] = (uint8_t)(value >> 8);
  tx[6] = (uint8_t)value;
  reading = 0;
  expect = 8; /* the echo */
  send(8);
}

static void read_reg(uint32_t reg) {
  tx[0] = 0x05;
  tx[1] = 0;
  tx[2] = (uint8_t)reg;
  reading = reg;
  expect = 12; /* the echo, then the reply */
  send(4);
}

/* The reply to a read: sync 0x05, master address 0xFF, the register, four data bytes, the CRC. */
static void take_reply(void) {
  if (rx[4] != 0x05 || rx[5] != 0xFF || rx[6] != reading || crc8(rx + 4, 7) != rx[11]) return;
  uint32_t v = (uint32_t)rx[7] << 24 | (uint32_t)rx[8] << 16 | (uint32_t)rx[9] << 8 | rx[10];
  if (reading == REG_DRV_STATUS)
    status_flags = (status_flags & DRV_UV) | (v & DRV_FLAGS);
  else
    status_flags = (status_flags & DRV_FLAGS) | (v & 1u << 2 ? DRV_UV : 0); /* GSTAT uv_cp */
  since_answer_ms = 0;
}

void board_driver_uart_init(void) {
  RCC_APB1ENR |= 1u << 18; /* USART3; the read back below lets the clock reach it first */
  uint32_t settle = RCC_APB1ENR;
  (void)settle;
  REG(GPIOB + 0x24) = (REG(GPIOB + 0x24) & ~(0xFFu << 8)) | 7u << 8 | 7u << 12; /* AFRH: PB10, PB11 AF7 */
  REG(GPIOB + 0x0C) = (REG(GPIOB + 0x0C) & ~(0xFu << 20)) | 1u << 22;           /* PUPDR: PB11 pull-up */
  REG(GPIOB + 0x00) = (REG(GPIOB + 0x00) & ~(0xFu << 20)) | 10u << 20;          /* MODER: alternate */
  USART3_BRR = (42000000u + 57600u) / 115200u;
  USART3_CR1 = 1u << 13 | USART_RXNE | 1u << 3 | 1u << 2; /* UE, RXNEIE, TE, RE */
  NVIC_IPR(IRQ_USART3) = 0x40;
  NVIC_ISER1 = 1u << (IRQ_USART3 - 32);
}

/* Once per control tick, after tick(). */
void board_driver_uart_1ms(void) {
  if (since_answer_ms < NO_ANSWER_MS) since_answer_ms++;
  if (until_setup_ms) until_setup_ms--;
  if (expect) { /* a datagram under way */
    if (rx_len >= expect) {
      if (reading) take_reply();
      expect = 0;
      idle_ms = setup_step ? 0 : POLL_MS; /* the setup goes out back to back */
    } else if (++busy_ms > ANSWER_MS) {
      expect = 0; /* no answer: try the next one */
      idle_ms = POLL_MS;
    }
    return;
  }
  if (idle_ms && --idle_ms) return;
  if (!until_setup_ms) {
    until_setup_ms = SETUP_EVERY_MS;
    setup_step = 4;
  }
  if (setup_step) {
    switch (setup_step--) {
    case 4:
      write_reg(REG_GCONF, GCONF_VALUE);
      break;
    case 3:
      write_reg(REG_CHOPCONF, CHOPCONF_VALUE);
      break;
    case 2:
      write_reg(REG_TCOOLTHRS, TCOOLTHRS_VALUE);
      break;
    default:
      write_reg(REG_SGTHRS, STALLGUARD_THRESHOLD);
      break;
    }
    return;
  }
  read_reg(poll_reg);
  poll_reg = poll_reg == REG_DRV_STATUS ? REG_GSTAT : REG_DRV_STATUS;
}

/* DRV_STATUS bits 0..5 and uv as last read; uv too when the driver has not answered for 50 ms. */
uint32_t board_driver_flags(void) { return status_flags | (since_answer_ms >= NO_ANSWER_MS ? DRV_UV : 0); }
