// `npm run bench`: the figures the project promises, as medians of repeated runs.
//  - firmware .wasm size against its budget (32 KiB, bounds checks included), imports, memory pages
//  - simulator speed (simulated seconds per wall second) at the hardest point of the default board's envelope
//  - firmware cost per control tick (wall time of tick() in Node)
//  - the STM32F405 port: flash and RAM of the ELF, and instructions per control tick on the Cortex-M4
//    (QEMU -icount, deterministic) for each conformance scenario, against the board's budgets
import { buildFirmware, MAX_WASM_BYTES } from '../tools/build/build.js';
import { loadBoard, derive, withModel, Board } from '../boards/board.js';
import { PenSim } from '../host-sim/pen.js';
import { readEnvelope, standardDepths, commandOnceChecked } from '../tools/lib/envelope.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../tools/qa/scenario.js';
import { TRIM_SETTLE_MS } from '../tools/lib/session.js';
import { runCases } from '../tools/qa/runner.js';
import { buildPort, missingTools, portDir, PORT_PACKAGES } from '../tools/build/port-build.js';
import { recordScenario, replayRecording } from '../tools/lib/conform.js';
import { findScenarioFiles } from '../tools/qa/scenario.js';
import { REPO_ROOT } from '../boards/paths.js';
import { unlockProfessional } from '../tools/lib/clinic.js';
import { limitTable } from '../tools/lib/envelope-limit.js';
import { limitPoints } from '../tools/lib/limit-pool.js';
import { progressLine } from '../tools/lib/progress.js';
import { runCryptoBench, runTickBench, TICK_BENCH_ICOUNT_SHIFT } from '../tools/build/port-crypto.js';
import { PhysicalDrive, Sampler } from '../host-sim/physics/model.js';

const REPS = 5;
const SIM_SECONDS = 3;

