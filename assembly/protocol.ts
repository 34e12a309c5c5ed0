// The serial line protocol: one command per line, exactly one reply line per command. The parser
// works in a fixed buffer and never allocates or traps, whatever bytes arrive (docs/serial-protocol.md).
import { serial_read, serial_write } from "./hal";
import {
  setDepthUm, setFreqHz, setLevel, depthLimitUm, quantizedDepthUm, runFreqHz, requestedFreqHz, clamp,
  level, cartridgeIndex, SET_OK, SET_NO_CARTRIDGE,
} from "./settings";
import {
  start, stop, pause, powerOn, powerOff, settingChanged, machineState, machineFault, CMD_OK, CMD_NO_CARTRIDGE, CMD_BATTERY_LOW,
  CMD_WRONG_STATE,
} from "./machine";
import { DEPTH_MIN_UM, FREQ_MIN_HZ, FREQ_MAX_HZ, SPEED_LEVELS_HZ } from "./generated/board_config";

export const LINE_MAX: i32 = 64;
/** bytes taken from the port per control tick, so a flood cannot stall the tick */
const BYTES_PER_TICK: i32 = 32;

const line = new StaticArray<u8>(LINE_MAX);
let lineLen: i32 = 0;
let overflow: bool = false;
let pos: i32 = 0; // parse cursor

export function resetProtocol(): void {
  lineLen = 0;
  overflow = false;
}

export function pollSerial(): void {
  for (let n = 0; n < BYTES_PER_TICK; n++) {
    const b = serial_read();
    if (b < 0) return;
    if (b == 10 || b == 13) {
      if (overflow) {
        put("ERR 5 line too long: at most 63 bytes");
        endLine();
      } else if (lineLen > 0) {
        execute();
      }
      lineLen = 0;
      overflow = false;
    } else if (lineLen < LINE_MAX - 1) {
      line[lineLen++] = <u8>b;
    } else {
      overflow = true;
    }
  }
}

// ---- parsing -------------------------------------------------------------------------------

function upper(c: i32): i32 { return c >= 97 && c <= 122 ? c - 32 : c; }

function skipSpaces(): void { while (pos < lineLen && (line[pos] == 32 || line[pos] == 9)) pos++; }

/** Consumes `word` (upper case) if the line has it next, followed by a space or the end. */
function word(w: string): bool {
  skipSpaces();
  const n = w.length;
  if (pos + n > lineLen) return false;
  for (let i = 0; i < n; i++) if (upper(<i32>line[pos + i]) != w.charCodeAt(i)) return false;
  if (pos + n < lineLen && line[pos + n] != 32 && line[pos + n] != 9) return false;
  pos += n;
  return true;
}

function atEnd(): bool { skipSpaces(); return pos >= lineLen; }

/** Parses a decimal with up to `decimals` fraction digits as a scaled integer; -1 on bad input. */
function number(decimals: i32): i32 {
  skipSpaces();
  let v: i32 = 0;
  let digits = 0;
  let frac = -1; // fraction digits seen, -1 before the point
  while (pos < lineLen) {
    const c = <i32>line[pos];
    if (c >= 48 && c <= 57) {
      if (frac >= decimals) return -1;
      if (digits >= 6) return -1; // keeps v far from overflow
      v = v * 10 + (c - 48);
      digits++;
      if (frac >= 0) frac++;
    } else if (c == 46 && frac < 0 && decimals > 0) {
      frac = 0;
    } else if (c == 32 || c == 9) {
      break;
    } else {
      return -1;
    }
    pos++;
  }
  if (digits == 0) return -1;
  let f = frac < 0 ? 0 : frac;
  while (f < decimals) { v *= 10; f++; }
  return v;
}

// ---- replies -------------------------------------------------------------------------------

function put(s: string): void { for (let i = 0; i < s.length; i++) serial_write(s.charCodeAt(i)); }
function endLine(): void { serial_write(10); }

function putInt(v: i32): void {
  if (v < 0) { serial_write(45); v = -v; }
  let div = 1;
  while (v / div >= 10) div *= 10;
  while (div > 0) { serial_write(48 + (v / div) % 10); div /= 10; }
}

/** micrometres as millimetres with two decimals */
function putMm(um: i32): void {
  const hundredths = (um + 5) / 10;
  putInt(hundredths / 100);
  serial_write(46);
  const f = hundredths % 100;
  serial_write(48 + f / 10);
  serial_write(48 + f % 10);
}

const STATE_NAMES: StaticArray<string> = ["off", "homing", "ready", "running", "paused", "fault"];
const FAULT_NAMES: StaticArray<string> = ["none", "stall", "driver_overtemp", "driver_short", "queue_underrun",
  "endstop_not_found", "endstop_stuck", "watchdog_reset", "driver_undervoltage", "plan", "firmware_reset", "battery_low"];
