// `pen qa`: run scenario files against the firmware in the simulator, in parallel, with reports.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, basename, join, relative } from 'node:path';
import { availableParallelism } from 'node:os';
import { parseOptions, usageText, OptionSpec, UsageError } from '../lib/args.js';
import { jobsOption } from '../lib/jobs-option.js';
import { checkOutputFile, EnvironmentError } from '../lib/errors.js';
import { buildFirmware, writeAtomic } from '../build/build.js';
import { buildCoverageFirmware, CoverageMap } from '../build/coverage-build.js';
import { collectProvenance } from '../qa/provenance.js';
import { writeFailureTrace } from '../qa/failure-trace.js';
import { lcov, figures, percent } from '../qa/coverage.js';
import { findScenarioFiles, loadScenario, Case, ScenarioError } from '../qa/scenario.js';
import { runCases } from '../qa/runner.js';
import { junitXml } from '../qa/junit.js';
import { htmlReport, EnvelopeLine } from '../qa/html.js';
import { loadRequirements } from '../qa/requirements.js';
import { CaseResult, caseSlugs } from '../qa/results.js';
import { readEnvelope } from '../lib/envelope.js';
import { loadBoard } from '../../boards/board.js';
import { idealModelNote, failedPenBoard } from '../qa/tolerance.js';
import { randomScenarios } from '../qa/random.js';
import { terminalLine, terminalLines } from '../qa/escape.js';
import { isSeed, SEED_MAX } from '../../host-sim/rng.js';

const SPEC: OptionSpec = {
  jobs: { type: 'number', value: 'N', help: `worker threads (default: one per core, ${availableParallelism()} here)` },
  junit: { type: 'string', value: 'FILE', help: 'write a JUnit XML report' },
  html: { type: 'string', value: 'FILE', help: 'write a self-contained HTML report' },
  seed: { type: 'number', value: 'N', help: 'seed for scenarios that do not set one (default 1)' },
  grep: { type: 'string', value: 'TEXT', help: 'run only cases whose name contains TEXT' },
  tolerance: {
    type: 'number',
    value: 'N',
    help: "run each case on N pens drawn from the board's min/typical/max ranges (pen 0 the typical one) and report the worst per expectation, for scenarios that do not set `tolerance` (default 1)",
  },
  coverage: {
    type: 'string',
    value: 'DIR',
    help: 'run an instrumented firmware and write DIR/lcov.info and DIR/coverage.json (firmware coverage per case; the HTML report gets it per requirement)',
  },
  random: {
    type: 'number',
    value: 'N',
    help: "draw N cases at settings of the board's ranges (depth, asked rate, skin; half change depth and rate while stroking) on pens drawn from its tolerances (--tolerance, default 20), write them as scenario files under out/qa-random/seed-<seed>/ and run them in place of FILES (--seed draws them)",
  },
  board: {
    type: 'string',
    value: 'NAME',
    help: 'with --random: the board (default: the reference pen and the STM32F405 board in turn)',
  },
  cartridge: {
    type: 'string',
    value: 'TYPE',
    help: "with --random: every case runs this cartridge type, its depths drawn up to its needles' length (default: the board's own cartridge); the cases go to out/qa-random/seed-<seed>-cartridge-<type>/",
  },
  'junit-file-line': {
    type: 'boolean',
    help: 'add file and line attributes to each JUnit testcase (GitLab, GitHub annotations; outside the Jenkins and Ant schemas)',
  },
};
const USAGE = usageText(
  'qa [FILES or DIRS...]',
  'Run QA scenario files (YAML, docs/scenarios.md) against the firmware in the simulator, on the physical model\nwhere the board has a physics block unless a file says `model: ideal`. Exits 0 only if every case passes.',
  SPEC,
);

