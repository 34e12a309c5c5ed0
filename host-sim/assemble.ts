// Builds one simulated pen's parts from its options and its board, and wires them together: the motor and
// carriage, one part per slice of the HAL, the firmware, the time loop, the fault injector and the observation.
import { Board, Cartridge, cartridgeOf, loadBoard } from '../boards/board.js';
import { Mechanics } from './mechanics.js';
import { Tissue, TISSUES } from './tissue.js';
import { Rng } from './rng.js';
import { Trace } from './trace.js';
import { StrokeMeter, Measurement } from './meter.js';
import { HalPart } from './hal.js';
import { Flash } from './flash.js';
import { devCartridgeMakerKey, devLicenceMakerKey, rawPublicKey } from './keys.js';
import { SimClock } from './clock.js';
import { FaultInjector } from './faults.js';
import { Firmware, loadModule } from './firmware.js';
import { TimeLoop } from './loop.js';
import { PenObservation, observationOf } from './observe.js';
import { StepQueue } from './parts/step-queue.js';
import { StepperDriver } from './parts/stepper-driver.js';
import { Endstop } from './parts/endstop.js';
import { Buttons } from './parts/buttons.js';
import { SerialPort } from './parts/serial-port.js';
import { Watchdog } from './parts/watchdog.js';
import { Indicator } from './parts/indicator.js';
import { LogStorage, storageTiming } from './parts/storage.js';
import { CartridgeReader } from './parts/cartridge-reader.js';
import { Telemetry } from './parts/telemetry.js';
import { PowerSupply } from './parts/power.js';
import { Entropy } from './parts/entropy.js';
import { KeyStore } from './parts/key-store.js';
import { CryptoEngine } from './parts/crypto.js';
import { Rtc } from './parts/rtc.js';
import { ShaftEncoder, NoEncoder } from './parts/encoder.js';
import { Identity } from './parts/identity.js';
import type { SimOptions } from './pen.js';

/** What the pen does that the parts call back into. */
export interface PenHooks {
  /** the watchdog bit: reset the MCU with this cause */
  reset(cause: number): void;
  /** the flash's own power cut fell on a write (SimOptions.powerCutAtFlashWrite) */
  powerCut(): void;
  measure(): Measurement;
}

export interface PenParts {
  board: Board;
  cartridge: Cartridge;
  flash: Flash;
  /** true rate of the step timer (ticks per real second) */
  timerHz: number;
  clock: SimClock;
  mech: Mechanics;
  meter: StrokeMeter;
  trace: Trace | undefined;
  rng: Rng;
  queue: StepQueue;
  driver: StepperDriver;
  endstop: Endstop;
  buttons: Buttons;
  serial: SerialPort;
  watchdog: Watchdog;
  indicator: Indicator;
  reader: CartridgeReader;
  telemetry: Telemetry;
  power: PowerSupply;
  storage: LogStorage;
  entropy: Entropy;
  keys: KeyStore;
  crypto: CryptoEngine;
  rtc: Rtc;
  /** the shaft encoder, when the board has one */
  encoder: ShaftEncoder | undefined;
  identity: Identity;
  /** every part that answers a slice of the HAL imports */
  hal: HalPart[];
  firmware: Firmware;
  loop: TimeLoop;
  injector: FaultInjector;
  observation: PenObservation;
}

