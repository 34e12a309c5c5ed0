// Reads an image's structure without trusting any of it: every offset and size is checked against
// the file before a byte is read, and anything a pen image must not have is refused by name.
// The bootloader's C parser is tested against this one, so the order of checks is part of the contract.
import {
  IMAGE_MAGIC,
  TLV_INFO_MAGIC,
  TLV_PROT_INFO_MAGIC,
  HEADER_BYTES,
  TLV_INFO_BYTES,
  TLV_HEADER_BYTES,
  HDR,
  TLV_SPECS,
  TlvArea,
  TlvSpec,
  ImageError,
  ImageVersion,
  tlvSpec,
  hex32,
  hexType,
  TLV_SEC_CNT,
  TLV_PEN_BOARD,
  TLV_PEN_HAL_ABI,
  TLV_PEN_WASM_SHA256,
  TLV_PEN_LINK_ADDR,
  TLV_SHA256,
  TLV_KEYHASH,
  TLV_ECDSA_SIG,
} from './format.js';

export interface ImageHeader {
  magic: number;
  loadAddr: number;
  hdrSize: number;
  protectTlvSize: number;
  imgSize: number;
  flags: number;
  version: ImageVersion;
  pad1: number;
}

export interface Tlv {
  area: TlvArea;
  /** offset of the TLV's 4-byte header in the file */
  offset: number;
  type: number;
  name: string;
  value: Buffer;
}

export interface ParsedImage {
  header: ImageHeader;
  /** the firmware binary: [hdrSize, hdrSize + imgSize) */
  firmwareOffset: number;
  firmwareBytes: number;
  protectedOffset: number;
  unprotectedOffset: number;
  /** header + image + protected TLVs: what the SHA256 TLV hashes and the signature covers */
  hashedBytes: number;
  totalBytes: number;
  tlvs: Tlv[];
  securityCounter: number;
  board: string;
  halAbiVersion: number;
  wasmSha256: Buffer;
  linkAddress: number;
  sha256: Buffer;
  keyHash: Buffer;
  signature: Buffer;
}

/** Parses and checks the structure; throws ImageError (and nothing else) naming the first fault. */
export function parseImage(file: Uint8Array): ParsedImage {
  const b = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const size = b.length;
  if (size < HEADER_BYTES)
    throw new ImageError(`file is ${size} bytes, shorter than the ${HEADER_BYTES}-byte image header`);
  const magic = b.readUInt32LE(HDR.magic);
  if (magic !== IMAGE_MAGIC)
    throw new ImageError(`bad magic ${hex32(magic)} at offset ${HDR.magic} (expected ${hex32(IMAGE_MAGIC)})`);
  const header: ImageHeader = {
    magic,
    loadAddr: b.readUInt32LE(HDR.loadAddr),
    hdrSize: b.readUInt16LE(HDR.hdrSize),
    protectTlvSize: b.readUInt16LE(HDR.protectTlvSize),
    imgSize: b.readUInt32LE(HDR.imgSize),
    flags: b.readUInt32LE(HDR.flags),
    version: {
      major: b.readUInt8(HDR.verMajor),
      minor: b.readUInt8(HDR.verMinor),
      revision: b.readUInt16LE(HDR.verRevision),
      build: b.readUInt32LE(HDR.verBuild),
    },
    pad1: b.readUInt32LE(HDR.pad1),
  };
  if (header.hdrSize < HEADER_BYTES)
    throw new ImageError(
      `header size mismatch: ih_hdr_size ${header.hdrSize} (at offset ${HDR.hdrSize}) is smaller than the ${HEADER_BYTES}-byte header`,
    );
  if (header.hdrSize > size)
    throw new ImageError(
      `header size mismatch: ih_hdr_size ${header.hdrSize} (at offset ${HDR.hdrSize}) is past the end of the ${size}-byte file`,
    );
  const protOff = header.hdrSize + header.imgSize;
  if (protOff > size)
    throw new ImageError(
      `image size past the end of file: ih_img_size ${header.imgSize} (at offset ${HDR.imgSize}) ends the firmware at byte ${protOff} of a ${size}-byte file`,
    );
  if (header.protectTlvSize === 0)
    throw new ImageError(
      `no protected TLV area: ih_protect_tlv_size (at offset ${HDR.protectTlvSize}) is 0, but a pen image carries its security counter, board and HAL ABI there`,
    );

  // protected area: struct image_tlv_info, whose it_tlv_tot must equal ih_protect_tlv_size (tlv.c)
  const prot = readInfo(b, protOff, 'protected');
  if (prot.magic !== TLV_PROT_INFO_MAGIC)
    throw new ImageError(
      `bad protected TLV magic 0x${prot.magic.toString(16).padStart(4, '0')} at offset ${protOff} (expected 0x${TLV_PROT_INFO_MAGIC.toString(16)})`,
    );
  if (prot.total !== header.protectTlvSize) {
    throw new ImageError(
      `protected TLV size mismatch: the header says ${header.protectTlvSize} bytes (at offset ${HDR.protectTlvSize}), the protected TLV area at offset ${protOff} says ${prot.total}`,
    );
  }
  const unprotOff = protOff + prot.total;
  if (unprotOff > size)
    throw new ImageError(
      `protected TLV area truncated: ${prot.total} bytes from offset ${protOff} end at byte ${unprotOff}, past the end of the ${size}-byte file`,
    );

  const unprot = readInfo(b, unprotOff, 'unprotected');
  if (unprot.magic !== TLV_INFO_MAGIC)
    throw new ImageError(
      `bad TLV magic 0x${unprot.magic.toString(16).padStart(4, '0')} at offset ${unprotOff} (expected 0x${TLV_INFO_MAGIC.toString(16)})`,
    );
  const end = unprotOff + unprot.total;
  if (end > size)
    throw new ImageError(
      `TLV area truncated: ${unprot.total} bytes from offset ${unprotOff} end at byte ${end}, past the end of the ${size}-byte file`,
    );
  if (end < size) throw new ImageError(`${size - end} bytes after the end of the TLV area at offset ${end}`);

  const tlvs = [
    ...readEntries(b, protOff, prot.total, 'protected'),
    ...readEntries(b, unprotOff, unprot.total, 'unprotected'),
  ];
  const byType = new Map<number, Tlv>();
  for (const t of tlvs) {
    const prev = byType.get(t.type);
    if (prev)
      throw new ImageError(
        `TLV ${t.name} (${hexType(t.type)}) appears twice, at offsets ${prev.offset} and ${t.offset}`,
      );
    byType.set(t.type, t);
  }
  for (const s of TLV_SPECS)
    if (!byType.has(s.type))
      throw new ImageError(`missing TLV ${s.name} (${hexType(s.type)}) in the ${s.area} area: ${s.what}`);
  const v = (type: number): Buffer => byType.get(type)!.value;
  checkValues(byType);
  return {
    header,
    firmwareOffset: header.hdrSize,
    firmwareBytes: header.imgSize,
    protectedOffset: protOff,
    unprotectedOffset: unprotOff,
    hashedBytes: unprotOff,
    totalBytes: size,
    tlvs,
    securityCounter: v(TLV_SEC_CNT).readUInt32LE(0),
    board: v(TLV_PEN_BOARD).toString('latin1'),
    halAbiVersion: v(TLV_PEN_HAL_ABI).readUInt32LE(0),
    wasmSha256: v(TLV_PEN_WASM_SHA256),
    linkAddress: v(TLV_PEN_LINK_ADDR).readUInt32LE(0),
    sha256: v(TLV_SHA256),
    keyHash: v(TLV_KEYHASH),
    signature: v(TLV_ECDSA_SIG),
  };
}

