/* The wasm2c runtime for a microcontroller: what a translated module needs from wasm-rt.h, with no
 * heap. wabt's own wasm-rt-impl.c allocates the linear memory and the type table with malloc and
 * keeps a 64 KiB exception buffer in .bss; the pen's module uses neither exceptions nor more than its
 * one page, so here the page is one static buffer and the type table a small fixed array.
 * Shared by the board build and the replay build. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "wasm-rt-impl.h"

#define PAGE_BYTES 65536u
/* The firmware is built with one page and no growth (asconfig.json: initialMemory = maximumMemory = 1). */
#define MEMORY_PAGES 1u
#define MAX_FUNC_TYPES 32u
#define MAX_TYPE_VALUES 8u

/* One page, 8-byte aligned for i64 loads; in .bss, so never in flash. */
static uint8_t linear_memory[MEMORY_PAGES * PAGE_BYTES] __attribute__((aligned(8)));
static bool memory_taken;

typedef struct {
  uint8_t params, results;
  uint8_t types[MAX_TYPE_VALUES];
} FuncType;
static FuncType func_types[MAX_FUNC_TYPES];
static uint32_t func_type_count;

static bool initialized;
jmp_buf wasm_rt_jmp_buf;
static jmp_buf *unwind_target;
#if WASM_RT_USE_STACK_DEPTH_COUNT
uint32_t wasm_rt_call_stack_depth;
uint32_t wasm_rt_saved_call_stack_depth;
#endif

void wasm_rt_init(void) { initialized = true; }
bool wasm_rt_is_initialized(void) { return initialized; }
void wasm_rt_free(void) { initialized = false; }

/* Every trap of the module ends with the driver off and a reset (reset_cause 2): the board runs each
 * entry (start, init, tick) under wasm_rt_impl_try (board/main.c run_guarded), so the longjmp below
 * lands in board_panic_reset. A failed array bounds check does not come here: the firmware's abort
 * calls the HAL's panic, which takes the same way out. */
void wasm_rt_trap(wasm_rt_trap_t code) {
  /* a trap outside any wasm_rt_impl_try has nowhere to go: the port's fatal path is the safe one
   * (HardFault -> port_fatal -> board_panic_reset) */
  if (!unwind_target) __builtin_trap();
#if WASM_RT_USE_STACK_DEPTH_COUNT
  wasm_rt_call_stack_depth = wasm_rt_saved_call_stack_depth;
#endif
  longjmp(*unwind_target, (int)code);
}

WASM_RT_UNWIND_TARGET *wasm_rt_get_unwind_target(void) { return unwind_target; }
void wasm_rt_set_unwind_target(WASM_RT_UNWIND_TARGET *target) { unwind_target = target; }

const char *wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
  case WASM_RT_TRAP_NONE:
    return "no error";
  case WASM_RT_TRAP_OOB:
    return "out of bounds memory access (or call stack exhausted)";
  case WASM_RT_TRAP_INT_OVERFLOW:
    return "integer overflow";
  case WASM_RT_TRAP_DIV_BY_ZERO:
    return "integer divide by zero";
  case WASM_RT_TRAP_INVALID_CONVERSION:
    return "invalid conversion to integer";
  case WASM_RT_TRAP_UNREACHABLE:
    return "unreachable";
  case WASM_RT_TRAP_CALL_INDIRECT:
    return "bad call_indirect";
  case WASM_RT_TRAP_UNCAUGHT_EXCEPTION:
    return "uncaught exception";
  default:
    return "unknown trap";
  }
}

/* Equal signatures must get equal indices: call_indirect compares them. Registration happens once,
 * in Z_firmware_init_module; running out of room is a build mistake, caught at start-up. */
uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  FuncType t = {(uint8_t)params, (uint8_t)results, {0}};
  if (params + results > MAX_TYPE_VALUES) wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
  va_list ap;
  va_start(ap, results);
  for (uint32_t i = 0; i < params + results; i++) t.types[i] = (uint8_t)va_arg(ap, int); /* enums promote to int */
  va_end(ap);
  for (uint32_t i = 0; i < func_type_count; i++) {
    if (memcmp(&func_types[i], &t, sizeof t) == 0) return i + 1;
  }
  if (func_type_count == MAX_FUNC_TYPES) __builtin_trap();
  func_types[func_type_count++] = t;
  return func_type_count;
}

/* The module's only memory: handed out once per instance, zeroed as a fresh instance expects. */
void wasm_rt_allocate_memory(wasm_rt_memory_t *memory, uint32_t initial_pages, uint32_t max_pages) {
  if (memory_taken || initial_pages > MEMORY_PAGES) __builtin_trap();
  memory_taken = true;
  memset(linear_memory, 0, sizeof linear_memory);
  memory->data = linear_memory;
  memory->pages = initial_pages;
  memory->max_pages = max_pages < MEMORY_PAGES ? max_pages : MEMORY_PAGES;
  memory->size = initial_pages * PAGE_BYTES;
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *memory, uint32_t delta) {
  uint32_t old = memory->pages;
  if (delta > memory->max_pages - old) return (uint32_t)-1;
  memory->pages = old + delta;
  memory->size = memory->pages * PAGE_BYTES;
  return old;
}

void wasm_rt_free_memory(wasm_rt_memory_t *memory) {
  if (memory->data == linear_memory) memory_taken = false;
  memory->data = 0;
  memory->pages = memory->size = 0;
}
