// The serial line protocol: one command per line, exactly one reply line per command. The parser
// works in a fixed buffer and never allocates or traps, whatever bytes arrive (docs/serial-protocol.md).
import { serial_read, serial_write } from "./hal";
import {
  setDepthUm, setFreqHz, setLevel, setZone, setMode, depthLimitUm, capSource, quantizedDepthUm, runFreqHz,
  requestedFreqHz, clamp, level, depthSettingUm, zoneSetting, modeSetting, SET_OK, SET_NO_CARTRIDGE, SET_ABOVE_CAP,
  CAP_ZONE, CAP_MODE,
} from "./settings";
import {
  start, stop, pause, powerOn, powerOff, settingChanged, machineState, machineFault, noteActivity, signalRefused,
  setIdleOffSeconds, idleOffSeconds, CMD_OK, CMD_NO_CARTRIDGE, CMD_BATTERY_LOW, CMD_WRONG_STATE, CMD_NO_ZONE,
  CMD_CARTRIDGE_REFUSED, CMD_CARTRIDGE_CHECKING,
} from "./machine";
import { cartridgeState, cartridgeRefusal, cartridgeSerial, CART_OK, CART_REFUSED } from "./cartridge";
import { newChallenge, submitAnswer, authState, authDone, challenge, answer, CHALLENGE_BYTES, AUTH_CHECKING, AUTH_PASSED, AUTH_NO_CHALLENGE } from "./auth";
import { sessionSeconds, logEvent, EV_AUTH_FAILED, EV_AUTH_PASSED } from "./session";
import { logCount, logRead, logPayload, logReadType, logReadWords } from "./log";
import { ZONE_CAP_UM, MODE_PROFESSIONAL, MODE_CAP_UM } from "./zones";
import { line, setLineLength, LINE_MAX, word, wordIn, atEnd, number, hexBytes, put, putField, endLine, putInt, putU32, putMm, putHex } from "./textio";
import { DEPTH_MIN_UM, FREQ_MIN_HZ, FREQ_MAX_HZ, SPEED_LEVELS_HZ } from "./generated/board_config";

/** bytes taken from the port per control tick, so a flood cannot stall the tick */
const BYTES_PER_TICK: i32 = 32;
const IDLE_MIN_S: i32 = 30;
const IDLE_MAX_S: i32 = 3600;

let length: i32 = 0;
let overflow: bool = false;
let authReplyPending: bool = false;

export function resetProtocol(): void {
  length = 0;
  overflow = false;
  authReplyPending = false;
}

export function pollSerial(): void {
  if (authReplyPending) {
    // one reply per command, in order: nothing more is read until the answer is checked
    if (authState() == AUTH_CHECKING) return;
    replyToAnswer();
  }
  for (let n = 0; n < BYTES_PER_TICK; n++) {
    const b = serial_read();
    if (b < 0) return;
    if (b == 10 || b == 13) {
      if (overflow) {
        put("ERR 5 line too long: at most ");
        putInt(LINE_MAX - 1);
        put(" bytes");
        endLine();
      } else if (length > 0) {
        setLineLength(length);
        noteActivity();
        execute();
      }
      length = 0;
      overflow = false;
      if (authReplyPending) return;
    } else if (length < LINE_MAX - 1) {
      line[length++] = <u8>b;
    } else {
      overflow = true;
    }
  }
}

// names of the firmware's enums, in code order (docs/serial-protocol.md)
function putState(s: i32): void { putField("off|homing|ready|running|paused|fault", s); }
function putFault(f: i32): void {
  putField("none|stall|driver_overtemp|driver_short|queue_underrun|endstop_not_found|endstop_stuck|watchdog_reset|driver_undervoltage|plan|firmware_reset|battery_low|lost_steps|stuck_button|cartridge_removed", f);
}
function putClamp(c: i32): void { putField("none|torque|step_rate", c); }
function putRefusal(r: i32): void { putField("none|unknown|not_genuine|used", r); }
function putZone(z: i32): void { putField("none|forehead|eyes|nose|upper_lip|cheekbones|cheeks|neck|acne_scars|stretch_marks|scalp", z); }
function zoneWord(): i32 { return wordIn("none|forehead|eyes|nose|upper_lip|cheekbones|cheeks|neck|acne_scars|stretch_marks|scalp"); }
function putMode(m: i32): void { putField("home|professional", m); }
function modeWord(): i32 { return wordIn("home|professional"); }

