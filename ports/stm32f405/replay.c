/* Replay harness: runs the translated firmware module on the Cortex-M4 (under qemu-system-arm
 * -M netduinoplus2 -semihosting -icount shift=0) against a recording made in the simulator
 * (host-sim/recording.ts has the format). Every HAL import takes the next recorded call, checks
 * that the firmware called the same function with the same arguments, and returns what the
 * simulator's HAL returned. init() and tick() are called where the recording says.
 *
 *   replay.elf RECORDING LOG [TICK_COUNTS]
 *
 * LOG gets one line per entry, in the text form of host-sim/recording.ts, for the host to compare
 * with the simulator's byte for byte. TICK_COUNTS gets two u32 (LE) per tick: the instructions of the
 * module (with its wasm2c runtime and the import functions' argument passing), and the same with
 * this harness's stand-in HAL (replay_take) counted too.
 * Exit status: 0 identical, 1 the firmware's calls differ (the first difference is printed),
 * 2 a bad recording or command line, 3 the module trapped or the CPU faulted. */
#include <stdint.h>
#include <string.h>
#include "firmware.h"
#include "wasm-rt-impl.h"
#include "replay_calls.h"
#include "port.h"
#include "semihost.h"

int64_t replay_take(uint8_t op, const int32_t *args);
void replay_panic(void) __attribute__((noreturn));

enum { EXIT_SAME = 0, EXIT_DIFFERENT = 1, EXIT_BAD_INPUT = 2, EXIT_TRAP = 3 };

struct Z_hal_instance_t {
  int unused;
};

static Z_firmware_instance_t module;
static struct Z_hal_instance_t hal;
static Call made[MAX_CALLS_PER_ENTRY]; /* the calls as the firmware made them: what the log prints */
static uint32_t call_index;            /* calls made before this entry, over the whole run */
static uint32_t tick_index;            /* ticks run so far, over the whole run */
static int in_init;                    /* the entry being run is init() */
static int panicked;

/* ---- output ---------------------------------------------------------------------------------- */

static char line[160];

static char *put_str(char *p, const char *s) {
  while (*s) *p++ = *s++;
  return p;
}

static char *put_i64(char *p, int64_t v) {
  char tmp[24];
  int n = 0;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) *p++ = '-';
  while (n) *p++ = tmp[--n];
  return p;
}

/* `name(a,b)`, and ` -> ret` when with_ret and the import returns a value */
static char *put_call(char *p, uint8_t op, const int32_t *args, int64_t ret, int with_ret) {
  p = put_str(p, hal_call_name[op]);
  *p++ = '(';
  for (int i = 0; i < hal_call_args[op]; i++) {
    if (i) *p++ = ',';
    p = put_i64(p, args[i]);
  }
  *p++ = ')';
  if (with_ret && hal_call_ret[op] != RET_VOID) {
    p = put_str(p, " -> ");
    p = put_i64(p, ret);
  }
  return p;
}

static void say(const char *s) { sh_puts(s); }

static void say_line(char *end) {
  end[0] = '\n';
  end[1] = 0;
  sh_puts(line);
}

static int log_fd = -1;
static char log_buf[4096];
static uint32_t log_len;

static void log_flush(void) {
  if (log_len && sh_write(log_fd, log_buf, log_len) != 0) {
    say("replay: cannot write the call log\n");
    sh_exit(EXIT_BAD_INPUT);
  }
  log_len = 0;
}

static void log_text(const char *s, uint32_t n) {
  if (log_len + n > sizeof log_buf) log_flush();
  memcpy(log_buf + log_len, s, n);
  log_len += n;
}

/* ---- the recording ----------------------------------------------------------------------------- */

static int rec_fd = -1;
static uint8_t rec_buf[2048];
static uint32_t rec_pos, rec_len, rec_base; /* rec_base: file offset of rec_buf[0] */

static void bad_recording(const char *why) {
  char *p = put_str(line, "replay: bad recording at byte ");
  p = put_i64(p, rec_base + rec_pos);
  p = put_str(p, ": ");
  p = put_str(p, why);
  say_line(p);
  sh_exit(EXIT_BAD_INPUT);
}

static int peek_u8(void) {
  if (rec_pos == rec_len) {
    rec_base += rec_len;
    rec_len = sh_read(rec_fd, rec_buf, sizeof rec_buf);
    rec_pos = 0;
    if (rec_len == 0) return -1;
  }
  return rec_buf[rec_pos];
}

