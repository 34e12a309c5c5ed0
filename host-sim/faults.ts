// Fault injection: each part declares the faults it can make and take back, next to the state they
// break; the injector only looks them up. INJECTABLE is the list scenarios may name.
export const INJECTABLE = [
  'stall',
  'overtemp',
  'driver_short',
  'endstop_stuck',
  'endstop_dead',
  'hang',
  'battery_sag',
  'battery_low',
  'underrun',
  'step_loss',
  'button_stuck',
  'cartridge_removed',
  'rng_stuck',
] as const;
export type Injectable = (typeof INJECTABLE)[number];

export interface FaultHandler {
  inject(): void;
  clear(): void;
}
export type FaultTable = Partial<Record<Injectable, FaultHandler>>;
/** A part that can break on purpose. */
export interface FaultSource {
  faults(): FaultTable;
}

export class FaultInjector {
  private readonly table = new Map<Injectable, FaultHandler>();

  /** `note` sees each request first; `settle` runs after each (the driver follows what changed). */
  constructor(
    sources: readonly FaultSource[],
    private readonly note: (what: 'inject' | 'clear', f: string) => void,
    private readonly settle: { inject(): void; clear(): void },
  ) {
    for (const s of sources) {
      for (const [f, h] of Object.entries(s.faults()) as [Injectable, FaultHandler][]) {
        if (this.table.has(f)) throw new Error(`fault ${f} is declared by two simulated parts`);
        this.table.set(f, h);
      }
    }
    const missing = INJECTABLE.filter((f) => !this.table.has(f));
    if (missing.length) throw new Error(`no simulated part can inject ${missing.join(', ')}`);
  }

  inject(f: Injectable): void {
    this.note('inject', f);
    const h = this.table.get(f);
    if (!h) throw new Error(`cannot inject "${f}": ${INJECTABLE.join(', ')}`);
    h.inject();
    this.settle.inject();
  }

  clear(f: Injectable): void {
    this.note('clear', f);
    const h = this.table.get(f);
    if (!h) throw new Error(`cannot clear "${f}": ${INJECTABLE.join(', ')}`);
    h.clear();
    this.settle.clear();
  }
}
