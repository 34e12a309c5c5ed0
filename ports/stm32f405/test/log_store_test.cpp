// Host test of board/log_store.c: the backup SRAM behaves as the ABI's flash (docs/hal-abi.md):
// erase sets 0xFF, a program only clears bits, bad offsets and sectors are refused.
#include "registers.h"
static uint32_t sram[1024];
#define BKPSRAM sram
#include "../board/log_store.c"

uint32_t reg_read(uint32_t addr) { return addr == 0x40007004u ? 1u << 3 : 0; } // PWR_CSR: BRR, the regulator is ready
void reg_write(uint32_t, uint32_t) {}

int main() {
  board_log_init();
  CHECK(Z_halZ_flash_sectors(nullptr) * Z_halZ_flash_sector_bytes(nullptr) <= 4096u, "fits the 4 KiB");
  CHECK(Z_halZ_flash_erase(nullptr, 1) == 0, "erase");
  const u32 at = LOG_SECTOR_BYTES + 8;
  CHECK(Z_halZ_flash_read(nullptr, at) == 0xFFFFFFFFu, "erased reads all ones");
  CHECK(Z_halZ_flash_program(nullptr, at, 0x12345678u) == 0, "program");
  CHECK(Z_halZ_flash_read(nullptr, at) == 0x12345678u, "read back");
  CHECK(Z_halZ_flash_program(nullptr, at, 0x12340000u) == 0, "clearing more bits is allowed");
  CHECK(Z_halZ_flash_read(nullptr, at) == 0x12340000u, "cleared");
  CHECK(Z_halZ_flash_program(nullptr, at, 0xFFFFFFFFu) == (u32)-2, "a bit cannot go from 0 to 1");
  CHECK(Z_halZ_flash_read(nullptr, at) == 0x12340000u, "a refused program changes nothing");
  CHECK(Z_halZ_flash_program(nullptr, at + 2, 0) == (u32)-1, "unaligned");
  CHECK(Z_halZ_flash_program(nullptr, LOG_BYTES, 0) == (u32)-1, "past the end");
  CHECK(Z_halZ_flash_read(nullptr, LOG_BYTES) == (u32)-1, "read past the end");
  CHECK(Z_halZ_flash_erase(nullptr, LOG_SECTORS) == (u32)-1, "no such sector");
  CHECK(Z_halZ_flash_erase(nullptr, 1) == 0 && Z_halZ_flash_read(nullptr, at) == 0xFFFFFFFFu, "erased again");
  printf("%s: %d failures\n", failures ? "FAILED" : "passed", failures);
  return failures ? 1 : 0;
}