static uint8_t read_u8(void) {
  int b = peek_u8();
  if (b < 0) bad_recording("it ends inside an entry (no END)");
  rec_pos++;
  return (uint8_t)b;
}

/* ---- the first difference ------------------------------------------------------------------------ */

static void difference_header(void) {
  log_flush();
  char *p = put_str(line, "replay: the firmware's calls differ from the recording at call ");
  p = put_i64(p, call_index + taken + 1);
  p = put_str(p, in_init ? " (in init, after tick " : " (in tick ");
  p = put_i64(p, tick_index);
  p = put_str(p, ")");
  say_line(p);
}

static void say_expected(void) {
  char *p = put_str(line, "  recording: ");
  if (taken < ncalls)
    p = put_call(p, calls[taken].op, calls[taken].args, calls[taken].ret, 1);
  else
    p = put_str(p, in_init ? "(no more calls: init returns)" : "(no more calls: the tick returns)");
  say_line(p);
}

static void differ_call(uint8_t op, const int32_t *args) {
  difference_header();
  char *p = put_str(line, "  firmware:  ");
  p = put_call(p, op, args, 0, 0);
  say_line(p);
  say_expected();
  sh_exit(EXIT_DIFFERENT);
}

static void differ_returned(void) {
  difference_header();
  say(in_init ? "  firmware:  (returned from init)\n" : "  firmware:  (returned from tick)\n");
  say_expected();
  sh_exit(EXIT_DIFFERENT);
}

/* ---- instruction counting ----------------------------------------------------------------------------
 * TIM2 counts at the timer model's 1 GHz of QEMU's virtual clock; with -icount shift=0 that clock
 * advances 1 ns per executed instruction, so the counter counts instructions exactly. */
#define TIM2_CR1 (*(volatile uint32_t *)0x40000000u)
#define TIM2_CNT (*(volatile uint32_t *)0x40000024u)
#define TIM2_PSC (*(volatile uint32_t *)0x40000028u)
#define TIM2_ARR (*(volatile uint32_t *)0x4000002Cu)
#define TIM2_EGR (*(volatile uint32_t *)0x40000014u)
#define RCC_APB1ENR (*(volatile uint32_t *)0x40023840u)

/* ---- HAL imports: each takes the next recorded call ----------------------------------------------- */
/* The import functions themselves are generated (build/<board>/port/replay_imports.c) from the same
 * table the simulator records with; each calls replay_take. */

static uint32_t hal_spent; /* instructions spent in replay_take during the entry being run */

int64_t replay_take(uint8_t op, const int32_t *args) {
  uint32_t t0 = TIM2_CNT;
  if (taken >= ncalls) differ_call(op, args);
  const Call *c = &calls[taken];
  if (c->op != op) differ_call(op, args);
  for (int i = 0; i < hal_call_args[op]; i++)
    if (c->args[i] != args[i]) differ_call(op, args);
  Call *m = &made[taken++];
  m->op = op;
  for (int i = 0; i < hal_call_args[op]; i++) m->args[i] = args[i];
  m->ret = c->ret;
  hal_spent += TIM2_CNT - t0;
  return c->ret;
}

/* panic() does not return on the board either: the module stops, and the recording's next entry is
 * its restart (init with reset cause 2). */
void replay_panic(void) {
  panicked = 1;
  wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE);
}

static uint32_t bracket_overhead;

static void counter_start(void) {
  RCC_APB1ENR |= 1u;
  TIM2_PSC = 0;
  TIM2_ARR = 0xFFFFFFFFu;
  TIM2_EGR = 1u;
  TIM2_CR1 = 1u;
}

__attribute__((noinline)) static uint32_t bracket_nops(void) {
  uint32_t t0 = TIM2_CNT;
  __asm__ volatile("nop\n nop\n nop\n nop\n nop\n nop\n nop\n nop\n nop\n nop");
  return TIM2_CNT - t0;
}

__attribute__((noinline)) static uint32_t bracket_empty(void) {
  uint32_t t0 = TIM2_CNT;
  __asm__ volatile("" ::: "memory");
  return TIM2_CNT - t0;
}

/* Checks that the counter counts instructions (QEMU with -icount shift=0) and measures what the
 * bracket itself costs. */
