// Serial verbs of the pen's state machine: START, PAUSE, STOP, POWER ON|OFF, CLEAR, STATUS?, SERVICE; and the
// replies to command results (CMD_*), which the SET verbs share.
import {
  CART_OK,
  CART_REFUSED,
  CMD_BATTERY_LOW,
  CMD_CARTRIDGE_CHECKING,
  CMD_CARTRIDGE_REFUSED,
  CMD_NO_CARTRIDGE,
  CMD_NO_ZONE,
  CMD_OK,
  CMD_WRONG_STATE,
  ERR_BAD_ARGUMENT,
  ERR_BATTERY,
  ERR_CARTRIDGE,
  ERR_NO_ZONE,
  ERR_PLAN,
  ERR_WRONG_STATE,
  ST_OFF,
  ST_READY,
} from "./abi";
import { reboot_to_service } from "./hal";
import { powerOn, powerOff, machineState, machineFault } from "./machine";
import { stop, pause } from "./strokes";
import { armStart } from "./controls";
import {
  quantizedDepthUm,
  runFreqHz,
  requestedFreqHz,
  clamp,
  level,
  zoneSetting,
  modeSetting,
  depthLimitUm,
} from "./settings";
import { cartridgeState, cartridgeRefusal, cartridgeSerial } from "./cartridge";
import { sessionSeconds } from "./session";
import { err, noArgument } from "./protocol";
import { putState, putFault, putClamp, putRefusal, putZone, putMode } from "./names";
import { wordIn, atEnd, put, putInt, putU32, putMm } from "./textio";
import { putEncoderStatus } from "./encoder";

/** START: the needles start only from the start button (controls.ts); the reply says whether it would start them. */
export function startVerb(): bool {
  if (!noArgument()) return true;
  const r = armStart();
  if (r == CMD_OK) put("OK waiting for the start button");
  else putCmdResult(r);
  return true;
}
export function pauseVerb(): bool {
  if (noArgument()) putCmdResult(pause());
  return true;
}
export function stopVerb(): bool {
  if (noArgument()) putCmdResult(stop());
  return true;
}

/** POWER ON | POWER OFF */
export function powerVerb(): bool {
  const on = wordIn("OFF|ON");
  if (on < 0 || !atEnd()) {
    err(ERR_BAD_ARGUMENT);
    put("POWER takes ON or OFF");
  } else putCmdResult(on == 1 ? powerOn() : powerOff());
  return true;
}

/** CLEAR: a fault, by powering on again */
export function clearVerb(): bool {
  if (noArgument()) putCmdResult(machineFault() == 0 ? CMD_WRONG_STATE : powerOn());
  return true;
}

let serviceAsked: bool = false; // SERVICE was accepted: restart into the bootloader once its reply is out

/** SERVICE: only off or ready (needles retracted); the driver is switched off now, the restart waits
 * for the reply to be sent (serviceDue). */
export function serviceVerb(): bool {
  if (!noArgument()) return true;
  const s = machineState();
  if (s != ST_OFF && s != ST_READY) {
    putCmdResult(CMD_WRONG_STATE);
    return true;
  }
  powerOff();
  put("OK service: restarting into the bootloader");
  serviceAsked = true;
  return true;
}

/** Called when no reply is left to send: an accepted SERVICE restarts the pen now. */
export function serviceDue(): void {
  if (!serviceAsked) return;
  serviceAsked = false;
  reboot_to_service();
}

/** STATUS?: its first part now, the rest (statusRest) in the tick after this part is sent, so each tick stays short. */
export function statusVerb(): bool {
  if (!noArgument()) return true;
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
  return false;
}

export function statusRest(): bool {
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
  putEncoderStatus();
  return true;
}

function putCartridge(): void {
  const c = cartridgeState();
  if (c == CART_OK) {
    put("ok:");
    putU32(cartridgeSerial());
  } else if (c == CART_REFUSED) {
    put("refused:");
    putRefusal(cartridgeRefusal());
  } else if (c == 0) put("none");
  else put("checking");
}

/** The reply to a command's CMD_* result. */
export function putCmdResult(r: i32): void {
  if (r == CMD_OK) {
    put("OK");
    return;
  }
  if (r == CMD_NO_CARTRIDGE) {
    err(ERR_CARTRIDGE);
    put("no cartridge fitted");
    return;
  }
  if (r == CMD_CARTRIDGE_CHECKING) {
    err(ERR_CARTRIDGE);
    put("cartridge still being checked: try again");
    return;
  }
  if (r == CMD_CARTRIDGE_REFUSED) {
    err(ERR_CARTRIDGE);
    put("cartridge refused: ");
    putRefusal(cartridgeRefusal());
    put(": fit a new genuine cartridge");
    return;
  }
  if (r == CMD_BATTERY_LOW) {
    err(ERR_BATTERY);
    put("battery too low: charge the pen");
    return;
  }
  if (r == CMD_NO_ZONE) {
    err(ERR_NO_ZONE);
    put("no treatment zone: SET ZONE <name> first");
    return;
  }
  if (r == CMD_WRONG_STATE) {
    err(ERR_WRONG_STATE);
    put("not allowed in state ");
    putState(machineState());
    return;
  }
  err(ERR_PLAN);
  put("stroke could not be planned");
}
