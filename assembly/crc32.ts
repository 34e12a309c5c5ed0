// CRC-32 (IEEE 802.3, reflected, as zlib), bit by bit: no table, a few hundred bytes of code.
export function crc32Word(crc: u32, word: u32): u32 {
  let c = crc;
  for (let i = 0; i < 4; i++) {
    c ^= (word >>> (8 * i)) & 0xff; // little-endian byte order, as the word sits in flash
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & (0 - (c & 1)));
  }
  return c;
}
