/* The HAL ABI (docs/hal-abi.md; its version is HAL_ABI_VERSION in pen_abi.h) on the STM32F405 + TMC2209 pen board, by direct register
 * access: addresses and bits from ST RM0090 rev 19 (section named at each block), core registers from
 * ST PM0214. TIM2 counts 21 MHz ticks and runs the step queue from its compare interrupt (step_queue.c). */
#include <stdint.h>
#include "firmware.h"
#include "step_queue.h"  /* the step queue and now_ticks: TIM2, in step_queue.c */
#include "pen_abi.h"     /* the ABI's codes, written from abi/pen-abi.ts */
#include "rng.h"         /* the TRNG behind its health tests */
#include "enable_pump.h" /* the driver enable held only while the firmware runs */

#define VDDA_MV 3300u            /* the ADC's reference */
#define BATTERY_DIVIDER 2u       /* 1:2 divider in front of PC0 */
#define RTC_SECONDS_AT_RESET 0u  /* no calendar on this board: see rtc_seconds */
#define PANIC_MARKER 0x50414E43u /* "PANC" in .noinit: the last reset was a panic */
#define ENDSTOP_ACTIVE_LOW 1     /* board wiring: the slot sensor's open collector pulls PB0 low when blocked */

#define REG(a) (*(volatile uint32_t *)(a))
/* RCC, RM0090 7.3; flash interface, 3.9; power controller, 5.4 */
#define RCC_CR REG(0x40023800u)
#define RCC_PLLCFGR REG(0x40023804u)
#define RCC_CFGR REG(0x40023808u)
#define RCC_AHB1ENR REG(0x40023830u)
#define RCC_AHB2ENR REG(0x40023834u)
#define RCC_APB1ENR REG(0x40023840u)
#define RCC_APB2ENR REG(0x40023844u)
#define RCC_CSR REG(0x40023874u)
#define FLASH_ACR REG(0x40023C00u)
#define PWR_CR REG(0x40007000u)
/* GPIO ports and register offsets, RM0090 8.4 */
#define GPIOA 0x40020000u
#define GPIOB 0x40020400u
#define GPIOC 0x40020800u
#define MODER 0x00
#define OSPEEDR 0x08
#define PUPDR 0x0C
#define IDR 0x10
#define BSRR 0x18
#define AFRL 0x20
/* USART2, RM0090 30.6 */
#define USART2_SR REG(0x40004400u)
#define USART2_DR REG(0x40004404u)
#define USART2_BRR REG(0x40004408u)
#define USART2_CR1 REG(0x4000440Cu)
#define USART_RXNE (1u << 5) /* SR */
#define USART_ORE (1u << 3)  /* SR */
#define USART_TXE (1u << 7)  /* SR; the same bit in CR1 is TXEIE */
/* ADC1 and the ADC common registers, RM0090 13.13 */
#define ADC1_SR REG(0x40012000u)
#define ADC1_CR2 REG(0x40012008u)
#define ADC1_SMPR1 REG(0x4001200Cu)
#define ADC1_SQR3 REG(0x40012034u)
#define ADC1_DR REG(0x4001204Cu)
#define ADC_CCR REG(0x40012304u)
/* SYSCFG, RM0090 9.2; EXTI, 10.3; IWDG, 19.4 */
#define SYSCFG_EXTICR1 REG(0x40013808u)
#define EXTI_IMR REG(0x40013C00u)
#define EXTI_RTSR REG(0x40013C08u)
#define EXTI_PR REG(0x40013C14u)
#define IWDG_KR REG(0x40003000u)
#define IWDG_PR REG(0x40003004u)
#define IWDG_RLR REG(0x40003008u)
#define IWDG_SR REG(0x4000300Cu)
/* NVIC and SCB, PM0214 4.2 and 4.4 */
#define NVIC_ISER0 REG(0xE000E100u)
#define NVIC_ISER1 REG(0xE000E104u)
#define NVIC_IPR(n) (*(volatile uint8_t *)(0xE000E400u + (n)))
#define SCB_AIRCR REG(0xE000ED0Cu)
#define IRQ_TIM2 28
#define IRQ_USART2 38

