// Debounced buttons with press, long-press and hold-to-repeat events, sampled once per control tick.
import { staticArray, checked, setItem, STATIC_HEADER_BYTES } from "./statics";
import { BTN_COUNT } from "./abi";
import {
  DEBOUNCE_CONTROL_TICKS,
  REPEAT_DELAY_CONTROL_TICKS,
  REPEAT_CONTROL_TICKS,
  LONG_PRESS_CONTROL_TICKS,
} from "./generated/board_config";

export const EV_PRESS: i32 = 1; // became pressed (after debounce)
export const EV_REPEAT: i32 = 2; // still held: repeat
export const EV_LONG: i32 = 4; // held for a long press (once per press)
export const EV_RELEASE: i32 = 8; // released (after debounce)

const stable: StaticArray<bool> = staticArray<bool>(memory.data(STATIC_HEADER_BYTES + BTN_COUNT, 16), BTN_COUNT);
const pendingControlTicks: StaticArray<i32> = staticArray<i32>(
  memory.data(STATIC_HEADER_BYTES + BTN_COUNT * 4, 16),
  BTN_COUNT,
); // ticks the raw level has differed from `stable`
const heldControlTicks: StaticArray<i32> = staticArray<i32>(
  memory.data(STATIC_HEADER_BYTES + BTN_COUNT * 4, 16),
  BTN_COUNT,
);
const events: StaticArray<i32> = staticArray<i32>(memory.data(STATIC_HEADER_BYTES + BTN_COUNT * 4, 16), BTN_COUNT);

let anyEvents: i32 = 0; // the events of all buttons, or-ed
let longestHeld: i32 = 0; // control ticks

/** Feed one sample of the raw levels; afterwards buttonEvents(i) tells what happened to button i. */
export function sampleButtons(raw: i32): void {
  anyEvents = 0;
  longestHeld = 0;
  // i counts to BTN_COUNT, the length of every array here: the accesses need no check
  for (let i = 0; i < BTN_COUNT; i++) {
    let ev = 0;
    const level = ((raw >> i) & 1) != 0;
    if (level != unchecked(stable[i])) {
      const n = unchecked(pendingControlTicks[i]) + 1;
      if (n >= DEBOUNCE_CONTROL_TICKS) {
        unchecked((stable[i] = level));
        unchecked((pendingControlTicks[i] = 0));
        unchecked((heldControlTicks[i] = 0));
        ev |= level ? EV_PRESS : EV_RELEASE;
      } else {
        unchecked((pendingControlTicks[i] = n));
      }
    } else {
      unchecked((pendingControlTicks[i] = 0));
      if (level) {
        const h = unchecked(heldControlTicks[i]) + 1;
        unchecked((heldControlTicks[i] = h));
        if (h == LONG_PRESS_CONTROL_TICKS) ev |= EV_LONG;
        if (h >= REPEAT_DELAY_CONTROL_TICKS && (h - REPEAT_DELAY_CONTROL_TICKS) % REPEAT_CONTROL_TICKS == 0)
          ev |= EV_REPEAT;
      }
    }
    unchecked((events[i] = ev));
    anyEvents |= ev;
    if (unchecked(stable[i]) && unchecked(heldControlTicks[i]) > longestHeld)
      longestHeld = unchecked(heldControlTicks[i]);
  }
}

export function buttonEvents(index: i32): i32 {
  return checked(events, index);
}

/** The events of all buttons in the last sample, or-ed. */
export function anyButtonEvents(): i32 {
  return anyEvents;
}

export function buttonHeld(index: i32): bool {
  return checked(stable, index);
}

/** Control ticks the button has been held (0 when released). */
export function buttonHeldControlTicks(index: i32): i32 {
  return checked(stable, index) ? checked(heldControlTicks, index) : 0;
}

/** Control ticks the button held longest has been held, at the last sample (0 when none is). */
export function longestHeldControlTicks(): i32 {
  return longestHeld;
}

export function resetButtons(): void {
  for (let i = 0; i < BTN_COUNT; i++) {
    setItem(stable, i, false);
    setItem(pendingControlTicks, i, 0);
    setItem(heldControlTicks, i, 0);
    setItem(events, i, 0);
  }
  anyEvents = 0;
  longestHeld = 0;
}
