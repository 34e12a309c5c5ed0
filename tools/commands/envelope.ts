// `pen envelope`: the highest stroke rate per depth, as the firmware computes it for a board and cartridge.
import { parseOptions, usageText, OptionSpec, noPositional, UsageError, shellQuote } from '../lib/args.js';
import { boardOption, cartridgeOption } from '../lib/board-option.js';
import { buildFirmware } from '../build/build.js';
import { readEnvelope, standardDepths } from '../lib/envelope.js';
import { snakeCaseKeys } from '../lib/json-keys.js';
import { Board, boardNames, loadBoard, withModel } from '../../boards/board.js';
import { limitTable, DEPTH_TOL_UM } from '../lib/envelope-limit.js';
import { penOfRanges, penWords } from '../lib/pen-option.js';
import { limitPoints } from '../lib/limit-pool.js';
import { progressLine } from '../lib/progress.js';
import {
  edgeDepths,
  edgePoint,
  envelopeEdge,
  EdgePoint,
  EDGE_MEASURE_MS,
  EDGE_SETTLE_MS,
} from '../lib/envelope-edge.js';
import { checkOutputDir } from '../lib/errors.js';
import { TraceFiles } from '../../host-sim/trace/files.js';
import { traceHeader, minStepIntervalS } from '../../host-sim/trace/header.js';
import { join } from 'node:path';
import { isSeed, SEED_MAX } from '../../host-sim/rng.js';
import { availableParallelism } from 'node:os';
import { jobsOption } from '../lib/jobs-option.js';

