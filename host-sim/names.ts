// Names of the firmware's codes as the HAL reports them, from the one dictionary (abi/pen-abi.ts).
import * as abi from '../abi/pen-abi.js';

const names = (table: readonly abi.Code[]): readonly string[] => table.map((c) => c.name);

export const STATES = names(abi.STATES);
export type StateName = string;
export const FAULTS = names(abi.FAULTS);
export const CLAMPS = names(abi.CLAMPS);
export const CLAMP_WHY: Record<string, string> = Object.fromEntries(abi.CLAMPS.map((c) => [c.name, c.why]));
export const INDICATORS = names(abi.INDICATORS);
export const BUTTONS = names(abi.BUTTONS);
export type ButtonName = string;
