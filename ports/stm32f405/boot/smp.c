/* smp.h: the handlers. The upload goes into the slot the bootloader would not start (the free slot);
 * its progress (sha, length, offset) is kept in RAM, so an upload interrupted on the host's side
 * continues where it stopped as long as the pen stays in service mode. Images are read for the list
 * through the flash driver (under QEMU the mapped flash is the ROM as it was at power-on). */
#include <string.h>
#include "smp.h"
#include "smp_cbor.h"
#include "smp_serial.h"
#include "boot_flash.h"
#include "boot_layout.h"
#ifdef BOOT_EMULATED
#include "semihost.h"
#endif

#define REG(a) (*(volatile uint32_t *)(a))
#define SCB_AIRCR REG(0xE000ED0Cu)

enum { OP_READ = 0, OP_READ_RSP = 1, OP_WRITE = 2, OP_WRITE_RSP = 3 };
enum { GROUP_OS = 0, GROUP_IMAGE = 1 };
/* mcumgr's MGMT_ERR_* */
enum {
  ERR_EUNKNOWN = 1,
  ERR_EINVAL = 3,
  ERR_ENOENT = 5,
  ERR_EBADSTATE = 6,
  ERR_EMSGSIZE = 7,
  ERR_ENOTSUP = 8,
  ERR_ECORRUPT = 9
};
#define HDR_BYTES 8u
#define SHA_MAX_BYTES 32u

static struct {
  int active;
  int slot;
  uint32_t len, off;
  uint8_t sha[SHA_MAX_BYTES];
  uint32_t sha_len;
} upload;
static uint8_t rx[SMP_MAX_MESSAGE_BYTES], tx[SMP_MAX_MESSAGE_BYTES];

int smp_service_requested(const boot_flash *f) {
  for (uint32_t i = 0; i < SERVICE_REQUEST_WORDS; i++) {
    uint32_t a = SERVICE_REQUEST_ADDR + 4 * i, w;
    if (f->read(f->ctx, a, &w, 4) != 0) return 0;
    if (w == SERVICE_REQUEST_WORD) {
      f->program_word(f->ctx, a, 0);
      return 1;
    }
    if (w == ERASED_WORD) return 0;
  }
  return 0;
}

static void reply(const uint8_t *req, cbor_writer *w) {
  memcpy(tx, req, HDR_BYTES);
  tx[0] = (uint8_t)((req[0] & ~7u) | ((req[0] & 7u) + 1u)); /* the response op, the request's version bits */
  tx[1] = 0;
  tx[2] = (uint8_t)(w->len >> 8);
  tx[3] = (uint8_t)w->len;
  smp_serial_send(tx, HDR_BYTES + w->len);
}

static cbor_writer writer(void) { return (cbor_writer){tx + HDR_BYTES, sizeof tx - HDR_BYTES, 0, 0}; }

static void refuse(const uint8_t *req, uint32_t rc, const char *why) {
  cbor_writer w = writer();
  cbor_map(&w, 2);
  cbor_tstr(&w, "rc");
  cbor_uint(&w, rc);
  cbor_tstr(&w, "rsn");
  cbor_tstr(&w, why);
  reply(req, &w);
}

static char *append(char *p, const char *s) {
  while (*s) *p++ = *s++;
  *p = 0;
  return p;
}
static char *append_u32(char *p, uint32_t v) {
  char b[11], *q = b + sizeof b;
  *--q = 0;
  do *--q = (char)('0' + v % 10);
  while (v /= 10);
  return append(p, q);
}

typedef struct {
  int present;
  image_info info;
  uint8_t hash[32];
  int has_hash;
  slot_state st;
} slot_view;

