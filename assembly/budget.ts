// One heavy piece of work per control tick: a command run or a reply written, a record written to
// flash, a fifth of an HMAC block. The background job (settings.ts: clamping and planning a new
// setting) only runs in a tick that had none of these, so that no tick runs over the
// microcontroller's instruction budget (docs/porting.md).
let heavy: bool = false;
// Chip bytes moved for the cartridge check (a block of reads or writes, or a key import): work that waits
// for a light tick and is done only once at start-up (the log's scan) also waits for a tick without this.
let chipWork: bool = false;
// Segments the step queue's feed pushed this tick: the planner compresses fewer steps, and a log
// record waits, in a tick that pushed several.
let segmentsFed: i32 = 0;

export function startTick(): void {
  heavy = false;
  chipWork = false;
  segmentsFed = 0;
}
export function noteSegmentFed(): void {
  segmentsFed++;
}
export function segmentsFedThisTick(): i32 {
  return segmentsFed;
}
export function noteChipWork(): void {
  chipWork = true;
}
export function tickIsFree(): bool {
  return !heavy && !chipWork;
}
export function noteHeavyWork(): void {
  heavy = true;
}
export function tickIsLight(): bool {
  return !heavy;
}
