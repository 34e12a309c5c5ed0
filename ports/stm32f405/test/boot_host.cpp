// The bootloader's image check and slot state machine on the host, against a model of the
// STM32F405's flash (programs only clear bits, erases set a whole sector to 0xFF) that can lose power
// before or in the middle of any program or erase. Built with mbedTLS by tests/sim/boot-host.test.ts
// (not a *_test.cpp: it needs the crypto library, which port-drivers.test.ts does not build).
//   boot_host check KEY.der IMAGE SLOT_ADDR          prints the image's status name
//   boot_host powercut KEY.der DIR                   runs the update scenario cut at every step
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>
#include <functional>
extern "C" {
#include "boot_layout.h"
#include "boot_state.h"
#include "mbedtls/memory_buffer_alloc.h"
}
#include "../../pen_abi.h"

extern "C" void crypto_fatal(int code) {
  fprintf(stderr, "FAIL mbedTLS's arena is corrupt (%d)\n", code);
  exit(1);
}

static const char *BOARD = "stm32f405-tmc2209";
static const uint32_t HAL_ABI = PEN_HAL_ABI_VERSION; /* abi/pen-abi.ts HAL_ABI_VERSION, which the test images carry */

static std::vector<uint8_t> load(const std::string &path) {
  std::vector<uint8_t> v;
  FILE *f = fopen(path.c_str(), "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path.c_str());
    exit(2);
  }
  int c;
  while ((c = fgetc(f)) != EOF) v.push_back((uint8_t)c);
  fclose(f);
  return v;
}

struct PowerCut {};

// The flash model. `cut_at`: the operation (counted from 0) during which power goes; `torn`: that
// operation does part of its work first (a program clears a random subset of its bits, an erase
// sets a random subset of the sector's words to erased).
struct Flash {
  std::vector<uint8_t> mem = std::vector<uint8_t>(FLASH_TOTAL_BYTES, 0xFF);
  std::vector<uint8_t> otp = std::vector<uint8_t>(COUNTER_WORDS * 4, 0xFF);
  long ops = 0, cut_at = -1;
  bool torn = false;
  uint64_t rng = 0x9E3779B97F4A7C15ull;
  uint32_t rand32() {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
  }
  uint8_t *at(uint32_t addr, uint32_t len) {
    if (addr >= COUNTER_OTP_ADDR && addr + len <= COUNTER_OTP_ADDR + otp.size()) return &otp[addr - COUNTER_OTP_ADDR];
    if (addr >= FLASH_BASE_ADDR && addr - FLASH_BASE_ADDR + len <= FLASH_TOTAL_BYTES)
      return &mem[addr - FLASH_BASE_ADDR];
    return nullptr;
  }
  bool cutting() { return ops++ == cut_at; }
  int program(uint32_t addr, uint32_t value) {
    uint8_t *p = at(addr, 4);
    if (!p || addr & 3) return -1;
    uint32_t w;
    memcpy(&w, p, 4);
    if (cutting()) {
      if (torn) {
        w &= value | rand32();
        memcpy(p, &w, 4);
      }
      throw PowerCut();
    }
    w &= value;
    memcpy(p, &w, 4);
    return 0;
  }
  int erase(uint32_t addr) {
    uint32_t bytes = flash_sector_bytes(addr);
    if (!bytes) return -1;
    uint8_t *p = at(flash_sector_start(addr), bytes);
    if (cutting()) {
      if (torn)
        for (uint32_t i = 0; i < bytes; i += 4)
          if (rand32() & 1) memset(p + i, 0xFF, 4);
      throw PowerCut();
    }
    memset(p, 0xFF, bytes);
    return 0;
  }
};

static int f_read(void *c, uint32_t a, void *b, uint32_t n) {
  uint8_t *p = ((Flash *)c)->at(a, n);
  if (!p) return -1;
  memcpy(b, p, n);
  return 0;
}
static int f_prog(void *c, uint32_t a, uint32_t v) { return ((Flash *)c)->program(a, v); }
static int f_erase(void *c, uint32_t a) { return ((Flash *)c)->erase(a); }
static const uint8_t *f_map(void *c, uint32_t a) { return ((Flash *)c)->at(a, 1); }

static unsigned char arena[8192];
static std::vector<uint8_t> key;

static boot_config config() {
  boot_config c;
  c.slot_addr[0] = SLOT_A_ADDR;
  c.slot_addr[1] = SLOT_B_ADDR;
  c.counter_addr = COUNTER_OTP_ADDR;
  c.counter_words = COUNTER_WORDS;
  c.policy = {BOARD, HAL_ABI, key.data(), (uint32_t)key.size()};
  return c;
}

static boot_flash iface(Flash &f) { return boot_flash{&f, f_read, f_prog, f_erase, f_map}; }

// The updater: erase the slot, program the image word by word, then mark it pending.
static void update(Flash &f, uint32_t slot, const std::vector<uint8_t> &img) {
  boot_flash fl = iface(f);
  boot_config c = config();
  for (uint32_t a = slot; a < slot + SLOT_BYTES; a += flash_sector_bytes(a)) f.erase(a);
  for (uint32_t i = 0; i < img.size(); i += 4) {
    uint32_t w = 0xFFFFFFFFu;
    memcpy(&w, &img[i], img.size() - i < 4 ? img.size() - i : 4);
    if (w != 0xFFFFFFFFu) f.program(slot + i, w);
  }
  boot_mark_pending(&fl, slot, boot_next_seq(&fl, &c));
}

struct Booted {
  int slot;
  int trial;
};

