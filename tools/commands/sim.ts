// `pen sim`: power the pen on in the simulator, home, stroke at a setting, stop, and report what the
// needles did.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseOptions, usageText, OptionSpec, UsageError, noPositional } from '../lib/args.js';
import { boardOption, cartridgeOption } from '../lib/board-option.js';
import { withModel, defaultModel, BoardError, Board } from '../../boards/board.js';
import { checkPenName, penOfRanges, penWords } from '../lib/pen-option.js';
import { buildFirmware, writeAtomic } from '../build/build.js';
import { checkOutputDir, checkOutputFile } from '../lib/errors.js';
import { runSession, SessionResult, SessionError, TRIM_SETTLE_MS } from '../lib/session.js';
import { loadFlashImage, flashImage } from '../lib/flash-image.js';
import { TISSUES } from '../../host-sim/tissue.js';
import { ZONES } from '../../abi/pen-abi.js';
import { traceHeader, minStepIntervalS } from '../../host-sim/trace/header.js';
import { TraceFiles } from '../../host-sim/trace/files.js';
import { TipWindow, tipSvg } from '../../host-sim/trace/svg.js';
import { isSeed, SEED_MAX } from '../../host-sim/rng.js';

const SPEC: OptionSpec = {
  board: {
    type: 'string',
    value: 'NAME',
    help: "a board in boards/ by name (default ref-pen), or a board file's path (FILE.json, the file named as the board): the simulated pen is that file's, with the firmware built from boards/<name>.json",
  },
  cartridge: { type: 'string', value: 'TYPE', help: "cartridge type (default: the board's default)" },
  depth: { type: 'number', value: 'MM', help: 'needle depth past the guard plane, mm (default 1.5)' },
  freq: { type: 'number', value: 'HZ', help: 'stroke rate, Hz (default 100)' },
  seconds: {
    type: 'number',
    value: 'S',
    help: `simulated seconds of stroking measured (default 2), after the first strokes have settled: ${TRIM_SETTLE_MS} ms on the physical model (the depth trim), 100 ms on the ideal one`,
  },
  seed: { type: 'number', value: 'N', help: 'random seed; same seed, same run (default 1)' },
  tissue: { type: 'string', value: 'KIND', help: `${Object.keys(TISSUES).join('|')} (default normal)` },
  zone: {
    type: 'string',
    value: 'ZONE',
    help: `treatment zone: ${ZONES.filter((z) => z.code > 0)
      .map((z) => z.name)
      .join(', ')} (default cheeks)`,
  },
  mode: {
    type: 'string',
    value: 'MODE',
    help: "home (up to 1.5 mm) or professional (unlocked with the simulator's clinic key)",
  },
  out: { type: 'string', value: 'DIR', help: 'write trace.csv, trace.vcd and tip.svg there' },
  json: {
    type: 'boolean',
    help: 'print the summary as one JSON object (snake_case keys; tip_overshoot_um, load_angle_deg_max, winding_temp_c_max and driver_temp_c_max are null with --model ideal)',
  },
  model: {
    type: 'string',
    value: 'MODEL',
    help: 'motor model: physical (the default where the board has a physics block: load angle, currents, momentum) or ideal (kinematic: the carriage follows the steps)',
  },
  pen: {
    type: 'string',
    value: 'PEN',
    help: "which pen of the board's ranges (physical model): typical (the default), worst (each range at the end hardest to stroke fast and exactly: the pen the envelope is promised on, as pen envelope --limit and --edge take it) or N (the N-th pen pen qa --tolerance draws with the same --seed)",
  },
  flash: {
    type: 'string',
    value: 'FILE',
    help: "the pen's log flash: start from this image if it exists, save it afterwards (pen log reads it)",
  },
};
const USAGE = usageText(
  'sim',
  'Power the pen on in the simulator, home, stroke at a setting, stop, and measure.',
  SPEC,
);

