/* The little CBOR (RFC 8949) SMP needs: maps with text keys whose values are unsigned integers,
 * byte strings, text strings, booleans and arrays of maps. Values above 32 bits are refused. */
#ifndef SMP_CBOR_H
#define SMP_CBOR_H
#include <stdint.h>

typedef enum { CB_NONE, CB_UINT, CB_BSTR, CB_TSTR, CB_BOOL } cbor_type;
typedef struct {
  cbor_type type;
  uint32_t u;
  const uint8_t *p;
  uint32_t len;
} cbor_value;

/* Looks `key` up in the top-level map of buf; CB_NONE when absent. Returns -1 when buf is not a map
 * of the types above (so the request is refused as a whole). */
int cbor_map_get(const uint8_t *buf, uint32_t len, const char *key, cbor_value *out);

typedef struct {
  uint8_t *buf;
  uint32_t cap, len;
  int overflow;
} cbor_writer;
void cbor_map(cbor_writer *w, uint32_t pairs);
void cbor_array(cbor_writer *w, uint32_t items);
void cbor_uint(cbor_writer *w, uint32_t v);
void cbor_int(cbor_writer *w, int32_t v);
void cbor_bstr(cbor_writer *w, const uint8_t *p, uint32_t n);
void cbor_tstr(cbor_writer *w, const char *s);
void cbor_bool(cbor_writer *w, int b);
#endif
