// Host test of board/step_queue.c against a model of TIM2 and the STEP/DIR pins: the step queue
// vectors (tests/vectors/step-queue.json, turned into step_queue_vectors.h by
// tests/sim/port-drivers.test.ts). The counter runs to each op's tick; when it reaches CCR1 with the
// compare interrupt enabled, the interrupt is taken (at once, unless masked: then at the unmask). A STEP
// rising edge is recorded at the compare tick with the DIR level it sees. Each vector runs twice: with
// the counter starting at 0, and just before the 32-bit counter wraps.
#include <vector>
#include "registers.h"
#define HOST_IRQ_MODEL
static uint32_t irq_save(void);
static void irq_restore(uint32_t p);
#include "step_queue_vectors.h"
#include "../board/step_queue.c"

namespace model {
uint32_t now;     // TIM2_CNT outside the interrupt
uint32_t isr_cnt; // TIM2_CNT inside it: the counter runs on while the handler waits out the pulse
bool in_isr, masked;
uint32_t dier, sr, ccr1, odr;
uint32_t base;      // counter value at the vector's tick 0
int32_t pos, steps; // the carriage as the pins moved it
const Vector *vec;
std::vector<VecEdge> edges;
int stray_steps; // STEP edges outside the compare interrupt
int long_pulses; // STEP still high when the interrupt returns
} // namespace model
using namespace model;

uint32_t reg_read(uint32_t addr) {
  switch (addr) {
  case 0x40000024u:
    return in_isr ? isr_cnt++ : now; // CNT
  case 0x4000000Cu:
    return dier;
  case 0x40000010u:
    return sr;
  case 0x40000034u:
    return ccr1;
  default:
    return 0;
  }
}

void reg_write(uint32_t addr, uint32_t v) {
  switch (addr) {
  case 0x4000000Cu:
    dier = v;
    break;
  case 0x40000010u:
    sr &= v;
    break; // rc_w0: writing 0 clears a flag, 1 keeps it
  case 0x40000014u:
    sr |= v & TIM_CC1;
    break; // EGR: CC1G sets CC1IF as a compare would
  case 0x40000034u:
    ccr1 = v;
    break;
  case GPIOA + BSRR: {
    uint32_t set = v & 0xFFFFu, reset = v >> 16;
    if ((set & PIN_STEP) && !(odr & PIN_STEP)) {
      if (!in_isr) stray_steps++;
      int32_t dir = odr & PIN_DIR ? 1 : -1;
      edges.push_back(VecEdge{now - base, dir});
      pos += dir;
      steps++;
    }
    odr = (odr & ~reset) | set; // set wins over reset (RM0090 8.4.7)
    break;
  }
  default:
    break;
  }
}

int board_endstop_active(void) {
  switch (vec->endstop) {
  case ENDSTOP_AT_OR_BELOW_POSITION:
    return pos <= vec->endstop_value;
  case ENDSTOP_FROM_STEP:
    return steps >= vec->endstop_value;
  default:
    return 0;
  }
}

static void take_interrupts() {
  for (int guard = 0; !masked && (sr & dier & TIM_CC1) && guard < 1000; guard++) {
    in_isr = true;
    isr_cnt = now;
    TIM2_IRQHandler();
    in_isr = false;
    if (odr & PIN_STEP) long_pulses++;
  }
}

static uint32_t irq_save(void) {
  uint32_t p = masked;
  masked = true;
  return p;
}
static void irq_restore(uint32_t p) {
  masked = p != 0;
  take_interrupts();
}

/* The counter runs to tick t of the vector; each compare match on the way raises CC1IF. */
static void run_to(uint32_t t) {
  uint32_t target = base + t;
  for (;;) {
    take_interrupts();
    if ((dier & TIM_CC1) && (int32_t)(ccr1 - now) > 0 && (int32_t)(ccr1 - target) <= 0) {
      now = ccr1;
      sr |= TIM_CC1;
      continue;
    }
    break;
  }
  if ((int32_t)(target - now) > 0) now = target;
}

static const char *const OP_NAMES[] = {"push", "flush", "status", "free", "position"}; /* VecOpKind */

static void run_vector(const Vector &v, uint32_t counter_at_0) {
  vec = &v, base = counter_at_0, now = counter_at_0;
  dier = sr = ccr1 = odr = 0, masked = in_isr = false;
  pos = v.position, steps = 0, edges.clear(), stray_steps = long_pulses = 0;
  ring_head = ring_tail = 0, stepping = 0, latched_status = 0, last_step_flags = 0, last_step_ticks = 0;
  position_steps = v.position;
  board_step_timer_init();

  std::vector<int32_t> results(v.n_ops);
  for (int i = 0; i < v.n_ops; i++) {
    const VecOp &op = v.ops[i];
    run_to(op.t);
    switch (op.op) {
    case OP_PUSH:
      results[i] =
          (int32_t)Z_halZ_step_queue_push(nullptr, (u32)op.args[0], (u32)op.args[1], (u32)op.args[2], (u32)op.args[3]);
      break;
    case OP_FLUSH:
      Z_halZ_step_queue_flush(nullptr);
      break;
    case OP_STATUS:
      results[i] = (int32_t)Z_halZ_step_queue_status(nullptr);
      break;
    case OP_FREE:
      results[i] = (int32_t)Z_halZ_step_queue_free(nullptr);
      break;
    case OP_POSITION:
      results[i] = (int32_t)Z_halZ_step_position(nullptr);
      break;
    }
  }
  run_to(v.end_ticks);

  int n = (int)edges.size() > v.n_edges ? (int)edges.size() : v.n_edges;
  for (int i = 0; i < n; i++) {
    bool have = i < (int)edges.size(), want = i < v.n_edges;
    if (have && want && edges[i].t == v.edges[i].t && edges[i].dir == v.edges[i].dir) continue;
    char got[32] = "none", exp[32] = "none";
    if (have) snprintf(got, sizeof got, "[%u, %d]", (unsigned)edges[i].t, (int)edges[i].dir);
    if (want) snprintf(exp, sizeof exp, "[%u, %d]", (unsigned)v.edges[i].t, (int)v.edges[i].dir);
    CHECK(false, "vector %s (counter from %u): first differing edge #%d: expected %s, got %s (%d edges, %d expected)",
          v.name, (unsigned)counter_at_0, i, exp, got, (int)edges.size(), v.n_edges);
    break;
  }
  for (int i = 0; i < v.n_ops; i++) {
    const VecOp &op = v.ops[i];
    CHECK(!op.has_ret || results[i] == op.ret, "vector %s (counter from %u): op #%d %s at %u returned %d, expected %d",
          v.name, (unsigned)counter_at_0, i, OP_NAMES[op.op], (unsigned)op.t, (int)results[i], (int)op.ret);
  }
  CHECK(stray_steps == 0, "vector %s: %d STEP edges outside the compare interrupt", v.name, stray_steps);
  CHECK(long_pulses == 0, "vector %s: STEP left high by the interrupt %d times", v.name, long_pulses);
}

int main() {
  for (int k = 0; k < N_VECTORS; k++) {
    run_vector(vectors[k], 0);
    run_vector(vectors[k], 0xFFFFFFFFu - 600u); // the 32-bit counter wraps inside every vector
  }
  printf("%d vectors, twice each\n", N_VECTORS);
  printf("%s: %d failures\n", failures ? "FAILED" : "passed", failures);
  return failures ? 1 : 0;
}
