/* What the interpreters' replay harnesses on the host share (ports/wasm3/replay.c,
 * ports/wamr/replay.c): the recording read from a file, each recorded call checked against the one
 * the firmware makes, the first difference printed, and the run through the recording's entries.
 * A harness gives the runtime's part: host_instantiate() (a fresh instance: at each init, as a reset
 * is on the microcontroller) and host_call() (init or tick). Its HAL stand-in takes each call with
 * take_call() and sets panicked on hal.panic, which stops the module as on the board.
 *
 * Exit status: 0 identical, 1 the firmware's calls differ (the first difference is printed), 2 a bad
 * recording, module or command line, 3 the module trapped. */
#ifndef HOST_REPLAY_H
#define HOST_REPLAY_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "replay_calls.h"

enum { EXIT_SAME = 0, EXIT_DIFFERENT = 1, EXIT_BAD_INPUT = 2, EXIT_TRAP = 3 };

/* The runtime's part, defined by the harness. */
static void host_instantiate(const uint8_t *wasm, size_t len);
/* Runs init() (is_tick 0) or tick(); NULL when it returned, else why it stopped (a trap, or the panic). */
static const char *host_call(int is_tick);

static uint32_t call_index; /* calls made before this entry, over the whole run */
static uint32_t tick_index; /* ticks run so far, over the whole run */
static int in_init;         /* the entry being run is init() */
static int panicked;        /* the entry being run called hal.panic */

static uint8_t *rec;
static size_t rec_len, rec_pos;

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
  if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    free(b);
    return NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return b;
}

static void bad_recording(const char *why) {
  printf("replay: bad recording at byte %zu: %s\n", rec_pos, why);
  exit(EXIT_BAD_INPUT);
}

static int peek_u8(void) { return rec_pos < rec_len ? rec[rec_pos] : -1; }

static uint8_t read_u8(void) {
  if (rec_pos >= rec_len) bad_recording("it ends inside an entry (no END)");
  return rec[rec_pos++];
}

/* A problem with the module or the runtime, not with the recording. */
static void fail_module(const char *what, const char *why) {
  printf("replay: %s: %s\n", what, why);
  exit(EXIT_BAD_INPUT);
}

static void print_call(const char *who, uint8_t op, const int32_t *args, int64_t ret, int with_ret) {
  printf("  %s%s(", who, hal_call_name[op]);
  for (int i = 0; i < hal_call_args[op]; i++) printf(i ? ",%d" : "%d", args[i]);
  printf(")");
  if (with_ret && hal_call_ret[op] != RET_VOID) printf(" -> %lld", (long long)ret);
  printf("\n");
}

static void difference_header(void) {
  printf("replay: the firmware's calls differ from the recording at call %u (%s %u)\n", call_index + taken + 1,
         in_init ? "in init, after tick" : "in tick", tick_index);
}

static void say_expected(void) {
  if (taken < ncalls)
    print_call("recording: ", calls[taken].op, calls[taken].args, calls[taken].ret, 1);
  else
    printf("  recording: %s\n", in_init ? "(no more calls: init returns)" : "(no more calls: the tick returns)");
}

static void differ_call(uint8_t op, const int32_t *args) {
  difference_header();
  print_call("firmware:  ", op, args, 0, 0);
  say_expected();
  exit(EXIT_DIFFERENT);
}

/* The recorded call the firmware's call must be: the same function with the same arguments, taken. */
static const Call *take_call(uint8_t op, const int32_t *args) {
  if (taken >= ncalls) differ_call(op, args);
  const Call *c = &calls[taken];
  if (c->op != op) differ_call(op, args);
  for (int i = 0; i < hal_call_args[op]; i++)
    if (c->args[i] != args[i]) differ_call(op, args);
  taken++;
  if (op == OP_panic) panicked = 1;
  return c;
}

static void run_entry(int is_tick) {
  panicked = 0;
  const char *stopped = host_call(is_tick);
  if (stopped && !panicked) {
    printf("replay: the module trapped (%s) %s %u\n", stopped, in_init ? "in init, after tick" : "in tick", tick_index);
    exit(EXIT_TRAP);
  }
  if (taken != ncalls) {
    difference_header();
    printf("  firmware:  (returned from %s)\n", in_init ? "init" : "tick");
    say_expected();
    exit(EXIT_DIFFERENT);
  }
  call_index += ncalls;
}

/* main() of a harness: replay-<runtime> FIRMWARE.wasm RECORDING */
static int host_replay_main(const char *runtime, int argc, char **argv) {
  if (argc != 3) {
    printf("usage: replay-%s FIRMWARE.wasm RECORDING\n", runtime);
    return EXIT_BAD_INPUT;
  }
  size_t wasm_len;
  uint8_t *wasm = read_file(argv[1], &wasm_len);
  if (!wasm) {
    printf("replay: cannot read the module %s\n", argv[1]);
    return EXIT_BAD_INPUT;
  }
  rec = read_file(argv[2], &rec_len);
  if (!rec) {
    printf("replay: cannot read the recording %s\n", argv[2]);
    return EXIT_BAD_INPUT;
  }
  read_header();
  uint32_t inits = 0;
  for (;;) {
    int op = peek_u8();
    if (op < 0) bad_recording("it ends without END");
    (void)read_u8();
    if (op == REC_OP_END) break;
    if (op == REC_OP_INIT) {
      (void)read_i32(); /* the reset cause: the module asks for it (reset_cause), recorded as a call */
      host_instantiate(wasm, wasm_len);
      in_init = 1;
      inits++;
      load_calls();
      run_entry(0);
    } else if (op == REC_OP_TICK) {
      if (!inits) bad_recording("a tick before the first init");
      in_init = 0;
      tick_index++;
      load_calls();
      run_entry(1);
    } else {
      bad_recording("a call outside any init or tick");
    }
  }
  printf("replay: identical: inits=%u ticks=%u calls=%u\n", inits, tick_index, call_index);
  return EXIT_SAME;
}

/* The module's abi_version() against this harness's table (a module for another ABI is refused). */
static void check_abi_version(int32_t abi) {
  if (abi != HAL_ABI_VERSION) {
    printf("replay: the module's HAL ABI version %d is not the one this harness implements (%d)\n", abi,
           HAL_ABI_VERSION);
    exit(EXIT_BAD_INPUT);
  }
}

#endif
