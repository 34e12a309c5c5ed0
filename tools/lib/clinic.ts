// What the clinic's tool does over the serial port: answer the pen's challenge with the clinic key.
import { PenSim } from '../../host-sim/pen.js';
import { answerChallenge, SIM_CLINIC_KEY } from '../../host-sim/keys.js';

/** AUTH? then AUTH <HMAC-SHA256(key, challenge)>; returns the pen's reply to the answer. */
export function unlockProfessional(sim: PenSim, key: Buffer = SIM_CLINIC_KEY): string {
  const c = sim.command('AUTH?');
  const m = /^CHALLENGE ([0-9a-f]{32})$/.exec(c);
  if (!m) throw new Error(`the pen gave no challenge: ${c}`);
  return sim.command(`AUTH ${answerChallenge(m[1], key)}`, 200);
}
