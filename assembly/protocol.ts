// The serial line protocol: one command per line, exactly one reply line per command. The parser
// works in a fixed buffer and never allocates or traps, whatever bytes arrive (docs/serial-protocol.md).
import {
  CAP_MODE, CAP_ZONE, CART_OK, CART_REFUSED, CMD_BATTERY_LOW, CMD_CARTRIDGE_CHECKING,
  CMD_CARTRIDGE_REFUSED, CMD_NO_CARTRIDGE, CMD_NO_ZONE, CMD_OK, CMD_WRONG_STATE, EV_AUTH_FAILED,
  EV_AUTH_PASSED, MODE_CAP_UM, MODE_PROFESSIONAL, SET_ABOVE_CAP, SET_NO_CARTRIDGE, SET_OK, ZONE_CAP_UM,
  ERR_UNKNOWN_COMMAND, ERR_BAD_ARGUMENT, ERR_OUT_OF_RANGE, ERR_WRONG_STATE, ERR_LINE_TOO_LONG,
  ERR_CARTRIDGE, ERR_PLAN, ERR_BATTERY, ERR_NO_ZONE, ERR_AUTH, ERR_ABOVE_CAP,
} from "./abi";
import { serial_read } from "./hal";
import { noteHeavyWork } from "./budget";
import {
  setDepthUm, setFreqHz, setLevel, setZone, setMode, depthLimitUm, capSource, quantizedDepthUm,
  runFreqHz, requestedFreqHz, clamp, level, depthSettingUm, zoneSetting, modeSetting,
} from "./settings";
import {
  start, stop, pause, powerOn, powerOff, settingChanged, machineState, machineFault,
  signalRefused,
} from "./machine";
import { noteActivity, setIdleOffSeconds, idleOffSeconds } from "./idle";
import { settingPending } from "./planjob";
import { cartridgeState, cartridgeRefusal, cartridgeSerial } from "./cartridge";
import { newChallenge, submitAnswer, authState, authDone, challenge, answer, CHALLENGE_BYTES, AUTH_CHECKING, AUTH_PASSED, AUTH_NO_CHALLENGE } from "./auth";
import { sessionSeconds, logEvent } from "./session";
import { logCount, logRead, logPayload, logReadType, logReadWords } from "./log";
import { putState, putFault, putClamp, putRefusal, putCapSource, putZone, zoneWord, putZoneList, putMode, modeWord, putModeList } from "./names";
import { line, setLineLength, LINE_MAX, word, wordIn, atEnd, number, hexBytes, put, putField, endLine, putInt, putU32, putMm, putHex, out, sendSome, resetTx } from "./textio";
import { DEPTH_MIN_UM, FREQ_MIN_HZ, FREQ_MAX_HZ, SPEED_LEVELS_HZ_LEN } from "./generated/board_config";

/** bytes taken from the port per control tick, so a flood cannot stall the tick: about what a UART
 * at 115200 baud brings in 1 ms */
const BYTES_PER_TICK: i32 = 12;
const IDLE_MIN_S: i32 = 30;
const IDLE_MAX_S: i32 = 3600;

let length: i32 = 0;
let overflow: bool = false;
let authReplyPending: bool = false;
let settingReplyPending: bool = false;
let statusRestPending: bool = false;
let refused: bool = false; // the reply being written is an error: the pen beeps once

/** Starts an error reply: "ERR <code> ". */
function err(code: i32): void {
  put("ERR ");
  putInt(code);
  put(" ");
  refused = true;
}

const UNIT_NONE: i32 = 0;
const UNIT_MM: i32 = 1; // values in um, written as mm
const UNIT_HZ: i32 = 2;
const UNIT_S: i32 = 3;

