// A pen's log flash as a file: `pen sim --flash FILE` saves it, `pen log` and the next `pen sim` load it.
import { readFileSync } from 'node:fs';
import { Flash } from '../../host-sim/flash.js';
import { Rng } from '../../host-sim/rng.js';
import { UsageError } from './args.js';

/** The board's log flash from an image file; a file of another size is a usage error. */
export function loadFlashImage(file: string, sectors: number, sectorBytes: number): Flash {
  const bytes = readFileSync(file);
  if (bytes.length !== sectors * sectorBytes) {
    throw new UsageError(
      `${file}: ${bytes.length} bytes, but the board's log flash is ${sectors} x ${sectorBytes} = ${sectors * sectorBytes} bytes: is it an image of this board?`,
    );
  }
  const f = new Flash(sectors, sectorBytes, new Rng(1));
  for (let i = 0; i < f.words.length; i++) f.words[i] = bytes.readUInt32LE(i * 4);
  return f;
}

/** The flash's words as bytes, little-endian, as the image file holds them. */
export function flashImage(f: Flash): Buffer {
  const b = Buffer.alloc(f.words.length * 4);
  for (let i = 0; i < f.words.length; i++) b.writeUInt32LE(f.words[i], i * 4);
  return b;
}
