// Every enum-like constant of the firmware, in one place: the values the HAL, the serial protocol, the
// treatment log and the tools share. Definitions only, no logic (the names are in names.ts).

/** HAL ABI version this module implements (docs/hal-abi.md). */
export const HAL_ABI_VERSION: i32 = 2;

// ---- HAL flags (the imports themselves are in hal.ts) ------------------------------------------

// step_queue_push flags
export const SEG_EXTEND: i32 = 1;          // direction: toward the skin
export const SEG_STOP_AT_ENDSTOP: i32 = 2; // the executor stops and drops the queue when the endstop goes active
export const SEG_END_OF_MOVE: i32 = 4;     // the queue may run empty after this segment

// step_queue_status bits
export const QSTAT_BUSY: i32 = 1;          // a segment is executing or queued
export const QSTAT_UNDERRUN: i32 = 2;      // latched: ran empty inside a move
export const QSTAT_ENDSTOP_STOP: i32 = 4;  // latched: stopped by the endstop

// driver_status bits (TMC2209 DRV_STATUS 0..5, DIAG and GSTAT.uv_cp above)
export const DRV_OTPW: i32 = 1 << 0;
export const DRV_OT: i32 = 1 << 1;
export const DRV_SHORT: i32 = (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5);
export const DRV_STALL: i32 = 1 << 8;
export const DRV_UV: i32 = 1 << 9;

// buttons_raw bits
export const BTN_POWER: i32 = 1 << 0;
export const BTN_START: i32 = 1 << 1;
export const BTN_DEPTH_UP: i32 = 1 << 2;
export const BTN_DEPTH_DOWN: i32 = 1 << 3;
export const BTN_SPEED_UP: i32 = 1 << 4;
export const BTN_SPEED_DOWN: i32 = 1 << 5;
export const BTN_COUNT: i32 = 6;

// key_word keys
export const KEY_CLINIC: i32 = 0;     // unlocks professional mode (challenge-response)
export const KEY_CARTRIDGE: i32 = 1;  // signs genuine cartridges' ID chips

// reset_cause values
export const RESET_POWER_ON: i32 = 0;
export const RESET_WATCHDOG: i32 = 1;
export const RESET_PANIC: i32 = 2;

// ---- the state machine -------------------------------------------------------------------------

export const ST_OFF: i32 = 0;
export const ST_HOMING: i32 = 1;
export const ST_READY: i32 = 2;
export const ST_RUNNING: i32 = 3;
export const ST_PAUSED: i32 = 4;
export const ST_FAULT: i32 = 5;

export const F_NONE: i32 = 0;
export const F_STALL: i32 = 1;
export const F_DRIVER_OVERTEMP: i32 = 2;
export const F_DRIVER_SHORT: i32 = 3;
export const F_QUEUE_UNDERRUN: i32 = 4;
export const F_ENDSTOP_NOT_FOUND: i32 = 5;
export const F_ENDSTOP_STUCK: i32 = 6;
export const F_WATCHDOG_RESET: i32 = 7;
export const F_DRIVER_UNDERVOLTAGE: i32 = 8;
export const F_PLAN: i32 = 9;
export const F_FIRMWARE_RESET: i32 = 10;
export const F_BATTERY_LOW: i32 = 11;
export const F_LOST_STEPS: i32 = 12;
export const F_STUCK_BUTTON: i32 = 13;
export const F_CARTRIDGE_REMOVED: i32 = 14;

// indicator_set patterns (low byte); a fault pattern carries the fault code in bits 8..15
export const IND_OFF: i32 = 0;
export const IND_HOMING: i32 = 1;
export const IND_READY: i32 = 2;
export const IND_RUNNING: i32 = 3;
export const IND_PAUSED: i32 = 4;
export const IND_FAULT: i32 = 5;
export const IND_REFUSED: i32 = 6;

// results of user commands (the serial protocol maps them to replies)
export const CMD_OK: i32 = 0;
export const CMD_WRONG_STATE: i32 = 1;
export const CMD_NO_CARTRIDGE: i32 = 2;
export const CMD_PLAN_FAILED: i32 = 3;
export const CMD_BATTERY_LOW: i32 = 4;
export const CMD_NO_ZONE: i32 = 5;
export const CMD_CARTRIDGE_REFUSED: i32 = 6;
export const CMD_CARTRIDGE_CHECKING: i32 = 7;