/** "ERR 3 <what> <v> <unit> out of range <lo>..<hi> <unit>" */
// what is named by a word of the text table, not by a UTF-16 string
const WHAT_DEPTH: i32 = 0;
const WHAT_FREQ: i32 = 1;
const WHAT_LEVEL: i32 = 2;
const WHAT_IDLE: i32 = 3;
function outOfRange(what: i32, v: i32, lo: i32, hi: i32, unit: i32): void {
  err(ERR_OUT_OF_RANGE);
  putField("depth |freq |level |idle time ", what);
  putValue(v, unit);
  putUnit(unit);
  put(" out of range ");
  putValue(lo, unit);
  put("..");
  putValue(hi, unit);
  putUnit(unit);
}

function putValue(v: i32, unit: i32): void { if (unit == UNIT_MM) putMm(v); else putInt(v); }
function putUnit(unit: i32): void { if (unit != UNIT_NONE) putField("| mm| Hz| s", unit); }

export function resetProtocol(): void {
  length = 0;
  overflow = false;
  authReplyPending = false;
  settingReplyPending = false;
  statusRestPending = false;
  resetTx();
}

/**
 * Called every tick. One reply at a time, in order: nothing more is read until the reply is out.
 * A tick does one of these, never two: send some of the reply; write a reply that waited (for the
 * HMAC, the clamp of a new setting, or the second part of STATUS?); read a line and run it.
 */
export function pollSerial(): void {
  if (sendSome()) return;
  if (authReplyPending) {
    if (authState() == AUTH_CHECKING) return;
    noteHeavyWork();
    replyToAnswer();
    return;
  }
  if (settingReplyPending) {
    if (settingPending()) return;
    noteHeavyWork();
    settingReplyPending = false;
    putSetting();
    finishReply();
    return;
  }
  if (statusRestPending) {
    noteHeavyWork();
    statusRestPending = false;
    putStatusRest();
    finishReply();
    return;
  }
  for (let n = 0; n < BYTES_PER_TICK; n++) {
    const b = serial_read();
    if (b < 0) return;
    if (b == 10 || b == 13) {
      const replying = overflow || length > 0;
      if (replying) noteHeavyWork();
      if (overflow) {
        err(ERR_LINE_TOO_LONG);
        put("line too long: at most ");
        putInt(LINE_MAX - 1);
        put(" bytes");
        finishReply();
      } else if (length > 0) {
        setLineLength(length);
        noteActivity();
        execute();
      }
      length = 0;
      overflow = false;
      if (replying) return;
    } else if (length < LINE_MAX - 1) {
      line[length++] = <u8>b;
    } else {
      overflow = true;
    }
  }
}

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
  else putCapSource(src);
  put(")");
}

function putCartridge(): void {
  const c = cartridgeState();
  if (c == CART_OK) { put("ok:"); putU32(cartridgeSerial()); }
  else if (c == CART_REFUSED) { put("refused:"); putRefusal(cartridgeRefusal()); }
  else if (c == 0) put("none");
  else put("checking");
}

function putCmdResult(r: i32): void {
  if (r == CMD_OK) { put("OK"); return; }
  if (r == CMD_NO_CARTRIDGE) { err(ERR_CARTRIDGE); put("no cartridge fitted"); return; }
  if (r == CMD_CARTRIDGE_CHECKING) { err(ERR_CARTRIDGE); put("cartridge still being checked: try again"); return; }
  if (r == CMD_CARTRIDGE_REFUSED) {
    err(ERR_CARTRIDGE);
    put("cartridge refused: ");
    putRefusal(cartridgeRefusal());
    put(": fit a new genuine cartridge");
    return;
  }
  if (r == CMD_BATTERY_LOW) { err(ERR_BATTERY); put("battery too low: charge the pen"); return; }
  if (r == CMD_NO_ZONE) { err(ERR_NO_ZONE); put("no treatment zone: SET ZONE <name> first"); return; }
  if (r == CMD_WRONG_STATE) {
    err(ERR_WRONG_STATE);
    put("not allowed in state ");
    putState(machineState());
    return;
  }
  err(ERR_PLAN);
  put("stroke could not be planned");
}