static void counter_calibrate(void) {
  bracket_overhead = bracket_empty();
  if (bracket_nops() - bracket_overhead != 10) {
    say("replay: TIM2 does not count instructions: run QEMU with -icount shift=0\n");
    sh_exit(EXIT_BAD_INPUT);
  }
}

/* ---- running the recording ------------------------------------------------------------------------ */

/* Work the board's main loop does after each tick, outside it (its background steps): none here; a
 * build that links ports/crypto/crypto_background_replay.c runs signature checks. Returns 1 when it
 * did a step; *checks gets the checks finished so far. */
__attribute__((weak)) int replay_background(uint32_t *checks) {
  (void)checks;
  return 0;
}
static uint32_t bg_steps, bg_step_max, bg_checks;
static uint64_t bg_total;

static void run_background(void) {
  uint32_t t0 = TIM2_CNT;
  if (!replay_background(&bg_checks)) return;
  uint32_t n = TIM2_CNT - t0 - bracket_overhead;
  bg_steps++;
  bg_total += n;
  if (n > bg_step_max) bg_step_max = n;
}

static int counts_fd = -1;
static uint32_t counts_buf[256];
static uint32_t counts_len;
static uint32_t tick_max, tick_max_at, init_max, tick_total_max;
static uint64_t tick_sum;

static void counts_flush(void) {
  if (counts_len && sh_write(counts_fd, counts_buf, counts_len * 4) != 0) {
    say("replay: cannot write the tick counts\n");
    sh_exit(EXIT_BAD_INPUT);
  }
  counts_len = 0;
}

static void log_entry_calls(void) {
  for (uint32_t i = 0; i < ncalls; i++) {
    char *p = put_call(line, made[i].op, made[i].args, made[i].ret, 1);
    *p++ = '\n';
    log_text(line, (uint32_t)(p - line));
  }
}

static void trapped(wasm_rt_trap_t code) {
  log_flush();
  char *p = put_str(line, "replay: the module trapped (");
  p = put_str(p, wasm_rt_strerror(code));
  p = put_str(p, in_init ? ") in init, after tick " : ") in tick ");
  p = put_i64(p, tick_index);
  say_line(p);
  sh_exit(EXIT_TRAP);
}

/* Runs init() or tick() against the calls loaded for it; returns its instructions, those of this
 * harness's stand-in HAL (replay_take: finding and checking the recorded call) left out. `total`
 * gets them with it. */
static uint32_t run_entry(int is_tick, uint32_t *total) {
  panicked = 0;
  uint32_t spent = 0;
  *total = 0;
  hal_spent = 0;
  wasm_rt_trap_t code = (wasm_rt_trap_t)wasm_rt_impl_try();
  if (code == WASM_RT_TRAP_NONE) {
    uint32_t t0 = TIM2_CNT;
    if (is_tick)
      Z_firmwareZ_tick(&module);
    else
      Z_firmwareZ_init(&module);
    *total = TIM2_CNT - t0 - bracket_overhead;
    spent = *total - hal_spent;
  } else if (!panicked) {
    trapped(code);
  }
  if (taken != ncalls) differ_returned();
  log_entry_calls();
  call_index += ncalls;
  return spent;
}

static void usage(void) {
  say("usage: replay.elf RECORDING LOG [TICK_COUNTS]  (semihosting arguments)\n");
  sh_exit(EXIT_BAD_INPUT);
}

static char cmdline[512];

