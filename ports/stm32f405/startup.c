/* Cortex-M4 start-up for the STM32F405: the vector table, and the reset handler that sets up RAM,
 * switches the FPU on (the port is built for hard float) and calls main(). Shared by the board build
 * and the replay build. */
#include <stdint.h>
#include "port.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _sstack, _estack;
int main(void);

/* A fault or an interrupt without a handler: the port decides what is safe (port_fatal). */
void Default_Handler(void) { port_fatal(PORT_FATAL_EXCEPTION); }

#define WEAK_HANDLER(name) void name(void) __attribute__((weak, alias("Default_Handler")))
WEAK_HANDLER(NMI_Handler);
WEAK_HANDLER(HardFault_Handler);
WEAK_HANDLER(MemManage_Handler);
WEAK_HANDLER(BusFault_Handler);
WEAK_HANDLER(UsageFault_Handler);
WEAK_HANDLER(SVC_Handler);
WEAK_HANDLER(DebugMon_Handler);
WEAK_HANDLER(PendSV_Handler);
WEAK_HANDLER(SysTick_Handler);
WEAK_HANDLER(EXTI3_IRQHandler);
WEAK_HANDLER(TIM2_IRQHandler);
WEAK_HANDLER(USART1_IRQHandler);
WEAK_HANDLER(USART2_IRQHandler);
WEAK_HANDLER(USART3_IRQHandler);
WEAK_HANDLER(DMA2_Stream0_IRQHandler);

void Reset_Handler(void);

/* 16 system exceptions and the STM32F405's 82 interrupts (RM0090 table 61) */
#define IRQ(n) (16 + (n))
__attribute__((section(".isr_vector"), used)) void (*const vector_table[16 + 82])(void) = {
    [0] = (void (*)(void)) & _estack,
    [1] = Reset_Handler,
    [2] = NMI_Handler,
    [3] = HardFault_Handler,
    [4] = MemManage_Handler,
    [5] = BusFault_Handler,
    [6] = UsageFault_Handler,
    [7 ... 10] = 0,
    [11] = SVC_Handler,
    [12] = DebugMon_Handler,
    [13] = 0,
    [14] = PendSV_Handler,
    [15] = SysTick_Handler,
    [IRQ(0)... IRQ(81)] = Default_Handler,
    [IRQ(9)] = EXTI3_IRQHandler,
    [IRQ(28)] = TIM2_IRQHandler,
    [IRQ(37)] = USART1_IRQHandler,
    [IRQ(38)] = USART2_IRQHandler,
    [IRQ(39)] = USART3_IRQHandler,
    [IRQ(56)] = DMA2_Stream0_IRQHandler,
};

/* Fills the unused stack with a pattern so port_stack_used() can find the deepest point reached. */
#define STACK_PAINT 0xC0FFEE11u

void Reset_Handler(void) {
  for (uint32_t *s = &_sidata, *d = &_sdata; d < &_edata;) *d++ = *s++;
  for (uint32_t *d = &_sbss; d < &_ebss;) *d++ = 0;
  uint32_t *sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  for (uint32_t *d = &_sstack; d < sp - 16;) *d++ = STACK_PAINT;
  /* CP10 and CP11 full access: the compiler may use FPU registers anywhere */
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
  __asm__ volatile("dsb\n isb");
  main();
  port_fatal(PORT_FATAL_RETURNED);
}

uint32_t port_stack_used(void) {
  const uint32_t *p = &_sstack;
  while (p < &_estack && *p == STACK_PAINT) p++;
  return (uint32_t)((const char *)&_estack - (const char *)p);
}
