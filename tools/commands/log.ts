// `pen log`: export a pen's treatment log (a flash image from the simulator) as CSV and JSON.
import { existsSync } from 'node:fs';
import { parseOptions, usageText, OptionSpec, UsageError, noPositional } from '../lib/args.js';
import { boardOption } from '../lib/board-option.js';
import { PenSim } from '../../host-sim/pen.js';
import { buildFirmware, writeAtomic } from '../build/build.js';
import { readTreatmentLog, logCsv } from '../lib/treatment-log.js';
import { loadFlashImage } from '../lib/flash-image.js';
import { checkOutputFile } from '../lib/errors.js';

const SPEC: OptionSpec = {
  flash: { type: 'string', value: 'FILE', help: 'log flash image written by `pen sim --flash FILE` (required)' },
  board: { type: 'string', value: 'NAME', help: 'board the image comes from (default ref-pen)' },
  csv: { type: 'string', value: 'FILE', help: 'write CSV there (default: CSV on standard output)' },
  json: { type: 'string', value: 'FILE', help: 'write JSON there' },
};
const USAGE = usageText(
  'log',
  'Export the treatment log (sessions, faults, refusals) as CSV and JSON.\nThe pen is booted on the image and asked over its serial port (LOG?, LOG <i>), as a clinic tool would.',
  SPEC,
);

export async function logCommand(argv: string[]): Promise<number> {
  const o = parseOptions(argv, SPEC, USAGE);
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  noPositional(o, USAGE);
  const file = o.flash as string | undefined;
  if (!file) throw new UsageError(`--flash FILE is required\n\n${USAGE}`);
  if (!existsSync(file)) throw new UsageError(`--flash ${file}: no such file`);
  const board = boardOption(o.board as string | undefined);
  if (o.csv) checkOutputFile(o.csv as string, '--csv');
  if (o.json) checkOutputFile(o.json as string, '--json');
  const flash = loadFlashImage(file, board.storage?.sectors ?? 4, board.storage?.sector_bytes ?? 4096);
  const built = await buildFirmware(board.name);
  const sim = new PenSim({ board, wasm: built.wasmPath, flash });
  sim.run(20);
  const rows = readTreatmentLog(sim);
  const csv = logCsv(rows);
  if (o.csv) writeAtomic(o.csv as string, csv);
  if (o.json) writeAtomic(o.json as string, JSON.stringify({ board: board.name, records: rows }, null, 2) + '\n');
  if (!o.csv) process.stdout.write(csv);
  else console.error(`${rows.length} records: ${o.csv}${o.json ? `, ${o.json}` : ''}`);
  return 0;
}
