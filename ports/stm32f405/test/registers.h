/* Host tests of the board drivers: every register access goes through a proxy, so a model of the
 * peripheral sees each read and write as the silicon would (reads of status registers have effects).
 * A test defines reg_read() and reg_write() for the addresses its driver uses. */
#ifndef REGISTERS_H_TEST
#define REGISTERS_H_TEST
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

uint32_t reg_read(uint32_t addr);
void reg_write(uint32_t addr, uint32_t value);

struct RegProxy {
  uint32_t addr;
  operator uint32_t() const { return reg_read(addr); }
  RegProxy &operator=(uint32_t v) {
    reg_write(addr, v);
    return *this;
  }
  RegProxy &operator|=(uint32_t v) {
    reg_write(addr, reg_read(addr) | v);
    return *this;
  }
  RegProxy &operator&=(uint32_t v) {
    reg_write(addr, reg_read(addr) & v);
    return *this;
  }
};
#define REG(a) (RegProxy{(uint32_t)(a)})
static uint8_t nvic_ipr[256] __attribute__((unused));
#define NVIC_IPR(n) nvic_ipr[n] /* byte-wide: not modelled */

static int failures;
#define CHECK(cond, ...)                                                                                               \
  do {                                                                                                                 \
    if (!(cond)) {                                                                                                     \
      failures++;                                                                                                      \
      printf("FAIL %s:%d: ", __FILE__, __LINE__);                                                                      \
      printf(__VA_ARGS__);                                                                                             \
      printf("\n");                                                                                                    \
    }                                                                                                                  \
  } while (0)
#endif
