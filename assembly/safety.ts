// The safety watch, every tick while powered: driver flags, queue health and the cell; the cartridge
// (one pulled out while stroking is a fault, a refused one is signalled); and a checked genuine
// cartridge handed to the settings, even while off. Owns the last cartridge state seen and whether a
// genuine one has been taken.
import {
  CART_NONE,
  CART_OK,
  CART_REFUSED,
  DRV_OT,
  DRV_SHORT,
  DRV_STALL,
  DRV_UV,
  EV_CARTRIDGE_REFUSED,
  EV_CARTRIDGE_REMOVED,
  F_BATTERY_LOW,
  F_CARTRIDGE_REMOVED,
  F_DRIVER_OVERTEMP,
  F_DRIVER_SHORT,
  F_DRIVER_UNDERVOLTAGE,
  F_QUEUE_UNDERRUN,
  F_STALL,
  QSTAT_UNDERRUN,
  ST_FAULT,
  ST_PAUSED,
  ST_RUNNING,
} from "./abi";
import { driver_status, step_queue_status, battery_mv } from "./hal";
import { motionBusy, spareStrokePlan, cancelChange } from "./motion";
import { beginCartridge } from "./planjob";
import { watchRetract, retractInDoubt } from "./retract";
import { cartridgeState, cartridgeRefusal, cartridgeTypeIndex, cartridgeLengthUm, takeRemovedEvent } from "./cartridge";
import { logEvent } from "./session";
import { recordCartridgeRemoved } from "./treatment";
import { tickIsLight } from "./budget";
import { machineState, enterFault, endPausedSession, signalRefused } from "./machine";
import { BATTERY_MIN_MV } from "./generated/board_config";

let lastCartridge: i32 = 0; // CART_NONE
let cartridgeTaken: bool = false; // a genuine cartridge is fitted and handed to settings
let retake: bool = false; // take the cartridge fitted (or none) again: the plan jobs start afresh

export function resetSafetyWatch(): void {
  lastCartridge = CART_NONE;
  cartridgeTaken = false;
  retake = false;
}

/** Power off, or on again after a fault: the jobs start afresh for the cartridge fitted, at the next tick. */
export function restartPlanJobs(): void {
  retake = true;
}

/** Driver flags, queue health and the cell: any problem while powered is a fault. */
export function checkSafety(): void {
  const drv = driver_status();
  if ((drv & DRV_SHORT) != 0) {
    enterFault(F_DRIVER_SHORT, true);
    return;
  }
  if ((drv & DRV_OT) != 0) {
    enterFault(F_DRIVER_OVERTEMP, true);
    return;
  }
  if ((drv & DRV_UV) != 0) {
    enterFault(F_DRIVER_UNDERVOLTAGE, true);
    return;
  }
  if (machineState() == ST_FAULT) {
    // a retract under way: a stall or a dry queue now is a second fault, never ignored
    if ((drv & DRV_STALL) != 0) retractInDoubt();
    watchRetract();
    return;
  }
  // a sagging cell: retract while there is still power to do it
  if (motionBusy() && battery_mv() < BATTERY_MIN_MV) {
    enterFault(F_BATTERY_LOW, false);
    return;
  }
  if ((drv & DRV_STALL) != 0 && motionBusy()) {
    enterFault(F_STALL, true);
    return;
  }
  if ((step_queue_status() & QSTAT_UNDERRUN) != 0) {
    enterFault(F_QUEUE_UNDERRUN, false);
    return;
  }
}

/** A genuine cartridge is taken as soon as it is checked, even while off: its depth limit found, its stroke planned. */
export function takeCartridge(): void {
  const ok = cartridgeState() == CART_OK;
  // a new cartridge waits for a tick with room (its check ends a heavy one), and so does a removal's
  // bookkeeping: in the fault's tick it took the STM32F405 port's tick to 5,117 instructions (pulled
  // on the way up at 3.0 mm, beside the retract's start at speed)
  if (!tickIsLight()) return;
  if (ok != cartridgeTaken || retake) {
    cartridgeTaken = ok;
    retake = false;
    cancelChange();
    beginCartridge(ok ? cartridgeTypeIndex() : -1, cartridgeLengthUm(), spareStrokePlan());
  }
}

/** One pulled out while stroking is a fault; a refused one is signalled. */
export function watchCartridge(): void {
  const c = cartridgeState();
  if (takeRemovedEvent()) {
    const state = machineState();
    if (state == ST_RUNNING || (state == ST_FAULT && motionBusy())) {
      // the tick only starts the retract: the record is made in the ticks after, before the fault's
      // (written at once, it took the STM32F405 port's tick to 6,122 instructions)
      recordCartridgeRemoved();
      enterFault(F_CARTRIDGE_REMOVED, false);
    } else {
      logEvent(EV_CARTRIDGE_REMOVED, 0);
      if (state == ST_PAUSED) endPausedSession();
    }
  }
  if (c != lastCartridge) {
    if (c == CART_REFUSED) {
      logEvent(EV_CARTRIDGE_REFUSED, cartridgeRefusal());
      signalRefused();
    }
    lastCartridge = c;
  }
}