function putSetting(): void {
  put("OK depth=");
  putMm(quantizedDepthUm());
  put(" freq=");
  putInt(runFreqHz());
  if (clamp() != 0) {
    put(" clamped=");
    putClamp(clamp());
    put(" asked=");
    putInt(requestedFreqHz());
  }
}

function putCap(): void {
  const src = capSource();
  put(" (cap of ");
  if (src == CAP_ZONE) { put("zone "); putZone(zoneSetting()); }
  else if (src == CAP_MODE) { putMode(modeSetting()); put(" mode"); }
  else putField("board|cartridge|motor", src);
  put(")");
}

function putCartridge(): void {
  const c = cartridgeState();
  if (c == CART_OK) { put("ok:"); putU32(cartridgeSerial()); }
  else if (c == CART_REFUSED) { put("refused:"); putRefusal(cartridgeRefusal()); }
  else put(c == 0 ? "none" : "checking");
}

function putCmdResult(r: i32): void {
  if (r != CMD_OK) signalRefused();
  if (r == CMD_OK) { put("OK"); return; }
  if (r == CMD_NO_CARTRIDGE) { put("ERR 6 no cartridge fitted"); return; }
  if (r == CMD_CARTRIDGE_CHECKING) { put("ERR 6 cartridge still being checked: try again"); return; }
  if (r == CMD_CARTRIDGE_REFUSED) {
    put("ERR 6 cartridge refused: ");
    putRefusal(cartridgeRefusal());
    put(": fit a new genuine cartridge");
    return;
  }
  if (r == CMD_BATTERY_LOW) { put("ERR 8 battery too low: charge the pen"); return; }
  if (r == CMD_NO_ZONE) { put("ERR 9 no treatment zone: SET ZONE <name> first"); return; }
  if (r == CMD_WRONG_STATE) {
    put("ERR 4 not allowed in state ");
    putState(machineState());
    return;
  }
  put("ERR 7 stroke could not be planned");
}

function putStatus(): void {
  put("STATUS state=");
  putState(machineState());
  put(" fault=");
  putFault(machineFault());
  put(" depth=");
  putMm(quantizedDepthUm());
  put(" freq=");
  putInt(runFreqHz());
  put(" asked=");
  putInt(requestedFreqHz());
  put(" clamp=");
  putClamp(clamp());
  put(" level=");
  putInt(level());
  put(" zone=");
  putZone(zoneSetting());
  put(" mode=");
  putMode(modeSetting());
  put(" cap=");
  putMm(depthLimitUm());
  put(" cartridge=");
  putCartridge();
  put(" session_s=");
  putU32(sessionSeconds());
}

// ---- commands ------------------------------------------------------------------------------

