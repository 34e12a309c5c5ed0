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
