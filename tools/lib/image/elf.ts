// The address the first byte of `objcopy -O binary` output is linked at: the lowest load (physical)
// address of an allocated section with contents, as objcopy takes it (ELF spec: section and program
// header tables). A segment's own start is not enough: ld may put the ELF headers at the start of the
// first loadable segment, below the first section (a slot build, linked 0x200 into its page, has them).
import { readFileSync } from 'node:fs';

const PT_LOAD = 1;
const SHT_NOBITS = 8;
const SHF_ALLOC = 2;

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
  const loads: { offset: number; paddr: number; filesz: number }[] = [];
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (b.readUInt32LE(p) === PT_LOAD && b.readUInt32LE(p + 16) > 0)
      loads.push({ offset: b.readUInt32LE(p + 4), paddr: b.readUInt32LE(p + 12), filesz: b.readUInt32LE(p + 16) });
  }
  const shoff = b.readUInt32LE(0x20);
  const shentsize = b.readUInt16LE(0x2e);
  const shnum = b.readUInt16LE(0x30);
  if (shnum && (shentsize < 40 || shoff + shnum * shentsize > b.length)) fail('section header table out of the file');
  let lowest = Infinity;
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    const [type, flags, offset, size] = [
      b.readUInt32LE(sh + 4),
      b.readUInt32LE(sh + 8),
      b.readUInt32LE(sh + 16),
      b.readUInt32LE(sh + 20),
    ];
    if (!(flags & SHF_ALLOC) || type === SHT_NOBITS || size === 0) continue;
    const seg = loads.find((l) => offset >= l.offset && offset < l.offset + l.filesz);
    if (seg) lowest = Math.min(lowest, seg.paddr + (offset - seg.offset));
  }
  if (!shnum) for (const l of loads) lowest = Math.min(lowest, l.paddr); // stripped of sections: the segments' starts
  return Number.isFinite(lowest) ? lowest : fail('no loadable segment');
}
