/* Host harness for the bootloader's CBOR reader (boot/smp_cbor.c), for tests/sim/flash-smp.test.ts:
 * reads records [u16 LE length][bytes] from the file argv[1] and, for each, prints one line: "bad"
 * when cbor_map_get refuses the map, else each key the service mode asks for as key=type:value. */
#include <stdio.h>
#include <stdlib.h>
#include "smp_cbor.h"

static const char *KEYS[] = {"off", "data", "len", "sha", "hash", "confirm", "d", "slot"};

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  FILE *f = fopen(argv[1], "rb");
  if (!f) return 2;
  unsigned char n[2];
  while (fread(n, 1, 2, f) == 2) {
    unsigned len = n[0] | n[1] << 8;
    unsigned char *buf = malloc(len ? len : 1); /* exactly len: the sanitizer sees any read past it */
    if (!buf || fread(buf, 1, len, f) != len) return 2;
    int bad = 0;
    for (unsigned k = 0; k < sizeof KEYS / sizeof *KEYS && !bad; k++) {
      cbor_value v;
      if (cbor_map_get(buf, len, KEYS[k], &v) != 0) {
        bad = 1;
        break;
      }
      if (v.type == CB_NONE) continue;
      printf("%s=", KEYS[k]);
      if (v.type == CB_UINT || v.type == CB_BOOL)
        printf("%c%lu ", v.type == CB_UINT ? 'u' : 'b', (unsigned long)v.u);
      else {
        printf(v.type == CB_BSTR ? "h" : "t");
        for (unsigned i = 0; i < v.len; i++) printf("%02x", v.p[i]);
        printf(" ");
      }
    }
    printf(bad ? "bad\n" : "\n");
    free(buf);
  }
  return 0;
}
