// A trace streamed to trace.csv and trace.vcd in a directory while the pen runs.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FileOut } from './out.js';
import { CsvWriter } from './csv.js';
import { VcdWriter, VcdOptions } from './vcd.js';
import { TraceLine, TraceSink } from './sink.js';

/** written under this suffix and renamed when closed (`staged`): an earlier run's files stay until then */
const PART = '.part';

export class TraceFiles implements TraceSink {
  private readonly csvOut: FileOut;
  private readonly vcdOut: FileOut;
  private readonly csv: CsvWriter;
  readonly vcd: VcdWriter;
  private readonly finalPaths: string[];

  /**
   * `staged`: the files are written as trace.csv.part and trace.vcd.part and take their names when
   * closed, so a run that fails leaves the files of the run before as they were (a live trace, which
   * a viewer reloads while the pen runs, is written under its own name from the start).
   */
  constructor(dir: string, timerHz: number, opts: VcdOptions & { staged?: boolean } = {}) {
    mkdirSync(dir, { recursive: true });
    this.finalPaths = [join(dir, 'trace.csv'), join(dir, 'trace.vcd')];
    const suffix = opts.staged ? PART : '';
    this.csvOut = new FileOut(this.finalPaths[0] + suffix);
    this.vcdOut = new FileOut(this.finalPaths[1] + suffix);
    this.csv = new CsvWriter(this.csvOut, timerHz);
    this.vcd = new VcdWriter(this.vcdOut, timerHz, opts);
  }

  get paths(): string[] {
    return this.finalPaths;
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
    [this.csvOut, this.vcdOut].forEach((o, i) => {
      if (o.path !== this.finalPaths[i]) renameSync(o.path, this.finalPaths[i]);
    });
  }

  /** A run that never started or broke off: its files are removed (staged, those of the run before stay). */
  discard(): void {
    this.csvOut.close();
    this.vcdOut.close();
    for (const o of [this.csvOut, this.vcdOut]) rmSync(o.path, { force: true });
  }
}
