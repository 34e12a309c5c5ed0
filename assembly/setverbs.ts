// Serial verbs of the settings store (settings.ts): SET DEPTH, FREQ, LEVEL, ZONE, MODE and IDLE. A new
// depth or rate is answered once the stroke plan job has settled the rate it runs at.
import {
  CAP_MODE,
  CAP_ZONE,
  ERR_ABOVE_CAP,
  ERR_AUTH,
  ERR_BAD_ARGUMENT,
  ERR_OUT_OF_RANGE,
  ERR_UNKNOWN_COMMAND,
  MODE_CAP_UM,
  MODE_PROFESSIONAL,
  SET_ABOVE_CAP,
  SET_NO_CARTRIDGE,
  SET_OK,
  ZONE_CAP_UM,
} from "./abi";
import {
  setDepthUm,
  setFreqHz,
  setLevel,
  setZone,
  setMode,
  depthLimitUm,
  capSource,
  quantizedDepthUm,
  runFreqHz,
  requestedFreqHz,
  clamp,
  depthSettingUm,
  zoneSetting,
  modeSetting,
} from "./settings";
import { settingPending } from "./planjob";
import { depthRefusal, settingChanged } from "./strokes";
import { setIdleOffSeconds, idleOffSeconds } from "./idle";
import { err } from "./protocol";
import { putCmdResult } from "./penverbs";
import { putClamp, putCapSource, putZone, zoneWord, putZoneList, putMode, modeWord, putModeList } from "./names";
import { wordIn, atEnd, number, put, putField, putInt, putMm } from "./textio";
import { DEPTH_MIN_UM, FREQ_MIN_HZ, FREQ_MAX_HZ, SPEED_LEVELS_HZ_LEN } from "./generated/board_config";
import { item } from "./statics";

const IDLE_MIN_S: i32 = 30;
const IDLE_MAX_S: i32 = 3600;

// A zone or mode whose cap the depth in use is above: the refusal, SET's longest reply, is written in
// the tick after the one that read the line and ran it (setReplyReady). In one tick, while stroking
// deep, they took the STM32F405 port to 5,148 of its 5,000 instructions (docs/porting.md).
let refusedZone: i32 = 0; // 0: none
let refusedMode: i32 = -1; // -1: none

/** SET <what> <value> */
export function setVerb(): bool {
  refusedZone = 0;
  refusedMode = -1;
  const what = wordIn("DEPTH|FREQ|LEVEL|ZONE|MODE|IDLE");
  if (what == 0) return setDepth();
  if (what == 1) return setFreq();
  if (what == 2) return setSpeedLevel();
  if (what == 3) return setTreatmentZone();
  if (what == 4) return setPenMode();
  if (what == 5) return setIdle();
  err(ERR_UNKNOWN_COMMAND);
  put("unknown setting: SET ");
  put("DEPTH|FREQ|LEVEL|ZONE|MODE|IDLE");
  return true;
}

