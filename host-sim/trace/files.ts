// A trace streamed to trace.csv and trace.vcd in a directory while the pen runs.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FileOut } from './out.js';
import { CsvWriter } from './csv.js';
import { VcdWriter, VcdOptions } from './vcd.js';
import { TraceLine, TraceSink } from './sink.js';

export class TraceFiles implements TraceSink {
  private readonly csvOut: FileOut;
  private readonly vcdOut: FileOut;
  private readonly csv: CsvWriter;
  readonly vcd: VcdWriter;

  constructor(dir: string, timerHz: number, opts: VcdOptions = {}) {
    mkdirSync(dir, { recursive: true });
    this.csvOut = new FileOut(join(dir, 'trace.csv'));
    this.vcdOut = new FileOut(join(dir, 'trace.vcd'));
    this.csv = new CsvWriter(this.csvOut, timerHz);
    this.vcd = new VcdWriter(this.vcdOut, timerHz, opts);
  }

  get paths(): string[] {
    return [this.csvOut.path, this.vcdOut.path];
  }

  step(t: number, dir: number, tipUm: number): void {
    this.csv.step(t, dir, tipUm);
    this.vcd.step(t, dir, tipUm);
  }
  tip(t: number, tipUm: number): void {
    this.csv.tip(t, tipUm);
    this.vcd.tip(t, tipUm);
  }
  level(t: number, line: TraceLine, v: number): void {
    this.csv.level(t, line, v);
    this.vcd.level(t, line, v);
  }
  event(t: number, kind: string, detail: string): void {
    this.csv.event(t, kind, detail);
    this.vcd.event(t, kind, detail);
  }

  /** Put everything so far in the files (a viewer may reload them). */
  flush(): void {
    this.csvOut.flush();
    this.vcdOut.flush();
  }

  close(endTicks: number): void {
    this.vcd.end(endTicks);
    this.csvOut.close();
    this.vcdOut.close();
  }
}