export async function qaCommand(argv: string[]): Promise<number> {
  const o = parseOptions(argv, SPEC, USAGE);
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  const random = o.random as number | undefined;
  if (random !== undefined && !(Number.isInteger(random) && random >= 1 && random <= 100_000))
    throw new UsageError(`--random ${random}: give a whole number of cases 1..100000`);
  if (random !== undefined && o._.length)
    throw new UsageError('--random draws its own scenario files: give either FILES or --random, not both');
  if (o.board !== undefined && random === undefined) throw new UsageError('--board goes with --random');
  if (o.cartridge !== undefined && random === undefined)
    throw new UsageError('--cartridge goes with --random (a scenario file sets its own with the cartridge key)');
  let paths = o._.length ? o._ : ['tests/qa'];
  const jobs = jobsOption(o.jobs as number | undefined);
  const seed = (o.seed as number | undefined) ?? 1;
  if (!isSeed(seed)) throw new UsageError(`--seed ${seed}: give a whole number 0..${SEED_MAX}`);
  const tolerance = o.tolerance as number | undefined;
  if (tolerance !== undefined && !(Number.isInteger(tolerance) && tolerance >= 1 && tolerance <= 1000))
    throw new UsageError(`--tolerance ${tolerance}: give a whole number 1..1000`);
  // reports are checked before the run, not found unwritable after it
  if (o.junit) checkOutputFile(o.junit as string, '--junit');
  if (o.html) checkOutputFile(o.html as string, '--html');
  if (random !== undefined)
    paths = [
      writeRandomScenarios(
        random,
        seed,
        o.board as string | undefined,
        tolerance ?? 20,
        o.cartridge as string | undefined,
      ),
    ];

  // every file is read and checked before anything runs
  let cases: Case[] = [];
  const known = new Set(loadRequirements().map((r) => r.id));
  try {
    for (const f of findScenarioFiles(paths)) {
      const cs = loadScenario(f, seed, tolerance);
      for (const c of cs) {
        const unknown = c.requirements.find((id) => !known.has(id));
        if (unknown) throw new ScenarioError(`${c.file}: requirement ${unknown} is not in docs/requirements.md`);
      }
      cases.push(...cs);
    }
  } catch (e) {
    if (e instanceof ScenarioError) {
      console.error(`pen qa: ${terminalLines(e.message)}`);
      return 2;
    }
    throw e;
  }
  if (!cases.length) {
    console.error(`pen qa: no scenario files (*.yaml) in ${paths.join(', ')}`);
    return 2;
  }
  const names = new Set<string>();
  for (const c of cases) {
    if (names.has(c.name)) {
      console.error(`pen qa: ${c.file}: case name "${terminalLine(c.name)}" is used twice; names must be unique`);
      return 2;
    }
    names.add(c.name);
  }
  if (o.grep) cases = cases.filter((c) => c.name.includes(o.grep as string));
  if (!cases.length) {
    console.error(`pen qa: no case name contains "${o.grep}"`);
    return 2;
  }

  const wasm: Record<string, string> = {};
  for (const b of new Set(cases.map((c) => c.board))) wasm[b] = (await buildFirmware(b)).wasmPath;
  // with --coverage the cases run on instrumented copies; reports still name the release firmware
  const covMaps: CoverageMap[] = [];
  if (o.coverage) for (const b of Object.keys(wasm)) covMaps.push(await buildCoverageFirmware(b, wasm[b]));
  const runWasm = o.coverage ? Object.fromEntries(covMaps.map((m) => [m.board, m.wasmPath])) : wasm;

  // said once: on the ideal model a drawn pen differs only in the values that model reads
  for (const b of new Set(cases.filter((c) => (c.tolerance ?? 1) > 1 && c.model === 'ideal').map((c) => c.board)))
    console.log(idealModelNote(loadBoard(b)));

  const tty = process.stderr.isTTY;
  const t0 = Date.now();
  let failedSoFar = 0;
  const results = await runCases(cases, {
    jobs,
    wasm: runWasm,
    coverage: Boolean(o.coverage),
    onResult: (r, done, total) => {
      if (r.status === 'failed') failedSoFar++;
      if (tty) process.stderr.write('\r\x1b[K');
      // a name or a reply cannot drive the terminal: its controls (ESC, CR, ...) are shown as \x1b, \x0d
      const name = terminalLine(r.name);
      if (r.status === 'failed') console.log(`FAIL ${name}\n     ${terminalLines(r.message ?? 'failed')}`);
      else if (!tty) console.log(`ok   ${name} (${r.wallMs} ms)`);
      if (tty) process.stderr.write(`[${done}/${total}] ${failedSoFar} failed  ${name.slice(0, 60)}`);
    },
  });
  if (tty) process.stderr.write('\r\x1b[K');
  const wallS = (Date.now() - t0) / 1000;
  const failed = results.filter((r) => r.status === 'failed');

  const provenance = collectProvenance(wasm, seed);
  // each failed case's trace beside the report: <report>-failed/<case>.vcd and .csv
  const report = (o.html ?? o.junit) as string | undefined;
  const traces: Record<string, { vcd: string; csv: string }> = {};
  if (report && failed.length) {
    const dir = join(dirname(report), `${basename(report).replace(/\.[^.]*$/, '')}-failed`);
    const slugs = caseSlugs(results.map((r) => r.name)); // as the report's section ids
    for (const r of failed) {
      const c = cases.find((x) => x.name === r.name)!;
      const t = writeFailureTrace(c, wasm[c.board], dir, slugs.get(r.name)!, failedPenBoard(c, r));
      const rel = relative(dirname(report), dir);
      traces[r.name] = { vcd: join(rel, t.vcd), csv: join(rel, t.csv) };
    }
    console.log(`traces of failed cases: ${dir}`);
  }
  if (o.coverage) {
    const dir = o.coverage as string;
    write(
      join(dir, 'lcov.info'),
      covMaps
        .map((m) =>
          lcov(
            m,
            results.filter((r) => r.board === m.board),
          ),
        )
        .join(''),
    );
    write(
      join(dir, 'coverage.json'),
      JSON.stringify({
        provenance,
        boards: covMaps.map((m) => ({
          board: m.board,
          ...figures(
            m,
            results.filter((r) => r.board === m.board),
          ),
          counters: m.counters,
        })),
        cases: results.map((r) => ({
          name: r.name,
          file: r.file,
          board: r.board,
          requirements: r.requirements,
          hits: r.coverage ?? [],
        })),
      }),
    );
    for (const m of covMaps) {
      const f = figures(
        m,
        results.filter((r) => r.board === m.board),
      );
      console.log(
        `coverage ${m.board}: functions ${f.fnHit}/${f.fnTotal} (${percent(f.fnHit, f.fnTotal)}), branch arms ${f.brHit}/${f.brTotal} (${percent(f.brHit, f.brTotal)}): ${join(dir, 'lcov.info')}`,
      );
    }
  }
  if (o.junit) write(o.junit as string, junitXml(results, provenance, { fileLine: Boolean(o['junit-file-line']) }));
  if (o.html)
    write(
      o.html as string,
      htmlReport(results, loadRequirements(), envelopesFor(results, wasm), {
        provenance,
        traces,
        coverage: o.coverage ? covMaps : undefined,
      }),
    );
  const simS = results.reduce((a, r) => a + r.simMs, 0) / 1000;
  console.log(
    `\n${results.length} cases in ${wallS.toFixed(1)} s (${(results.length / wallS).toFixed(1)} cases/s, ${simS.toFixed(0)} simulated seconds, ${jobs ?? availableParallelism()} jobs)`,
  );
  if (o.junit) console.log(`JUnit: ${o.junit}`);
  if (o.html) console.log(`HTML:  ${o.html}`);
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  return failed.length ? 1 : 0;
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeAtomic(path, text);
}

