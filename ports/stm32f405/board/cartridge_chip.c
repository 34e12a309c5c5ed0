/* The cartridge's ID chip, a secure ECDSA authenticator on I2C1 (docs/cartridge-chip.md, "On the wire"),
 * behind the HAL's byte view of it (cartridge_read, cartridge_write). A chip answers a command only after
 * its command time (40 ms for a signature), so no HAL call touches the bus: board_cartridge_1ms(), run
 * once per control tick after tick(), reads the chip's data, public key, certificate and use counter
 * into an image when a cartridge is fitted; a sign or count command written through the HAL starts a job
 * there and the status byte says busy until the chip's answer is in. Between jobs a presence probe every
 * POLL_MS notices a removal. A bus error, a NACK, a transfer that does not end or a frame that fails its
 * CRC in the middle of a job cancels it and resets the bus; the image goes, so the firmware sees the
 * cartridge gone and checks it afresh, and board_cartridge_reason() names why. */
#include <stdint.h>
#include <string.h>
#include "firmware.h"
#include "cartridge_i2c.h"
#include "cartridge_chip.h"

/* the chip's byte view, as the firmware reads it (docs/cartridge-chip.md, "Memory map") */
#define CHIP_BYTES 264u
#define IMAGE_BYTES 148u /* data, public key, certificate, use counter: read when the cartridge is fitted */
#define COUNTER_ADDR 144u
#define STATUS_ADDR 148u
#define CHALLENGE_ADDR 160u
#define CHALLENGE_BYTES 32u
#define COMMAND_ADDR 192u
#define RESPONSE_ADDR 196u /* the signed counter (4), then the signature r||s (64) */
#define RESPONSE_BYTES 68u
enum { HAL_SIGN = 1, HAL_COUNT_USE = 2 };
enum { STATUS_IDLE = 0, STATUS_BUSY = 1, STATUS_READY = 2 };

/* on the wire */
#define CHIP_I2C_ADDRESS 0x1Bu
enum { CMD_READ_MEMORY = 0x44, CMD_SIGN = 0xA5, CMD_COUNT_USE = 0xC9 };
enum { RESULT_OK = 0xAA, RESULT_BAD_CRC = 0x33 };
#define READ_CHUNK_BYTES 32u
#define READ_MS 1u
#define SIGN_MS 40u
#define COUNT_MS 5u
#define LATE_MS 10u /* past its command time, a chip that still NACKs its address is gone */
#define POLL_MS 5u  /* how often a fitted chip is probed, and an empty slot looked at */
#define MAX_PAYLOAD CHALLENGE_BYTES
#define MAX_RESULT (1u + RESPONSE_BYTES) /* result code and data */
#define MAX_FRAME (1u + MAX_RESULT + 2u) /* length, result and data, CRC */
#define H struct Z_hal_instance_t *h

enum { J_NONE, J_PROBE, J_READ, J_SIGN, J_COUNT };
enum { P_IDLE, P_SEND, P_WAIT, P_FETCH };

static uint8_t image[IMAGE_BYTES];
static int image_valid;     /* every byte of the image is the fitted chip's */
static uint32_t image_read; /* bytes of the image read so far */
static uint8_t challenge[CHALLENGE_BYTES];
static uint8_t response[RESPONSE_BYTES];
static uint32_t sign_status = STATUS_IDLE;
static int sign_asked, count_asked; /* written through the HAL, not yet sent */

static uint8_t tx[2u + MAX_PAYLOAD + 2u], rx[MAX_FRAME];
static uint32_t job = J_NONE, phase = P_IDLE, idle_ms, wait_ms, late_ms, frame_bytes;
static uint32_t reason = CART_OK, errors;

/* CRC-16/ARC (polynomial 0x8005 reflected, initial 0): the check value of "123456789" is 0xBB3D. */
uint16_t cart_crc16(const uint8_t *p, uint32_t n) {
  uint16_t crc = 0;
  while (n--) {
    crc ^= *p++;
    for (int i = 0; i < 8; i++) crc = (uint16_t)(crc & 1u ? crc >> 1 ^ 0xA001u : crc >> 1);
  }
  return crc;
}

