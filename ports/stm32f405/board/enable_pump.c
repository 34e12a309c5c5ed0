/* The driver's enable pump (enable_pump.h): an edge on PA5 per control tick keeps it charged. */
#include <stdint.h>
#include "enable_pump.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define RCC_AHB1ENR REG(0x40023830u)
#define GPIOA 0x40020000u
#define MODER 0x00u
#define ODR 0x14u
#define BSRR 0x18u
#define PUMP_PIN 5u /* PA5 */

void enable_pump_init(void) {
  RCC_AHB1ENR |= 1u; /* GPIOA */
  (void)RCC_AHB1ENR;
  REG(GPIOA + BSRR) = 1u << (PUMP_PIN + 16);                                              /* low first */
  REG(GPIOA + MODER) = (REG(GPIOA + MODER) & ~(3u << 2 * PUMP_PIN)) | 1u << 2 * PUMP_PIN; /* output */
}

void enable_pump_toggle(void) {
  const uint32_t high = REG(GPIOA + ODR) & 1u << PUMP_PIN;
  REG(GPIOA + BSRR) = high ? 1u << (PUMP_PIN + 16) : 1u << PUMP_PIN; /* BSRR: no read-modify-write race */
}
