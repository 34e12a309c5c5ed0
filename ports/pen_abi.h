/* Generated from abi/pen-abi.ts by `npm run gen`. Do not edit: change the dictionary. */
/* The HAL ABI's codes for C ports (docs/hal-abi.md). */
#ifndef PEN_ABI_H
#define PEN_ABI_H

#define PEN_HAL_ABI_VERSION 4

/* step_queue_push flags */
enum {
  SEG_EXTEND = 1, /* direction: toward the skin */
  SEG_STOP_AT_ENDSTOP = 2, /* the executor stops and drops the queue when the endstop goes active */
  SEG_END_OF_MOVE = 4, /* the queue may run empty after this segment */
};

/* step_queue_status bits */
enum {
  QSTAT_BUSY = 1, /* a segment is executing or queued */
  QSTAT_UNDERRUN = 2, /* latched: ran empty inside a move */
  QSTAT_ENDSTOP_STOP = 4, /* latched: stopped by the endstop */
};

/* driver_status bits */
enum {
  DRV_OTPW = 1, /* over-temperature pre-warning */
  DRV_OT = 2, /* over-temperature: the driver has switched its outputs off */
  DRV_SHORT = 60, /* any short to ground or supply (s2ga, s2gb, s2vsa, s2vsb): outputs off */
  DRV_STALL = 256, /* StallGuard DIAG pulse since the last read */
  DRV_UV = 512, /* charge-pump undervoltage */
};

/* encoder_count selectors */
enum {
  ENC_NOW = 0, /* the latest reading */
  ENC_HIGH = 1, /* the highest reading (deepest) since the last ENC_HIGH read */
  ENC_LOW = 2, /* the lowest reading (furthest back) since the last ENC_LOW read */
};

/* encoder_status values */
enum {
  ENC_OK = 0, /* readings good */
  ENC_ABSENT = 1, /* no encoder: the firmware runs open loop */
  ENC_ERROR = 2, /* the last reading failed */
};

/* buttons_raw bits */
enum {
  BTN_POWER = 1, /* power: press on, long press off, press to clear a fault */
  BTN_START = 2, /* start/pause; long press stops */
  BTN_DEPTH_UP = 4, /* depth + one step */
  BTN_DEPTH_DOWN = 8, /* depth - one step */
  BTN_SPEED_UP = 16, /* next speed level */
  BTN_SPEED_DOWN = 32, /* previous speed level */
};

/* crypto key IDs */
enum {
  KEY_ID_CARTRIDGE_MAKER = 1, /* the maker's P-256 public key that certifies cartridge ID chips (ECDSA P-256 / SHA-256) */
  KEY_ID_LICENCE_MAKER = 2, /* the maker's P-256 public key that signs clinic licences (ECDSA P-256 / SHA-256) */
  KEY_ID_VOLATILE = 256, /* the first of 4 volatile slots (256..259) that `crypto_key_import` fills */
};
#define CRYPTO_VOLATILE_KEYS 4
#define CRYPTO_MAX_OPERATIONS 4
#define CRYPTO_MAX_MESSAGE_BYTES 256

/* crypto results */
enum {
  CRYPTO_OK = 0, /* done: the hash is ready, the signature or MAC is valid, the key is usable */
  CRYPTO_PENDING = 1, /* still running: poll again in a later tick */
  CRYPTO_E_BAD_SIGNATURE = -1, /* the signature or MAC does not verify */
  CRYPTO_E_NO_KEY = -2, /* no key with this ID */
  CRYPTO_E_UNPROVISIONED = -3, /* the key's storage is erased (all ones): never provisioned */
  CRYPTO_E_ZERO_KEY = -4, /* the key is all zeros */
  CRYPTO_E_MALFORMED_KEY = -5, /* not a valid key of its type (e.g. a point off the curve) */
  CRYPTO_E_BAD_ARGUMENT = -6, /* a length out of range or a buffer outside linear memory */
  CRYPTO_E_BUSY = -7, /* every operation or volatile key slot is in use */
  CRYPTO_E_BAD_HANDLE = -8, /* no such open operation (never started, cancelled, or before a reset) */
  CRYPTO_E_RNG_HEALTH = -9, /* the entropy source failed a health test: no random bits until reset */
};

/* reset_cause values */
enum {
  RESET_POWER_ON = 0, /* power-on or the reset pin */
  RESET_WATCHDOG = 1, /* the watchdog expired */
  RESET_PANIC = 2, /* the firmware trapped or called panic */
};