const SPEC: OptionSpec = {
  board: {
    type: 'string',
    value: 'NAME',
    help: "a board in boards/ by name (default ref-pen), or a board file's path (FILE.json, the file named as the board): the simulated pen is that file's, with the firmware built from boards/<name>.json",
  },
  cartridge: { type: 'string', value: 'TYPE', help: "cartridge type (default: the board's default)" },
  json: { type: 'boolean', help: 'print JSON' },
  limit: {
    type: 'boolean',
    help: `also the limit: the highest rate per depth up to which the worst pen of the board's ranges (and the typical pen) holds every rate on the physical model with depth within ${DEPTH_TOL_UM / 1000} mm at the tip and no lost step, by brute force independent of the firmware; the firmware's utilization of it; and, at each limit, the move that holds it with the least load angle (its peak: how near the motor's torque peak the limit runs)`,
  },
  jobs: {
    type: 'number',
    value: 'N',
    help: `with --limit: worker threads for the search (default: one per core, ${availableParallelism()} here); the limit is the same with any number`,
  },
  edge: {
    type: 'boolean',
    help: `run the firmware at its envelope's edge on the worst pen of the board's ranges (physical model; --pen another), every --step mm, at the edge's rate asked and above it (clamped): a point is held when no stroke from the start goes more than ${DEPTH_TOL_UM / 1000} mm past the depth, and, after ${EDGE_SETTLE_MS} ms, every stroke for ${EDGE_MEASURE_MS / 1000} s ends within ${DEPTH_TOL_UM / 1000} mm at the tip with no lost step, no stall and the rate within 0.5 %; exits 1 when one is not`,
  },
  pen: {
    type: 'string',
    value: 'PEN',
    help: 'with --edge: the pen run: worst (the default: the pen the envelope is promised on), typical, or N (the N-th pen that pen qa --tolerance draws with --seed, as pen sim --pen N)',
  },
  step: { type: 'string', value: 'MM', help: 'with --edge: depth step (default 0.05; 0.01 is the finest)' },
  seed: {
    type: 'string',
    value: 'N',
    help: 'with --edge: seed of each run (default 1); with --pen N it draws the pen too',
  },
  all: { type: 'boolean', help: 'with --edge: list every run, not only those not held' },
  inside: {
    type: 'boolean',
    help: "with --edge: also run every whole rate from the board's lowest up to the edge at each depth (a pen that holds its edge may fail below it)",
  },
  out: {
    type: 'string',
    value: 'DIR',
    help: 'with --edge: write the trace (trace.csv, trace.vcd) of each run not held into DIR/<depth>mm-<asked>Hz, the very run, bit for bit',
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
  if (o.jobs !== undefined && !o.limit) throw new UsageError('--jobs goes with --limit');
  const jobs = jobsOption(o.jobs as number | undefined);
  const board = boardOption(o.board as string | undefined);
  const cart = cartridgeOption(board, o.cartridge as string | undefined);
  const built = await buildFirmware(board.name);
  if (o.edge) return edgeReport(board, built.wasmPath, cart.type, o);
  if (o.step !== undefined || o.seed !== undefined || o.all || o.inside || o.out !== undefined || o.pen !== undefined)
    throw new UsageError('--step, --seed, --pen, --all, --inside and --out go with --edge');
  const depths = standardDepths(board, cart.type);
  const pts = readEnvelope(board, built.wasmPath, cart.type, depths);
  if (o.limit) {
    if (!board.physics) throw new UsageError(noPhysics(board, '--limit'));
    const progress = progressLine();
    const { worst, typical } = await limitPoints(board, cart.type, depths, {
      jobs,
      progress: (done, total) =>
        progress(`[${done}/${total}] depths searched (the worst pen's, then the typical pen's)`, done < total),
    });
    progress.end();
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

/** What to do when an option needs the physical model and the board has none. */
function noPhysics(board: Board, option: string): string {
  const withPhysics = boardNames().filter((n) => loadBoard(n).physics);
  return `board ${board.name} has no physics block: ${option} runs the physical model; give the board one (boards/board.schema.json, docs/simulator.md) or use a board that has one: ${withPhysics.join(', ')}`;
}

function edgeReport(board: Board, wasm: string, cartridge: string, o: Record<string, unknown>): number {
  if (!board.physics) throw new UsageError(noPhysics(board, '--edge'));
  const stepMm = o.step === undefined ? 0.05 : Number(o.step);
  const seed = o.seed === undefined ? 1 : Number(o.seed);
  if (!isSeed(seed)) throw new UsageError(`--seed ${String(o.seed)}: give a whole number 0..${SEED_MAX}`);
  if (!(stepMm >= 0.01 && Number.isInteger(Math.round(stepMm * 1e6) / 1e4)))
    throw new UsageError(`--step ${String(o.step)}: give a depth step in mm, 0.01 or more, in whole 0.01 mm`);
  const depths = edgeDepths(board, cartridge, stepMm);
  const { board: pen, pen: penName } = penOfRanges(
    withModel(board, 'physical'),
    o.pen as string | undefined,
    seed,
    'worst',
  );
  const outDir = o.out as string | undefined;
  if (outDir !== undefined) checkOutputDir(outDir, '--out'); // before the runs, not after them
  const progress = progressLine();
  const inside = o.inside === true;
  const pts = envelopeEdge(
    board,
    wasm,
    cartridge,
    depths,
    seed,
    (done, total, runs) => progress(`[${done}/${total}] depths, ${runs} runs`, done < total),
    inside,
    pen,
  );
  progress.end();
  const bad = pts.filter((p) => !p.held);
  const traces =
    outDir === undefined ? [] : traceRuns(board, pen, penName, wasm, cartridge, seed, bad, outDir, progress);
  if (o.json) {
    // with --out, each point not held names the directory of its trace
    const points = pts.map((p) => {
      const t = traces.find((x) => x.point === p);
      return t ? { ...p, traceDir: t.dir } : p;
    });
    console.log(
      JSON.stringify(snakeCaseKeys({ board: board.name, cartridge, pen: penName, seed, stepMm, inside, points })),
    );
    return bad.length ? 1 : 0;
  }
  const angle = (p: EdgePoint): string =>
    Number.isNaN(p.loadAngleDegMax) ? '' : `; load angle up to ${p.loadAngleDegMax.toFixed(0)} deg`;
  const row = (p: EdgePoint): string =>
    `${p.depthMm.toFixed(2).padStart(8)}   ${String(p.freqHz).padStart(5)}   ${String(p.askedHz).padStart(5)}   ${p.held ? 'held' : `NOT HELD: ${p.why}`}${Number.isNaN(p.worstErrUm) || p.why.startsWith('a stroke') ? '' : `; worst stroke ${p.worstErrUm.toFixed(1)} um`}${angle(p)}`;
  console.log(
    `${board.name} with cartridge ${cartridge}, ${penWords(penName)}, at the envelope's edge${inside ? ' and every rate below it' : ''} every ${stepMm} mm (seed ${seed}): ${pts.length - bad.length} of ${pts.length} runs held`,
  );
  // how near the stall the held runs came: the rotor's lag behind its field (90 degrees: pull-out)
  const held = pts.filter((p) => p.held && !Number.isNaN(p.loadAngleDegMax));
  const nearest = held.reduce<EdgePoint | undefined>(
    (a, p) => (a && a.loadAngleDegMax >= p.loadAngleDegMax ? a : p),
    undefined,
  );
  if (nearest)
    console.log(
      `nearest the stall of the runs held: ${nearest.depthMm.toFixed(2)} mm at ${nearest.freqHz} Hz (asked ${nearest.askedHz}), load angle up to ${nearest.loadAngleDegMax.toFixed(0)} deg (90 = pull-out); ${held.filter((p) => p.loadAngleDegMax >= NEAR_STALL_DEG).length} of ${held.length} at ${NEAR_STALL_DEG} deg or more`,
    );
  console.log('depth mm   run Hz   asked   result');
  for (const p of o.all ? pts : bad) console.log(row(p));
  for (const t of traces) console.log(`trace of ${t.what}: ${t.dir}`);
  const first = bad[0];
  if (first && outDir === undefined)
    // the same pen and setting in pen sim, with its trace (pen sim sends the setting its own way, so the
    // run is alike, not the same to the bit), the board as it was given: a board file's path runs its pen
    console.log(
      `to look into one: npx pen sim --board ${shellQuote((o.board as string | undefined) ?? board.name)} --pen ${penName} --cartridge ${cartridge} --mode professional --zone stretch_marks --depth ${first.depthMm.toFixed(2)} --freq ${first.askedHz} --seed ${seed} --seconds 1.4 --out DIR (a run alike; the very runs' traces: this command with --out DIR)`,
    );
  return bad.length ? 1 : 0;
}

/** a held run whose rotor fell this far behind its field (degrees electrical) is counted as near the stall */
const NEAR_STALL_DEG = 85;

/**
 * Each run not held, again with its trace written into DIR/<depth>mm-<asked>Hz: the same pen, seed and
 * commands, so the same run bit for bit; a run that comes out otherwise is an error, not a trace.
 */
function traceRuns(
  board: Board,
  pen: Board,
  penName: string,
  wasm: string,
  cartridge: string,
  seed: number,
  bad: EdgePoint[],
  outDir: string,
  progress: ReturnType<typeof progressLine>,
): { point: EdgePoint; what: string; dir: string }[] {
  const out: { point: EdgePoint; what: string; dir: string }[] = [];
  for (const [i, p] of bad.entries()) {
    progress(`tracing [${i + 1}/${bad.length}] runs not held`, i + 1 < bad.length);
    const dir = join(outDir, `${p.depthMm.toFixed(2)}mm-${p.askedHz}Hz`);
    let files: TraceFiles | undefined;
    // asked at the board's highest rate and clamped: the run that asked only that ('above'); else the rate
    // itself, as the edge's own and the inside runs ask it (the check below holds it to the same run)
    const ask = p.askedHz === board.stroke.freq_max_hz && p.freqHz !== p.askedHz ? 'above' : p.askedHz;
    const again = edgePoint(pen, wasm, cartridge, p.depthMm, ask, seed, {
      sinks: (timerHz) => {
        const header = traceHeader(board, wasm, {
          pen: penName,
          cartridge,
          depthMm: p.depthMm,
          askedHz: p.askedHz,
          freqHz: p.freqHz,
          seed,
          zone: 'stretch_marks',
          mode: 'professional',
        });
        files = new TraceFiles(dir, timerHz, { comments: header, minStepIntervalS: minStepIntervalS(board) });
        return [files];
      },
      close: (endTicks) => files?.close(endTicks),
    });
    if (again.why !== p.why || again.strokes !== p.strokes || !Object.is(again.worstErrUm, p.worstErrUm))
      throw new Error(
        `${p.depthMm} mm asked at ${p.askedHz} Hz ran otherwise with its trace (${again.why || 'held'}, not ${p.why}): the simulator is not deterministic here`,
      );
    out.push({ point: p, what: `${p.depthMm.toFixed(2)} mm at ${p.freqHz} Hz (asked ${p.askedHz})`, dir });
  }
  progress.end();
  return out;
}
