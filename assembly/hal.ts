// Generated from abi/pen-abi.ts by `npm run gen`. Do not edit: change the dictionary.
// HAL ABI imports: the only way the firmware touches hardware. docs/hal-abi.md is the contract;
// every runtime (the simulator, a board port) implements exactly this list.

/** Step timer ticks since reset (board timing.step_timer_hz). */
@external("hal", "now_ticks") export declare function now_ticks(): i64;
/** Queue a step segment: first step `interval_ticks` after the previous one, `count` steps, interval grows by `add_ticks` per step. 0 = queued, <0 = refused. */
@external("hal", "step_queue_push") export declare function step_queue_push(interval_ticks: i32, count: i32, add_ticks: i32, flags: i32): i32;
/** Free segment slots in the step queue. */
@external("hal", "step_queue_free") export declare function step_queue_free(): i32;
/** Stop stepping now, drop every queued segment, clear the latched status bits. */
@external("hal", "step_queue_flush") export declare function step_queue_flush(): void;
/** QSTAT_* bits. */
@external("hal", "step_queue_status") export declare function step_queue_status(): i32;
/** Steps executed since reset, signed, positive toward the skin. */
@external("hal", "step_position") export declare function step_position(): i32;
/** 1 = driver outputs on (motor energised), 0 = off. */
@external("hal", "driver_enable") export declare function driver_enable(on: i32): void;
/** DRV_* bits. */
@external("hal", "driver_status") export declare function driver_status(): i32;
/** Driver temperature in tenths of a degree Celsius. */
@external("hal", "driver_temp_dc") export declare function driver_temp_dc(): i32;
/** 1 while the retract endstop is active. */
@external("hal", "endstop_active") export declare function endstop_active(): i32;
/** Raw button levels, BTN_* bits, 1 = pressed. Not debounced. */
@external("hal", "buttons_raw") export declare function buttons_raw(): i32;
/** Battery voltage at the cell, millivolts. */
@external("hal", "battery_mv") export declare function battery_mv(): i32;
/** Byte `addr` of the fitted cartridge's ID chip, or -1 when no cartridge (or no chip) answers. */
@external("hal", "cartridge_read") export declare function cartridge_read(addr: i32): i32;
/** Write byte `addr` of the cartridge's ID chip (a challenge byte or a command). 0 = written, -1 = no cartridge, -2 = refused (read-only byte, unknown command). */
@external("hal", "cartridge_write") export declare function cartridge_write(addr: i32, value: i32): i32;
/** Number of sectors of the treatment-log flash. */
@external("hal", "flash_sectors") export declare function flash_sectors(): i32;
/** Bytes per sector of the treatment-log flash (a multiple of 4). */
@external("hal", "flash_sector_bytes") export declare function flash_sector_bytes(): i32;
/** The 32-bit word at byte `offset` of the log flash (erased = 0xFFFFFFFF). */
@external("hal", "flash_read") export declare function flash_read(offset: i32): i32;
/** Program the word at `offset`: bits only go from 1 to 0. 0 = done, -1 = bad offset, -2 = would need a 0 to become 1. */
@external("hal", "flash_program") export declare function flash_program(offset: i32, value: i32): i32;
/** Erase one sector to 0xFF. 0 = done, -1 = bad sector. */
@external("hal", "flash_erase") export declare function flash_erase(sector: i32): i32;
/** 32 random bits from the hardware random number generator. */
@external("hal", "rng_u32") export declare function rng_u32(): i32;
/** Real-time clock: seconds since 1970-01-01 UTC, as an unsigned 32-bit number. */
@external("hal", "rtc_seconds") export declare function rtc_seconds(): i32;
/** Next received serial byte, or -1 when none is waiting. */
@external("hal", "serial_read") export declare function serial_read(): i32;
/** Send one serial byte. */
@external("hal", "serial_write") export declare function serial_write(byte: i32): void;
/** User-visible signal: IND_* pattern (LED colour and beeps). */
@external("hal", "indicator_set") export declare function indicator_set(pattern: i32): void;
/** Restart the runtime's watchdog; a missed kick resets the firmware. */
@external("hal", "watchdog_kick") export declare function watchdog_kick(): void;
/** Why the firmware last started: RESET_* value. */
@external("hal", "reset_cause") export declare function reset_cause(): i32;
/** Telemetry: state machine state and fault code changed. */
@external("hal", "report_state") export declare function report_state(state: i32, fault: i32): void;
/** Telemetry: the setting now in force (depth um, rate Hz as run, rate Hz as asked, CLAMP_* reason). */
@external("hal", "report_setting") export declare function report_setting(depth_um: i32, freq_hz: i32, requested_freq_hz: i32, clamp: i32): void;
/** Telemetry: a planned move starts with the next queued segment (direction 1 = toward the skin). */
@external("hal", "report_move") export declare function report_move(dir: i32, steps: i32, duration_ticks: i32, accel_ticks: i32): void;
/** Unrecoverable firmware error: the runtime must disable the driver and reset. */
@external("hal", "panic") export declare function panic(code: i32, line: i32): void;
/** Restart into the bootloader's service mode (the SERVICE command); the driver is off. */
@external("hal", "reboot_to_service") export declare function reboot_to_service(): void;
/** Shaft encoder position in counts (board encoder.bits per turn), multi-turn, positive toward the skin: ENC_* which (now, highest or lowest since the last read of it). */
@external("hal", "encoder_count") export declare function encoder_count(which: i32): i32;
/** ENC_STATUS_* of the shaft encoder: 0 ok, 1 absent (no encoder: open loop), 2 read error. */
@external("hal", "encoder_status") export declare function encoder_status(): i32;
/** Whether key `key_id` (KEY_ID_*) is usable: CRYPTO_OK, or the CRYPTO_E_* reason it is not. */
@external("hal", "crypto_key_status") export declare function crypto_key_status(key_id: i32): i32;
/** Import the P-256 public key at `pub_ptr` (64 bytes X||Y, big-endian) into a volatile key slot: its key ID, or a CRYPTO_E_* code. */
@external("hal", "crypto_key_import") export declare function crypto_key_import(pub_ptr: i32): i32;
/** Free the volatile key slot `key_id`; any other ID is ignored. */
@external("hal", "crypto_key_destroy") export declare function crypto_key_destroy(key_id: i32): void;
/** Start SHA-256 over `msg_len` bytes at `msg_ptr`: an operation handle (> 0), or a CRYPTO_E_* code. */
@external("hal", "crypto_hash_start") export declare function crypto_hash_start(msg_ptr: i32, msg_len: i32): i32;
/** Start checking the signature at `sig_ptr` over `msg_len` bytes at `msg_ptr` with key `key_id`, by the key's own algorithm: an operation handle (> 0), or a CRYPTO_E_* code. */
@external("hal", "crypto_verify_start") export declare function crypto_verify_start(key_id: i32, msg_ptr: i32, msg_len: i32, sig_ptr: i32): i32;
/** State of operation `handle`: CRYPTO_PENDING, CRYPTO_OK, or the CRYPTO_E_* reason it failed. */
@external("hal", "crypto_poll") export declare function crypto_poll(handle: i32): i32;
/** Word `index` (0..7) of the SHA-256 digest of finished hash `handle`, big-endian; 0 when there is none. */
@external("hal", "crypto_output") export declare function crypto_output(handle: i32, index: i32): i32;
/** Cancel operation `handle` if it runs, and free its slot; the handle is invalid afterwards. */
@external("hal", "crypto_cancel") export declare function crypto_cancel(handle: i32): void;
/** 32 random bits from the health-tested hardware RNG (0..0xFFFFFFFF), or CRYPTO_E_RNG_HEALTH (< 0): fails closed. */
@external("hal", "crypto_random") export declare function crypto_random(): i64;
/** The firmware homed successfully: a runtime with a bootloader confirms the image it runs on trial. */
@external("hal", "image_confirm") export declare function image_confirm(): void;
/** The pen's serial number, as printed on it and as the maker's licences name it; 0 when not provisioned. */
@external("hal", "device_serial") export declare function device_serial(): i32;
