// The firmware module as the MCU runs it: instantiated against the HAL at each boot, init() once,
// tick() per control tick. A power cut inside firmware code ends the pen's life.
import { readFileSync } from 'node:fs';
import { HalImports, HalTap } from './hal.js';
import { PowerCut } from './flash.js';

interface Exports {
  init(): void;
  tick(): void;
  abi_version(): number;
}

const moduleCache = new Map<string, WebAssembly.Module>();

export function loadModule(path: string): WebAssembly.Module {
  let m = moduleCache.get(path);
  if (!m) {
    m = new WebAssembly.Module(readFileSync(path));
    moduleCache.set(path, m);
  }
  return m;
}

export class Firmware {
  /** the pen lost power (a power cut): nothing runs any more */
  dead = false;
  /** wall-clock cost of each firmware tick (ns), when a benchmark asks for it */
  tickCostsNs: number[] | undefined;
  private fw!: Exports;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly halTap: HalTap | undefined,
    private readonly onPowerCut: (e: PowerCut) => void,
  ) {}

  /** A fresh instance on `hal` (seen by the tap, if any), and its init(). */
  boot(hal: HalImports, resetCause: number): void {
    const imports = this.halTap ? this.halTap.wrap(hal, resetCause) : hal;
    const inst = new WebAssembly.Instance(this.module, { hal: imports as WebAssembly.ModuleImports });
    this.fw = inst.exports as unknown as Exports;
    this.guard(() => this.fw.init());
  }

  tick(): void {
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

  /** The running module's linear memory (a HAL call that takes a buffer reads it here). */
  get memory(): Uint8Array {
    return new Uint8Array((this.fw as unknown as { memory: WebAssembly.Memory }).memory.buffer);
  }

  get abiVersion(): number {
    return this.fw.abi_version();
  }

  /** Runs firmware code; a power cut there ends the pen's life (the flash keeps what it has). */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof PowerCut)) throw e;
      this.dead = true;
      this.onPowerCut(e);
    }
  }
}
