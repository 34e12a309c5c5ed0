// The pen's data dictionary: the one hand-written source of every table the firmware, the HAL, the
// simulator, the tools, the ports and the docs share (Klipper's DECL_ENUMERATION, as data).
// `npm run gen` writes from it: assembly/abi.ts, assembly/names.ts and assembly/hal.ts (the firmware's
// constants, name lists and HAL imports), ports/pen_abi.h (for C ports), and the tables of
// docs/hal-abi.md and docs/serial-protocol.md. TypeScript code (host-sim, tools) imports it directly.
// tests/sim/abi-dictionary.test.ts fails when a generated file is stale.

export type WasmType = 'i32' | 'i64';

export interface HalCall {
  name: string;
  params: [name: string, type: WasmType][];
  ret: WasmType | 'void';
  /** one line for the firmware's declaration */
  brief: string;
  /** units and range, for the docs table */
  units: string;
  /** behaviour and errors, for the docs table */
  behaviour: string;
  /** false for calls every runtime provides but the release module does not import */
  imported?: boolean;
}

/** A named code: `name` is what people read (serial replies, logs, traces), `code` what crosses the ABI. */
export interface Code {
  code: number;
  name: string;
  /** the constant's name in AssemblyScript and C */
  constant: string;
  doc: string;
}

/** HAL ABI version: bumped whenever an import, an export or the meaning of a code changes. Version 4
 * added the shaft encoder (`encoder_count`, `encoder_status`) and the crypto imports (`crypto_*`: hashes
 * and signature checks run by the HAL with keys named by ID, asynchronous, and random numbers with
 * health tests) and `image_confirm()` (the firmware homed: the image on trial is good); version 3 added
 * `reboot_to_service()` (the SERVICE command); version 2 added storage, keys, random numbers and the clock. */
export const HAL_ABI_VERSION = 4;

