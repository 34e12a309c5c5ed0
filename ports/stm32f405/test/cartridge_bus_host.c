/* The port's cartridge chip driver (board/cartridge_chip.c) on the host, with the I2C register layer
 * (board/cartridge_i2c.c) replaced by a shim that hands each transfer to the simulator's chip model over
 * stdin/stdout (tests/sim/cartridge-chip-port.test.ts runs the model and drives this program).
 *
 * Lines from the test, each answered with a line starting "= ":
 *   tick N        board_cartridge_1ms() N times, one millisecond of the chip's clock each
 *   read A N      cartridge_read(A .. A+N-1), decimal
 *   write A V     cartridge_write(A, V)
 *   state         the driver's last reason, its count of cancelled jobs, the bus resets
 *   crc HEX       the driver's CRC-16 of the bytes
 * Lines to the test while a tick runs, one per transfer, each answered with one line:
 *   w AA HEX|-    a write to 7-bit address AA: "ack", "nack_addr", "nack_data", "berr" or "timeout"
 *   r AA N        a read of N bytes: "data HEX" or one of the failures
 *   recover       the bus reset (nine clocks, STOP, re-init): "ok" */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "firmware.h"
#include "../board/cartridge_i2c.h"
#include "../board/cartridge_chip.h"

u32 Z_halZ_cartridge_read(struct Z_hal_instance_t *h, u32 addr);
u32 Z_halZ_cartridge_write(struct Z_hal_instance_t *h, u32 addr, u32 value);

#define BYTES_PER_POLL 13u /* what the register layer moves in one poll's budget at 400 kHz */

static int pending_result = I2C_DONE, polls_left;
static unsigned recoveries;
static char line[1024];

static void get_line(void) {
  if (!fgets(line, sizeof line, stdin)) exit(3); /* the test went away */
  line[strcspn(line, "\n")] = 0;
}

static int failure_code(const char *s) {
  if (!strcmp(s, "ack")) return I2C_DONE;
  if (!strcmp(s, "nack_addr")) return I2C_NACK_ADDRESS;
  if (!strcmp(s, "nack_data")) return I2C_NACK_DATA;
  if (!strcmp(s, "timeout")) return I2C_TIMEOUT;
  return I2C_BUS_ERROR;
}

static void begin(uint32_t n) { polls_left = (int)(n / BYTES_PER_POLL); /* the transfer takes this many more polls */ }

void cart_i2c_init(void) { pending_result = I2C_DONE; }

void cart_i2c_write(uint8_t address7, const uint8_t *data, uint32_t n) {
  printf("w %02x ", address7);
  if (!n) printf("-");
  for (uint32_t i = 0; i < n; i++) printf("%02x", data[i]);
  printf("\n");
  fflush(stdout);
  get_line();
  pending_result = failure_code(line);
  begin(n);
}

void cart_i2c_read(uint8_t address7, uint8_t *data, uint32_t n) {
  printf("r %02x %u\n", address7, n);
  fflush(stdout);
  get_line();
  begin(n);
  if (strncmp(line, "data ", 5)) {
    pending_result = failure_code(line);
    return;
  }
  for (uint32_t i = 0; i < n; i++) {
    unsigned b = 0xFF;
    if (sscanf(line + 5 + 2 * i, "%2x", &b) != 1) b = 0xFF;
    data[i] = (uint8_t)b;
  }
  pending_result = I2C_DONE;
}

int cart_i2c_poll(void) {
  if (polls_left > 0) {
    polls_left--;
    return I2C_BUSY;
  }
  return pending_result;
}

void cart_i2c_recover(void) {
  recoveries++;
  printf("recover\n");
  fflush(stdout);
  get_line();
  cart_i2c_init();
}

int main(void) {
  board_cartridge_init();
  for (;;) {
    get_line();
    char hex[1024];
    unsigned a, n;
    if (sscanf(line, "tick %u", &n) == 1) {
      for (unsigned i = 0; i < n; i++) board_cartridge_1ms();
      printf("= ok\n");
    } else if (sscanf(line, "read %u %u", &a, &n) == 2) {
      printf("=");
      for (unsigned i = 0; i < n; i++) printf(" %d", (int32_t)Z_halZ_cartridge_read(0, a + i));
      printf("\n");
    } else if (sscanf(line, "write %u %u", &a, &n) == 2) {
      printf("= %d\n", (int32_t)Z_halZ_cartridge_write(0, a, n));
    } else if (!strcmp(line, "state")) {
      printf("= %s %u %u\n", board_cartridge_reason_name(board_cartridge_reason()), board_cartridge_errors(),
             recoveries);
    } else if (sscanf(line, "crc %1000s", hex) == 1) {
      uint8_t b[500];
      unsigned len = 0;
      for (; len < sizeof b && hex[2 * len] && sscanf(hex + 2 * len, "%2x", &a) == 1; len++) b[len] = (uint8_t)a;
      printf("= %u\n", cart_crc16(b, len));
    } else if (!strcmp(line, "quit"))
      return 0;
    else { printf("= ? %s\n", line); }
    fflush(stdout);
  }
}
