// What a trace consumer receives, in time order: steps, free motion of the tip, the enable and endstop
// lines, and events (state changes, HAL calls, serial lines, injected faults).

export type TraceLine = 'enable' | 'endstop';

export interface TraceSink {
  step(tTicks: number, dir: number, tipUm: number): void;
  /** the tip moved without a step (driver off) */
  tip(tTicks: number, tipUm: number): void;
  level(tTicks: number, line: TraceLine, value: number): void;
  event(tTicks: number, kind: string, detail: string): void;
}

/** Where a writer's text goes: a string in memory or a file (out.ts). */
export interface TextOut {
  write(text: string): void;
}

/** Collects text in memory. */
export class StringOut implements TextOut {
  private parts: string[] = [];
  write(text: string): void {
    this.parts.push(text);
  }
  text(): string {
    const s = this.parts.join('');
    this.parts = [s];
    return s;
  }
}