/** Every HAL import, in this order: the row is the opcode of a recording (host-sim/recording.ts). */
export const HAL_CALLS: readonly HalCall[] = [
  {
    name: 'now_ticks',
    params: [],
    ret: 'i64',
    brief: 'Step timer ticks since reset (board timing.step_timer_hz).',
    units: 'ticks since reset, >= 0, never decreasing',
    behaviour: "the step timer's counter extended to 64 bits",
  },
  {
    name: 'step_queue_push',
    params: [
      ['interval_ticks', 'i32'],
      ['count', 'i32'],
      ['add_ticks', 'i32'],
      ['flags', 'i32'],
    ],
    ret: 'i32',
    brief:
      'Queue a step segment: first step `interval_ticks` after the previous one, `count` steps, interval grows by `add_ticks` per step. 0 = queued, <0 = refused.',
    units: 'interval >= 1 tick, count >= 1, add signed',
    behaviour:
      "queue a segment: its first step comes `interval_ticks` after the previous step (after the push when the queue was idle), then `count - 1` more, each interval growing by `add_ticks`. Returns 0 = queued, -1 = queue full (nothing queued), -2 = refused (count < 1, or an interval below the driver's shortest step period). Flags: 1 `SEG_EXTEND` (direction toward the skin), 2 `SEG_STOP_AT_ENDSTOP` (stop stepping and drop the queue the moment the endstop goes active), 4 `SEG_END_OF_MOVE` (the queue may run empty after this segment without an underrun)",
  },
  {
    name: 'step_queue_free',
    params: [],
    ret: 'i32',
    brief: 'Free segment slots in the step queue.',
    units: '0..`step_queue_len`',
    behaviour: 'free segment slots',
  },
  {
    name: 'step_queue_flush',
    params: [],
    ret: 'void',
    brief: 'Stop stepping now, drop every queued segment, clear the latched status bits.',
    units: '',
    behaviour: 'stop stepping at once, drop all queued segments, clear the latched status bits',
  },
  {
    name: 'step_queue_status',
    params: [],
    ret: 'i32',
    brief: 'QSTAT_* bits.',
    units: 'bits',
    behaviour:
      '1 `BUSY` (a segment is executing or queued); latched until the next flush: 2 `UNDERRUN` (ran empty after a segment without `SEG_END_OF_MOVE`), 4 `ENDSTOP_STOP` (a `SEG_STOP_AT_ENDSTOP` segment was cut short by the endstop)',
  },
  {
    name: 'step_position',
    params: [],
    ret: 'i32',
    brief: 'Steps executed since reset, signed, positive toward the skin.',
    units: 'steps since reset, signed',
    behaviour: 'steps the timer has executed (commanded, not measured)',
  },
  {
    name: 'driver_enable',
    params: [['on', 'i32']],
    ret: 'void',
    brief: '1 = driver outputs on (motor energised), 0 = off.',
    units: '0 or 1',
    behaviour:
      '1 = driver outputs on (motor holds and steps), 0 = off: the return spring pulls the carriage back to the rear stop',
  },
  {
    name: 'driver_status',
    params: [],
    ret: 'i32',
    brief: 'DRV_* bits.',
    units: 'bits',
    behaviour:
      'TMC2209 `DRV_STATUS` bits 0..5: 1 `otpw`, 2 `ot` (the driver has switched its outputs off), 4/8 `s2ga`/`s2gb`, 16/32 `s2vsa`/`s2vsb` (shorts: outputs off); 256 `stall` (StallGuard DIAG pulse since the last read; a read clears it); 512 `uv` (charge-pump undervoltage)',
  },
  {
    name: 'driver_temp_dc',
    params: [],
    ret: 'i32',
    brief: 'Driver temperature in tenths of a degree Celsius.',
    units: '0.1 degC',
    behaviour: 'driver temperature',
    imported: false,
  },
  {
    name: 'endstop_active',
    params: [],
    ret: 'i32',
    brief: '1 while the retract endstop is active.',
    units: '0 or 1',
    behaviour: '1 while the carriage is at or behind the retract endstop',
  },
  {
    name: 'buttons_raw',
    params: [],
    ret: 'i32',
    brief: 'Raw button levels, BTN_* bits, 1 = pressed. Not debounced.',
    units: 'bits, 1 = pressed',
    behaviour: 'raw levels, not debounced: 1 power, 2 start/stop, 4 depth+, 8 depth-, 16 speed+, 32 speed-',
  },
  {
    name: 'battery_mv',
    params: [],
    ret: 'i32',
    brief: 'Battery voltage at the cell, millivolts.',
    units: 'mV',
    behaviour: 'cell voltage under the present load',
  },
  {
    name: 'cartridge_read',
    params: [['addr', 'i32']],
    ret: 'i32',
    brief: "Byte `addr` of the fitted cartridge's ID chip, or -1 when no cartridge (or no chip) answers.",
    units: 'addr 0..263; 0..255 or -1',
    behaviour:
      "a byte of the fitted cartridge's ID chip (a secure ECDSA authenticator), -1 when no cartridge (or no chip) answers. Memory map in `docs/cartridge-chip.md`: data, the chip's public key, the maker's certificate, the use counter, a status byte, the signed response (0xFF until ready). Changed in version 4 (was a 48-byte memory with an HMAC tag)",
  },
  {
    name: 'cartridge_write',
    params: [
      ['addr', 'i32'],
      ['value', 'i32'],
    ],
    ret: 'i32',
    brief:
      "Write byte `addr` of the cartridge's ID chip (a challenge byte or a command). 0 = written, -1 = no cartridge, -2 = refused (read-only byte, unknown command).",
    units: '0 / -1 / -2',
    behaviour:
      'writes a chip byte: 0 done, -1 no cartridge, -2 refused. Only the challenge (bytes 160..191) and the command byte 192 take writes: 1 = sign the challenge with the chip key, 2 = count one use (the counter only goes up). `docs/cartridge-chip.md`. Changed in version 4',
  },
  {
    name: 'flash_sectors',
    params: [],
    ret: 'i32',
    brief: 'Number of sectors of the treatment-log flash.',
    units: '2..64',
    behaviour: 'sectors of the treatment-log flash',
  },
  {
    name: 'flash_sector_bytes',
    params: [],
    ret: 'i32',
    brief: 'Bytes per sector of the treatment-log flash (a multiple of 4).',
    units: 'bytes, a multiple of 4',
    behaviour: 'size of one sector',
  },
  {
    name: 'flash_read',
    params: [['offset', 'i32']],
    ret: 'i32',
    brief: 'The 32-bit word at byte `offset` of the log flash (erased = 0xFFFFFFFF).',
    units: 'byte offset, 4-aligned',
    behaviour: 'the 32-bit word there (erased = 0xFFFFFFFF); -1 for a bad offset',
  },
  {
    name: 'flash_program',
    params: [
      ['offset', 'i32'],
      ['value', 'i32'],
    ],
    ret: 'i32',
    brief:
      'Program the word at `offset`: bits only go from 1 to 0. 0 = done, -1 = bad offset, -2 = would need a 0 to become 1.',
    units: '0 / -1 / -2',
    behaviour:
      'programs a word: bits only go from 1 to 0. 0 done, -1 bad offset, -2 the word would need a 0 to become 1 (not erased). Power may fail inside: the word is then any mix of its old bits and the cleared ones',
  },
  {
    name: 'flash_erase',
    params: [['sector', 'i32']],
    ret: 'i32',
    brief: 'Erase one sector to 0xFF. 0 = done, -1 = bad sector.',
    units: '0 / -1',
    behaviour: 'sets a sector to 0xFF. Power may fail inside: some words erased, some not',
  },
  {
    name: 'rng_u32',
    params: [],
    ret: 'i32',
    brief: '32 random bits from the hardware random number generator.',
    units: '32 bits',
    behaviour: 'from the hardware random number generator (STM32F4 RNG); for challenges, never for motion',
    imported: false,
  },
  {
    name: 'rtc_seconds',
    params: [],
    ret: 'i32',
    brief: 'Real-time clock: seconds since 1970-01-01 UTC, as an unsigned 32-bit number.',
    units: 's since 1970-01-01 UTC, unsigned',
    behaviour: 'the real-time clock, for the treatment log',
  },
  {
    name: 'serial_read',
    params: [],
    ret: 'i32',
    brief: 'Next received serial byte, or -1 when none is waiting.',
    units: '0..255, or -1',
    behaviour: 'next received byte of the command port, -1 when none is waiting',
  },
  {
    name: 'serial_write',
    params: [['byte', 'i32']],
    ret: 'void',
    brief: 'Send one serial byte.',
    units: '0..255',
    behaviour: 'send one byte (the runtime buffers; bytes are never reordered)',
  },
  {
    name: 'indicator_set',
    params: [['pattern', 'i32']],
    ret: 'void',
    brief: 'User-visible signal: IND_* pattern (LED colour and beeps).',
    units: 'low byte 0..6, bits 8..15 a fault code',
    behaviour:
      "user-visible signal: 0 off, 1 homing, 2 ready, 3 running, 4 paused, 5 fault (red, a tone, and the fault code as a count of blinks), 6 refused (one short beep, then back to the state's pattern)",
  },
  {
    name: 'watchdog_kick',
    params: [],
    ret: 'void',
    brief: "Restart the runtime's watchdog; a missed kick resets the firmware.",
    units: '',
    behaviour:
      "restart the runtime's watchdog. If no kick arrives for the watchdog period (20 ms in the simulator), the runtime switches the driver off and resets the module (`init` again, `reset_cause` = 1)",
  },
  {
    name: 'reset_cause',
    params: [],
    ret: 'i32',
    brief: 'Why the firmware last started: RESET_* value.',
    units: '0..2',
    behaviour: 'why the module last started: 0 power-on, 1 watchdog, 2 panic',
  },
  {
    name: 'report_state',
    params: [
      ['state', 'i32'],
      ['fault', 'i32'],
    ],
    ret: 'void',
    brief: 'Telemetry: state machine state and fault code changed.',
    units: 'state 0..5, fault 0..15',
    behaviour:
      'telemetry: the state machine changed state (0 off, 1 homing, 2 ready, 3 running, 4 paused, 5 fault) or fault code (see below). A runtime may log it or ignore it',
  },
  {
    name: 'report_setting',
    params: [
      ['depth_um', 'i32'],
      ['freq_hz', 'i32'],
      ['requested_freq_hz', 'i32'],
      ['clamp', 'i32'],
    ],
    ret: 'void',
    brief: 'Telemetry: the setting now in force (depth um, rate Hz as run, rate Hz as asked, CLAMP_* reason).',
    units: 'um, Hz, Hz, 0..2',
    behaviour:
      'telemetry: the setting in force (depth as quantized to steps) and, when `clamp` != 0, that the asked rate was lowered: 1 motor torque, 2 step rate',
  },
  {
    name: 'report_move',
    params: [
      ['dir', 'i32'],
      ['steps', 'i32'],
      ['duration_ticks', 'i32'],
      ['accel_ticks', 'i32'],
    ],
    ret: 'void',
    brief: 'Telemetry: a planned move starts with the next queued segment (direction 1 = toward the skin).',
    units: 'dir 0/1, steps >= 1, ticks',
    behaviour:
      'telemetry: the next pushed segment starts a planned move of `steps` steps in `duration_ticks`, accelerating for `accel_ticks` at each end. Lets a runtime check step timing against the plan',
  },
  {
    name: 'panic',
    params: [
      ['code', 'i32'],
      ['line', 'i32'],
    ],
    ret: 'void',
    brief: 'Unrecoverable firmware error: the runtime must disable the driver and reset.',
    units: '',
    behaviour:
      'the firmware hit an internal error (an `abort`). The runtime switches the driver off and resets the module (`reset_cause` = 2). Does not return. The release module calls it when an array index is out of range (`docs/porting.md`); a runtime treats a trap the same way',
  },
  {
    name: 'reboot_to_service',
    params: [],
    ret: 'void',
    brief: "Restart into the bootloader's service mode (the SERVICE command); the driver is off.",
    units: '',
    behaviour:
      "restart into the bootloader's service mode, where the pen takes firmware updates (`docs/updating.md`). The firmware calls it only with the driver off and the needles retracted, after its reply has been written; a runtime sends what is still queued for the serial port, then restarts. Added in version 3",
  },
  {
    name: 'encoder_count',
    params: [['which', 'i32']],
    ret: 'i32',
    brief:
      'Shaft encoder position in counts (board encoder.bits per turn), multi-turn, positive toward the skin: ENC_* which (now, highest or lowest since the last read of it).',
    units: 'counts, signed; which 0..2',
    behaviour:
      "the motor shaft's angle as the encoder reads it, unwrapped across turns by the runtime (which reads the sensor at the board's `encoder.sample_hz`), positive toward the skin; at reset it starts at the sensor's absolute angle within one turn. `which`: 0 `ENC_NOW` the latest reading, 1 `ENC_HIGH` the highest reading since the last `ENC_HIGH` read, 2 `ENC_LOW` the lowest since the last `ENC_LOW` read (each read restarts its own peak at the latest reading). 0 when `encoder_status` is not `ENC_OK`. Added in version 4",
  },
  {
    name: 'encoder_status',
    params: [],
    ret: 'i32',
    brief: 'ENC_STATUS_* of the shaft encoder: 0 ok, 1 absent (no encoder: open loop), 2 read error.',
    units: '0..2',
    behaviour:
      '0 `ENC_OK`: the last readings were good; 1 `ENC_ABSENT`: the board has no encoder, or the runtime does not read one (the firmware runs open loop); 2 `ENC_ERROR`: the last reading failed (no answer, a parity or CRC error, the magnet out of range). Added in version 4',
  },
  // ---- crypto (version 4): the HAL holds every key and runs every slow operation; the module names
  // keys by ID (CRYPTO_KEYS) and passes only messages, signatures and public keys. docs/hal-abi.md "Crypto".
  {
    name: 'crypto_key_status',
    params: [['key_id', 'i32']],
    ret: 'i32',
    brief: 'Whether key `key_id` (KEY_ID_*) is usable: CRYPTO_OK, or the CRYPTO_E_* reason it is not.',
    units: 'key ID; 0 or a CRYPTO_E_* code (< 0)',
    behaviour:
      '0 `ok` when the key is provisioned and well formed; else why not: `no_key` (no such ID), `unprovisioned` (its storage is erased, all ones), `zero_key` (all zeros), `malformed_key` (not a valid key of its type, e.g. a point off the P-256 curve). Never returns key bytes. Fast: answers at once',
  },
  {
    name: 'crypto_key_import',
    params: [['pub_ptr', 'i32']],
    ret: 'i32',
    brief:
      'Import the P-256 public key at `pub_ptr` (64 bytes X||Y, big-endian) into a volatile key slot: its key ID, or a CRYPTO_E_* code.',
    units: 'byte address in linear memory; key ID >= 256 or a CRYPTO_E_* code (< 0)',
    behaviour:
      'checks and copies an uncompressed P-256 public key (the 64 bytes X||Y without the 0x04 prefix) into one of 4 volatile slots and returns its key ID (256..259): it then works with `crypto_verify_start` as ECDSA P-256 / SHA-256. Errors: `malformed_key` (all zeros, all ones, a coordinate >= p, or not on the curve), `busy` (every slot in use), `bad_argument` (the 64 bytes are not inside linear memory). Public keys only: a private or secret key is never imported. A reset destroys every volatile key. Fast: answers at once',
  },
  {
    name: 'crypto_key_destroy',
    params: [['key_id', 'i32']],
    ret: 'void',
    brief: 'Free the volatile key slot `key_id`; any other ID is ignored.',
    units: 'key ID',
    behaviour:
      'frees a volatile slot made by `crypto_key_import`; operations already started with it finish normally. Provisioned keys and unknown IDs are ignored',
  },
  {
    name: 'crypto_hash_start',
    params: [
      ['msg_ptr', 'i32'],
      ['msg_len', 'i32'],
    ],
    ret: 'i32',
    brief: 'Start SHA-256 over `msg_len` bytes at `msg_ptr`: an operation handle (> 0), or a CRYPTO_E_* code.',
    units: 'byte address, 0..256 bytes; handle > 0 or a CRYPTO_E_* code (< 0)',
    behaviour:
      'starts a SHA-256 hash of the message, copied at the call (the module may reuse the buffer at once). Returns a handle for `crypto_poll`, `crypto_output` and `crypto_cancel`. Errors: `bad_argument` (length outside 0..256 or bytes outside linear memory), `busy` (4 operations already open)',
    imported: false,
  },
  {
    name: 'crypto_verify_start',
    params: [
      ['key_id', 'i32'],
      ['msg_ptr', 'i32'],
      ['msg_len', 'i32'],
      ['sig_ptr', 'i32'],
    ],
    ret: 'i32',
    brief:
      "Start checking the signature at `sig_ptr` over `msg_len` bytes at `msg_ptr` with key `key_id`, by the key's own algorithm: an operation handle (> 0), or a CRYPTO_E_* code.",
    units: 'key ID, byte addresses, 0..256 bytes; handle > 0 or a CRYPTO_E_* code (< 0)',
    behaviour:
      "starts a check by the algorithm the key is provisioned for (a key's policy, as in PSA): ECDSA P-256 with SHA-256 over the message, the signature 64 bytes r||s big-endian, for a P-256 public key (provisioned or imported; every key the pen holds is one). Message and signature are copied at the call. Errors at the start: the key's `crypto_key_status` reason (`no_key`, `unprovisioned`, `zero_key`, `malformed_key`), `bad_argument`, `busy`. The result comes from `crypto_poll`. An ECDSA check takes tens of milliseconds on a Cortex-M4: the runtime runs it outside `tick()` and never delays a tick or the watchdog for it",
  },
  {
    name: 'crypto_poll',
    params: [['handle', 'i32']],
    ret: 'i32',
    brief: 'State of operation `handle`: CRYPTO_PENDING, CRYPTO_OK, or the CRYPTO_E_* reason it failed.',
    units: '1 pending, 0 done, or a CRYPTO_E_* code (< 0)',
    behaviour:
      '1 `pending` while running; then, as often as asked until `crypto_cancel`: 0 `ok` (hash done; signature valid), `bad_signature` (the check ran and failed, also for r or s outside 1..n-1), or `bad_handle` (no such open operation: never started, cancelled, or from before a reset). Never blocks',
  },
  {
    name: 'crypto_output',
    params: [
      ['handle', 'i32'],
      ['index', 'i32'],
    ],
    ret: 'i32',
    brief: 'Word `index` (0..7) of the SHA-256 digest of finished hash `handle`, big-endian; 0 when there is none.',
    units: 'index 0..7; 32 bits',
    behaviour:
      "word `index` of a finished hash's digest, bytes big-endian (word 0 holds digest bytes 0..3). 0 for a pending, failed, verify or unknown operation or an index outside 0..7: outputs are only ever digests, never key material",
    imported: false,
  },
  {
    name: 'crypto_cancel',
    params: [['handle', 'i32']],
    ret: 'void',
    brief: 'Cancel operation `handle` if it runs, and free its slot; the handle is invalid afterwards.',
    units: 'handle',
    behaviour:
      'stops a pending operation (its result is dropped) or frees a finished one; every handle the module started must end here. Unknown handles are ignored. A reset cancels every operation',
  },
  {
    name: 'crypto_random',
    params: [],
    ret: 'i64',
    brief:
      '32 random bits from the health-tested hardware RNG (0..0xFFFFFFFF), or CRYPTO_E_RNG_HEALTH (< 0): fails closed.',
    units: '0..4294967295, or a CRYPTO_E_* code (< 0)',
    behaviour:
      '32 bits from the hardware entropy source after its continuous health tests (NIST SP 800-90B 4.4: the repetition count test and the adaptive proportion test, on every byte). Once a test fails, or the source reports an error, every call returns `rng_health` until the next reset: no bits at all, so no challenge can be made from a failed source. For challenges and nonces, never for motion',
  },
  {
    name: 'image_confirm',
    params: [],
    ret: 'void',
    brief: 'The firmware homed successfully: a runtime with a bootloader confirms the image it runs on trial.',
    units: '',
    behaviour:
      'the firmware calls it each time homing succeeds (endstop found, needles at rest), the proof that the new firmware drives the pen. A runtime whose bootloader boots new images on trial (`docs/updating.md`) marks the running image confirmed, once, so the bootloader keeps it and advances the security counter; a runtime without one does nothing. Returns at once (one flash word at most). Added in version 4',
  },
  // ---- identity (version 4)
  {
    name: 'device_serial',
    params: [],
    ret: 'i32',
    brief: "The pen's serial number, as printed on it and as the maker's licences name it; 0 when not provisioned.",
    units: 'serial, unsigned 32 bits; 0 or 0xFFFFFFFF = not provisioned',
    behaviour:
      "the serial number the maker gave this pen (OTP, written at the factory), the one on its label: a clinic licence may name it, and the clinic's answer to a challenge signs it, so an answer made for one pen opens no other. 0 or 0xFFFFFFFF (erased) when never provisioned: the firmware then refuses every unlock. Fast: answers at once",
  },
];

