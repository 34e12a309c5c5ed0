// as-pect runs the firmware's unit tests (tests/assembly/*.spec.ts). Modules that touch the HAL get a
// small fake here; a test drives it through the `halfake` imports it declares.
// The fake step queue is busy for a few status reads after a push, then idle; a move that asks to stop
// at the endstop ends with the endstop flag when the endstop is reachable.
const fake = {
  now: 0n, queueStatus: -1, busyReads: 0, finalStatus: 0, reachable: 1, queueFree: 64, position: 0, driverStatus: 0, endstop: 0, buttons: 0,
  cartridge: 1, pushes: 0, flushes: 0, enabled: 0, state: -1, fault: -1, serialIn: [], serialOut: [],
};

export default {
  entries: ['tests/assembly/**/*.spec.ts'],
  include: [],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    const hal = {
      now_ticks: () => fake.now,
      step_queue_push: (interval, count, add, flags) => {
        fake.pushes++;
        fake.busyReads = 3;
        fake.finalStatus = (flags & 2) && fake.reachable ? 4 : 0;
        return 0;
      },
      step_queue_free: () => fake.queueFree,
      step_queue_flush: () => { fake.flushes++; fake.busyReads = 0; fake.finalStatus = 0; },
      step_queue_status: () => {
        if (fake.queueStatus >= 0) return fake.queueStatus;
        if (fake.busyReads > 0) { fake.busyReads--; return 1; }
        return fake.finalStatus;
      },
      step_position: () => fake.position,
      driver_enable: (on) => { fake.enabled = on; },
      driver_status: () => fake.driverStatus,
      driver_temp_dc: () => 250,
      endstop_active: () => fake.endstop,
      buttons_raw: () => fake.buttons,
      battery_mv: () => 3900,
      cartridge_type: () => fake.cartridge,
      serial_read: () => (fake.serialIn.length ? fake.serialIn.shift() : -1),
      serial_write: (b) => { fake.serialOut.push(b); },
      indicator_set: () => {},
      watchdog_kick: () => {},
      reset_cause: () => 0,
      report_state: (s, f) => { fake.state = s; fake.fault = f; },
      report_setting: () => {},
      report_move: () => {},
      panic: (code, line) => { throw new Error(`firmware panic ${code} at line ${line}`); },
    };
    const halfake = {
      set_queue_status: (v) => { fake.queueStatus = v; }, // -1: back to the fake queue
      set_endstop_reachable: (v) => { fake.reachable = v; },
      set_driver_status: (v) => { fake.driverStatus = v; },
      set_endstop: (v) => { fake.endstop = v; },
      set_buttons: (v) => { fake.buttons = v; },
      set_cartridge: (v) => { fake.cartridge = v; },
      set_position: (v) => { fake.position = v; },
      pushes: () => fake.pushes,
      flushes: () => fake.flushes,
      driver_enabled: () => fake.enabled,
      reported_state: () => fake.state,
      reported_fault: () => fake.fault,
    };
    return instantiate(binary, createImports({ env: { memory }, hal, halfake }));
  },
  outputBinary: false,
};
