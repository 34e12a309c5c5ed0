// A clinic licence (docs/security.md): the maker's ECDSA P-256 signature binding a clinic's public key
// to a licence serial, an expiry and, optionally, pen serials. It arrives over the serial port in pieces
// (AUTH LICENCE), is held here and its fields are checked here; auth.ts has its signature checked by the
// crypto HAL. Nothing in a licence is secret.
import { STATIC_HEADER_BYTES, checked, item, staticArray } from "./statics";
import {
  AUTH_FAIL_CLOCK_NOT_SET,
  AUTH_FAIL_LICENCE_EXPIRED,
  AUTH_FAIL_LICENCE_MALFORMED,
  AUTH_FAIL_LICENCE_OTHER_KEY,
  AUTH_FAIL_LICENCE_OTHER_PEN,
  AUTH_FAIL_LICENCE_REVOKED,
  AUTH_FAIL_NO_LICENCE,
  AUTH_OK,
  EARLIEST_CLOCK_S,
  KEY_ID_LICENCE_MAKER,
  LICENCE_BYTES,
  LICENCE_EXPIRY_AT,
  LICENCE_FORMAT,
  LICENCE_FORMAT_AT,
  LICENCE_KEY_ID_AT,
  LICENCE_PEN_SLOTS,
  LICENCE_PENS_AT,
  LICENCE_SERIAL_AT,
  REVOKED_LICENCES,
} from "./abi";

export const licence: StaticArray<u8> = staticArray<u8>(
  memory.data(STATIC_HEADER_BYTES + LICENCE_BYTES, 16),
  LICENCE_BYTES,
);
let held: i32 = 0; // bytes received, in order from 0

/** Bytes of the licence received so far. */
export function licenceHeld(): i32 {
  return held;
}

/** A piece was written at `at` (licenceHeld() or 0, which starts over), `n` bytes long. */
export function licenceReceived(at: i32, n: i32): void {
  held = at + n;
}

export function forgetLicence(): void {
  held = 0;
}

/** What can be said of the licence before its signature is checked: whole, a format this pen reads,
 * signed by the maker key this pen holds. AUTH_OK or the reason. */
export function licenceFormRefusal(): i32 {
  if (held != LICENCE_BYTES) return AUTH_FAIL_NO_LICENCE;
  if (<i32>checked(licence, LICENCE_FORMAT_AT) != LICENCE_FORMAT) return AUTH_FAIL_LICENCE_MALFORMED;
  if (<i32>checked(licence, LICENCE_KEY_ID_AT) != KEY_ID_LICENCE_MAKER) return AUTH_FAIL_LICENCE_OTHER_KEY;
  if (licenceSerial() == 0) return AUTH_FAIL_LICENCE_MALFORMED;
  return AUTH_OK;
}

/** Once the maker's signature is good: expired (by the pen's clock), revoked, or for other pens. */
export function licenceTermsRefusal(penSerial: u32, nowS: u32): i32 {
  const expiry = u32At(LICENCE_EXPIRY_AT);
  if (expiry != 0) {
    if (nowS < EARLIEST_CLOCK_S) return AUTH_FAIL_CLOCK_NOT_SET; // a clock that lost its time proves nothing
    if (nowS >= expiry) return AUTH_FAIL_LICENCE_EXPIRED;
  }
  const serial = licenceSerial();
  for (let i = 0; i < REVOKED_LICENCES.length; i++)
    if (item(REVOKED_LICENCES, i) == serial) return AUTH_FAIL_LICENCE_REVOKED;
  let anyPen = true;
  for (let i = 0; i < LICENCE_PEN_SLOTS; i++) {
    const pen = u32At(LICENCE_PENS_AT + 4 * i);
    if (pen == 0) continue;
    if (pen == penSerial) return AUTH_OK;
    anyPen = false;
  }
  return anyPen ? AUTH_OK : AUTH_FAIL_LICENCE_OTHER_PEN;
}

export function licenceSerial(): u32 {
  return u32At(LICENCE_SERIAL_AT);
}

function u32At(at: i32): u32 {
  return (
    ((<u32>checked(licence, at)) << 24) |
    ((<u32>checked(licence, at + 1)) << 16) |
    ((<u32>checked(licence, at + 2)) << 8) |
    (<u32>checked(licence, at + 3))
  );
}