/**
 * The recording of a firmware run that a board port's replay harness feeds back (host-sim/recording.ts
 * writes and reads it; tools/build/port-build.ts gives the port the same numbers).
 */
export const RECORDING = {
  magic: 'PENREC',
  /** 2: HAL ABI 2 (storage, keys, random numbers, clock) */
  formatVersion: 2,
  opInit: 0xf0,
  opTick: 0xf1,
  opEnd: 0xff,
} as const;

/** The module's exports: what every runtime calls. */
export const EXPORTS: readonly { signature: string; meaning: string }[] = [
  {
    signature: 'abi_version() -> i32',
    meaning:
      'the HAL ABI version the module was built for (version 1 had `cartridge_type()` and no storage, keys, random numbers or clock; version 2 had no `reboot_to_service()`; version 3 no `encoder_*`, `crypto_*` or `image_confirm()` imports). A runtime refuses a module whose version it does not implement.',
  },
  { signature: 'init()', meaning: 'called once after every reset, before the first `tick`. Leaves the driver off.' },
  {
    signature: 'tick()',
    meaning: 'called at `control_hz`. Reads inputs, runs the state machine, keeps the step queue fed.',
  },
];

const codes = (rows: [code: number, name: string, constant: string, doc: string][]): Code[] =>
  rows.map(([code, name, constant, doc]) => ({ code, name, constant, doc }));

