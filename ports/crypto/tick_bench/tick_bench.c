/* The board's main loop (ports/stm32f405/board/main.c) and crypto HAL (crypto_hal.c, crypto_engine.c)
 * with a module written in C (firmware.h here) and the rest of the board left out, under
 * qemu-system-arm -M netduinoplus2 -semihosting -icount (tools/build/port-crypto.ts chooses the shift:
 * how many ns an instruction takes), where TIM2 counts ns of virtual time. The module starts signature
 * checks through the HAL and polls them, as the firmware does, while the main loop's thread steps
 * them; every tick measures how late it starts against SysTick's 1 ms grid. Then it cancels a check
 * half-way, and last it traps inside a tick while a check runs, which must end in board_panic_reset.
 * Prints one line:
 *   tick_bench period=N check_late_max=N gap_max=N check_ticks=N good=R bad=R cancel=R
 *   busy_while_cancelling=N after_cancel=R trap_ipsr=N stack=N tick_arena_peak=N
 * (period, late and gap in ns of virtual time; R a pen_abi.h CRYPTO_* code), then "tick_bench: ok" and
 * exit status 0, or what went wrong and 1. QEMU runs with sleep=off: a WFI skips to the next interrupt
 * at once (not always to the right one, so ticks after the idle loop's WFI are not measured). */
#include <stdint.h>
#include <string.h>
#include "firmware.h"
#include "wasm-rt-impl.h"
#include "crypto_engine.h"
#include "crypto_vectors.h"
#include "pen_abi.h"
#include "port.h"
#include "rng.h"
#include "semihost.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define TIM2_CR1 REG(0x40000000u)
#define TIM2_EGR REG(0x40000014u)
#define TIM2_CNT REG(0x40000024u)
#define TIM2_PSC REG(0x40000028u)
#define TIM2_ARR REG(0x4000002Cu)
#define RCC_APB1ENR REG(0x40023840u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#ifndef CORE_HZ
#define CORE_HZ 168000000u /* as board/main.c */
#endif

/* the module's buffers in its linear memory */
enum { MSG = 0x1000, SIG = 0x1200, BAD_SIG = 0x1300, PUB = 0x1400 };
#define IDLE_TICKS 20u
#define CANCEL_AFTER_TICKS 10u /* a check takes about 28 ticks here */
#define TRAP_AFTER_TICKS 10u

enum { PH_IDLE, PH_GOOD, PH_BAD, PH_CANCEL, PH_AFTER_CANCEL, PH_TRAP };

static struct {
  uint32_t phase, ticks, phase_ticks, last_start, last_reload, was_busy, key, handle;
  uint32_t period, check_late_max, gap_max, check_ticks, busy_while_cancelling;
  int32_t good, bad, cancel, after_cancel;
  uint32_t failures;
} b;

static char line[400];
static char *put_str(char *p, const char *s) {
  while (*s) *p++ = *s++;
  return p;
}
static char *put_kv(char *p, const char *k, int32_t v) {
  char tmp[12];
  int n = 0;
  uint32_t u = v < 0 ? (uint32_t)-v : (uint32_t)v;
  p = put_str(put_str(put_str(p, " "), k), "=");
  if (v < 0) *p++ = '-';
  do tmp[n++] = (char)('0' + u % 10), u /= 10;
  while (u);
  while (n) *p++ = tmp[--n];
  return p;
}
static void fail(const char *why) {
  b.failures++;
  sh_puts("tick_bench: ");
  sh_puts(why);
  sh_puts("\n");
}

/* ---- the module ---------------------------------------------------------------------------------------- */

void Z_firmware_init_module(void) {}
void Z_firmware_instantiate(Z_firmware_instance_t *m, struct Z_hal_instance_t *h) {
  m->Z_hal_instance = h;
  wasm_rt_allocate_memory(&m->w2c_memory, 1, 1);
}
u32 Z_firmwareZ_abi_version(Z_firmware_instance_t *m) {
  (void)m;
  return PEN_HAL_ABI_VERSION;
}
wasm_rt_memory_t *Z_firmwareZ_memory(Z_firmware_instance_t *m) { return &m->w2c_memory; }

