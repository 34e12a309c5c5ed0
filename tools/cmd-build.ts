// `pen build [--board NAME]`
import { buildFirmware, MAX_WASM_BYTES, MAX_MEMORY_PAGES } from './build.js';
import { parseOptions, usageText, OptionSpec, noPositional } from './args.js';
import { boardOption } from './board-option.js';

const SPEC: OptionSpec = {
  board: { type: 'string', value: 'NAME', help: 'board file in boards/ (default ref-pen)' },
};
const USAGE = usageText('build', 'Compile the firmware for a board into build/<board>/firmware.wasm.', SPEC);

export async function buildCommand(argv: string[]): Promise<number> {
  const o = parseOptions(argv, SPEC, USAGE);
  if (o.help) { console.log(USAGE); return 0; }
  noPositional(o, USAGE);
  const board = boardOption(o.board as string | undefined);
  const r = await buildFirmware(board.name);
  console.log(`built ${r.wasmPath}`);
  console.log(`  size     ${r.bytes} bytes (limit ${MAX_WASM_BYTES})`);
  console.log(`  memory   ${r.memoryPages} page(s) of 64 KiB (limit ${MAX_MEMORY_PAGES})`);
  console.log(`  imports  ${r.imports.length}: ${r.imports.join(' ')}`);
  console.log(`  exports  ${r.exports.join(' ')}`);
  const bad = r.imports.filter((i) => !i.startsWith('hal.'));
  if (bad.length) { console.error(`imports from outside the HAL: ${bad.join(' ')}`); return 1; }
  if (r.bytes > MAX_WASM_BYTES || r.memoryPages > MAX_MEMORY_PAGES) { console.error('over the size or memory budget'); return 1; }
  return 0;
}
