/* The bootloader's vector table and reset handler: RAM set up, then main(). A fault stops with the
 * driver still off (main set it first); the watchdog, if the option bytes start it, resets. */
#include <stdint.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);

static void fault(void) {
  for (;;) {}
}

void Reset_Handler(void) {
  for (uint32_t *s = &_sidata, *d = &_sdata; d < &_edata;) *d++ = *s++;
  for (uint32_t *d = &_sbss; d < &_ebss;) *d++ = 0;
  main();
  fault();
}

__attribute__((section(".isr_vector"), used)) void (*const boot_vectors[16])(void) = {
    [0] = (void (*)(void)) & _estack,
    [1] = Reset_Handler,
    [2 ... 15] = fault,
};
