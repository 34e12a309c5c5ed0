// `pen envelope`: the highest stroke rate per depth, as the firmware computes it for a board and cartridge.
import { parseOptions, usageText, OptionSpec, noPositional } from '../lib/args.js';
import { boardOption, cartridgeOption } from '../lib/board-option.js';
import { buildFirmware } from '../build/build.js';
import { readEnvelope, standardDepths } from '../lib/envelope.js';
import { snakeCaseKeys } from '../lib/json-keys.js';
import { withModel } from '../../boards/board.js';
import { envelopeLimit, limitTable, DEPTH_TOL_UM } from '../lib/envelope-limit.js';

const SPEC: OptionSpec = {
  board: { type: 'string', value: 'NAME', help: 'board file in boards/ (default ref-pen)' },
  cartridge: { type: 'string', value: 'TYPE', help: "cartridge type (default: the board's default)" },
  json: { type: 'boolean', help: 'print JSON' },
  limit: {
    type: 'boolean',
    help: `also the limit: the highest rate per depth the worst pen of the board's ranges (and the typical pen) holds on the physical model with depth within ${DEPTH_TOL_UM / 1000} mm at the tip and no lost step, by brute force independent of the firmware; and the firmware's utilization of it`,
  },
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
  const depths = standardDepths(board, cart.type);
  const pts = readEnvelope(board, built.wasmPath, cart.type, depths);
  if (o.limit) {
    if (!board.physics) throw new Error(`board ${board.name} has no physics block: the limit needs the physical model`);
    const worst = envelopeLimit(board, cart.type, depths);
    const typical = envelopeLimit(board, cart.type, depths, withModel(board, 'physical'));
    if (o.json) {
      console.log(
        JSON.stringify(
          snakeCaseKeys({
            board: board.name,
            cartridge: cart.type,
            points: pts,
            limitWorst: worst,
            limitTypical: typical,
          }),
        ),
      );
      return 0;
    }
    console.log(
      `envelope of ${board.name} with cartridge ${cart.type} against the limit (physical model, brute force)`,
    );
    console.log(limitTable(pts, worst, typical));
    return 0;
  }
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
