// Host test of board/cartridge_i2c.c against a model of the STM32F405's I2C1 (RM0090 27) and a device at
// the cartridge chip's address: writes and reads of a frame, a probe, a NACK of the address and of a data
// byte, a bus error, a bus that never answers (the transfer time-out), and the bus reset (nine SCL pulses,
// a STOP, the peripheral set up afresh). The model also checks the driver's sequence: the last byte of a
// read NACKed and a STOP, no data register access out of turn. The chip protocol on top is tested against
// the simulator's chip model in tests/sim/cartridge-chip-port.test.ts.
#include "registers.h"
#include <string.h>
#include "../board/cartridge_i2c.c"

namespace model {
enum { SB = 1u << 0, ADDR = 1u << 1, BTF = 1u << 2, RXNE = 1u << 6, TXE = 1u << 7, AF = 1u << 10 };
enum Phase { IDLE, ADDRESS, TX, RX };
const uint32_t DEVICE = 0x1B;
uint8_t out[128];           // what the device sends
uint8_t got[128];           // what it received
int ngot, nack_at = -1;     // bytes received; a data byte it NACKs
bool present = true, stuck; // stuck: a START never completes (SCL held low)
Phase phase = IDLE;
uint32_t cr1, sr1, timer, moder = 10u << 12, bsrr_scl_rises, stops;
bool sr1_seen; // SR1 read while ADDR was set: the SR2 read that follows clears ADDR
bool scl_high = true;
int ptr;
uint8_t dr, shift;
bool dr_full, shift_full, slave_done, stop_asked;
int sent, last_acked;
int protocol_errors;

void end_transfer() {
  phase = IDLE;
  stops++;
  sr1 &= ~(TXE | BTF | RXNE);
}

// The device shifts out the next byte whenever the shift register is free, until it is NACKed.
void rx_advance() {
  while (phase == RX && !slave_done && !shift_full) {
    shift = out[ptr++ & 127];
    shift_full = true;
    sent++;
    last_acked = (cr1 & CR1_ACK) != 0;
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
  case 0x40020400u:
    return moder;
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
    if ((v & CR1_START) && !stuck) {
      phase = ADDRESS;
      sr1 = SB;
      slave_done = false;
      stop_asked = false;
      sent = 0;
      ptr = 0;
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
      if (!present || (v >> 1) != DEVICE) {
        sr1 |= AF;
        return;
      }
      sr1 |= ADDR;
      sr1_seen = false;
      phase = (v & 1) ? RX : TX;
      return;
    }
    if (phase != TX || (sr1 & ADDR) || !(sr1 & TXE)) {
      protocol_errors++;
      printf("DR written out of turn\n");
      return;
    }
    if (ngot == nack_at) {
      sr1 = (sr1 & ~(TXE | BTF)) | AF;
      return;
    }
    got[ngot++ & 127] = (uint8_t)v;
    sr1 |= TXE | BTF; // the byte goes out at once in this model
    return;
  case 0x40020400u:
    moder = v;
    return;
  case 0x40020418u: // GPIOB BSRR: the recovery's SCL (PB6) while the pins are outputs
    if (((moder >> 12) & 3u) == 1u) {
      if ((v & 1u << 6) && !scl_high) bsrr_scl_rises++;
      if (v & 1u << 6) scl_high = true;
      if (v & 1u << 22) scl_high = false;
    }
    return;
  default:
    return; // RCC, the other GPIO and I2C registers: configuration only
  }
}

/* Polls once a millisecond until the transfer ends; the code, and the polls it took in *ms. */
static int run(int *ms) {
  for (*ms = 1; *ms <= 50; ++*ms) {
    int r = cart_i2c_poll();
    if (r != I2C_BUSY) return r;
  }
  return -1;
}

int main() {
  int ms, r;
  cart_i2c_init();

  const uint8_t frame[6] = {0x44, 3, 0, 0, 32, 0x5A};
  ngot = 0;
  cart_i2c_write(DEVICE, frame, sizeof frame);
  r = run(&ms);
  CHECK(r == I2C_DONE, "a write: %d", r);
  CHECK(ngot == 6 && !memcmp(got, frame, 6), "the device got %d bytes", ngot);
  CHECK(phase == IDLE, "no STOP after the write");

  for (int i = 0; i < 72; i++) out[i] = (uint8_t)(i * 13 + 1);
  uint8_t in[72];
  cart_i2c_read(DEVICE, in, sizeof in);
  r = run(&ms);
  CHECK(r == I2C_DONE, "a read: %d", r);
  CHECK(!memcmp(in, out, sizeof in), "the bytes read");
  CHECK(sent == 72, "the read took %d bytes from the device", sent);
  CHECK(!last_acked, "the last byte of the read was ACKed");
  CHECK(phase == IDLE, "no STOP after the read");

  cart_i2c_write(DEVICE, 0, 0);
  CHECK(run(&ms) == I2C_DONE, "a probe of a device that is there");
  present = false;
  cart_i2c_write(DEVICE, 0, 0);
  CHECK(run(&ms) == I2C_NACK_ADDRESS, "a probe of nothing");
  cart_i2c_read(DEVICE, in, sizeof in);
  CHECK(run(&ms) == I2C_NACK_ADDRESS, "a read from nothing");
  CHECK(!(sr1 & AF), "the NACK flag left set");
  present = true;

  ngot = 0;
  nack_at = 3;
  cart_i2c_write(DEVICE, frame, sizeof frame);
  CHECK(run(&ms) == I2C_NACK_DATA, "a data byte NACKed");
  CHECK(phase == IDLE, "no STOP after the NACK");
  nack_at = -1;

  cart_i2c_read(DEVICE, in, sizeof in);
  sr1 |= 1u << 8; // BERR
  CHECK(run(&ms) == I2C_BUS_ERROR, "a bus error");
  cart_i2c_recover(); // as the chip driver does after every failure: the flag goes with the reset

  stuck = true;
  cart_i2c_write(DEVICE, frame, sizeof frame);
  r = run(&ms);
  CHECK(r == I2C_TIMEOUT && ms == (int)TRANSFER_MS + 1, "a bus that never answers: %d after %d ms", r, ms);

  uint32_t rises = bsrr_scl_rises;
  cart_i2c_recover();
  CHECK(bsrr_scl_rises - rises == 10, "the reset: %u SCL pulses (nine, then the STOP's)", bsrr_scl_rises - rises);
  CHECK(((moder >> 12) & 0xFu) == 10u, "the pins are back on I2C1");
  CHECK(cr1 & CR1_PE, "I2C1 is enabled again");
  stuck = false;
  ngot = 0;
  cart_i2c_write(DEVICE, frame, sizeof frame);
  CHECK(run(&ms) == I2C_DONE && ngot == 6, "a write after the reset");

  CHECK(protocol_errors == 0, "%d protocol errors", protocol_errors);
  printf("%s: %d failures\n", failures ? "FAILED" : "passed", failures);
  return failures ? 1 : 0;
}
