// Keys provisioned in the pen (its OTP), used by reference: the crypto part (crypto.ts) checks with them
// and answers crypto_key_status; no import hands out their bytes. The pen holds public keys only: no
// secret shared with other pens or with clinic tools.
import { publicKeyFromRaw } from '../keys.js';
import { KeyObject } from 'node:crypto';
import { CRYPTO_KEYS, CRYPTO_RESULTS } from '../../abi/pen-abi.js';

/** How the pen's key storage was left at the factory: written, or erased (all ones), or all zeros. */
export type KeyProvisioning = 'provisioned' | 'unprovisioned' | 'zero';
export const KEY_PROVISIONINGS: readonly KeyProvisioning[] = ['provisioned', 'unprovisioned', 'zero'];

/** A usable key as the crypto part needs it: every key the pen holds verifies ECDSA P-256 / SHA-256. */
export type UsableKey = { kind: 'p256-public'; key: KeyObject };

const code = (name: string): number => CRYPTO_RESULTS.find((c) => c.name === name)!.code;
export const CRYPTO_OK = code('ok');
export const CRYPTO_PENDING = code('pending');
export const CRYPTO_E_BAD_SIGNATURE = code('bad_signature');
export const CRYPTO_E_NO_KEY = code('no_key');
export const CRYPTO_E_UNPROVISIONED = code('unprovisioned');
export const CRYPTO_E_ZERO_KEY = code('zero_key');
export const CRYPTO_E_MALFORMED_KEY = code('malformed_key');
export const CRYPTO_E_BAD_ARGUMENT = code('bad_argument');
export const CRYPTO_E_BUSY = code('busy');
export const CRYPTO_E_BAD_HANDLE = code('bad_handle');
export const CRYPTO_E_RNG_HEALTH = code('rng_health');

const keyId = (name: string): number => CRYPTO_KEYS.find((c) => c.name === name)!.code;
export const KEY_ID_CARTRIDGE_MAKER = keyId('cartridge_maker');
export const KEY_ID_LICENCE_MAKER = keyId('licence_maker');
export const KEY_ID_VOLATILE = keyId('volatile');

export interface KeyStoreOptions {
  /** the maker's cartridge certification public key, 64 bytes X||Y: KEY_ID_CARTRIDGE_MAKER */
  cartridgeMakerPublic: Buffer;
  /** the maker's licence public key, 64 bytes X||Y: KEY_ID_LICENCE_MAKER */
  licenceMakerPublic: Buffer;
  provisioning?: KeyProvisioning;
}

export class KeyStore {
  /** the key storage as the pen's OTP holds it, by key ID: P-256 public keys, 64 bytes X||Y */
  private readonly stored = new Map<number, Buffer>();

  constructor(opts: KeyStoreOptions) {
    const as = (b: Buffer): Buffer => {
      const p = opts.provisioning ?? 'provisioned';
      return p === 'provisioned' ? Buffer.from(b) : Buffer.alloc(b.length, p === 'zero' ? 0 : 0xff);
    };
    this.stored.set(KEY_ID_CARTRIDGE_MAKER, as(opts.cartridgeMakerPublic));
    this.stored.set(KEY_ID_LICENCE_MAKER, as(opts.licenceMakerPublic));
  }

  /** crypto_key_status of a provisioned key: CRYPTO_OK or why it cannot be used. */
  status(id: number): number {
    const r = this.usable(id);
    return typeof r === 'number' ? r : CRYPTO_OK;
  }

  /** The key to check with, or the CRYPTO_E_* reason it cannot be used. */
  usable(id: number): UsableKey | number {
    const s = this.stored.get(id);
    if (!s) return CRYPTO_E_NO_KEY;
    const reason = blankReason(s);
    if (reason !== CRYPTO_OK) return reason;
    const key = publicKeyFromRaw(s);
    return key ? { kind: 'p256-public', key } : CRYPTO_E_MALFORMED_KEY;
  }

  /** Every key byte string the pen holds: none may show up in the module's memory. */
  heldBytes(): Buffer[] {
    return [...this.stored.values()];
  }
}

/** unprovisioned for erased storage (all ones), zero_key for all zeros, else ok. */
export function blankReason(bytes: Uint8Array): number {
  if (bytes.every((b) => b === 0xff)) return CRYPTO_E_UNPROVISIONED;
  if (bytes.every((b) => b === 0)) return CRYPTO_E_ZERO_KEY;
  return CRYPTO_OK;
}