/** The firmware's envelope at the depths of each matrix file's grid, to draw on its heat maps. */
function envelopesFor(results: CaseResult[], wasm: Record<string, string>): EnvelopeLine[] {
  const out: EnvelopeLine[] = [];
  const seen = new Set<string>();
  for (const r of results) {
    if (!r.matrixKeys.includes('depth_mm')) continue;
    const key = `${r.board}/${r.cartridge}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const depths = [
      ...new Set(
        results
          .filter((x) => x.board === r.board && x.cartridge === r.cartridge && x.params.depth_mm !== undefined)
          .map((x) => Number(x.params.depth_mm)),
      ),
    ];
    out.push({
      board: r.board,
      cartridge: r.cartridge,
      points: readEnvelope(loadBoard(r.board), wasm[r.board], r.cartridge, depths),
    });
  }
  return out;
}

/** Writes the --random cases as scenario files (the earlier draw of the same seed replaced); returns their folder. */
function writeRandomScenarios(
  n: number,
  seed: number,
  boardName: string | undefined,
  pens: number,
  cartridge: string | undefined,
): string {
  const boards = (boardName ? [boardName] : ['ref-pen', 'stm32f405-tmc2209']).map((b) => loadBoard(b));
  if (cartridge !== undefined)
    for (const b of boards)
      if (!b.cartridges.some((c) => c.type === cartridge))
        throw new UsageError(
          `--cartridge ${cartridge}: board ${b.name} has no such cartridge; its types are ${b.cartridges.map((c) => c.type).join(', ')}`,
        );
  const sc = randomScenarios(n, seed, boards, pens, cartridge);
  const dir = join(
    'out',
    'qa-random',
    cartridge === undefined ? `seed-${seed}` : `seed-${seed}-cartridge-${cartridge}`,
  );
  try {
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) if (/^r\d+\.yaml$/.test(f)) rmSync(join(dir, f));
    for (const s of sc) writeAtomic(join(dir, s.file), s.text);
  } catch (e) {
    // the folder, not the command line, is at fault: an environment error (exit 3)
    throw new EnvironmentError(
      `--random: cannot write the drawn cases to ${dir} (${(e as Error).message})`,
      'run pen qa from a writable folder',
    );
  }
  console.log(`${n} cases drawn (seed ${seed}, ${pens} pen${pens === 1 ? '' : 's'} each): ${dir}`);
  return dir;
}