/** The reply to a new depth or rate, once the rate it runs at is settled (false until then), or to a refused cap. */
export function setReplyReady(): bool {
  if (refusedZone > 0) {
    aboveNewCap(item(ZONE_CAP_UM, refusedZone));
    put(" cap of zone ");
    putZone(refusedZone);
    put(": set a shallower depth first");
    refusedZone = 0;
    return true;
  }
  if (refusedMode >= 0) {
    aboveNewCap(item(MODE_CAP_UM, refusedMode));
    put(" cap of ");
    putMode(refusedMode);
    put(" mode: set a shallower depth first");
    refusedMode = -1;
    return true;
  }
  if (settingPending()) return false;
  putSetting();
  return true;
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

function putValue(v: i32, unit: i32): void {
  if (unit == UNIT_MM) putMm(v);
  else putInt(v);
}
function putUnit(unit: i32): void {
  if (unit != UNIT_NONE) putField("| mm| Hz| s", unit);
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
  if (src == CAP_ZONE) {
    put("zone ");
    putZone(zoneSetting());
  } else if (src == CAP_MODE) {
    putMode(modeSetting());
    put(" mode");
  } else putCapSource(src);
  put(")");
}

function setDepth(): bool {
  const um = number(3); // mm with up to 3 decimals -> um
  if (um < 0 || !atEnd()) {
    err(ERR_BAD_ARGUMENT);
    put("bad depth: give millimetres, e.g. SET DEPTH 1.50");
    return true;
  }
  const r = setDepthUm(um);
  if (r == SET_NO_CARTRIDGE) {
    putCmdResult(depthRefusal());
    return true;
  }
  if (r != SET_OK) {
    outOfRange(WHAT_DEPTH, um, DEPTH_MIN_UM, depthLimitUm(), UNIT_MM);
    if (r == SET_ABOVE_CAP) putCap();
    return true;
  }
  settingChanged();
  return false; // the reply says the rate run: it comes when the clamp is settled
}

function setFreq(): bool {
  const hz = number(0);
  if (hz < 0 || !atEnd()) {
    err(ERR_BAD_ARGUMENT);
    put("bad rate: give whole hertz, e.g. SET FREQ 100");
    return true;
  }
  if (setFreqHz(hz) != SET_OK) {
    outOfRange(WHAT_FREQ, hz, FREQ_MIN_HZ, FREQ_MAX_HZ, UNIT_HZ);
    return true;
  }
  settingChanged();
  return false; // the reply says the rate run: it comes when the clamp is settled
}

function setSpeedLevel(): bool {
  const n = number(0);
  if (n < 0 || !atEnd()) {
    err(ERR_BAD_ARGUMENT);
    put("bad level: give a whole number, e.g. SET LEVEL 3");
    return true;
  }
  if (setLevel(n) != SET_OK) {
    outOfRange(WHAT_LEVEL, n, 1, SPEED_LEVELS_HZ_LEN, UNIT_NONE);
    return true;
  }
  settingChanged();
  return false; // the reply says the rate run: it comes when the clamp is settled
}

function setTreatmentZone(): bool {
  const z = zoneWord();
  if (z <= 0 || !atEnd()) {
    err(ERR_OUT_OF_RANGE);
    put("unknown zone: ");
    putZoneList();
    return true;
  }
  if (setZone(z) == SET_ABOVE_CAP) {
    refusedZone = z; // the refusal in the next tick
    return false;
  }
  put("OK zone=");
  putZone(z);
  put(" cap=");
  putMm(depthLimitUm());
  return true;
}

function setPenMode(): bool {
  const m = modeWord();
  if (m < 0 || !atEnd()) {
    err(ERR_OUT_OF_RANGE);
    put("unknown mode: ");
    putModeList();
    return true;
  }
  if (m == MODE_PROFESSIONAL && modeSetting() != MODE_PROFESSIONAL) {
    err(ERR_AUTH);
    put("professional mode needs a clinic licence: AUTH?, AUTH LICENCE, AUTH ANSWER");
    return true;
  }
  if (setMode(m) == SET_ABOVE_CAP) {
    refusedMode = m; // the refusal in the next tick
    return false;
  }
  put("OK mode=");
  putMode(m);
  put(" cap=");
  putMm(depthLimitUm());
  return true;
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

function setIdle(): bool {
  const s = number(0);
  if (s < 0 || !atEnd()) {
    err(ERR_BAD_ARGUMENT);
    put("bad idle time: give whole seconds, e.g. SET IDLE 300");
    return true;
  }
  if (s < IDLE_MIN_S || s > IDLE_MAX_S) {
    outOfRange(WHAT_IDLE, s, IDLE_MIN_S, IDLE_MAX_S, UNIT_S);
    return true;
  }
  setIdleOffSeconds(s);
  put("OK idle=");
  putInt(idleOffSeconds());
  return true;
}
