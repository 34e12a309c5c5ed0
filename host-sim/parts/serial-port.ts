// The serial port (HAL serial_read, serial_write): bytes a user sends wait in the receive buffer;
// bytes the pen writes are cut into reply lines at each newline.
import { HalImports, HalPart } from '../hal.js';
import { SimClock } from '../clock.js';
import { Trace } from '../trace.js';

/** a reply line longer than this is cut (the pen never writes one) */
const MAX_LINE_BYTES = 4096;

export interface Reply {
  tTicks: number;
  line: string;
}

export class SerialPort implements HalPart {
  /** reply lines from the pen, with their time */
  readonly replies: Reply[] = [];
  private rx: number[] = [];
  private rxHead = 0;
  private txLine: number[] = [];
  /** the line being sent to the pen, for the trace */
  private rxLine: number[] = [];

  constructor(
    private readonly clock: SimClock,
    private readonly trace: Trace | undefined,
  ) {}

  imports(): HalImports {
    return {
      serial_read: (): number => this.read(),
      serial_write: (byte: number): void => this.write(byte),
    };
  }

  read(): number {
    return this.rxHead < this.rx.length ? this.rx[this.rxHead++] : -1;
  }

  write(byte: number): void {
    if (byte === 10) {
      const line = String.fromCharCode(...this.txLine);
      this.txLine = [];
      this.replies.push({ tTicks: this.clock.tTicks, line });
      this.trace?.event(this.clock.tTicks, 'serial', `< ${line}`);
    } else if (this.txLine.length < MAX_LINE_BYTES) {
      this.txLine.push(byte & 0xff);
    }
  }

  /** The pen lost power: what it had not read, and its half-written line, are gone. */
  powerLost(): void {
    this.rx = [];
    this.rxHead = 0;
    this.txLine = [];
  }

  /** Send one command line. */
  send(line: string): void {
    this.sendBytes(Buffer.from(line + '\n', 'latin1'));
  }

  /** Put raw bytes on the line (a script's or a terminal's); the trace shows each line sent. */
  sendBytes(bytes: Iterable<number>): void {
    if (this.rxHead === this.rx.length) {
      this.rx = [];
      this.rxHead = 0;
    }
    for (const b of bytes) {
      this.rx.push(b & 0xff);
      if (!this.trace) continue;
      if (b === 10 || b === 13) {
        if (this.rxLine.length)
          this.trace.event(this.clock.tTicks, 'serial', `> ${String.fromCharCode(...this.rxLine)}`);
        this.rxLine = [];
      } else if (this.rxLine.length < MAX_LINE_BYTES) {
        this.rxLine.push(b & 0xff);
      }
    }
  }

  /** Bytes sent to the pen that it has not read yet. */
  get rxPending(): number {
    return this.rx.length - this.rxHead;
  }
}
