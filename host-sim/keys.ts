// Secrets provisioned in a pen (HAL key_word). The simulator's are fixed test keys: they are public,
// so a real pen must never carry them.
import { createHmac } from 'node:crypto';

export const SIM_CLINIC_KEY = Buffer.from('simulator clinic key: test only, never in a pen!!'.slice(0, 32), 'utf8');
export const SIM_CARTRIDGE_KEY = Buffer.from('simulator cartridge maker key: test only'.slice(0, 32), 'utf8');

/** Word `index` of a 32-byte key, big-endian, as the HAL hands it to the firmware. */
export function keyWord(key: Buffer, index: number): number {
  return index >= 0 && index < 8 ? key.readInt32BE(index * 4) : 0;
}

/** The clinic tool's answer to a challenge (hex in, hex out). */
export function answerChallenge(challengeHex: string, clinicKey: Buffer = SIM_CLINIC_KEY): string {
  return createHmac('sha256', clinicKey).update(Buffer.from(challengeHex, 'hex')).digest('hex');
}
