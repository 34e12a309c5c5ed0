// The cartridge's ID chip: what is fitted, whether it is genuine (an HMAC tag with the cartridge
// maker's key), and the single-use lockout (a one-way "used" byte the pen clears at the first stroke).
//
// Chip layout (bytes): 0 format (1), 1 type code (1-based index in the board's cartridge list),
// 2 needles, 4-5 needle length um (LE), 8-11 lot (LE), 12-15 serial (LE), 16 used (0xFF new, 0x00 used),
// 32-47 tag = first 16 bytes of HMAC-SHA256(cartridge key, bytes 0-15).
import { STATIC_HEADER_BYTES, checked, checkedSet, staticArray } from "./statics";
import {
  CART_CHECKING,
  CART_NONE,
  CART_OK,
  CART_REFUSED,
  KEY_CARTRIDGE,
  REFUSE_FORGED,
  REFUSE_NONE,
  REFUSE_UNKNOWN,
  REFUSE_USED,
} from "./abi";
import { cartridge_read, cartridge_write } from "./hal";
import { loadHmacKey } from "./keys";
import { hmacMessage, hmacResult, hmacStart, hmacStep, hmacBusy, hmacOwner } from "./sha256";
import { CART_NEEDLES, CART_NEEDLES_LEN } from "./generated/board_config";

export const CHIP_FORMAT: i32 = 1;
export const CHIP_USED_ADDR: i32 = 16;
const CHIP_TAG_ADDR: i32 = 32;
const CHIP_BYTES: i32 = 48;
const BYTES_PER_TICK: i32 = 16; // each byte is a HAL call: the chip is read over three ticks
const HMAC_OWNER: i32 = 1;

const chip: StaticArray<u8> = staticArray<u8>(memory.data(STATIC_HEADER_BYTES + CHIP_BYTES, 16), CHIP_BYTES);
let state: i32 = 0; // CART_NONE
let refusal: i32 = 0; // REFUSE_NONE
let usedThisFit: bool = false;
let removedEvent: bool = false;
let readBytes: i32 = 0; // of the chip, read so far

export function cartridgeState(): i32 {
  return state;
}
export function cartridgeRefusal(): i32 {
  return refusal;
}
/** Index in the board's cartridge list, valid when CART_OK. */
export function cartridgeTypeIndex(): i32 {
  return <i32>chip[1] - 1;
}
export function cartridgeNeedles(): i32 {
  return <i32>chip[2];
}
export function cartridgeLengthUm(): i32 {
  return (<i32>chip[4]) | ((<i32>chip[5]) << 8);
}
export function cartridgeLot(): u32 {
  return word(8);
}
export function cartridgeSerial(): u32 {
  return word(12);
}

function word(a: i32): u32 {
  return (<u32>chip[a]) | ((<u32>chip[a + 1]) << 8) | ((<u32>chip[a + 2]) << 16) | ((<u32>chip[a + 3]) << 24);
}

/** True once after the fitted cartridge went away. */
export function takeRemovedEvent(): bool {
  const e = removedEvent;
  removedEvent = false;
  return e;
}

export function resetCartridge(): void {
  readBytes = 0;
  state = CART_NONE;
  refusal = REFUSE_NONE;
  usedThisFit = false;
  removedEvent = false;
}

/** Called every control tick: notices fitting and removal, verifies a new cartridge a block at a time. */
export function cartridgeTick(): void {
  const present = cartridge_read(0) >= 0;
  if (!present) {
    if (state != CART_NONE) removedEvent = state == CART_OK;
    state = CART_NONE;
    refusal = REFUSE_NONE;
    usedThisFit = false;
    readBytes = 0;
    return;
  }
  if (state == CART_NONE) {
    if (hmacBusy()) return; // the engine is busy with an authentication: next tick
    const end = readBytes + BYTES_PER_TICK;
    for (let i = readBytes; i < end; i++) {
      const b = cartridge_read(i);
      if (b < 0) {
        readBytes = 0;
        return;
      } // pulled out while reading: start over
      unchecked((chip[i] = <u8>b)); // i < readBytes + BYTES_PER_TICK <= CHIP_BYTES: readBytes is 0, 16 or 32
    }
    readBytes = end < CHIP_BYTES ? end : 0;
    if (readBytes > 0) return;
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
    loadHmacKey(KEY_CARTRIDGE);
    for (let i = 0; i < 16; i++) checkedSet(hmacMessage, i, checked(chip, i));
    hmacStart(16, HMAC_OWNER);
    state = CART_CHECKING;
    return;
  }
  if (state == CART_CHECKING && hmacOwner() == HMAC_OWNER) {
    if (!hmacStep()) return;
    let diff = 0;
    for (let i = 0; i < 16; i++) diff |= <i32>(checked(hmacResult, i) ^ checked(chip, CHIP_TAG_ADDR + i));
    if (diff != 0) {
      refuse(REFUSE_FORGED);
      return;
    }
    if (<i32>checked(chip, CHIP_USED_ADDR) != 0xff) {
      refuse(REFUSE_USED);
      return;
    }
    state = CART_OK;
  }
}

function refuse(why: i32): void {
  state = CART_REFUSED;
  refusal = why;
}

/** At the first stroke: clear the chip's one-way used byte. False if the chip would not take it. */
export function markCartridgeUsed(): bool {
  if (state != CART_OK) return false;
  if (usedThisFit) return true;
  if (cartridge_write(CHIP_USED_ADDR, 0) != 0) return false;
  usedThisFit = true;
  return true;
}
