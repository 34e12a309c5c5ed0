// Keys provisioned in the pen (its OTP), used by reference: the crypto part (crypto.ts) checks with them
// and answers crypto_key_status; no crypto import hands out their bytes. key_word is the older import
// that reads the 256-bit HMAC secrets word by word, kept while firmware still asks for it.
import { HalImports, HalPart } from '../hal.js';
import { keyWord, publicKeyFromRaw } from '../keys.js';
import { KeyObject } from 'node:crypto';
import { CRYPTO_KEYS, CRYPTO_RESULTS, KEYS } from '../../abi/pen-abi.js';

/** How the pen's key storage was left at the factory: written, or erased (all ones), or all zeros. */
export type KeyProvisioning = 'provisioned' | 'unprovisioned' | 'zero';
export const KEY_PROVISIONINGS: readonly KeyProvisioning[] = ['provisioned', 'unprovisioned', 'zero'];

export type KeyKind = 'p256-public' | 'mac-secret';

/** A usable key as the crypto part needs it. */
export type UsableKey = { kind: 'p256-public'; key: KeyObject } | { kind: 'mac-secret'; key: Buffer };

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
export const KEY_ID_CLINIC_MAC = keyId('clinic_mac');
export const KEY_ID_VOLATILE = keyId('volatile');

const KEY_CLINIC = KEYS.find((k) => k.name === 'clinic')!.code;
const KEY_CARTRIDGE = KEYS.find((k) => k.name === 'cartridge')!.code;

export interface KeyStoreOptions {
  /** the clinic's HMAC secret (32 bytes): KEY_ID_CLINIC_MAC, and key_word's key 0 */
  clinicKey: Buffer;
  /** the maker's older cartridge HMAC secret (32 bytes): key_word's key 1 */
  cartridgeKey: Buffer;
  /** the maker's cartridge certification public key, 64 bytes X||Y: KEY_ID_CARTRIDGE_MAKER */
  cartridgeMakerPublic: Buffer;
  /** the maker's licence public key, 64 bytes X||Y: KEY_ID_LICENCE_MAKER */
  licenceMakerPublic: Buffer;
  provisioning?: KeyProvisioning;
}

export class KeyStore implements HalPart {
  /** the key storage as the pen's OTP holds it, by key ID */
  private readonly stored = new Map<number, { kind: KeyKind; bytes: Buffer }>();
  private readonly legacy = new Map<number, Buffer>();

  constructor(opts: KeyStoreOptions) {
    const as = (b: Buffer): Buffer => {
      const p = opts.provisioning ?? 'provisioned';
      return p === 'provisioned' ? Buffer.from(b) : Buffer.alloc(b.length, p === 'zero' ? 0 : 0xff);
    };
    this.stored.set(KEY_ID_CARTRIDGE_MAKER, { kind: 'p256-public', bytes: as(opts.cartridgeMakerPublic) });
    this.stored.set(KEY_ID_LICENCE_MAKER, { kind: 'p256-public', bytes: as(opts.licenceMakerPublic) });
    this.stored.set(KEY_ID_CLINIC_MAC, { kind: 'mac-secret', bytes: as(opts.clinicKey) });
    this.legacy.set(KEY_CLINIC, as(opts.clinicKey));
    this.legacy.set(KEY_CARTRIDGE, as(opts.cartridgeKey));
  }

  imports(): HalImports {
    return { key_word: (key: number, index: number): number => this.word(key, index) };
  }

  /** key_word: word `index` of an HMAC secret (key 0 clinic, 1 cartridge), 0 for no such key. */
  word(key: number, index: number): number {
    const k = this.legacy.get(key);
    return k ? keyWord(k, index) : 0;
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
    const reason = blankReason(s.bytes);
    if (reason !== CRYPTO_OK) return reason;
    if (s.kind === 'mac-secret') return { kind: s.kind, key: s.bytes };
    const key = publicKeyFromRaw(s.bytes);
    return key ? { kind: s.kind, key } : CRYPTO_E_MALFORMED_KEY;
  }

  /** Every key byte string the pen holds (secrets and public keys): none may show up in the module's memory. */
  heldBytes(): Buffer[] {
    return [...[...this.stored.values()].map((s) => s.bytes), ...this.legacy.values()];
  }
}

/** unprovisioned for erased storage (all ones), zero_key for all zeros, else ok. */
export function blankReason(bytes: Uint8Array): number {
  if (bytes.every((b) => b === 0xff)) return CRYPTO_E_UNPROVISIONED;
  if (bytes.every((b) => b === 0)) return CRYPTO_E_ZERO_KEY;
  return CRYPTO_OK;
}
