// A cartridge's ID chip as a secure ECDSA authenticator (the kind sold for medical disposables): a
// per-chip P-256 key pair whose private half never leaves the chip, the maker's certificate over the
// cartridge's data and the chip's public key, a challenge the chip signs with its use counter, and a
// use counter that only counts up. A copy of a chip has its memory and certificate, never its key.
//
// Memory map (format 2, bytes; the pen reads and writes it with cartridge_read / cartridge_write):
//   0 format (2), 1 type code (1-based index in the board's cartridge list), 2 needles,
//   4-5 needle length um (LE), 8-11 lot (LE), 12-15 serial (LE)
//   16-79 the chip's public key X||Y (P-256, big-endian)
//   80-143 certificate: the maker's ECDSA P-256 / SHA-256 signature r||s over bytes 0-79
//   144-147 use counter (LE, read-only: only the increment command changes it, and only up)
//   148 status: 0 idle, 1 busy signing, 2 response ready, 3 error (no challenge written)
//   160-191 challenge (written by the pen)
//   192 command (write): 1 sign the challenge, 2 count one use
//   196-199 signed use counter (LE), 200-263 response: the chip's signature r||s over
//   challenge (32) || serial (4, LE) || use counter (4, LE); 0xFF until ready
import { KeyObject, createPrivateKey } from 'node:crypto';
import { Board } from '../boards/board.js';
import { p256KeyFromSeed, rawPublicKey, signP256 } from './keys.js';

export const CHIP_FORMAT = 2;
export const CHIP_BYTES = 264;
export const DATA_BYTES = 16;
export const PUBKEY_ADDR = 16;
export const CERT_ADDR = 80;
export const COUNTER_ADDR = 144;
export const STATUS_ADDR = 148;
export const CHALLENGE_ADDR = 160;
export const CHALLENGE_BYTES = 32;
export const COMMAND_ADDR = 192;
export const RESPONSE_COUNTER_ADDR = 196;
export const RESPONSE_ADDR = 200;

export const CMD_SIGN = 1;
export const CMD_COUNT_USE = 2;
export const STATUS_IDLE = 0;
export const STATUS_BUSY = 1;
export const STATUS_READY = 2;
export const STATUS_ERROR = 3;

/** How long the chip takes to sign a challenge (ECDSA P-256 in a secure authenticator: tens of ms). */
export const CHIP_SIGN_MS = 40;
/** Time to let the pen check a freshly fitted chip: read, certificate, challenge, response (ms). */
export const CARTRIDGE_CHECK_MS = 200;

export const CHIP_FILE_FORMAT = 'pen-cartridge-chip/1';

/** A test chip file: what `pen cartridge make` writes (JSON). */
export interface ChipFile {
  format: string;
  type: string;
  serial: number;
  lot: number;
  uses: number;
  /** bytes 0-147 (data, public key, certificate, counter), hex */
  memory: string;
  /** the chip's private key (PEM): a real chip never gives it out; a test chip file carries it so that a
   * simulator can answer challenges as the chip would */
  chip_key: string;
}

export interface ChipSpec {
  type: string;
  serial: number;
  lot: number;
  /** used once already: its use counter is 1 */
  used?: boolean;
  /** its use counter (overrides `used`) */
  uses?: number;
  /** a counterfeit: a genuine chip's memory and certificate, but the counterfeiter's own key */
  forged?: boolean;
  /** certified by a maker key other than the pen's (another maker's, or a counterfeiter's own) */
  otherMaker?: boolean;
  lengthUm?: number;
}

export class CartridgeChip {
  readonly bytes = new Uint8Array(CHIP_BYTES).fill(0xff);
  private uses: number;
  private readyAtMs = 0;

  /** the key the chip signs with: its own, or a counterfeiter's */
  private readonly key: KeyObject;

  /** `maker` signs the certificate; the chip's key pair is derived from its data: the same spec is the same chip. */
  constructor(
    board: Board,
    readonly spec: ChipSpec,
    maker: KeyObject,
  ) {
    const certified = p256KeyFromSeed(`chip ${spec.type}/${spec.lot}/${spec.serial}`);
    this.key = spec.forged ? p256KeyFromSeed(`counterfeit of ${spec.serial}`) : certified;
    const index = board.cartridges.findIndex((c) => c.type === spec.type);
    if (index < 0)
      throw new Error(
        `unknown cartridge "${spec.type}" for board ${board.name}: valid types are ${board.cartridges.map((c) => c.type).join(', ')}`,
      );
    const c = board.cartridges[index];
    const b = this.bytes;
    b.fill(0, 0, DATA_BYTES);
    b[0] = CHIP_FORMAT;
    b[1] = index + 1;
    b[2] = c.needles;
    const len = spec.lengthUm ?? c.max_depth_um;
    b[4] = len & 0xff;
    b[5] = len >> 8;
    const v = new DataView(b.buffer);
    v.setUint32(8, spec.lot >>> 0, true);
    v.setUint32(12, spec.serial >>> 0, true);
    b.set(rawPublicKey(certified), PUBKEY_ADDR);
    const signer = spec.otherMaker ? p256KeyFromSeed('another maker') : maker;
    b.set(signP256(signer, b.subarray(0, CERT_ADDR)), CERT_ADDR);
    this.uses = spec.uses ?? (spec.used ? 1 : 0);
    this.bytes[STATUS_ADDR] = STATUS_IDLE; // a chip comes up idle, as one read back from its file does
    this.showUses();
  }