/* The header and the SHA256 TLV of a slot, read through the driver; every length checked. */
static slot_view view(const boot_flash *f, const boot_config *c, int s) {
  slot_view v;
  memset(&v, 0, sizeof v);
  uint32_t base = c->slot_addr[s];
  v.st = boot_read_slot(f, base);
  uint8_t h[IMAGE_HEADER_BYTES];
  if (f->read(f->ctx, base, h, sizeof h) != 0) return v;
  uint32_t magic = (uint32_t)h[0] | h[1] << 8 | h[2] << 16 | (uint32_t)h[3] << 24;
  if (magic != IMAGE_MAGIC) return v;
  v.present = 1;
  v.info.hdr_size = (uint32_t)h[8] | h[9] << 8;
  uint32_t prot = (uint32_t)h[10] | h[11] << 8;
  v.info.img_size = (uint32_t)h[12] | h[13] << 8 | h[14] << 16 | (uint32_t)h[15] << 24;
  v.info.ver_major = h[20];
  v.info.ver_minor = h[21];
  v.info.ver_revision = (uint16_t)(h[22] | h[23] << 8);
  v.info.ver_build = (uint32_t)h[24] | h[25] << 8 | h[26] << 16 | (uint32_t)h[27] << 24;
  uint32_t at = v.info.hdr_size;
  if (at > SLOT_USABLE_BYTES || v.info.img_size > SLOT_USABLE_BYTES - at ||
      prot > SLOT_USABLE_BYTES - at - v.info.img_size)
    return v;
  at += v.info.img_size + prot;
  uint8_t info[4];
  if (SLOT_USABLE_BYTES - at < 4 || f->read(f->ctx, base + at, info, 4) != 0) return v;
  if ((info[0] | info[1] << 8) != IMAGE_TLV_INFO_MAGIC) return v;
  uint32_t end = at + (uint32_t)(info[2] | info[3] << 8);
  if (end > SLOT_USABLE_BYTES) return v;
  for (at += 4; at + 4 <= end;) {
    uint8_t t[4];
    if (f->read(f->ctx, base + at, t, 4) != 0) return v;
    uint32_t type = (uint32_t)(t[0] | t[1] << 8), len = (uint32_t)(t[2] | t[3] << 8);
    if (len > end - at - 4) return v;
    if (type == TLV_SHA256 && len == 32) {
      v.has_hash = f->read(f->ctx, base + at + 4, v.hash, 32) == 0;
      return v;
    }
    at += 4 + len;
  }
  return v;
}

/* The slot the bootloader starts when nothing is pending: the confirmed one of the highest sequence. */
static int active_slot(const boot_flash *f, const boot_config *c) {
  int best = -1;
  uint32_t seq = 0;
  for (int s = 0; s < 2; s++) {
    slot_state st = boot_read_slot(f, c->slot_addr[s]);
    if (st.kind == SLOT_CONFIRMED && st.seq > seq) {
      seq = st.seq;
      best = s;
    }
  }
  return best;
}
static int free_slot(const boot_flash *f, const boot_config *c) {
  int a = active_slot(f, c);
  return a < 0 ? 0 : 1 - a;
}

static void version_text(char *out, const image_info *i) {
  char *p = append_u32(out, i->ver_major);
  p = append(p, ".");
  p = append_u32(p, i->ver_minor);
  p = append(p, ".");
  p = append_u32(p, i->ver_revision);
  if (i->ver_build) {
    p = append(p, ".");
    append_u32(p, i->ver_build);
  }
}