/** Ends the reply line; an error reply also beeps. */
function finishReply(): void {
  endLine();
  if (refused) signalRefused();
  refused = false;
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
  statusRestPending = true; // the rest in the tick after this part is sent: each tick stays short
}

function putStatusRest(): void {
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
  const cmd = wordIn("SET|START|PAUSE|STOP|POWER|CLEAR|STATUS?|AUTH?|AUTH|LOG?|LOG");
  if (cmd == 0) {
    const what = wordIn("DEPTH|FREQ|LEVEL|ZONE|MODE|IDLE");
    if (what == 0) setDepth();
    else if (what == 1) setFreq();
    else if (what == 2) setSpeedLevel();
    else if (what == 3) setTreatmentZone();
    else if (what == 4) setPenMode();
    else if (what == 5) setIdle();
    else { err(ERR_UNKNOWN_COMMAND); put("unknown setting: SET "); put("DEPTH|FREQ|LEVEL|ZONE|MODE|IDLE"); }
  } else if (cmd == 4) {
    const on = wordIn("OFF|ON");
    if (on < 0 || !atEnd()) { err(ERR_BAD_ARGUMENT); put("POWER takes ON or OFF"); }
    else putCmdResult(on == 1 ? powerOn() : powerOff());
  } else if (cmd == 8) {
    authenticate();
    if (authReplyPending) return; // the reply comes when the answer is checked
  } else if (cmd == 10) {
    logLine();
  } else if (cmd < 0) {
    err(ERR_UNKNOWN_COMMAND);
    put("unknown command: ");
    put("SET|START|PAUSE|STOP|POWER|CLEAR|STATUS?|AUTH?|AUTH|LOG?|LOG");
  } else if (noArgument()) {
    if (cmd == 1) putCmdResult(start());
    else if (cmd == 2) putCmdResult(pause());
    else if (cmd == 3) putCmdResult(stop());
    else if (cmd == 5) putCmdResult(machineFault() == 0 ? CMD_WRONG_STATE : powerOn());
    else if (cmd == 6) putStatus();
    else if (cmd == 7) { newChallenge(); put("CHALLENGE "); putHex(challenge, CHALLENGE_BYTES); }
    else { put("LOG count="); putInt(logCount()); }
  }
  if (!settingReplyPending && !statusRestPending) finishReply();
}

/** Commands without arguments: anything after them is refused before the command runs. */
function noArgument(): bool {
  if (atEnd()) return true;
  err(ERR_BAD_ARGUMENT);
  put("unexpected argument");
  return false;
}

function setDepth(): void {
  const um = number(3); // mm with up to 3 decimals -> um
  if (um < 0 || !atEnd()) { err(ERR_BAD_ARGUMENT); put("bad depth: give millimetres, e.g. SET DEPTH 1.50"); return; }
  const r = setDepthUm(um);
  if (r == SET_NO_CARTRIDGE) { putCmdResult(CMD_NO_CARTRIDGE); return; }
  if (r != SET_OK) {
    outOfRange(WHAT_DEPTH, um, DEPTH_MIN_UM, depthLimitUm(), UNIT_MM);
    if (r == SET_ABOVE_CAP) putCap();
    return;
  }
  settingChanged();
  settingReplyPending = true; // the reply says the rate run: it comes when the clamp is settled
}

function setFreq(): void {
  const hz = number(0);
  if (hz < 0 || !atEnd()) { err(ERR_BAD_ARGUMENT); put("bad rate: give whole hertz, e.g. SET FREQ 100"); return; }
  if (setFreqHz(hz) != SET_OK) {
    outOfRange(WHAT_FREQ, hz, FREQ_MIN_HZ, FREQ_MAX_HZ, UNIT_HZ);
    return;
  }
  settingChanged();
  settingReplyPending = true; // the reply says the rate run: it comes when the clamp is settled
}