/** `step_queue_push` flags. */
export const SEGMENT_FLAGS = codes([
  [1, 'extend', 'SEG_EXTEND', 'direction: toward the skin'],
  [2, 'stop_at_endstop', 'SEG_STOP_AT_ENDSTOP', 'the executor stops and drops the queue when the endstop goes active'],
  [4, 'end_of_move', 'SEG_END_OF_MOVE', 'the queue may run empty after this segment'],
]);

/** `step_queue_status` bits. */
export const QUEUE_STATUS = codes([
  [1, 'busy', 'QSTAT_BUSY', 'a segment is executing or queued'],
  [2, 'underrun', 'QSTAT_UNDERRUN', 'latched: ran empty inside a move'],
  [4, 'endstop_stop', 'QSTAT_ENDSTOP_STOP', 'latched: stopped by the endstop'],
]);

/** `driver_status` bits: TMC2209 DRV_STATUS 0..5, DIAG and GSTAT.uv_cp above. */
export const DRIVER_STATUS = codes([
  [1 << 0, 'otpw', 'DRV_OTPW', 'over-temperature pre-warning'],
  [1 << 1, 'ot', 'DRV_OT', 'over-temperature: the driver has switched its outputs off'],
  [0b111100, 'short', 'DRV_SHORT', 'any short to ground or supply (s2ga, s2gb, s2vsa, s2vsb): outputs off'],
  [1 << 8, 'stall', 'DRV_STALL', 'StallGuard DIAG pulse since the last read'],
  [1 << 9, 'uv', 'DRV_UV', 'charge-pump undervoltage'],
]);

