// Generated from abi/pen-abi.ts by `npm run gen`. Do not edit: change the dictionary.
// The firmware's shared codes and tables; docs/hal-abi.md and docs/serial-protocol.md explain them.

/** HAL ABI version this module implements */
export const HAL_ABI_VERSION: i32 = 4;

// step_queue_push flags
export const SEG_EXTEND: i32 = 1; // direction: toward the skin
export const SEG_STOP_AT_ENDSTOP: i32 = 2; // the executor stops and drops the queue when the endstop goes active
export const SEG_END_OF_MOVE: i32 = 4; // the queue may run empty after this segment

// step_queue_status bits
export const QSTAT_BUSY: i32 = 1; // a segment is executing or queued
export const QSTAT_UNDERRUN: i32 = 2; // latched: ran empty inside a move
export const QSTAT_ENDSTOP_STOP: i32 = 4; // latched: stopped by the endstop

// driver_status bits
export const DRV_OTPW: i32 = 1; // over-temperature pre-warning
export const DRV_OT: i32 = 2; // over-temperature: the driver has switched its outputs off
export const DRV_SHORT: i32 = 0x3c; // any short to ground or supply (s2ga, s2gb, s2vsa, s2vsb): outputs off
export const DRV_STALL: i32 = 0x100; // StallGuard DIAG pulse since the last read
export const DRV_UV: i32 = 0x200; // charge-pump undervoltage

// encoder_count selectors
export const ENC_NOW: i32 = 0; // the latest reading
export const ENC_HIGH: i32 = 1; // the highest reading (deepest) since the last ENC_HIGH read
export const ENC_LOW: i32 = 2; // the lowest reading (furthest back) since the last ENC_LOW read

// encoder_status values
export const ENC_OK: i32 = 0; // readings good
export const ENC_ABSENT: i32 = 1; // no encoder: the firmware runs open loop
export const ENC_ERROR: i32 = 2; // the last reading failed

// buttons_raw bits
export const BTN_POWER: i32 = 1; // power: press on, long press off, press to clear a fault
export const BTN_START: i32 = 2; // start/pause; long press stops
export const BTN_DEPTH_UP: i32 = 4; // depth + one step
export const BTN_DEPTH_DOWN: i32 = 8; // depth - one step
export const BTN_SPEED_UP: i32 = 0x10; // next speed level
export const BTN_SPEED_DOWN: i32 = 0x20; // previous speed level
export const BTN_COUNT: i32 = 6;

// crypto key IDs
export const KEY_ID_CARTRIDGE_MAKER: i32 = 1; // the maker's P-256 public key that certifies cartridge ID chips (ECDSA P-256 / SHA-256)
export const KEY_ID_LICENCE_MAKER: i32 = 2; // the maker's P-256 public key that signs clinic licences (ECDSA P-256 / SHA-256)
export const KEY_ID_VOLATILE: i32 = 256; // the first of 4 volatile slots (256..259) that `crypto_key_import` fills
/** volatile key slots (crypto_key_import), from KEY_ID_VOLATILE on */
export const CRYPTO_VOLATILE_KEYS: i32 = 4;
/** crypto operations open at once */
export const CRYPTO_MAX_OPERATIONS: i32 = 4;
/** the longest message a hash or a check takes */
export const CRYPTO_MAX_MESSAGE_BYTES: i32 = 256;

// crypto results
export const CRYPTO_OK: i32 = 0; // done: the hash is ready, the signature or MAC is valid, the key is usable
export const CRYPTO_PENDING: i32 = 1; // still running: poll again in a later tick
export const CRYPTO_E_BAD_SIGNATURE: i32 = -1; // the signature or MAC does not verify
export const CRYPTO_E_NO_KEY: i32 = -2; // no key with this ID
export const CRYPTO_E_UNPROVISIONED: i32 = -3; // the key's storage is erased (all ones): never provisioned
export const CRYPTO_E_ZERO_KEY: i32 = -4; // the key is all zeros
export const CRYPTO_E_MALFORMED_KEY: i32 = -5; // not a valid key of its type (e.g. a point off the curve)
export const CRYPTO_E_BAD_ARGUMENT: i32 = -6; // a length out of range or a buffer outside linear memory
export const CRYPTO_E_BUSY: i32 = -7; // every operation or volatile key slot is in use
export const CRYPTO_E_BAD_HANDLE: i32 = -8; // no such open operation (never started, cancelled, or before a reset)
export const CRYPTO_E_RNG_HEALTH: i32 = -9; // the entropy source failed a health test: no random bits until reset

