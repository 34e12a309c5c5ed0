// `pen campaign`: sweep faults over the phases of a stroke, depths, rates and skin, pairs of faults,
// glitches and power cuts, on all cores; report per case whether the needles got back and how fast.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { parseOptions, usageText, OptionSpec, UsageError } from '../lib/args.js';
import { checkOutputFile, checkOutputDir } from '../lib/errors.js';
import { buildFirmware, writeAtomic } from '../build/build.js';
import { boardNames, loadBoard } from '../../boards/board.js';
import { collectProvenance } from '../qa/provenance.js';
import { DEFAULT_DEFINITION, cornersDefinition, draw, expand, sample } from '../campaign/definition.js';
import { CampaignCase, Model, PenChoice, parseCaseId, scenarioYaml } from '../campaign/spec.js';
import { describeWorstPen, worstPen } from '../campaign/worst-pen.js';
import { runCampaign } from '../campaign/pool.js';
import { runOnPens } from '../campaign/pens.js';
import { DEFAULT_LIMIT_MS, failureClass, kindOf, outcomeLine, summarize, summaryText } from '../campaign/summary.js';
import { campaignJunit } from '../campaign/junit.js';
import { campaignHtml } from '../campaign/html.js';
import { powerCutAvailable } from '../campaign/power.js';
import { CampaignReport, hazardsTable, withTable } from '../campaign/hazards.js';
import { camelCaseKeys, snakeCaseKeys } from '../lib/json-keys.js';
import { cartridgeOption } from '../lib/board-option.js';

const SPEC: OptionSpec = {
  board: { type: 'string', value: 'NAME', help: 'the board to run (default ref-pen)' },
  cartridge: {
    type: 'string',
    value: 'TYPE',
    help: "the cartridge type every case runs with (default: the board's own); depths past its needles' length are left out, and its cases' ids name it (/cTYPE)",
  },
  model: {
    type: 'string',
    value: 'MODEL',
    help: 'simulator model: physical (the default where the board has a physics block) or ideal',
  },
  pen: {
    type: 'string',
    value: 'PEN',
    help: "the pen: worst (the default: the corner of the board's ranges worst for a retract), typical, or N (the N-th drawn pen)",
  },
  tolerance: {
    type: 'number',
    value: 'N',
    help: "run each case on N pens drawn from the board's ranges (pen 0 the typical one); the worst pen decides (default 1)",
  },
  seed: {
    type: 'number',
    value: 'N',
    help: "the campaign's seed: each case's seed comes from it and the case (default 1)",
  },
  jobs: { type: 'number', value: 'N', help: `worker threads (default: one per core, ${availableParallelism()} here)` },
  sample: { type: 'number', value: 'N', help: 'run a fixed spread of N cases of the definition, not all of them' },
  random: {
    type: 'number',
    value: 'N',
    help: 'run N cases drawn off the grid from --seed instead: any phase, depth, rate, delay and glitch length',
  },
  corners: {
    type: 'boolean',
    help: "run the corners definition instead of the default one: every fault alone at 50 phases at the board's shallowest and deepest settings (and 0.1 mm deeper, 1.0 and 2.0 mm) at its slowest and fastest rate asked, an obstacle then every other fault 1-6 ms on, and glitches (docs/campaigns.md)",
  },
  kind: { type: 'string', value: 'KIND', help: 'run only one kind: single, pair, glitch or power_cut' },
  grep: { type: 'string', value: 'TEXT', help: 'run only cases whose id contains TEXT' },
  'limit-ms': {
    type: 'number',
    value: 'MS',
    help: `a case fails when the needles are back later than this after the fault's onset (default ${DEFAULT_LIMIT_MS})`,
  },
  worst: { type: 'number', value: 'N', help: 'how many worst cases to list (default 10)' },
  junit: { type: 'string', value: 'FILE', help: 'write a JUnit XML report (one test case per campaign case)' },
  html: {
    type: 'string',
    value: 'FILE',
    help: 'write an HTML report with heat maps of retract time over phase and depth',
  },
  json: {
    type: 'string',
    value: 'FILE',
    help: 'write every case and its outcome as JSON (snake_case keys; --from reads it back)',
  },
  out: { type: 'string', value: 'DIR', help: 'write the worst cases as scenario files (for pen qa) into DIR' },
  'hazards-table': {
    type: 'string',
    value: 'FILE',
    help: "write the per-fault retract table into FILE (docs/hazards.md) between its markers: from this run, or from --from's reports without running",
  },
  from: {
    type: 'string',
    value: 'FILES',
    help: 'campaign JSON reports (--json), comma-separated, one column of the --hazards-table each',
  },
  replay: { type: 'string', value: 'ID', help: 'run one case again from its id and print its figures' },
  list: { type: 'boolean', help: 'print the ids of the cases and their count; run nothing' },
};
const USAGE = usageText(
  'campaign',
  "Sweep injected faults over the pen in the simulator (docs/campaigns.md). Each case passes when the\nneedles are back in the retracted position, and stay there, within --limit-ms of the fault's onset.\nExits 0 only if every case passes.",
  SPEC,
);