/** `encoder_count` selectors. */
export const ENCODER_READS = codes([
  [0, 'now', 'ENC_NOW', 'the latest reading'],
  [1, 'high', 'ENC_HIGH', 'the highest reading (deepest) since the last ENC_HIGH read'],
  [2, 'low', 'ENC_LOW', 'the lowest reading (furthest back) since the last ENC_LOW read'],
]);

/** `encoder_status` values. */
export const ENCODER_STATUS = codes([
  [0, 'ok', 'ENC_OK', 'readings good'],
  [1, 'absent', 'ENC_ABSENT', 'no encoder: the firmware runs open loop'],
  [2, 'error', 'ENC_ERROR', 'the last reading failed'],
]);

/** `buttons_raw` bits, in the order the debouncer keeps them. */
export const BUTTONS = codes([
  [1 << 0, 'power', 'BTN_POWER', 'power: press on, long press off, press to clear a fault'],
  [1 << 1, 'start', 'BTN_START', 'start/pause; long press stops'],
  [1 << 2, 'depth_up', 'BTN_DEPTH_UP', 'depth + one step'],
  [1 << 3, 'depth_down', 'BTN_DEPTH_DOWN', 'depth - one step'],
  [1 << 4, 'speed_up', 'BTN_SPEED_UP', 'next speed level'],
  [1 << 5, 'speed_down', 'BTN_SPEED_DOWN', 'previous speed level'],
]);

/**
 * Key IDs of the crypto imports: keys the HAL holds (OTP on a pen) and uses by reference; no import
 * ever returns their bytes. Each key carries its algorithm (its policy).
 */
export const CRYPTO_KEYS = codes([
  [
    1,
    'cartridge_maker',
    'KEY_ID_CARTRIDGE_MAKER',
    "the maker's P-256 public key that certifies cartridge ID chips (ECDSA P-256 / SHA-256)",
  ],
  [
    2,
    'licence_maker',
    'KEY_ID_LICENCE_MAKER',
    "the maker's P-256 public key that signs clinic licences (ECDSA P-256 / SHA-256)",
  ],
  [256, 'volatile', 'KEY_ID_VOLATILE', 'the first of 4 volatile slots (256..259) that `crypto_key_import` fills'],
]);

/** Number of volatile key slots (`crypto_key_import`), from KEY_ID_VOLATILE on. */
export const CRYPTO_VOLATILE_KEYS = 4;
/** Operations open at once (`crypto_hash_start`, `crypto_verify_start`) before `busy`. */
export const CRYPTO_MAX_OPERATIONS = 4;
/** The longest message a hash or a check takes (bytes). */
export const CRYPTO_MAX_MESSAGE_BYTES = 256;

/** Results of the crypto imports: >= 0 a result, < 0 why an operation was refused or failed. */
export const CRYPTO_RESULTS = codes([
  [0, 'ok', 'CRYPTO_OK', 'done: the hash is ready, the signature or MAC is valid, the key is usable'],
  [1, 'pending', 'CRYPTO_PENDING', 'still running: poll again in a later tick'],
  [-1, 'bad_signature', 'CRYPTO_E_BAD_SIGNATURE', 'the signature or MAC does not verify'],
  [-2, 'no_key', 'CRYPTO_E_NO_KEY', 'no key with this ID'],
  [-3, 'unprovisioned', 'CRYPTO_E_UNPROVISIONED', "the key's storage is erased (all ones): never provisioned"],
  [-4, 'zero_key', 'CRYPTO_E_ZERO_KEY', 'the key is all zeros'],
  [-5, 'malformed_key', 'CRYPTO_E_MALFORMED_KEY', 'not a valid key of its type (e.g. a point off the curve)'],
  [-6, 'bad_argument', 'CRYPTO_E_BAD_ARGUMENT', 'a length out of range or a buffer outside linear memory'],
  [-7, 'busy', 'CRYPTO_E_BUSY', 'every operation or volatile key slot is in use'],
  [-8, 'bad_handle', 'CRYPTO_E_BAD_HANDLE', 'no such open operation (never started, cancelled, or before a reset)'],
  [-9, 'rng_health', 'CRYPTO_E_RNG_HEALTH', 'the entropy source failed a health test: no random bits until reset'],
]);

/** `reset_cause` values. */
export const RESET_CAUSES = codes([
  [0, 'power_on', 'RESET_POWER_ON', 'power-on or the reset pin'],
  [1, 'watchdog', 'RESET_WATCHDOG', 'the watchdog expired'],
  [2, 'panic', 'RESET_PANIC', 'the firmware trapped or called panic'],
]);

/** `indicator_set` patterns (low byte); a fault pattern carries the fault code in bits 8..15. */
export const INDICATORS = codes([
  [0, 'off', 'IND_OFF', 'off'],
  [1, 'homing', 'IND_HOMING', 'homing'],
  [2, 'ready', 'IND_READY', 'ready'],
  [3, 'running', 'IND_RUNNING', 'running'],
  [4, 'paused', 'IND_PAUSED', 'paused'],
  [5, 'fault', 'IND_FAULT', 'fault: red, a tone, and the fault code as a count of blinks'],
  [6, 'refused', 'IND_REFUSED', "refused: one short beep, then back to the state's pattern"],
]);
/** bit position of the fault code in a fault pattern */
export const IND_FAULT_CODE_SHIFT = 8;

/** State machine states (`report_state`, `STATUS?`); each shows its indicator pattern of the same name. */
export const STATES = codes([
  [0, 'off', 'ST_OFF', 'driver off, needles held back by the spring'],
  [1, 'homing', 'ST_HOMING', 'finding the endstop, then moving to the rest position'],
  [2, 'ready', 'ST_READY', 'homed, needles at rest'],
  [3, 'running', 'ST_RUNNING', 'stroking'],
  [4, 'paused', 'ST_PAUSED', 'session kept, needles at rest'],
  [5, 'fault', 'ST_FAULT', 'a fault: needles retracted, waiting for the user'],
]);

export interface Fault extends Code {
  cause: string;
  /** what the firmware does */
  action: string;
}

