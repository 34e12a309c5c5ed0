// Checks an image as the bootloader will: structure, then the hash, the key, the signature, and only
// then what the signed TLVs claim (board, HAL ABI, slot).
import { createHash, verify, KeyObject } from 'node:crypto';
import type { Board } from '../../../boards/board.js';
import { ImageError, hex32 } from './format.js';
import { parseImage, ParsedImage } from './parse.js';
import { keyHash } from './keys.js';
import { flashLayout, slotAt } from './layout.js';

export interface VerifyOptions {
  publicKey: KeyObject;
  /** the HAL ABI version the firmware tree (and so the port) speaks */
  halAbiVersion: number;
  /** when given, the image must be for this board and fit one of its slots */
  board?: Board;
}

export function verifyImage(file: Uint8Array, o: VerifyOptions): ParsedImage {
  const img = parseImage(file);
  const hashed = Buffer.from(file.buffer, file.byteOffset, img.hashedBytes);
  const digest = createHash('sha256').update(hashed).digest();
  if (!digest.equals(img.sha256)) {
    throw new ImageError(
      `hash mismatch: the SHA256 TLV says ${img.sha256.toString('hex')}, but header, image and protected TLVs (bytes 0..${img.hashedBytes}) hash to ${digest.toString('hex')}`,
    );
  }
  const want = keyHash(o.publicKey);
  if (!want.equals(img.keyHash)) {
    throw new ImageError(
      `key hash is not the given key's: the image names key ${img.keyHash.toString('hex')}, the given key is ${want.toString('hex')}`,
    );
  }
  let good = false;
  try {
    good = verify('sha256', hashed, { key: o.publicKey, dsaEncoding: 'der' }, img.signature);
  } catch {
    good = false; // a malformed DER signature is an invalid one
  }
  if (!good)
    throw new ImageError(
      'signature invalid: the ECDSA_SIG TLV does not verify with the given key over header, image and protected TLVs',
    );
  if (img.halAbiVersion !== o.halAbiVersion) {
    throw new ImageError(
      `HAL ABI version mismatch: the image's firmware speaks HAL ABI ${img.halAbiVersion}, this firmware tree's HAL is ${o.halAbiVersion}`,
    );
  }
  if (o.board) {
    if (img.board !== o.board.name)
      throw new ImageError(`wrong board: the image is for ${img.board}, not ${o.board.name}`);
    const layout = flashLayout(o.board);
    if (img.header.hdrSize !== layout.headerBytes) {
      throw new ImageError(
        `header size mismatch: ih_hdr_size ${img.header.hdrSize}, but ${o.board.name}'s firmware starts ${layout.headerBytes} bytes into its slot`,
      );
    }
    const slot = slotAt(layout, img.header.loadAddr);
    if (!slot) {
      const slots = Object.values(layout.slots)
        .map((s) => `${s.name} at ${hex32(s.address)}`)
        .join(', ');
      throw new ImageError(
        `load address ${hex32(img.header.loadAddr)} is not the start of a slot of ${o.board.name} (${slots})`,
      );
    }
    if (img.totalBytes > slot.bytes)
      throw new ImageError(`image of ${img.totalBytes} bytes does not fit slot ${slot.name} (${slot.bytes} bytes)`);
  }
  return img;
}
