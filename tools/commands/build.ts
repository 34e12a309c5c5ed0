// `pen build [--board NAME]`
import { buildFirmware, MAX_WASM_BYTES, MAX_MEMORY_PAGES } from '../build/build.js';
import { parseOptions, usageText, OptionSpec, noPositional } from '../lib/args.js';
import { boardOption } from '../lib/board-option.js';
import { buildPort } from '../build/port-build.js';

const SPEC: OptionSpec = {
  board: {
    type: 'string',
    value: 'NAME',
    help: "a board in boards/ by name (default ref-pen), or a board file's path (FILE.json, the file named as the board): the file is checked, the firmware built from boards/<name>.json",
  },
};
const USAGE = usageText(
  'build',
  `Compile the firmware for a board into build/<board>/firmware.wasm. For a board with an "mcu"
section, also translate it with wasm2c and build its C port (build/<board>/port/firmware.elf and
replay.elf) with arm-none-eabi-gcc, and print flash and RAM by section.`,
  SPEC,
);

export async function buildCommand(argv: string[]): Promise<number> {
  const o = parseOptions(argv, SPEC, USAGE);
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  noPositional(o, USAGE);
  const board = boardOption(o.board as string | undefined);
  const r = await buildFirmware(board.name);
  console.log(`built ${r.wasmPath}`);
  console.log(`  size     ${r.bytes} bytes (limit ${MAX_WASM_BYTES})`);
  console.log(`  memory   ${r.memoryPages} page(s) of 64 KiB (limit ${MAX_MEMORY_PAGES})`);
  console.log(`  imports  ${r.imports.length}: ${r.imports.join(' ')}`);
  console.log(`  exports  ${r.exports.join(' ')}`);
  const bad = r.imports.filter((i) => !i.startsWith('hal.'));
  if (bad.length) {
    console.error(`imports from outside the HAL: ${bad.join(' ')}`);
    return 1;
  }
  if (r.bytes > MAX_WASM_BYTES || r.memoryPages > MAX_MEMORY_PAGES) {
    console.error('over the size or memory budget');
    return 1;
  }
  if (!board.mcu) return 0;
  // a board with a microcontroller: translate the module and build its C port
  const p = buildPort(board, r.wasmPath);
  const flashBudget = board.mcu.flash_budget_bytes ?? board.mcu.flash_bytes;
  console.log(`built ${p.elf} (${board.mcu.part}, wasm2c + arm-none-eabi-gcc, Cortex-M4F hard float)`);
  console.log(`  binary   ${p.bin} and ${p.hex} (for a pen without the bootloader)`);
  for (const [slot, s] of Object.entries(p.slots))
    console.log(
      `  slot ${slot}   ${s.bin} and ${s.hex} (sign it with \`pen image sign --board ${board.name} --slot ${slot}\`)`,
    );
  console.log(`  replay build ${p.replayElf}`);
  for (const s of p.sections) console.log(`  ${s.name.padEnd(12)} ${String(s.bytes).padStart(7)} bytes  ${s.region}`);
  console.log(`  flash    ${p.flashBytes} bytes (budget ${flashBudget})`);
  console.log(`  RAM      ${p.ramBytes} bytes (of ${board.mcu.ram_bytes}; the module's 64 KiB page included)`);
  if (p.flashBytes > flashBudget || p.ramBytes > board.mcu.ram_bytes) {
    console.error('over the flash or RAM budget');
    return 1;
  }
  return 0;
}