// ---- serial protocol error numbers: "ERR <n> <reason>" (docs/serial-protocol.md) ----------------

export const ERR_UNKNOWN_COMMAND: i32 = 1; // unknown command or setting
export const ERR_BAD_ARGUMENT: i32 = 2;    // malformed number or argument
export const ERR_OUT_OF_RANGE: i32 = 3;    // value out of range, unknown name, no such record
export const ERR_WRONG_STATE: i32 = 4;     // not allowed in this state
export const ERR_LINE_TOO_LONG: i32 = 5;
export const ERR_CARTRIDGE: i32 = 6;       // no cartridge, one still being checked, or one refused
export const ERR_PLAN: i32 = 7;            // the stroke could not be planned
export const ERR_BATTERY: i32 = 8;         // battery too low to start
export const ERR_NO_ZONE: i32 = 9;         // no treatment zone chosen
export const ERR_AUTH: i32 = 10;           // professional mode: no, or a wrong, answer
export const ERR_ABOVE_CAP: i32 = 11;      // a zone or mode whose cap is below the depth in use

// ---- settings ----------------------------------------------------------------------------------

export const SET_OK: i32 = 0;
export const SET_OUT_OF_RANGE: i32 = 1;
export const SET_NO_CARTRIDGE: i32 = 2;
export const SET_ABOVE_CAP: i32 = 3;   // capSource() says whose cap

// what sets the depth cap in force (the lowest wins)
export const CAP_BOARD: i32 = 0;
export const CAP_CARTRIDGE: i32 = 1;
export const CAP_MOTOR: i32 = 2;
export const CAP_MODE: i32 = 3;
export const CAP_ZONE: i32 = 4;

// why the rate run is below the rate asked
export const CLAMP_NONE: i32 = 0;
export const CLAMP_TORQUE: i32 = 1;
export const CLAMP_STEP_RATE: i32 = 2;

// ---- cartridge ---------------------------------------------------------------------------------

export const CART_NONE: i32 = 0;     // nothing fitted
export const CART_CHECKING: i32 = 1; // reading and verifying the chip
export const CART_OK: i32 = 2;
export const CART_REFUSED: i32 = 3;

export const REFUSE_NONE: i32 = 0;
export const REFUSE_UNKNOWN: i32 = 1; // unreadable chip, unknown format or type
export const REFUSE_FORGED: i32 = 2;  // tag does not match
export const REFUSE_USED: i32 = 3;    // already used: single use

// ---- treatment log events ----------------------------------------------------------------------

export const EV_FAULT: i32 = 1;            // detail: fault code
export const EV_AUTH_FAILED: i32 = 2;      // detail: 1 wrong answer, 2 no live challenge (replay)
export const EV_AUTH_PASSED: i32 = 3;
export const EV_CARTRIDGE_REFUSED: i32 = 4; // detail: refusal reason
export const EV_CARTRIDGE_REMOVED: i32 = 5;
export const EV_START_REFUSED: i32 = 6;    // detail: CMD_* result
export const EV_IDLE_OFF: i32 = 7;

// ---- treatment zones and modes -----------------------------------------------------------------
// Depth caps from the clinical depth guide (the deeper end of the thick-skin range; docs/hazards.md).
// The cap in force is the lowest of zone, mode, cartridge and board.

export const ZONE_NONE: i32 = 0;
// names (serial protocol): none, forehead, eyes, nose, upper_lip, cheekbones, cheeks, neck, acne_scars, stretch_marks, scalp
/** cap per zone (um): forehead 0.75, around the eyes 0.5, nose 0.5, upper lip 0.75, cheekbones 1.0,
 *  cheeks and chin 2.0, neck 1.5, acne scars 3.0 and stretch marks 3.0 (professional), scalp 2.5 */
export const ZONE_CAP_UM: StaticArray<i32> = [0, 750, 500, 500, 750, 1000, 2000, 1500, 3000, 3000, 2500];
export const ZONE_COUNT: i32 = 11; // with ZONE_NONE

export const MODE_HOME: i32 = 0;
export const MODE_PROFESSIONAL: i32 = 1;
/** home devices stop at 1.5 mm; professional pens go to 3.0 mm */
export const MODE_CAP_UM: StaticArray<i32> = [1500, 3000];
export const MODE_COUNT: i32 = 2;