// reset_cause values
export const RESET_POWER_ON: i32 = 0; // power-on or the reset pin
export const RESET_WATCHDOG: i32 = 1; // the watchdog expired
export const RESET_PANIC: i32 = 2; // the firmware trapped or called panic

// indicator_set patterns (low byte)
export const IND_OFF: i32 = 0; // off
export const IND_HOMING: i32 = 1; // homing
export const IND_READY: i32 = 2; // ready
export const IND_RUNNING: i32 = 3; // running
export const IND_PAUSED: i32 = 4; // paused
export const IND_FAULT: i32 = 5; // fault: red, a tone, and the fault code as a count of blinks
export const IND_REFUSED: i32 = 6; // refused: one short beep, then back to the state's pattern
export const IND_FAULT_CODE_SHIFT: i32 = 8; // a fault pattern carries the fault code from this bit

// states
export const ST_OFF: i32 = 0; // driver off, needles held back by the spring
export const ST_HOMING: i32 = 1; // finding the endstop, then moving to the rest position
export const ST_READY: i32 = 2; // homed, needles at rest
export const ST_RUNNING: i32 = 3; // stroking
export const ST_PAUSED: i32 = 4; // session kept, needles at rest
export const ST_FAULT: i32 = 5; // a fault: needles retracted, waiting for the user

// faults
export const F_NONE: i32 = 0; // no fault
export const F_STALL: i32 = 1; // the motor stalled
export const F_DRIVER_OVERTEMP: i32 = 2; // driver over-temperature
export const F_DRIVER_SHORT: i32 = 3; // driver output short
export const F_QUEUE_UNDERRUN: i32 = 4; // the step queue ran dry inside a move
export const F_ENDSTOP_NOT_FOUND: i32 = 5; // no endstop where one must be
export const F_ENDSTOP_STUCK: i32 = 6; // the endstop does not release
export const F_WATCHDOG_RESET: i32 = 7; // the firmware hung
export const F_DRIVER_UNDERVOLTAGE: i32 = 8; // driver supply too low
export const F_PLAN: i32 = 9; // a setting could not be planned
export const F_FIRMWARE_RESET: i32 = 10; // the firmware trapped
export const F_BATTERY_LOW: i32 = 11; // the cell sagged while moving
export const F_LOST_STEPS: i32 = 12; // steps were lost
export const F_STUCK_BUTTON: i32 = 13; // a button is stuck
export const F_CARTRIDGE_REMOVED: i32 = 14; // the cartridge was pulled while stroking
export const F_ENCODER_SLIP: i32 = 15; // the encoder saw steps lost

// clamps: why the asked rate was lowered
export const CLAMP_NONE: i32 = 0; // run as asked
export const CLAMP_TORQUE: i32 = 1; // the motor has not the force
export const CLAMP_STEP_RATE: i32 = 2; // the step rate limit

// cap sources: whose depth cap is in force
export const CAP_BOARD: i32 = 0; // the board's deepest stroke
export const CAP_CARTRIDGE: i32 = 1; // the cartridge's needle length
export const CAP_MOTOR: i32 = 2; // the deepest stroke the motor runs at the lowest rate
export const CAP_MODE: i32 = 3; // the mode's cap
export const CAP_ZONE: i32 = 4; // the treatment zone's cap

// treatment zones
export const ZONE_NONE: i32 = 0; // no zone chosen
export const ZONE_FOREHEAD: i32 = 1; // forehead
export const ZONE_EYES: i32 = 2; // around the eyes
export const ZONE_NOSE: i32 = 3; // nose
export const ZONE_UPPER_LIP: i32 = 4; // upper lip
export const ZONE_CHEEKBONES: i32 = 5; // cheekbones
export const ZONE_CHEEKS: i32 = 6; // cheeks and chin
export const ZONE_NECK: i32 = 7; // neck
export const ZONE_ACNE_SCARS: i32 = 8; // acne scars (professional)
export const ZONE_STRETCH_MARKS: i32 = 9; // stretch marks (professional)
export const ZONE_SCALP: i32 = 10; // scalp
export const ZONE_COUNT: i32 = 11; // with ZONE_NONE
/** depth cap per zone (um); a static array literal: it carries its length, so an index is bounds-checked */
export const ZONE_CAP_UM: StaticArray<i32> = [0, 750, 500, 500, 750, 1000, 2000, 1500, 3000, 3000, 2500];