export async function campaignCommand(argv: string[]): Promise<number> {
  const o = parseOptions(argv, SPEC, USAGE);
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  if (o._.length) throw new UsageError(`unexpected argument "${o._[0]}": pen campaign takes options only`);
  const whole = (name: string, min: number, max: number): number | undefined => {
    const v = o[name] as number | undefined;
    if (v !== undefined && !(Number.isInteger(v) && v >= min && v <= max))
      throw new UsageError(`--${name} ${v}: give a whole number ${min}..${max}`);
    return v;
  };
  const jobs = whole('jobs', 1, 64);
  const seed = whole('seed', 0, 2 ** 31) ?? 1;
  const tolerance = whole('tolerance', 1, 1000) ?? 1;
  const sampleN = whole('sample', 1, 1_000_000);
  const randomN = whole('random', 1, 10_000_000);
  if (randomN !== undefined && sampleN !== undefined)
    throw new UsageError('--random N draws its own cases: give it or --sample, not both');
  if (randomN !== undefined && o.corners)
    throw new UsageError('--random N draws its own cases off the default grid: give it or --corners, not both');
  const worstN = whole('worst', 0, 10_000) ?? 10;
  const limitMs = (o['limit-ms'] as number | undefined) ?? DEFAULT_LIMIT_MS;
  if (!(limitMs > 0)) throw new UsageError(`--limit-ms ${limitMs}: give a time above 0 ms`);
  const board = (o.board as string | undefined) ?? 'ref-pen';
  if (!boardNames().includes(board))
    throw new UsageError(`--board ${board}: unknown board; boards are ${boardNames().join(', ')}`);
  const cartridge = o.cartridge as string | undefined;
  if (cartridge !== undefined) cartridgeOption(loadBoard(board), cartridge); // an unknown type: a usage error naming the types
  const model = ((o.model as string | undefined) ?? (loadBoard(board).physics ? 'physical' : 'ideal')) as Model;
  if (model !== 'ideal' && model !== 'physical') throw new UsageError(`--model ${model}: use ideal or physical`);
  const pen = penOption(o.pen as string | undefined, tolerance);
  if (model === 'physical' && !loadBoard(board).physics)
    throw new UsageError(`--model physical: board ${board} has no physics block`);
  const kind = o.kind as string | undefined;
  if (kind !== undefined && !['single', 'pair', 'glitch', 'power_cut'].includes(kind))
    throw new UsageError(`--kind ${kind}: use single, pair, glitch or power_cut`);
  for (const k of ['junit', 'html', 'json', 'hazards-table'] as const)
    if (o[k]) checkOutputFile(o[k] as string, `--${k}`);
  if (o.out) checkOutputDir(o.out as string, '--out');

  if (o.from !== undefined) {
    if (!o['hazards-table']) throw new UsageError('--from FILES goes with --hazards-table FILE');
    const reports = (o.from as string).split(',').map((f) => readReport(f));
    writeTable(o['hazards-table'] as string, reports);
    return 0;
  }
  if (o.replay !== undefined) return replay(o.replay as string, limitMs, o.out as string | undefined);

  const sweep = { board, model, pen, seed, powerCut: powerCutAvailable(), cartridge };
  let cases =
    randomN !== undefined
      ? draw(DEFAULT_DEFINITION, sweep, loadBoard(board), randomN)
      : expand(o.corners ? cornersDefinition(loadBoard(board)) : DEFAULT_DEFINITION, sweep, loadBoard(board));
  if (kind) cases = cases.filter((c) => kindOf(c) === kind);
  if (o.grep) cases = cases.filter((c) => c.id.includes(o.grep as string));
  if (sampleN !== undefined) cases = sample(cases, sampleN);
  if (!cases.length) throw new UsageError('no case is left to run: check --kind and --grep');
  if (o.list) {
    for (const c of cases) console.log(c.id);
    console.log(`${cases.length} cases`);
    return 0;
  }
  if (!powerCutAvailable()) console.log('power cuts left out: this simulator cannot cut the power');
  if (pen === 'worst') console.log(`${board}, ${model} model, ${describeWorstPen(worstPen(loadBoard(board), model))}`);

  const wasm = (await buildFirmware(board)).wasmPath;
  const tty = process.stderr.isTTY;
  const t0 = Date.now();
  let failedSoFar = 0;
  let lastPrint = 0;
  const outs = await runCampaign(cases, {
    jobs,
    wasm,
    tolerance,
    onOutcome: (r, done, total) => {
      if (failureClass(r, limitMs)) failedSoFar++;
      const now = Date.now();
      if (done !== total && now - lastPrint < (tty ? 200 : 10_000)) return;
      lastPrint = now;
      const rate = done / Math.max(0.001, (now - t0) / 1000);
      const line = `[${done}/${total}] ${failedSoFar} failed, ${rate.toFixed(1)} cases/s, about ${Math.ceil((total - done) / rate)} s left`;
      if (tty) process.stderr.write(`\r\x1b[K${line}`);
      else console.log(line);
    },
  });
  if (tty) process.stderr.write('\r\x1b[K');
  const wallS = (Date.now() - t0) / 1000;
  const s = summarize(cases, outs, limitMs, worstN, wallS);
  console.log(summaryText(s));
  console.log(
    `\n${cases.length} cases in ${wallS.toFixed(1)} s (${(cases.length / wallS).toFixed(1)} cases/s, ${jobs ?? availableParallelism()} jobs, ${tolerance > 1 ? `${tolerance} pens each` : `pen ${pen === 0 ? 'typical' : pen}`}, ${model} model, ${cartridge === undefined ? '' : `cartridge ${cartridge}, `}seed ${seed})`,
  );
  const prov = collectProvenance({ [board]: wasm }, seed);
  if (o.junit) {
    write(o.junit as string, campaignJunit(cases, outs, prov, limitMs));
    console.log(`JUnit: ${o.junit}`);
  }
  if (o.html) {
    write(o.html as string, campaignHtml(cases, outs, s, prov));
    console.log(`HTML:  ${o.html}`);
  }
  if (o.json) {
    const report = { provenance: prov, summary: s, cases, outcomes: outs };
    write(o.json as string, JSON.stringify(snakeCaseKeys(report), null, 1));
    console.log(`JSON:  ${o.json}`);
  }
  if (o['hazards-table'])
    writeTable(o['hazards-table'] as string, [{ provenance: prov, summary: s, cases, outcomes: outs }]);
  if (o.out) {
    for (const w of s.worst) writeScenario(o.out as string, parseCaseId(w.id));
    console.log(`scenario files of the ${s.worst.length} worst cases: ${o.out}`);
  }
  return s.passed === s.cases ? 0 : 1;
}

