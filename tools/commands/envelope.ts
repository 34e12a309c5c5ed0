// `pen envelope`: the highest stroke rate per depth, as the firmware computes it for a board and cartridge.
import { parseOptions, usageText, OptionSpec, noPositional } from '../lib/args.js';
import { boardOption, cartridgeOption } from '../lib/board-option.js';
import { buildFirmware } from '../build/build.js';
import { readEnvelope, standardDepths } from '../lib/envelope.js';
import { snakeCaseKeys } from '../lib/json-keys.js';

const SPEC: OptionSpec = {
  board: { type: 'string', value: 'NAME', help: 'board file in boards/ (default ref-pen)' },
  cartridge: { type: 'string', value: 'TYPE', help: "cartridge type (default: the board's default)" },
  json: { type: 'boolean', help: 'print JSON' },
};
const USAGE = usageText(
  'envelope',
  'Print the highest stroke rate the firmware allows at each depth (0.25 mm steps).',
  SPEC,
);

export async function envelopeCommand(argv: string[]): Promise<number> {
  const o = parseOptions(argv, SPEC, USAGE);
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  noPositional(o, USAGE);
  const board = boardOption(o.board as string | undefined);
  const cart = cartridgeOption(board, o.cartridge as string | undefined);
  const built = await buildFirmware(board.name);
  const pts = readEnvelope(board, built.wasmPath, cart.type, standardDepths(board, cart.type));
  if (o.json) {
    console.log(JSON.stringify(snakeCaseKeys({ board: board.name, cartridge: cart.type, points: pts })));
    return 0;
  }
  console.log(
    `envelope of ${board.name} with cartridge ${cart.type} (${cart.needles} needles): highest stroke rate per depth`,
  );
  console.log('depth mm   max Hz   limited by');
  for (const p of pts)
    console.log(
      `${p.depthMm.toFixed(2).padStart(8)}   ${String(p.maxFreqHz).padStart(6)}   ${p.clamp === 'none' ? 'board maximum' : p.clamp}`,
    );
  return 0;
}
