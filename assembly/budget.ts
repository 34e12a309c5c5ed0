// One heavy piece of work per control tick: a command run or a reply written, a record written to
// flash, a fifth of an HMAC block. The background job (settings.ts: clamping and planning a new
// setting) only runs in a tick that had none of these, so that no tick runs over the
// microcontroller's instruction budget (docs/porting.md).
let heavy: bool = false;

export function startTick(): void {
  heavy = false;
}
export function noteHeavyWork(): void {
  heavy = true;
}
export function tickIsLight(): bool {
  return !heavy;
}
