// One simulated pen: the firmware .wasm running against the HAL, the step timer, the motor and
// carriage, driver, battery, buttons and serial port, advanced in simulated time.
import { readFileSync } from 'node:fs';
import { Board, Cartridge, cartridgeOf, loadBoard } from '../boards/board.js';
import { StepExecutor, PUSH_OK } from './executor.js';
import { Mechanics } from './mechanics.js';
import { Driver } from './driver.js';
import { Battery } from './battery.js';
import { Tissue, TISSUES } from './tissue.js';
import { Rng } from './rng.js';
import { Trace } from './trace.js';
import { StrokeMeter, Measurement } from './meter.js';
import { idealStepTicks } from './profile.js';
import { halImports } from './hal.js';
import { Flash, PowerCut } from './flash.js';
import { CartridgeChip, ChipSpec } from './cartridge-chip.js';
import { SIM_CLINIC_KEY, SIM_CARTRIDGE_KEY, keyWord } from './keys.js';
import { STATES, FAULTS, CLAMPS, INDICATORS, BUTTONS, ButtonName, StateName } from './names.js';

export const RESET_POWER_ON = 0;
export const RESET_WATCHDOG = 1;
export const RESET_PANIC = 2;

/** Faults the simulator can make (inject) and take back (clear). */
export const INJECTABLE = ['stall', 'overtemp', 'driver_short', 'endstop_stuck', 'endstop_dead', 'hang', 'battery_sag',
  'battery_low', 'underrun', 'step_loss', 'button_stuck', 'cartridge_removed'] as const;
export type Injectable = (typeof INJECTABLE)[number];

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

export type HalImports = Record<string, (...args: never[]) => unknown>;
/** Sees every HAL call (wrap) and every tick() (beforeTick): a recorder for board-port replay. */
export interface HalTap { wrap(imports: HalImports, resetCause: number): HalImports; beforeTick?(): void }

export interface Setting { depthUm: number; freqHz: number; askedHz: number; clamp: string }

interface Exports { init(): void; tick(): void; abi_version(): number }

const moduleCache = new Map<string, WebAssembly.Module>();

export function loadModule(path: string): WebAssembly.Module {
  let m = moduleCache.get(path);
  if (!m) {
    m = new WebAssembly.Module(readFileSync(path));
    moduleCache.set(path, m);
  }
  return m;
}

export class PenSim {
  readonly board: Board;
  readonly cartridge: Cartridge;
  readonly flash: Flash;
  chip: CartridgeChip | undefined;
  /** the pen lost power (a power cut): nothing runs any more */
  dead = false;
  private readonly clinicKey: Buffer;
  private readonly cartridgeKey: Buffer;
  private readonly rtcStart: number;
  private readonly entropy: Rng;
  /** true rate of the step timer (ticks per real second) */
  readonly timerHz: number;
  readonly ticksPerControl: number;
  readonly executor: StepExecutor;
  readonly mech: Mechanics;
  readonly driver: Driver;
  readonly battery: Battery;
  readonly meter: StrokeMeter;
  readonly trace: Trace | undefined;
  readonly rng: Rng;
  private readonly module: WebAssembly.Module;
  private readonly halTap: HalTap | undefined;
  private fw!: Exports;

  tTicks = 0;
  private nextControl = 0;
  buttons = 0;
  private stuckButtons = 0;
  resetCause = RESET_POWER_ON;
  resets = 0;
  private lastKick = 0;
  private readonly watchdogTicks: number;
  private hung = false;
  private driverEnabled = false;
  private endstopWas = false;
  private endstopMode: 'normal' | 'stuck' | 'dead' = 'normal';
  private readonly endstopOffsetUm: number;
  private stallLatched = false;
  /** wall-clock cost of each firmware tick (ns), when a benchmark asks for it */
  tickCostsNs: number[] | undefined;
  private stopWhen: (() => boolean) | undefined;
  private stopHit = false;