export async function simCommand(argv: string[]): Promise<number> {
  const o = parseOptions(argv, SPEC, USAGE);
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  noPositional(o, USAGE);
  const seedOpt = (o.seed as number | undefined) ?? 1;
  // before --pen N draws a pen from it
  if (!isSeed(seedOpt)) throw new UsageError(`--seed ${seedOpt}: give a whole number 0..${SEED_MAX}`);
  const { board, pen } = penOption(
    modelOption(boardOption(o.board as string | undefined), o.model as string | undefined),
    o.pen as string | undefined,
    o.model as string | undefined,
    seedOpt,
  );
  const cart = cartridgeOption(board, o.cartridge as string | undefined);
  const depthMm = (o.depth as number | undefined) ?? 1.5;
  const freqHz = (o.freq as number | undefined) ?? 100;
  const seconds = (o.seconds as number | undefined) ?? 2;
  const seed = seedOpt;
  const tissue = (o.tissue as string | undefined) ?? 'normal';
  const g = board.geometry;
  const maxDepth = Math.min(g.depth_max_um, cart.max_depth_um) / 1000;
  if (!(depthMm >= g.depth_min_um / 1000 && depthMm <= maxDepth)) {
    throw new UsageError(
      `--depth ${depthMm} mm is out of range: ${fmt(g.depth_min_um / 1000)}..${fmt(maxDepth)} mm for board ${board.name} with cartridge ${cart.type}`,
    );
  }
  if (Math.round(depthMm * 100) !== Math.round(depthMm * 1000) / 10)
    throw new UsageError(`--depth ${depthMm}: set depth in steps of 0.01 mm`);
  const s = board.stroke;
  if (!(Number.isInteger(freqHz) && freqHz >= s.freq_min_hz && freqHz <= s.freq_max_hz)) {
    throw new UsageError(`--freq ${freqHz} Hz is out of range: a whole number ${s.freq_min_hz}..${s.freq_max_hz} Hz`);
  }
  if (!(seconds > 0 && seconds <= 3600)) throw new UsageError(`--seconds ${seconds}: give 0 < S <= 3600`);
  if (!(tissue in TISSUES)) throw new UsageError(`--tissue ${tissue}: one of ${Object.keys(TISSUES).join(', ')}`);
  const mode = (o.mode as string | undefined) ?? 'home';
  if (mode !== 'home' && mode !== 'professional') throw new UsageError(`--mode ${mode}: home or professional`);
  const zone = (o.zone as string | undefined) ?? 'cheeks';
  // outputs are checked before the run, not found unwritable after it
  if (o.out === '') throw new UsageError('--out needs a directory (an empty one writes nothing)');
  if (o.out) checkOutputDir(o.out as string, '--out');
  if (o.flash) checkOutputFile(o.flash as string, '--flash');

  const built = await buildFirmware(board.name);
  if (!o.json) console.error(`firmware ${built.wasmPath} (${built.bytes} bytes)`);
  let r: SessionResult;
  const outDir = o.out as string | undefined;
  let files: TraceFiles | undefined;
  let tipWindow: TipWindow | undefined;
  const wasm = built.wasmPath; // the build's output, or its cache when build/ is read-only
  const traceSinks = outDir
    ? (timerHz: number) => {
        const header = traceHeader(board, wasm, {
          cartridge: cart.type,
          depthMm,
          freqHz,
          seconds,
          seed,
          tissue,
          zone,
          mode,
          pen,
        });
        files = new TraceFiles(outDir, timerHz, {
          comments: header,
          minStepIntervalS: minStepIntervalS(board),
          staged: true,
        });
        // the plot shows the last 100 ms of stroking; the pen still finishes its stroke after that
        tipWindow = new TipWindow(timerHz * TIP_WINDOW_S);
        return [files, tipWindow];
      }
    : undefined;
  try {
    const flashFile = o.flash as string | undefined;
    const flash =
      flashFile && existsSync(flashFile)
        ? loadFlashImage(flashFile, board.storage?.sectors ?? 4, board.storage?.sector_bytes ?? 4096)
        : undefined;
    r = runSession({
      flash,
      board,
      cartridge: cart.type,
      depthMm,
      freqHz,
      seconds,
      seed,
      tissue,
      zone,
      mode,
      pen,
      trace: false,
      traceSinks,
      wasm,
      progress:
        o.json || !process.stderr.isTTY
          ? undefined
          : (done) => process.stderr.write(`\rsimulating ${(done * 100).toFixed(0)}%`),
    });
    files?.close(r.stoppedTicks);
  } catch (e) {
    if (e instanceof SessionError) {
      // the run never started: no half-written trace left beside the files of an earlier run
      files?.discard();
      const hint = /cap of (home mode|zone)/.test(e.message)
        ? ' (deeper settings need --mode professional and a zone that allows them, e.g. --zone acne_scars)'
        : '';
      throw new UsageError(`${e.message}${hint}`);
    }
    files?.discard();
    throw e;
  }
  if (!o.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  if (outDir) writeOutputs(outDir, r, files!, tipWindow!);
  if (o.flash) {
    writeAtomic(o.flash as string, flashImage(r.flash));
    r.files.push(o.flash as string);
  }
  if (o.json) console.log(JSON.stringify(r.summary));
  else printSummary(r);
  return r.summary.state === 'fault' ? 1 : 0;
}

/**
 * `--model`: by default the physical model where the board has its numbers (a physics block that
 * does not ask for the ideal one), so that the tip, the overshoot, the load angle and the
 * temperatures are the mechanism's; the kinematic model on request or on a board without them.
 */
function modelOption(board: ReturnType<typeof boardOption>, model: string | undefined): ReturnType<typeof boardOption> {
  if (model === undefined) return defaultModel(board) === 'physical' ? withModel(board, 'physical') : board;
  if (model !== 'ideal' && model !== 'physical') throw new UsageError(`--model ${model}: ideal or physical`);
  try {
    return withModel(board, model);
  } catch (e) {
    if (e instanceof BoardError) throw new UsageError(e.message);
    throw e;
  }
}

/** `--pen` (tools/lib/pen-option.ts); a pen of the board's ranges runs on the physical model. */
function penOption(
  board: Board,
  v: string | undefined,
  model: string | undefined,
  seed: number,
): { board: Board; pen: string } {
  if (v === undefined || v === 'typical' || v === '0') return { board, pen: 'typical' };
  checkPenName(v);
  if (model === 'ideal')
    throw new UsageError(`--pen ${v} with --model ideal: a pen of the board's ranges runs on the physical model`);
  return penOfRanges(board, v, seed, 'typical');
}

function fmt(mm: number): string {
  return mm.toFixed(2);
}

function printSummary(r: SessionResult): void {
  const s = r.summary;
  const lines = [
    `board ${s.board}, ${s.model} model${s.pen === 'typical' ? '' : `, ${penWords(s.pen)}`}, cartridge ${s.cartridge} (${s.needles} needles), tissue ${s.tissue}, seed ${s.seed}, zone ${s.zone}, ${s.mode} mode`,
    `asked      depth ${fmt(s.asked.depth_mm)} mm at ${s.asked.freq_hz} Hz`,
    `ran        depth ${fmt(s.set.depth_mm)} mm (quantized to ${r.stepUm.toFixed(3)} um steps) at ${s.set.freq_hz} Hz`,
  ];
  if (s.clamped) lines.push(`clamped    ${s.asked.freq_hz} Hz -> ${s.set.freq_hz} Hz: ${s.clamp_reason}`);
  if (s.depth_mm)
    lines.push(
      `depth      mean ${s.depth_mm.mean.toFixed(4)} mm, min ${s.depth_mm.min.toFixed(4)}, max ${s.depth_mm.max.toFixed(4)} over ${s.strokes} strokes after ${s.settle_ms} ms of stroking`,
    );
  else lines.push('depth      no stroke reached past the guard plane');
  lines.push(
    `rate       ${s.freq_hz === null ? '-' : s.freq_hz.toFixed(3)} Hz, puncture rate ${s.puncture_rate === null ? '-' : s.puncture_rate.toFixed(1)} /s`,
  );
  lines.push(
    `steps      ${s.missed_steps} missed, worst step timing error ${s.step_error_us_max.toFixed(2)} us, peak motor load ${(s.peak_load * 100).toFixed(0)} % of pull-out`,
  );
  if (s.tip_overshoot_um !== null)
    lines.push(
      `physics    tip ${s.tip_overshoot_um.toFixed(1)} um past the set depth at worst, load angle up to ${s.load_angle_deg_max!.toFixed(0)} deg (90 = pull-out), winding ${s.winding_temp_c_max!.toFixed(1)} C, driver ${s.driver_temp_c_max!.toFixed(1)} C`,
    );
  lines.push(`final      state ${s.state}${s.fault !== 'none' ? `, fault ${s.fault}` : ''}`);
  if (r.files.length) lines.push(`wrote      ${r.files.join(', ')}`);
  console.log(lines.join('\n'));
}

/** seconds of the tip's path kept for tip.svg: its last 100 ms of stroking and the stop after it */
const TIP_WINDOW_S = 2;

function writeOutputs(dir: string, r: SessionResult, files: TraceFiles, tips: TipWindow): void {
  mkdirSync(dir, { recursive: true });
  r.files.push(...files.paths);
  // the last 100 ms the needles moved: a pen that faulted and stood still after its retract shows the
  // fault and the retract, not 100 ms of rest
  const series = tips.series();
  const lastMoveTicks = series.length ? series[series.length - 1][0] : r.endTicks;
  const toTicks = Math.min(r.endTicks, lastMoveTicks);
  const svg = tipSvg(series, r.timerHz, {
    depthUm: r.summary.set.depth_mm * 1000,
    title: `tip position: ${fmt(r.summary.set.depth_mm)} mm at ${r.summary.set.freq_hz} Hz (the last 100 ms it moved${r.summary.state === 'fault' ? `, to the ${r.summary.fault} fault's retract` : ''})`,
    fromTicks: toTicks - r.timerHz / 10,
    toTicks,
  });
  writeFileSync(join(dir, 'tip.svg'), svg);
  r.files.push(join(dir, 'tip.svg'));
}
