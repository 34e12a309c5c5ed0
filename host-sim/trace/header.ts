// What a trace file says about its run so it can be reproduced: board, motor model, settings, seed,
// the firmware's hash; and the step rate limit that sets the VCD's timescale.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Board } from '../../boards/board.js';

export function traceHeader(board: Board, wasmPath: string, settings: Record<string, string | number>): string[] {
  const wasm = readFileSync(wasmPath);
  return [
    `board ${board.name}, ${board.physics?.model ?? 'ideal'} model, step timer ${board.timing.step_timer_hz} Hz nominal`,
    `settings ${Object.entries(settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
    `firmware ${wasm.length} bytes sha256 ${createHash('sha256').update(wasm).digest('hex')}`,
  ];
}

/** The shortest step interval the board's driver and timer allow (s). */
export function minStepIntervalS(board: Board): number {
  const hz = board.timing.step_timer_hz;
  return Math.ceil(hz / board.driver.max_step_rate_hz) / hz;
}