  private rx: number[] = [];
  private rxHead = 0;
  private txLine: number[] = [];
  /** reply lines from the pen, with their time */
  readonly replies: { tTicks: number; line: string }[] = [];
  private readonly timeline: { tTicks: number; fn: () => void }[] = [];

  state: StateName = 'off';
  fault = 'none';
  indicator = 'off';
  setting: Setting = { depthUm: 0, freqHz: 0, askedHz: 0, clamp: 'none' };
  /** when the firmware last entered fault, and when the needles were back */
  faultAtTicks: number | undefined;
  outOfSkinAtTicks: number | undefined;
  retractedAtTicks: number | undefined;
  readonly stateLog: { tTicks: number; state: string; fault: string }[] = [];

  constructor(opts: SimOptions) {
    this.board = typeof opts.board === 'object' ? opts.board : loadBoard(opts.board ?? 'ref-pen');
    this.cartridge = cartridgeOf(this.board, opts.cartridge);
    this.rng = new Rng(opts.seed ?? 1);
    this.entropy = new Rng((opts.seed ?? 1) + 0x5eed); // its own stream: challenges do not move the physics
    this.clinicKey = opts.clinicKey ?? SIM_CLINIC_KEY;
    this.cartridgeKey = opts.cartridgeKey ?? SIM_CARTRIDGE_KEY;
    this.rtcStart = opts.rtcStart ?? 1_795_000_000;
    const geo = opts.flashGeometry ?? { sectors: this.board.storage?.sectors ?? 4, sectorBytes: this.board.storage?.sector_bytes ?? 4096 };
    this.flash = opts.flash ?? new Flash(geo.sectors, geo.sectorBytes, new Rng((opts.seed ?? 1) + 0xf1a5));
    if (opts.powerCutAtFlashWrite) this.flash.cutAtWrite = this.flash.writes + opts.powerCutAtFlashWrite;
    this.chip = opts.chip === null ? undefined
      : this.makeChip(opts.chip ?? { type: this.cartridge.type, serial: 100000 + Math.floor(this.entropy.next() * 900000), lot: 2611 });
    const nominalHz = this.board.timing.step_timer_hz;
    // the timer's crystal is off by up to crystal_ppm: ticks are the MCU's, seconds are the world's
    this.timerHz = nominalHz * (1 + this.rng.range(-1, 1) * this.board.timing.crystal_ppm * 1e-6);
    this.ticksPerControl = Math.round(nominalHz / this.board.timing.control_hz);
    this.watchdogTicks = Math.round(((opts.watchdogMs ?? 20) * nominalHz) / 1000);
    this.executor = new StepExecutor(this.board.timing.step_queue_len, Math.ceil(nominalHz / this.board.driver.max_step_rate_hz));
    const torqueFactor = 1 - this.board.motor.torque_tolerance * this.rng.next();
    this.mech = new Mechanics(this.board, this.cartridge, tissueOf(opts.tissue ?? 'normal'), torqueFactor, this.timerHz);
    this.endstopOffsetUm = this.rng.range(-2, 2); // switching-point repeatability
    this.driver = new Driver(this.board);
    this.battery = new Battery(this.board);
    this.meter = new StrokeMeter(this.timerHz);
    this.trace = opts.trace ? new Trace(this.timerHz) : undefined;
    this.module = typeof opts.wasm === 'string' ? loadModule(opts.wasm) : opts.wasm;
    this.halTap = opts.halTap;
    this.boot(RESET_POWER_ON);
  }

  makeChip(spec: ChipSpec): CartridgeChip { return new CartridgeChip(this.board, spec, this.cartridgeKey); }

  /** Take the cartridge off the pen. */
  removeCartridge(): void { this.chip = undefined; this.trace?.event(this.tTicks, 'user', 'cartridge removed'); }

  /** Fit a cartridge (a chip made with makeChip, or the one taken off). */
  fitCartridge(chip: CartridgeChip): void { this.chip = chip; this.trace?.event(this.tTicks, 'user', `cartridge ${chip.serial} fitted`); }

