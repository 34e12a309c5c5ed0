// The simulator's side of the HAL ABI (docs/hal-abi.md): each simulated part answers its own slice
// of the imports, and the import object the firmware sees is assembled from the parts here.
export { HAL_ABI_VERSION } from '../abi/pen-abi.js';

export type HalImports = Record<string, (...args: never[]) => unknown>;

/** Sees every HAL call (wrap) and every tick() (beforeTick): a recorder for board-port replay. */
export interface HalTap {
  wrap(imports: HalImports, resetCause: number): HalImports;
  beforeTick?(): void;
}

/** One simulated peripheral: the HAL imports it implements, over its own state. */
export interface HalPart {
  imports(): HalImports;
}

/** The import object for one boot; two parts offering the same import is a wiring mistake. */
export function assembleHal(parts: readonly HalPart[]): HalImports {
  const hal: HalImports = {};
  for (const part of parts) {
    for (const [name, fn] of Object.entries(part.imports())) {
      if (name in hal) throw new Error(`HAL import ${name} is offered by two simulated parts`);
      hal[name] = fn;
    }
  }
  return hal;
}
