// Debounced buttons with press, long-press and hold-to-repeat events, sampled once per control tick.
import { BTN_COUNT } from "./abi";
import { DEBOUNCE_CONTROL_TICKS, REPEAT_DELAY_CONTROL_TICKS, REPEAT_CONTROL_TICKS, LONG_PRESS_CONTROL_TICKS } from "./generated/board_config";

export const EV_PRESS: i32 = 1;   // became pressed (after debounce)
export const EV_REPEAT: i32 = 2;  // still held: repeat
export const EV_LONG: i32 = 4;    // held for a long press (once per press)
export const EV_RELEASE: i32 = 8; // released (after debounce)

const stable: StaticArray<bool> = changetype<StaticArray<bool>>(memory.data(BTN_COUNT));
const pendingControlTicks: StaticArray<i32> = changetype<StaticArray<i32>>(memory.data(BTN_COUNT * 4)); // ticks the raw level has differed from `stable`
const heldControlTicks: StaticArray<i32> = changetype<StaticArray<i32>>(memory.data(BTN_COUNT * 4));
const events: StaticArray<i32> = changetype<StaticArray<i32>>(memory.data(BTN_COUNT * 4));

/** Feed one sample of the raw levels; afterwards buttonEvents(i) tells what happened to button i. */
export function sampleButtons(raw: i32): void {
  for (let i = 0; i < BTN_COUNT; i++) {
    let ev = 0;
    const level = ((raw >> i) & 1) != 0;
    if (level != stable[i]) {
      const n = pendingControlTicks[i] + 1;
      if (n >= DEBOUNCE_CONTROL_TICKS) {
        stable[i] = level;
        pendingControlTicks[i] = 0;
        heldControlTicks[i] = 0;
        ev |= level ? EV_PRESS : EV_RELEASE;
      } else {
        pendingControlTicks[i] = n;
      }
    } else {
      pendingControlTicks[i] = 0;
      if (level) {
        const h = heldControlTicks[i] + 1;
        heldControlTicks[i] = h;
        if (h == LONG_PRESS_CONTROL_TICKS) ev |= EV_LONG;
        if (h >= REPEAT_DELAY_CONTROL_TICKS && (h - REPEAT_DELAY_CONTROL_TICKS) % REPEAT_CONTROL_TICKS == 0) ev |= EV_REPEAT;
      }
    }
    events[i] = ev;
  }
}

export function buttonEvents(index: i32): i32 { return events[index]; }

export function buttonHeld(index: i32): bool { return stable[index]; }

/** Control ticks the button has been held (0 when released). */
export function buttonHeldControlTicks(index: i32): i32 { return stable[index] ? heldControlTicks[index] : 0; }

export function resetButtons(): void {
  for (let i = 0; i < BTN_COUNT; i++) {
    stable[i] = false;
    pendingControlTicks[i] = 0;
    heldControlTicks[i] = 0;
    events[i] = 0;
  }
}
