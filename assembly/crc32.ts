// CRC-32 (IEEE 802.3, reflected, as zlib), four bits at a time from a 16-entry table: a log record's
// CRC stays a small part of a control tick.
const NIBBLE: StaticArray<u32> = [
  0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c, 0xedb88320,
  0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
];

/** The CRC after the four bytes of `word`, little-endian (as the word sits in flash). */
export function crc32Word(crc: u32, word: u32): u32 {
  // the bytes go in low first, so the whole word can be folded in at once
  let c = crc ^ word;
  for (let i = 0; i < 8; i++) c = (c >>> 4) ^ unchecked(NIBBLE[c & 15]); // c & 15 is in range
  return c;
}
