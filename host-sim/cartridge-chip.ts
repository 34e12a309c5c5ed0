// A cartridge's ID chip as the pen reads it: type, needles, needle length, lot, serial, a one-way
// "used" byte, and a tag = first 16 bytes of HMAC-SHA256(cartridge maker's key, bytes 0-15).
// Layout in assembly/cartridge.ts.
import { createHmac } from 'node:crypto';
import { Board } from '../boards/board.js';

export const CHIP_BYTES = 48;
export const USED_ADDR = 16;

export interface ChipSpec {
  type: string;
  serial: number;
  lot: number;
  used?: boolean;
  forged?: boolean;
  lengthUm?: number;
}

export class CartridgeChip {
  readonly bytes = new Uint8Array(CHIP_BYTES);

  constructor(board: Board, spec: ChipSpec, makerKey: Buffer) {
    const index = board.cartridges.findIndex((c) => c.type === spec.type);
    if (index < 0)
      throw new Error(
        `unknown cartridge "${spec.type}" for board ${board.name}: valid types are ${board.cartridges.map((c) => c.type).join(', ')}`,
      );
    const c = board.cartridges[index];
    const b = this.bytes;
    b[0] = 1;
    b[1] = index + 1;
    b[2] = c.needles;
    const len = spec.lengthUm ?? c.max_depth_um;
    b[4] = len & 0xff;
    b[5] = len >> 8;
    new DataView(b.buffer).setUint32(8, spec.lot >>> 0, true);
    new DataView(b.buffer).setUint32(12, spec.serial >>> 0, true);
    b[USED_ADDR] = spec.used ? 0x00 : 0xff;
    const tag = createHmac('sha256', makerKey).update(b.subarray(0, 16)).digest().subarray(0, 16);
    b.set(tag, 32);
    if (spec.forged) b[32] ^= 0x5a; // a copy without the maker's key cannot make the tag
  }

  read(addr: number): number {
    return addr >= 0 && addr < CHIP_BYTES ? this.bytes[addr] : -1;
  }

  /** Only the used byte takes writes, and only bits going from 1 to 0 (one-time). */
  write(addr: number, value: number): number {
    if (addr !== USED_ADDR || (~this.bytes[addr] & value & 0xff) !== 0) return -2;
    this.bytes[addr] &= value;
    return 0;
  }

  get used(): boolean {
    return this.bytes[USED_ADDR] !== 0xff;
  }
  get serial(): number {
    return new DataView(this.bytes.buffer).getUint32(12, true);
  }
}