/** A setting the bench's figures depend on: refused, the figures would be of another setting. */
function setOk(sim: PenSim, line: string): void {
  const r = commandOnceChecked(sim, line);
  if (!r.startsWith('OK')) throw new Error(`${line} -> ${r}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
/**
 * What timing an empty body costs (ns): the same pair of hrtime readings the firmware's tick timing
 * takes around each tick (host-sim/firmware.ts), as its mean and median after the JIT's warm-up. A
 * tick's timed cost includes it; the bench takes it off.
 */
function timerCostNs(): { mean: number; median: number } {
  const xs: number[] = [];
  for (let i = 0; i < 300_000; i++) {
    const t0 = process.hrtime.bigint();
    xs.push(Number(process.hrtime.bigint() - t0));
  }
  const warm = xs.slice(100_000);
  return { mean: warm.reduce((a, b) => a + b, 0) / warm.length, median: median(warm) };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function main(): Promise<void> {
  const board = loadBoard('ref-pen');
  const built = await buildFirmware(board.name);
  console.log(
    `firmware   ${built.bytes} bytes of ${MAX_WASM_BYTES} (${built.bytes <= MAX_WASM_BYTES ? 'within budget' : 'OVER BUDGET'}), ${built.memoryPages} page(s) of memory, ${built.imports.length} imports (all from hal: ${built.imports.every((i) => i.startsWith('hal.'))})`,
  );

  // hardest point: the envelope point with the highest step rate
  const d = derive(board);
  const env = readEnvelope(board, built.wasmPath, undefined, standardDepths(board));
  const g = board.geometry;
  const rate = (p: { depthMm: number; maxFreqHz: number }): number =>
    ((2 * (g.clearance_um + p.depthMm * 1000)) / d.stepUm) * p.maxFreqHz;
  const hardest = env.reduce((a, b) => (rate(b) > rate(a) ? b : a));
  console.log(
    `envelope   hardest point ${hardest.depthMm.toFixed(2)} mm at ${hardest.maxFreqHz} Hz (${Math.round(rate(hardest))} steps/s on average)`,
  );

  // the firmware's envelope beside the limit found by brute force on the physical model (pen envelope --limit)
  const depths = standardDepths(board);
  console.log('envelope   utilization of the limit (physical model, brute force, independent of the firmware):');
  // (half a minute on 2 cores, on worker threads: the progress on stderr)
  const progress = progressLine();
  const { worst: worstLimit, typical: typicalLimit } = await limitPoints(board, undefined, depths, {
    progress: (done, total) => progress(`[${done}/${total}] depths of the limit searched`, done < total),
  });
  progress.end();
  console.log(limitTable(env, worstLimit, typicalLimit).replace(/^/gm, '           '));
  console.log(`envelope   ${utilizationVerdict(env, worstLimit)}`);

  const speeds: number[] = [];
  const ticks: number[] = [];
  for (let rep = 0; rep <= REPS; rep++) {
    const sim = new PenSim({ board, wasm: built.wasmPath, seed: rep + 1 });
    sim.press('power');
    sim.runUntil(() => sim.state === 'ready', 3000);
    unlockProfessional(sim); // the envelope's own setting: professional mode, the deepest zone
    sim.command('SET ZONE stretch_marks'); // without a zone START is refused and the pen would idle
    setOk(sim, `SET DEPTH ${hardest.depthMm.toFixed(2)}`);
    sim.command(`SET FREQ ${hardest.maxFreqHz}`);
    startStroking(sim);
    const t0 = process.hrtime.bigint();
    sim.run(SIM_SECONDS * 1000);
    const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
    if (rep === 0) continue; // warm-up: the JIT compiles on the first run
    speeds.push(SIM_SECONDS / wallS);
    sim.tickCostsNs = [];
    sim.run(1000);
    ticks.push(...sim.tickCostsNs);
    const m = sim.measure();
    if (m.missed_steps) throw new Error('lost steps at the hardest point');
    if (m.strokes < 10) throw new Error(`the pen did not stroke at the hardest point (${m.strokes} strokes)`);
  }
  console.log(
    `simulator  ${median(speeds).toFixed(0)}x real time (median of ${REPS} runs of ${SIM_SECONDS} s; min ${Math.min(...speeds).toFixed(0)}x, max ${Math.max(...speeds).toFixed(0)}x)`,
  );
  const timer = timerCostNs(); // (measured once: both timed figures below take it off)
  benchPhysical(withModel(board, 'physical'), built.wasmPath, hardest, timer.mean);
  await benchQa(built.wasmPath);
  console.log(
    `tick       median ${((median(ticks) - timer.median) / 1000).toFixed(2)} us, p99 ${((pct(ticks, 99) - timer.median) / 1000).toFixed(2)} us, max ${((Math.max(...ticks) - timer.median) / 1000).toFixed(2)} us per firmware tick in Node (${ticks.length} ticks, stroking at the hardest point; the timer's own ${timer.median.toFixed(0)} ns taken off each)`,
  );
  await benchPort();
}

/** the targets the simulator is held to (the physical model at the hardest point; the envelope against the worst pen's limit) */
const SPEED_TARGET_X = 1000;
const UTILIZATION_TARGET_PCT = 90;
const UTILIZATION_GOAL_PCT = 95;

/** One line: at how many depths the firmware's envelope uses at least the target share of the worst pen's limit. */
function utilizationVerdict(env: { depthMm: number; maxFreqHz: number }[], limit: { limitHz: number }[]): string {
  const use = env.map((e, i) => (limit[i].limitHz > 0 ? (100 * e.maxFreqHz) / limit[i].limitHz : 0));
  const met = use.filter((u) => u >= UTILIZATION_TARGET_PCT).length;
  const goal = use.filter((u) => u >= UTILIZATION_GOAL_PCT).length;
  const low = use.indexOf(Math.min(...use));
  return `utilization target ${UTILIZATION_TARGET_PCT} % of the worst pen's limit at every depth: ${met === use.length ? 'met' : 'NOT MET'} (at ${met} of ${use.length} depths; the goal ${UTILIZATION_GOAL_PCT} % at ${goal}; the lowest ${use[low].toFixed(0)} % at ${env[low].depthMm.toFixed(2)} mm)`;
}

/** What a speed figure is against the target. */
function speedVerdict(x: number): string {
  return `target ${SPEED_TARGET_X.toLocaleString('en-US')}x: ${x >= SPEED_TARGET_X ? 'met' : 'NOT MET'}`;
}

/**
 * START over the serial port only checks the setting: the start button starts the needles. The speed
 * is measured on a pen that strokes (an idle pen would measure the idle loop).
 */
function startStroking(sim: PenSim): void {
  const r = sim.command('START');
  if (r !== 'OK waiting for the start button') throw new Error(`START -> ${r}`);
  sim.press('start');
  if (!sim.runUntil(() => sim.state === 'running', 200))
    throw new Error(`the start button did not start: ${sim.state}`);
  sim.run(200); // the first strokes start from rest
}

/** The same hardest point with the physical motor model: its speed, and what the tip did. */
function benchPhysical(
  board: Board,
  wasm: string,
  at: { depthMm: number; maxFreqHz: number },
  /** what the timing of one tick costs by itself (ns, its mean) */
  timer: number,
): void {
  const speeds: number[] = [];
  let line = '';
  const stroking = (seed: number): PenSim => {
    const sim = new PenSim({ board, wasm, seed });
    sim.press('power');
    sim.runUntil(() => sim.state === 'ready', 3000);
    unlockProfessional(sim); // the envelope's own setting: professional mode, the deepest zone
    sim.command('SET ZONE stretch_marks'); // without a zone START is refused and the pen would idle
    setOk(sim, `SET DEPTH ${at.depthMm.toFixed(2)}`);
    sim.command(`SET FREQ ${at.maxFreqHz}`);
    startStroking(sim);
    sim.startMeasuring();
    return sim;
  };
  const cpuMs: number[] = [];
  for (let rep = 0; rep <= REPS; rep++) {
    const sim = stroking(rep + 1);
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    sim.run(SIM_SECONDS * 1000);
    const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(c0);
    if (rep === 0) continue;
    speeds.push(SIM_SECONDS / wallS);
    // the process's CPU time (the JIT's threads included): what a shared machine's load does not inflate
    cpuMs.push((cpu.user + cpu.system) / 1000 / SIM_SECONDS);
    const m = sim.measure();
    if (m.strokes < 10) throw new Error(`the pen did not stroke at the hardest point (${m.strokes} strokes)`);
    const ph = sim.mech.physicsSummary()!;
    line = `tip ${(ph.tip_max_um - sim.setting.depthUm).toFixed(0)} um past the set depth, load angle up to ${ph.load_angle_deg_max.toFixed(0)} deg, ${m.missed_steps} lost steps`;
  }
  console.log(
    `simulator  physical model: ${median(speeds).toFixed(0)}x real time (median of ${REPS}; min ${Math.min(...speeds).toFixed(0)}x, max ${Math.max(...speeds).toFixed(0)}x; ${speedVerdict(median(speeds))}), ${median(cpuMs).toFixed(1)} ms of CPU per simulated second (${(1000 / median(cpuMs)).toFixed(0)}x); ${line}`,
  );
  // what the firmware's own ticks take of that: they alone bound the speed whatever the simulator does.
  // Each tick is timed with two hrtime readings, which cost about as much as a light tick: their own
  // cost (timed around an empty body) is taken off, from the ticks and from the wall time they ran in.
  const tickShares: number[] = [];
  const tickPerSimSNs: number[] = [];
  let ticksPerS = 0;
  for (let rep = 0; rep <= REPS; rep++) {
    const sim = stroking(rep + 1);
    sim.tickCostsNs = [];
    const t0 = process.hrtime.bigint();
    sim.run(SIM_SECONDS * 1000);
    const timed = sim.tickCostsNs;
    const wallNs = Number(process.hrtime.bigint() - t0) - timed.length * timer;
    if (rep === 0) continue;
    ticksPerS = timed.length / SIM_SECONDS;
    const ticksNs = timed.reduce((a, b) => a + b, 0) - timed.length * timer;
    tickPerSimSNs.push(ticksNs / SIM_SECONDS);
    tickShares.push(ticksNs / wallNs);
  }
  const perSimSNs = median(tickPerSimSNs);
  console.log(
    `simulator  physical model: the firmware's ${ticksPerS} ticks per simulated second take ${(perSimSNs / 1e6).toFixed(2)} ms of it (median of ${REPS}; ${(100 * median(tickShares)).toFixed(0)} % of the wall time; the timer's own ${timer.toFixed(0)} ns a tick taken off): the firmware alone would allow ${(1e9 / perSimSNs).toFixed(0)}x`,
  );
  // the same pen ready and holding, not stroking: the carriage at rest, where the model takes large steps
  const idle: number[] = [];
  for (let rep = 0; rep <= REPS; rep++) {
    const sim = new PenSim({ board, wasm, seed: rep + 1 });
    sim.press('power');
    sim.runUntil(() => sim.state === 'ready', 3000);
    sim.run(200);
    const t0 = process.hrtime.bigint();
    sim.run(SIM_SECONDS * 1000);
    const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
    if (rep > 0) idle.push(SIM_SECONDS / wallS);
  }
  console.log(
    `simulator  physical model, pen ready and not stroking: ${median(idle).toFixed(0)}x real time (median of ${REPS}; min ${Math.min(...idle).toFixed(0)}x, max ${Math.max(...idle).toFixed(0)}x)`,
  );
  benchModelAlone(stroking(1)); // last: its recording proxies the model, which the JIT then knows
}

/**
 * The physical model alone at the same point: its calls over SIM_SECONDS of stroking (the field's
 * steps, the integrations the loop asks for, the driver switched) recorded on a stroking pen, then
 * replayed on a copy of the model as it stood when the recording began, with no firmware, loop or
 * parts. What is left of the simulator's time is theirs. The replay must end where the pen's own
 * model ended, bit for bit, or the figure would be of another run. The recording goes through a
 * proxy in the pen's place (the model's own code sees only models), so it runs after every other figure.
 */
function benchModelAlone(sim: PenSim): void {
  const ph = sim.mech.phys!;
  const start = stateOf(ph);
  const calls: number[] = []; // (what, argument, time) triples: 0 a field step, 1 an integration, 2 the driver
  const recorded: Partial<PhysicalDrive> = {
    fieldStep: (d: number, t: number) => {
      calls.push(0, d, t);
      ph.fieldStep(d, t);
    },
    advanceTo: (t: number, sampler?: Sampler) => {
      calls.push(1, 0, t);
      ph.advanceTo(t, sampler);
    },
    setDriver: (on: boolean) => {
      calls.push(2, on ? 1 : 0, 0);
      ph.setDriver(on);
    },
  };
  const proxy = new Proxy(ph, {
    get: (target, key) => (key in recorded ? recorded[key as keyof PhysicalDrive] : Reflect.get(target, key, target)),
    set: (target, key, value) => Reflect.set(target, key, value, target),
  });
  (sim.mech as { phys: PhysicalDrive }).phys = proxy;
  sim.run(SIM_SECONDS * 1000);
  const replay = (sampler: Sampler | undefined): PhysicalDrive => {
    const d = new PhysicalDrive(ph.p, ph.needles, ph.punctureN, sim.clock.timerHz, 0);
    Object.assign(d, copied(start));
    d.sampler = sampler;
    for (let i = 0; i < calls.length; i += 3) {
      const what = calls[i];
      if (what === 0) d.fieldStep(calls[i + 1], calls[i + 2]);
      else if (what === 1) d.advanceTo(calls[i + 2]);
      else d.setDriver(calls[i + 1] === 1);
    }
    return d;
  };
  let integrations = 0;
  const counted = replay(() => integrations++);
  if (counted.x !== ph.x || counted.v !== ph.v || counted.timeTicks !== ph.timeTicks)
    throw new Error("the replayed model did not end where the pen's own model did");
  const msPerSimS: number[] = [];
  for (let rep = 0; rep <= REPS; rep++) {
    const t0 = process.hrtime.bigint();
    replay(undefined);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6 / SIM_SECONDS;
    if (rep > 0) msPerSimS.push(ms); // (the first warms the JIT up)
  }
  const ms = median(msPerSimS);
  const fieldSteps = calls.filter((w, i) => i % 3 === 0 && w === 0).length;
  console.log(
    `simulator  physical model alone (its recorded calls replayed, no firmware, loop or parts): ${ms.toFixed(2)} ms per simulated second (median of ${REPS}): ${Math.round(fieldSteps / SIM_SECONDS)} field steps and ${Math.round(integrations / SIM_SECONDS)} integration steps a second, ${((ms * 1e6 * SIM_SECONDS) / integrations).toFixed(0)} ns per integration step: the model alone would allow ${(1000 / ms).toFixed(0)}x`,
  );
  integrationFloor(ph, sim.clock.timerHz, integrations / SIM_SECONDS);
}

/**
 * What an integration step costs with next to nothing per call: a copy of the model with its field
 * stepped once a millisecond, 100 steps one way and 100 back, so each call integrates about 25 steps
 * of H_MAX_S. At the pen's own integration steps a second this is the least the model alone could take
 * in this code however its calls were batched: why 1000x needs fewer integration steps, not fewer calls.
 */
function integrationFloor(ph: PhysicalDrive, timerHz: number, stepsPerSimS: number): void {
  const everyTicks = timerHz / 1000;
  const nsPerStep: number[] = [];
  for (let rep = 0; rep <= REPS; rep++) {
    const d = new PhysicalDrive(ph.p, ph.needles, ph.punctureN, timerHz, ph.p.guardM);
    d.setDriver(true);
    let integrated = 0;
    d.sampler = () => integrated++;
    let t = timerHz / 1000;
    d.advanceTo(t);
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < SIM_SECONDS * 1000; k++) {
      t += everyTicks;
      d.fieldStep(Math.floor(k / 100) % 2 ? -1 : 1, t);
    }
    const ns = Number(process.hrtime.bigint() - t0);
    if (d.lostSteps > 0) throw new Error('the rotor slipped with its field stepped once a millisecond');
    if (rep > 0) nsPerStep.push(ns / integrated); // (the sampler's count included: it is called at every step in the pen too)
  }
  const ns = median(nsPerStep);
  const floorMs = (ns * stepsPerSimS) / 1e6;
  console.log(
    `simulator  physical model, one integration step with ~25 to a call (the field stepped once a millisecond): ${ns.toFixed(1)} ns (median of ${REPS}); at the pen's ${Math.round(stepsPerSimS)} a second the model alone cannot take less than ${floorMs.toFixed(2)} ms per simulated second in this code, ${(1000 / floorMs).toFixed(0)}x at most`,
  );
}

