/* The crypto engine (ports/stm32f405/board/crypto_engine.c) on the Cortex-M4 under
 * qemu-system-arm -M netduinoplus2 -semihosting -icount shift=0, where TIM2 counts executed
 * instructions (as in ports/stm32f405/replay.c). Verifies the vectors of crypto_vectors.h (written by
 * tools/build/port-crypto.ts with node:crypto) slice by slice, as the board's main loop does, and
 * prints one line of figures per job:
 *   job=NAME outcome=N reason=N slices=N total=N slice_max=N arena_peak=N
 * Exit status 0 when every job ended as the vectors say, 1 otherwise. */
#include <stdint.h>
#include <string.h>
#include "crypto_engine.h"
#include "crypto_vectors.h"
#include "port.h"
#include "semihost.h"

#define TIM2_CR1 (*(volatile uint32_t *)0x40000000u)
#define TIM2_CNT (*(volatile uint32_t *)0x40000024u)
#define TIM2_PSC (*(volatile uint32_t *)0x40000028u)
#define TIM2_ARR (*(volatile uint32_t *)0x4000002Cu)
#define TIM2_EGR (*(volatile uint32_t *)0x40000014u)
#define RCC_APB1ENR (*(volatile uint32_t *)0x40023840u)

/* a slice longer than this (0.5 ms at 168 MHz) would make a control tick late */
#define SLICE_LONG 84000u

static char line[200];
static int failures;

static char *put_str(char *p, const char *s) {
  while (*s) *p++ = *s++;
  return p;
}
static char *put_u32(char *p, uint32_t v) {
  char tmp[12];
  int n = 0;
  do tmp[n++] = (char)('0' + v % 10), v /= 10;
  while (v);
  while (n) *p++ = tmp[--n];
  return p;
}
static char *put_kv(char *p, const char *k, uint32_t v) {
  p = put_str(p, " ");
  p = put_str(p, k);
  p = put_str(p, "=");
  return put_u32(p, v);
}

void crypto_fatal(int code) {
  (void)code;
  sh_puts("crypto: the mbedTLS arena is corrupt\n");
  sh_exit(1);
}

void port_fatal(int why) {
  (void)why;
  sh_puts("crypto: CPU fault\n");
  sh_exit(3);
}

/* Runs the started job to its end; prints its figures and checks its outcome. */
static void run(const char *name, uint32_t want_outcome, uint32_t want_reason) {
  uint32_t slices = 0, total = 0, slice_max = 0, reason = 0, over = 0;
  for (;;) {
    uint32_t t0 = TIM2_CNT;
    int more = crypto_engine_slice();
    uint32_t n = TIM2_CNT - t0;
    slices++;
    total += n;
    if (n > slice_max) slice_max = n;
    if (n > SLICE_LONG) over++;
    if (!more) break;
  }
  uint32_t outcome = crypto_engine_poll(&reason);
  char *p = put_str(line, "job=");
  p = put_str(p, name);
  p = put_kv(p, "outcome", outcome);
  p = put_kv(p, "reason", reason);
  p = put_kv(p, "slices", slices);
  p = put_kv(p, "total", total);
  p = put_kv(p, "slice_max", slice_max);
  p = put_kv(p, "arena_peak", crypto_engine_arena_peak());
  p = put_kv(p, "slices_long", over);
  if (outcome != want_outcome || reason != want_reason) {
    failures++;
    p = put_str(p, " UNEXPECTED");
  }
  p = put_str(p, "\n");
  *p = 0;
  sh_puts(line);
}

int main(void) {
  RCC_APB1ENR |= 1u;
  TIM2_PSC = 0;
  TIM2_ARR = 0xFFFFFFFFu;
  TIM2_EGR = 1u;
  TIM2_CR1 = 1u;
  crypto_engine_init();

  crypto_engine_start_sha256(vec_abc, sizeof vec_abc);
  run("sha256_abc", CRYPTO_OK, CRYPTO_E_NONE);
  if (memcmp(crypto_engine_digest(), vec_abc_sha256, 32) != 0) failures++, sh_puts("sha256 of abc differs\n");

  crypto_engine_start_verify(vec_msg, sizeof vec_msg, vec_pub, vec_sig);
  run("verify_good", CRYPTO_OK, CRYPTO_E_NONE);
  crypto_engine_start_verify(vec_msg, sizeof vec_msg, vec_pub, vec_sig_bad);
  run("verify_bad_signature", CRYPTO_FAILED, CRYPTO_E_BAD_SIGNATURE);
  crypto_engine_start_verify(vec_msg, sizeof vec_msg, vec_other_pub, vec_sig);
  run("verify_other_key", CRYPTO_FAILED, CRYPTO_E_BAD_SIGNATURE);
  crypto_engine_start_verify(vec_msg, sizeof vec_msg, vec_off_curve_pub, vec_sig);
  run("verify_key_off_curve", CRYPTO_FAILED, CRYPTO_E_KEY_INVALID);

  /* a job cancelled half-way leaves nothing behind: the next one runs as if it were the first */
  uint32_t reason;
  crypto_engine_start_verify(vec_msg, sizeof vec_msg, vec_pub, vec_sig);
  if (crypto_engine_start_sha256(vec_abc, sizeof vec_abc) != CRYPTO_E_BUSY) failures++, sh_puts("no BUSY\n");
  for (int i = 0; i < 20; i++) crypto_engine_slice();
  crypto_engine_cancel();
  if (crypto_engine_poll(&reason) != CRYPTO_IDLE) failures++, sh_puts("cancel did not idle\n");
  crypto_engine_start_verify(vec_msg, sizeof vec_msg, vec_pub, vec_sig);
  run("verify_after_cancel", CRYPTO_OK, CRYPTO_E_NONE);

  sh_puts(failures ? "crypto: FAILED\n" : "crypto: all jobs as expected\n");
  sh_exit(failures ? 1 : 0);
}
