// Routes AssemblyScript's abort (bounds checks, unreachable) to the HAL panic, so the module imports
// nothing outside `hal` and a runtime error always ends with the driver off.
import { panic } from "./hal";

export function firmwareAbort(message: usize, file: usize, line: u32, column: u32): void {
  panic(1, <i32>line);
  unreachable();
}
