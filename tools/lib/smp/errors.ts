// mcumgr's MGMT_ERR_* codes in words: a refusal is shown with the device's own reason ("rsn") and
// this text, never as a bare number.
export const MGMT_ERR_TEXT: Record<number, string> = {
  0: 'no error',
  1: 'unknown error',
  2: 'out of memory on the pen',
  3: 'invalid request',
  4: 'timed out on the pen',
  5: 'not found',
  6: 'not allowed in the current state',
  7: 'too large',
  8: 'not supported',
  9: 'corrupt data',
  10: 'busy',
  11: 'access denied',
};

export function rcText(rc: number): string {
  return MGMT_ERR_TEXT[rc] ?? `an error the tool does not know (mcumgr code ${rc})`;
}

export class SmpRefused extends Error {
  constructor(
    readonly what: string,
    readonly rc: number,
    readonly reason?: string,
  ) {
    super(`${what} refused: ${reason ?? rcText(rc)}${reason ? ` (${rcText(rc)})` : ''}`);
  }
}

export class SmpTimeout extends Error {}
