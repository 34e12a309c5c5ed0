// Seeded pseudo-random numbers (mulberry32): the same seed gives the same run, bit for bit.

/**
 * The largest seed a user may give (scenario `seed`, `--seed`): the generators keep 32 bits
 * (`seed >>> 0`), so a larger seed would run as a smaller one while reports named the larger.
 */
export const SEED_MAX = 4294967295;

/** A whole number 0..SEED_MAX. */
export function isSeed(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= SEED_MAX;
}

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed >>> 0) ^ 0x9e3779b9;
  }
  /** uniform in [0, 1) */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** uniform in [lo, hi) */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /**
   * standard normal, from one uniform draw through a table of the normal's quantiles at
   * NORMAL_LEVELS equal probabilities: a sensor's noise 20,000 times a simulated second costs a table
   * read, not a logarithm, a root and a cosine. Tails stop at +/- 3.7 sigma (the outermost level).
   */
  normal(): number {
    return NORMAL_TABLE[(this.next() * NORMAL_LEVELS) | 0];
  }
}

/** levels of the normal table: 2^12, fine against a reading quantized to whole counts */
export const NORMAL_LEVELS = 4096;

/**
 * Inverse of the standard normal CDF (P. J. Acklam's rational approximation, relative error below
 * 1.2e-9): the quantile at probability q in (0, 1).
 */
export function normalQuantile(q: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (r: number): number =>
    (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) /
    ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1);
  if (q < 0.02425) return tail(Math.sqrt(-2 * Math.log(q)));
  if (q > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - q)));
  const u = q - 0.5;
  const r = u * u;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * u) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/** the quantiles at the middle of each of NORMAL_LEVELS equal slices of probability */
const NORMAL_TABLE = Float64Array.from({ length: NORMAL_LEVELS }, (_, k) => normalQuantile((k + 0.5) / NORMAL_LEVELS));
