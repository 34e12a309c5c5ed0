/* The pen's bootloader on the STM32F405: picks a slot with the state machine (boot_state.c), which
 * has checked the image (boot_image.c), and starts it in place. It never drives the motor: the
 * TMC2209's enable pin (PA4, ENN) is set to its disabled level (high) before anything else and left
 * so; the firmware takes it over. Runs from the reset clock (HSI, 16 MHz): nothing here needs more.
 * BOOT_EMULATED: the QEMU build, which prints its decisions over semihosting, keeps the flash in a
 * host file (boot_flash_semihost.c) and measures the verification with TIM2 (1 count per
 * instruction under -icount shift=0). */
#include <stdint.h>
#include <string.h>
#include "boot_flash.h"
#include "boot_layout.h"
#include "boot_state.h"
#include "boot_key.h" /* generated: boot_pubkey_spki[] (tools/boot-build.ts) */
#include "mbedtls/memory_buffer_alloc.h"
#include "smp.h"
#include "smp_serial.h"
#ifdef BOOT_EMULATED
#include "semihost.h"
#endif

#ifndef BOOT_BOARD
#error "BOOT_BOARD (the board name images must carry) comes from the build"
#endif
#ifndef BOOT_HAL_ABI_VERSION
#error "BOOT_HAL_ABI_VERSION comes from the build"
#endif

#define REG(a) (*(volatile uint32_t *)(a))
#define RCC_AHB1ENR REG(0x40023830u)
#define GPIOA_MODER REG(0x40020000u)
#define GPIOA_BSRR REG(0x40020018u)
#define PIN_EN_BIT 4u /* PA4: TMC2209 ENN, high = outputs off */
#define SCB_VTOR REG(0xE000ED08u)
/* The two buttons that, held at power-on, enter service mode: GPIO port index (0 = A) and pin, from
 * the board file's mcu.pins.buttons (tools/build/boot-build.ts); active low, with pull-ups. */
#if !defined(BOOT_SERVICE_BUTTON1_PORT) || !defined(BOOT_SERVICE_BUTTON2_PORT)
#error "BOOT_SERVICE_BUTTON{1,2}_{PORT,PIN} come from the build"
#endif

/* mbedTLS's bignums and points come from here (memory_buffer_alloc.c) */
#define ARENA_BYTES 6144u
static unsigned char arena[ARENA_BYTES] __attribute__((aligned(8)));

/* A corrupt arena: stop with the driver off; the next reset tries again. */
void crypto_fatal(int code) {
  (void)code;
  for (;;) {}
}

static void driver_off(void) {
  RCC_AHB1ENR |= 1u << 0; /* GPIOA clock */
  (void)RCC_AHB1ENR;
  GPIOA_BSRR = 1u << PIN_EN_BIT; /* level first, then the pin becomes an output at that level */
  GPIOA_MODER = (GPIOA_MODER & ~(3u << 2 * PIN_EN_BIT)) | 1u << 2 * PIN_EN_BIT;
}

#ifdef BOOT_EMULATED
#define TIM2_CR1 REG(0x40000000u)
#define TIM2_EGR REG(0x40000014u)
#define TIM2_CNT REG(0x40000024u)
#define TIM2_PSC REG(0x40000028u)
#define TIM2_ARR REG(0x4000002Cu)
static void say(const char *s) {
  sh_puts(s);
  uart_puts(s);
}
static void say_u32(uint32_t v) {
  char b[11], *p = b + sizeof b;
  *--p = 0;
  do *--p = (char)('0' + v % 10);
  while (v /= 10);
  say(p);
}
/* The highest arena byte the allocator touched (a block's end, or the 32-byte header it writes after
 * it): what ARENA_BYTES must hold. Painted after init, which clears the arena and writes the first
 * header at its start. */
#define ARENA_PAINT 0xA5u
#define ARENA_FIRST_HEADER_BYTES 64u
static void paint_arena(void) {
  memset(arena + ARENA_FIRST_HEADER_BYTES, ARENA_PAINT, ARENA_BYTES - ARENA_FIRST_HEADER_BYTES);
}
static uint32_t arena_peak(void) {
  uint32_t top = ARENA_BYTES;
  while (top > ARENA_FIRST_HEADER_BYTES && arena[top - 1] == ARENA_PAINT) top--;
  return top;
}
#else
/* the production build says on the console USART what it starts or refuses: `pen flash` reads it */
static void say(const char *s) { uart_puts(s); }
static void say_u32(uint32_t v) {
  char b[11], *p = b + sizeof b;
  *--p = 0;
  do *--p = (char)('0' + v % 10);
  while (v /= 10);
  uart_puts(p);
}
#endif

/* Both service buttons held (read after the pull-ups settle). Not under QEMU: it models no GPIO
 * inputs, and its unmapped GPIO reads 0, which would read as held. */