/** Fault codes (`report_state`, `STATUS?`, the log, the indicator's blink count). */
export const FAULTS: readonly Fault[] = (
  [
    [0, 'none', 'F_NONE', 'no fault', '', ''],
    [
      1,
      'stall',
      'F_STALL',
      'the motor stalled',
      'StallGuard flag while moving',
      'flush, fast retract toward the endstop, fault',
    ],
    [
      2,
      'driver_overtemp',
      'F_DRIVER_OVERTEMP',
      'driver over-temperature',
      '`ot`',
      'flush, driver off (spring retracts), fault',
    ],
    [3, 'driver_short', 'F_DRIVER_SHORT', 'driver output short', 'any short bit', 'flush, driver off, fault'],
    [
      4,
      'queue_underrun',
      'F_QUEUE_UNDERRUN',
      'the step queue ran dry inside a move',
      '`UNDERRUN`',
      'flush, retract, fault',
    ],
    [
      5,
      'endstop_not_found',
      'F_ENDSTOP_NOT_FOUND',
      'no endstop where one must be',
      'homing move ended without the endstop',
      'driver off, fault',
    ],
    [
      6,
      'endstop_stuck',
      'F_ENDSTOP_STUCK',
      'the endstop does not release',
      'endstop still active after moving off it',
      'driver off, fault',
    ],
    [
      7,
      'watchdog_reset',
      'F_WATCHDOG_RESET',
      'the firmware hung',
      'started with `reset_cause` = 1',
      'stays off (spring holds the needles back), fault',
    ],
    [8, 'driver_undervoltage', 'F_DRIVER_UNDERVOLTAGE', 'driver supply too low', '`uv`', 'driver off, fault'],
    [
      9,
      'plan',
      'F_PLAN',
      'a setting could not be planned',
      'a new setting could not be planned',
      'flush, retract, fault',
    ],
    [10, 'firmware_reset', 'F_FIRMWARE_RESET', 'the firmware trapped', 'started with `reset_cause` = 2', 'as 7'],
    [
      11,
      'battery_low',
      'F_BATTERY_LOW',
      'the cell sagged while moving',
      "cell below the board's `battery.empty_V` while moving",
      'flush, retract while there is power, fault',
    ],
    [
      12,
      'lost_steps',
      'F_LOST_STEPS',
      'steps were lost',
      'after strokes stop, the endstop is not where homing found it',
      'fault (the carriage is at the endstop)',
    ],
    [
      13,
      'stuck_button',
      'F_STUCK_BUTTON',
      'a button is stuck',
      'a button held longer than `buttons.stuck_ms`',
      'flush, retract, fault; cleared once released',
    ],
    [
      14,
      'cartridge_removed',
      'F_CARTRIDGE_REMOVED',
      'the cartridge was pulled while stroking',
      'the cartridge went away while stroking',
      'flush, retract, fault',
    ],
    [
      15,
      'encoder_slip',
      'F_ENCODER_SLIP',
      'the encoder saw steps lost',
      "while stroking, the shaft encoder's position is more than a full step from the commanded one (any speed, also where StallGuard is blind), or the encoder stopped answering",
      'flush, retract, fault',
    ],
  ] as [number, string, string, string, string, string][]
).map(([code, name, constant, doc, cause, action]) => ({ code, name, constant, doc, cause, action }));

export interface Clamp extends Code {
  /** the reason as `pen sim` explains it */
  why: string;
}

/** Why the asked stroke rate was lowered (`report_setting`, `SET` replies, `STATUS?`). */
export const CLAMPS: readonly Clamp[] = [
  { code: 0, name: 'none', constant: 'CLAMP_NONE', doc: 'run as asked', why: '' },
  {
    code: 1,
    name: 'torque',
    constant: 'CLAMP_TORQUE',
    doc: 'the motor has not the force',
    why: 'the motor has not the force for this depth at this rate (pull-out torque at that speed, less the margin), or has it only with a move that rings the rotor toward its stability limit',
  },
  {
    code: 2,
    name: 'step_rate',
    constant: 'CLAMP_STEP_RATE',
    doc: 'the step rate limit',
    why: 'the step rate would pass the driver and timer limit',
  },
];

/** Whose depth cap is in force (the lowest wins). */
export const CAP_SOURCES = codes([
  [0, 'board', 'CAP_BOARD', "the board's deepest stroke"],
  [1, 'cartridge', 'CAP_CARTRIDGE', "the cartridge's needle length"],
  [2, 'motor', 'CAP_MOTOR', 'the deepest stroke the motor runs at the lowest rate'],
  [3, 'mode', 'CAP_MODE', "the mode's cap"],
  [4, 'zone', 'CAP_ZONE', "the treatment zone's cap"],
]);

export interface Capped extends Code {
  capUm: number;
}

/**
 * Treatment zones with their depth caps, from the clinical depth guide (the deeper end of the
 * thick-skin range; docs/hazards.md H1). Code 0 is "no zone chosen": the pen will not stroke.
 */
export const ZONES: readonly Capped[] = (
  [
    [0, 'none', 'ZONE_NONE', 0, 'no zone chosen'],
    [1, 'forehead', 'ZONE_FOREHEAD', 750, 'forehead'],
    [2, 'eyes', 'ZONE_EYES', 500, 'around the eyes'],
    [3, 'nose', 'ZONE_NOSE', 500, 'nose'],
    [4, 'upper_lip', 'ZONE_UPPER_LIP', 750, 'upper lip'],
    [5, 'cheekbones', 'ZONE_CHEEKBONES', 1000, 'cheekbones'],
    [6, 'cheeks', 'ZONE_CHEEKS', 2000, 'cheeks and chin'],
    [7, 'neck', 'ZONE_NECK', 1500, 'neck'],
    [8, 'acne_scars', 'ZONE_ACNE_SCARS', 3000, 'acne scars (professional)'],
    [9, 'stretch_marks', 'ZONE_STRETCH_MARKS', 3000, 'stretch marks (professional)'],
    [10, 'scalp', 'ZONE_SCALP', 2500, 'scalp'],
  ] as [number, string, string, number, string][]
).map(([code, name, constant, capUm, doc]) => ({ code, name, constant, capUm, doc }));

/** Modes: home devices stop at 1.5 mm; professional pens go to 3.0 mm, unlocked by the clinic. */
export const MODES: readonly Capped[] = [
  { code: 0, name: 'home', constant: 'MODE_HOME', capUm: 1500, doc: 'the power-up mode' },
  {
    code: 1,
    name: 'professional',
    constant: 'MODE_PROFESSIONAL',
    capUm: 3000,
    doc: "after AUTH with a clinic's licence and answer",
  },
];

/** Results of changing a setting. */
export const SET_RESULTS = codes([
  [0, 'ok', 'SET_OK', 'taken'],
  [1, 'out_of_range', 'SET_OUT_OF_RANGE', 'outside the board range'],
  [2, 'no_cartridge', 'SET_NO_CARTRIDGE', 'a depth needs a cartridge'],
  [3, 'above_cap', 'SET_ABOVE_CAP', 'above the cap in force (its source says whose)'],
]);

