// Lays out and signs an image the way imgtool does (scripts/imgtool/image.py, Image.create and
// add_header): header padded to ih_hdr_size, firmware, protected TLVs (security counter first), then
// the unprotected TLVs SHA256, KEYHASH and the ECDSA signature over header + image + protected TLVs.
import { createHash, sign, KeyObject } from 'node:crypto';
import {
  IMAGE_MAGIC,
  TLV_INFO_MAGIC,
  TLV_PROT_INFO_MAGIC,
  HEADER_BYTES,
  TLV_INFO_BYTES,
  TLV_HEADER_BYTES,
  HDR,
  ImageVersion,
  TLV_SEC_CNT,
  TLV_PEN_BOARD,
  TLV_PEN_HAL_ABI,
  TLV_PEN_WASM_SHA256,
  TLV_PEN_LINK_ADDR,
  TLV_SHA256,
  TLV_KEYHASH,
  TLV_ECDSA_SIG,
} from './format.js';
import { keyHash } from './keys.js';

export interface SignInput {
  firmware: Uint8Array;
  /** ih_load_addr: the slot's base address for an image that runs in place */
  loadAddress: number;
  headerBytes: number;
  flags: number;
  version: ImageVersion;
  securityCounter: number;
  board: string;
  halAbiVersion: number;
  wasmSha256: Buffer;
  linkAddress: number;
  privateKey: KeyObject;
}

/** imgtool pads the header with the erased flash value (--pad-header) */
const ERASED = 0xff;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

export function signImage(s: SignInput): Buffer {
  if (s.headerBytes < HEADER_BYTES || s.headerBytes > U16_MAX)
    throw new RangeError(`header size ${s.headerBytes} is out of range ${HEADER_BYTES}..${U16_MAX}`);
  if (s.firmware.length > U32_MAX)
    throw new RangeError(`firmware of ${s.firmware.length} bytes does not fit ih_img_size`);
  for (const [what, n] of [
    ['load address', s.loadAddress],
    ['link address', s.linkAddress],
    ['security counter', s.securityCounter],
    ['HAL ABI version', s.halAbiVersion],
  ] as const) {
    if (!Number.isInteger(n) || n < 0 || n > U32_MAX)
      throw new RangeError(`${what} ${n} is not a 32-bit unsigned integer`);
  }
  if (s.wasmSha256.length !== 32) throw new RangeError('the firmware.wasm hash must be 32 bytes');

  const prot = tlvArea(TLV_PROT_INFO_MAGIC, [
    [TLV_SEC_CNT, u32(s.securityCounter)],
    [TLV_PEN_BOARD, Buffer.from(s.board, 'latin1')],
    [TLV_PEN_HAL_ABI, u32(s.halAbiVersion)],
    [TLV_PEN_WASM_SHA256, s.wasmSha256],
    [TLV_PEN_LINK_ADDR, u32(s.linkAddress)],
  ]);
  const header = Buffer.alloc(s.headerBytes, ERASED);
  header.writeUInt32LE(IMAGE_MAGIC, HDR.magic);
  header.writeUInt32LE(s.loadAddress, HDR.loadAddr);
  header.writeUInt16LE(s.headerBytes, HDR.hdrSize);
  header.writeUInt16LE(prot.length, HDR.protectTlvSize);
  header.writeUInt32LE(s.firmware.length, HDR.imgSize);
  header.writeUInt32LE(s.flags, HDR.flags);
  header.writeUInt8(s.version.major, HDR.verMajor);
  header.writeUInt8(s.version.minor, HDR.verMinor);
  header.writeUInt16LE(s.version.revision, HDR.verRevision);
  header.writeUInt32LE(s.version.build, HDR.verBuild);
  header.writeUInt32LE(0, HDR.pad1);

  const signed = Buffer.concat([header, s.firmware, prot]);
  const digest = createHash('sha256').update(signed).digest();
  // ECDSA over SHA-256 of the same bytes: MCUboot verifies the signature against the hash it computed
  const signature = sign('sha256', signed, { key: s.privateKey, dsaEncoding: 'der' });
  const unprot = tlvArea(TLV_INFO_MAGIC, [
    [TLV_SHA256, digest],
    [TLV_KEYHASH, keyHash(s.privateKey)],
    [TLV_ECDSA_SIG, signature],
  ]);
  return Buffer.concat([signed, unprot]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

/** struct image_tlv_info then each struct image_tlv (16-bit type, 16-bit length) and its value. */
function tlvArea(magic: number, entries: [number, Buffer][]): Buffer {
  const parts = entries.map(([type, value]) => {
    if (value.length > U16_MAX) throw new RangeError(`TLV 0x${type.toString(16)} of ${value.length} bytes is too long`);
    const h = Buffer.alloc(TLV_HEADER_BYTES);
    h.writeUInt16LE(type, 0);
    h.writeUInt16LE(value.length, 2);
    return Buffer.concat([h, value]);
  });
  const total = TLV_INFO_BYTES + parts.reduce((a, p) => a + p.length, 0);
  if (total > U16_MAX) throw new RangeError(`TLV area of ${total} bytes does not fit it_tlv_tot`);
  const info = Buffer.alloc(TLV_INFO_BYTES);
  info.writeUInt16LE(magic, 0);
  info.writeUInt16LE(total, 2);
  return Buffer.concat([info, ...parts]);
}
