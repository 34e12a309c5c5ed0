/* Replay harness for the wasm3 interpreter, on the host: loads the release module (firmware.wasm, not
 * translated) into wasm3, links every HAL import the module has to a stand-in that takes the next
 * recorded call, checks that the firmware called the same function with the same arguments, and
 * returns what the simulator's HAL returned (host-sim/recording.ts has the format). init() and
 * tick() are called where the recording says; each init is a fresh instance, as a reset is on the
 * microcontroller. The STM32F405 port's harness does the same for wasm2c (ports/stm32f405/replay.c).
 *
 *   replay-wasm3 FIRMWARE.wasm RECORDING
 *
 * Exit status: 0 identical, 1 the firmware's calls differ (the first difference is printed), 2 a bad
 * recording, module or command line, 3 the module trapped. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "replay_calls.h"
#include "wasm3.h"

enum { EXIT_SAME = 0, EXIT_DIFFERENT = 1, EXIT_BAD_INPUT = 2, EXIT_TRAP = 3 };

/* wasm3's value stack: the module's deepest call chain needs far less (docs/porting.md) */
#define STACK_BYTES (64 * 1024)

static uint32_t call_index, tick_index;
static int in_init, panicked;

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

/* Every HAL import: the opcode comes as the link's user data; arguments and the result on wasm3's
 * stack as its raw functions have them (the result's slot first). */
static m3ApiRawFunction(hal_import) {
  (void)runtime;
  (void)_mem;
  uint8_t op = (uint8_t)(uintptr_t)_ctx->userdata;
  uint64_t *ret_slot = hal_call_ret[op] == RET_VOID ? NULL : _sp++;
  int32_t args[4] = {0};
  for (int i = 0; i < hal_call_args[op]; i++) args[i] = *(int32_t *)(_sp++);
  if (taken >= ncalls) differ_call(op, args);
  const Call *c = &calls[taken];
  if (c->op != op) differ_call(op, args);
  for (int i = 0; i < hal_call_args[op]; i++)
    if (c->args[i] != args[i]) differ_call(op, args);
  taken++;
  if (op == OP_panic) {
    /* panic does not return on the board either: the module stops, and the recording's next entry
     * is its restart (init with reset cause 2) */
    panicked = 1;
    m3ApiTrap(m3Err_trapAbort);
  }
  if (hal_call_ret[op] == RET_I64)
    *(int64_t *)ret_slot = c->ret;
  else if (hal_call_ret[op] == RET_I32)
    *(int32_t *)ret_slot = (int32_t)c->ret;
  return m3Err_none;
}

static IM3Environment env;
static IM3Runtime runtime;
static IM3Function fn_init, fn_tick;
static uint8_t *wasm;
static size_t wasm_len;

static void fail_module(const char *what, M3Result r) {
  printf("replay: %s: %s\n", what, r);
  exit(EXIT_BAD_INPUT);
}

/* A fresh instance: parse, load, link, compile every function (as on the board: a lazy compile would
 * make the first tick that calls a function far longer), run the start function. */
static void instantiate(void) {
  if (runtime) m3_FreeRuntime(runtime);
  runtime = m3_NewRuntime(env, STACK_BYTES, NULL);
  if (!runtime) fail_module("wasm3", "cannot make a runtime");
  IM3Module mod;
  M3Result r = m3_ParseModule(env, &mod, wasm, (uint32_t)wasm_len);
  if (r) fail_module("the module does not parse", r);
  r = m3_LoadModule(runtime, mod);
  if (r) fail_module("the module does not load", r);
  for (int op = 0; op < HAL_CALL_COUNT; op++) {
    char sig[16];
    char *p = sig;
    *p++ = hal_call_ret[op] == RET_VOID ? 'v' : hal_call_ret[op] == RET_I32 ? 'i' : 'I';
    *p++ = '(';
    for (int i = 0; i < hal_call_args[op]; i++) *p++ = 'i';
    *p++ = ')';
    *p = 0;
    r = m3_LinkRawFunctionEx(mod, "hal", hal_call_name[op], sig, &hal_import, (const void *)(uintptr_t)op);
    /* the module need not import every HAL function; one it imports with another type is an error */
    if (r && r != m3Err_functionLookupFailed) fail_module(hal_call_name[op], r);
  }
  r = m3_CompileModule(mod);
  if (r) fail_module("the module does not compile", r);
  r = m3_RunStart(mod);
  if (r) fail_module("the start function trapped", r);
  r = m3_FindFunction(&fn_init, runtime, "init");
  if (r) fail_module("no export init", r);
  r = m3_FindFunction(&fn_tick, runtime, "tick");
  if (r) fail_module("no export tick", r);
  IM3Function fn_abi;
  r = m3_FindFunction(&fn_abi, runtime, "abi_version");
  if (r) fail_module("no export abi_version", r);
  r = m3_CallV(fn_abi);
  int32_t abi = 0;
  if (!r) r = m3_GetResultsV(fn_abi, &abi);
  if (r) fail_module("abi_version()", r);
  if (abi != HAL_ABI_VERSION) {
    printf("replay: the module's HAL ABI version %d is not the one this harness implements (%d)\n", abi,
           HAL_ABI_VERSION);
    exit(EXIT_BAD_INPUT);
  }
}

static void run_entry(IM3Function fn) {
  panicked = 0;
  M3Result r = m3_CallV(fn);
  if (r && !panicked) {
    M3ErrorInfo info;
    m3_GetErrorInfo(runtime, &info);
    printf("replay: the module trapped (%s) %s %u\n", r, in_init ? "in init, after tick" : "in tick", tick_index);
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

int main(int argc, char **argv) {
  if (argc != 3) {
    printf("usage: replay-wasm3 FIRMWARE.wasm RECORDING\n");
    return EXIT_BAD_INPUT;
  }
  wasm = read_file(argv[1], &wasm_len);
  if (!wasm) {
    printf("replay: cannot read the module %s\n", argv[1]);
    return EXIT_BAD_INPUT;
  }
  rec = read_file(argv[2], &rec_len);
  if (!rec) {
    printf("replay: cannot read the recording %s\n", argv[2]);
    return EXIT_BAD_INPUT;
  }
  env = m3_NewEnvironment();
  if (!env) fail_module("wasm3", "cannot make an environment");
  read_header();
  uint32_t inits = 0;
  for (;;) {
    int op = peek_u8();
    if (op < 0) bad_recording("it ends without END");
    rec_pos++;
    if (op == REC_OP_END) break;
    if (op == REC_OP_INIT) {
      (void)read_i32(); /* the reset cause: the module asks for it (reset_cause), recorded as a call */
      instantiate();
      in_init = 1;
      inits++;
      load_calls();
      run_entry(fn_init);
    } else if (op == REC_OP_TICK) {
      if (!runtime) bad_recording("a tick before the first init");
      in_init = 0;
      tick_index++;
      load_calls();
      run_entry(fn_tick);
    } else {
      bad_recording("a call outside any init or tick");
    }
  }
  printf("replay: identical: inits=%u ticks=%u calls=%u\n", inits, tick_index, call_index);
  return EXIT_SAME;
}
