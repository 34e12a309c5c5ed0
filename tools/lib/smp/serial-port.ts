// Opens a serial device or a pseudo-terminal for SMP: `stty` puts the line in raw mode at the
// baud rate (no echo, no CR/LF translation, no flow control), then Node reads it through a tty
// stream (libuv, non-blocking) and writes with plain writes. No native module is needed, so the
// same code opens /dev/ttyUSB0 and the pty QEMU or socat make, on any Node without a build step.
import { spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, writeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import type { Transport } from './client.js';

export class PortError extends Error {}

export interface SerialPort extends Transport {
  close(): void;
}

export function openSerialPort(path: string, baud = 115200): SerialPort {
  if (!existsSync(path)) throw new PortError(`${path}: no such serial port`);
  const stty = spawnSync('stty', ['-F', path, 'raw', '-echo', '-ixon', '-crtscts', 'clocal', String(baud)], {
    encoding: 'utf8',
  });
  if (stty.error) throw new PortError(`stty is needed to set up ${path}: ${stty.error.message}`);
  if (stty.status !== 0)
    throw new PortError(`${path} is not a serial port stty can set up: ${(stty.stderr || '').trim()}`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
  } catch (e) {
    throw new PortError(`cannot open ${path}: ${(e as Error).message}`);
  }
  const input = new ReadStream(fd);
  const listeners: ((d: Buffer) => void)[] = [];
  input.on('data', (d: Buffer) => {
    for (const l of listeners) l(d);
  });
  input.on('error', () => {}); // the other end closed (EIO on a pty): a request then times out and says so
  let closed = false;
  return {
    write(data: Buffer): void {
      for (let at = 0; at < data.length;) {
        try {
          at += writeSync(fd, data, at);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EAGAIN')
            throw new PortError(`writing to ${path}: ${(e as Error).message}`);
        }
      }
    },
    onData(l): void {
      listeners.push(l);
    },
    close(): void {
      if (closed) return;
      closed = true;
      input.destroy();
      try {
        closeSync(fd);
      } catch {
        /* already closed with the stream */
      }
    },
  };
}
