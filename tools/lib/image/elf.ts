// The address the first byte of `objcopy -O binary` output is linked at: the lowest physical address
// of an ELF32 loadable segment with file contents (ELF spec, program header table).
import { readFileSync } from 'node:fs';

const PT_LOAD = 1;

export function elfLoadAddress(path: string): number {
  const b = readFileSync(path);
  const fail = (why: string): never => {
    throw new Error(`${path}: ${why}`);
  };
  if (b.length < 52 || b.readUInt32BE(0) !== 0x7f454c46) fail('not an ELF file');
  if (b[4] !== 1 || b[5] !== 1) fail('not a 32-bit little-endian ELF');
  const phoff = b.readUInt32LE(0x1c);
  const phentsize = b.readUInt16LE(0x2a);
  const phnum = b.readUInt16LE(0x2c);
  if (phentsize < 32 || phoff + phnum * phentsize > b.length) fail('program header table out of the file');
  let lowest = Infinity;
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (b.readUInt32LE(p) === PT_LOAD && b.readUInt32LE(p + 16) > 0) lowest = Math.min(lowest, b.readUInt32LE(p + 12));
  }
  return Number.isFinite(lowest) ? lowest : fail('no loadable segment');
}