/* indicator_set patterns (low byte) */
enum {
  IND_OFF = 0, /* off */
  IND_HOMING = 1, /* homing */
  IND_READY = 2, /* ready */
  IND_RUNNING = 3, /* running */
  IND_PAUSED = 4, /* paused */
  IND_FAULT = 5, /* fault: red, a tone, and the fault code as a count of blinks */
  IND_REFUSED = 6, /* refused: one short beep, then back to the state's pattern */
};
#define IND_FAULT_CODE_SHIFT 8

/* states (report_state) */
enum {
  ST_OFF = 0, /* driver off, needles held back by the spring */
  ST_HOMING = 1, /* finding the endstop, then moving to the rest position */
  ST_READY = 2, /* homed, needles at rest */
  ST_RUNNING = 3, /* stroking */
  ST_PAUSED = 4, /* session kept, needles at rest */
  ST_FAULT = 5, /* a fault: needles retracted, waiting for the user */
};

/* faults (report_state) */
enum {
  F_NONE = 0, /* no fault */
  F_STALL = 1, /* the motor stalled */
  F_DRIVER_OVERTEMP = 2, /* driver over-temperature */
  F_DRIVER_SHORT = 3, /* driver output short */
  F_QUEUE_UNDERRUN = 4, /* the step queue ran dry inside a move */
  F_ENDSTOP_NOT_FOUND = 5, /* no endstop where one must be */
  F_ENDSTOP_STUCK = 6, /* the endstop does not release */
  F_WATCHDOG_RESET = 7, /* the firmware hung */
  F_DRIVER_UNDERVOLTAGE = 8, /* driver supply too low */
  F_PLAN = 9, /* a setting could not be planned */
  F_FIRMWARE_RESET = 10, /* the firmware trapped */
  F_BATTERY_LOW = 11, /* the cell sagged while moving */
  F_LOST_STEPS = 12, /* steps were lost */
  F_STUCK_BUTTON = 13, /* a button is stuck */
  F_CARTRIDGE_REMOVED = 14, /* the cartridge was pulled while stroking */
  F_ENCODER_SLIP = 15, /* the encoder saw steps lost */
};

/* HAL imports, in recording order (the index is the opcode) */
#define PEN_HAL_CALLS(X) \
  X(0, now_ticks, 0, i64) \
  X(1, step_queue_push, 4, i32) \
  X(2, step_queue_free, 0, i32) \
  X(3, step_queue_flush, 0, void) \
  X(4, step_queue_status, 0, i32) \
  X(5, step_position, 0, i32) \
  X(6, driver_enable, 1, void) \
  X(7, driver_status, 0, i32) \
  X(8, driver_temp_dc, 0, i32) \
  X(9, endstop_active, 0, i32) \
  X(10, buttons_raw, 0, i32) \
  X(11, battery_mv, 0, i32) \
  X(12, cartridge_read, 1, i32) \
  X(13, cartridge_write, 2, i32) \
  X(14, flash_sectors, 0, i32) \
  X(15, flash_sector_bytes, 0, i32) \
  X(16, flash_read, 1, i32) \
  X(17, flash_program, 2, i32) \
  X(18, flash_erase, 1, i32) \
  X(19, rng_u32, 0, i32) \
  X(20, rtc_seconds, 0, i32) \
  X(21, serial_read, 0, i32) \
  X(22, serial_write, 1, void) \
  X(23, indicator_set, 1, void) \
  X(24, watchdog_kick, 0, void) \
  X(25, reset_cause, 0, i32) \
  X(26, report_state, 2, void) \
  X(27, report_setting, 4, void) \
  X(28, report_move, 4, void) \
  X(29, panic, 2, void) \
  X(30, reboot_to_service, 0, void) \
  X(31, encoder_count, 1, i32) \
  X(32, encoder_status, 0, i32) \
  X(33, crypto_key_status, 1, i32) \
  X(34, crypto_key_import, 1, i32) \
  X(35, crypto_key_destroy, 1, void) \
  X(36, crypto_hash_start, 2, i32) \
  X(37, crypto_verify_start, 4, i32) \
  X(38, crypto_poll, 1, i32) \
  X(39, crypto_output, 2, i32) \
  X(40, crypto_cancel, 1, void) \
  X(41, crypto_random, 0, i64) \
  X(42, image_confirm, 0, void) \
  X(43, device_serial, 0, i32)
#define PEN_HAL_CALL_COUNT 44

#endif