static void image_list(const boot_flash *f, const boot_config *c, const uint8_t *req) {
  slot_view v[2];
  uint32_t n = 0;
  for (int s = 0; s < 2; s++) {
    v[s] = view(f, c, s);
    n += (uint32_t)v[s].present;
  }
  int act = active_slot(f, c);
  cbor_writer w = writer();
  cbor_map(&w, 2);
  cbor_tstr(&w, "images");
  cbor_array(&w, n);
  for (int s = 0; s < 2; s++) {
    if (!v[s].present) continue;
    int bad = v[s].st.kind == SLOT_BAD;
    char ver[48];
    version_text(ver, &v[s].info);
    cbor_map(&w, 8u + (uint32_t)bad + (uint32_t)(upload.active && upload.slot == s && upload.off < upload.len));
    cbor_tstr(&w, "slot");
    cbor_uint(&w, (uint32_t)s);
    cbor_tstr(&w, "version");
    cbor_tstr(&w, ver);
    cbor_tstr(&w, "hash");
    cbor_bstr(&w, v[s].hash, v[s].has_hash ? 32 : 0);
    cbor_tstr(&w, "bootable");
    cbor_bool(&w, !bad && v[s].has_hash);
    cbor_tstr(&w, "pending");
    cbor_bool(&w, v[s].st.kind == SLOT_PENDING);
    cbor_tstr(&w, "confirmed");
    cbor_bool(&w, v[s].st.kind == SLOT_CONFIRMED);
    cbor_tstr(&w, "active");
    cbor_bool(&w, s == act);
    cbor_tstr(&w, "permanent");
    cbor_bool(&w, 0);
    if (bad) {
      cbor_tstr(&w, "refused");
      cbor_tstr(&w, v[s].st.bad_reason < IMG_REASON_COUNT ? image_status_name((image_status)v[s].st.bad_reason)
                                                          : image_status_name(IMG_MARKED_BAD));
    }
    if (upload.active && upload.slot == s && upload.off < upload.len) {
      cbor_tstr(&w, "upload_off");
      cbor_uint(&w, upload.off);
    }
  }
  cbor_tstr(&w, "splitStatus");
  cbor_uint(&w, 0);
  reply(req, &w);
}

/* test (confirm false: boots on trial at the next reset) or confirm (permanent at once). */
static void image_state_write(const boot_flash *f, const boot_config *c, const uint8_t *req, const uint8_t *body,
                              uint32_t len) {
  cbor_value hash, confirm;
  if (cbor_map_get(body, len, "hash", &hash) != 0 || cbor_map_get(body, len, "confirm", &confirm) != 0) {
    refuse(req, ERR_EINVAL, "request is not a CBOR map of hash and confirm");
    return;
  }
  if (hash.type != CB_BSTR || hash.len != 32) {
    refuse(req, ERR_EINVAL, "give the image's 32-byte SHA-256 as hash (in service mode no image runs to confirm)");
    return;
  }
  for (int s = 0; s < 2; s++) {
    slot_view v = view(f, c, s);
    if (!v.present || !v.has_hash || memcmp(v.hash, hash.p, 32) != 0) continue;
    if (upload.active && upload.slot == s && upload.off < upload.len) {
      refuse(req, ERR_EBADSTATE, "the upload of this image is not complete");
      return;
    }
    if (v.st.kind == SLOT_BAD) {
      refuse(req, ERR_EBADSTATE, "the bootloader refused this image before: upload it again");
      return;
    }
    if (v.st.kind == SLOT_EMPTY && boot_mark_pending(f, c->slot_addr[s], boot_next_seq(f, c)) != 0) {
      refuse(req, ERR_EUNKNOWN, "the flash could not be written");
      return;
    }
    if (confirm.type == CB_BOOL && confirm.u && boot_confirm(f, c->slot_addr[s]) != 0) {
      refuse(req, ERR_EUNKNOWN, "the flash could not be written");
      return;
    }
    image_list(f, c, req);
    return;
  }
  refuse(req, ERR_ENOENT, "no slot holds an image with that hash");
}

static int erase_slot(const boot_flash *f, uint32_t base) {
  for (uint32_t a = base; a < base + SLOT_BYTES; a += flash_sector_bytes(a))
    if (f->erase_sector(f->ctx, a) != 0) return -1;
  return 0;
}

