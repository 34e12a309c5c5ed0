// What a clinic's tool does over the serial port: ask for a challenge, send the clinic's licence and its
// answer (the clinic's signature over the challenge and the pen's serial). The tool holds only the
// clinic's own private key and the licence the maker issued for it.
import { KeyObject } from 'node:crypto';
import { PenSim } from '../../host-sim/pen.js';
import { devLicenceMakerKey, p256KeyFromSeed } from '../../host-sim/keys.js';
import { answerChallenge, authLines, clinicPublicOf, issueLicence, parseChallenge } from './licence.js';

export interface Clinic {
  key: KeyObject;
  licence: Buffer;
}

let devClinic: Clinic | undefined;
/** The simulator's development clinic: a fixed key pair and a licence for any pen, no expiry, signed with the development maker key. */
export function simClinic(): Clinic {
  if (!devClinic) {
    const key = p256KeyFromSeed('simulator clinic: test only, never in a pen');
    devClinic = {
      key,
      licence: issueLicence(
        { serial: 100001, expiryS: 0, pens: [], clinicPublic: clinicPublicOf(key) },
        devLicenceMakerKey(),
      ),
    };
  }
  return devClinic;
}

/** Send lines one by one; the reply to the last, or the first reply that is not OK. */
export function sendLines(sim: PenSim, lines: string[], timeoutMs = 300): string {
  let r = '';
  for (const l of lines) {
    r = sim.command(l, timeoutMs);
    if (!r.startsWith('OK')) return r;
  }
  return r;
}

/** AUTH?, the licence and the answer; the pen's reply to the answer (or the refusal of the challenge). */
export function unlockProfessional(sim: PenSim, clinic: Clinic = simClinic()): string {
  const c = sim.command('AUTH?');
  const ch = parseChallenge(c);
  if (!ch) return c;
  const answer = answerChallenge(ch.challengeHex, ch.penSerial, clinic.key);
  return sendLines(sim, [...authLines('LICENCE', clinic.licence), ...authLines('ANSWER', answer)]);
}