// modes
export const MODE_HOME: i32 = 0; // the power-up mode
export const MODE_PROFESSIONAL: i32 = 1; // after AUTH with a clinic's licence and answer
export const MODE_COUNT: i32 = 2;
/** depth cap per mode (um) */
export const MODE_CAP_UM: StaticArray<i32> = [1500, 3000];

// results of changing a setting
export const SET_OK: i32 = 0; // taken
export const SET_OUT_OF_RANGE: i32 = 1; // outside the board range
export const SET_NO_CARTRIDGE: i32 = 2; // a depth needs a cartridge
export const SET_ABOVE_CAP: i32 = 3; // above the cap in force (its source says whose)

// results of user commands
export const CMD_OK: i32 = 0; // done
export const CMD_WRONG_STATE: i32 = 1; // not allowed in this state
export const CMD_NO_CARTRIDGE: i32 = 2; // no cartridge fitted
export const CMD_PLAN_FAILED: i32 = 3; // the stroke could not be planned
export const CMD_BATTERY_LOW: i32 = 4; // battery too low to start
export const CMD_NO_ZONE: i32 = 5; // no treatment zone chosen
export const CMD_CARTRIDGE_REFUSED: i32 = 6; // the cartridge was refused
export const CMD_CARTRIDGE_CHECKING: i32 = 7; // the cartridge is still being checked

// cartridge states
export const CART_NONE: i32 = 0; // nothing fitted
export const CART_CHECKING: i32 = 1; // reading and verifying the chip
export const CART_OK: i32 = 2; // genuine and unused
export const CART_REFUSED: i32 = 3; // refused (the refusal says why)

// cartridge refusals
export const REFUSE_NONE: i32 = 0; // not refused
export const REFUSE_UNKNOWN: i32 = 1; // unreadable chip, unknown format or type
export const REFUSE_FORGED: i32 = 2; // the chip could not sign the challenge with its certified key (a copy)
export const REFUSE_USED: i32 = 3; // already used (its use counter, or a serial this pen has used): single use
export const REFUSE_UNCERTIFIED: i32 = 4; // the maker's certificate does not verify with the pen's maker key
export const REFUSE_KEY_UNPROVISIONED: i32 = 5; // the pen's maker key was never provisioned: nothing is accepted
export const REFUSE_KEY_ZERO: i32 = 6; // the pen's maker key is all zeros: nothing is accepted
export const REFUSE_KEY_MALFORMED: i32 = 7; // the pen's maker key is not a valid key: nothing is accepted
export const REFUSE_RNG_FAILED: i32 = 8; // the random number generator failed its health tests: no challenge

// serial protocol error codes (ERR <code>)
export const ERR_UNKNOWN_COMMAND: i32 = 1; // unknown command or setting
export const ERR_BAD_ARGUMENT: i32 = 2; // malformed number or argument
export const ERR_OUT_OF_RANGE: i32 = 3; // value out of range (the range names the cap that limits it), unknown name, no such record
export const ERR_WRONG_STATE: i32 = 4; // not allowed in this state
export const ERR_LINE_TOO_LONG: i32 = 5; // line too long
export const ERR_CARTRIDGE: i32 = 6; // no cartridge, one refused, or one still being checked (its chip verified, then its deepest setting worked out)
export const ERR_PLAN: i32 = 7; // the stroke could not be planned
export const ERR_BATTERY: i32 = 8; // battery too low to start
export const ERR_NO_ZONE: i32 = 9; // no treatment zone chosen
export const ERR_AUTH: i32 = 10; // professional mode: no challenge given, or the licence or answer refused (the reason follows)
export const ERR_ABOVE_CAP: i32 = 11; // a zone or mode whose cap is below the depth in use

// treatment log record types
export const REC_SEGMENT: i32 = 1; // a stretch of strokes at one setting, closed
export const REC_EVENT: i32 = 2; // an event with its detail
export const REC_SEGMENT_OPEN: i32 = 3; // a stretch of strokes began (its stroke count follows in checkpoint words)
export const SEGMENT_WORDS: i32 = 11; // payload words of a segment record
export const EVENT_WORDS: i32 = 4; // payload words of a event record
export const SEGMENT_OPEN_WORDS: i32 = 8; // payload words of a segment_open record

// how a treatment log segment was closed
export const END_CLOSED: i32 = 0; // closed by the pen: a new setting, a pause, a stop or a fault
export const END_POWER_LOSS: i32 = 1; // the power failed: closed at the next start-up from its checkpoints
export const END_WATCHDOG_RESET: i32 = 2; // a watchdog reset: closed at the restart from its checkpoints
export const END_FIRMWARE_RESET: i32 = 3; // a firmware reset: closed at the restart from its checkpoints

