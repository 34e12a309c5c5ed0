// Host test of board/cartridge_chip.c against a model of the STM32F405's I2C1 (RM0090 27) and a
// 24xx02 EEPROM: reads the image, keeps it while the chip answers, sees a removal, writes the used
// byte back without mistaking the chip's write cycle for a removal. The model also checks the
// driver's protocol: the last byte NACKed and a STOP, no data register access out of turn.
#include "registers.h"
#include "../board/cartridge_chip.c"

namespace model {
enum { SB = 1u << 0, ADDR = 1u << 1, BTF = 1u << 2, RXNE = 1u << 6, TXE = 1u << 7, AF = 1u << 10 };
enum Phase { IDLE, ADDRESS, TX, RX };
uint8_t eeprom[256];
bool present = true;
int busy_ms; // the EEPROM's write cycle: it NACKs its address meanwhile
Phase phase = IDLE;
uint32_t cr1, sr1, timer;
bool sr1_seen;            // SR1 read while ADDR was set: the SR2 read that follows clears ADDR
int ptr, written;         // the EEPROM's address pointer; bytes written after the address
int pending[8], npending; // data bytes of a write, committed at STOP
uint8_t dr, shift;
bool dr_full, shift_full, slave_done, stop_asked;
int sent, last_acked; // bytes the chip sent in this read; whether the last one was ACKed
int protocol_errors;

void end_transfer() {
  if (phase == TX && npending) {
    for (int i = 0; i < npending; i++) eeprom[(ptr + i) & 0xFF] = (uint8_t)pending[i];
    busy_ms = 5;
  }
  phase = IDLE;
  npending = 0;
  sr1 &= ~(TXE | BTF | RXNE);
}

// The chip shifts out the next byte whenever the shift register is free, until it is NACKed.
void rx_advance() {
  while (phase == RX && !slave_done && !shift_full) {
    shift = eeprom[ptr++ & 0xFF];
    shift_full = true;
    sent++;
    last_acked = (cr1 & CR1_ACK) != 0; // the master's answer to this byte, as the bit stands now
    if (!last_acked || stop_asked) slave_done = true;
    if (!dr_full) {
      dr = shift;
      dr_full = true;
      shift_full = false;
    }
  }
  sr1 = (sr1 & ~(RXNE | BTF)) | (dr_full ? RXNE : 0) | (dr_full && shift_full ? BTF : 0);
}
} // namespace model

using namespace model;

uint32_t reg_read(uint32_t addr) {
  switch (addr) {
  case 0x40005414u:
    sr1_seen = (sr1 & ADDR) != 0;
    return sr1;
  case 0x40005418u: // SR2
    if ((sr1 & ADDR) && sr1_seen) {
      sr1 &= ~ADDR;
      if (phase == TX) sr1 |= TXE;
      if (phase == RX) rx_advance();
    }
    return 0;
  case 0x40005410u: { // DR
    if (phase != RX || !dr_full) {
      protocol_errors++;
      printf("DR read with nothing received\n");
      return 0xEE;
    }
    uint8_t v = dr;
    dr_full = false;
    if (shift_full) {
      dr = shift;
      dr_full = true;
      shift_full = false;
    }
    rx_advance();
    if (!dr_full && slave_done && stop_asked) end_transfer();
    return v;
  }
  case 0x40005400u:
    return cr1;
  case 0x40000024u:
    return timer += 40; // TIM2_CNT: 21 MHz ticks pass as the driver works
  default:
    return 0;
  }
}

