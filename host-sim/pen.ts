// One simulated pen: the firmware .wasm running against the HAL on the parts that assemble.ts builds
// and wires (parts/, one per slice of the HAL, the motor and carriage, the time loop); and what a user
// or a test does with it.
import type { ShaftEncoder } from './parts/encoder.js';
import { KeyObject } from 'node:crypto';
import { Board, Cartridge } from '../boards/board.js';
import { StepExecutor } from './executor.js';
import { Mechanics } from './mechanics.js';
import { Driver } from './driver.js';
import { Battery } from './battery.js';
import { Tissue } from './tissue.js';
import { Rng } from './rng.js';
import { Trace } from './trace.js';
import { StrokeMeter, Measurement } from './meter.js';
import { HalImports, HalTap, assembleHal } from './hal.js';
import { Flash } from './flash.js';
import { CartridgeChip, ChipSpec } from './cartridge-chip.js';
import { ButtonName, StateName } from './names.js';
import { SimClock } from './clock.js';
import { Injectable } from './faults.js';
import { PenObservation } from './observe.js';
import { Reply } from './parts/serial-port.js';
import { RESET_POWER_ON } from './parts/watchdog.js';
import { Telemetry, Setting } from './parts/telemetry.js';
import { PenParts, assemblePen } from './assemble.js';
import type { KeyProvisioning } from './parts/key-store.js';
import type { CryptoEngine } from './parts/crypto.js';
import type { KeyStore } from './parts/key-store.js';

export { RESET_POWER_ON, RESET_WATCHDOG, RESET_PANIC } from './parts/watchdog.js';
export { INJECTABLE } from './faults.js';
export type { Injectable } from './faults.js';
export type { HalImports, HalTap } from './hal.js';
export type { Setting } from './parts/telemetry.js';
export type { PenObservation } from './observe.js';
export { loadModule } from './firmware.js';

export interface SimOptions {
  board?: Board | string;
  cartridge?: string;
  seed?: number;
  tissue?: string | number;
  trace?: boolean;
  wasm: string | WebAssembly.Module;
  /** watchdog timeout of the runtime (ms) */
  watchdogMs?: number;
  /** sees every HAL call the firmware makes (record and replay); wraps the imports at each boot */
  halTap?: HalTap;
  /** the log flash to start with (it survives power cuts); default: erased, the board's geometry */
  flash?: Flash;
  /** log flash geometry when no flash is given */
  flashGeometry?: { sectors: number; sectorBytes: number };
  /** power fails during this flash write (1-based): that write is torn and the pen is without power (powerRestore) */
  powerCutAtFlashWrite?: number;
  /** the fitted cartridge's chip; default a new genuine one of `cartridge` */
  chip?: ChipSpec | null;
  /** the maker key the simulator's cartridge factory certifies chips with (default the development key) */
  makerKey?: KeyObject;
  /** how the pen's key storage was left: written (default), erased (all ones) or all zeros */
  keyProvisioning?: KeyProvisioning;
  /** real-time clock at power-up (s since 1970) */
  rtcStart?: number;
  /** the pen's serial number (HAL device_serial); 0 = never provisioned; default SIM_PEN_SERIAL */
  penSerial?: number;
}

export class PenSim {
  readonly board: Board;
  readonly cartridge: Cartridge;
  readonly flash: Flash;
  /** true rate of the step timer (ticks per real second) */
  readonly timerHz: number;
  readonly clock: SimClock;
  readonly mech: Mechanics;
  readonly meter: StrokeMeter;
  readonly trace: Trace | undefined;
  /** the physics' random stream (also for what a test makes up, e.g. a cartridge's serial) */
  readonly rng: Rng;
  /** what a test or QA may read, and nothing more */
  readonly observation: PenObservation;
  resets = 0;
  private readonly parts: PenParts;

  constructor(opts: SimOptions) {
    const parts = (this.parts = assemblePen(opts, {
      reset: (cause) => this.reset(cause),
      powerCut: () => this.cutSupply(),
      measure: () => this.measure(),
    }));
    this.board = parts.board;
    this.cartridge = parts.cartridge;
    this.flash = parts.flash;
    this.timerHz = parts.timerHz;
    this.clock = parts.clock;
    this.mech = parts.mech;
    this.meter = parts.meter;
    this.trace = parts.trace;
    this.rng = parts.rng;
    this.observation = parts.observation;
    this.boot(RESET_POWER_ON);
  }