function setSpeedLevel(): void {
  const n = number(0);
  if (n < 0 || !atEnd()) { err(ERR_BAD_ARGUMENT); put("bad level: give a whole number, e.g. SET LEVEL 3"); return; }
  if (setLevel(n) != SET_OK) {
    outOfRange(WHAT_LEVEL, n, 1, SPEED_LEVELS_HZ_LEN, UNIT_NONE);
    return;
  }
  settingChanged();
  settingReplyPending = true; // the reply says the rate run: it comes when the clamp is settled
}

function setTreatmentZone(): void {
  const z = zoneWord();
  if (z <= 0 || !atEnd()) {
    err(ERR_OUT_OF_RANGE);
    put("unknown zone: ");
    putZoneList();
    return;
  }
  if (setZone(z) == SET_ABOVE_CAP) {
    aboveNewCap(ZONE_CAP_UM[z]);
    put(" cap of zone ");
    putZone(z);
    put(": set a shallower depth first");
    return;
  }
  put("OK zone=");
  putZone(z);
  put(" cap=");
  putMm(depthLimitUm());
}

function setPenMode(): void {
  const m = modeWord();
  if (m < 0 || !atEnd()) { err(ERR_OUT_OF_RANGE); put("unknown mode: "); putModeList(); return; }
  if (m == MODE_PROFESSIONAL && modeSetting() != MODE_PROFESSIONAL) {
    err(ERR_AUTH);
    put("professional mode needs the clinic key: AUTH? then AUTH <answer>");
    return;
  }
  if (setMode(m) == SET_ABOVE_CAP) {
    aboveNewCap(MODE_CAP_UM[m]);
    put(" cap of ");
    putMode(m);
    put(" mode: set a shallower depth first");
    return;
  }
  put("OK mode=");
  putMode(m);
  put(" cap=");
  putMm(depthLimitUm());
}

/** "ERR 11 depth <d> mm is above the <cap> mm" (the caller says whose cap). */
function aboveNewCap(capUm: i32): void {
  err(ERR_ABOVE_CAP);
  put("depth ");
  putMm(depthSettingUm());
  put(" mm is above the ");
  putMm(capUm);
  put(" mm");
}

function setIdle(): void {
  const s = number(0);
  if (s < 0 || !atEnd()) { err(ERR_BAD_ARGUMENT); put("bad idle time: give whole seconds, e.g. SET IDLE 300"); return; }
  if (s < IDLE_MIN_S || s > IDLE_MAX_S) { outOfRange(WHAT_IDLE, s, IDLE_MIN_S, IDLE_MAX_S, UNIT_S); return; }
  setIdleOffSeconds(s);
  put("OK idle=");
  putInt(idleOffSeconds());
}

function authenticate(): void {
  if (!hexBytes(answer, 32) || !atEnd()) { err(ERR_BAD_ARGUMENT); put("AUTH takes the 64 hex digits of the answer"); return; }
  submitAnswer();
  if (authState() == AUTH_NO_CHALLENGE) {
    authDone();
    logEvent(EV_AUTH_FAILED, 2);
    err(ERR_AUTH);
    put("no live challenge: send AUTH? first");
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
    err(ERR_AUTH);
    put("authentication failed");
  }
  authDone();
  finishReply();
}

/** LOG <i>: record i (0 = oldest) as its type and payload words, decimal (docs/treatment-log.md; `pen log` decodes it). */
function logLine(): void {
  const i = number(0);
  if (i < 0 || !atEnd()) { err(ERR_BAD_ARGUMENT); put("LOG takes a record number, e.g. LOG 0"); return; }
  if (!logRead(i)) { err(ERR_OUT_OF_RANGE); put("no record "); putInt(i); put(": LOG? gives the count"); return; }
  put("LOG ");
  putInt(i);
  out(32);
  putInt(logReadType);
  for (let k = 0; k < logReadWords; k++) {
    out(32);
    putU32(logPayload[k]);
  }
}
