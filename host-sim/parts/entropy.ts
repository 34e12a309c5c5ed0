// The hardware random number generator: rng_u32 (no status, the older import) and crypto_random, whose
// bytes pass the continuous health tests of NIST SP 800-90B 4.4 first and which fails closed. Its
// streams are the pen's own, apart from the physics' stream, so challenges do not move the physics.
import { HalImports, HalPart } from '../hal.js';
import { FaultSource, FaultTable } from '../faults.js';
import { Rng } from '../rng.js';
import { CRYPTO_E_RNG_HEALTH } from './key-store.js';

/** Min-entropy per byte the noise source is credited with (bits): sets both tests' cutoffs. */
export const CLAIMED_BITS_PER_BYTE = 4;
/** Bytes tested at start-up before the first output (SP 800-90B 4.3: at least 1024 samples). */
export const STARTUP_BYTES = 1024;
/** Adaptive proportion test window for non-binary samples (SP 800-90B 4.4.2). */
export const APT_WINDOW = 512;
/** false-positive rate of each test: 2^-20 per sample, as SP 800-90B recommends */
const ALPHA = 2 ** -20;

/** Repetition count cutoff: 1 + ceil(-log2(alpha) / H) identical bytes in a row fail. */
export const RCT_CUTOFF = 1 + Math.ceil(-Math.log2(ALPHA) / CLAIMED_BITS_PER_BYTE);
/** Adaptive proportion cutoff: this many copies of a window's first byte within the window fail. */
export const APT_CUTOFF = 1 + critBinom(APT_WINDOW, 2 ** -CLAIMED_BITS_PER_BYTE, 1 - ALPHA);

/** The two continuous health tests over a byte stream; once failed, failed. */
export class HealthTests {
  failed = false;
  private last = -1;
  private run = 0;
  private aptFirst = -1;
  private aptSeen = 0;
  private aptCount = 0;

  /** Feeds one byte; false once either test has failed. */
  sample(b: number): boolean {
    if (this.failed) return false;
    // repetition count test (4.4.1)
    this.run = b === this.last ? this.run + 1 : 1;
    this.last = b;
    if (this.run >= RCT_CUTOFF) this.failed = true;
    // adaptive proportion test (4.4.2)
    if (this.aptSeen === 0) {
      this.aptFirst = b;
      this.aptCount = 1;
    } else if (b === this.aptFirst && ++this.aptCount >= APT_CUTOFF) this.failed = true;
    this.aptSeen = (this.aptSeen + 1) % APT_WINDOW;
    return !this.failed;
  }
}

export class Entropy implements HalPart, FaultSource {
  /** the noise source is stuck (the rng_stuck fault): every byte the same */
  stuck = false;
  /** the health tests since the last boot */
  health = new HealthTests();

  /** `rng` feeds rng_u32; `noise` is the noise source under crypto_random's health tests. */
  constructor(
    readonly rng: Rng,
    private readonly noise: Rng,
  ) {}

  /** The import object for one boot: the health tests start again, with their start-up samples. */
  imports(): HalImports {
    this.health = new HealthTests();
    for (let i = 0; i < STARTUP_BYTES; i++) this.health.sample(this.noiseByte());
    return {
      rng_u32: (): number => this.word(),
      crypto_random: (): bigint => this.random(),
    };
  }

  word(): number {
    return Math.floor(this.rng.next() * 4294967296) | 0;
  }

  /** crypto_random: 32 tested bits, or rng_health from the first failed test until the next boot. */
  random(): bigint {
    let w = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.noiseByte();
      if (!this.health.sample(b)) return BigInt(CRYPTO_E_RNG_HEALTH);
      w = w * 256 + b;
    }
    return BigInt(w);
  }

  private noiseByte(): number {
    return this.stuck ? 0xa5 : Math.floor(this.noise.next() * 256);
  }

  faults(): FaultTable {
    return { rng_stuck: { inject: () => (this.stuck = true), clear: () => (this.stuck = false) } };
  }
}

/** The smallest k with P(X <= k) >= q for X ~ Binomial(n, p). */
function critBinom(n: number, p: number, q: number): number {
  let logPmf = n * Math.log1p(-p); // P(X = 0)
  let cdf = Math.exp(logPmf);
  for (let k = 0; k < n; k++) {
    if (cdf >= q) return k;
    logPmf += Math.log((n - k) / (k + 1)) + Math.log(p) - Math.log1p(-p);
    cdf += Math.exp(logPmf);
  }
  return n;
}
