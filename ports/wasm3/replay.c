/* Replay harness for the wasm3 interpreter, on the host: loads the release module (firmware.wasm, not
 * translated) into wasm3 and links every HAL import the module has to a stand-in that takes the next
 * recorded call and returns what the simulator's HAL returned (ports/host_replay.h runs the
 * recording and checks the calls). The STM32F405 port's harness does the same for wasm2c
 * (ports/stm32f405/replay.c), the WAMR one for WAMR (ports/wamr/replay.c).
 *
 *   replay-wasm3 FIRMWARE.wasm RECORDING */
#include <stdint.h>
#include "host_replay.h"
#include "wasm3.h"

/* wasm3's value stack: the module's deepest call chain needs far less (docs/porting.md) */
#define STACK_BYTES (64 * 1024)

/* Every HAL import: the opcode comes as the link's user data; arguments and the result on wasm3's
 * stack as its raw functions have them (the result's slot first). */
static m3ApiRawFunction(hal_import) {
  (void)runtime;
  (void)_mem;
  uint8_t op = (uint8_t)(uintptr_t)_ctx->userdata;
  uint64_t *ret_slot = hal_call_ret[op] == RET_VOID ? NULL : _sp++;
  int32_t args[4] = {0};
  for (int i = 0; i < hal_call_args[op]; i++) args[i] = *(int32_t *)(_sp++);
  const Call *c = take_call(op, args);
  /* panic does not return on the board either: the module stops, and the recording's next entry is
   * its restart (init with reset cause 2) */
  if (op == OP_panic) m3ApiTrap(m3Err_trapAbort);
  if (hal_call_ret[op] == RET_I64)
    *(int64_t *)ret_slot = c->ret;
  else if (hal_call_ret[op] == RET_I32)
    *(int32_t *)ret_slot = (int32_t)c->ret;
  return m3Err_none;
}

static IM3Environment env;
static IM3Runtime runtime;
static IM3Function fn_init, fn_tick;

/* A fresh instance: parse, load, link (wasm3 checks each link's signature against the import), compile
 * every function (as on the board: a lazy compile would make the first tick that calls a function far
 * longer), run the start function. */
static void host_instantiate(const uint8_t *wasm, size_t len) {
  if (!env) env = m3_NewEnvironment();
  if (!env) fail_module("wasm3", "cannot make an environment");
  if (runtime) m3_FreeRuntime(runtime);
  runtime = m3_NewRuntime(env, STACK_BYTES, NULL);
  if (!runtime) fail_module("wasm3", "cannot make a runtime");
  IM3Module mod;
  M3Result r = m3_ParseModule(env, &mod, wasm, (uint32_t)len);
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
  IM3Function fn_abi;
  if (m3_FindFunction(&fn_init, runtime, "init") || m3_FindFunction(&fn_tick, runtime, "tick") ||
      m3_FindFunction(&fn_abi, runtime, "abi_version"))
    fail_module("the module", "does not export init, tick and abi_version");
  int32_t abi = 0;
  r = m3_CallV(fn_abi);
  if (!r) r = m3_GetResultsV(fn_abi, &abi);
  if (r) fail_module("abi_version()", r);
  check_abi_version(abi);
}

static const char *host_call(int is_tick) { return m3_CallV(is_tick ? fn_tick : fn_init); }

int main(int argc, char **argv) { return host_replay_main("wasm3", argc, argv); }