// treatment log events
export const EV_FAULT: i32 = 1; // a fault
export const EV_AUTH_FAILED: i32 = 2; // AUTH attempts failed (one record a minute at most)
export const EV_AUTH_PASSED: i32 = 3; // professional mode unlocked
export const EV_CARTRIDGE_REFUSED: i32 = 4; // a cartridge was refused
export const EV_CARTRIDGE_REMOVED: i32 = 5; // the cartridge was taken off
export const EV_START_REFUSED: i32 = 6; // START was refused
export const EV_IDLE_OFF: i32 = 7; // idle auto-off

// why an AUTH attempt failed or a challenge was refused (a log event detail)
export const AUTH_OK: i32 = 0; // not refused: the answer and its licence are good
export const AUTH_FAIL_WRONG_ANSWER: i32 = 1; // the clinic's signature over the challenge and the pen's serial does not verify
export const AUTH_FAIL_NO_CHALLENGE: i32 = 2; // no challenge to answer (none asked, or already answered)
export const AUTH_FAIL_LOCKED_OUT: i32 = 3; // no challenge yet: failed attempts make the next one wait
export const AUTH_FAIL_REPLAYED: i32 = 4; // the answer is one the pen has already accepted: a recording sent again
export const AUTH_FAIL_NO_LICENCE: i32 = 5; // the licence was not sent whole before the answer
export const AUTH_FAIL_LICENCE_MALFORMED: i32 = 6; // an unknown licence format, a zero serial, or a clinic key that is not a P-256 point
export const AUTH_FAIL_LICENCE_OTHER_KEY: i32 = 7; // the licence names a maker key this pen does not hold
export const AUTH_FAIL_LICENCE_FORGED: i32 = 8; // the maker's signature on the licence does not verify (another maker key, or altered bytes)
export const AUTH_FAIL_LICENCE_EXPIRED: i32 = 9; // the licence's expiry is past by the pen's clock
export const AUTH_FAIL_LICENCE_REVOKED: i32 = 10; // the licence's serial is on the maker's revocation list
export const AUTH_FAIL_LICENCE_OTHER_PEN: i32 = 11; // the licence names pens, and not this one
export const AUTH_FAIL_CLOCK_NOT_SET: i32 = 12; // the licence expires and the pen's clock reads before the earliest time it can (it lost its time)
export const AUTH_FAIL_KEY_UNPROVISIONED: i32 = 13; // the pen's licence key storage is erased: nothing is accepted
export const AUTH_FAIL_KEY_ZERO: i32 = 14; // the pen's licence key is all zeros: nothing is accepted
export const AUTH_FAIL_KEY_MALFORMED: i32 = 15; // the pen's licence key is not a P-256 key: nothing is accepted
export const AUTH_FAIL_NO_SERIAL: i32 = 16; // the pen has no serial number provisioned: nothing is accepted
export const AUTH_FAIL_NO_RANDOM: i32 = 17; // the random source failed its health tests: no challenge until a reset
export const AUTH_FAIL_CRYPTO: i32 = 18; // the crypto HAL refused the check (busy, or an argument it could not take)
/** clinic licence: offset of format */
export const LICENCE_FORMAT_AT: i32 = 0;
/** clinic licence: offset of keyId */
export const LICENCE_KEY_ID_AT: i32 = 1;
/** clinic licence: offset of serial */
export const LICENCE_SERIAL_AT: i32 = 4;
/** clinic licence: offset of expiry */
export const LICENCE_EXPIRY_AT: i32 = 8;
/** clinic licence: offset of pens */
export const LICENCE_PENS_AT: i32 = 12;
/** clinic licence: penSlots */
export const LICENCE_PEN_SLOTS: i32 = 4;
/** clinic licence: offset of clinicKey */
export const LICENCE_CLINIC_KEY_AT: i32 = 28;
/** clinic licence: offset of signature */
export const LICENCE_SIGNATURE_AT: i32 = 92;
/** clinic licence: bytes */
export const LICENCE_BYTES: i32 = 156;
/** the clinic licence format this firmware reads */
export const LICENCE_FORMAT: i32 = 1;
/** bytes of an unlock challenge */
export const CHALLENGE_BYTES: i32 = 16;
/** the earliest time a set clock can read (s since 1970): behind it, the clock lost its time */
export const EARLIEST_CLOCK_S: u32 = 1767225600;
/** the maker's revocation list: licence serials no pen accepts */
export const REVOKED_LICENCES: StaticArray<u32> = [900001];
