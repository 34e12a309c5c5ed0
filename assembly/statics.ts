// Buffers laid out at compile time (no allocator is linked in) as real StaticArrays: each carries the
// object header in which a StaticArray keeps its length, so every index into it is bounds-checked and
// an index out of range aborts (abort.ts: HAL panic, driver off, reset) instead of reading another buffer.

/** bytes before a buffer's first element: the 20-byte object header, the elements 16-byte aligned */
// @ts-ignore: decorator
@inline export const STATIC_HEADER_BYTES: i32 = 32;

/**
 * The StaticArray of `length` elements at `at`, which is memory.data(STATIC_HEADER_BYTES + its bytes, 16):
 * writes the length into its header (once, at start-up).
 */
// @ts-ignore: decorator
@inline export function staticArray<T>(at: usize, length: i32): StaticArray<T> {
  store<u32>(at + <usize>STATIC_HEADER_BYTES - 4, <u32>length << alignof<T>()); // OBJECT.rtSize: the length in bytes
  return changetype<StaticArray<T>>(at + <usize>STATIC_HEADER_BYTES);
}

/**
 * a[i], bounds-checked like a[i] (an index out of range aborts) but inlined: for the few accesses a
 * control tick makes by the dozen (the serial line, the buttons), where the call of a[i] would cost
 * more than the tick's budget allows (docs/porting.md).
 */
// @ts-ignore: decorator
@inline export function checked<T>(a: StaticArray<T>, i: i32): T {
  if (<u32>i >= lengthOf(a)) {
    // as a[i] does: abort.ts, the HAL panic with this line; a throw's message and file name would be
    // 60 bytes of UTF-16 text in the module, which the panic never reads
    abort(null, null, 29, 0);
    unreachable();
  }
  return load<T>(changetype<usize>(a) + (<usize>i << alignof<T>()));
}

/** a[i] = v, bounds-checked and inlined as checked() is. */
// @ts-ignore: decorator
@inline export function checkedSet<T>(a: StaticArray<T>, i: i32, v: T): void {
  if (<u32>i >= lengthOf(a)) {
    abort(null, null, 39, 0);
    unreachable();
  }
  store<T>(changetype<usize>(a) + (<usize>i << alignof<T>()), v);
}

/** a.length read in place (StaticArray's getter is a call): the header's byte length over the element size */
// @ts-ignore: decorator
@inline function lengthOf<T>(a: StaticArray<T>): u32 {
  return load<u32>(changetype<usize>(a) - 4) >>> alignof<T>();
}

/**
 * a[i] as a call, bounds-checked as checked() is: for the accesses off the tick's hot path. The
 * standard library's a[i] is the same call, but its bounds check names its message and file, about
 * 110 bytes of UTF-16 text in the module that the panic (abort.ts) never reads.
 */
export function item<T>(a: StaticArray<T>, i: i32): T {
  return checked<T>(a, i);
}

/** a[i] = v as a call, bounds-checked as checkedSet() is (see item()). */
export function setItem<T>(a: StaticArray<T>, i: i32, v: T): void {
  checkedSet<T>(a, i, v);
}
