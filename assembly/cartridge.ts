// The cartridge's ID chip, a secure ECDSA authenticator (docs/cartridge-chip.md): what is fitted, whether
// it is genuine, and the single-use lockout. The check is a job over many ticks: read the chip; check
// the maker's certificate over its data and public key with the maker key the HAL holds; send a fresh
// random challenge; check the chip's signature over (challenge, serial, use counter) with its public
// key; then refuse a used counter or a serial this pen has used, except the cartridge of the session
// a reset interrupted (cartstore.ts). At the first stroke the chip counts one use.
//
// A job that becomes moot (the cartridge taken off, the pen switched off, a fault) is cancelled: its
// crypto operation and imported key go back to the HAL, and the check starts afresh.
import { STATIC_HEADER_BYTES, checked, checkedSet, item, staticArray } from "./statics";
import {
  CART_CHECKING,
  CART_NONE,
  CART_OK,
  CART_REFUSED,
  CRYPTO_E_MALFORMED_KEY,
  CRYPTO_E_UNPROVISIONED,
  CRYPTO_E_ZERO_KEY,
  CRYPTO_OK,
  CRYPTO_PENDING,
  KEY_ID_CARTRIDGE_MAKER,
  REFUSE_FORGED,
  REFUSE_KEY_MALFORMED,
  REFUSE_KEY_UNPROVISIONED,
  REFUSE_KEY_ZERO,
  REFUSE_NONE,
  REFUSE_RNG_FAILED,
  REFUSE_UNCERTIFIED,
  REFUSE_UNKNOWN,
  REFUSE_USED,
  ST_FAULT,
  ST_OFF,
} from "./abi";
import { cartridge_read, cartridge_write, crypto_key_import, crypto_poll, crypto_verify_start } from "./hal";
import { addressOf, dropKey, endOperation, randomBytes } from "./crypto";
import {
  isOpenSession,
  serialUsed,
  storeCloseSession,
  storeInit,
  storeMarkUsed,
  storeMarkWritten,
  storeReady,
  storeTick,
} from "./cartstore";
import { machineState } from "./machine";
import { noteChipWork } from "./budget";
import { CART_NEEDLES, CART_NEEDLES_LEN } from "./generated/board_config";

export const CHIP_FORMAT: i32 = 2;
const PUBKEY_ADDR: i32 = 16;
const CERT_ADDR: i32 = 80;
const STATUS_ADDR: i32 = 148;
const CHALLENGE_ADDR: i32 = 160;
const COMMAND_ADDR: i32 = 192;
const RESPONSE_COUNTER_ADDR: i32 = 196;
const RESPONSE_ADDR: i32 = 200;
const CHIP_BYTES: i32 = 148; // what the pen keeps: data, public key, certificate, use counter
const CHALLENGE_BYTES: i32 = 32;
const MSG_BYTES: i32 = CHALLENGE_BYTES + 8; // challenge, serial, use counter
const SIG_BYTES: i32 = 64;
const CMD_SIGN: i32 = 1;
const CMD_COUNT_USE: i32 = 2;
const STATUS_BUSY: i32 = 1;
const STATUS_READY: i32 = 2;
const BYTES_PER_TICK: i32 = 16; // each byte is a HAL call
/** the chip must answer a challenge within this many ticks */
const SIGN_TIMEOUT_TICKS: i32 = 500;

// the job's steps
const J_READ: i32 = 0;
const J_CERT: i32 = 1;
const J_CHALLENGE: i32 = 2;
const J_SIGNING: i32 = 3;
const J_RESPONSE: i32 = 4;
const J_VERIFY: i32 = 5;
const J_DECIDE: i32 = 6;

const chip: StaticArray<u8> = staticArray<u8>(memory.data(STATIC_HEADER_BYTES + CHIP_BYTES, 16), CHIP_BYTES);
/** the message the chip signed: challenge, serial, use counter */
const msg: StaticArray<u8> = staticArray<u8>(memory.data(STATIC_HEADER_BYTES + MSG_BYTES, 16), MSG_BYTES);
const sig: StaticArray<u8> = staticArray<u8>(memory.data(STATIC_HEADER_BYTES + SIG_BYTES, 16), SIG_BYTES);

let state: i32 = 0; // CART_NONE
let refusal: i32 = 0; // REFUSE_NONE
let usedThisFit: bool = false;
let toMark: bool = false; // marked used: the list is still to take it
let useToCount: bool = false; // in the list: the chip is still to count it
let removedEvent: bool = false;
let job: i32 = J_READ;
let done: i32 = 0; // bytes of the step read or written so far, or ticks waited
let handle: i32 = 0; // the crypto operation under way, 0 none
let chipKey: i32 = 0; // the chip's imported public key, 0 none
let lastMachineState: i32 = ST_OFF;

