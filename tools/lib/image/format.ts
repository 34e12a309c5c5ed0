// MCUboot's image format, as the bootloader reads it. Facts from MCUboot's sources:
//   boot/bootutil/include/bootutil/image.h  (IMAGE_MAGIC, struct image_header, struct image_tlv_info,
//                                             struct image_tlv with a 16-bit it_type, the TLV numbers,
//                                             the vendor range xxA0..xxFF)
//   boot/bootutil/src/tlv.c                  (the protected area's it_tlv_tot must equal ih_protect_tlv_size)
//   boot/bootutil/src/image_validate.c       (hash over header + image + protected TLVs; ECDSA over that hash)
//   scripts/imgtool/image.py                 (how imgtool lays the same bytes out and what it signs)
// All fields are little-endian.

export const IMAGE_MAGIC = 0x96f3b83d;
export const TLV_INFO_MAGIC = 0x6907;
export const TLV_PROT_INFO_MAGIC = 0x6908;
/** sizeof(struct image_header) */
export const HEADER_BYTES = 32;
/** sizeof(struct image_tlv_info) and sizeof(struct image_tlv) */
export const TLV_INFO_BYTES = 4;
export const TLV_HEADER_BYTES = 4;

/** ih_flags: the image runs in place at ih_load_addr (imgtool --rom-fixed). */
export const IMAGE_F_ROM_FIXED = 0x00000100;
export const IMAGE_FLAG_NAMES: Record<number, string> = {
  0x00000001: 'PIC',
  0x00000004: 'ENCRYPTED_AES128',
  0x00000008: 'ENCRYPTED_AES256',
  0x00000010: 'NON_BOOTABLE',
  0x00000020: 'RAM_LOAD',
  0x00000100: 'ROM_FIXED',
  0x00000200: 'COMPRESSED_LZMA1',
  0x00000400: 'COMPRESSED_LZMA2',
  0x00000800: 'COMPRESSED_ARM_THUMB',
};

/** Field offsets in struct image_header. */
export const HDR = {
  magic: 0,
  loadAddr: 4,
  hdrSize: 8,
  protectTlvSize: 10,
  imgSize: 12,
  flags: 16,
  verMajor: 20,
  verMinor: 21,
  verRevision: 22,
  verBuild: 24,
  pad1: 28,
} as const;

// MCUboot's TLV types (image.h)
export const TLV_KEYHASH = 0x01;
export const TLV_SHA256 = 0x10;
export const TLV_ECDSA_SIG = 0x22;
export const TLV_SEC_CNT = 0x50;
// The pen's own TLVs, in MCUboot's vendor range 0x00a0..0x00ff; all protected (covered by the signature).
export const TLV_PEN_BOARD = 0xa0;
export const TLV_PEN_HAL_ABI = 0xa1;
export const TLV_PEN_WASM_SHA256 = 0xa2;
export const TLV_PEN_LINK_ADDR = 0xa3;

export type TlvArea = 'protected' | 'unprotected';
export type TlvKind = 'u32' | 'sha256' | 'string' | 'der-signature' | 'address';

export interface TlvSpec {
  type: number;
  name: string;
  area: TlvArea;
  kind: TlvKind;
  /** fixed length in bytes, or the range for variable ones */
  minBytes: number;
  maxBytes: number;
  what: string;
}

/** Every TLV a pen image has: each exactly once, in its area. Any other type is refused. */
export const TLV_SPECS: readonly TlvSpec[] = [
  {
    type: TLV_SEC_CNT,
    name: 'SEC_CNT',
    area: 'protected',
    kind: 'u32',
    minBytes: 4,
    maxBytes: 4,
    what: 'security counter (rollback protection)',
  },
  {
    type: TLV_PEN_BOARD,
    name: 'PEN_BOARD',
    area: 'protected',
    kind: 'string',
    minBytes: 1,
    maxBytes: 64,
    what: 'board name the image is built for',
  },
  {
    type: TLV_PEN_HAL_ABI,
    name: 'PEN_HAL_ABI',
    area: 'protected',
    kind: 'u32',
    minBytes: 4,
    maxBytes: 4,
    what: 'HAL ABI version of the firmware module',
  },
  {
    type: TLV_PEN_WASM_SHA256,
    name: 'PEN_WASM_SHA256',
    area: 'protected',
    kind: 'sha256',
    minBytes: 32,
    maxBytes: 32,
    what: 'SHA-256 of the firmware.wasm that QA and conformance passed',
  },
  {
    type: TLV_PEN_LINK_ADDR,
    name: 'PEN_LINK_ADDR',
    area: 'protected',
    kind: 'address',
    minBytes: 4,
    maxBytes: 4,
    what: 'address the firmware binary is linked to run at',
  },
  {
    type: TLV_SHA256,
    name: 'SHA256',
    area: 'unprotected',
    kind: 'sha256',
    minBytes: 32,
    maxBytes: 32,
    what: 'SHA-256 of header, image and protected TLVs',
  },
  {
    type: TLV_KEYHASH,
    name: 'KEYHASH',
    area: 'unprotected',
    kind: 'sha256',
    minBytes: 32,
    maxBytes: 32,
    what: 'SHA-256 of the signing public key (DER SubjectPublicKeyInfo)',
  },
  // DER ECDSA-Sig-Value for P-256: 8 bytes minimum for tiny r, s; 72 at most
  {
    type: TLV_ECDSA_SIG,
    name: 'ECDSA_SIG',
    area: 'unprotected',
    kind: 'der-signature',
    minBytes: 8,
    maxBytes: 72,
    what: 'ECDSA P-256 signature (DER) over the SHA-256',
  },
];

export function tlvSpec(type: number): TlvSpec | undefined {
  return TLV_SPECS.find((s) => s.type === type);
}

/** Everything wrong with an image is one of these, with a message that names what and where. */
export class ImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageError';
  }
}

export interface ImageVersion {
  major: number;
  minor: number;
  revision: number;
  build: number;
}

/** "X.Y.Z+B" (or "X.Y.Z", "X.Y") into MCUboot's u8.u8.u16+u32. */
export function parseVersion(text: string): ImageVersion {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:\+(\d+))?$/.exec(text);
  if (!m) throw new RangeError(`version "${text}" is not X.Y.Z+B`);
  const v = { major: Number(m[1]), minor: Number(m[2]), revision: Number(m[3] ?? 0), build: Number(m[4] ?? 0) };
  if (v.major > 0xff || v.minor > 0xff || v.revision > 0xffff || v.build > 0xffffffff) {
    throw new RangeError(
      `version "${text}" is out of range: major and minor 0..255, revision 0..65535, build 0..4294967295`,
    );
  }
  return v;
}

export function formatVersion(v: ImageVersion): string {
  return `${v.major}.${v.minor}.${v.revision}+${v.build}`;
}

/** imgtool's `--security-counter auto`: the version without its build number. */
export function autoSecurityCounter(v: ImageVersion): number {
  return ((v.major << 24) | (v.minor << 16) | v.revision) >>> 0;
}

export function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
export function hexType(t: number): string {
  return `0x${t.toString(16).padStart(2, '0')}`;
}
