// SMP over a serial line, mcumgr's console framing (Zephyr subsys/mgmt/mcumgr/transport/src/
// serial_util.c, mynewt-mcumgr's mgmt serial transport): [length u16 BE][message][CRC16 BE], where
// the length counts message and CRC and the CRC is CRC-16/XMODEM (poly 0x1021, init 0) of the
// message; base64 in lines of at most 127 bytes, 0x06 0x09 before the first and 0x04 0x14 before each
// further one, '\n' after each. Each line's base64 decodes on its own. The same format as the
// bootloader's ports/stm32f405/boot/smp_serial.c.

export const LINE_MAX_BYTES = 127;
/** raw packet bytes per line: 93 make 124 base64 characters */
export const LINE_RAW_BYTES = 93;
export const FIRST = Buffer.from([0x06, 0x09]);
export const MORE = Buffer.from([0x04, 0x14]);

export function crc16(data: Uint8Array, crc = 0): number {
  for (const byte of data) {
    crc ^= byte << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** One SMP message as the lines to write. */
export function encodeFrame(message: Uint8Array): Buffer {
  if (message.length + 2 > 0xffff)
    throw new RangeError(`message of ${message.length} bytes is too long for one packet`);
  const packet = Buffer.alloc(message.length + 4);
  packet.writeUInt16BE(message.length + 2, 0);
  packet.set(message, 2);
  packet.writeUInt16BE(crc16(message), 2 + message.length);
  const lines: Buffer[] = [];
  for (let at = 0; at < packet.length; at += LINE_RAW_BYTES) {
    lines.push(
      at ? MORE : FIRST,
      Buffer.from(packet.subarray(at, at + LINE_RAW_BYTES).toString('base64'), 'latin1'),
      Buffer.from('\n'),
    );
  }
  return Buffer.concat(lines);
}

export type FrameEvent =
  { kind: 'message'; message: Buffer } | { kind: 'text'; line: string } | { kind: 'bad'; why: string };

const B64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Splits what the port sends into SMP messages and console text lines (the bootloader's "boot: ..."
 * lines share the port). A packet whose CRC or length is wrong is reported, not delivered.
 */
export class FrameDecoder {
  private line: number[] = [];
  private packet: Buffer[] = [];
  private inPacket = false;

  push(chunk: Uint8Array): FrameEvent[] {
    const out: FrameEvent[] = [];
    for (const byte of chunk) {
      if (byte !== 0x0a) {
        if (this.line.length <= 4096) this.line.push(byte);
        continue;
      }
      const line = Buffer.from(this.line);
      this.line = [];
      const ev = this.takeLine(line.length && line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line);
      if (ev) out.push(ev);
    }
    return out;
  }

  private takeLine(line: Buffer): FrameEvent | undefined {
    const first = line[0] === 0x06 && line[1] === 0x09,
      more = line[0] === 0x04 && line[1] === 0x14;
    if (!first && !more) {
      this.inPacket = false;
      return { kind: 'text', line: line.toString('latin1') };
    }
    if (first) {
      this.packet = [];
      this.inPacket = true;
    }
    if (!this.inPacket) return { kind: 'bad', why: 'a continuation line without its first line' };
    const text = line.subarray(2).toString('latin1');
    if (line.length > LINE_MAX_BYTES || text.length % 4 || !B64_LINE.test(text)) {
      this.inPacket = false;
      return { kind: 'bad', why: 'a line that is not base64 of whole groups' };
    }
    this.packet.push(Buffer.from(text, 'base64'));
    const got = Buffer.concat(this.packet);
    if (got.length < 2) return undefined;
    const total = got.readUInt16BE(0);
    if (total < 2) {
      this.inPacket = false;
      return { kind: 'bad', why: `packet length ${total} is shorter than its CRC` };
    }
    if (got.length < total + 2) return undefined;
    this.inPacket = false;
    if (got.length > total + 2)
      return { kind: 'bad', why: `packet of ${got.length - 2} bytes, its length field says ${total}` };
    if (crc16(got.subarray(2)) !== 0) return { kind: 'bad', why: 'CRC mismatch' };
    return { kind: 'message', message: Buffer.from(got.subarray(2, total)) };
  }
}
