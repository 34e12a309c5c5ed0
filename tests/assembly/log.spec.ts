import {
  logInit,
  logAppend,
  logAppendCheckpoint,
  logRead,
  logCount,
  logPayload,
  logReadPayload,
  logReadType,
  logReadWords,
  logReadCheckpoint,
  logSeek,
  logSeekStep,
  walkReset,
  walkStep,
  WALK_END,
  WALK_RECORD,
  WALK_CHECKPOINT,
  logStartupStep,
  logScanned,
  logOpen,
} from "../../assembly/log";

/** A start-up: the headers, then the scan a step at a time, as the ticks after start-up do it. */
function restart(): void {
  logInit();
  while (!logScanned()) logStartupStep();
  logOpen();
}
import { crc32Word } from "../../assembly/crc32";
import { flash_wipe, flash_tear_write, flash_poke } from "./halfake";

// The fake flash: 4 sectors of 256 bytes, a 16-byte header each. A record of 10 words takes 52 bytes: 4 per sector.

function append(n: u32): bool {
  for (let i = 0; i < 10; i++) logPayload[i] = n * 100 + <u32>i;
  return logAppend(1, 10);
}

function readBack(i: i32): u32 {
  expect(logRead(i)).toBe(true);
  expect(logReadType).toBe(1);
  expect(logReadWords).toBe(10);
  return logReadPayload[0] / 100;
}

describe("treatment log", () => {
  beforeEach(() => {
    flash_wipe();
    restart();
  });

  test("CRC-32 matches zlib for the bytes 31 32 33 34", () => {
    // zlib.crc32(b"1234") == 0x9be3e0a3
    expect(~crc32Word(0xffffffff, 0x34333231)).toBe(0x9be3e0a3);
  });

  test("records come back in order after a restart", () => {
    for (let n: u32 = 1; n <= 6; n++) expect(append(n)).toBe(true);
    restart();
    expect(logCount()).toBe(6);
    for (let i = 0; i < 6; i++) expect(readBack(i)).toBe(<u32>i + 1);
    expect(logRead(6)).toBe(false);
  });

  test("a torn commit word hides that record only, and writing goes on after it", () => {
    append(1);
    append(2);
    flash_tear_write(12); // header + 10 payload + crc, then the commit word tears
    append(3);
    restart(); // power came back
    expect(logCount()).toBe(2);
    append(4);
    restart();
    expect(logCount()).toBe(3);
    expect(readBack(2)).toBe(4);
  });

  test("a torn header or payload word is skipped, the next record is found", () => {
    append(1);
    flash_tear_write(4); // a payload word of record 2 tears
    append(2);
    restart();
    append(3);
    restart();
    expect(logCount()).toBe(2);
    expect(readBack(0)).toBe(1);
    expect(readBack(1)).toBe(3);
  });

  test("a corrupted word fails the CRC", () => {
    append(1);
    append(2);
    flash_poke(8 + 4 * 3, 0); // a payload word of record 1 in sector 0
    restart();
    expect(logCount()).toBe(1);
    expect(readBack(0)).toBe(2);
  });

  test("the ring erases the oldest sector when full, never the newest records", () => {
    for (let n: u32 = 1; n <= 20; n++) expect(append(n)).toBe(true);
    restart();
    const count = logCount();
    expect(count).toBeGreaterThanOrEqual(12); // 3 full sectors at least
    expect(readBack(count - 1)).toBe(20);
    for (let i = 1; i < count; i++) expect(readBack(i)).toBe(readBack(i - 1) + 1);
  });

  test("checkpoint words after a record are read back; a torn one ends them until the next record", () => {
    append(1);
    expect(logAppendCheckpoint(100)).toBe(true);
    expect(logAppendCheckpoint(70000)).toBe(true); // 70000 & 0xffff
    flash_tear_write(1);
    logAppendCheckpoint(200); // torn
    expect(logAppendCheckpoint(300)).toBe(true); // after a torn word: not trusted
    append(2);
    expect(logAppendCheckpoint(5)).toBe(true);
    restart();
    expect(logCount()).toBe(2);
    walkReset();
    const seen: u32[] = [];
    for (let r = walkStep(); r != WALK_END; r = walkStep()) {
      if (r == WALK_RECORD) seen.push(1000000 + logReadPayload[0] / 100);
      if (r == WALK_CHECKPOINT) seen.push(logReadCheckpoint);
    }
    expect(seen.length).toBe(5);
    expect(seen[0]).toBe(1000001);
    expect(seen[1]).toBe(100);
    expect(seen[2]).toBe(70000 & 0xffff);
    expect(seen[3]).toBe(1000002);
    expect(seen[4]).toBe(5);
  });

  test("a payload word of 0xFFFFFFFF after a torn record hides nothing after it", () => {
    append(1);
    flash_tear_write(3); // record 2 tears at its second payload word
    append(2);
    restart();
    for (let i = 0; i < 10; i++) logPayload[i] = 0xffffffff; // a lot and serial of all ones
    expect(logAppend(1, 10)).toBe(true);
    append(3);
    restart();
    expect(logCount()).toBe(3);
    expect(logRead(1)).toBe(true);
    expect(logReadPayload[3]).toBe(0xffffffff);
    expect(readBack(2)).toBe(3);
  });

  test("one flipped bit in a sector header hides no record and keeps the ring's order", () => {
    for (let n: u32 = 1; n <= 6; n++) append(n); // sectors 0 (seq 1) and 1 (seq 2)
    flash_poke(256 + 4, 2 ^ (1 << 30)); // sector 1: one copy of its sequence number
    flash_poke(12, 0x504c4f47 ^ 8); // sector 0: its magic word
    restart();
    expect(logCount()).toBe(6);
    for (let i = 0; i < 6; i++) expect(readBack(i)).toBe(<u32>i + 1);
    append(7); // still appended to sector 1, the newest
    restart();
    expect(readBack(6)).toBe(7);
  });

  test("a record is looked for a slice of flash reads at a time, from where the last search stopped", () => {
    for (let n: u32 = 1; n <= 10; n++) append(n);
    restart();
    logSeek(9);
    let slices = 0;
    let r = 0;
    while ((r = logSeekStep(24)) == 0) slices++;
    expect(r).toBe(1);
    expect(slices).toBeGreaterThan(3); // 10 records of 13 words: several slices
    expect(logReadPayload[0] / 100).toBe(10);
    logSeek(3);
    while ((r = logSeekStep(24)) == 0);
    expect(logReadPayload[0] / 100).toBe(4);
    logSeek(4); // the next one: one record on
    expect(logSeekStep(24)).toBe(1);
    expect(logReadPayload[0] / 100).toBe(5);
    logSeek(10);
    while ((r = logSeekStep(24)) == 0);
    expect(r).toBe(-1);
  });

  test("refuses a payload longer than a record holds", () => {
    expect(logAppend(1, 13)).toBe(false);
  });
});