/** Results of user commands (start, pause, power...): the serial protocol maps them to replies, the log keeps them. */
export const COMMAND_RESULTS = codes([
  [0, 'ok', 'CMD_OK', 'done'],
  [1, 'wrong_state', 'CMD_WRONG_STATE', 'not allowed in this state'],
  [2, 'no_cartridge', 'CMD_NO_CARTRIDGE', 'no cartridge fitted'],
  [3, 'plan_failed', 'CMD_PLAN_FAILED', 'the stroke could not be planned'],
  [4, 'battery_low', 'CMD_BATTERY_LOW', 'battery too low to start'],
  [5, 'no_zone', 'CMD_NO_ZONE', 'no treatment zone chosen'],
  [6, 'cartridge_refused', 'CMD_CARTRIDGE_REFUSED', 'the cartridge was refused'],
  [7, 'cartridge_checking', 'CMD_CARTRIDGE_CHECKING', 'the cartridge is still being checked'],
]);

/** What the cartridge reader knows of the fitted cartridge. */
export const CARTRIDGE_STATES = codes([
  [0, 'none', 'CART_NONE', 'nothing fitted'],
  [1, 'checking', 'CART_CHECKING', 'reading and verifying the chip'],
  [2, 'ok', 'CART_OK', 'genuine and unused'],
  [3, 'refused', 'CART_REFUSED', 'refused (the refusal says why)'],
]);

/** Why a cartridge was refused (`STATUS?`, the log). */
export const REFUSALS = codes([
  [0, 'none', 'REFUSE_NONE', 'not refused'],
  [1, 'unknown', 'REFUSE_UNKNOWN', 'unreadable chip, unknown format or type'],
  [2, 'not_genuine', 'REFUSE_FORGED', 'the chip could not sign the challenge with its certified key (a copy)'],
  [3, 'used', 'REFUSE_USED', 'already used (its use counter, or a serial this pen has used): single use'],
  [4, 'uncertified', 'REFUSE_UNCERTIFIED', "the maker's certificate does not verify with the pen's maker key"],
  [
    5,
    'pen_key_unprovisioned',
    'REFUSE_KEY_UNPROVISIONED',
    "the pen's maker key was never provisioned: nothing is accepted",
  ],
  [6, 'pen_key_zero', 'REFUSE_KEY_ZERO', "the pen's maker key is all zeros: nothing is accepted"],
  [7, 'pen_key_malformed', 'REFUSE_KEY_MALFORMED', "the pen's maker key is not a valid key: nothing is accepted"],
  [8, 'rng_failed', 'REFUSE_RNG_FAILED', 'the random number generator failed its health tests: no challenge'],
]);

export interface SerialError extends Code {
  example: string;
}

/** Serial protocol error codes: every error reply is `ERR <code> <reason>`. */
export const SERIAL_ERRORS: readonly SerialError[] = (
  [
    [
      1,
      'unknown_command',
      'ERR_UNKNOWN_COMMAND',
      'unknown command or setting',
      'ERR 1 unknown command: SET|START|...|LOG',
    ],
    [
      2,
      'bad_argument',
      'ERR_BAD_ARGUMENT',
      'malformed number or argument',
      'ERR 2 bad depth: give millimetres, e.g. SET DEPTH 1.50',
    ],
    [
      3,
      'out_of_range',
      'ERR_OUT_OF_RANGE',
      'value out of range (the range names the cap that limits it), unknown name, no such record',
      'ERR 3 depth 9.00 mm out of range 0.20..1.50 mm (cap of home mode)',
    ],
    [4, 'wrong_state', 'ERR_WRONG_STATE', 'not allowed in this state', 'ERR 4 not allowed in state fault'],
    [5, 'line_too_long', 'ERR_LINE_TOO_LONG', 'line too long', 'ERR 5 line too long: at most 95 bytes'],
    [
      6,
      'cartridge',
      'ERR_CARTRIDGE',
      'no cartridge, one refused, or one still being checked (its chip verified, then its deepest setting worked out)',
      'ERR 6 cartridge refused: used: fit a new genuine cartridge',
    ],
    [7, 'plan', 'ERR_PLAN', 'the stroke could not be planned', 'ERR 7 stroke could not be planned'],
    [8, 'battery', 'ERR_BATTERY', 'battery too low to start', 'ERR 8 battery too low: charge the pen'],
    [9, 'no_zone', 'ERR_NO_ZONE', 'no treatment zone chosen', 'ERR 9 no treatment zone: SET ZONE <name> first'],
    [
      10,
      'auth',
      'ERR_AUTH',
      'professional mode: no challenge given, or the licence or answer refused (the reason follows)',
      'ERR 10 refused: licence_expired',
    ],
    [
      11,
      'above_cap',
      'ERR_ABOVE_CAP',
      'a zone or mode whose cap is below the depth in use',
      'ERR 11 depth 1.80 mm is above the 0.75 mm cap of zone forehead: set a shallower depth first',
    ],
  ] as [number, string, string, string, string][]
).map(([code, name, constant, doc, example]) => ({ code, name, constant, doc, example }));

export interface LogRecord extends Code {
  /** payload words after the type */
  words: number;
}

/** Treatment log record types (docs/treatment-log.md). */
export const LOG_RECORDS: readonly LogRecord[] = [
  { code: 1, name: 'segment', constant: 'REC_SEGMENT', words: 11, doc: 'a stretch of strokes at one setting, closed' },
  { code: 2, name: 'event', constant: 'REC_EVENT', words: 4, doc: 'an event with its detail' },
  {
    code: 3,
    name: 'segment_open',
    constant: 'REC_SEGMENT_OPEN',
    words: 8,
    doc: 'a stretch of strokes began (its stroke count follows in checkpoint words)',
  },
];

/** How a segment record was closed (its end field). */
export const SEGMENT_ENDS = codes([
  [0, 'closed', 'END_CLOSED', 'closed by the pen: a new setting, a pause, a stop or a fault'],
  [1, 'power_loss', 'END_POWER_LOSS', 'the power failed: closed at the next start-up from its checkpoints'],
  [2, 'watchdog_reset', 'END_WATCHDOG_RESET', 'a watchdog reset: closed at the restart from its checkpoints'],
  [3, 'firmware_reset', 'END_FIRMWARE_RESET', 'a firmware reset: closed at the restart from its checkpoints'],
]);