/** The model's whole state as its own fields (a snapshot: its caches' arrays copied). */
function stateOf(d: PhysicalDrive): Record<string, unknown> {
  return copied(Object.fromEntries(Object.entries(d)));
}
function copied(state: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v instanceof Float64Array ? v.slice() : v]));
}

/** The microcontroller port: sizes from the ELF, tick instructions from replays under QEMU -icount (exact, so no medians needed). */
async function benchPort(): Promise<void> {
  const board = loadBoard('stm32f405-tmc2209');
  const mcu = board.mcu!;
  const missing = missingTools(['wasm2c', 'arm-none-eabi-gcc', 'arm-none-eabi-size', 'qemu-system-arm']);
  if (missing.length) {
    console.log(
      `mcu        skipped: ${missing.join(', ')} not installed (apt-get install --no-install-recommends ${PORT_PACKAGES})`,
    );
    return;
  }
  const fw = await buildFirmware(board.name);
  const p = buildPort(board, fw.wasmPath);
  const verdict = (ok: boolean): string => (ok ? 'within budget' : 'OVER BUDGET');
  const flashBudget = mcu.flash_budget_bytes ?? mcu.flash_bytes;
  console.log(
    `mcu flash  ${p.flashBytes} bytes of ${flashBudget} (${verdict(p.flashBytes <= flashBudget)}): ${p.sections
      .filter((x) => x.region !== 'ram')
      .map((x) => `${x.name} ${x.bytes}`)
      .join(', ')}`,
  );
  console.log(
    `mcu RAM    ${p.ramBytes} bytes of ${mcu.ram_bytes} (${verdict(p.ramBytes <= mcu.ram_bytes)}): ${p.sections
      .filter((x) => x.region !== 'flash')
      .map((x) => `${x.name} ${x.bytes}`)
      .join(', ')}`,
  );
  const budget = mcu.tick_budget_instructions ?? Infinity;
  let worst = 0;
  for (const f of findScenarioFiles([join(REPO_ROOT, 'tests', 'port')])) {
    const rec = recordScenario(f, board.name, fw.wasmPath, join(portDir(board.name), 'conformance'));
    const r = replayRecording(p.replayElf, rec.recording, budget);
    worst = Math.max(worst, r.tickMaxInstructions);
    console.log(
      `mcu tick   ${rec.name}: worst ${r.tickMaxInstructions} instructions (tick ${r.tickMaxAt}; ${r.tickMaxWithHalInstructions} with the replay's HAL), median ${r.tickMedianInstructions}, p99 ${r.tickP99Instructions}, ${r.ticksOverBudget} of ${r.ticks} ticks over ${budget}; init ${r.initMaxInstructions}, stack ${r.stackBytes} bytes${r.identical ? '' : ' (REPLAY DIFFERS)'}`,
    );
  }
  console.log(
    `mcu tick   worst ${worst} instructions of ${budget} (${verdict(worst <= budget)}): the module's, with its wasm2c runtime; the replay's stand-in HAL is counted apart`,
  );
  benchCrypto(mcu.core_hz);
}