  /** The shaft encoder, when the board has one (tests compare its readings with the carriage). */
  get encoder(): ShaftEncoder | undefined {
    return this.parts.encoder;
  }

  /** The HAL import object the firmware gets at each boot, assembled from the parts. */
  halImports(): HalImports {
    return assembleHal(this.parts.hal);
  }

  private boot(cause: number): void {
    this.parts.watchdog.started(cause);
    this.parts.firmware.boot(this.halImports(), cause);
  }

  /** A reset as the MCU does it: timer and driver outputs off, firmware restarted. */
  private reset(cause: number): void {
    this.resets++;
    this.parts.watchdog.hung = false;
    this.parts.queue.executor.flush();
    this.parts.driver.setEnable(false);
    this.boot(cause);
  }

  /** The supply is gone (the firmware has already stopped): what goes with it, the flash part decides its write. */
  private cutSupply(): void {
    const p = this.parts;
    p.power.supplyOn = false;
    p.firmware.dead = true;
    p.storage.powerCut();
    p.queue.executor.flush();
    p.driver.powerLost();
    p.watchdog.hung = false;
    p.serial.powerLost();
    p.telemetry.powerLost();
  }

  // ---- what a user or a test does ----------------------------------------------------------

  /**
   * The supply gone at once: the firmware stops where it is, the driver's outputs fall (the return
   * spring takes the needles back), a flash program or erase in flight is torn as NOR flash would be,
   * the flash keeps the rest; time and physics go on. powerRestore() powers the pen on again.
   */
  powerCut(): void {
    if (!this.powered) return;
    this.parts.loop.eventNow();
    this.trace?.event(this.tTicks, 'power', 'power cut');
    this.cutSupply();
  }

  /** The supply back: a power-on reset on the same flash (the pen starts off, as from its button). */
  powerRestore(): void {
    if (this.powered) return;
    this.parts.loop.eventNow();
    this.trace?.event(this.tTicks, 'power', 'power restored');
    this.parts.power.supplyOn = true;
    this.parts.firmware.dead = false;
    this.reset(RESET_POWER_ON);
  }

  /** Flash writes (programs and erases) the log storage has finished: a power cut now keeps these. */
  get flashWritesDone(): number {
    return this.flash.writes - this.parts.storage.unfinished();
  }

  /** The electronics have power (false from a power cut until powerRestore). */
  get powered(): boolean {
    return this.parts.power.supplyOn;
  }

  /** Advance simulated time by `ms`. */
  run(ms: number): void {
    this.parts.loop.run(ms);
  }

  /** Advance until `done()` holds after a control tick, or `timeoutMs` passes; true if it held. */
  runUntil(done: () => boolean, timeoutMs: number): boolean {
    return this.parts.loop.runUntil(done, timeoutMs);
  }

  /** Advance until `done()` holds after some step (finer than runUntil), or `timeoutMs` passes. */
  runUntilStep(done: () => boolean, timeoutMs: number): boolean {
    return this.parts.loop.runUntilStep(done, timeoutMs);
  }

  /** Hold a button down for `ms`, starting now. */
  press(button: ButtonName, ms = 60): void {
    const bit = this.parts.buttons.bit(button);
    this.parts.buttons.down(bit);
    this.parts.loop.at(this.tTicks + this.ticks(ms), () => this.parts.buttons.up(bit));
  }

  /** Send one command line over the serial port. */
  send(line: string): void {
    this.parts.serial.send(line);
  }

  /** Put raw bytes on the serial line. */
  sendBytes(bytes: Iterable<number>): void {
    this.parts.serial.sendBytes(bytes);
  }

  /** Send a line and run until its reply arrives (at most `timeoutMs`). */
  command(line: string, timeoutMs = 100): string {
    const n = this.replies.length;
    this.send(line);
    if (!this.runUntil(() => this.replies.length > n, timeoutMs))
      throw new Error(`no reply to "${line}" within ${timeoutMs} ms`);
    return this.replies[n].line;
  }

  makeChip(spec: ChipSpec): CartridgeChip {
    return this.parts.reader.makeChip(spec);
  }

  /** Take the cartridge off the pen. */
  removeCartridge(): void {
    this.parts.loop.eventNow();
    this.parts.reader.remove();
  }

