// as-pect runs the firmware's unit tests (tests/assembly/*.spec.ts). Modules that touch the HAL get a
// small fake here; a test drives it through the `halfake` imports it declares.
import { CartridgeChip } from './dist/host-sim/cartridge-chip.js';
import { CryptoEngine } from './dist/host-sim/parts/crypto.js';
import { Entropy } from './dist/host-sim/parts/entropy.js';
import { KeyStore } from './dist/host-sim/parts/key-store.js';
import { SimClock } from './dist/host-sim/clock.js';
import { Rng } from './dist/host-sim/rng.js';
import { devCartridgeMakerKey, devLicenceMakerKey, rawPublicKey } from './dist/host-sim/keys.js';
import { loadBoard } from './dist/boards/board.js';
import { FakeStepQueue } from './tests/assembly/fake-step-queue.js';

/** A genuine new 16-needle cartridge for the ref-pen board: the simulator's secure chip, certified by the
 * development maker key (docs/cartridge-chip.md). */
const board = loadBoard('ref-pen');
let serial = 123456;
function genuineChip() {
  return new CartridgeChip(board, { type: '16', serial: serial++, lot: 2611 }, devCartridgeMakerKey());
}
/** the fake HAL's crypto: the simulator's engine and keys, every operation done at once */
const keyStore = new KeyStore({
  clinicKey: Buffer.alloc(32, 0x11),
  cartridgeKey: Buffer.alloc(32, 0x22),
  cartridgeMakerPublic: rawPublicKey(devCartridgeMakerKey()),
  licenceMakerPublic: rawPublicKey(devLicenceMakerKey()),
});

// The fake step queue is busy for a few status reads after a push, then idle; a move that asks to stop
// at the endstop ends with the endstop flag when the endstop is reachable. A spec that needs real step
// timing asks for the timed model instead (halfake sq_model; the step queue vectors do).
const fake = {
  now: 0n,
  queueStatus: -1,
  busyReads: 0,
  finalStatus: 0,
  reachable: 1,
  queueFree: 64,
  position: 0,
  driverStatus: 0,
  endstop: 0,
  buttons: 0,
  chip: genuineChip(),
  pushes: 0,
  pushedSteps: 0,
  badPushes: 0,
  firstInterval: 0,
  last: { interval: 0, count: 0, add: 0, flags: 0 },
  flash: new Uint32Array(4 * 64).fill(0xffffffff),
  flashWrites: 0,
  tearAt: -1,
  flushes: 0,
  enabled: 0,
  state: -1,
  fault: -1,
  serialIn: [],
  serialOut: [],
};

