// The simulator's implementation of the HAL ABI (docs/hal-abi.md): one function per import, each a
// thin call into the simulated peripheral.
import type { PenSim } from './pen.js';

export const HAL_ABI_VERSION = 2;

export function halImports(sim: PenSim): Record<string, (...args: never[]) => unknown> {
  return {
    now_ticks: (): bigint => BigInt(sim.tTicks),
    step_queue_push: (interval: number, count: number, add: number, flags: number): number => sim.pushSegment(interval, count, add, flags),
    step_queue_free: (): number => sim.executor.free,
    step_queue_flush: (): void => sim.flushQueue(),
    step_queue_status: (): number => sim.executor.status(),
    step_position: (): number => sim.executor.position,
    driver_enable: (on: number): void => sim.setDriverEnable(on !== 0),
    driver_status: (): number => sim.readDriverStatus(),
    driver_temp_dc: (): number => Math.round(sim.driver.tempC * 10),
    endstop_active: (): number => (sim.endstopActive() ? 1 : 0),
    buttons_raw: (): number => sim.buttons,
    battery_mv: (): number => Math.round(sim.battery.terminalV() * 1000),
    cartridge_read: (addr: number): number => sim.chip?.read(addr) ?? -1,
    cartridge_write: (addr: number, value: number): number => (sim.chip ? sim.chip.write(addr, value) : -1),
    flash_sectors: (): number => sim.flash.sectors,
    flash_sector_bytes: (): number => sim.flash.sectorBytes,
    flash_read: (offset: number): number => sim.flash.read(offset),
    flash_program: (offset: number, value: number): number => sim.flash.program(offset, value),
    flash_erase: (sector: number): number => sim.flash.erase(sector),
    rng_u32: (): number => sim.randomWord(),
    key_word: (key: number, index: number): number => sim.keyWord(key, index),
    rtc_seconds: (): number => sim.rtcSeconds() | 0,
    serial_read: (): number => sim.serialRead(),
    serial_write: (byte: number): void => sim.serialWrite(byte),
    indicator_set: (pattern: number): void => sim.setIndicator(pattern),
    watchdog_kick: (): void => sim.kickWatchdog(),
    reset_cause: (): number => sim.resetCause,
    report_state: (state: number, fault: number): void => sim.onState(state, fault),
    report_setting: (depthUm: number, freqHz: number, askedHz: number, clamp: number): void => sim.onSetting(depthUm, freqHz, askedHz, clamp),
    report_move: (dir: number, steps: number, dur: number, acc: number): void => sim.executor.announce({ dir, steps, durationTicks: dur, accelTicks: acc }),
    panic: (code: number, line: number): void => sim.onPanic(code, line),
  };
}