/** Why an AUTH attempt failed or a challenge was refused (the reply's reason; in an `auth_failed` event). */
export const AUTH_FAILURES = codes([
  [0, 'none', 'AUTH_OK', 'not refused: the answer and its licence are good'],
  [
    1,
    'wrong_answer',
    'AUTH_FAIL_WRONG_ANSWER',
    "the clinic's signature over the challenge and the pen's serial does not verify",
  ],
  [2, 'no_live_challenge', 'AUTH_FAIL_NO_CHALLENGE', 'no challenge to answer (none asked, or already answered)'],
  [3, 'locked_out', 'AUTH_FAIL_LOCKED_OUT', 'no challenge yet: failed attempts make the next one wait'],
  [4, 'replayed', 'AUTH_FAIL_REPLAYED', 'the answer is one the pen has already accepted: a recording sent again'],
  [5, 'no_licence', 'AUTH_FAIL_NO_LICENCE', 'the licence was not sent whole before the answer'],
  [
    6,
    'licence_malformed',
    'AUTH_FAIL_LICENCE_MALFORMED',
    'an unknown licence format, a zero serial, or a clinic key that is not a P-256 point',
  ],
  [7, 'licence_other_key', 'AUTH_FAIL_LICENCE_OTHER_KEY', 'the licence names a maker key this pen does not hold'],
  [
    8,
    'licence_not_genuine',
    'AUTH_FAIL_LICENCE_FORGED',
    "the maker's signature on the licence does not verify (another maker key, or altered bytes)",
  ],
  [9, 'licence_expired', 'AUTH_FAIL_LICENCE_EXPIRED', "the licence's expiry is past by the pen's clock"],
  [10, 'licence_revoked', 'AUTH_FAIL_LICENCE_REVOKED', "the licence's serial is on the maker's revocation list"],
  [11, 'licence_other_pen', 'AUTH_FAIL_LICENCE_OTHER_PEN', 'the licence names pens, and not this one'],
  [
    12,
    'clock_not_set',
    'AUTH_FAIL_CLOCK_NOT_SET',
    "the licence expires and the pen's clock reads before the earliest time it can (it lost its time)",
  ],
  [
    13,
    'key_unprovisioned',
    'AUTH_FAIL_KEY_UNPROVISIONED',
    "the pen's licence key storage is erased: nothing is accepted",
  ],
  [14, 'key_zero', 'AUTH_FAIL_KEY_ZERO', "the pen's licence key is all zeros: nothing is accepted"],
  [15, 'key_malformed', 'AUTH_FAIL_KEY_MALFORMED', "the pen's licence key is not a P-256 key: nothing is accepted"],
  [16, 'no_serial', 'AUTH_FAIL_NO_SERIAL', 'the pen has no serial number provisioned: nothing is accepted'],
  [17, 'no_random', 'AUTH_FAIL_NO_RANDOM', 'the random source failed its health tests: no challenge until a reset'],
  [18, 'crypto_error', 'AUTH_FAIL_CRYPTO', 'the crypto HAL refused the check (busy, or an argument it could not take)'],
]);

/**
 * A clinic licence (docs/security.md): the maker's ECDSA P-256 signature binding a clinic's public key
 * to a licence serial, an expiry and, optionally, pen serials. Big-endian fields at these offsets.
 */
export const LICENCE = {
  /** format byte: LICENCE_FORMAT */
  format: 0,
  /** the CRYPTO_KEYS ID of the maker key that signed it (licence_maker) */
  keyId: 1,
  /** licence serial (u32, not 0): what a revocation names */
  serial: 4,
  /** expiry, s since 1970 UTC (u32); 0 = none */
  expiry: 8,
  /** up to `penSlots` pen serials (u32 each); all 0 = any pen */
  pens: 12,
  penSlots: 4,
  /** the clinic's P-256 public key, 64 bytes X||Y */
  clinicKey: 28,
  /** the maker's signature r||s (64 bytes) over bytes 0..signature-1 */
  signature: 92,
  bytes: 156,
} as const;
export const LICENCE_FORMAT = 1;

/** Bytes of an unlock challenge; the clinic signs challenge || pen serial (4 bytes, big-endian). */
export const CHALLENGE_BYTES = 16;

/**
 * The earliest time a pen's clock can read once set (2026-01-01 UTC, before any pen was built): a clock
 * behind it has lost its time, and a licence that expires is then refused (fail closed).
 */
export const EARLIEST_CLOCK_S = 1_767_225_600;

/**
 * The maker's revocation list: licence serials no pen accepts. It ships with every signed firmware, so a
 * pen learns of a revocation with its next update (docs/security.md). 900001 is a development licence,
 * revoked to show the refusal.
 */
export const REVOKED_LICENCES: readonly number[] = [900001];

export interface LogEvent extends Code {
  /** what the detail word holds */
  detail: string;
  /** the table the detail word is a code of, if it is one */
  details?: readonly Code[];
  /** the detail word is a count (low 16 bits) and the code of the last one counted (high 16 bits) */
  counted?: boolean;
}

/** Treatment log events. */
export const LOG_EVENTS: readonly LogEvent[] = [
  { code: 1, name: 'fault', constant: 'EV_FAULT', doc: 'a fault', detail: 'fault code', details: FAULTS },
  {
    code: 2,
    name: 'auth_failed',
    constant: 'EV_AUTH_FAILED',
    doc: 'AUTH attempts failed (one record a minute at most)',
    detail: 'how many failed since the last such record (low 16 bits), why the last one did (high 16 bits)',
    details: AUTH_FAILURES,
    counted: true,
  },
  {
    code: 3,
    name: 'auth_passed',
    constant: 'EV_AUTH_PASSED',
    doc: 'professional mode unlocked',
    detail: "the serial of the clinic's licence",
  },
  {
    code: 4,
    name: 'cartridge_refused',
    constant: 'EV_CARTRIDGE_REFUSED',
    doc: 'a cartridge was refused',
    detail: 'refusal reason',
    details: REFUSALS,
  },
  {
    code: 5,
    name: 'cartridge_removed',
    constant: 'EV_CARTRIDGE_REMOVED',
    doc: 'the cartridge was taken off',
    detail: '0',
  },
  {
    code: 6,
    name: 'start_refused',
    constant: 'EV_START_REFUSED',
    doc: 'START was refused',
    detail: 'command result',
    details: COMMAND_RESULTS,
  },
  { code: 7, name: 'idle_off', constant: 'EV_IDLE_OFF', doc: 'idle auto-off', detail: 'idle time (s)' },
];

/** The name of `code` in `table`, or the number itself when the table has no such code. */
export function nameOf(table: readonly Code[], code: number): string {
  return table.find((c) => c.code === code)?.name ?? String(code);
}
