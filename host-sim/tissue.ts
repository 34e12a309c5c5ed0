// Skin under the needles: insertion force per needle rises over the first 160 um until the skin gives
// (Roemgens et al. 2014, J Mech Behav Biomed Mater: single needles, force drop at ~160 um for every
// tip size) to a peak of 20-30 mN per needle for sharp needles in an array (J Pharm Sci 102(4) 2013,
// 0.022-0.030 N per microneedle). Pulling out drags with a fraction of that.
export const TISSUES = { soft: 15, normal: 25, tough: 35 } as const;
export type TissueName = keyof typeof TISSUES;

export const PUNCTURE_DEPTH_UM = 160;
export const WITHDRAWAL_SHARE = 0.3;

export class Tissue {
  /** peak insertion force per needle (N) */
  peakN: number;
  constructor(peak_mN: number) {
    this.peakN = peak_mN / 1000;
  }

  static named(name: string): Tissue {
    const v = (TISSUES as Record<string, number>)[name];
    if (v === undefined) throw new Error(`unknown tissue "${name}": soft, normal, tough or a number of mN per needle`);
    return new Tissue(v);
  }

  /** Force on the carriage (N, positive toward the skin) from `needles` needles `depthUm` past the guard plane, moving at `v` (>0 inward). */
  forceN(needles: number, depthUm: number, v: number): number {
    if (depthUm <= 0) return 0;
    const f = needles * this.peakN * Math.min(1, depthUm / PUNCTURE_DEPTH_UM);
    if (v > 0) return -f;
    if (v < 0) return f * WITHDRAWAL_SHARE;
    return 0;
  }
}