function readInfo(b: Buffer, off: number, area: TlvArea): { magic: number; total: number } {
  if (off + TLV_INFO_BYTES > b.length)
    throw new ImageError(
      `${area} TLV area truncated: its ${TLV_INFO_BYTES}-byte info header at offset ${off} runs past the end of the ${b.length}-byte file`,
    );
  const total = b.readUInt16LE(off + 2);
  const magic = b.readUInt16LE(off);
  // a wrong magic is the better message; the size check only matters once the magic is right
  const expected = area === 'protected' ? TLV_PROT_INFO_MAGIC : TLV_INFO_MAGIC;
  if (magic === expected && total < TLV_INFO_BYTES)
    throw new ImageError(
      `${area} TLV area at offset ${off} says it is ${total} bytes, less than its own ${TLV_INFO_BYTES}-byte info header`,
    );
  return { magic, total };
}

function readEntries(b: Buffer, areaOff: number, areaBytes: number, area: TlvArea): Tlv[] {
  const end = areaOff + areaBytes;
  const out: Tlv[] = [];
  let off = areaOff + TLV_INFO_BYTES;
  while (off < end) {
    if (off + TLV_HEADER_BYTES > end)
      throw new ImageError(
        `TLV area truncated: the TLV header at offset ${off} crosses the end of the ${area} area at offset ${end}`,
      );
    const type = b.readUInt16LE(off);
    const len = b.readUInt16LE(off + 2);
    const valueOff = off + TLV_HEADER_BYTES;
    if (valueOff + len > end) {
      throw new ImageError(
        `TLV area overlapping: TLV ${hexType(type)} at offset ${off} is ${len} bytes long and runs to offset ${valueOff + len}, past the end of the ${area} area at offset ${end}`,
      );
    }
    const spec = tlvSpec(type);
    if (!spec) throw new ImageError(`unknown TLV type ${hexType(type)} at offset ${off} in the ${area} area`);
    if (spec.area !== area)
      throw new ImageError(
        `TLV ${spec.name} (${hexType(type)}) at offset ${off} is in the ${area} area; it belongs in the ${spec.area} area`,
      );
    checkLength(spec, len, off);
    out.push({ area, offset: off, type, name: spec.name, value: Buffer.from(b.subarray(valueOff, valueOff + len)) });
    off = valueOff + len;
  }
  return out;
}

function checkLength(spec: TlvSpec, len: number, off: number): void {
  if (len < spec.minBytes || len > spec.maxBytes) {
    const want = spec.minBytes === spec.maxBytes ? `${spec.minBytes}` : `${spec.minBytes}..${spec.maxBytes}`;
    throw new ImageError(
      `TLV ${spec.name} (${hexType(spec.type)}) at offset ${off} is ${len} bytes long, expected ${want}`,
    );
  }
}

function checkValues(byType: Map<number, Tlv>): void {
  const board = byType.get(TLV_PEN_BOARD)!;
  if (![...board.value].every((c) => c >= 0x21 && c <= 0x7e))
    throw new ImageError(
      `TLV PEN_BOARD (${hexType(TLV_PEN_BOARD)}) at offset ${board.offset} is not a board name (printable ASCII without spaces)`,
    );
  // DER ECDSA-Sig-Value: one SEQUENCE (short form length) exactly filling the TLV; the signature check does the rest
  const sig = byType.get(TLV_ECDSA_SIG)!;
  if (sig.value[0] !== 0x30 || sig.value[1] !== sig.value.length - 2) {
    throw new ImageError(
      `TLV ECDSA_SIG (${hexType(TLV_ECDSA_SIG)}) at offset ${sig.offset} is not one DER SEQUENCE of its ${sig.value.length} bytes`,
    );
  }
}