  randomWord(): number { return Math.floor(this.entropy.next() * 4294967296) | 0; }

  keyWord(key: number, index: number): number {
    return key === 0 ? keyWord(this.clinicKey, index) : key === 1 ? keyWord(this.cartridgeKey, index) : 0;
  }

  rtcSeconds(): number { return Math.floor(this.rtcStart + this.tTicks / this.timerHz) >>> 0; }

  private boot(cause: number): void {
    this.resetCause = cause;
    const hal = this.halTap ? this.halTap.wrap(halImports(this), cause) : halImports(this);
    const inst = new WebAssembly.Instance(this.module, { hal: hal as WebAssembly.ModuleImports });
    this.fw = inst.exports as unknown as Exports;
    this.lastKick = this.tTicks;
    this.guard(() => this.fw.init());
  }

  /** Runs firmware code; a power cut there ends the pen's life (the flash keeps what it has). */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof PowerCut)) throw e;
      this.dead = true;
      this.executor.flush();
      this.driverEnabled = false;
      this.mech.setDriver(false, this.tTicks, this.executor.position);
      this.trace?.event(this.tTicks, 'power', e.message);
    }
  }

  get nowMs(): number { return (this.tTicks * 1000) / this.timerHz; }
  ms(ticks: number): number { return (ticks * 1000) / this.timerHz; }
  ticks(ms: number): number { return Math.round((ms * this.timerHz) / 1000); }

  // ---- time ------------------------------------------------------------------------------

  /** Advance simulated time by `ms`. */
  run(ms: number): void { this.runUntilTicks(this.tTicks + this.ticks(ms)); }

  /** Advance until `done()` holds after a control tick, or `timeoutMs` passes; true if it held. */
  runUntil(done: () => boolean, timeoutMs: number): boolean {
    const end = this.tTicks + this.ticks(timeoutMs);
    while (this.tTicks < end && !this.dead) {
      this.runUntilTicks(Math.min(end, this.nextControl + 1));
      if (done()) return true;
    }
    return done();
  }

  /** Advance until `done()` holds after some step (finer than runUntil), or `timeoutMs` passes. */
  runUntilStep(done: () => boolean, timeoutMs: number): boolean {
    this.stopWhen = done;
    this.stopHit = false;
    try {
      this.runUntilTicks(this.tTicks + this.ticks(timeoutMs));
    } finally {
      this.stopWhen = undefined;
    }
    return this.stopHit;
  }

  private runUntilTicks(end: number): void {
    while (this.tTicks < end && !this.dead) {
      const target = Math.min(this.nextControl, end);
      this.advance(target);
      if (this.stopHit && this.stopWhen) return;
      if (this.tTicks === this.nextControl) {
        this.controlTick();
        this.nextControl += this.ticksPerControl;
      }
    }
  }

  /** Execute the steps due up to `target` and let the physics follow. */
  private advance(target: number): void {
    const ex = this.executor;
    const mech = this.mech;
    const from = this.tTicks;
    for (;;) {
      const ts = ex.nextStepTicks();
      if (ts > target) break;
      this.tTicks = ts;
      const stops = ex.stopsAtEndstop;
      const move = ex.move;
      const moveStart = ex.moveStartTicks;
      const d = ex.step();
      mech.step(ts, d, ex.position);
      if (mech.slipping && !this.stallLatched) this.noteSlip(ts);
      if (move && ex.move === move) {
        const ideal = moveStart + idealStepTicks(ex.moveStep, move.steps, move.durationTicks, move.accelTicks);
        this.meter.onStepError(ts - ideal);
      }
      const tip = mech.tipUm();
      this.meter.onMove(ts, mech.xUm, tip);
      this.trace?.step(ts, d, tip);
      this.watchRetract(ts);
      this.watchEndstop(ts);
      if (stops && this.endstopActive()) { ex.stopAtEndstop(); mech.settle(ts, ex.position); }
      else if (!ex.busy) mech.settle(ts, ex.position);
      if (this.stopWhen && this.stopWhen()) { this.stopHit = true; return; }
    }
    this.tTicks = target;
    const dtS = (target - from) / this.timerHz;
    if (!this.driverOutputsOn() && dtS > 0) {
      const before = this.mech.xUm;
      this.mech.drift(dtS);
      if (this.mech.xUm !== before) {
        this.meter.onMove(target, this.mech.xUm, this.mech.tipUm());
        if (this.trace) { this.trace.driftT.push(target); this.trace.driftTip.push(this.mech.tipUm()); }
        this.watchRetract(target);
        this.watchEndstop(target);
      }
    }
  }

  private noteSlip(t: number): void {
    const stepRate = this.board.driver.stallguard_min_full_steps_s * this.board.driver.microsteps;
    const v = Math.abs(this.executor.busy ? this.timerHz / Math.max(1, this.executor.nextStepTicks() - t) : 0);
    if (v >= stepRate) {
      this.stallLatched = true;
      this.trace?.event(t, 'physics', 'rotor slipped: stall flag raised');
    }
  }

  private controlTick(): void {
    const t = this.tTicks;
    while (this.timeline.length && this.timeline[0].tTicks <= t) this.timeline.shift()!.fn();
    const dtS = this.ticksPerControl / this.timerHz;
    const on = this.driverOutputsOn();
    this.driver.heat(dtS, on);
    const coilW = on ? 2 * this.board.motor.rated_current_A ** 2 * this.board.motor.phase_resistance_ohm : 0;
    this.battery.draw(dtS, coilW);
    this.mech.driverOn = this.driverOutputsOn();
    if (this.hung) {
      if (t - this.lastKick > this.watchdogTicks) this.watchdogReset();
      return;
    }
    if (t - this.lastKick > this.watchdogTicks) { this.watchdogReset(); return; }
    if (this.dead) return;
    this.halTap?.beforeTick?.();
    if (this.tickCostsNs) {
      const t0 = process.hrtime.bigint();
      this.guard(() => this.fw.tick());
      this.tickCostsNs.push(Number(process.hrtime.bigint() - t0));
    } else {
      this.guard(() => this.fw.tick());
    }
  }

  private watchdogReset(): void {
    this.trace?.event(this.tTicks, 'runtime', 'watchdog reset');
    this.reset(RESET_WATCHDOG);
  }

  /** A reset as the MCU does it: timer and driver outputs off, firmware restarted. */
  private reset(cause: number): void {
    this.resets++;
    this.hung = false;
    this.executor.flush();
    this.setDriverEnable(false);
    this.boot(cause);
  }

  // ---- HAL side ---------------------------------------------------------------------------

  pushSegment(interval: number, count: number, add: number, flags: number): number {
    const r = this.executor.push(this.tTicks, interval, count, add, flags);
    if (r !== PUSH_OK) this.trace?.event(this.tTicks, 'hal', `step_queue_push refused (${r}): ${interval},${count},${add},${flags}`);
    return r;
  }

  flushQueue(): void {
    this.executor.flush();
    this.mech.settle(this.tTicks, this.executor.position);
    this.trace?.event(this.tTicks, 'hal', 'step_queue_flush');
  }

  setDriverEnable(on: boolean): void {
    this.driverEnabled = on;
    this.mech.setDriver(this.driverOutputsOn(), this.tTicks, this.executor.position);
    this.trace?.enable.push([this.tTicks, on ? 1 : 0]);
    this.trace?.event(this.tTicks, 'hal', `driver_enable ${on ? 1 : 0}`);
  }

  private driverOutputsOn(): boolean { return this.driverEnabled && !this.driver.tripped; }

  readDriverStatus(): number {
    this.driver.stallFlag = this.stallLatched;
    const s = this.driver.status();
    this.stallLatched = false; // DIAG is a pulse: reading takes it
    this.driver.stallFlag = false;
    return s;
  }

  endstopActive(): boolean {
    if (this.endstopMode === 'stuck') return true;
    if (this.endstopMode === 'dead') return false;
    return this.mech.xUm <= this.board.endstop.trigger_um + this.endstopOffsetUm;
  }

  private watchEndstop(t: number): void {
    const a = this.endstopActive();
    if (a !== this.endstopWas) { this.endstopWas = a; this.trace?.endstop.push([t, a ? 1 : 0]); }
  }

  private watchRetract(t: number): void {
    if (this.faultAtTicks === undefined || this.retractedAtTicks !== undefined) return;
    if (this.outOfSkinAtTicks === undefined && this.mech.tipUm() <= 0) this.outOfSkinAtTicks = t;
    if (this.mech.xUm <= this.board.geometry.retract_um + this.mech.stepUm) this.retractedAtTicks = t;
  }

  serialRead(): number { return this.rxHead < this.rx.length ? this.rx[this.rxHead++] : -1; }

  serialWrite(byte: number): void {
    if (byte === 10) {
      const line = String.fromCharCode(...this.txLine);
      this.txLine = [];
      this.replies.push({ tTicks: this.tTicks, line });
      this.trace?.event(this.tTicks, 'serial', `< ${line}`);
    } else if (this.txLine.length < 4096) {
      this.txLine.push(byte & 0xff);
    }
  }

  /** the fault code the indicator blinks (0 when it shows no fault) */
  indicatorCode = 0;

  setIndicator(p: number): void {
    this.indicator = INDICATORS[p & 0xff] ?? String(p & 0xff);
    this.indicatorCode = (p >> 8) & 0xff;
    this.trace?.event(this.tTicks, 'hal', `indicator ${this.indicator}`);
  }

  kickWatchdog(): void { this.lastKick = this.tTicks; }

  onState(state: number, fault: number): void {
    this.state = STATES[state] ?? ('unknown' as StateName);
    this.fault = FAULTS[fault] ?? String(fault);
    this.stateLog.push({ tTicks: this.tTicks, state: this.state, fault: this.fault });
    this.trace?.event(this.tTicks, 'state', `${this.state}${fault ? ` (${this.fault})` : ''}`);
    if (this.state === 'fault') {
      this.faultAtTicks = this.tTicks;
      this.outOfSkinAtTicks = this.mech.tipUm() <= 0 ? this.tTicks : undefined;
      this.retractedAtTicks = undefined;
      this.watchRetract(this.tTicks);
    }
  }

  onSetting(depthUm: number, freqHz: number, askedHz: number, clamp: number): void {
    this.setting = { depthUm, freqHz, askedHz, clamp: CLAMPS[clamp] ?? String(clamp) };
    this.trace?.event(this.tTicks, 'setting', `depth ${depthUm} um, ${freqHz} Hz (asked ${askedHz}), clamp ${this.setting.clamp}`);
  }

  onPanic(code: number, line: number): void {
    this.trace?.event(this.tTicks, 'runtime', `panic ${code} at line ${line}`);
    this.reset(RESET_PANIC);
    throw new Error(`firmware panic ${code} at line ${line}`);
  }

  // ---- what a user or a test does ----------------------------------------------------------

  /** Hold a button down for `ms`, starting now. */
  press(button: ButtonName, ms = 60): void {
    const bit = 1 << BUTTONS.indexOf(button);
    if (bit < 1) throw new Error(`unknown button "${button}": ${BUTTONS.join(', ')}`);
    this.buttons |= bit;
    this.at(this.tTicks + this.ticks(ms), () => { this.buttons &= ~bit | this.stuckButtons; });
  }

  /** Send one command line over the serial port. */
  send(line: string): void {
    this.sendBytes(Buffer.from(line + '\n', 'latin1'));
    this.trace?.event(this.tTicks, 'serial', `> ${line}`);
  }

  /** Put raw bytes on the serial line. */
  sendBytes(bytes: Iterable<number>): void {
    if (this.rxHead === this.rx.length) { this.rx = []; this.rxHead = 0; }
    for (const b of bytes) this.rx.push(b & 0xff);
  }

  /** Bytes sent to the pen that it has not read yet. */
  get rxPending(): number { return this.rx.length - this.rxHead; }

  /** Send a line and run until its reply arrives (at most `timeoutMs`). */
  command(line: string, timeoutMs = 100): string {
    const n = this.replies.length;
    this.send(line);
    if (!this.runUntil(() => this.replies.length > n, timeoutMs)) throw new Error(`no reply to "${line}" within ${timeoutMs} ms`);
    return this.replies[n].line;
  }

  private at(t: number, fn: () => void): void {
    this.timeline.push({ tTicks: t, fn });
    this.timeline.sort((a, b) => a.tTicks - b.tTicks);
  }

  inject(f: Injectable): void {
    this.trace?.event(this.tTicks, 'inject', f);
    switch (f) {
      case 'stall': this.mech.obstacleUm = this.mech.xUm; break; // a hard object right under the needles
      case 'overtemp': this.driver.tempC = this.board.driver.ot_C + 5; this.driver.coolingFactor = 20; break;
      case 'driver_short': this.driver.shorted = true; break;
      case 'endstop_stuck': this.endstopMode = 'stuck'; break;
      case 'endstop_dead': this.endstopMode = 'dead'; break;
      case 'hang': this.hung = true; break;
      case 'battery_sag': this.battery.extraOhm = 1.0; break;
      case 'battery_low': this.battery.soc = 0; break; // an empty cell: below the pen's start threshold at rest
      case 'underrun': this.executor.dropQueue(); break; // the step timer loses what it had queued
      case 'step_loss': this.mech.silentLoss = 24; break; // steps lost where StallGuard cannot see it
      case 'button_stuck': this.stuckButtons |= 1 << BUTTONS.indexOf('depth_up'); this.buttons |= this.stuckButtons; break;
      case 'cartridge_removed': this.removeCartridge(); break;
      default: throw new Error(`cannot inject "${f}": ${INJECTABLE.join(', ')}`);
    }
    this.driver.heat(0, this.driverOutputsOn());
    this.mech.driverOn = this.driverOutputsOn();
  }

  clear(f: Injectable): void {
    this.trace?.event(this.tTicks, 'clear', f);
    switch (f) {
      case 'stall': this.mech.obstacleUm = Infinity; break;
      case 'overtemp': this.driver.coolingFactor = 1; this.driver.tempC = this.driver.ambientC + 10; break;
      case 'driver_short': this.driver.shorted = false; break;
      case 'endstop_stuck': case 'endstop_dead': this.endstopMode = 'normal'; break;
      case 'hang': this.hung = false; break;
      case 'battery_sag': this.battery.extraOhm = 0; break;
      case 'battery_low': this.battery.soc = 0.9; break;
      case 'underrun': case 'step_loss': break; // over once it happened
      case 'button_stuck': this.buttons &= ~this.stuckButtons; this.stuckButtons = 0; break;
      case 'cartridge_removed': this.fitCartridge(this.makeChip({ type: this.cartridge.type, serial: 100000 + Math.floor(this.entropy.next() * 900000), lot: 2611 })); break;
      default: throw new Error(`cannot clear "${f}": ${INJECTABLE.join(', ')}`);
    }
    this.driver.heat(0, this.driverOutputsOn());
  }

  set tissue(t: Tissue) { this.mech.tissue = t; }

  /** Start a measurement window: strokes from now on. */
  startMeasuring(): void { this.meter.reset(this.mech.missedSteps); }

  measure(): Measurement { return this.meter.summary(this.cartridge.needles, this.mech.missedSteps); }

  get abiVersion(): number { return this.fw.abi_version(); }
}

function tissueOf(t: string | number): Tissue {
  if (typeof t === 'number') return new Tissue(t);
  if (!(t in TISSUES)) throw new Error(`unknown tissue "${t}": ${Object.keys(TISSUES).join(', ')} or a force in mN per needle`);
  return Tissue.named(t);
}
