/* The step queue executor (HAL step_queue_*, step_position, now_ticks) on TIM2: what the rest of the
 * board code calls, and what it must provide. */
#ifndef BOARD_STEP_QUEUE_H
#define BOARD_STEP_QUEUE_H
#include <stdint.h>

#ifndef STEP_TIMER_PRESCALER
#define STEP_TIMER_PRESCALER 4 /* board mcu.step_timer.prescaler */
#endif
#ifndef STEP_TIMER_CLOCK_HZ
#define STEP_TIMER_CLOCK_HZ                                                                                            \
  84000000u /* board mcu.step_timer.clock_hz: APB1 42 MHz, doubled for the timers (RM0090 6.2) */
#endif
#define STEP_TIMER_HZ (STEP_TIMER_CLOCK_HZ / STEP_TIMER_PRESCALER)

/* TIM2 free-running at STEP_TIMER_HZ over 32 bits, compare and overflow interrupts enabled in TIM2
 * (the NVIC is the caller's). */
void board_step_timer_init(void);
/* No further steps, whatever is queued: the panic path, before a reset. */
void board_step_timer_stop(void);
/* Provided by the board HAL: 1 while the retract endstop is active (its pin and polarity are there). */
int board_endstop_active(void);
void TIM2_IRQHandler(void);

#ifndef HOST_IRQ_MODEL /* ports/stm32f405/test/ models the interrupt mask and the pending compare */
static inline uint32_t irq_save(void) {
  uint32_t p;
  __asm__ volatile("mrs %0, primask\n cpsid i" : "=r"(p)::"memory");
  return p;
}
static inline void irq_restore(uint32_t p) { __asm__ volatile("msr primask, %0" ::"r"(p) : "memory"); }
#endif
#endif