static int service_buttons_held(void) {
#ifdef BOOT_EMULATED
  return 0;
#else
  const uint32_t port[2] = {BOOT_SERVICE_BUTTON1_PORT, BOOT_SERVICE_BUTTON2_PORT};
  const uint32_t pin[2] = {BOOT_SERVICE_BUTTON1_PIN, BOOT_SERVICE_BUTTON2_PIN};
  int held = 1;
  for (int i = 0; i < 2; i++) {
    uint32_t base = 0x40020000u + 0x400u * port[i];
    RCC_AHB1ENR |= 1u << port[i];
    (void)RCC_AHB1ENR;
    REG(base + 0x00) &= ~(3u << 2 * pin[i]);                                        /* MODER: input */
    REG(base + 0x0C) = (REG(base + 0x0C) & ~(3u << 2 * pin[i])) | 1u << 2 * pin[i]; /* PUPDR: pull-up */
  }
  for (volatile uint32_t i = 0; i < 16000u; i++) {} /* about 1 ms at 16 MHz for the pull-ups */
  for (int i = 0; i < 2; i++) held &= !(REG(0x40020000u + 0x400u * port[i] + 0x10) & 1u << pin[i]);
  return held;
#endif
}

static void halt(void) {
#ifdef BOOT_EMULATED
  sh_exit(3);
#endif
  for (;;) __asm__ volatile("wfi");
}

/* Starts the image in place: its vector table follows the header (RM0090 / PM0214 4.4.4: VTOR). */
__attribute__((noreturn)) static void start(uint32_t vectors) {
  SCB_VTOR = vectors;
  __asm__ volatile("dsb\n isb" ::: "memory");
  uint32_t sp = ((const uint32_t *)vectors)[0], pc = ((const uint32_t *)vectors)[1];
  __asm__ volatile("msr msp, %0\n bx %1" ::"r"(sp), "r"(pc) : "memory");
  __builtin_unreachable();
}

int main(void) {
  driver_off();
  mbedtls_memory_buffer_alloc_init(arena, sizeof arena);
#ifdef BOOT_EMULATED
  paint_arena();
#endif
  boot_flash flash;
  if (boot_flash_open(&flash) != 0) {
    say("boot: cannot open the flash\n");
    halt();
  }
  boot_config config = {
      {SLOT_A_ADDR, SLOT_B_ADDR},
      boot_flash_counter_addr(),
      COUNTER_WORDS,
      {BOOT_BOARD, BOOT_HAL_ABI_VERSION, boot_pubkey_spki, sizeof boot_pubkey_spki},
  };
  uart_init();
  if (service_buttons_held()) smp_service(&flash, &config, "service buttons held at power-on");
  if (smp_service_requested(&flash)) smp_service(&flash, &config, "requested by the firmware");
  boot_decision d = boot_decide(&flash, &config);
  for (int s = 0; s < 2; s++) {
    if (d.refused[s] == IMG_OK) continue;
    say(s ? "boot: slot B refused: " : "boot: slot A refused: ");
    say(image_status_name(d.refused[s]));
    say("\n");
  }
  if (d.slot < 0) {
    say("boot: no bootable image; the driver stays off\n");
    smp_service(&flash, &config, "no bootable image");
  }
  uint32_t base = config.slot_addr[d.slot];
#ifdef BOOT_EMULATED
  /* one verification again, counted: what a boot spends checking its image */
  TIM2_PSC = 0;
  TIM2_ARR = 0xFFFFFFFFu;
  TIM2_EGR = 1u;
  TIM2_CR1 = 1u;
  uint32_t t0 = TIM2_CNT;
  image_status again =
      image_check(flash.map(flash.ctx, base), base, SLOT_USABLE_BYTES, SLOT_HEADER_BYTES, &config.policy, 0);
  uint32_t spent = TIM2_CNT - t0;
  TIM2_CR1 = 0;
  say("boot: verify_instructions=");
  say_u32(spent);
  say(again == IMG_OK ? " image_bytes=" : " (FAILED) image_bytes=");
  say_u32(d.info.img_size);
  say(" arena_peak_bytes=");
  say_u32(arena_peak());
  say("\n");
#endif
  say("boot: version ");
  say_u32(d.info.ver_major);
  say(".");
  say_u32(d.info.ver_minor);
  say(".");
  say_u32(d.info.ver_revision);
  if (d.info.ver_build) {
    say(".");
    say_u32(d.info.ver_build);
  }
  say(d.trial ? " on trial\n" : " confirmed\n");
  say(d.slot ? "boot: starting slot B" : "boot: starting slot A");
  say(d.trial ? " (trial " : "");
  if (d.trial) {
    say_u32(d.attempt);
    say(" of 3)");
  }
  say(", security counter ");
  say_u32(d.info.security_counter);
  say(", stored minimum ");
  say_u32(d.counter_min);
  say("\n");
  boot_flash_close();
  start(base + SLOT_HEADER_BYTES);
}
