// The pen's crypto engine (HAL crypto_*, docs/hal-abi.md "Crypto"): SHA-256 hashes and ECDSA P-256
// checks with keys the key store holds or the module imported, run asynchronously: an operation's
// result is there a modelled latency after its start, as a port's background slice would give it.
import { createHash, KeyObject } from 'node:crypto';
import { HalImports, HalPart } from '../hal.js';
import { SimClock } from '../clock.js';
import { CRYPTO_MAX_MESSAGE_BYTES, CRYPTO_MAX_OPERATIONS, CRYPTO_VOLATILE_KEYS } from '../../abi/pen-abi.js';
import { P256_PUBLIC_BYTES, P256_SIGNATURE_BYTES, publicKeyFromRaw, verifyP256 } from '../keys.js';
import {
  CRYPTO_E_BAD_ARGUMENT,
  CRYPTO_E_BAD_HANDLE,
  CRYPTO_E_BAD_SIGNATURE,
  CRYPTO_E_BUSY,
  CRYPTO_E_MALFORMED_KEY,
  CRYPTO_E_NO_KEY,
  CRYPTO_OK,
  CRYPTO_PENDING,
  KEY_ID_VOLATILE,
  KeyStore,
  UsableKey,
  blankReason,
} from './key-store.js';

/** How long each operation takes before its result is there (ms of the step timer's clock). */
export interface CryptoLatency {
  /** an ECDSA P-256 check (mbedTLS on a 168 MHz Cortex-M4: tens of milliseconds) */
  verifyEcdsaMs: number;
  /** a SHA-256 hash of at most 256 bytes */
  hashMs: number;
}
export const CRYPTO_LATENCY: CryptoLatency = { verifyEcdsaMs: 25, hashMs: 1 };

interface Operation {
  doneAtTicks: number;
  result: number;
  digest?: Buffer;
}

export class CryptoEngine implements HalPart {
  private ops = new Map<number, Operation>();
  private volatile: (KeyObject | undefined)[] = [];
  private nextHandle = 1;
  /** operations started since power-up, for tests */
  started = 0;

  /** `memory` gives the running module's linear memory (a new one at each boot). */
  constructor(
    private readonly keys: KeyStore,
    private readonly clock: SimClock,
    private readonly memory: () => Uint8Array,
    readonly latency: CryptoLatency = CRYPTO_LATENCY,
  ) {}

  /** The import object for one boot: a reset cancels every operation and destroys every volatile key. */
  imports(): HalImports {
    this.ops.clear();
    this.volatile = new Array<KeyObject | undefined>(CRYPTO_VOLATILE_KEYS).fill(undefined);
    return {
      crypto_key_status: (id: number): number => this.keyStatus(id),
      crypto_key_import: (pubPtr: number): number => this.importKey(pubPtr),
      crypto_key_destroy: (id: number): void => this.destroyKey(id),
      crypto_hash_start: (msgPtr: number, msgLen: number): number => this.hashStart(msgPtr, msgLen),
      crypto_verify_start: (id: number, msgPtr: number, msgLen: number, sigPtr: number): number =>
        this.verifyStart(id, msgPtr, msgLen, sigPtr),
      crypto_poll: (h: number): number => this.poll(h),
      crypto_output: (h: number, index: number): number => this.output(h, index),
      crypto_cancel: (h: number): void => {
        this.ops.delete(h);
      },
    };
  }

  /** Operations open now (pending or finished, not yet cancelled). */
  get openOperations(): number {
    return this.ops.size;
  }
  /** Volatile key slots in use now. */
  get importedKeys(): number {
    return this.volatile.filter((k) => k).length;
  }

  private keyStatus(id: number): number {
    const v = this.volatileSlot(id);
    if (v !== undefined) return this.volatile[v] ? CRYPTO_OK : CRYPTO_E_NO_KEY;
    return this.keys.status(id);
  }

  private importKey(pubPtr: number): number {
    const raw = this.read(pubPtr, P256_PUBLIC_BYTES);
    if (!raw) return CRYPTO_E_BAD_ARGUMENT;
    const key = blankReason(raw) === CRYPTO_OK ? publicKeyFromRaw(raw) : undefined;
    if (!key) return CRYPTO_E_MALFORMED_KEY;
    const slot = this.volatile.findIndex((k) => !k);
    if (slot < 0) return CRYPTO_E_BUSY;
    this.volatile[slot] = key;
    return KEY_ID_VOLATILE + slot;
  }

  private destroyKey(id: number): void {
    const v = this.volatileSlot(id);
    if (v !== undefined) this.volatile[v] = undefined;
  }

  private hashStart(msgPtr: number, msgLen: number): number {
    const msg = this.message(msgPtr, msgLen);
    if (!msg) return CRYPTO_E_BAD_ARGUMENT;
    return this.open(this.latency.hashMs, CRYPTO_OK, createHash('sha256').update(msg).digest());
  }

  private verifyStart(id: number, msgPtr: number, msgLen: number, sigPtr: number): number {
    const key = this.usable(id);
    if (typeof key === 'number') return key;
    const msg = this.message(msgPtr, msgLen);
    const sig = this.read(sigPtr, P256_SIGNATURE_BYTES);
    if (!msg || !sig) return CRYPTO_E_BAD_ARGUMENT;
    const ok = verifyP256(key.key, msg, sig);
    return this.open(this.latency.verifyEcdsaMs, ok ? CRYPTO_OK : CRYPTO_E_BAD_SIGNATURE);
  }

  private poll(h: number): number {
    const op = this.ops.get(h);
    if (!op) return CRYPTO_E_BAD_HANDLE;
    return this.clock.tTicks < op.doneAtTicks ? CRYPTO_PENDING : op.result;
  }

  private output(h: number, index: number): number {
    const op = this.ops.get(h);
    if (!op?.digest || this.clock.tTicks < op.doneAtTicks || index < 0 || index > 7) return 0;
    return op.digest.readInt32BE(index * 4);
  }

  private usable(id: number): UsableKey | number {
    const v = this.volatileSlot(id);
    if (v === undefined) return this.keys.usable(id);
    const key = this.volatile[v];
    return key ? { kind: 'p256-public', key } : CRYPTO_E_NO_KEY;
  }

  private open(latencyMs: number, result: number, digest?: Buffer): number {
    if (this.ops.size >= CRYPTO_MAX_OPERATIONS) return CRYPTO_E_BUSY;
    const h = this.nextHandle;
    this.nextHandle = this.nextHandle >= 0x7fffffff ? 1 : this.nextHandle + 1;
    this.ops.set(h, { doneAtTicks: this.clock.tTicks + this.clock.ticks(latencyMs), result, digest });
    this.started++;
    return h;
  }

  private volatileSlot(id: number): number | undefined {
    const v = id - KEY_ID_VOLATILE;
    return v >= 0 && v < CRYPTO_VOLATILE_KEYS ? v : undefined;
  }

  private message(ptr: number, len: number): Buffer | undefined {
    return len >= 0 && len <= CRYPTO_MAX_MESSAGE_BYTES ? this.read(ptr, len) : undefined;
  }

  /** A copy of `len` bytes of the module's memory at `ptr`, or undefined when they are not all inside. */
  private read(ptr: number, len: number): Buffer | undefined {
    const mem = this.memory();
    if (ptr < 0 || len < 0 || ptr + len > mem.length) return undefined;
    return Buffer.from(mem.subarray(ptr, ptr + len));
  }
}
