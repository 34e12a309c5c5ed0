/* Replay harness for WAMR's classic interpreter, on the host: loads the release module (firmware.wasm,
 * not translated) into WAMR and registers every HAL function under the module name "hal" as a raw
 * native that takes the next recorded call and returns what the simulator's HAL returned
 * (ports/host_replay.h runs the recording and checks the calls). The wasm3 harness does the same
 * there (ports/wasm3/replay.c).
 *
 *   replay-wamr FIRMWARE.wasm RECORDING */
#include <stdint.h>
#include <string.h>
#include "host_replay.h"
#include "wasm_export.h"

/* WAMR's wasm operand and call stack for the module: its deepest call chain needs far less */
#define STACK_BYTES (64 * 1024)

/* Every HAL import, as a raw native: the opcode is its attachment; the arguments come in raw[] and
 * the result goes back in raw[0]. */
static void hal_import(wasm_exec_env_t env, uint64_t *raw) {
  uint8_t op = (uint8_t)(uintptr_t)wasm_runtime_get_function_attachment(env);
  int32_t args[4] = {0};
  for (int i = 0; i < hal_call_args[op]; i++) args[i] = *(int32_t *)&raw[i];
  const Call *c = take_call(op, args);
  if (op == OP_panic) {
    /* panic does not return on the board either: the module stops, and the recording's next entry
     * is its restart (init with reset cause 2) */
    wasm_runtime_set_exception(wasm_runtime_get_module_inst(env), "hal.panic");
    return;
  }
  if (hal_call_ret[op] == RET_I64)
    *(int64_t *)&raw[0] = c->ret;
  else if (hal_call_ret[op] == RET_I32)
    *(int32_t *)&raw[0] = (int32_t)c->ret;
}

static NativeSymbol natives[HAL_CALL_COUNT];
static char signatures[HAL_CALL_COUNT][16];
static int started;

/* The runtime, once: the system allocator, and every HAL function registered as a raw native with
 * its signature ("(iiii)i", "()I") from the HAL table. */
static void start_runtime(void) {
  RuntimeInitArgs init;
  memset(&init, 0, sizeof init);
  init.mem_alloc_type = Alloc_With_System_Allocator;
  if (!wasm_runtime_full_init(&init)) fail_module("WAMR", "the runtime does not start");
  for (int op = 0; op < HAL_CALL_COUNT; op++) {
    char *p = signatures[op];
    *p++ = '(';
    for (int i = 0; i < hal_call_args[op]; i++) *p++ = 'i';
    *p++ = ')';
    if (hal_call_ret[op] != RET_VOID) *p++ = hal_call_ret[op] == RET_I32 ? 'i' : 'I';
    *p = 0;
    natives[op] = (NativeSymbol){hal_call_name[op], (void *)hal_import, signatures[op], (void *)(uintptr_t)op};
  }
  if (!wasm_runtime_register_natives_raw("hal", natives, HAL_CALL_COUNT))
    fail_module("WAMR", "cannot register the HAL functions");
  started = 1;
}

static uint8_t *wasm_copy; /* the loader may keep pointers into the buffer: one copy per instance */
static wasm_module_t module;
static wasm_module_inst_t inst;
static wasm_exec_env_t exec_env;
static wasm_function_inst_t fn_init, fn_tick;

/* A fresh instance: load, check that every import is linked (a HAL function the module imports with
 * another type is not: WAMR would trap only when it is called), instantiate (the start function
 * runs), find the exports. */
static void host_instantiate(const uint8_t *wasm, size_t len) {
  char err[256];
  if (!started) start_runtime();
  if (exec_env) wasm_runtime_destroy_exec_env(exec_env);
  if (inst) wasm_runtime_deinstantiate(inst);
  if (module) wasm_runtime_unload(module);
  free(wasm_copy);
  wasm_copy = malloc(len);
  if (!wasm_copy) fail_module("WAMR", "out of memory");
  memcpy(wasm_copy, wasm, len);
  module = wasm_runtime_load(wasm_copy, (uint32_t)len, err, sizeof err);
  if (!module) fail_module("the module does not load", err);
  int32_t n = wasm_runtime_get_import_count(module);
  for (int32_t i = 0; i < n; i++) {
    wasm_import_t im;
    wasm_runtime_get_import_type(module, i, &im);
    if (im.kind == WASM_IMPORT_EXPORT_KIND_FUNC && !im.linked) {
      printf("replay: the module's import %s.%s is not linked: no HAL function of that name and type\n", im.module_name,
             im.name);
      exit(EXIT_BAD_INPUT);
    }
  }
  inst = wasm_runtime_instantiate(module, STACK_BYTES, 0, err, sizeof err);
  if (!inst) fail_module("the module does not instantiate", err);
  exec_env = wasm_runtime_create_exec_env(inst, STACK_BYTES);
  if (!exec_env) fail_module("WAMR", "cannot make an execution environment");
  fn_init = wasm_runtime_lookup_function(inst, "init");
  fn_tick = wasm_runtime_lookup_function(inst, "tick");
  wasm_function_inst_t fn_abi = wasm_runtime_lookup_function(inst, "abi_version");
  if (!fn_init || !fn_tick || !fn_abi) fail_module("the module", "does not export init, tick and abi_version");
  uint32_t argv[2] = {0};
  if (!wasm_runtime_call_wasm(exec_env, fn_abi, 0, argv))
    fail_module("abi_version()", wasm_runtime_get_exception(inst));
  check_abi_version((int32_t)argv[0]);
}

static const char *host_call(int is_tick) {
  if (wasm_runtime_call_wasm(exec_env, is_tick ? fn_tick : fn_init, 0, NULL)) return NULL;
  const char *why = wasm_runtime_get_exception(inst);
  return why ? why : "an exception";
}

int main(int argc, char **argv) { return host_replay_main("wamr", argc, argv); }