export default {
  entries: ['tests/assembly/**/*.spec.ts'],
  include: [],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    let sq = null; // the timed step queue model, while a spec uses it
    const hal = {
      now_ticks: () => (sq ? BigInt(sq.nowTicks) : fake.now),
      step_queue_push: (interval, count, add, flags) => {
        if (sq) return sq.push(interval, count, add, flags);
        fake.pushes++;
        if (fake.pushes === 1) fake.firstInterval = interval;
        fake.pushedSteps += flags & 1 ? count : -count;
        fake.last = { interval, count, add, flags };
        if (count < 1 || interval < 1 || interval + add * (count - 1) < 1) fake.badPushes++;
        fake.busyReads = 3;
        fake.finalStatus = flags & 2 && fake.reachable ? 4 : 0;
        return 0;
      },
      step_queue_free: () => (sq ? sq.free() : fake.queueFree),
      step_queue_flush: () => {
        if (sq) {
          sq.flush();
          return;
        }
        fake.flushes++;
        fake.busyReads = 0;
        fake.finalStatus = 0;
      },
      step_queue_status: () => {
        if (sq) return sq.status();
        if (fake.queueStatus >= 0) return fake.queueStatus;
        if (fake.busyReads > 0) {
          fake.busyReads--;
          return 1;
        }
        return fake.finalStatus;
      },
      step_position: () => (sq ? sq.position : fake.position),
      driver_enable: (on) => {
        fake.enabled = on;
      },
      driver_status: () => fake.driverStatus,
      driver_temp_dc: () => 250,
      endstop_active: () => fake.endstop,
      buttons_raw: () => fake.buttons,
      battery_mv: () => 3900,
      // the chip answers a challenge at once (its time is "long after")
      cartridge_read: (addr) => (fake.chip ? fake.chip.read(addr, Infinity) : -1),
      cartridge_write: (addr, v) => (fake.chip ? fake.chip.write(addr, v, Infinity) : -1),
      flash_sectors: () => 4,
      flash_sector_bytes: () => 256,
      flash_read: (off) => fake.flash[off >> 2] | 0,
      flash_program: (off, v) => {
        if (off < 0 || off >= fake.flash.length * 4 || off & 3) return -1;
        if (++fake.flashWrites === fake.tearAt) {
          fake.flash[off >> 2] &= (v | 0x0f0f0f0f) >>> 0;
          return 0;
        } // torn: half the bits
        if ((~fake.flash[off >> 2] & v) !== 0) return -2;
        fake.flash[off >> 2] &= v >>> 0;
        return 0;
      },
      flash_erase: (s) => {
        if (s < 0 || s >= 4) return -1;
        fake.flash.fill(0xffffffff, s * 64, s * 64 + 64);
        return 0;
      },
      rng_u32: () => 0x12345678,
      key_word: (k, i) => (k * 0x01010101 + i) | 0,
      rtc_seconds: () => 1790000000,
      serial_read: () => (fake.serialIn.length ? fake.serialIn.shift() : -1),
      serial_write: (b) => {
        fake.serialOut.push(b);
      },
      indicator_set: () => {},
      watchdog_kick: () => {},
      reset_cause: () => 0,
      report_state: (s, f) => {
        fake.state = s;
        fake.fault = f;
      },
      report_setting: () => {},
      report_move: () => {},
      panic: (code, line) => {
        throw new Error(`firmware panic ${code} at line ${line}`);
      },
      reboot_to_service: () => {},
      encoder_count: () => 0,
      encoder_status: () => 1, // ENC_ABSENT: the unit tests run open loop
      image_confirm: () => {},
      // the crypto HAL and the pen's serial: keys usable, every check fails (no unit test unlocks)
      crypto_key_status: () => 0,
      crypto_key_import: () => 256,
      crypto_key_destroy: () => {},
      crypto_hash_start: () => 1,
      crypto_verify_start: () => 1,
      crypto_poll: () => -1,
      crypto_output: () => 0,
      crypto_cancel: () => {},
      crypto_random: () => 0x12345678n,
      device_serial: () => 40001234,
    };
    const halfake = {
      set_queue_status: (v) => {
        fake.queueStatus = v;
      }, // -1: back to the fake queue
      set_endstop_reachable: (v) => {
        fake.reachable = v;
      },
      set_driver_status: (v) => {
        fake.driverStatus = v;
      },
      set_endstop: (v) => {
        fake.endstop = v;
      },
      set_buttons: (v) => {
        fake.buttons = v;
      },
      set_cartridge: (v) => {
        fake.chip = v ? genuineChip() : null;
      }, // 1: a new genuine one, 0: none
      set_position: (v) => {
        fake.position = v;
      },
      flash_wipe: () => {
        fake.flash.fill(0xffffffff);
        fake.flashWrites = 0;
        fake.tearAt = -1;
      },
      flash_tear_write: (n) => {
        fake.tearAt = fake.flashWrites + n;
      },
      flash_poke: (off, v) => {
        fake.flash[off >> 2] = v >>> 0;
      },
      pushes: () => fake.pushes,
      reset_pushes: () => {
        fake.pushes = 0;
        fake.pushedSteps = 0;
        fake.badPushes = 0;
      },
      pushed_steps: () => fake.pushedSteps,
      bad_pushes: () => fake.badPushes,
      first_push_interval: () => fake.firstInterval,
      last_push_flags: () => fake.last.flags,
      last_push_final_interval: () => fake.last.interval + fake.last.add * (fake.last.count - 1),
      flushes: () => fake.flushes,
      driver_enabled: () => fake.enabled,
      reported_state: () => fake.state,
      reported_fault: () => fake.fault,
      sq_model: (queueLen, minIntervalTicks, position) => {
        sq = new FakeStepQueue(queueLen, minIntervalTicks, position);
      },
      sq_off: () => {
        sq = null;
      },
      sq_endstop: (mode, value) => {
        sq.setEndstop(mode, value);
      },
      sq_run_to: (ticks) => {
        sq.runTo(ticks);
      },
      sq_edges: () => sq.edges.length,
      sq_edge_ticks: (i) => (i < sq.edges.length ? sq.edges[i][0] : -1),
      sq_edge_dir: (i) => (i < sq.edges.length ? sq.edges[i][1] : 0),
    };
    let mod; // the module's own memory, once it is instantiated (the buffers the crypto calls read)
    const crypto = new CryptoEngine(
      keyStore,
      new SimClock(16e6),
      () => new Uint8Array((mod.exports.memory ?? memory).buffer),
      {
        verifyEcdsaMs: 0,
        hashMs: 0,
      },
    );
    Object.assign(hal, crypto.imports(), {
      crypto_random: new Entropy(new Rng(1), new Rng(2)).imports().crypto_random,
    });
    mod = await instantiate(binary, createImports({ env: { memory }, hal, halfake }));
    return mod;
  },
  outputBinary: false,
};
