/* The crypto engine (ports/stm32f405/board/crypto_engine.c) on the Cortex-M4 under
 * qemu-system-arm -M netduinoplus2 -semihosting -icount shift=0, where TIM2 counts executed
 * instructions (as in ports/stm32f405/replay.c). Verifies the vectors of crypto_vectors.h (written by
 * tools/build/port-crypto.ts with node:crypto) slice by slice, as the board's main loop does, and
 * prints one line of figures per job:
 *   job=NAME result=N slices=N total=N slice_max=N arena_peak=N slices_long=N
 * (result: 0 ok, else minus the CRYPTO_E_* code)
 * Exit status 0 when every job ended as the vectors say, 1 otherwise. */
#include <stdint.h>
#include <string.h>
#include "crypto_engine.h"
#include "pen_abi.h"
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

/* Runs the operation `handle` to its end; prints its figures and checks its outcome. */
static void run(const char *name, int32_t handle, int32_t want) {
  uint32_t slices = 0, total = 0, slice_max = 0, over = 0;
  if (handle <= 0) {
    failures++;
    sh_puts("crypto: a start was refused\n");
    return;
  }
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
  int32_t result = crypto_engine_poll(handle);
  char *p = put_str(line, "job=");
  p = put_str(p, name);
  p = put_kv(p, "result", (uint32_t)-result);
  p = put_kv(p, "slices", slices);
  p = put_kv(p, "total", total);
  p = put_kv(p, "slice_max", slice_max);
  p = put_kv(p, "arena_peak", crypto_engine_arena_peak());
  p = put_kv(p, "slices_long", over);
  if (result != want) {
    failures++;
    p = put_str(p, " UNEXPECTED");
  }
  p = put_str(p, "\n");
  *p = 0;
  sh_puts(line);
  crypto_engine_cancel(handle);
}

int main(void) {
  RCC_APB1ENR |= 1u;
  TIM2_PSC = 0;
  TIM2_ARR = 0xFFFFFFFFu;
  TIM2_EGR = 1u;
  TIM2_CR1 = 1u;
  crypto_engine_init();

  int32_t h = crypto_engine_start_hash(vec_abc, sizeof vec_abc);
  for (int i = 0; i < 4; i++) crypto_engine_slice();
  for (uint32_t i = 0; i < 8; i++) {
    const uint8_t *d = vec_abc_sha256 + 4 * i;
    if (crypto_engine_output(h, i) != ((uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3]))
      failures++, sh_puts("crypto: SHA-256 of abc differs\n");
  }
  crypto_engine_cancel(h);
  run("sha256_256_bytes", crypto_engine_start_hash(vec_msg, 256), CRYPTO_OK);
  run("verify_good", crypto_engine_start_ecdsa(vec_msg, sizeof vec_msg, vec_pub, vec_sig), CRYPTO_OK);
  run("verify_bad_signature", crypto_engine_start_ecdsa(vec_msg, sizeof vec_msg, vec_pub, vec_sig_bad),
      CRYPTO_E_BAD_SIGNATURE);
  run("verify_other_key", crypto_engine_start_ecdsa(vec_msg, sizeof vec_msg, vec_other_pub, vec_sig),
      CRYPTO_E_BAD_SIGNATURE);
  run("verify_key_off_curve", crypto_engine_start_ecdsa(vec_msg, sizeof vec_msg, vec_off_curve_pub, vec_sig),
      CRYPTO_E_MALFORMED_KEY);

  /* an operation cancelled half-way leaves nothing behind: the next one runs as if it were the first */
  h = crypto_engine_start_ecdsa(vec_msg, sizeof vec_msg, vec_pub, vec_sig);
  for (int i = 0; i < 20; i++) crypto_engine_slice();
  crypto_engine_cancel(h);
  if (crypto_engine_poll(h) != CRYPTO_E_BAD_HANDLE) failures++, sh_puts("crypto: a cancelled handle still answers\n");
  run("verify_after_cancel", crypto_engine_start_ecdsa(vec_msg, sizeof vec_msg, vec_pub, vec_sig), CRYPTO_OK);

  uint32_t t0 = TIM2_CNT;
  int valid = crypto_engine_point_valid(vec_pub);
  uint32_t n = TIM2_CNT - t0;
  char *p = put_kv(put_str(line, "job=point_check"), "result", valid ? 0 : 1);
  p = put_kv(p, "slices", 1);
  p = put_kv(p, "total", n);
  p = put_kv(p, "slice_max", n);
  p = put_kv(p, "arena_peak", crypto_engine_arena_peak());
  p = put_kv(p, "slices_long", n > SLICE_LONG);
  p = put_str(p, "\n");
  *p = 0;
  sh_puts(line);
  if (!valid || crypto_engine_point_valid(vec_off_curve_pub)) failures++, sh_puts("crypto: point check wrong\n");

  sh_puts(failures ? "crypto: FAILED\n" : "crypto: all operations as expected\n");
  sh_exit(failures ? 1 : 0);
}
