// One simulated pen: the firmware .wasm running against the HAL, assembled from the simulated parts
// (parts/, one per slice of the HAL), the motor and carriage, and the time loop; and what a user or
// a test does with it.
import { Board, Cartridge, cartridgeOf, loadBoard } from '../boards/board.js';
import { StepExecutor } from './executor.js';
import { Mechanics } from './mechanics.js';
import { Driver } from './driver.js';
import { Battery } from './battery.js';
import { Tissue, TISSUES } from './tissue.js';
import { Rng } from './rng.js';
import { Trace } from './trace.js';
import { StrokeMeter, Measurement } from './meter.js';
import { HalImports, HalPart, HalTap, assembleHal } from './hal.js';
import { Flash } from './flash.js';
import { CartridgeChip, ChipSpec } from './cartridge-chip.js';
import { SIM_CLINIC_KEY, SIM_CARTRIDGE_KEY } from './keys.js';
import { ButtonName, StateName } from './names.js';
import { SimClock } from './clock.js';
import { FaultInjector, Injectable } from './faults.js';
import { Firmware, loadModule } from './firmware.js';
import { TimeLoop } from './loop.js';
import { PenObservation, observationOf } from './observe.js';
import { StepQueue } from './parts/step-queue.js';
import { StepperDriver } from './parts/stepper-driver.js';
import { Endstop } from './parts/endstop.js';
import { Buttons } from './parts/buttons.js';
import { SerialPort, Reply } from './parts/serial-port.js';
import { Watchdog, RESET_POWER_ON } from './parts/watchdog.js';
import { Indicator } from './parts/indicator.js';
import { LogStorage } from './parts/storage.js';
import { CartridgeReader } from './parts/cartridge-reader.js';
import { Telemetry, Setting } from './parts/telemetry.js';
import { PowerSupply } from './parts/power.js';
import { Entropy } from './parts/entropy.js';
import { KeyStore } from './parts/key-store.js';
import { Rtc } from './parts/rtc.js';

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
  /** power fails during this flash write (1-based); the pen is dead afterwards */
  powerCutAtFlashWrite?: number;
  /** the fitted cartridge's chip; default a new genuine one of `cartridge` */
  chip?: ChipSpec | null;
  clinicKey?: Buffer;
  cartridgeKey?: Buffer;
  /** real-time clock at power-up (s since 1970) */
  rtcStart?: number;
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
  private readonly queue: StepQueue;
  private readonly driverPart: StepperDriver;
  private readonly endstop: Endstop;
  private readonly buttonsPart: Buttons;
  private readonly serial: SerialPort;
  private readonly watchdog: Watchdog;
  private readonly indicatorPart: Indicator;
  private readonly reader: CartridgeReader;
  private readonly telemetry: Telemetry;
  private readonly power: PowerSupply;
  private readonly entropy: Entropy;
  private readonly keys: KeyStore;
  private readonly rtc: Rtc;
  private readonly parts: HalPart[];
  private readonly firmware: Firmware;
  private readonly loop: TimeLoop;
  private readonly injector: FaultInjector;

  constructor(opts: SimOptions) {
    // the random draws keep their order (timer crystal, motor torque, endstop switching point): a seed is a run
    this.board = typeof opts.board === 'object' ? opts.board : loadBoard(opts.board ?? 'ref-pen');
    const board = this.board;
    this.cartridge = cartridgeOf(board, opts.cartridge);
    const seed = opts.seed ?? 1;
    this.rng = new Rng(seed);
    const entropyRng = new Rng(seed + 0x5eed); // its own stream: challenges do not move the physics
    const geo = opts.flashGeometry ?? { sectors: board.storage?.sectors ?? 4, sectorBytes: board.storage?.sector_bytes ?? 4096 };
    this.flash = opts.flash ?? new Flash(geo.sectors, geo.sectorBytes, new Rng(seed + 0xf1a5));
    if (opts.powerCutAtFlashWrite) this.flash.cutAtWrite = this.flash.writes + opts.powerCutAtFlashWrite;
    const nominalHz = board.timing.step_timer_hz;
    // the timer's crystal is off by up to crystal_ppm: ticks are the MCU's, seconds are the world's
    this.timerHz = nominalHz * (1 + this.rng.range(-1, 1) * board.timing.crystal_ppm * 1e-6);
    const clock = (this.clock = new SimClock(this.timerHz));
    const trace = (this.trace = opts.trace ? new Trace(this.timerHz) : undefined);
    this.keys = new KeyStore(opts.clinicKey ?? SIM_CLINIC_KEY, opts.cartridgeKey ?? SIM_CARTRIDGE_KEY);
    this.reader = new CartridgeReader(board, this.cartridge.type, this.keys.cartridgeKey, entropyRng, clock, trace, opts.chip);
    const torqueFactor = 1 - board.motor.torque_tolerance * this.rng.next();
    const mech = (this.mech = new Mechanics(board, this.cartridge, tissueOf(opts.tissue ?? 'normal'), torqueFactor, this.timerHz));
    this.endstop = new Endstop(board, mech, this.rng, trace);
    trace?.begin(clock.tTicks, mech.tipUm(), this.endstop.active());
    this.queue = new StepQueue(board, clock, mech, trace);
    this.driverPart = new StepperDriver(board, clock, mech, this.queue.executor, trace);
    this.power = new PowerSupply(board);
    this.buttonsPart = new Buttons();
    this.serial = new SerialPort(clock, trace);
    const watchdogTicks = Math.round(((opts.watchdogMs ?? 20) * nominalHz) / 1000);
    this.watchdog = new Watchdog(clock, watchdogTicks, trace, (cause) => this.reset(cause));
    this.indicatorPart = new Indicator(clock, trace);
    this.telemetry = new Telemetry(board, clock, mech, trace, (move) => this.queue.executor.announce(move));
    this.entropy = new Entropy(entropyRng);
    this.rtc = new Rtc(clock, opts.rtcStart ?? 1_795_000_000);
    this.meter = new StrokeMeter(this.timerHz);
    this.parts = [this.queue, this.driverPart, this.endstop, this.buttonsPart, this.power, this.reader, new LogStorage(this.flash),
      this.entropy, this.keys, this.rtc, this.serial, this.indicatorPart, this.watchdog, this.telemetry];
    const module = typeof opts.wasm === 'string' ? loadModule(opts.wasm) : opts.wasm;
    this.firmware = new Firmware(module, opts.halTap, (e) => {
      this.queue.executor.flush();
      this.driverPart.powerLost();
      trace?.event(clock.tTicks, 'power', e.message);
    });
    const ticksPerControl = Math.round(nominalHz / board.timing.control_hz);
    this.loop = new TimeLoop({ clock, queue: this.queue, mech, driver: this.driverPart, endstop: this.endstop, telemetry: this.telemetry,
      power: this.power, watchdog: this.watchdog, meter: this.meter, trace, firmware: this.firmware }, ticksPerControl);
    this.injector = new FaultInjector([this.driverPart, this.endstop, this.watchdog, this.power, this.queue, this.buttonsPart, this.reader],
      (what, f) => trace?.event(clock.tTicks, what, f), {
        // the driver follows what a fault changed at once (a trip, outputs on or off)
        inject: () => { this.driverPart.heat(0); mech.driverOn = this.driverPart.outputsOn(); },
        clear: () => this.driverPart.heat(0),
      });
    this.observation = observationOf({ board, cartridge: this.cartridge, clock, mech, telemetry: this.telemetry, indicator: this.indicatorPart,
      serial: this.serial, trace, measure: () => this.measure() });
    this.boot(RESET_POWER_ON);
  }

  /** The HAL import object the firmware gets at each boot, assembled from the parts. */
  halImports(): HalImports { return assembleHal(this.parts); }

  private boot(cause: number): void {
    this.watchdog.started(cause);
    this.firmware.boot(this.halImports(), cause);
  }

  /** A reset as the MCU does it: timer and driver outputs off, firmware restarted. */
  private reset(cause: number): void {
    this.resets++;
    this.watchdog.hung = false;
    this.queue.executor.flush();
    this.driverPart.setEnable(false);
    this.boot(cause);
  }

  // ---- what a user or a test does ----------------------------------------------------------

  /** Advance simulated time by `ms`. */
  run(ms: number): void { this.loop.run(ms); }

  /** Advance until `done()` holds after a control tick, or `timeoutMs` passes; true if it held. */
  runUntil(done: () => boolean, timeoutMs: number): boolean { return this.loop.runUntil(done, timeoutMs); }

  /** Advance until `done()` holds after some step (finer than runUntil), or `timeoutMs` passes. */
  runUntilStep(done: () => boolean, timeoutMs: number): boolean { return this.loop.runUntilStep(done, timeoutMs); }

  /** Hold a button down for `ms`, starting now. */
  press(button: ButtonName, ms = 60): void {
    const bit = this.buttonsPart.bit(button);
    this.buttonsPart.down(bit);
    this.loop.at(this.tTicks + this.ticks(ms), () => this.buttonsPart.up(bit));
  }

  /** Send one command line over the serial port. */
  send(line: string): void { this.serial.send(line); }

  /** Put raw bytes on the serial line. */
  sendBytes(bytes: Iterable<number>): void { this.serial.sendBytes(bytes); }

  /** Send a line and run until its reply arrives (at most `timeoutMs`). */
  command(line: string, timeoutMs = 100): string {
    const n = this.replies.length;
    this.send(line);
    if (!this.runUntil(() => this.replies.length > n, timeoutMs)) throw new Error(`no reply to "${line}" within ${timeoutMs} ms`);
    return this.replies[n].line;
  }

  makeChip(spec: ChipSpec): CartridgeChip { return this.reader.makeChip(spec); }

  /** Take the cartridge off the pen. */
  removeCartridge(): void { this.reader.remove(); }

  /** Fit a cartridge (a chip made with makeChip, or the one taken off). */
  fitCartridge(chip: CartridgeChip): void { this.reader.fit(chip); }

  inject(f: Injectable): void { this.injector.inject(f); }

  clear(f: Injectable): void { this.injector.clear(f); }

  set tissue(t: Tissue) { this.mech.tissue = t; }

  /** Start a measurement window: strokes from now on. */
  startMeasuring(): void { this.meter.reset(this.mech.missedSteps); }

  measure(): Measurement { return this.meter.summary(this.cartridge.needles, this.mech.missedSteps); }

  // ---- what the parts show -------------------------------------------------------------------

  get tTicks(): number { return this.clock.tTicks; }
  get nowMs(): number { return this.clock.nowMs; }
  ms(ticks: number): number { return this.clock.ms(ticks); }
  ticks(ms: number): number { return this.clock.ticks(ms); }
  get ticksPerControl(): number { return this.loop.ticksPerControl; }
  get dead(): boolean { return this.firmware.dead; }
  get tickCostsNs(): number[] | undefined { return this.firmware.tickCostsNs; }
  set tickCostsNs(v: number[] | undefined) { this.firmware.tickCostsNs = v; }
  get abiVersion(): number { return this.firmware.abiVersion; }
  get executor(): StepExecutor { return this.queue.executor; }
  get driver(): Driver { return this.driverPart.model; }
  get battery(): Battery { return this.power.cell; }
  get chip(): CartridgeChip | undefined { return this.reader.chip; }
  get buttons(): number { return this.buttonsPart.raw; }
  get resetCause(): number { return this.watchdog.resetCause; }
  get replies(): Reply[] { return this.serial.replies; }
  get rxPending(): number { return this.serial.rxPending; }
  get state(): StateName { return this.telemetry.state; }
  get fault(): string { return this.telemetry.fault; }
  get setting(): Setting { return this.telemetry.setting; }
  get stateLog(): Telemetry['stateLog'] { return this.telemetry.stateLog; }
  get faultAtTicks(): number | undefined { return this.telemetry.faultAtTicks; }
  get outOfSkinAtTicks(): number | undefined { return this.telemetry.outOfSkinAtTicks; }
  get retractedAtTicks(): number | undefined { return this.telemetry.retractedAtTicks; }
  get indicator(): string { return this.indicatorPart.pattern; }
  get indicatorCode(): number { return this.indicatorPart.code; }
  endstopActive(): boolean { return this.endstop.active(); }
  randomWord(): number { return this.entropy.word(); }
  keyWord(key: number, index: number): number { return this.keys.word(key, index); }
  rtcSeconds(): number { return this.rtc.seconds(); }
}

function tissueOf(t: string | number): Tissue {
  if (typeof t === 'number') return new Tissue(t);
  if (!(t in TISSUES)) throw new Error(`unknown tissue "${t}": ${Object.keys(TISSUES).join(', ')} or a force in mN per needle`);
  return Tissue.named(t);
}
