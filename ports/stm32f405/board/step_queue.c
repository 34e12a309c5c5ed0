/* The step queue executor (docs/hal-abi.md: step_queue_*, step_position, now_ticks) on TIM2 channel 1
 * compare, the highest interrupt priority. TIM2 counts STEP_TIMER_HZ ticks (RM0090 18.4); STEP is PA0,
 * DIR PA1 (board mcu.pins). Its behaviour is tests/vectors/step-queue.json, run on the host by
 * ports/stm32f405/test/step_queue_test.cpp. */
#include <stdint.h>
#include "firmware.h"
#include "step_queue.h"
#include "pen_abi.h"

#ifndef STEP_QUEUE_LEN
#define STEP_QUEUE_LEN 64 /* board timing.step_queue_len (tools/build/port-build.ts passes it) */
#endif
#if (STEP_QUEUE_LEN & (STEP_QUEUE_LEN - 1)) != 0
#error "STEP_QUEUE_LEN must be a power of two: the ring uses free-running indices"
#endif
#define DRIVER_MAX_STEP_RATE_HZ 200000u /* board driver.max_step_rate_hz */
#ifndef MIN_STEP_INTERVAL_TICKS /* rounded up, as the simulator does: no interval shorter than the driver's period */
#define MIN_STEP_INTERVAL_TICKS                                                                                        \
  ((STEP_TIMER_HZ + DRIVER_MAX_STEP_RATE_HZ - 1) / DRIVER_MAX_STEP_RATE_HZ) /* 105 ticks = 5 us */
#endif
#define STEP_PULSE_TICKS 3u /* 143 ns: the TMC2209 needs STEP high >= 100 ns */

#ifndef REG /* ports/stm32f405/test/ puts a model of the timer and the pins behind it */
#define REG(a) (*(volatile uint32_t *)(a))
#endif
#define GPIOA 0x40020000u
#define BSRR 0x18
/* TIM2, RM0090 18.4 */
#define TIM2_CR1 REG(0x40000000u)
#define TIM2_DIER REG(0x4000000Cu)
#define TIM2_SR REG(0x40000010u)
#define TIM2_EGR REG(0x40000014u)
#define TIM2_CNT REG(0x40000024u)
#define TIM2_PSC REG(0x40000028u)
#define TIM2_ARR REG(0x4000002Cu)
#define TIM2_CCR1 REG(0x40000034u)
#define TIM_UPDATE (1u << 0)   /* same bit in DIER (UIE), SR (UIF), EGR (UG) */
#define TIM_CC1 (1u << 1)      /* same bit in DIER (CC1IE), SR (CC1IF), EGR (CC1G) */
#define PIN_STEP (1u << 0)     /* PA0 */
#define PIN_DIR (1u << 1)      /* PA1, high = extend */
#define PIN_OFF(p) ((p) << 16) /* BSRR: the reset half */

enum { PUSH_OK = 0, PUSH_FULL = -1, PUSH_BAD = -2 };
#define H struct Z_hal_instance_t *h

typedef struct {
  uint32_t interval_ticks, count;
  int32_t add_ticks;
  uint32_t flags;
} Segment; /* count: steps left */

static Segment ring[STEP_QUEUE_LEN];
static volatile uint32_t ring_head, ring_tail; /* free-running: the ISR consumes head, push produces tail */
static Segment cur;                            /* the segment under execution, out of the ring (as the sim) */
static volatile uint32_t stepping;             /* a segment is loaded and its next step armed: BUSY */
static volatile uint32_t latched_status;       /* UNDERRUN, ENDSTOP_STOP until the next flush */
static volatile int32_t position_steps;
static volatile uint32_t ticks_high; /* TIM2 overflows: the upper word of now_ticks */
static uint32_t last_step_ticks;     /* compare time of the last step, so the schedule never drifts */
static uint32_t last_step_flags;     /* flags of the segment that made the last step */

/* Next compare at `at`; forced at once if that time has passed, else it would come 204 s late. */
static void arm(uint32_t at) {
  TIM2_CCR1 = at;
  TIM2_SR = ~TIM_CC1;
  TIM2_DIER |= TIM_CC1;
  if ((int32_t)(at - TIM2_CNT) <= 0) TIM2_EGR = TIM_CC1;
}

static void stop_stepping(void) {
  TIM2_DIER &= ~TIM_CC1;
  stepping = 0;
}

/* DIR is set as a segment is loaded, at least 5 us before its first step (TMC2209 setup: 20 ns). */
static int load_next(void) {
  if (ring_head == ring_tail) return 0;
  cur = ring[ring_head & (STEP_QUEUE_LEN - 1)];
  ring_head = ring_head + 1;
  REG(GPIOA + BSRR) = cur.flags & SEG_EXTEND ? PIN_DIR : PIN_OFF(PIN_DIR);
  return 1;
}