export function assemblePen(opts: SimOptions, hooks: PenHooks): PenParts {
  // the random draws keep their order (timer crystal, motor torque, endstop switching point): a seed is a run
  const board = typeof opts.board === 'object' ? opts.board : loadBoard(opts.board ?? 'ref-pen');
  const cartridge = cartridgeOf(board, opts.cartridge);
  const seed = opts.seed ?? 1;
  const rng = new Rng(seed);
  const entropyRng = new Rng(seed + 0x5eed); // its own stream: challenges do not move the physics
  const geo = opts.flashGeometry ?? {
    sectors: board.storage?.sectors ?? 4,
    sectorBytes: board.storage?.sector_bytes ?? 4096,
  };
  const flash = opts.flash ?? new Flash(geo.sectors, geo.sectorBytes, new Rng(seed + 0xf1a5));
  if (opts.powerCutAtFlashWrite) flash.cutAtWrite = flash.writes + opts.powerCutAtFlashWrite;
  const nominalHz = board.timing.step_timer_hz;
  // the timer's crystal is off by up to crystal_ppm: ticks are the MCU's, seconds are the world's
  const timerHz = nominalHz * (1 + rng.range(-1, 1) * board.timing.crystal_ppm * 1e-6);
  const clock = new SimClock(timerHz);
  const trace = opts.trace ? new Trace(timerHz) : undefined;
  const keys = new KeyStore({
    cartridgeMakerPublic: rawPublicKey(devCartridgeMakerKey()),
    licenceMakerPublic: rawPublicKey(devLicenceMakerKey()),
    provisioning: opts.keyProvisioning,
  });
  const reader = new CartridgeReader(
    board,
    cartridge.type,
    opts.makerKey ?? devCartridgeMakerKey(),
    entropyRng,
    clock,
    trace,
    opts.chip,
  );
  const torqueFactor = 1 - board.motor.torque_tolerance * rng.next();
  const mech = new Mechanics(board, cartridge, tissueOf(opts.tissue ?? 'normal'), torqueFactor, timerHz);
  const endstop = new Endstop(board, mech, rng, trace);
  trace?.begin(clock.tTicks, mech.tipUm(), endstop.active());
  const queue = new StepQueue(board, clock, mech, trace);
  const driver = new StepperDriver(board, clock, mech, queue.executor, trace);
  const power = new PowerSupply(board);
  const buttons = new Buttons();
  const serial = new SerialPort(clock, trace);
  const watchdogTicks = Math.round(((opts.watchdogMs ?? 20) * nominalHz) / 1000);
  const watchdog = new Watchdog(clock, watchdogTicks, trace, (cause) => hooks.reset(cause));
  const pumpMs = board.driver.enable_pump_hold_ms;
  if (pumpMs !== undefined) watchdog.pumpHoldTicks = Math.round((pumpMs * nominalHz) / 1000);
  const indicator = new Indicator(clock, trace);
  const telemetry = new Telemetry(board, clock, mech, trace, (move) => queue.executor.announce(move));
  const entropy = new Entropy(entropyRng, new Rng(seed + 0xc0de));
  // the crypto engine reads buffers from the module the firmware boots (made below)
  let firmware: Firmware | undefined = undefined;
  const crypto = new CryptoEngine(keys, clock, () => firmware!.memory);
  const rtc = new Rtc(clock, opts.rtcStart ?? 1_795_000_000);
  const identity = new Identity(opts.penSerial);
  const meter = new StrokeMeter(timerHz);
  const storage = new LogStorage(flash, clock, storageTiming(board));
  // its own random stream: the encoder's noise does not move the pen's other draws
  const encoder = board.encoder ? new ShaftEncoder(board, mech, new Rng(seed + 0xe7c0), timerHz) : undefined;
  const encoderPart = encoder ?? new NoEncoder();
  const hal = [
    queue,
    driver,
    endstop,
    buttons,
    power,
    reader,
    storage,
    entropy,
    crypto,
    rtc,
    identity,
    serial,
    indicator,
    watchdog,
    telemetry,
    encoderPart,
  ];
  const module = typeof opts.wasm === 'string' ? loadModule(opts.wasm) : opts.wasm;
  firmware = new Firmware(module, opts.halTap, (e) => {
    trace?.event(clock.tTicks, 'power', e.message);
    hooks.powerCut();
  });
  const ticksPerControl = Math.round(nominalHz / board.timing.control_hz);
  const loop = new TimeLoop(
    { clock, queue, mech, driver, endstop, telemetry, power, watchdog, meter, trace, firmware, encoder },
    ticksPerControl,
  );
  const injector = new FaultInjector(
    [driver, endstop, watchdog, power, queue, buttons, reader, encoderPart, entropy],
    (what, f) => trace?.event(clock.tTicks, what, f),
    {
      // the driver follows what a fault changed at once (a trip, outputs on or off)
      inject: () => {
        driver.heat(0);
        mech.driverOn = driver.outputsOn();
      },
      clear: () => driver.heat(0),
    },
  );
  const observation = observationOf({
    board,
    cartridge,
    clock,
    mech,
    telemetry,
    indicator,
    serial,
    trace,
    measure: () => hooks.measure(),
  });
  return {
    board,
    cartridge,
    flash,
    timerHz,
    clock,
    mech,
    meter,
    trace,
    rng,
    queue,
    driver,
    endstop,
    buttons,
    serial,
    watchdog,
    indicator,
    reader,
    telemetry,
    power,
    storage,
    entropy,
    keys,
    crypto,
    rtc,
    encoder,
    identity,
    hal,
    firmware,
    loop,
    injector,
    observation,
  };
}

function tissueOf(t: string | number): Tissue {
  if (typeof t === 'number') return new Tissue(t);
  if (!(t in TISSUES))
    throw new Error(`unknown tissue "${t}": ${Object.keys(TISSUES).join(', ')} or a force in mN per needle`);
  return Tissue.named(t);
}
