// A text file written as it grows: text is gathered in memory up to a bound and then written, so a
// trace of any length takes the same memory.
import { openSync, writeSync, closeSync } from 'node:fs';
import { TextOut } from './sink.js';

/** bytes gathered before a write; big enough that writes cost little, small beside the heap */
const CHUNK_CHARS = 1 << 16;

export class FileOut implements TextOut {
  private fd: number | undefined;
  private pending = '';
  bytes = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    // appending makes a rope, cheaper than an array of small strings for the collector
    this.pending += text;
    if (this.pending.length >= CHUNK_CHARS) this.flush();
  }

  /** Write what is gathered (a reader of the file sees everything so far). */
  flush(): void {
    if (this.fd === undefined || !this.pending.length) return;
    const buf = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    this.bytes += buf.length;
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