void Z_firmwareZ_init(Z_firmware_instance_t *m) {
  uint8_t *mem = m->w2c_memory.data;
  memcpy(mem + MSG, vec_msg, sizeof vec_msg);
  memcpy(mem + SIG, vec_sig, sizeof vec_sig);
  memcpy(mem + BAD_SIG, vec_sig_bad, sizeof vec_sig_bad);
  memcpy(mem + PUB, vec_pub, sizeof vec_pub);
  b.key = Z_halZ_crypto_key_import(m->Z_hal_instance, PUB);
  if ((int32_t)b.key < KEY_ID_VOLATILE) fail("the key import was refused");
}

static uint32_t start_check(Z_firmware_instance_t *m, uint32_t sig) {
  uint32_t h = Z_halZ_crypto_verify_start(m->Z_hal_instance, b.key, MSG, sizeof vec_msg, sig);
  if ((int32_t)h <= 0) fail("a check was refused");
  return h;
}

static void next_phase(uint32_t phase) {
  b.phase = phase;
  b.phase_ticks = 0;
}

/* SysTick counts as ns of virtual time, which TIM2 counts: QEMU clocks SysTick at CORE_HZ. */
static uint32_t systick_ns(uint32_t counts) { return (uint32_t)((uint64_t)counts * 1000000000u / CORE_HZ); }

void Z_firmwareZ_tick(Z_firmware_instance_t *m) {
  /* when SysTick reloaded and raised this tick (its count since then), and when the tick was due: one
   * period after the reload that raised the tick before */
  uint32_t now = TIM2_CNT, reload = now - systick_ns(SYST_RVR - SYST_CVR);
  uint32_t late = now - (b.last_reload + b.period), gap = now - b.last_start;
  struct Z_hal_instance_t *hal = m->Z_hal_instance;
  Z_halZ_watchdog_kick(hal);
  b.period = systick_ns(SYST_RVR + 1);
  b.last_start = now;
  b.last_reload = reload;
  b.ticks++;
  b.phase_ticks++;
  if (b.phase == PH_IDLE) {
    if (b.phase_ticks < IDLE_TICKS) return;
    b.handle = start_check(m, SIG);
    memset(m->w2c_memory.data + MSG, 0xEE, 16); /* the inputs were copied at the start */
    next_phase(PH_GOOD);
    return;
  }
  int32_t r = (int32_t)Z_halZ_crypto_poll(hal, b.handle);
  /* measured only while a check kept the background busy since the tick before: QEMU's WFI, in the idle
   * loop, may skip a SysTick period */
  if (b.was_busy && r == CRYPTO_PENDING) {
    if (late > b.check_late_max) b.check_late_max = late;
    if (gap > b.gap_max) b.gap_max = gap;
  }
  b.was_busy = r == CRYPTO_PENDING;
  switch (b.phase) {
  case PH_GOOD:
    if (r == CRYPTO_PENDING) return;
    b.good = r;
    b.check_ticks = b.phase_ticks;
    Z_halZ_crypto_cancel(hal, b.handle);
    memcpy(m->w2c_memory.data + MSG, vec_msg, 16);
    b.handle = start_check(m, BAD_SIG);
    next_phase(PH_BAD);
    return;
  case PH_BAD:
    if (r == CRYPTO_PENDING) return;
    b.bad = r;
    Z_halZ_crypto_cancel(hal, b.handle);
    b.handle = start_check(m, SIG);
    next_phase(PH_CANCEL);
    return;
  case PH_CANCEL: {
    if (b.phase_ticks < CANCEL_AFTER_TICKS) return;
    if (r != CRYPTO_PENDING) fail("the check to cancel had ended");
    Z_halZ_crypto_cancel(hal, b.handle);
    b.cancel = (int32_t)Z_halZ_crypto_poll(hal, b.handle);
    /* the cancelled slot stays taken until its step has finished: three of the four slots are left */
    uint32_t open[CRYPTO_OPS], n = 0;
    while (n < CRYPTO_OPS && (int32_t)(open[n] = Z_halZ_crypto_hash_start(hal, MSG, 16)) > 0) n++;
    b.busy_while_cancelling = n;
    while (n) Z_halZ_crypto_cancel(hal, open[--n]);
    b.handle = start_check(m, SIG);
    next_phase(PH_AFTER_CANCEL);
    return;
  }
  case PH_AFTER_CANCEL:
    if (r == CRYPTO_PENDING) return;
    b.after_cancel = r;
    Z_halZ_crypto_cancel(hal, b.handle);
    b.handle = start_check(m, SIG);
    next_phase(PH_TRAP);
    return;
  case PH_TRAP:
    if (b.phase_ticks < TRAP_AFTER_TICKS) return;
    if (r != CRYPTO_PENDING) fail("the check had ended before the trap");
    wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE); /* as a module's `unreachable` does */
    fail("the trap returned");
    return;
  default:
    return;
  }
}

