import { logInit, logAppend, logRead, logCount, logPayload, logReadType, logReadWords } from "../../assembly/log";
import { crc32Word } from "../../assembly/crc32";
import { flash_wipe, flash_tear_write, flash_poke } from "./halfake";

// The fake flash: 4 sectors of 256 bytes. A record of 10 words takes 52 bytes: 4 per sector.

function append(n: u32): bool {
  for (let i = 0; i < 10; i++) logPayload[i] = n * 100 + <u32>i;
  return logAppend(1, 10);
}

function readBack(i: i32): u32 {
  expect(logRead(i)).toBe(true);
  expect(logReadType).toBe(1);
  expect(logReadWords).toBe(10);
  return logPayload[0] / 100;
}

describe("treatment log", () => {
  beforeEach(() => {
    flash_wipe();
    logInit();
  });

  test("CRC-32 matches zlib for the bytes 31 32 33 34", () => {
    // zlib.crc32(b"1234") == 0x9be3e0a3
    expect(~crc32Word(0xffffffff, 0x34333231)).toBe(0x9be3e0a3);
  });

  test("records come back in order after a restart", () => {
    for (let n: u32 = 1; n <= 6; n++) expect(append(n)).toBe(true);
    logInit();
    expect(logCount()).toBe(6);
    for (let i = 0; i < 6; i++) expect(readBack(i)).toBe(<u32>i + 1);
    expect(logRead(6)).toBe(false);
  });

  test("a torn commit word hides that record only, and writing goes on after it", () => {
    append(1);
    append(2);
    flash_tear_write(12); // header + 10 payload + crc, then the commit word tears
    append(3);
    logInit(); // power came back
    expect(logCount()).toBe(2);
    append(4);
    logInit();
    expect(logCount()).toBe(3);
    expect(readBack(2)).toBe(4);
  });

  test("a torn header or payload word is skipped, the next record is found", () => {
    append(1);
    flash_tear_write(4); // a payload word of record 2 tears
    append(2);
    logInit();
    append(3);
    logInit();
    expect(logCount()).toBe(2);
    expect(readBack(0)).toBe(1);
    expect(readBack(1)).toBe(3);
  });

  test("a corrupted word fails the CRC", () => {
    append(1);
    append(2);
    flash_poke(8 + 4 * 3, 0); // a payload word of record 1 in sector 0
    logInit();
    expect(logCount()).toBe(1);
    expect(readBack(0)).toBe(2);
  });

  test("the ring erases the oldest sector when full, never the newest records", () => {
    for (let n: u32 = 1; n <= 20; n++) expect(append(n)).toBe(true);
    logInit();
    const count = logCount();
    expect(count).toBeGreaterThanOrEqual(12); // 3 full sectors at least
    expect(readBack(count - 1)).toBe(20);
    for (let i = 1; i < count; i++) expect(readBack(i)).toBe(readBack(i - 1) + 1);
  });

  test("refuses a payload longer than a record holds", () => {
    expect(logAppend(1, 13)).toBe(false);
  });
});