/* One step at its compare time. As in the simulator, an active endstop after a step of a
 * SEG_STOP_AT_ENDSTOP segment cancels all that follows; sampled when the next step falls due (the
 * carriage has moved by then), or at once after the final step when nothing follows. */
static void step_due(void) {
  if ((last_step_flags & SEG_STOP_AT_ENDSTOP) && board_endstop_active()) {
    stop_stepping();
    ring_head = ring_tail;
    latched_status |= QSTAT_ENDSTOP_STOP;
    return;
  }
  uint32_t rise_ticks = TIM2_CNT;
  REG(GPIOA + BSRR) = PIN_STEP;
  position_steps += cur.flags & SEG_EXTEND ? 1 : -1;
  last_step_ticks += cur.interval_ticks;
  cur.interval_ticks += (uint32_t)cur.add_ticks;
  last_step_flags = cur.flags;
  while (TIM2_CNT - rise_ticks < STEP_PULSE_TICKS) {}
  REG(GPIOA + BSRR) = PIN_OFF(PIN_STEP);
  if (--cur.count == 0 && !load_next()) {
    stop_stepping();
    if (!(last_step_flags & SEG_END_OF_MOVE)) latched_status |= QSTAT_UNDERRUN;
    /* no next step to wait for: an endstop reached by the final step is reported all the same */
    if ((last_step_flags & SEG_STOP_AT_ENDSTOP) && board_endstop_active()) latched_status |= QSTAT_ENDSTOP_STOP;
    return;
  }
  arm(last_step_ticks + cur.interval_ticks);
}

void TIM2_IRQHandler(void) {
  uint32_t sr = TIM2_SR;
  if (sr & TIM_UPDATE) TIM2_SR = ~TIM_UPDATE, ticks_high = ticks_high + 1; /* flags clear on writing 0 */
  if ((sr & TIM_CC1) && (TIM2_DIER & TIM_CC1)) {
    TIM2_SR = ~TIM_CC1;
    step_due();
  }
}

u64 Z_halZ_now_ticks(H) {
  (void)h;
  uint32_t p = irq_save();
  uint32_t high = ticks_high, low = TIM2_CNT;
  if (TIM2_SR & TIM_UPDATE) { /* wrapped, interrupt not taken yet: re-read so low is after the wrap */
    low = TIM2_CNT;
    high++;
  }
  irq_restore(p);
  return (u64)high << 32 | low;
}

u32 Z_halZ_step_queue_push(H, u32 interval_ticks, u32 count, u32 add_ticks, u32 flags) {
  (void)h;
  int32_t first = (int32_t)interval_ticks, n = (int32_t)count, add = (int32_t)add_ticks;
  int64_t last = (int64_t)first + (int64_t)add * (n - 1); /* the interval is linear: its ends bound it */
  if (n < 1 || first < (int32_t)MIN_STEP_INTERVAL_TICKS || last < MIN_STEP_INTERVAL_TICKS || last > INT32_MAX)
    return (u32)PUSH_BAD; /* the upper bound keeps the 32-bit compare arithmetic exact */
  if (ring_tail - ring_head >= STEP_QUEUE_LEN) return (u32)PUSH_FULL;
  ring[ring_tail & (STEP_QUEUE_LEN - 1)] = (Segment){interval_ticks, count, add, flags};
  uint32_t p = irq_save(); /* the ISR may be deciding to stop right now */
  ring_tail = ring_tail + 1;
  if (!stepping) { /* idle: the first step comes interval_ticks after this push */
    load_next();
    last_step_flags = 0;
    last_step_ticks = TIM2_CNT;
    stepping = 1;
    arm(last_step_ticks + cur.interval_ticks);
  }
  irq_restore(p);
  return PUSH_OK;
}

u32 Z_halZ_step_queue_free(H) {
  (void)h;
  return STEP_QUEUE_LEN - (ring_tail - ring_head);
}

void Z_halZ_step_queue_flush(H) {
  (void)h;
  uint32_t p = irq_save();
  stop_stepping();
  ring_head = ring_tail;
  latched_status = 0;
  irq_restore(p);
}

u32 Z_halZ_step_queue_status(H) {
  (void)h;
  uint32_t p = irq_save();
  uint32_t s = (stepping ? QSTAT_BUSY : 0) | latched_status;
  irq_restore(p);
  return s;
}

u32 Z_halZ_step_position(H) {
  (void)h;
  return (u32)position_steps;
}

void board_step_timer_init(void) {
  /* 84 MHz / 4 = 21 MHz, free-running over 32 bits; its overflow extends now_ticks */
  TIM2_PSC = STEP_TIMER_PRESCALER - 1;
  TIM2_ARR = 0xFFFFFFFFu;
  TIM2_EGR = TIM_UPDATE; /* load the prescaler */
  TIM2_SR = 0;
  TIM2_DIER = TIM_UPDATE;
  TIM2_CR1 = 1u; /* CEN */
}

void board_step_timer_stop(void) { TIM2_DIER &= ~TIM_CC1; }