static int program(const boot_flash *f, uint32_t addr, const uint8_t *p, uint32_t n) {
  for (uint32_t i = 0; i < n; i += 4) {
    uint8_t b[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    for (uint32_t k = 0; k < 4 && i + k < n; k++) b[k] = p[i + k];
    uint32_t w = (uint32_t)b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
    if (w != ERASED_WORD && f->program_word(f->ctx, addr + i, w) != 0) return -1;
  }
  return 0;
}

static void upload_reply(const uint8_t *req) {
  cbor_writer w = writer();
  cbor_map(&w, 2);
  cbor_tstr(&w, "rc");
  cbor_uint(&w, 0);
  cbor_tstr(&w, "off");
  cbor_uint(&w, upload.off);
  reply(req, &w);
}

static void image_upload(const boot_flash *f, const boot_config *c, const uint8_t *req, const uint8_t *body,
                         uint32_t len) {
  static char why[120];
  cbor_value off, data, total, sha;
  if (cbor_map_get(body, len, "off", &off) || cbor_map_get(body, len, "data", &data) ||
      cbor_map_get(body, len, "len", &total) || cbor_map_get(body, len, "sha", &sha) || off.type != CB_UINT ||
      data.type != CB_BSTR) {
    refuse(req, ERR_EINVAL, "an upload needs off (a number) and data (bytes)");
    return;
  }
  if (off.u == 0) {
    if (total.type != CB_UINT || total.u == 0) {
      refuse(req, ERR_EINVAL, "the first chunk needs len, the image's size");
      return;
    }
    int s = free_slot(f, c);
    if (total.u > SLOT_USABLE_BYTES) {
      char *p = append(why, "image of ");
      p = append_u32(p, total.u);
      p = append(p, " bytes is larger than a slot (");
      p = append_u32(p, SLOT_USABLE_BYTES);
      append(p, " bytes)");
      refuse(req, ERR_EMSGSIZE, why);
      return;
    }
    if (data.len < IMAGE_HEADER_BYTES || data.len > total.u) {
      refuse(req, ERR_EINVAL, "the first chunk must hold the image header");
      return;
    }
    uint32_t magic = (uint32_t)data.p[0] | data.p[1] << 8 | data.p[2] << 16 | (uint32_t)data.p[3] << 24;
    uint32_t load = (uint32_t)data.p[4] | data.p[5] << 8 | data.p[6] << 16 | (uint32_t)data.p[7] << 24;
    if (magic != IMAGE_MAGIC) {
      refuse(req, ERR_ECORRUPT, "not a signed image (no MCUboot magic): sign it with pen image sign");
      return;
    }
    if (load != c->slot_addr[s]) {
      char *p = append(why, "image built for slot ");
      p = append(p, load == c->slot_addr[0] ? "A" : load == c->slot_addr[1] ? "B" : "(neither)");
      p = append(p, "; the free slot is ");
      p = append(p, s ? "B" : "A");
      append(p, ": send that slot's build");
      refuse(req, ERR_EINVAL, why);
      return;
    }
    uint32_t sha_len = sha.type == CB_BSTR && sha.len <= SHA_MAX_BYTES ? sha.len : 0;
    if (upload.active && upload.slot == s && upload.len == total.u && sha_len && upload.sha_len == sha_len &&
        memcmp(upload.sha, sha.p, sha_len) == 0 && upload.off > 0) {
      upload_reply(req); /* the same image again: continue where it stopped */
      return;
    }
    upload.active = 0;
    if (erase_slot(f, c->slot_addr[s]) != 0) {
      refuse(req, ERR_EUNKNOWN, "the slot could not be erased");
      return;
    }
    upload.active = 1;
    upload.slot = s;
    upload.len = total.u;
    upload.off = 0;
    upload.sha_len = sha_len;
    memcpy(upload.sha, sha.p, sha_len);
  } else if (!upload.active) {
    refuse(req, ERR_EBADSTATE, "no upload in progress: start again from offset 0");
    return;
  }
  if (off.u != upload.off) {
    upload_reply(req);
    return;
  } /* the host follows the offset we give */
  if (data.len > upload.len - upload.off) {
    refuse(req, ERR_EINVAL, "data runs past the image's length");
    return;
  }
  if (data.len % 4 && upload.off + data.len != upload.len) {
    refuse(req, ERR_EINVAL, "chunks are whole words (4 bytes) except the last");
    return;
  }
  if (program(f, c->slot_addr[upload.slot] + upload.off, data.p, data.len) != 0) {
    refuse(req, ERR_EUNKNOWN, "the flash could not be written");
    return;
  }
  upload.off += data.len;
  upload_reply(req);
}

static void image_erase(const boot_flash *f, const boot_config *c, const uint8_t *req, const uint8_t *body,
                        uint32_t len) {
  cbor_value slot;
  if (cbor_map_get(body, len, "slot", &slot) != 0) {
    refuse(req, ERR_EINVAL, "request is not a CBOR map");
    return;
  }
  int s = slot.type == CB_UINT ? (int)slot.u : free_slot(f, c);
  if (s > 1) {
    refuse(req, ERR_EINVAL, "slot is 0 (A) or 1 (B)");
    return;
  }
  if (s == active_slot(f, c)) {
    refuse(req, ERR_EBADSTATE, "that slot holds the confirmed firmware the pen starts; erase the other one");
    return;
  }
  if (erase_slot(f, c->slot_addr[s]) != 0) {
    refuse(req, ERR_EUNKNOWN, "the slot could not be erased");
    return;
  }
  if (upload.slot == s) upload.active = 0;
  cbor_writer w = writer();
  cbor_map(&w, 1);
  cbor_tstr(&w, "rc");
  cbor_uint(&w, 0);
  reply(req, &w);
}

__attribute__((noreturn)) static void reset(void) {
#ifdef BOOT_EMULATED
  sh_puts("boot: service mode: reset\n");
#endif
  __asm__ volatile("dsb" ::: "memory");
  SCB_AIRCR = 0x05FA0004u; /* SYSRESETREQ (PM0214 4.4.4) */
  for (;;) {}
}

void smp_service(const boot_flash *f, const boot_config *c, const char *reason) {
  uart_puts("boot: service mode (");
  uart_puts(reason);
  uart_puts("): SMP on this port\n");
#ifdef BOOT_EMULATED
  sh_puts("boot: service mode (");
  sh_puts(reason);
  sh_puts(")\n");
#endif
  for (;;) {
    uint32_t n = smp_serial_receive(rx, sizeof rx);
    if (n < HDR_BYTES) continue;
    uint32_t body_len = (uint32_t)rx[2] << 8 | rx[3];
    uint32_t op = rx[0] & 7u, group = (uint32_t)rx[4] << 8 | rx[5], id = rx[7];
    const uint8_t *body = rx + HDR_BYTES;
    if (body_len != n - HDR_BYTES) {
      refuse(rx, ERR_EINVAL, "the SMP header's length does not match the packet");
      continue;
    }
    if (op != OP_READ && op != OP_WRITE) continue; /* a response: not for us */
    if (group == GROUP_OS && id == 0) {
      cbor_value d;
      if (cbor_map_get(body, body_len, "d", &d) != 0 || d.type != CB_TSTR) {
        refuse(rx, ERR_EINVAL, "echo needs d, a text");
        continue;
      }
      static char text[SMP_MAX_MESSAGE_BYTES];
      memcpy(text, d.p, d.len); /* d points into rx, which the reply does not touch */
      text[d.len] = 0;
      cbor_writer w = writer();
      cbor_map(&w, 1);
      cbor_tstr(&w, "r");
      cbor_tstr(&w, text);
      reply(rx, &w);
    } else if (group == GROUP_OS && id == 5) {
      cbor_writer w = writer();
      cbor_map(&w, 0);
      reply(rx, &w);
      boot_flash_close();
      reset();
    } else if (group == GROUP_IMAGE && id == 0) {
      if (op == OP_READ)
        image_list(f, c, rx);
      else
        image_state_write(f, c, rx, body, body_len);
    } else if (group == GROUP_IMAGE && id == 1 && op == OP_WRITE) {
      image_upload(f, c, rx, body, body_len);
    } else if (group == GROUP_IMAGE && id == 5 && op == OP_WRITE) {
      image_erase(f, c, rx, body, body_len);
    } else {
      static char why[80];
      char *p = append(why, "group ");
      p = append_u32(p, group);
      p = append(p, " command ");
      p = append_u32(p, id);
      append(p, " is not offered in service mode");
      refuse(rx, ERR_ENOTSUP, why);
    }
  }
}