function execute(): void {
  if (word("SET")) {
    if (word("DEPTH")) setDepth();
    else if (word("FREQ")) setFreq();
    else if (word("LEVEL")) setSpeedLevel();
    else if (word("ZONE")) setTreatmentZone();
    else if (word("MODE")) setPenMode();
    else if (word("IDLE")) setIdle();
    else { put("ERR 1 unknown setting: SET DEPTH|FREQ|LEVEL|ZONE|MODE|IDLE"); signalRefused(); }
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
    if (noArgument()) putStatus();
  } else if (word("AUTH?")) {
    if (noArgument()) { newChallenge(); put("CHALLENGE "); putHex(challenge, CHALLENGE_BYTES); }
  } else if (word("AUTH")) {
    authenticate();
    if (authReplyPending) return; // the reply comes when the answer is checked
  } else if (word("LOG?")) {
    if (noArgument()) { put("LOG count="); putInt(logCount()); }
  } else if (word("LOG")) {
    logLine();
  } else {
    put("ERR 1 unknown command: SET|START|PAUSE|STOP|POWER ON|POWER OFF|CLEAR|STATUS?|AUTH?|AUTH|LOG?|LOG");
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
  const um = number(3); // mm with up to 3 decimals -> um
  if (um < 0 || !atEnd()) { put("ERR 2 bad depth: give millimetres, e.g. SET DEPTH 1.50"); return; }
  const r = setDepthUm(um);
  if (r == SET_NO_CARTRIDGE) { put("ERR 6 no cartridge fitted"); signalRefused(); return; }
  if (r != SET_OK) {
    put("ERR 3 depth ");
    putMm(um);
    put(" mm out of range ");
    putMm(DEPTH_MIN_UM);
    put("..");
    putMm(depthLimitUm());
    put(" mm");
    if (r == SET_ABOVE_CAP) putCap();
    signalRefused();
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
    signalRefused();
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
    signalRefused();
    return;
  }
  settingChanged();
  putSetting();
}

function setTreatmentZone(): void {
  const z = zoneWord();
  if (z <= 0 || !atEnd()) {
    put("ERR 3 unknown zone: forehead|eyes|nose|upper_lip|cheekbones|cheeks|neck|acne_scars|stretch_marks|scalp");
    signalRefused();
    return;
  }
  if (setZone(z) == SET_ABOVE_CAP) {
    put("ERR 11 depth ");
    putMm(depthSettingUm());
    put(" mm is above the ");
    putMm(ZONE_CAP_UM[z]);
    put(" mm cap of zone ");
    putZone(z);
    put(": set a shallower depth first");
    signalRefused();
    return;
  }
  put("OK zone=");
  putZone(z);
  put(" cap=");
  putMm(depthLimitUm());
}

function setPenMode(): void {
  const m = modeWord();
  if (m < 0 || !atEnd()) { put("ERR 3 unknown mode: home|professional"); signalRefused(); return; }
  if (m == MODE_PROFESSIONAL && modeSetting() != MODE_PROFESSIONAL) {
    put("ERR 10 professional mode needs the clinic key: AUTH? then AUTH <answer>");
    signalRefused();
    return;
  }
  if (setMode(m) == SET_ABOVE_CAP) {
    put("ERR 11 depth ");
    putMm(depthSettingUm());
    put(" mm is above the ");
    putMm(MODE_CAP_UM[m]);
    put(" mm cap of ");
    putMode(m);
    put(" mode: set a shallower depth first");
    signalRefused();
    return;
  }
  put("OK mode=");
  putMode(m);
  put(" cap=");
  putMm(depthLimitUm());
}

function setIdle(): void {
  const s = number(0);
  if (s < IDLE_MIN_S || s > IDLE_MAX_S || !atEnd()) {
    put("ERR 3 idle time out of range ");
    putInt(IDLE_MIN_S);
    put("..");
    putInt(IDLE_MAX_S);
    put(" s");
    return;
  }
  setIdleOffSeconds(s);
  put("OK idle=");
  putInt(idleOffSeconds());
}

function authenticate(): void {
  if (!hexBytes(answer, 32) || !atEnd()) { put("ERR 2 AUTH takes the 64 hex digits of the answer"); return; }
  submitAnswer();
  if (authState() == AUTH_NO_CHALLENGE) {
    authDone();
    logEvent(EV_AUTH_FAILED, 2);
    put("ERR 10 no live challenge: send AUTH? first (each challenge takes one answer)");
    signalRefused();
    return;
  }
  authReplyPending = true;
}

function replyToAnswer(): void {
  authReplyPending = false;
  if (authState() == AUTH_PASSED) {
    setMode(MODE_PROFESSIONAL);
    logEvent(EV_AUTH_PASSED, 0);
    put("OK mode=professional cap=");
    putMm(depthLimitUm());
  } else {
    logEvent(EV_AUTH_FAILED, 1);
    put("ERR 10 authentication failed");
    signalRefused();
  }
  authDone();
  endLine();
}

/** LOG <i>: record i (0 = oldest) as its type and payload words, decimal (docs/treatment-log.md; `pen log` decodes it). */
function logLine(): void {
  const i = number(0);
  if (i < 0 || !atEnd()) { put("ERR 2 LOG takes a record number, e.g. LOG 0"); return; }
  if (!logRead(i)) { put("ERR 3 no record "); putInt(i); put(": LOG? gives the count"); return; }
  put("LOG ");
  putInt(i);
  serial_write(32);
  putInt(logReadType);
  for (let k = 0; k < logReadWords; k++) {
    serial_write(32);
    putU32(logPayload[k]);
  }
}
