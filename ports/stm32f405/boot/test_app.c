/* A stand-in firmware for the bootloader's QEMU tests: linked for a slot with slot_a.ld or
 * slot_b.ld, it says which image it is (a tag the test writes into probe_cfg before signing), and
 * confirms itself when told to, as the pen's firmware does once it has started well. Emulated
 * build only: it writes the trailer through the semihosting flash file. */
#include <stdint.h>
#include "boot_flash.h"
#include "boot_layout.h"
#include "boot_state.h"
#include "port.h"
#include "semihost.h"

struct probe_cfg {
  char magic[8];
  char tag[24];
  uint32_t confirm;
};
__attribute__((used)) const volatile struct probe_cfg probe_cfg = {"PROBECFG", "unset", 0};

void port_fatal(int why) {
  (void)why;
  sh_puts("app: fault\n");
  sh_exit(4);
}
uint32_t port_heap_used(void) { return 0; }

int main(void) {
  uint32_t slot = (uint32_t)&main >= SLOT_B_ADDR ? SLOT_B_ADDR : SLOT_A_ADDR; /* where this code runs */
  char tag[sizeof probe_cfg.tag + 1];
  for (uint32_t i = 0; i < sizeof probe_cfg.tag; i++) tag[i] = probe_cfg.tag[i];
  tag[sizeof probe_cfg.tag] = 0;
  sh_puts("app: running ");
  sh_puts(tag);
  sh_puts(slot == SLOT_B_ADDR ? " from slot B\n" : " from slot A\n");
  if (probe_cfg.confirm) {
    boot_flash f;
    /* boot_confirm()'s one write, without linking the state machine and its crypto */
    if (boot_flash_open(&f) != 0 ||
        f.program_word(f.ctx, slot + SLOT_BYTES - TRAILER_BYTES + 4 * TR_CONFIRMED, 0) != 0) {
      sh_puts("app: cannot confirm\n");
      sh_exit(5);
    }
    sh_puts("app: confirmed\n");
  }
  sh_exit(0);
}
