// The hardware random number generator (HAL rng_u32). Its stream is the pen's own, apart from the
// physics' stream, so challenges do not move the physics.
import { HalImports, HalPart } from '../hal.js';
import { Rng } from '../rng.js';

export class Entropy implements HalPart {
  constructor(readonly rng: Rng) {}

  imports(): HalImports {
    return { rng_u32: (): number => this.word() };
  }

  word(): number {
    return Math.floor(this.rng.next() * 4294967296) | 0;
  }
}