/* pins, board mcu.pins */
#define PIN_STEP (1u << 0)     /* PA0 */
#define PIN_DIR (1u << 1)      /* PA1, high = extend */
#define PIN_EN (1u << 4)       /* PA4, TMC2209 ENN: high = outputs off */
#define PIN_BUZZER (1u << 8)   /* PA8, an active buzzer (sounds while high) */
#define PIN_ENDSTOP (1u << 0)  /* PB0 */
#define PIN_DIAG (1u << 1)     /* PB1, EXTI line 1 */
#define PIN_GREEN (1u << 8)    /* PC8 */
#define PIN_RED (1u << 9)      /* PC9 */
#define PIN_OFF(p) ((p) << 16) /* BSRR: the reset half */

enum { MODE_IN, MODE_OUT, MODE_AF, MODE_ANALOG };
enum { PULL_NONE, PULL_UP, PULL_DOWN };
#define H struct Z_hal_instance_t *h

u32 Z_halZ_driver_temp_dc(H); /* in the ABI but not imported by this module, so not in firmware.h */
void board_panic_reset(void) __attribute__((noreturn));
void board_log_init(void);
void board_cartridge_init(void);
void board_driver_uart_init(void);
void board_crypto_init(void);

static void pin_mode(uint32_t port, uint32_t pin, uint32_t mode, uint32_t pull) {
  REG(port + MODER) = (REG(port + MODER) & ~(3u << 2 * pin)) | mode << 2 * pin;
  REG(port + PUPDR) = (REG(port + PUPDR) & ~(3u << 2 * pin)) | pull << 2 * pin;
}

static void pins_mode(uint32_t port, uint32_t pins, uint32_t mode, uint32_t pull) {
  for (uint32_t pin = 0; pin < 16; pin++)
    if (pins & 1u << pin) pin_mode(port, pin, mode, pull);
}

static void pin_af(uint32_t port, uint32_t pin, uint32_t af) {
  volatile uint32_t *afr = &REG(port + AFRL + 4 * (pin / 8));
  *afr = (*afr & ~(15u << 4 * (pin % 8))) | af << 4 * (pin % 8);
  pin_mode(port, pin, MODE_AF, PULL_UP);
}

/* ---- driver, endstop, buttons, battery -------------------------------------------------------------- */

/* DRV_STATUS bits 0..5 and uv come from the TMC2209's UART (driver_uart.c), which also sets the
 * driver up so that DIAG pulses on a StallGuard stall. */
uint32_t board_driver_flags(void);

void Z_halZ_driver_enable(H, u32 on) {
  (void)h;
  REG(GPIOA + BSRR) = on ? PIN_OFF(PIN_EN) : PIN_EN;
}

/* stall: a DIAG rising edge since the last read, latched in EXTI_PR (the EXTI1 interrupt stays off in
 * the NVIC: the pending bit is the latch), or DIAG high now */
u32 Z_halZ_driver_status(H) {
  (void)h;
  uint32_t edge = EXTI_PR & PIN_DIAG;
  EXTI_PR = edge; /* writing 1 clears; writing 0 keeps an edge that arrives meanwhile */
  return board_driver_flags() | (edge || (REG(GPIOB + IDR) & PIN_DIAG) ? DRV_STALL : 0);
}

/* The TMC2209 reports no temperature, only its otpw/ot thresholds (120/143 C): the worst one crossed,
 * else ambient 25.0 C. */
u32 Z_halZ_driver_temp_dc(H) {
  (void)h;
  uint32_t f = board_driver_flags();
  return f & DRV_OT ? 1430 : f & DRV_OTPW ? 1200 : 250;
}

int board_endstop_active(void) {
  uint32_t level = REG(GPIOB + IDR) & PIN_ENDSTOP;
  return ENDSTOP_ACTIVE_LOW ? level == 0 : level != 0;
}

u32 Z_halZ_endstop_active(H) {
  (void)h;
  return (u32)board_endstop_active();
}

/* pressed = low (pull-ups): power PB12, start PB13, depth+ PB14, depth- PB15, speed+ PC6, speed- PC7.
 * All six at once is no hand's doing but inputs stuck low (or none: QEMU reads every GPIO as 0), so
 * it reads as released, else the pen would power itself on; fallbacks.c says so. */
int board_buttons_implausible;
u32 Z_halZ_buttons_raw(H) {
  (void)h;
  uint32_t b = ~REG(GPIOB + IDR), c = ~REG(GPIOC + IDR);
  uint32_t raw = ((b >> 12) & 0xFu) | ((c >> 6) & 0x3u) << 4;
  if (raw != 0x3Fu) return raw;
  board_buttons_implausible = 1;
  return 0;
}

