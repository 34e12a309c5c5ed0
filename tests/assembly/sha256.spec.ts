import { hmacKey, hmacMessage, hmacResult, hmacRun, hmacStart, hmacStep, equalBytes } from "../../assembly/sha256";

/** The first n bytes (the firmware's buffers are static memory: they carry no length). */
function hex(bytes: StaticArray<u8>, n: i32 = 32): string {
  let s = "";
  for (let i = 0; i < n; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return s;
}
function setKey(k: StaticArray<u8>): void {
  for (let i = 0; i < 32; i++) hmacKey[i] = i < k.length ? k[i] : 0;
}
function setMessage(m: string): i32 {
  for (let i = 0; i < m.length; i++) hmacMessage[i] = <u8>m.charCodeAt(i);
  return m.length;
}

describe("HMAC-SHA256 (RFC 4231)", () => {
  test('case 1: 20 x 0x0b, "Hi There"', () => {
    const k = new StaticArray<u8>(20);
    for (let i = 0; i < 20; i++) k[i] = 0x0b;
    setKey(k);
    expect(hmacRun(setMessage("Hi There"))).toBe(true);
    expect(hex(hmacResult)).toBe("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  });
  test('case 2: "Jefe", "what do ya want for nothing?"', () => {
    const k = new StaticArray<u8>(4);
    k[0] = 0x4a;
    k[1] = 0x65;
    k[2] = 0x66;
    k[3] = 0x65;
    setKey(k);
    expect(hmacRun(setMessage("what do ya want for nothing?"))).toBe(true);
    expect(hex(hmacResult)).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  });
  test("case 4: 0x01..0x19, 50 x 0xcd, a fifth of a block per step", () => {
    const k = new StaticArray<u8>(25);
    for (let i = 0; i < 25; i++) k[i] = <u8>(i + 1);
    setKey(k);
    for (let i = 0; i < 50; i++) hmacMessage[i] = 0xcd;
    expect(hmacStart(50)).toBe(true);
    let steps = 1;
    while (!hmacStep()) steps++;
    expect(steps).toBe(20, "4 blocks of 5 steps: the block's load, then 16 rounds a step");
    expect(hex(hmacResult)).toBe("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  });
  test("refuses a message longer than one block can hold", () => {
    expect(hmacStart(56)).toBe(false);
  });
  test("compares in constant time, byte for byte", () => {
    const a = new StaticArray<u8>(4);
    const b = new StaticArray<u8>(4);
    expect(equalBytes(a, b, 4)).toBe(true);
    b[3] = 1;
    expect(equalBytes(a, b, 4)).toBe(false);
    expect(equalBytes(a, b, 3)).toBe(true);
  });
});
