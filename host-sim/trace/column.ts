// A growable column of numbers for the trace's per-step records: a typed array doubled as it fills, so
// a push stores a number and nothing else (a JavaScript array of a few hundred thousand numbers was a
// tenth of a QA run: its growth copies and the collector's passes over it).
const FIRST_CAPACITY = 1024;

export class Column {
  private a = new Float64Array(FIRST_CAPACITY);
  private n = 0;

  get length(): number {
    return this.n;
  }

  push(v: number): void {
    if (this.n === this.a.length) {
      const grown = new Float64Array(this.n * 2);
      grown.set(this.a);
      this.a = grown;
    }
    this.a[this.n++] = v;
  }

  /** the i-th number (0 <= i < length) */
  get(i: number): number {
    return this.a[i];
  }

  /** the last number, or undefined when there is none */
  last(): number | undefined {
    return this.n > 0 ? this.a[this.n - 1] : undefined;
  }

  /** The first index whose number is at least `v`, for a column in ascending order (length when none is). */
  firstAtOrAfter(v: number): number {
    return firstAtOrAfter(this.n, (i) => this.a[i], v);
  }

  clear(): void {
    this.a = new Float64Array(FIRST_CAPACITY);
    this.n = 0;
  }
}

/** The first index i < n whose value at(i) is at least `v`, for values ascending in i (n when none is). */
export function firstAtOrAfter(n: number, at: (i: number) => number, v: number): number {
  let lo = 0,
    hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(mid) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