  /** A test chip file (`pen cartridge make`): the chip's memory and use counter, and its private key. */
  toFile(): ChipFile {
    return {
      format: CHIP_FILE_FORMAT,
      type: this.spec.type,
      serial: this.serial,
      lot: this.lot,
      uses: this.uses,
      memory: Buffer.from(this.bytes.subarray(0, STATUS_ADDR)).toString('hex'),
      chip_key: this.key.export({ type: 'pkcs8', format: 'pem' }) as string,
    };
  }

  /** The chip a test chip file describes. */
  static fromFile(f: ChipFile): CartridgeChip {
    if (f.format !== CHIP_FILE_FORMAT) throw new Error(`not a test cartridge chip file (format ${String(f.format)})`);
    const memory = Buffer.from(f.memory, 'hex');
    if (memory.length !== STATUS_ADDR)
      throw new Error(`chip memory of ${memory.length} bytes, expected ${STATUS_ADDR}`);
    const c = Object.create(CartridgeChip.prototype) as CartridgeChip;
    const bytes = new Uint8Array(CHIP_BYTES).fill(0xff);
    bytes.set(memory);
    bytes[STATUS_ADDR] = STATUS_IDLE;
    Object.assign(c, {
      bytes,
      spec: { type: f.type, serial: f.serial, lot: f.lot },
      key: createPrivateKey(f.chip_key),
      uses: f.uses,
      readyAtMs: 0,
    });
    c.showUses();
    return c;
  }

  /**
   * A copy of this chip as a chip programmer makes it: the same memory and certificate, the use
   * counter as the copier likes it, and a key of the copier's own, since the chip's never leaves it.
   */
  copy(opts: { resetUse: boolean }): CartridgeChip {
    const c = Object.create(CartridgeChip.prototype) as CartridgeChip;
    Object.assign(c, {
      bytes: Uint8Array.from(this.bytes),
      spec: this.spec,
      key: p256KeyFromSeed(`copier of ${this.serial}`),
      uses: opts.resetUse ? 0 : this.uses,
      readyAtMs: 0,
    });
    c.bytes.fill(0xff, STATUS_ADDR, CHIP_BYTES);
    c.bytes[STATUS_ADDR] = STATUS_IDLE;
    c.showUses();
    return c;
  }

  /** A byte of the chip at time `nowMs`, -1 outside its memory. */
  read(addr: number, nowMs: number): number {
    if (addr < 0 || addr >= CHIP_BYTES) return -1;
    if (addr === STATUS_ADDR && this.bytes[addr] === STATUS_BUSY && nowMs >= this.readyAtMs)
      this.bytes[addr] = STATUS_READY;
    if (addr >= RESPONSE_COUNTER_ADDR && this.bytes[STATUS_ADDR] !== STATUS_READY) return 0xff;
    return this.bytes[addr];
  }

  /** The pen writes the challenge or a command; every other byte is read-only (-2). */
  write(addr: number, value: number, nowMs: number): number {
    if (addr >= CHALLENGE_ADDR && addr < CHALLENGE_ADDR + CHALLENGE_BYTES) {
      this.bytes[addr] = value & 0xff;
      return 0;
    }
    if (addr !== COMMAND_ADDR) return -2;
    if (value === CMD_SIGN) {
      this.sign(nowMs);
      return 0;
    }
    if (value === CMD_COUNT_USE) {
      if (this.uses >= 0xffffffff) return -2;
      this.uses++;
      this.showUses();
      return 0;
    }
    return -2;
  }

  private sign(nowMs: number): void {
    const msg = Buffer.alloc(CHALLENGE_BYTES + 8);
    msg.set(this.bytes.subarray(CHALLENGE_ADDR, CHALLENGE_ADDR + CHALLENGE_BYTES), 0);
    msg.writeUInt32LE(this.serial, CHALLENGE_BYTES);
    msg.writeUInt32LE(this.uses, CHALLENGE_BYTES + 4);
    new DataView(this.bytes.buffer).setUint32(RESPONSE_COUNTER_ADDR, this.uses, true);
    this.bytes.set(signP256(this.key, msg), RESPONSE_ADDR);
    this.bytes[STATUS_ADDR] = STATUS_BUSY;
    this.readyAtMs = nowMs + CHIP_SIGN_MS;
  }

  private showUses(): void {
    new DataView(this.bytes.buffer).setUint32(COUNTER_ADDR, this.uses, true);
  }

  /** The chip's private scalar: what only the chip (and the simulator) knows. */
  get privateKey(): KeyObject {
    return this.key;
  }
  get useCount(): number {
    return this.uses;
  }
  get used(): boolean {
    return this.uses > 0;
  }
  get serial(): number {
    return new DataView(this.bytes.buffer).getUint32(12, true);
  }
  get lot(): number {
    return new DataView(this.bytes.buffer).getUint32(8, true);
  }
}

