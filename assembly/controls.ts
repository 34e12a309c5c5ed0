// What each button does (buttons.ts debounces them): power on and off, start, pause and stop, depth
// and speed a step up or down; and a button held far longer than any use of it is stuck, a fault.
// The needles start only from the start button: a START over the serial port checks that the pen
// could start and leaves the rest to the hand on the pen (physical presence). Owns whether a stuck
// button has been faulted on, and what a power-off puts back to the power-up state.
import {
  BTN_DEPTH_DOWN,
  BTN_DEPTH_UP,
  BTN_POWER,
  BTN_SPEED_DOWN,
  BTN_SPEED_UP,
  BTN_START,
  CMD_OK,
  EV_START_REFUSED,
  F_STUCK_BUTTON,
  SET_OK,
  ST_FAULT,
  ST_OFF,
  ST_PAUSED,
  ST_READY,
  ST_RUNNING,
} from "./abi";
import {
  buttonEvents,
  anyButtonEvents,
  longestHeldControlTicks,
  EV_PRESS,
  EV_REPEAT,
  EV_LONG,
  EV_RELEASE,
} from "./buttons";
import { machineState, enterFault, powerOn, powerOff, signalRefused } from "./machine";
import { start, pause, stop, settingChanged, startRefusal } from "./strokes";
import { noteActivity } from "./idle";
import { resetAuth } from "./auth";
import { logEvent } from "./session";
import { setDepthUm, setLevel, depthSettingUm, level, requestedFreqHz, settingsToPowerUp } from "./settings";
import {
  DEPTH_STEP_UM,
  SPEED_LEVELS_HZ,
  SPEED_LEVELS_HZ_LEN,
  STUCK_BUTTON_CONTROL_TICKS,
} from "./generated/board_config";
import { item } from "./statics";

let stuckFaulted: bool = false;
/** setting buttons pressed while the needles run (a bit per button index): they act at their release */
let pressedRunning: i32 = 0;

export function resetControls(): void {
  stuckFaulted = false;
  pressedRunning = 0;
}

/** A stuck button was faulted on and is still held: the fault cannot be cleared. */
export function buttonStuck(): bool {
  return stuckFaulted;
}

/**
 * START over the serial port: the refusal the start button would meet now (logged as a refused start
 * is), or CMD_OK when only the button is missing. The needles never move for it.
 */
export function armStart(): i32 {
  const r = startRefusal();
  if (r != CMD_OK) {
    const state = machineState();
    if (state == ST_READY || state == ST_PAUSED) logEvent(EV_START_REFUSED, r);
  }
  return r;
}

/** Power-off (button, long press, idle auto-off, serial): professional mode and the zone end, and a
 * depth above the home cap comes down to it, so the pen powers up as documented. */
export function endUseAtPowerOff(): void {
  resetAuth();
  if (settingsToPowerUp()) settingChanged();
}

/** A button held far longer than any use of it is stuck: stop and ignore it until released. */
export function watchButtons(): void {
  const stuck = longestHeldControlTicks() >= STUCK_BUTTON_CONTROL_TICKS;
  if (stuck && !stuckFaulted) {
    stuckFaulted = true;
    enterFault(F_STUCK_BUTTON, false);
  }
  if (!stuck) stuckFaulted = false;
}

/** Each control tick, after the buttons are sampled: what their presses ask for. */
export function buttonActions(): void {
  // (every action below answers an event: most ticks have none, and cost one comparison)
  if (anyButtonEvents() == 0) return;
  noteActivity();
  if (stuckFaulted) return; // a stuck button must not drive anything
  const state = machineState();
  const power = buttonEvents(ctz(BTN_POWER));
  if ((power & EV_LONG) != 0 && state != ST_OFF) {
    powerOff();
    return;
  }
  if ((power & EV_PRESS) != 0 && (state == ST_OFF || state == ST_FAULT)) {
    if (powerOn() != CMD_OK) signalRefused();
    return;
  }
  const startEv = buttonEvents(ctz(BTN_START));
  if ((startEv & EV_PRESS) != 0) {
    const r = state == ST_RUNNING ? pause() : start();
    if (r != CMD_OK) signalRefused();
  }
  const now = machineState(); // start or pause may have changed it
  if ((startEv & EV_LONG) != 0 && (now == ST_RUNNING || now == ST_PAUSED)) stop();
  if (settingAsked(ctz(BTN_DEPTH_UP), EV_REPEAT)) nudgeDepth(DEPTH_STEP_UM);
  if (settingAsked(ctz(BTN_DEPTH_DOWN), EV_REPEAT)) nudgeDepth(-DEPTH_STEP_UM);
  if (settingAsked(ctz(BTN_SPEED_UP), 0)) nudgeLevel(1);
  if (settingAsked(ctz(BTN_SPEED_DOWN), 0)) nudgeLevel(-1);
}

/**
 * Whether a setting button asks for its step now. With the needles still: at its press (and at each
 * `repeat` while held). While they run: at the release of a press made while they ran, one step, so
 * that a switch stuck closed never changes the treatment (held STUCK_BUTTON time, it is a fault).
 * Taken at its closing, a stuck depth+ moved the needles 0.05 mm deeper onto an obstacle that the
 * strokes before met within the depth tolerance, which the encoder told apart only once the trims had
 * run out, 55-108 ms on (docs/hazards.md).
 */
function settingAsked(button: i32, repeat: i32): bool {
  const ev = buttonEvents(button);
  const bit = 1 << button;
  const was = pressedRunning & bit;
  pressedRunning &= ~bit;
  if (machineState() != ST_RUNNING) return (ev & (EV_PRESS | repeat)) != 0;
  if ((ev & EV_RELEASE) != 0) return was != 0;
  if ((ev & EV_PRESS) != 0 || was != 0) pressedRunning |= bit;
  return false;
}

function nudgeDepth(deltaUm: i32): void {
  if (setDepthUm(depthSettingUm() + deltaUm) != SET_OK) {
    signalRefused();
    return;
  }
  settingChanged();
}

function nudgeLevel(delta: i32): void {
  if (setLevel(nextLevel(delta)) != SET_OK) {
    signalRefused();
    return;
  }
  settingChanged();
}

/** The speed level one step up or down; from a directly set rate, the nearest level past it. */
function nextLevel(delta: i32): i32 {
  if (level() != 0) return level() + delta;
  const hz = requestedFreqHz();
  const n = SPEED_LEVELS_HZ_LEN;
  if (delta > 0) {
    for (let i = 0; i < n; i++) if (item(SPEED_LEVELS_HZ, i) > hz) return i + 1;
    return n + 1;
  }
  for (let i = n - 1; i >= 0; i--) if (item(SPEED_LEVELS_HZ, i) < hz) return i + 1;
  return 0;
}