/** The port's crypto engine on the Cortex-M4 (QEMU -icount): what a P-256 signature check costs, and its steps. */
function benchCrypto(coreHz: number): void {
  const b = runCryptoBench(join(portDir('stm32f405-tmc2209'), 'crypto-bench'));
  if (!b.ok) throw new Error(`the crypto bench failed:\n${b.output}`);
  const job = (name: string) => b.jobs.find((j) => j.job === name)!;
  const ms = (n: number): string => ((n / coreHz) * 1000).toFixed(1);
  const v = job('verify_good');
  console.log(
    `mcu crypto P-256 signature check (ECDSA, SHA-256 of 256 bytes): ${v.total} instructions (${ms(v.total)} ms at ${coreHz / 1e6} MHz) in ${v.slices} steps in the main loop's thread, which the tick interrupts; the longest step ${v.sliceMax} (${ms(v.sliceMax)} ms), ${v.slicesLong} steps over 84,000 (0.5 ms); mbedTLS arena peak ${v.arenaPeak} bytes`,
  );
  console.log(
    `mcu crypto SHA-256 of 256 bytes ${job('sha256_256_bytes').total} instructions; P-256 key import (point check) ${job('point_check').total}`,
  );
  const t = runTickBench(join(portDir('stm32f405-tmc2209'), 'tick-bench'));
  if (!t.ok) throw new Error(`the tick bench failed:\n${t.output}`);
  console.log(
    `mcu crypto ticks during a P-256 check in the background (board main loop, QEMU at ${2 ** TICK_BENCH_ICOUNT_SHIFT} ns an instruction): worst tick lateness ${t.checkLateMaxNs} ns (${t.checkLateMax} instructions), ticks at most ${t.gapMaxNs} ns apart, the check ${t.checkTicks} ticks`,
  );
}