/* ---- the board, reduced to what main.c and crypto_hal.c call --------------------------------------------- */

void board_crypto_init(void);
void board_hal_init(void) {
  RCC_APB1ENR |= 1u;
  TIM2_PSC = 0;
  TIM2_ARR = 0xFFFFFFFFu;
  TIM2_EGR = 1u;
  TIM2_CR1 = 1u;
  board_crypto_init();
}
void board_report_fallbacks(void) {}
void board_indicator_1ms(void) {}
void board_serial_1ms(void) {}
void board_cartridge_1ms(void) {}
void board_driver_uart_1ms(void) {}
void board_driver_off(void) {}
void Z_halZ_watchdog_kick(struct Z_hal_instance_t *h) { (void)h; }
uint32_t board_rng_read(uint8_t *out, uint32_t n) {
  memset(out, 0, n);
  return BOARD_RNG_NO_DATA; /* the bench draws no random bits */
}

/* Where the trap in the last tick must end: figures out, then the verdict. */
void board_panic_reset(void) {
  uint32_t ipsr;
  __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
  if (b.phase != PH_TRAP) fail("a panic before the trap");
  if (ipsr != 15) fail("the trap did not end in SysTick's interrupt");
  if (b.good != CRYPTO_OK) fail("the good signature was not accepted");
  if (b.bad != CRYPTO_E_BAD_SIGNATURE) fail("the bad signature was not refused");
  if (b.cancel != CRYPTO_E_BAD_HANDLE) fail("a cancelled handle still answers");
  if (b.busy_while_cancelling != CRYPTO_OPS - 1) fail("a start took the slot of a check still cancelling");
  if (b.after_cancel != CRYPTO_OK) fail("the check after a cancel did not pass");
  char *p = put_str(line, "tick_bench");
  p = put_kv(p, "period", (int32_t)b.period);
  p = put_kv(p, "check_late_max", (int32_t)b.check_late_max);
  p = put_kv(p, "gap_max", (int32_t)b.gap_max);
  p = put_kv(p, "check_ticks", (int32_t)b.check_ticks);
  p = put_kv(p, "good", b.good);
  p = put_kv(p, "bad", b.bad);
  p = put_kv(p, "cancel", b.cancel);
  p = put_kv(p, "busy_while_cancelling", (int32_t)b.busy_while_cancelling);
  p = put_kv(p, "after_cancel", b.after_cancel);
  p = put_kv(p, "trap_ipsr", (int32_t)ipsr);
  p = put_kv(p, "stack", (int32_t)port_stack_used());
  p = put_kv(p, "tick_arena_peak", (int32_t)crypto_engine_tick_arena_peak());
  p = put_str(p, "\n");
  *p = 0;
  sh_puts(line);
  sh_puts(b.failures ? "tick_bench: FAILED\n" : "tick_bench: ok\n");
  sh_exit(b.failures ? 1 : 0);
}
