// Treatment zones and modes, with their depth caps from the clinical depth guide (the deeper end of
// the thick-skin range; docs/hazards.md). The cap in force is the lowest of zone, mode, cartridge and board.
// Tables are static data without an object header (memory.data): they carry no length.

export const ZONE_NONE: i32 = 0;
// names (serial protocol): none, forehead, eyes, nose, upper_lip, cheekbones, cheeks, neck, acne_scars, stretch_marks, scalp
/** cap per zone (um): forehead 0.75, around the eyes 0.5, nose 0.5, upper lip 0.75, cheekbones 1.0,
 *  cheeks and chin 2.0, neck 1.5, acne scars 3.0 and stretch marks 3.0 (professional), scalp 2.5 */
export const ZONE_CAP_UM: StaticArray<i32> = changetype<StaticArray<i32>>(memory.data<i32>([0, 750, 500, 500, 750, 1000, 2000, 1500, 3000, 3000, 2500]));
export const ZONE_COUNT: i32 = 11; // with ZONE_NONE

export const MODE_HOME: i32 = 0;
export const MODE_PROFESSIONAL: i32 = 1;
/** home devices stop at 1.5 mm; professional pens go to 3.0 mm */
export const MODE_CAP_UM: StaticArray<i32> = changetype<StaticArray<i32>>(memory.data<i32>([1500, 3000]));
export const MODE_COUNT: i32 = 2;
