// Intel HEX (I8HEX with 32-bit extended linear addresses, record types 00, 01, 04, 05), the form
// flashers such as STM32CubeProgrammer and OpenOCD take with the address inside the file.
const BYTES_PER_RECORD = 16;

function record(type: number, address16: number, data: Uint8Array): string {
  const bytes = [data.length, (address16 >> 8) & 0xff, address16 & 0xff, type, ...data];
  const sum = bytes.reduce((a, x) => a + x, 0);
  const checksum = (0x100 - (sum & 0xff)) & 0xff;
  return ':' + [...bytes, checksum].map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join('');
}

/** `data` placed at `baseAddress`; a record never crosses a 64 KiB boundary. `startAddress` adds a type 05 record. */
export function toIntelHex(data: Uint8Array, baseAddress: number, startAddress?: number): string {
  if (!Number.isInteger(baseAddress) || baseAddress < 0 || baseAddress + data.length > 0x100000000) {
    throw new RangeError(`${data.length} bytes at 0x${baseAddress.toString(16)} do not fit a 32-bit address space`);
  }
  const lines: string[] = [];
  let upper = -1;
  let i = 0;
  while (i < data.length) {
    const addr = baseAddress + i;
    const hi = Math.floor(addr / 0x10000);
    if (hi !== upper) {
      lines.push(record(0x04, 0, Uint8Array.of(hi >> 8, hi & 0xff)));
      upper = hi;
    }
    const lo = addr & 0xffff;
    const n = Math.min(BYTES_PER_RECORD, data.length - i, 0x10000 - lo);
    lines.push(record(0x00, lo, data.subarray(i, i + n)));
    i += n;
  }
  if (startAddress !== undefined) {
    lines.push(
      record(
        0x05,
        0,
        Uint8Array.of(
          startAddress >>> 24,
          (startAddress >>> 16) & 0xff,
          (startAddress >>> 8) & 0xff,
          startAddress & 0xff,
        ),
      ),
    );
  }
  lines.push(record(0x01, 0, new Uint8Array(0)));
  return lines.join('\n') + '\n';
}
