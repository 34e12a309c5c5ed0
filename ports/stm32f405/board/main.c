/* The pen: runs the translated firmware module on the STM32F405 board. init() once after every reset,
 * in thread mode; then tick() once per SysTick period (1 kHz) in SysTick's interrupt, never
 * re-entrantly, so that the main loop's thread, which runs the slow crypto in steps of up to about
 * 3.8 ms (board_crypto_background), never delays a tick or the watchdog kick the tick makes. SysTick has
 * the lowest priority: the step timer (TIM2) and the serial ports interrupt the tick as before. A
 * wasm trap or a CPU fault switches the driver off and resets (reset_cause 2). */
#include <stdint.h>
#include "firmware.h"
#include "wasm-rt-impl.h"
#include "port.h"

#ifndef CORE_HZ
#define CORE_HZ 168000000u /* board mcu.core_hz; board_hal_init sets the PLL to it */
#endif
#ifndef CONTROL_HZ
#define CONTROL_HZ 1000u /* board timing.control_hz */
#endif
#include "pen_abi.h"

/* SysTick and SCB, ST PM0214 4.5 and 4.4 */
#define REG(a) (*(volatile uint32_t *)(a))
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define SCB_SHPR3 REG(0xE000ED20u)

struct Z_hal_instance_t {
  int unused;
};

/* board/hal.c */
void board_hal_init(void);
void board_driver_off(void);
void board_panic_reset(void) __attribute__((noreturn));
void board_indicator_1ms(void);
void board_report_fallbacks(void);
void board_cartridge_1ms(void);
void board_driver_uart_1ms(void);
void board_serial_1ms(void); /* board/hal.c */

void board_crypto_background(void); /* board/crypto_hal.c */
int board_crypto_pending(void);     /* board/crypto_hal.c */

static Z_firmware_instance_t module;
static struct Z_hal_instance_t hal;

/* The module's linear memory, for HAL imports that take a pointer into it (board/crypto_hal.c). */
uint8_t *board_module_memory(uint32_t *bytes) {
  wasm_rt_memory_t *m = Z_firmwareZ_memory(&module);
  *bytes = m->data ? (uint32_t)m->size : 0;
  return m->data;
}

/* A CPU fault, an unexpected interrupt or main() returning: the same safe way out as a trap. */
void port_fatal(int why) {
  (void)why;
  board_panic_reset();
}

/* Runs one entry of the module; a trap longjmps back here, and the pen resets with the driver off.
 * setjmp and longjmp meet in the same call of run_guarded, on the same stack, whether it runs in
 * thread mode (start, init) or in SysTick's interrupt (tick): the longjmp never leaves the exception,
 * and board_panic_reset resets from there. */
static void run_guarded(void (*entry)(Z_firmware_instance_t *)) {
  if (wasm_rt_impl_try() != 0) board_panic_reset();
  entry(&module);
}

static void instantiate(Z_firmware_instance_t *m) { Z_firmware_instantiate(m, &hal); }

/* The control tick. A tick longer than its period leaves SysTick pending and the next one follows at
 * once; ticks never nest (one pending bit: a tick that overran two periods loses one). */
void SysTick_Handler(void) {
  run_guarded(Z_firmwareZ_tick);
  /* the peripherals the ABI reads synchronously but the wire cannot answer in time, kept current here */
  board_indicator_1ms();
  board_serial_1ms();
  board_cartridge_1ms();
  board_driver_uart_1ms();
}

int main(void) {
  board_hal_init();         /* driver off, clocks, peripherals, watchdog running */
  board_report_fallbacks(); /* what this start lacks (an emulator lacks much), on the command port */
  wasm_rt_init();
  Z_firmware_init_module();
  run_guarded(instantiate); /* runs the module's start function, which may trap */
  if (Z_firmwareZ_abi_version(&module) != PEN_HAL_ABI_VERSION) {
    /* a module for another HAL must not run, and resetting would not change it: halt, driver off */
    board_driver_off();
    for (;;) Z_halZ_watchdog_kick(&hal); /* no WFI: nothing would wake it within the watchdog period */
  }
  Z_halZ_watchdog_kick(&hal); /* init() gets a full watchdog period */
  run_guarded(Z_firmwareZ_init);

  SYST_RVR = CORE_HZ / CONTROL_HZ - 1;
  SYST_CVR = 0;
  SCB_SHPR3 = (SCB_SHPR3 & 0x00FFFFFFu) | 0xF0u << 24; /* lowest priority: the step timer comes first */
  SYST_CSR = 7u;                                       /* core clock, interrupt, enable */
  /* the background: crypto steps while any are waiting, else sleep until an interrupt (masked around the
   * test, so a start in a tick between the test and the WFI is not slept through; WFI still wakes) */
  for (;;) {
    board_crypto_background();
    __asm__ volatile("cpsid i" ::: "memory");
    if (!board_crypto_pending()) __asm__ volatile("wfi" ::: "memory");
    __asm__ volatile("cpsie i\n isb" ::: "memory");
  }
}
