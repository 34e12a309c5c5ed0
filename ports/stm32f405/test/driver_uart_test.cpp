// Host test of board/driver_uart.c against a model of USART3 and a TMC2209 on the shared single
// wire (datasheet rev 1.03, 4.1): the setup reaches the driver's registers and is written again
// after a driver reset, its status flags reach driver_status(), a reply with a bad CRC is ignored,
// and a driver that stops answering reads as undervoltage.
#include <deque>
#include <vector>
#include "registers.h"
#include "../board/driver_uart.c"

namespace model {
uint32_t sr, cr1, timer;
std::deque<uint8_t> line;   // bytes on the wire towards the MCU's receiver: the echo, then replies
std::vector<uint8_t> heard; // the datagram the driver is receiving
uint32_t regs[128];
bool answers = true, corrupt = false;
int writes;
} // namespace model
using namespace model;

uint32_t reg_read(uint32_t addr) {
  if (addr == 0x4000480Cu) return cr1;
  if (addr == 0x40004800u) return sr;
  if (addr == 0x40004804u) {
    uint8_t b = line.front();
    line.pop_front();
    return b;
  }
  return 0;
}

static void tmc_hears(uint8_t b) {
  heard.push_back(b);
  if (heard[0] != 0x05) {
    heard.clear();
    return;
  }
  if (heard.size() == 8 && (heard[2] & 0x80)) {
    if (crc8(heard.data(), 7) == heard[7]) {
      regs[heard[2] & 0x7F] = (uint32_t)heard[3] << 24 | (uint32_t)heard[4] << 16 | (uint32_t)heard[5] << 8 | heard[6];
      writes++;
    }
    heard.clear();
  } else if (heard.size() == 4 && !(heard[2] & 0x80)) {
    if (answers && crc8(heard.data(), 3) == heard[3]) {
      uint32_t v = regs[heard[2]];
      uint8_t r[8] = {0x05, 0xFF, heard[2], (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v, 0};
      r[7] = (uint8_t)(crc8(r, 7) ^ (corrupt ? 1 : 0));
      for (uint8_t x : r) line.push_back(x);
    }
    heard.clear();
  }
}

void reg_write(uint32_t addr, uint32_t v) {
  if (addr == 0x4000480Cu)
    cr1 = v;
  else if (addr == 0x40004804u) {
    line.push_back((uint8_t)v);
    tmc_hears((uint8_t)v);
  } // the MCU hears itself
}

/* One millisecond: the background step, then the interrupts the wire raises meanwhile. */
static void run_ms(int ms) {
  for (int i = 0; i < ms; i++) {
    board_driver_uart_1ms();
    for (int guard = 0; guard < 64; guard++) {
      if (cr1 & USART_TXE) {
        sr = USART_TXE;
        USART3_IRQHandler();
        continue;
      }
      if (!line.empty()) {
        sr = USART_RXNE;
        USART3_IRQHandler();
        continue;
      }
      break;
    }
  }
}

int main() {
  board_driver_uart_init();
  run_ms(30);
  CHECK(regs[REG_GCONF] == (1u << 6 | 1u << 7 | 1u << 8), "GCONF %#x", regs[REG_GCONF]);
  CHECK(regs[REG_CHOPCONF] == 0x14000053u, "CHOPCONF %#x (16 microsteps: MRES 4)", regs[REG_CHOPCONF]);
  CHECK(regs[REG_TCOOLTHRS] == 7500u, "TCOOLTHRS %u: 12 MHz / (100 full steps/s x 16)", regs[REG_TCOOLTHRS]);
  CHECK(regs[REG_SGTHRS] == STALLGUARD_THRESHOLD, "SGTHRS %u", regs[REG_SGTHRS]);
  CHECK(board_driver_flags() == 0, "a quiet driver: flags %#x", board_driver_flags());

  regs[REG_DRV_STATUS] = 1u << 1 | 1u << 2 | 1u << 31; // ot, s2ga, and standstill (not a flag the ABI has)
  run_ms(25);
  CHECK(board_driver_flags() == (1u << 1 | 1u << 2), "DRV_STATUS flags: %#x", board_driver_flags());
  regs[REG_DRV_STATUS] = 0;
  regs[REG_GSTAT] = 1u << 2; // uv_cp
  run_ms(25);
  CHECK(board_driver_flags() == DRV_UV, "GSTAT uv_cp: %#x", board_driver_flags());
  regs[REG_GSTAT] = 0;
  run_ms(25);
  CHECK(board_driver_flags() == 0, "cleared: %#x", board_driver_flags());

  corrupt = true;
  regs[REG_DRV_STATUS] = 1u << 1;
  run_ms(25);
  CHECK(board_driver_flags() == 0, "a reply with a bad CRC was taken: %#x", board_driver_flags());
  corrupt = false;

  for (uint32_t &r : regs) r = 0; // the driver lost its supply and reset
  run_ms(1100);
  CHECK(regs[REG_SGTHRS] == STALLGUARD_THRESHOLD && regs[REG_TCOOLTHRS] == 7500u, "setup written again after a reset");

  answers = false;
  run_ms(NO_ANSWER_MS + 15);
  CHECK(board_driver_flags() & DRV_UV, "a silent driver reads as undervoltage: %#x", board_driver_flags());
  answers = true;
  run_ms(20);
  CHECK(board_driver_flags() == 0, "answering again: %#x", board_driver_flags());

  printf("%s: %d failures\n", failures ? "FAILED" : "passed", failures);
  return failures ? 1 : 0;
}
