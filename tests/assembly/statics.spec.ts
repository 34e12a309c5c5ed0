import { staticArray, checked, checkedSet, STATIC_HEADER_BYTES } from "../../assembly/statics";

const buf = staticArray<i32>(memory.data(STATIC_HEADER_BYTES + 3 * 4, 16), 3);

describe("static buffers", () => {
  test("carry their length, so an index past either end aborts", () => {
    expect(buf.length).toBe(3);
    checkedSet(buf, 2, 7);
    expect(checked(buf, 2)).toBe(7);
    expect(buf[2]).toBe(7);
    expect(() => {
      buf[3] = 1;
    }).toThrow();
    expect(() => {
      checked(buf, 3);
    }).toThrow();
    expect(() => {
      checked(buf, -1);
    }).toThrow();
    expect(() => {
      checkedSet(buf, 3, 1);
    }).toThrow();
  });
});
