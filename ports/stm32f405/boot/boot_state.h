/* The slot state machine: which slot to start, trial boots, fall-back, confirmation and the security
 * counter. Plain C over a flash interface, so a host test can cut the power at any step.
 *
 * Each slot ends in a trailer of 8 words; flash programs only 1 -> 0, so every field is written once
 * from erased (0xFFFFFFFF) and a half-written word still reads as "written":
 *   [0] seq, [1] ~seq   pending: the updater writes the next sequence number after the whole image;
 *                       valid only when both words agree (a cut between them leaves no pending image)
 *   [2..4] attempts     the bootloader clears one before each trial boot
 *   [5] confirmed       0 once the firmware has confirmed the image (it may rewrite a half-written one)
 *   [6] bad             0xBAD000rr: refused for reason rr (image_status); anything else non-erased is bad too
 *   [7] reserved
 * A slot is bootable when its pair is valid, it is not bad and its image checks out. Among confirmed
 * slots the highest sequence number wins; a pending slot above them gets up to 3 trial boots. */
#ifndef BOOT_STATE_H
#define BOOT_STATE_H
#include <stdint.h>
#include "boot_image.h"

#define ERASED_WORD 0xFFFFFFFFu
#define TRIAL_BOOTS 3u
#define BAD_MARK 0xBAD00000u
enum { TR_SEQ, TR_SEQ_INV, TR_ATTEMPT0, TR_CONFIRMED = TR_ATTEMPT0 + TRIAL_BOOTS, TR_BAD, TR_RESERVED, TR_WORDS };

/* The hardware: flash (and OTP) behind three operations, and a view of a slot's bytes. */
typedef struct boot_flash {
  void *ctx;
  int (*read)(void *ctx, uint32_t addr, void *buf, uint32_t len); /* 0 on success */
  int (*program_word)(void *ctx, uint32_t addr, uint32_t value);  /* clears the 0 bits of value */
  int (*erase_sector)(void *ctx, uint32_t addr);                  /* the sector holding addr */
  const uint8_t *(*map)(void *ctx, uint32_t addr);                /* bytes from addr, unchanged during a boot */
} boot_flash;

typedef struct {
  uint32_t slot_addr[2];
  uint32_t counter_addr; /* the thermometer's first word */
  uint32_t counter_words;
  image_policy policy;
} boot_config;

typedef enum { SLOT_EMPTY, SLOT_PENDING, SLOT_CONFIRMED, SLOT_BAD } slot_kind;

typedef struct {
  slot_kind kind;
  uint32_t seq, attempts_used, bad_reason;
} slot_state;

typedef struct {
  int slot;         /* -1: nothing bootable */
  int trial;        /* a pending image's trial boot */
  uint32_t attempt; /* which trial (1..3) */
  image_info info;
  image_status refused[2]; /* why each slot was refused this boot (IMG_OK if it was not) */
  uint32_t counter_min;    /* the stored minimum after this boot */
} boot_decision;

slot_state boot_read_slot(const boot_flash *f, uint32_t slot_addr);
uint32_t boot_counter_read(const boot_flash *f, const boot_config *c);
int boot_counter_advance(const boot_flash *f, const boot_config *c, uint32_t value);
/* Decides, writes what must be written before the jump (an attempt, a bad mark, the counter), and
 * says which slot to start. */
boot_decision boot_decide(const boot_flash *f, const boot_config *c);

/* What the firmware and the updater write (the updater erases and programs the slot first). */
int boot_mark_pending(const boot_flash *f, uint32_t slot_addr, uint32_t seq);
int boot_confirm(const boot_flash *f, uint32_t slot_addr);
uint32_t boot_next_seq(const boot_flash *f, const boot_config *c);
#endif