  /** Fit a cartridge (a chip made with makeChip, or the one taken off). */
  fitCartridge(chip: CartridgeChip): void {
    this.parts.loop.eventNow();
    this.parts.reader.fit(chip);
  }

  inject(f: Injectable): void {
    this.parts.loop.eventNow();
    this.parts.injector.inject(f);
  }

  clear(f: Injectable): void {
    this.parts.loop.eventNow();
    this.parts.injector.clear(f);
  }

  set tissue(t: Tissue) {
    this.parts.loop.eventNow();
    this.mech.tissue = t;
  }

  /** Start a measurement window: strokes from now on. */
  startMeasuring(): void {
    this.meter.reset(this.mech.missedSteps);
  }

  measure(): Measurement {
    return this.meter.summary(this.cartridge.needles, this.mech.missedSteps);
  }

  // ---- what the parts show -------------------------------------------------------------------

  get tTicks(): number {
    return this.clock.tTicks;
  }
  get nowMs(): number {
    return this.clock.nowMs;
  }
  ms(ticks: number): number {
    return this.clock.ms(ticks);
  }
  ticks(ms: number): number {
    return this.clock.ticks(ms);
  }
  get ticksPerControl(): number {
    return this.parts.loop.ticksPerControl;
  }
  /** the firmware does not run: the pen has no power */
  get dead(): boolean {
    return this.parts.firmware.dead;
  }
  get tickCostsNs(): number[] | undefined {
    return this.parts.firmware.tickCostsNs;
  }
  set tickCostsNs(v: number[] | undefined) {
    this.parts.firmware.tickCostsNs = v;
  }
  get abiVersion(): number {
    return this.parts.firmware.abiVersion;
  }
  get executor(): StepExecutor {
    return this.parts.queue.executor;
  }
  get driver(): Driver {
    return this.parts.driver.model;
  }
  get battery(): Battery {
    return this.parts.power.cell;
  }
  get chip(): CartridgeChip | undefined {
    return this.parts.reader.chip;
  }
  get buttons(): number {
    return this.parts.buttons.raw;
  }
  get resetCause(): number {
    return this.parts.watchdog.resetCause;
  }
  /** control ticks at which the firmware asked to restart into the bootloader's service mode */
  get serviceRequestsTicks(): readonly number[] {
    return this.parts.watchdog.serviceRequestsTicks;
  }
  /** control ticks at which the firmware confirmed its image (HAL image_confirm, after homing) */
  get imageConfirmsTicks(): readonly number[] {
    return this.parts.watchdog.imageConfirmsTicks;
  }
  get replies(): Reply[] {
    return this.parts.serial.replies;
  }
  get rxPending(): number {
    return this.parts.serial.rxPending;
  }
  get state(): StateName {
    return this.parts.telemetry.state;
  }
  get fault(): string {
    return this.parts.telemetry.fault;
  }
  get setting(): Setting {
    return this.parts.telemetry.setting;
  }
  get stateLog(): Telemetry['stateLog'] {
    return this.parts.telemetry.stateLog;
  }
  get faultAtTicks(): number | undefined {
    return this.parts.telemetry.faultAtTicks;
  }
  get outOfSkinAtTicks(): number | undefined {
    return this.parts.telemetry.outOfSkinAtTicks;
  }
  get retractedAtTicks(): number | undefined {
    return this.parts.telemetry.retractedAtTicks;
  }
  get indicator(): string {
    return this.parts.indicator.pattern;
  }
  get indicatorCode(): number {
    return this.parts.indicator.code;
  }
  endstopActive(): boolean {
    return this.parts.endstop.active();
  }
  randomWord(): number {
    return this.parts.entropy.word();
  }
  /** the HAL's crypto engine (its open operations, for tests) */
  get crypto(): CryptoEngine {
    return this.parts.crypto;
  }
  /** the running firmware module's linear memory (what a memory dump of the MCU's RAM would show) */
  get moduleMemory(): Uint8Array {
    return this.parts.firmware.memory;
  }
  /** the keys the pen's HAL holds */
  get keys(): KeyStore {
    return this.parts.keys;
  }
  /** the pen's serial number (HAL device_serial) */
  get serial(): number {
    return this.parts.identity.serial;
  }
  rtcSeconds(): number {
    return this.parts.rtc.seconds();
  }
}