// ---- On the wire (docs/cartridge-chip.md, "On the wire") -------------------------------------------------
// The chip's I2C command level, as a pen's driver speaks it: a command frame (command, length, payload,
// CRC-16) in one write, then after the command's time the answer frame (length, result, data, CRC-16) in
// one read; the chip NACKs its address while it works. Each command goes through the byte view above, so
// the wire adds framing and timing and changes nothing the chip does.

export const CHIP_I2C_ADDRESS = 0x1b;
export const WIRE_READ_MEMORY = 0x44;
export const WIRE_SIGN = 0xa5;
export const WIRE_COUNT_USE = 0xc9;
export const WIRE_OK = 0xaa;
export const WIRE_BAD_CRC = 0x33;
export const WIRE_BAD_COMMAND = 0x55;
export const WIRE_REFUSED = 0x22;
/** the most bytes one Read Memory command returns */
export const WIRE_READ_MAX_BYTES = 32;
/** how long the chip works on each command (it NACKs its address meanwhile), ms */
export const WIRE_READ_MS = 1;
export const WIRE_SIGN_MS = CHIP_SIGN_MS;
export const WIRE_COUNT_MS = 5;

/** CRC-16/ARC (polynomial 0x8005 reflected, initial 0, sent low byte first): "123456789" gives 0xBB3D. */
export function crc16(bytes: Uint8Array | number[]): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** A frame: `head` (the command and its length, or the answer's length), then `body`, then the CRC-16 of both. */
export function wireFrame(head: number[], body: Uint8Array | number[]): Uint8Array {
  const f = [...head, ...body];
  const crc = crc16(f);
  return Uint8Array.from([...f, crc & 0xff, crc >> 8]);
}

/** A chip's I2C interface; a new one for each fitting (taking the cartridge off powers the chip down). */
export class ChipWire {
  private busyUntilMs = -Infinity;
  /** what the last command gives: the result code and data (a sign's data are read when it is done) */
  private answer: number[] = [WIRE_BAD_COMMAND];
  private signing = false;

  constructor(readonly chip: CartridgeChip) {}

  /** An I2C write of `frame` at `nowMs` (empty: the address alone). False: the chip NACKed its address. */
  write(frame: Uint8Array, nowMs: number): boolean {
    if (nowMs < this.busyUntilMs) return false;
    if (frame.length === 0) return true;
    this.signing = false;
    const n = frame[1];
    if (frame.length !== n + 4 || crc16(frame.subarray(0, n + 2)) !== (frame[n + 2] | (frame[n + 3] << 8))) {
      this.answer = [WIRE_BAD_CRC];
      return true;
    }
    const payload = frame.subarray(2, 2 + n);
    switch (frame[0]) {
      case WIRE_READ_MEMORY: {
        const addr = payload[0] | (payload[1] << 8);
        const count = payload[2];
        if (n !== 3 || count < 1 || count > WIRE_READ_MAX_BYTES || addr + count > CHIP_BYTES) break;
        this.answer = [WIRE_OK];
        for (let i = 0; i < count; i++) this.answer.push(this.chip.read(addr + i, nowMs));
        this.busyUntilMs = nowMs + WIRE_READ_MS;
        return true;
      }
      case WIRE_SIGN:
        if (n !== CHALLENGE_BYTES) break;
        for (let i = 0; i < CHALLENGE_BYTES; i++) this.chip.write(CHALLENGE_ADDR + i, payload[i], nowMs);
        this.chip.write(COMMAND_ADDR, CMD_SIGN, nowMs);
        this.signing = true;
        this.busyUntilMs = nowMs + WIRE_SIGN_MS;
        return true;
      case WIRE_COUNT_USE: {
        if (n !== 0) break;
        const r = this.chip.write(COMMAND_ADDR, CMD_COUNT_USE, nowMs);
        const c = this.chip.useCount;
        this.answer = r === 0 ? [WIRE_OK, c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24] : [WIRE_REFUSED];
        this.busyUntilMs = nowMs + WIRE_COUNT_MS;
        return true;
      }
    }
    this.answer = [WIRE_BAD_COMMAND];
    return true;
  }

  /** An I2C read of `n` bytes at `nowMs`: the answer frame, then 0xFF; undefined: the chip NACKed (busy). */
  read(n: number, nowMs: number): Uint8Array | undefined {
    if (nowMs < this.busyUntilMs) return undefined;
    if (this.signing && this.chip.read(STATUS_ADDR, nowMs) === STATUS_READY) {
      this.signing = false;
      this.answer = [WIRE_OK];
      for (let a = RESPONSE_COUNTER_ADDR; a < CHIP_BYTES; a++) this.answer.push(this.chip.read(a, nowMs));
    }
    const frame = wireFrame([this.answer.length], this.answer);
    const out = new Uint8Array(n).fill(0xff);
    out.set(frame.subarray(0, n));
    return out;
  }
}