export function cartridgeState(): i32 {
  return state;
}
export function cartridgeRefusal(): i32 {
  return refusal;
}
/** Index in the board's cartridge list, valid when CART_OK. */
export function cartridgeTypeIndex(): i32 {
  return <i32>item(chip, 1) - 1;
}
export function cartridgeNeedles(): i32 {
  return <i32>item(chip, 2);
}
export function cartridgeLengthUm(): i32 {
  return (<i32>item(chip, 4)) | ((<i32>item(chip, 5)) << 8);
}
export function cartridgeLot(): u32 {
  return word(chip, 8);
}
export function cartridgeSerial(): u32 {
  return word(chip, 12);
}

function word(b: StaticArray<u8>, a: i32): u32 {
  return (
    (<u32>checked(b, a)) |
    ((<u32>checked(b, a + 1)) << 8) |
    ((<u32>checked(b, a + 2)) << 16) |
    ((<u32>checked(b, a + 3)) << 24)
  );
}

/** True once after the fitted cartridge went away. */
export function takeRemovedEvent(): bool {
  const e = removedEvent;
  removedEvent = false;
  return e;
}

/** At start-up (a reset has already cancelled every crypto operation and imported key in the HAL). */
export function resetCartridge(): void {
  handle = 0;
  chipKey = 0;
  restart();
  state = CART_NONE;
  removedEvent = false;
  lastMachineState = machineState();
  storeInit();
}

/** Drop the job and whatever it holds in the HAL; the next tick reads the chip afresh. */
function restart(): void {
  handle = endOperation(handle);
  chipKey = dropKey(chipKey);
  job = J_READ;
  done = 0;
  refusal = REFUSE_NONE;
  usedThisFit = false;
  toMark = false;
  useToCount = false;
}

/** Called every control tick: notices fitting and removal, runs the check a step at a time. */
export function cartridgeTick(): void {
  storeTick();
  const m = machineState();
  const switchedOff = m == ST_OFF && lastMachineState != ST_OFF;
  if (m != lastMachineState && (m == ST_OFF || m == ST_FAULT) && state == CART_CHECKING) restart(); // moot: afresh
  lastMachineState = m;
  if (switchedOff) storeCloseSession(); // the treatment is over: its cartridge is not taken back
  const present = cartridge_read(0) >= 0;
  if (!present) {
    if (state != CART_NONE) {
      removedEvent = state == CART_OK;
      if (state == CART_OK) storeCloseSession();
      restart();
    }
    state = CART_NONE;
    return;
  }
  if (state == CART_NONE) state = CART_CHECKING;
  if (state == CART_CHECKING) checkStep();
  else if (state == CART_OK) countUse();
}