/**
 * A matrix of 30 cases on all cores, on the model QA runs by default (the physical one): every case
 * strokes (professional mode, a zone that allows 2.5 mm, rates inside the envelope at every depth: the
 * pen's lowest rate is 25 Hz, 2.5 mm allows up to 27), settles for the depth trim, and checks depth,
 * rate and steps over a measured second.
 */
async function benchQa(wasm: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-qa-'));
  const file = join(dir, 'matrix.yaml');
  writeFileSync(
    file,
    `name: bench
zone: stretch_marks
mode: professional
matrix:
  depth_mm: [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5]
  freq_hz: [25, 26, 27]
steps:
  - set: {depth_mm: "\${depth_mm}", freq_hz: "\${freq_hz}"}
  - press: start
  - run: ${TRIM_SETTLE_MS}ms
  - run: 1s
  - expect: {depth_mm: {value: "\${depth_mm}", tol: 0.02}, freq_hz: {value: "\${freq_hz}", tol_pct: 0.5}, missed_steps: 0}
`,
  );
  let cases: ReturnType<typeof loadScenario>;
  try {
    cases = loadScenario(file); // (the cases carry everything: the workers are sent them, not the file)
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const times: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const t0 = process.hrtime.bigint();
    const rs = await runCases(cases, { wasm: { 'ref-pen': wasm }, jobs: availableParallelism() });
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const bad = rs.find((r) => r.status === 'failed');
    // a case that fails measures nothing: the figure would be meaningless
    if (bad) throw new Error(`bench QA case failed: ${bad.name}: ${bad.message}`);
  }
  const t = median(times);
  console.log(
    `qa         ${cases.length} cases of ${(TRIM_SETTLE_MS + 1000) / 1000} s on the ${cases[0].model} model (each stroking, all passed) in ${t.toFixed(2)} s on ${availableParallelism()} cores: ${(cases.length / t).toFixed(1)} cases/s (median of 3)`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
