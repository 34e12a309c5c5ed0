// The licences a QA scenario can send (the authenticate step's `licence:`): the development clinic's
// genuine one, and each kind an attacker or a mistake would bring, made the way the pen must see them.
import { REVOKED_LICENCES, LICENCE } from '../../abi/pen-abi.js';
import { devLicenceMakerKey, p256KeyFromSeed } from '../../host-sim/keys.js';
import { simClinic } from '../lib/clinic.js';
import { clinicPublicOf, issueLicence, KEY_ID_LICENCE_MAKER, LicenceFields } from '../lib/licence.js';

export type QaLicence =
  'genuine' | 'other_maker' | 'altered' | 'other_key' | 'expired' | 'revoked' | 'other_pen' | 'malformed' | 'none';

const DAY_S = 86_400;
/** a maker key this pen does not hold: a counterfeiter's, or another product's */
const OTHER_MAKER_KEY = p256KeyFromSeed('another maker: not the pen maker');

/** The licence bytes for `kind` on a pen with this serial and clock (undefined: none is sent). */
export function qaLicence(kind: QaLicence, penSerial: number, nowS: number): Buffer | undefined {
  const clinic = simClinic();
  const fields = (more: Partial<LicenceFields>): LicenceFields => ({
    serial: 100002,
    expiryS: nowS + 365 * DAY_S,
    pens: [],
    clinicPublic: clinicPublicOf(clinic.key),
    ...more,
  });
  const maker = devLicenceMakerKey();
  switch (kind) {
    case 'genuine':
      return clinic.licence;
    case 'other_maker':
      return issueLicence(fields({}), OTHER_MAKER_KEY);
    case 'altered': {
      const b = Buffer.from(issueLicence(fields({ expiryS: nowS + DAY_S }), maker));
      b.writeUInt32BE(nowS + 3650 * DAY_S, LICENCE.expiry); // ten years instead of one day
      return b;
    }
    case 'other_key':
      return issueLicence(fields({ keyId: KEY_ID_LICENCE_MAKER + 40 }), maker);
    case 'expired':
      return issueLicence(fields({ expiryS: nowS - DAY_S }), maker);
    case 'revoked':
      return issueLicence(fields({ serial: REVOKED_LICENCES[0] }), maker);
    case 'other_pen':
      return issueLicence(fields({ pens: [penSerial + 1, penSerial + 2] }), maker);
    case 'malformed':
      return issueLicence(fields({ format: 99 }), maker);
    case 'none':
      return undefined;
  }
}