static std::vector<std::vector<uint8_t>> good; // every authentic image of the scenario
static long boots = 0;

// One start: the bootloader decides; what it starts must be byte for byte one of the signed images.
// Fails the run otherwise.
static Booted boot(Flash &f, const char *when) {
  boot_flash fl = iface(f);
  boot_config c = config();
  boot_decision d = boot_decide(&fl, &c);
  boots++;
  if (d.slot < 0) {
    fprintf(stderr, "FAIL %s: nothing bootable (A: %s, B: %s)\n", when, image_status_name(d.refused[0]),
            image_status_name(d.refused[1]));
    exit(1);
  }
  uint32_t addr = c.slot_addr[d.slot];
  const uint8_t *p = f.at(addr, 1);
  bool known = false;
  for (auto &g : good) known |= memcmp(p, g.data(), g.size()) == 0;
  // byte for byte one of the images signed for the test (each names its slot in its header), so
  // authentic without a second verification
  if (!known) {
    fprintf(stderr, "FAIL %s: slot %c started but is not an authentic image\n", when, "AB"[d.slot]);
    exit(1);
  }
  return {d.slot, d.trial};
}

// The scenario, as one run of flash operations: factory image in A; an update to B that is never
// confirmed (three trials, then back to A); the same update again, confirmed; then an update to A,
// confirmed. `firmware` runs after each boot: it confirms when the scenario says so.
static void scenario(Flash &f, const std::vector<uint8_t> &b2, const std::vector<uint8_t> &a3,
                     std::vector<int> *trace) {
  boot_flash fl = iface(f);
  auto step = [&](bool confirm) {
    Booted b = boot(f, "scenario");
    if (trace) trace->push_back(b.slot * 2 + b.trial);
    if (confirm && b.trial) boot_confirm(&fl, b.slot ? SLOT_B_ADDR : SLOT_A_ADDR);
  };
  update(f, SLOT_B_ADDR, b2);
  for (int i = 0; i < 5; i++) step(false);
  update(f, SLOT_B_ADDR, b2);
  step(true);
  step(false);
  update(f, SLOT_A_ADDR, a3);
  step(true);
  step(false);
}

static void factory(Flash &f, const std::vector<uint8_t> &a1) {
  memcpy(&f.mem[SLOT_A_ADDR - FLASH_BASE_ADDR], a1.data(), a1.size());
  boot_flash fl = iface(f);
  boot_mark_pending(&fl, SLOT_A_ADDR, 1);
  boot_confirm(&fl, SLOT_A_ADDR);
  f.ops = 0;
}

static int powercut(const std::string &dir) {
  auto a1 = load(dir + "/a1.img"), b2 = load(dir + "/b2.img"), a3 = load(dir + "/a3.img");
  good = {a1, b2, a3};
  // without a cut: the expected course (slot * 2 + trial)
  Flash clean;
  factory(clean, a1);
  std::vector<int> trace;
  scenario(clean, b2, a3, &trace);
  const std::vector<int> expect = {3, 3, 3, 0, 0, 3, 2, 1, 0};
  if (trace != expect) {
    fprintf(stderr, "FAIL the scenario without cuts went:");
    for (int t : trace) fprintf(stderr, " %c%s", "AB"[t / 2], t % 2 ? "(trial)" : "");
    fprintf(stderr, "\n");
    return 1;
  }
  long total = clean.ops, cuts = 0;
  uint32_t min_after = 0;
  {
    boot_flash fl = iface(clean);
    boot_config c = config();
    min_after = boot_counter_read(&fl, &c);
  }
  for (int torn = 0; torn < 2; torn++) {
    for (long k = 0; k < total; k++) {
      Flash f;
      factory(f, a1);
      f.cut_at = k;
      f.torn = torn;
      f.rng ^= (uint64_t)k * 0x100000001B3ull;
      try {
        scenario(f, b2, a3, nullptr);
        fprintf(stderr, "FAIL cut %ld never happened\n", k);
        return 1;
      } catch (PowerCut &) {}
      cuts++;
      f.cut_at = -1;
      // power back: the pen restarts a few times without any firmware confirming anything
      for (int r = 0; r < 4; r++) boot(f, "after a cut"); // 4: a fresh pending image's 3 trials, then the fall-back
    }
  }
  printf("%ld flash operations in the scenario, %ld power cuts (clean and torn), %ld boots, each started an authentic "
         "image; counter ends at %u\n",
         total, cuts, boots, min_after);
  printf("passed: 0 failures\n");
  return 0;
}

int main(int argc, char **argv) {
  mbedtls_memory_buffer_alloc_init(arena, sizeof arena);
  if (argc == 5 && std::string(argv[1]) == "check") {
    key = load(argv[2]);
    auto img = load(argv[3]);
    uint32_t addr = (uint32_t)strtoul(argv[4], nullptr, 0);
    Flash f;
    memcpy(f.at(addr, img.size()), img.data(), img.size() < SLOT_BYTES ? img.size() : SLOT_BYTES);
    boot_config c = config();
    image_info info;
    image_status st = image_check(f.at(addr, 1), addr, SLOT_USABLE_BYTES, SLOT_HEADER_BYTES, &c.policy, &info);
    printf("%s\n", image_status_name(st));
    return 0;
  }
  if (argc == 4 && std::string(argv[1]) == "powercut") {
    key = load(argv[2]);
    return powercut(argv[3]);
  }
  fprintf(stderr, "usage: boot_host check KEY.der IMAGE SLOT_ADDR | powercut KEY.der DIR\n");
  return 2;
}
