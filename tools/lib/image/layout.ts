// Where images live in a board's flash: the bootloader first, then two image slots. The bootloader
// starts the image in place (MCUboot's ROM_FIXED/direct-XIP), so an image is built for one slot.
import type { Board } from '../../../boards/board.js';

export type SlotName = 'a' | 'b';

export interface Slot {
  name: SlotName;
  address: number;
  bytes: number;
}

export interface FlashLayout {
  bootloader: { address: number; bytes: number };
  slots: Record<SlotName, Slot>;
  /** ih_hdr_size: the firmware's vector table follows the header and must be aligned for VTOR */
  headerBytes: number;
}

// STM32F405 (RM0090 section 3.3, 1 MiB): sectors 0-4 (4 x 16 KiB + 64 KiB) hold the bootloader,
// sectors 5-7 and 8-10 (3 x 128 KiB each) the two slots; sector 11 stays free for the log or a scratch.
// The vector table has 98 entries (392 bytes), so VTOR needs 512-byte alignment: a 0x200 header.
const STM32F405: FlashLayout = {
  bootloader: { address: 0x08000000, bytes: 0x20000 },
  slots: {
    a: { name: 'a', address: 0x08020000, bytes: 0x60000 },
    b: { name: 'b', address: 0x08080000, bytes: 0x60000 },
  },
  headerBytes: 0x200,
};

const LAYOUTS: Record<string, FlashLayout> = { stm32f405: STM32F405 };

/** The flash layout of a board's port; an Error naming the boards that have one otherwise. */
export function flashLayout(board: Board): FlashLayout {
  const port = board.mcu?.port;
  const layout = port ? LAYOUTS[port] : undefined;
  if (!layout)
    throw new Error(
      `board ${board.name} has no image slots: only boards whose port is one of ${Object.keys(LAYOUTS).join(', ')} take signed images`,
    );
  return layout;
}

/** The slot whose base is `address`, if any. */
export function slotAt(layout: FlashLayout, address: number): Slot | undefined {
  return Object.values(layout.slots).find((s) => s.address === address);
}
