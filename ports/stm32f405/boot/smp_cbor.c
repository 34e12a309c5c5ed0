/* smp_cbor.h: a decoder that walks one map and an encoder of definite lengths. */
#include <string.h>
#include "smp_cbor.h"

typedef struct {
  const uint8_t *p, *end;
} rd;

/* One head: major type and argument; -1 on a truncated or unsupported head. */
static int head(rd *r, uint8_t *major, uint32_t *arg, int *indefinite) {
  if (r->p >= r->end) return -1;
  uint8_t b = *r->p++;
  *major = b >> 5;
  uint8_t ai = b & 31u;
  *indefinite = 0;
  if (ai < 24) {
    *arg = ai;
    return 0;
  }
  uint32_t n = ai == 24 ? 1 : ai == 25 ? 2 : ai == 26 ? 4 : 0;
  if (ai == 31 && (*major == 2 || *major == 3 || *major == 4 || *major == 5)) {
    *indefinite = 1;
    *arg = 0;
    return 0;
  }
  if (!n || (uint32_t)(r->end - r->p) < n) return -1;
  uint32_t v = 0;
  for (uint32_t i = 0; i < n; i++) v = v << 8 | *r->p++;
  *arg = v;
  return 0;
}

static int skip(rd *r, int depth);

/* One scalar or a skipped container into v (v->type CB_NONE for a container). */
static int value(rd *r, cbor_value *v, int depth) {
  const uint8_t *start = r->p;
  uint8_t major;
  uint32_t arg;
  int indef;
  if (head(r, &major, &arg, &indef) != 0) return -1;
  v->type = CB_NONE;
  switch (major) {
  case 0:
    v->type = CB_UINT;
    v->u = arg;
    return 0;
  case 1:
    v->type = CB_NONE;
    return 0; /* negative integers are never asked for */
  case 2:
  case 3:
    if (indef || arg > (uint32_t)(r->end - r->p)) return -1;
    v->type = major == 2 ? CB_BSTR : CB_TSTR;
    v->p = r->p;
    v->len = arg;
    r->p += arg;
    return 0;
  case 4:
  case 5:
    r->p = start;
    return skip(r, depth + 1);
  case 7:
    if (arg == 20 || arg == 21) {
      v->type = CB_BOOL;
      v->u = arg == 21;
      return 0;
    }
    if (arg == 22 || arg == 23) return 0; /* null, undefined */
    return -1;
  default:
    return -1;
  }
}

static int skip(rd *r, int depth) {
  if (depth > 4) return -1;
  uint8_t major;
  uint32_t arg;
  int indef;
  if (head(r, &major, &arg, &indef) != 0) return -1;
  uint32_t items = major == 5 ? 2 * arg : arg;
  for (uint32_t i = 0; indef || i < items; i++) {
    if (indef) {
      if (r->p >= r->end) return -1;
      if (*r->p == 0xFF) {
        r->p++;
        return 0;
      }
    }
    cbor_value v;
    if (value(r, &v, depth) != 0) return -1;
  }
  return 0;
}

int cbor_map_get(const uint8_t *buf, uint32_t len, const char *key, cbor_value *out) {
  rd r = {buf, buf + len};
  uint8_t major;
  uint32_t pairs;
  int indef;
  out->type = CB_NONE;
  if (head(&r, &major, &pairs, &indef) != 0 || major != 5) return -1;
  uint32_t klen = (uint32_t)strlen(key);
  for (uint32_t i = 0; indef || i < pairs; i++) {
    if (indef) {
      if (r.p >= r.end) return -1;
      if (*r.p == 0xFF) return 0;
    }
    cbor_value k, v;
    if (value(&r, &k, 0) != 0 || value(&r, &v, 0) != 0) return -1;
    if (k.type == CB_TSTR && k.len == klen && memcmp(k.p, key, klen) == 0) *out = v;
  }
  return 0;
}

static void put(cbor_writer *w, const void *p, uint32_t n) {
  if (w->overflow || n > w->cap - w->len) {
    w->overflow = 1;
    return;
  }
  memcpy(w->buf + w->len, p, n);
  w->len += n;
}

static void put_head(cbor_writer *w, uint8_t major, uint32_t arg) {
  uint8_t b[5];
  uint32_t n;
  if (arg < 24) {
    b[0] = (uint8_t)(major << 5 | arg);
    n = 1;
  } else if (arg <= 0xFF) {
    b[0] = (uint8_t)(major << 5 | 24);
    b[1] = (uint8_t)arg;
    n = 2;
  } else if (arg <= 0xFFFF) {
    b[0] = (uint8_t)(major << 5 | 25);
    b[1] = (uint8_t)(arg >> 8);
    b[2] = (uint8_t)arg;
    n = 3;
  } else {
    b[0] = (uint8_t)(major << 5 | 26);
    b[1] = (uint8_t)(arg >> 24);
    b[2] = (uint8_t)(arg >> 16);
    b[3] = (uint8_t)(arg >> 8);
    b[4] = (uint8_t)arg;
    n = 5;
  }
  put(w, b, n);
}

void cbor_map(cbor_writer *w, uint32_t pairs) { put_head(w, 5, pairs); }
void cbor_array(cbor_writer *w, uint32_t items) { put_head(w, 4, items); }
void cbor_uint(cbor_writer *w, uint32_t v) { put_head(w, 0, v); }
void cbor_int(cbor_writer *w, int32_t v) {
  if (v >= 0)
    put_head(w, 0, (uint32_t)v);
  else
    put_head(w, 1, (uint32_t)(-(v + 1)));
}
void cbor_bstr(cbor_writer *w, const uint8_t *p, uint32_t n) {
  put_head(w, 2, n);
  put(w, p, n);
}
void cbor_tstr(cbor_writer *w, const char *s) {
  uint32_t n = (uint32_t)strlen(s);
  put_head(w, 3, n);
  put(w, s, n);
}
void cbor_bool(cbor_writer *w, int b) {
  uint8_t v = b ? 0xF5 : 0xF4;
  put(w, &v, 1);
}