/* ADC1 converts channel 10 continuously (23 us each), so the data register is always fresh. */
u32 Z_halZ_battery_mv(H) {
  (void)h;
  return (ADC1_DR & 0xFFFu) * VDDA_MV * BATTERY_DIVIDER / 4095u;
}

/* ---- cartridge chip (cartridge_chip.c) and treatment log storage (log_store.c) ------------------------ */

/* ---- random numbers, keys, clock --------------------------------------------------------------------- */

/* The generator behind SP 800-90B health tests (rng.c). This import has no error code: a failed
 * generator gives 0, never a stale word; the random-bytes import reports the failure itself. */
u32 Z_halZ_rng_u32(H) {
  (void)h;
  uint8_t b[4];
  (void)board_rng_read(b, sizeof b);
  return (u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
}

/* The board file names no 32.768 kHz crystal or backup cell, so no calendar RTC: seconds since reset
 * counted by the step timer, plus RTC_SECONDS_AT_RESET. Log times are relative until an RTC is fitted. */
u32 Z_halZ_rtc_seconds(H) { return RTC_SECONDS_AT_RESET + (u32)(Z_halZ_now_ticks(h) / STEP_TIMER_HZ); }

/* ---- command port: USART2 (PA2 TX, PA3 RX), 115200 8N1, interrupt-driven rings ----------------------- */

#define RX_LEN 256u  /* 22 ms of input at 115200 */
#define TX_LEN 1024u /* 90 ms of output: a long reply never makes a tick wait */
static volatile uint8_t rx_buf[RX_LEN], tx_buf[TX_LEN];
static volatile uint32_t rx_head, rx_tail, tx_head, tx_tail;

void USART2_IRQHandler(void) {
  uint32_t sr = USART2_SR;
  if (sr & (USART_RXNE | USART_ORE)) {
    uint8_t b = (uint8_t)USART2_DR; /* SR then DR read clears RXNE and the error flags */
    if (rx_head - rx_tail < RX_LEN) rx_buf[rx_head & (RX_LEN - 1)] = b, rx_head = rx_head + 1;
  }
  if ((sr & USART_TXE) && (USART2_CR1 & USART_TXE)) {
    /* as many bytes as the data register takes: one or two on the part; all under QEMU, whose USART
     * sends at once and interrupts again only on the next received byte */
    while ((USART2_SR & USART_TXE) && tx_tail != tx_head)
      USART2_DR = tx_buf[tx_tail & (TX_LEN - 1)], tx_tail = tx_tail + 1;
    if (tx_tail == tx_head) USART2_CR1 &= ~USART_TXE; /* nothing left: TXEIE off */
  }
}

u32 Z_halZ_serial_read(H) {
  (void)h;
  if (rx_tail == rx_head) return (u32)-1;
  uint32_t b = rx_buf[rx_tail & (RX_LEN - 1)];
  rx_tail = rx_tail + 1;
  return b;
}

/* Called after every tick: sends what the data register takes, as the TXE interrupt does. QEMU's USART
 * (7.2) raises no interrupt when TXEIE is set, only on a received byte, so without this an emulated pen
 * says nothing until it is spoken to; on the part it only moves a byte the interrupt would move. */
void board_serial_1ms(void) {
  uint32_t p = irq_save();
  while ((USART2_SR & USART_TXE) && tx_tail != tx_head)
    USART2_DR = tx_buf[tx_tail & (TX_LEN - 1)], tx_tail = tx_tail + 1;
  if (tx_tail == tx_head) USART2_CR1 &= ~USART_TXE;
  irq_restore(p);
}

/* A full ring drops the byte: order is kept and the tick never waits for the wire. */
void Z_halZ_serial_write(H, u32 byte) {
  (void)h;
  if (tx_head - tx_tail >= TX_LEN) return;
  tx_buf[tx_head & (TX_LEN - 1)] = (uint8_t)byte;
  tx_head = tx_head + 1;
  uint32_t p = irq_save();
  USART2_CR1 |= USART_TXE; /* TXEIE */
  irq_restore(p);
}

/* ---- indicator: green LED PC8, red LED PC9, buzzer PA8, animated by board_indicator_1ms -------------- */

static uint32_t indicator_pattern, indicator_ms, beep_ms;

void Z_halZ_indicator_set(H, u32 pattern) {
  (void)h;
  if ((pattern & 0xFFu) == IND_REFUSED)
    beep_ms = 100; /* one short beep over the state's pattern, which stays */
  else if (pattern != indicator_pattern)
    indicator_pattern = pattern, indicator_ms = 0;
}

/* The main loop calls this once per control tick (1 ms). */
void board_indicator_1ms(void) {
  uint32_t t = indicator_ms++, code = (indicator_pattern >> 8) & 0xFFu, green = 0, red = 0, tone = 0;
  switch (indicator_pattern & 0xFFu) {
  case IND_HOMING:
    green = t % 250 < 125;
    break; /* fast blink */
  case IND_READY:
    green = 1;
    break; /* steady */
  case IND_RUNNING:
    green = t % 1000 < 900;
    break; /* steady with a short dark blink each second */
  case IND_PAUSED:
    green = t % 1000 < 500;
    break;          /* slow blink */
  case IND_FAULT: { /* red, a tone, then `code` blinks and a pause */
    uint32_t phase = t % (code * 500 + 1500);
    red = code == 0 || (phase < code * 500 && phase % 500 < 250);
    tone = t < 500;
    break;
  }
  default:
    break;
  }
  if (beep_ms) beep_ms--, tone = 1;
  REG(GPIOC + BSRR) = (green ? PIN_GREEN : PIN_OFF(PIN_GREEN)) | (red ? PIN_RED : PIN_OFF(PIN_RED));
  REG(GPIOA + BSRR) = tone ? PIN_BUZZER : PIN_OFF(PIN_BUZZER);
}

/* ---- watchdog, reset cause, telemetry, panic ---------------------------------------------------------- */

static uint32_t panic_marker __attribute__((section(".noinit"))); /* survives the software reset */
static uint32_t reset_cause_code;

void Z_halZ_watchdog_kick(H) {
  (void)h;
  IWDG_KR = 0xAAAAu;
  enable_pump_toggle(); /* the driver's outputs stay on only while this keeps coming */
}
u32 Z_halZ_reset_cause(H) {
  (void)h;
  return reset_cause_code;
}
void Z_halZ_report_state(H, u32 state, u32 fault) {
  (void)h;
  (void)state;
  (void)fault;
}
void Z_halZ_report_setting(H, u32 depth_um, u32 freq_hz, u32 requested_freq_hz, u32 clamp) {
  (void)h;
  (void)depth_um;
  (void)freq_hz;
  (void)requested_freq_hz;
  (void)clamp;
}
void Z_halZ_report_move(H, u32 dir, u32 steps, u32 duration_ticks, u32 accel_ticks) {
  (void)h;
  (void)dir;
  (void)steps;
  (void)duration_ticks;
  (void)accel_ticks;
}
void Z_halZ_panic(H, u32 code, u32 line) {
  (void)h;
  (void)code;
  (void)line;
  board_panic_reset();
}

/* SERVICE: the reply leaves first (the USART2 interrupt drains the ring, then TC), then the request
 * word for the bootloader (service_request.c), then a reset. Without a free request word the pen
 * restarts into its firmware: the two service buttons at power-on still reach service mode. */
int board_service_request(void);
void Z_halZ_reboot_to_service(H) {
  (void)h;
  board_driver_off();
  /* the reply goes out first, sent from here (interrupts masked: QEMU's USART would not interrupt for it) */
  (void)irq_save();
  for (uint32_t polls = 0; polls < 4000000u && (tx_tail != tx_head || !(USART2_SR & 1u << 6)); polls++)
    if ((USART2_SR & USART_TXE) && tx_tail != tx_head)
      USART2_DR = tx_buf[tx_tail & (TX_LEN - 1)], tx_tail = tx_tail + 1;
  (void)board_service_request();
  __asm__ volatile("dsb" ::: "memory");
  SCB_AIRCR = 0x05FA0000u | (SCB_AIRCR & 0x700u) | 1u << 2; /* VECTKEY, PRIGROUP kept, SYSRESETREQ */
  __asm__ volatile("dsb" ::: "memory");
  for (;;) {}
}

void board_driver_off(void) {
  REG(GPIOA + BSRR) = PIN_EN; /* first: outputs off, the spring retracts the needles */
  board_step_timer_stop();    /* then no further steps */
}

/* Driver off, remember why, reset: the next start reports reset_cause 2. */
void board_panic_reset(void) {
  board_driver_off();
  panic_marker = PANIC_MARKER;
  __asm__ volatile("dsb" ::: "memory");
  SCB_AIRCR = 0x05FA0000u | (SCB_AIRCR & 0x700u) | 1u << 2; /* VECTKEY, PRIGROUP kept, SYSRESETREQ */
  __asm__ volatile("dsb" ::: "memory");
  for (;;) {}
}

/* ---- start-up ------------------------------------------------------------------------------------------- */

/* Which clock the pen runs from, set by clocks_init() for the firmware to report. Without the crystal
 * (a broken or missing part, and always under QEMU, which never sets HSERDY) the pen runs from the
 * internal RC oscillator (HSI, 16 MHz +-1 %) through the PLL at the same 168 MHz, so it can still
 * talk and report, but it must not treat: the driver is held off by hardware (below). */
enum { CLOCK_HSE = 0, CLOCK_HSE_MISSING = 1, CLOCK_PLL_MISSING = 2 };
volatile uint32_t board_clock_status;
#define HSE_READY_POLLS 270000u /* about 100 ms at 16 MHz (ST's HSE_STARTUP_TIMEOUT); the crystal needs about 2 ms */
#define PLL_READY_POLLS 27000u  /* about 10 ms; the PLL locks in well under 1 ms (STM32F405 datasheet) */

static void clocks_init(void) {
  RCC_CR |= 1u << 16; /* HSEON: the 8 MHz crystal */
  uint32_t polls = 0;
  while (!(RCC_CR & 1u << 17) && ++polls < HSE_READY_POLLS) {}
  int hse = (RCC_CR & 1u << 17) != 0;
  if (!hse) {
    RCC_CR &= ~(1u << 16);
    board_clock_status = CLOCK_HSE_MISSING;
    /* a missing crystal is a fault that keeps the driver off: PA4 (ENN) becomes an input, so the
     * board's pull-up holds the TMC2209 off whatever driver_enable() writes to the output latch */
    REG(GPIOA + MODER) &= ~(3u << 2 * 4);
  }
  RCC_APB1ENR |= 1u << 28; /* PWR */
  PWR_CR |= 1u << 14;      /* VOS scale 1, needed for 168 MHz */
  /* 8 MHz / M 8 (or HSI 16 MHz / M 16) * N 336 = 336 MHz VCO; / P 2 = 168 MHz core; / Q 7 = 48 MHz for the RNG */
  RCC_PLLCFGR = hse ? 8u | 336u << 6 | 0u << 16 | 1u << 22 | 7u << 24 : 16u | 336u << 6 | 0u << 16 | 7u << 24;
  RCC_CR |= 1u << 24; /* PLLON */
  for (polls = 0; !(RCC_CR & 1u << 25) && polls < PLL_READY_POLLS; polls++) {}
  if (!(RCC_CR & 1u << 25)) { /* no PLL (QEMU does not model it): stay on HSI, timings are off */
    board_clock_status |= CLOCK_PLL_MISSING;
    return;
  }
  FLASH_ACR = 5u | 1u << 8 | 1u << 9 | 1u << 10; /* 5 wait states at 168 MHz and 3.3 V; prefetch, caches */
  RCC_CFGR = 5u << 10 | 4u << 13;                /* AHB /1, APB1 /4 = 42 MHz (TIM2 84 MHz), APB2 /2 = 84 MHz */
  RCC_CFGR |= 2u;                                /* system clock = PLL */
  while ((RCC_CFGR & 0xCu) != 0x8u) {}
}

/* Why this start: read once from RCC_CSR and the .noinit marker, both cleared for the next reset. */
static void reset_cause_init(void) {
  uint32_t csr = RCC_CSR;
  if (csr & (1u << 27 | 1u << 25))
    reset_cause_code = RESET_POWER_ON; /* POR/BOR: RAM is noise */
  else if ((csr & 1u << 28) && panic_marker == PANIC_MARKER)
    reset_cause_code = RESET_PANIC; /* SFTRSTF after panic */
  else if (csr & 1u << 29)
    reset_cause_code = RESET_WATCHDOG; /* IWDGRSTF */
  else
    reset_cause_code = RESET_POWER_ON; /* reset pin */
  panic_marker = 0;
  RCC_CSR |= 1u << 24; /* RMVF */
}

void board_hal_init(void) {
  reset_cause_init();
  RCC_AHB1ENR |= 7u;          /* GPIOA, GPIOB, GPIOC */
  (void)RCC_AHB1ENR;          /* read back: the clock reaches the ports before their first access */
  REG(GPIOA + BSRR) = PIN_EN; /* driver off before EN becomes an output (the board pulls ENN up in reset) */
  pins_mode(GPIOA, PIN_EN | PIN_STEP | PIN_DIR | PIN_BUZZER, MODE_OUT, PULL_NONE);
  REG(GPIOA + OSPEEDR) |= 2u << 0 | 2u << 2; /* STEP, DIR: fast edges */
  pins_mode(GPIOC, PIN_GREEN | PIN_RED, MODE_OUT, PULL_NONE);
  enable_pump_init();
  pins_mode(GPIOB, PIN_ENDSTOP | 0xFu << 12, MODE_IN, PULL_UP); /* endstop, buttons PB12-15 */
  pins_mode(GPIOC, 3u << 6, MODE_IN, PULL_UP);                  /* buttons PC6, PC7 */
  pin_mode(GPIOB, 1, MODE_IN, PULL_DOWN);                       /* an open DIAG line must not read as a stall */
  pin_mode(GPIOC, 0, MODE_ANALOG, PULL_NONE);
  pin_af(GPIOA, 2, 7); /* USART2 TX */
  pin_af(GPIOA, 3, 7); /* USART2 RX */

  clocks_init();
  RCC_APB1ENR |= 1u << 0 | 1u << 17; /* TIM2, USART2 */
  RCC_APB2ENR |= 1u << 8 | 1u << 14; /* ADC1, SYSCFG */
  RCC_AHB2ENR |= 1u << 6;            /* RNG */
  (void)RCC_AHB2ENR;

  /* DIAG (PB1) rising edges set EXTI_PR bit 1; the EXTI1 interrupt is never enabled in the NVIC */
  SYSCFG_EXTICR1 = (SYSCFG_EXTICR1 & ~(15u << 4)) | 1u << 4;
  EXTI_RTSR |= PIN_DIAG;
  EXTI_IMR |= PIN_DIAG;
  EXTI_PR = PIN_DIAG;

  board_step_timer_init();
  NVIC_IPR(IRQ_TIM2) = 0x00; /* steps first: nothing may delay them */
  NVIC_IPR(IRQ_USART2) = 0x40;
  NVIC_ISER0 = 1u << IRQ_TIM2;
  NVIC_ISER1 = 1u << (IRQ_USART2 - 32);

  /* USART2: 42 MHz / 115200, 16x oversampling; RX interrupt on, TX interrupt while bytes wait */
  USART2_BRR = (42000000u + 57600u) / 115200u;
  USART2_CR1 = 1u << 13 | USART_RXNE | 1u << 3 | 1u << 2; /* UE, RXNEIE, TE, RE */

  /* ADC1: 84 MHz / 4 = 21 MHz; channel 10 sampled 480 cycles for the divider's impedance; continuous */
  ADC_CCR = (ADC_CCR & ~(3u << 16)) | 1u << 16;
  ADC1_SMPR1 = 7u;
  ADC1_SQR3 = 10u;
  ADC1_CR2 = 1u << 0 | 1u << 1;                                     /* ADON, CONT */
  for (volatile uint32_t i = 0; i < 1000; i++) {}                   /* tSTAB: 3 us */
  ADC1_CR2 |= 1u << 30;                                             /* SWSTART */
  for (uint32_t i = 0; i < 100000u && !(ADC1_SR & 1u << 1); i++) {} /* a first result before init() */

  board_rng_init(); /* enabled, start-up health test run */

  board_log_init();
  board_cartridge_init();
  board_driver_uart_init();
  board_crypto_init();

  /* IWDG: LSI 32 kHz / 4 = 8 kHz, 160 counts = 20 ms (the LSI spreads 17-47 kHz: 14-38 ms) */
  IWDG_KR = 0xCCCCu; /* start; switches the LSI on */
  IWDG_KR = 0x5555u; /* unlock PR and RLR */
  IWDG_PR = 0;
  IWDG_RLR = 159;
  for (uint32_t i = 0; i < 100000u && IWDG_SR != 0; i++) {}
  IWDG_KR = 0xAAAAu;
}