void reg_write(uint32_t addr, uint32_t v) {
  switch (addr) {
  case 0x40005400u: // CR1
    if (v & CR1_SWRST) {
      phase = IDLE;
      sr1 = 0;
      cr1 = v;
      return;
    }
    cr1 = v & ~(CR1_START | CR1_STOP);
    if (v & CR1_START) {
      phase = ADDRESS;
      sr1 = SB;
      slave_done = false;
      stop_asked = false;
      sent = 0;
      dr_full = shift_full = false;
    }
    if (v & CR1_STOP) {
      if (phase == RX) {
        stop_asked = true;
        rx_advance();
        if (!dr_full && !shift_full) end_transfer();
      } else
        end_transfer();
    }
    if (phase == RX) rx_advance();
    return;
  case 0x40005414u:
    sr1 &= v | ~AF;
    return;         // rc_w0: writing 0 clears AF
  case 0x40005410u: // DR
    if (sr1 & SB) {
      sr1 &= ~SB;
      if (!present || (v >> 1) != CHIP_ADDRESS || busy_ms > 0) {
        sr1 |= AF;
        return;
      }
      sr1 |= ADDR;
      sr1_seen = false;
      phase = (v & 1) ? RX : TX;
      written = 0;
      return;
    }
    if (phase != TX || (sr1 & ADDR)) {
      protocol_errors++;
      printf("DR written out of turn\n");
      return;
    }
    if (written++ == 0)
      ptr = (int)v;
    else if (npending < 8)
      pending[npending++] = (int)v;
    sr1 |= TXE | BTF; // the byte goes out at once in this model
    return;
  default:
    return; // RCC, GPIO, the other I2C registers: configuration only
  }
}

static void run_ms(int ms, bool check_present = false) {
  for (int i = 0; i < ms; i++) {
    if (busy_ms > 0) busy_ms--;
    board_cartridge_1ms();
    if (check_present) CHECK(Z_halZ_cartridge_read(nullptr, 0) != (u32)-1, "the cartridge vanished at ms %d", i);
  }
}

static void fill(uint8_t seed) {
  for (int i = 0; i < 256; i++) eeprom[i] = (uint8_t)(i * 7 + seed);
  eeprom[USED_ADDR] = 0xFF;
}

int main() {
  board_cartridge_init();
  fill(3);
  run_ms(60);
  for (u32 i = 0; i < CHIP_BYTES; i++)
    CHECK(Z_halZ_cartridge_read(nullptr, i) == eeprom[i], "byte %u: %u, chip %u", i, Z_halZ_cartridge_read(nullptr, i),
          eeprom[i]);
  CHECK(Z_halZ_cartridge_read(nullptr, CHIP_BYTES) == (u32)-1, "past the image");
  CHECK(sent == (int)CHIP_BYTES || sent == 0, "the read took %d bytes from the chip", sent);
  CHECK(!last_acked, "the last byte of the read was ACKed");

  run_ms(200, true); // presence checks keep the image
  CHECK(Z_halZ_cartridge_write(nullptr, 3, 0) == (u32)-2, "only the used byte takes writes");
  CHECK(Z_halZ_cartridge_write(nullptr, USED_ADDR, 0) == 0, "the used byte write");
  CHECK(Z_halZ_cartridge_read(nullptr, USED_ADDR) == 0, "the image has the used byte at once");
  run_ms(100, true); // through the chip's write cycle without a false removal
  CHECK(eeprom[USED_ADDR] == 0, "the chip's used byte is %u", eeprom[USED_ADDR]);
  CHECK(Z_halZ_cartridge_write(nullptr, USED_ADDR, 0xFF) == (u32)-2, "a used byte cannot be set again");

  present = false;
  run_ms(POLL_MS + 2);
  CHECK(Z_halZ_cartridge_read(nullptr, 0) == (u32)-1, "a removal is seen within %u ms", POLL_MS + 2);
  CHECK(Z_halZ_cartridge_write(nullptr, USED_ADDR, 0) == (u32)-1, "no write without a cartridge");

  fill(9); // another cartridge
  present = true;
  run_ms(60);
  for (u32 i = 0; i < CHIP_BYTES; i++)
    CHECK(Z_halZ_cartridge_read(nullptr, i) == eeprom[i], "new cartridge byte %u", i);

  CHECK(protocol_errors == 0, "%d protocol errors", protocol_errors);
  printf("%s: %d failures\n", failures ? "FAILED" : "passed", failures);
  return failures ? 1 : 0;
}