/** `--pen`: worst by default (the safety claim's pen), typical (0) or the N-th drawn; `--tolerance N` draws its own pens. */
function penOption(v: string | undefined, tolerance: number): PenChoice {
  if (tolerance > 1) {
    if (v !== undefined && v !== 'typical' && v !== '0')
      throw new UsageError(
        `--pen ${v} with --tolerance ${tolerance}: the tolerance draws its pens (pen 0 the typical one); give one or the other`,
      );
    return 0;
  }
  if (v === undefined || v === 'worst') return 'worst';
  if (v === 'typical') return 0;
  if (/^\d+$/.test(v) && Number(v) <= 1000) return Number(v);
  throw new UsageError(`--pen ${v}: use worst, typical or a drawn pen's number`);
}

function replay(id: string, limitMs: number, outDir: string | undefined): Promise<number> {
  let c: CampaignCase;
  try {
    c = parseCaseId(id);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!boardNames().includes(c.board)) throw new UsageError(`case ${id}: unknown board ${c.board}`);
  if (c.cartridge !== undefined) cartridgeOption(loadBoard(c.board), c.cartridge);
  return buildFirmware(c.board).then(({ wasmPath }) => {
    if (c.pen === 'worst')
      console.log(`${c.board}, ${c.model} model, ${describeWorstPen(worstPen(loadBoard(c.board), c.model))}`);
    const r = runOnPens(c, wasmPath, 1);
    const cls = failureClass(r, limitMs);
    console.log(`${cls ? 'FAIL' : 'ok  '} ${r.id}\n     ${outcomeLine(r)}`);
    console.log(`     needle path digest ${r.traceDigest}, deepest ${r.maxTipMm} mm after onset`);
    if (cls) console.log(`     ${cls}`);
    if (outDir) console.log(`scenario file: ${writeScenario(outDir, c)}`);
    return cls ? 1 : 0;
  });
}

function readReport(file: string): CampaignReport {
  let r: CampaignReport;
  try {
    r = camelCaseKeys(JSON.parse(readFileSync(file, 'utf8'))) as CampaignReport;
  } catch (e) {
    throw new UsageError(`--from ${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(r.cases) || !Array.isArray(r.outcomes) || !r.cases.length || r.cases.length !== r.outcomes.length)
    throw new UsageError(`--from ${file}: not a pen campaign --json report with cases`);
  return r;
}

function writeTable(file: string, reports: CampaignReport[]): void {
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : '';
  write(file, withTable(doc, hazardsTable(reports)));
  console.log(`hazards table: ${file} (${reports.length} report${reports.length > 1 ? 's' : ''})`);
}

function writeScenario(dir: string, c: CampaignCase): string {
  const file = join(dir, `${c.id.replace(/[^A-Za-z0-9._-]+/g, '_')}.yaml`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, scenarioYaml(c));
  return file;
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeAtomic(path, text);
}
