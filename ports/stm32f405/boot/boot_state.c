/* The slot state machine (boot_state.h). Every write is one word that only clears bits, done before
 * the step that depends on it, and read back conservatively at the next start, so a power cut at any
 * point leaves a state from which the next boot still starts an authentic image. Modelled on MCUboot's
 * image trailer (magic, image_ok, copy_done: boot/bootutil/src/bootutil_public.c and bootutil_misc.c) and its direct-XIP
 * mode with revert (boot/bootutil/src/loader.c, MCUBOOT_DIRECT_XIP_REVERT), with a sequence number
 * in place of the version comparison so that a confirmed downgrade of the same security counter stays. */
#include "boot_state.h"
#include "boot_layout.h"

static uint32_t trailer_addr(uint32_t slot_addr) { return slot_addr + SLOT_BYTES - TRAILER_BYTES; }

slot_state boot_read_slot(const boot_flash *f, uint32_t slot_addr) {
  uint32_t w[TR_WORDS];
  slot_state s = {SLOT_EMPTY, 0, 0, 0};
  if (f->read(f->ctx, trailer_addr(slot_addr), w, sizeof w) != 0) return s;
  for (uint32_t i = 0; i < TRIAL_BOOTS; i++) s.attempts_used += w[TR_ATTEMPT0 + i] != ERASED_WORD;
  int seq_ok = w[TR_SEQ] == ~w[TR_SEQ_INV] && w[TR_SEQ] != ERASED_WORD && w[TR_SEQ_INV] != ERASED_WORD;
  if (w[TR_BAD] != ERASED_WORD) {
    s.kind = SLOT_BAD;
    s.bad_reason = (w[TR_BAD] & 0xFFFFFF00u) == BAD_MARK ? w[TR_BAD] & 0xFFu : IMG_REASON_COUNT;
  } else if (seq_ok) {
    s.kind = w[TR_CONFIRMED] == 0 ? SLOT_CONFIRMED : SLOT_PENDING;
  }
  s.seq = seq_ok ? w[TR_SEQ] : 0;
  return s;
}

/* The thermometer: bit k of the run (word k / 32, LSB first) cleared means the minimum is above k. */
uint32_t boot_counter_read(const boot_flash *f, const boot_config *c) {
  uint32_t value = 0;
  for (uint32_t i = 0; i < c->counter_words; i++) {
    uint32_t w;
    if (f->read(f->ctx, c->counter_addr + 4 * i, &w, 4) != 0) return value;
    for (uint32_t b = 0; b < 32; b++, value++)
      if (w & 1u << b) return value;
  }
  return value;
}

int boot_counter_advance(const boot_flash *f, const boot_config *c, uint32_t value) {
  if (value > c->counter_words * 32u) return -1;
  for (uint32_t i = 0; i < c->counter_words && value > 32u * i; i++) {
    uint32_t bits = value - 32u * i >= 32u ? 32u : value - 32u * i;
    uint32_t clear = bits == 32u ? 0xFFFFFFFFu : (1u << bits) - 1u;
    uint32_t w;
    if (f->read(f->ctx, c->counter_addr + 4 * i, &w, 4) != 0) return -1;
    if (w & clear) {
      if (f->program_word(f->ctx, c->counter_addr + 4 * i, w & ~clear) != 0) return -1;
    }
  }
  return 0;
}

static void mark_bad(const boot_flash *f, uint32_t slot_addr, image_status why) {
  f->program_word(f->ctx, trailer_addr(slot_addr) + 4 * TR_BAD, BAD_MARK | (uint32_t)why);
}

static image_status check(const boot_flash *f, const boot_config *c, int slot, uint32_t counter_min, image_info *info) {
  uint32_t addr = c->slot_addr[slot];
  image_status st = image_check(f->map(f->ctx, addr), addr, SLOT_USABLE_BYTES, SLOT_HEADER_BYTES, &c->policy, info);
  if (st != IMG_OK) return st;
  if (info->security_counter > c->counter_words * 32u) return IMG_COUNTER_RANGE;
  if (info->security_counter < counter_min) return IMG_ROLLBACK;
  return IMG_OK;
}