static const char *const reason_names[] = {"ok",      "removed", "no_answer", "nack",         "bus_error",
                                           "timeout", "crc",     "chip_crc",  "chip_refused", "frame"};

uint32_t board_cartridge_reason(void) { return reason; }
const char *board_cartridge_reason_name(uint32_t r) {
  return r < sizeof reason_names / sizeof *reason_names ? reason_names[r] : "?";
}
uint32_t board_cartridge_errors(void) { return errors; }

/* No chip known: the slot is looked at again in `after_ms`. */
static void forget_chip(uint32_t after_ms) {
  image_valid = 0;
  image_read = 0;
  sign_status = STATUS_IDLE;
  sign_asked = count_asked = 0;
  memset(challenge, 0xFF, sizeof challenge); /* as a chip's challenge bytes read before any is written */
  job = J_NONE;
  phase = P_IDLE;
  idle_ms = after_ms;
}

void board_cartridge_init(void) {
  cart_i2c_init();
  forget_chip(0);
}

/* A job failed halfway: drop it and the chip's image, free the bus, say why. */
static void cancel(uint32_t why) {
  cart_i2c_recover();
  reason = why;
  errors++;
  forget_chip(POLL_MS);
}

static uint32_t bus_reason(int r) {
  if (r == I2C_NACK_ADDRESS) return CART_NO_ANSWER;
  if (r == I2C_NACK_DATA) return CART_NACK;
  if (r == I2C_TIMEOUT) return CART_TIMEOUT;
  return CART_BUS_ERROR;
}

/* Sends command `cmd` with `n` payload bytes; the answer has `result_bytes` (result code and data). */
static void send(uint32_t what, uint8_t cmd, const uint8_t *payload, uint32_t n, uint32_t result_bytes,
                 uint32_t cmd_ms) {
  tx[0] = cmd;
  tx[1] = (uint8_t)n;
  if (n) memcpy(tx + 2, payload, n);
  uint16_t crc = cart_crc16(tx, 2u + n);
  tx[2u + n] = (uint8_t)crc;
  tx[3u + n] = (uint8_t)(crc >> 8);
  job = what;
  frame_bytes = 1u + result_bytes + 2u;
  wait_ms = cmd_ms;
  late_ms = 0;
  phase = P_SEND;
  cart_i2c_write(CHIP_I2C_ADDRESS, tx, 4u + n);
}

static void next_job(void) {
  if (!image_valid) {
    uint32_t left = IMAGE_BYTES - image_read;
    uint8_t p[3] = {(uint8_t)image_read, (uint8_t)(image_read >> 8),
                    (uint8_t)(left < READ_CHUNK_BYTES ? left : READ_CHUNK_BYTES)};
    send(J_READ, CMD_READ_MEMORY, p, 3, 1u + p[2], READ_MS);
  } else if (sign_asked) {
    sign_asked = 0;
    send(J_SIGN, CMD_SIGN, challenge, CHALLENGE_BYTES, 1u + RESPONSE_BYTES, SIGN_MS);
  } else if (count_asked) {
    count_asked = 0;
    send(J_COUNT, CMD_COUNT_USE, 0, 0, 5u, COUNT_MS);
  } else {
    job = J_PROBE;
    phase = P_SEND;
    cart_i2c_write(CHIP_I2C_ADDRESS, 0, 0);
  }
}

