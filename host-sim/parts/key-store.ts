// Secrets provisioned in the pen (HAL key_word): key 0 the clinic key, key 1 the cartridge maker's.
import { HalImports, HalPart } from '../hal.js';
import { keyWord } from '../keys.js';

export class KeyStore implements HalPart {
  constructor(
    private readonly clinicKey: Buffer,
    readonly cartridgeKey: Buffer,
  ) {}

  imports(): HalImports {
    return { key_word: (key: number, index: number): number => this.word(key, index) };
  }

  word(key: number, index: number): number {
    return key === 0 ? keyWord(this.clinicKey, index) : key === 1 ? keyWord(this.cartridgeKey, index) : 0;
  }
}