/* Slot indices of the given kind, the highest sequence number first. */
static int ordered(const slot_state st[2], slot_kind kind, int out[2]) {
  int n = 0;
  for (int s = 0; s < 2; s++)
    if (st[s].kind == kind) out[n++] = s;
  if (n == 2 && st[out[1]].seq > st[out[0]].seq) {
    int t = out[0];
    out[0] = out[1];
    out[1] = t;
  }
  return n;
}

boot_decision boot_decide(const boot_flash *f, const boot_config *c) {
  boot_decision d = {-1, 0, 0, {0, 0, 0, 0, 0, 0, 0}, {IMG_OK, IMG_OK}, 0};
  slot_state st[2];
  for (int s = 0; s < 2; s++) {
    st[s] = boot_read_slot(f, c->slot_addr[s]);
    if (st[s].kind == SLOT_BAD)
      d.refused[s] = st[s].bad_reason < IMG_REASON_COUNT ? (image_status)st[s].bad_reason : IMG_MARKED_BAD;
  }
  uint32_t min = boot_counter_read(f, c);
  d.counter_min = min;
  uint32_t newest_confirmed = 0;
  for (int s = 0; s < 2; s++)
    if (st[s].kind == SLOT_CONFIRMED && st[s].seq > newest_confirmed) newest_confirmed = st[s].seq;

  int order[2];
  int n = ordered(st, SLOT_PENDING, order);
  for (int i = 0; i < n; i++) {
    int s = order[i];
    if (st[s].seq <= newest_confirmed) continue; /* older than what runs: an update that was replaced */
    image_status why = st[s].attempts_used >= TRIAL_BOOTS ? IMG_NOT_CONFIRMED : check(f, c, s, min, &d.info);
    if (why != IMG_OK) {
      mark_bad(f, c->slot_addr[s], why);
      d.refused[s] = why;
      continue;
    }
    /* counted before the jump: a trial that hangs or resets still uses its attempt */
    f->program_word(f->ctx, trailer_addr(c->slot_addr[s]) + 4 * (TR_ATTEMPT0 + st[s].attempts_used), 0);
    d.slot = s;
    d.trial = 1;
    d.attempt = st[s].attempts_used + 1;
    return d;
  }
  n = ordered(st, SLOT_CONFIRMED, order);
  for (int i = 0; i < n; i++) {
    int s = order[i];
    image_status why = check(f, c, s, min, &d.info);
    if (why != IMG_OK) {
      mark_bad(f, c->slot_addr[s], why);
      d.refused[s] = why;
      continue;
    }
    /* the minimum follows confirmed images only: a trial can still fall back to the older one */
    if (d.info.security_counter > min) {
      boot_counter_advance(f, c, d.info.security_counter);
      d.counter_min = boot_counter_read(f, c);
    }
    d.slot = s;
    return d;
  }
  return d;
}

int boot_mark_pending(const boot_flash *f, uint32_t slot_addr, uint32_t seq) {
  if (seq == 0 || seq == ERASED_WORD) return -1;
  if (f->program_word(f->ctx, trailer_addr(slot_addr) + 4 * TR_SEQ, seq) != 0) return -1;
  return f->program_word(f->ctx, trailer_addr(slot_addr) + 4 * TR_SEQ_INV, ~seq);
}

int boot_confirm(const boot_flash *f, uint32_t slot_addr) {
  return f->program_word(f->ctx, trailer_addr(slot_addr) + 4 * TR_CONFIRMED, 0);
}

uint32_t boot_next_seq(const boot_flash *f, const boot_config *c) {
  uint32_t seq = 0;
  for (int s = 0; s < 2; s++) {
    slot_state st = boot_read_slot(f, c->slot_addr[s]);
    if (st.seq > seq) seq = st.seq;
  }
  return seq + 1;
}