function checkStep(): void {
  // a block of chip bytes a tick: the log's start-up scan waits for a tick without it
  if (job == J_READ || job == J_CHALLENGE || job == J_RESPONSE) noteChipWork();
  if (job == J_READ) {
    if (!readInto(chip, 0, CHIP_BYTES)) return;
    const t = <i32>checked(chip, 1);
    if (
      <i32>checked(chip, 0) != CHIP_FORMAT ||
      t < 1 ||
      t > CART_NEEDLES_LEN ||
      <i32>checked(chip, 2) != checked(CART_NEEDLES, t - 1)
    ) {
      refuse(REFUSE_UNKNOWN);
      return;
    }
    handle = crypto_verify_start(KEY_ID_CARTRIDGE_MAKER, addressOf(chip, 0), CERT_ADDR, addressOf(chip, CERT_ADDR));
    if (handle < 0) {
      refuse(keyRefusal(handle));
      handle = 0;
      return;
    }
    job = J_CERT;
    return;
  }
  if (job == J_CERT) {
    const r = crypto_poll(handle);
    if (r == CRYPTO_PENDING) return;
    handle = endOperation(handle);
    noteChipWork(); // the key import and the challenge's random words
    if (r != CRYPTO_OK) {
      refuse(REFUSE_UNCERTIFIED);
      return;
    }
    chipKey = crypto_key_import(addressOf(chip, PUBKEY_ADDR));
    if (chipKey < 0) {
      chipKey = 0;
      refuse(REFUSE_UNCERTIFIED);
      return;
    }
    if (!randomBytes(msg, CHALLENGE_BYTES)) {
      refuse(REFUSE_RNG_FAILED);
      return;
    }
    job = J_CHALLENGE;
    done = 0;
    return;
  }
  if (job == J_CHALLENGE) {
    const end = min(done + BYTES_PER_TICK, CHALLENGE_BYTES);
    for (let i = done; i < end; i++) {
      if (cartridge_write(CHALLENGE_ADDR + i, <i32>checked(msg, i)) != 0) {
        refuse(REFUSE_UNKNOWN);
        return;
      }
    }
    done = end;
    if (done < CHALLENGE_BYTES) return;
    if (cartridge_write(COMMAND_ADDR, CMD_SIGN) != 0) {
      refuse(REFUSE_UNKNOWN);
      return;
    }
    job = J_SIGNING;
    done = 0;
    return;
  }
  if (job == J_SIGNING) {
    const s = cartridge_read(STATUS_ADDR);
    if (s != STATUS_READY) {
      if (s != STATUS_BUSY || ++done > SIGN_TIMEOUT_TICKS) refuse(REFUSE_UNKNOWN);
      return;
    }
    // the message the chip signed: the challenge (in place), the serial, the counter it signed
    for (let i = 0; i < 4; i++) {
      const b = cartridge_read(RESPONSE_COUNTER_ADDR + i);
      if (b < 0) return; // pulled out: the next tick sees it
      checkedSet(msg, CHALLENGE_BYTES + 4 + i, <u8>b);
      checkedSet(msg, CHALLENGE_BYTES + i, checked(chip, 12 + i));
    }
    job = J_RESPONSE;
    done = 0;
    return;
  }
  if (job == J_RESPONSE) {
    if (!readInto(sig, RESPONSE_ADDR, SIG_BYTES)) return;
    handle = crypto_verify_start(chipKey, addressOf(msg, 0), MSG_BYTES, addressOf(sig, 0));
    if (handle < 0) {
      handle = 0;
      refuse(REFUSE_FORGED);
      return;
    }
    job = J_VERIFY;
    return;
  }
  if (job == J_VERIFY) {
    const r = crypto_poll(handle);
    if (r == CRYPTO_PENDING) return;
    handle = endOperation(handle);
    chipKey = dropKey(chipKey);
    if (r != CRYPTO_OK) {
      refuse(REFUSE_FORGED);
      return;
    }
    job = J_DECIDE;
  }
  if (job == J_DECIDE) {
    if (!storeReady()) return; // the used list is still being read at start-up
    const uses = word(msg, CHALLENGE_BYTES + 4);
    const serial = cartridgeSerial();
    if (uses <= 1 && isOpenSession(serial)) {
      usedThisFit = uses == 1; // the cartridge of the interrupted session: its treatment goes on
      state = CART_OK;
      return;
    }
    if (uses != 0 || serialUsed(serial)) {
      refuse(REFUSE_USED);
      return;
    }
    state = CART_OK;
  }
}

/** Reads bytes `from + done ..` of the chip into `buf`, a block a tick; true once all `n` are in. */
function readInto(buf: StaticArray<u8>, from: i32, n: i32): bool {
  const end = min(done + BYTES_PER_TICK, n);
  for (let i = done; i < end; i++) {
    const b = cartridge_read(from + i);
    if (b < 0) {
      done = 0; // pulled out while reading: start over
      return false;
    }
    checkedSet(buf, i, <u8>b);
  }
  done = end < n ? end : 0;
  return end >= n;
}

function keyRefusal(code: i32): i32 {
  if (code == CRYPTO_E_UNPROVISIONED) return REFUSE_KEY_UNPROVISIONED;
  if (code == CRYPTO_E_ZERO_KEY) return REFUSE_KEY_ZERO;
  if (code == CRYPTO_E_MALFORMED_KEY) return REFUSE_KEY_MALFORMED;
  return REFUSE_KEY_MALFORMED; // no such key, or no operation slot: refused all the same, never skipped
}

function refuse(why: i32): void {
  handle = endOperation(handle);
  chipKey = dropKey(chipKey);
  state = CART_REFUSED;
  refusal = why;
}

/**
 * At the first stroke: the serial goes into the used list, which writes it to flash in the next tick;
 * the tick after that, the chip counts the use (countUse). In that order, a power cut in between leaves
 * a cartridge the pen takes back as its session's own. False if the cartridge cannot be used.
 */
export function markCartridgeUsed(): bool {
  if (state != CART_OK) return false;
  if (usedThisFit) return true;
  usedThisFit = true;
  toMark = true; // the start's tick is a heavy one: the list takes it in the next
  return true;
}

/** The list takes the mark, the flash the tick after, then the chip counts the use. */
function countUse(): void {
  if (toMark) {
    toMark = false;
    const serial = cartridgeSerial();
    if (!isOpenSession(serial)) storeMarkUsed(serial);
    useToCount = true;
    return;
  }
  if (!useToCount || !storeMarkWritten()) return;
  useToCount = false;
  if (cartridge_write(COMMAND_ADDR, CMD_COUNT_USE) != 0) refuse(REFUSE_UNKNOWN); // a genuine chip always counts
}
