// ECDSA P-256 signing keys as PEM files, with node:crypto only. The key hash is MCUboot's: SHA-256 of
// the DER SubjectPublicKeyInfo (imgtool keys/ecdsa.py get_public_bytes), the form the bootloader embeds.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../boards/paths.js';

export const DEV_KEY_PATH = join(REPO_ROOT, 'keys', 'dev-signing-key.DEVELOPMENT-ONLY.pem');
export const DEV_PUB_KEY_PATH = join(REPO_ROOT, 'keys', 'dev-signing-key.DEVELOPMENT-ONLY.pub.pem');
const CURVE = 'prime256v1';

export class KeyError extends Error {}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new KeyError(`cannot read key ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function checkCurve(key: KeyObject, path: string): KeyObject {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== CURVE) {
    const what = key.asymmetricKeyType === 'ec' ? `EC ${key.asymmetricKeyDetails?.namedCurve}` : key.asymmetricKeyType;
    throw new KeyError(`${path} is a ${what} key; images are signed with ECDSA P-256 (prime256v1)`);
  }
  return key;
}

export function loadPrivateKey(path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(read(path));
  } catch (e) {
    if (e instanceof KeyError) throw e;
    throw new KeyError(`${path} is not a PEM private key`);
  }
  return checkCurve(key, path);
}

/** A public key from a public PEM, or the public half of a private PEM. */
export function loadPublicKey(path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(read(path));
  } catch (e) {
    if (e instanceof KeyError) throw e;
    throw new KeyError(`${path} is not a PEM public key`);
  }
  return checkCurve(key, path);
}

export function publicKeyDer(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'der' });
}

export function keyHash(key: KeyObject): Buffer {
  return createHash('sha256').update(publicKeyDer(key)).digest();
}

export function isDevelopmentKey(key: KeyObject): boolean {
  return keyHash(key).equals(keyHash(loadPublicKey(DEV_PUB_KEY_PATH)));
}

/** A new P-256 key pair as PEM: PKCS#8 private (as imgtool keygen writes it), SubjectPublicKeyInfo public. */
export function newKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: CURVE });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

/** Writes NAME.pem (mode 0600) and NAME.pub.pem; refuses if either exists. */
export function writeKeyPair(name: string): { privatePath: string; publicPath: string; hash: Buffer } {
  const privatePath = `${name}.pem`;
  const publicPath = `${name}.pub.pem`;
  for (const p of [privatePath, publicPath])
    if (existsSync(p)) throw new KeyError(`${p} exists; refusing to overwrite a key`);
  const { privatePem, publicPem } = newKeyPair();
  // 'wx' fails if the file appeared meanwhile: a key is never overwritten
  writeFileSync(privatePath, privatePem, { flag: 'wx', mode: 0o600 });
  writeFileSync(publicPath, publicPem, { flag: 'wx', mode: 0o644 });
  return { privatePath, publicPath, hash: keyHash(createPublicKey(publicPem)) };
}