/* The chip's answer to the job's command, checked: its length, CRC and result code. */
static void take_answer(void) {
  uint32_t len = rx[0];
  if (len < 1u || 1u + len + 2u > frame_bytes) {
    cancel(CART_FRAME);
    return;
  }
  uint16_t crc = cart_crc16(rx, 1u + len);
  if ((uint8_t)crc != rx[1u + len] || (uint8_t)(crc >> 8) != rx[2u + len]) {
    cancel(CART_CRC);
    return;
  }
  if (rx[1] != RESULT_OK) {
    cancel(rx[1] == RESULT_BAD_CRC ? CART_CHIP_CRC : CART_CHIP_REFUSED);
    return;
  }
  if (1u + len + 2u != frame_bytes) {
    cancel(CART_FRAME);
    return;
  }
  const uint8_t *data = rx + 2;
  if (job == J_READ) {
    memcpy(image + image_read, data, len - 1u);
    image_read += len - 1u;
    if (image_read == IMAGE_BYTES) image_valid = 1;
  } else if (job == J_SIGN) {
    memcpy(response, data, RESPONSE_BYTES);
    if (!sign_asked) sign_status = STATUS_READY; /* else a newer challenge is still to be signed */
  } else if (job == J_COUNT) {
    memcpy(image + COUNTER_ADDR, data, 4); /* the counter as the chip now has it */
  }
  job = J_NONE;
  phase = P_IDLE;
  idle_ms = image_valid ? POLL_MS : 0;
}

void board_cartridge_1ms(void) {
  if (phase == P_IDLE) {
    if (idle_ms && --idle_ms) return;
    next_job();
  }
  if (phase == P_WAIT) { /* the chip works on the command and answers nothing meanwhile */
    if (wait_ms && --wait_ms) return;
    phase = P_FETCH;
    cart_i2c_read(CHIP_I2C_ADDRESS, rx, frame_bytes);
  }
  int r = cart_i2c_poll();
  if (r == I2C_BUSY) return;
  if (phase == P_SEND) {
    if (r == I2C_DONE) {
      if (job == J_PROBE) {
        job = J_NONE;
        phase = P_IDLE;
        idle_ms = POLL_MS;
      } else
        phase = P_WAIT;
      return;
    }
    /* no answer to a probe, or to the first command in an empty slot: taken off, or not fitted */
    if (r == I2C_NACK_ADDRESS && (job == J_PROBE || (job == J_READ && image_read == 0))) {
      if (job == J_PROBE) reason = CART_REMOVED;
      forget_chip(POLL_MS);
      return;
    }
    cancel(bus_reason(r));
    return;
  }
  if (r == I2C_NACK_ADDRESS && ++late_ms <= LATE_MS) { /* still busy: ask again next tick */
    phase = P_WAIT;
    wait_ms = 1;
    return;
  }
  if (r != I2C_DONE) {
    cancel(bus_reason(r));
    return;
  }
  take_answer();
}

u32 Z_halZ_cartridge_read(H, u32 addr) {
  (void)h;
  if (!image_valid || addr >= CHIP_BYTES) return (u32)-1;
  if (addr < IMAGE_BYTES) return image[addr];
  if (addr == STATUS_ADDR) return sign_status;
  if (addr >= CHALLENGE_ADDR && addr < CHALLENGE_ADDR + CHALLENGE_BYTES) return challenge[addr - CHALLENGE_ADDR];
  if (addr >= RESPONSE_ADDR && sign_status == STATUS_READY) return response[addr - RESPONSE_ADDR];
  return 0xFFu;
}

/* The challenge is kept here until the sign command sends it; a command starts a job of the 1 ms job. */
u32 Z_halZ_cartridge_write(H, u32 addr, u32 value) {
  (void)h;
  if (!image_valid) return (u32)-1;
  if (addr >= CHALLENGE_ADDR && addr < CHALLENGE_ADDR + CHALLENGE_BYTES) {
    challenge[addr - CHALLENGE_ADDR] = (uint8_t)value;
    return 0;
  }
  if (addr != COMMAND_ADDR) return (u32)-2;
  if (value == HAL_SIGN) {
    sign_asked = 1;
    sign_status = STATUS_BUSY;
    return 0;
  }
  if (value == HAL_COUNT_USE) {
    const uint8_t *c = image + COUNTER_ADDR;
    if ((c[0] & c[1] & c[2] & c[3]) == 0xFFu) return (u32)-2; /* the counter is at its end */
    count_asked = 1;
    return 0;
  }
  return (u32)-2;
}
