/* The recording's entries as both replay harnesses read them (ports/stm32f405/replay.c on the
 * microcontroller, ports/wasm3/replay.c on the host; host-sim/recording.ts has the format): the
 * header, and each init's or tick's recorded calls. The including file defines how bytes come in,
 * peek_u8() (-1 at the end) and read_u8(), and bad_recording(), which does not return. */
#ifndef REPLAY_CALLS_H
#define REPLAY_CALLS_H
#include <stdint.h>
#include "hal_calls.h"

/* The most calls one init() or tick() may make; a tick that answers a long serial command is the
 * largest (about 130 calls). */
#define MAX_CALLS_PER_ENTRY 512

typedef struct {
  uint8_t op;
  int32_t args[4];
  int64_t ret;
} Call;

static int peek_u8(void);
static uint8_t read_u8(void);
static void bad_recording(const char *why);

static Call calls[MAX_CALLS_PER_ENTRY];
static uint32_t ncalls; /* calls recorded for the entry being run */
static uint32_t taken;  /* of those, calls the firmware has made */

static int32_t read_i32(void) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= (uint32_t)read_u8() << (8 * i);
  return (int32_t)v;
}

static int64_t read_i64(void) {
  uint64_t lo = (uint32_t)read_i32();
  uint64_t hi = (uint32_t)read_i32();
  return (int64_t)(lo | (hi << 32));
}

static void read_header(void) {
  for (int i = 0; i < (int)sizeof REC_MAGIC - 1; i++) {
    if (read_u8() != (uint8_t)REC_MAGIC[i]) bad_recording("not a pen recording (no " REC_MAGIC " header)");
  }
  if (read_u8() != REC_VERSION) bad_recording("a format version this harness does not read");
  if (read_u8() != HAL_CALL_COUNT) bad_recording("its table of HAL imports differs from this harness's");
}

/* Reads the calls up to the next INIT, TICK or END into calls[]. */
static void load_calls(void) {
  ncalls = 0;
  taken = 0;
  for (;;) {
    int op = peek_u8();
    if (op < 0) bad_recording("it ends without END");
    if (op == REC_OP_INIT || op == REC_OP_TICK || op == REC_OP_END) return;
    (void)read_u8();
    if (op >= HAL_CALL_COUNT) bad_recording("an unknown opcode");
    if (ncalls == MAX_CALLS_PER_ENTRY)
      bad_recording("one init or tick makes more calls than the harness holds (MAX_CALLS_PER_ENTRY)");
    Call *c = &calls[ncalls++];
    c->op = (uint8_t)op;
    for (int i = 0; i < hal_call_args[op]; i++) c->args[i] = read_i32();
    c->ret = hal_call_ret[op] == RET_I64 ? read_i64() : hal_call_ret[op] == RET_I32 ? read_i32() : 0;
  }
}

#endif