const CLAMP_NAMES: StaticArray<string> = ["none", "torque", "step_rate"];

function putName(names: StaticArray<string>, i: i32): void {
  if (i >= 0 && i < names.length) put(names[i]); else putInt(i);
}

function putSetting(): void {
  put("OK depth=");
  putMm(quantizedDepthUm());
  put(" freq=");
  putInt(runFreqHz());
  if (clamp() != 0) {
    put(" clamped=");
    putName(CLAMP_NAMES, clamp());
    put(" asked=");
    putInt(requestedFreqHz());
  }
}

function putCmdResult(r: i32): void {
  if (r == CMD_OK) { put("OK"); return; }
  if (r == CMD_NO_CARTRIDGE) { put("ERR 6 no cartridge fitted"); return; }
  if (r == CMD_BATTERY_LOW) { put("ERR 8 battery too low: charge the pen"); return; }
  if (r == CMD_WRONG_STATE) {
    put("ERR 4 not allowed in state ");
    putName(STATE_NAMES, machineState());
    return;
  }
  put("ERR 7 stroke could not be planned");
}

function putStatus(): void {
  put("STATUS state=");
  putName(STATE_NAMES, machineState());
  put(" fault=");
  putName(FAULT_NAMES, machineFault());
  put(" depth=");
  putMm(quantizedDepthUm());
  put(" freq=");
  putInt(runFreqHz());
  put(" asked=");
  putInt(requestedFreqHz());
  put(" clamp=");
  putName(CLAMP_NAMES, clamp());
  put(" level=");
  putInt(level());
  put(" cartridge=");
  putInt(cartridgeIndex());
}

// ---- commands ------------------------------------------------------------------------------

function execute(): void {
  pos = 0;
  if (word("SET")) {
    if (word("DEPTH")) setDepth();
    else if (word("FREQ")) setFreq();
    else if (word("LEVEL")) setSpeedLevel();
    else put("ERR 1 unknown setting: SET DEPTH <mm>, SET FREQ <Hz> or SET LEVEL <n>");
  } else if (word("START")) {
    if (noArgument()) putCmdResult(start());
  } else if (word("PAUSE")) {
    if (noArgument()) putCmdResult(pause());
  } else if (word("STOP")) {
    if (noArgument()) putCmdResult(stop());
  } else if (word("POWER")) {
    if (word("ON") && atEnd()) putCmdResult(powerOn());
    else if (word("OFF") && atEnd()) putCmdResult(powerOff());
    else put("ERR 2 POWER takes ON or OFF");
  } else if (word("CLEAR")) {
    if (noArgument()) putCmdResult(machineFault() == 0 ? CMD_WRONG_STATE : powerOn());
  } else if (word("STATUS?")) {
    if (atEnd()) putStatus(); else put("ERR 2 STATUS? takes no argument");
  } else {
    put("ERR 1 unknown command: SET DEPTH|SET FREQ|SET LEVEL|START|PAUSE|STOP|POWER ON|POWER OFF|CLEAR|STATUS?");
  }
  endLine();
}

/** Commands without arguments: anything after them is refused before the command runs. */
function noArgument(): bool {
  if (atEnd()) return true;
  put("ERR 2 unexpected argument");
  return false;
}

function setDepth(): void {
  const um = number(3) ; // mm with up to 3 decimals -> um
  if (um < 0 || !atEnd()) { put("ERR 2 bad depth: give millimetres, e.g. SET DEPTH 1.50"); return; }
  const r = setDepthUm(um);
  if (r == SET_NO_CARTRIDGE) { put("ERR 6 no cartridge fitted"); return; }
  if (r != SET_OK) {
    put("ERR 3 depth ");
    putMm(um);
    put(" mm out of range ");
    putMm(DEPTH_MIN_UM);
    put("..");
    putMm(depthLimitUm());
    put(" mm");
    return;
  }
  settingChanged();
  putSetting();
}

function setFreq(): void {
  const hz = number(0);
  if (hz < 0 || !atEnd()) { put("ERR 2 bad rate: give whole hertz, e.g. SET FREQ 100"); return; }
  if (setFreqHz(hz) != SET_OK) {
    put("ERR 3 freq ");
    putInt(hz);
    put(" Hz out of range ");
    putInt(FREQ_MIN_HZ);
    put("..");
    putInt(FREQ_MAX_HZ);
    put(" Hz");
    return;
  }
  settingChanged();
  putSetting();
}

function setSpeedLevel(): void {
  const n = number(0);
  if (n < 0 || !atEnd()) { put("ERR 2 bad level: give a whole number, e.g. SET LEVEL 3"); return; }
  if (setLevel(n) != SET_OK) {
    put("ERR 3 level ");
    putInt(n);
    put(" out of range 1..");
    putInt(SPEED_LEVELS_HZ.length);
    return;
  }
  settingChanged();
  putSetting();
}