int main(void) {
  counter_start();
  counter_calibrate();
  if (sh_cmdline(cmdline, sizeof cmdline) != 0) usage();
  /* "replay.elf RECORDING LOG [TICK_COUNTS]": words separated by single spaces */
  char *argv[4] = {0};
  int argc = 0;
  for (char *p = cmdline; *p && argc < 4; p++) {
    if (p == cmdline || p[-1] == 0) argv[argc++] = p;
    while (*p && *p != ' ') p++;
    if (!*p) break;
    *p = 0;
  }
  if (argc < 3) usage();
  rec_fd = sh_open(argv[1], SH_MODE_READ_BINARY);
  if (rec_fd < 0) {
    say("replay: cannot open the recording\n");
    sh_exit(EXIT_BAD_INPUT);
  }
  log_fd = sh_open(argv[2], SH_MODE_WRITE_BINARY);
  if (log_fd < 0) {
    say("replay: cannot create the call log\n");
    sh_exit(EXIT_BAD_INPUT);
  }
  if (argc > 3) {
    counts_fd = sh_open(argv[3], SH_MODE_WRITE_BINARY);
    if (counts_fd < 0) {
      say("replay: cannot create the tick counts file\n");
      sh_exit(EXIT_BAD_INPUT);
    }
  }
  read_header();

  wasm_rt_init();
  Z_firmware_init_module();
  int instantiated = 0;
  uint32_t inits = 0;
  for (;;) {
    int op = peek_u8();
    if (op < 0) bad_recording("it ends without END");
    rec_pos++;
    if (op == REC_OP_END) break;
    if (op == REC_OP_INIT) {
      int32_t cause = read_i32();
      /* a reset: a fresh instance, as the microcontroller starts the module anew */
      if (instantiated) Z_firmware_free(&module);
      Z_firmware_instantiate(&module, &hal);
      instantiated = 1;
      if (!module.w2c_memory.data) {
        say("replay: no room for the module's linear memory: the linker script's .heap is too small\n");
        sh_exit(EXIT_BAD_INPUT);
      }
      if (Z_firmwareZ_abi_version(&module) != HAL_ABI_VERSION) {
        say("replay: the module's HAL ABI version is not the one this port implements\n");
        sh_exit(EXIT_BAD_INPUT);
      }
      char *p = put_str(line, "init ");
      p = put_i64(p, cause);
      *p++ = '\n';
      log_text(line, (uint32_t)(p - line));
      in_init = 1;
      inits++;
      load_calls();
      uint32_t total;
      uint32_t n = run_entry(0, &total);
      if (n > init_max) init_max = n;
    } else if (op == REC_OP_TICK) {
      if (!instantiated) bad_recording("a tick before the first init");
      log_text("tick\n", 5);
      in_init = 0;
      tick_index++;
      load_calls();
      uint32_t total;
      uint32_t n = run_entry(1, &total);
      tick_sum += n;
      if (n > tick_max) {
        tick_max = n;
        tick_max_at = tick_index;
      }
      if (total > tick_total_max) tick_total_max = total;
      run_background();
      if (counts_fd >= 0) {
        counts_buf[counts_len++] = n;
        counts_buf[counts_len++] = total;
        if (counts_len == sizeof counts_buf / sizeof counts_buf[0]) counts_flush();
      }
    } else {
      bad_recording("a call outside any init or tick");
    }
  }
  log_flush();
  sh_close(log_fd);
  if (counts_fd >= 0) {
    counts_flush();
    sh_close(counts_fd);
  }

  char *p = put_str(line, "replay: identical: inits=");
  p = put_i64(p, inits);
  p = put_str(p, " ticks=");
  p = put_i64(p, tick_index);
  p = put_str(p, " calls=");
  p = put_i64(p, call_index);
  say_line(p);
  p = put_str(line, "instructions: init_max=");
  p = put_i64(p, init_max);
  p = put_str(p, " tick_max=");
  p = put_i64(p, tick_max);
  p = put_str(p, " tick_max_at=");
  p = put_i64(p, tick_max_at);
  p = put_str(p, " tick_sum=");
  p = put_i64(p, (int64_t)tick_sum);
  p = put_str(p, " tick_max_with_hal=");
  p = put_i64(p, tick_total_max);
  say_line(p);
  if (bg_steps) {
    p = put_str(line, "background: steps=");
    p = put_i64(p, bg_steps);
    p = put_str(p, " step_max=");
    p = put_i64(p, bg_step_max);
    p = put_str(p, " total=");
    p = put_i64(p, (int64_t)bg_total);
    p = put_str(p, " checks=");
    p = put_i64(p, bg_checks);
    say_line(p);
  }
  p = put_str(line, "memory: stack_used=");
  p = put_i64(p, port_stack_used());
  p = put_str(p, " heap_used=");
  p = put_i64(p, port_heap_used());
  say_line(p);
  sh_exit(EXIT_SAME);
}

void port_fatal(int why) {
  char *p = put_str(line, "replay: CPU fault or unexpected interrupt (");
  p = put_i64(p, why);
  p = put_str(p, ")");
  say_line(p);
  sh_exit(EXIT_TRAP);
}
