// `npm run bench`: the figures the project promises, as medians of repeated runs.
//  - firmware .wasm size, imports, memory pages
//  - simulator speed (simulated seconds per wall second) at the hardest point of the default board's envelope
//  - firmware cost per control tick (wall time of tick() in Node)
import { buildFirmware } from '../tools/build.js';
import { loadBoard, derive } from '../host-sim/board.js';
import { PenSim } from '../host-sim/pen.js';
import { readEnvelope, standardDepths } from '../tools/envelope.js';

const REPS = 5;
const SIM_SECONDS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function main(): Promise<void> {
  const board = loadBoard('ref-pen');
  const built = await buildFirmware(board.name);
  console.log(`firmware   ${built.bytes} bytes, ${built.memoryPages} page(s) of memory, ${built.imports.length} imports (all from hal: ${built.imports.every((i) => i.startsWith('hal.'))})`);

  // hardest point: the envelope point with the highest step rate
  const d = derive(board);
  const env = readEnvelope(board, built.wasmPath, undefined, standardDepths(board));
  const g = board.geometry;
  const rate = (p: { depthMm: number; maxFreqHz: number }): number => (2 * (g.clearance_um + p.depthMm * 1000) / d.stepUm) * p.maxFreqHz;
  const hardest = env.reduce((a, b) => (rate(b) > rate(a) ? b : a));
  console.log(`envelope   hardest point ${hardest.depthMm.toFixed(2)} mm at ${hardest.maxFreqHz} Hz (${Math.round(rate(hardest))} steps/s on average)`);

  const speeds: number[] = [];
  const ticks: number[] = [];
  for (let rep = 0; rep <= REPS; rep++) {
    const sim = new PenSim({ board, wasm: built.wasmPath, seed: rep + 1 });
    sim.press('power');
    sim.runUntil(() => sim.state === 'ready', 3000);
    sim.command(`SET DEPTH ${hardest.depthMm.toFixed(2)}`);
    sim.command(`SET FREQ ${hardest.maxFreqHz}`);
    sim.command('START');
    sim.run(200);
    const t0 = process.hrtime.bigint();
    sim.run(SIM_SECONDS * 1000);
    const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
    if (rep === 0) continue; // warm-up: the JIT compiles on the first run
    speeds.push(SIM_SECONDS / wallS);
    sim.tickCostsNs = [];
    sim.run(1000);
    ticks.push(...sim.tickCostsNs);
    if (sim.measure().missed_steps) throw new Error('lost steps at the hardest point');
  }
  console.log(`simulator  ${median(speeds).toFixed(0)}x real time (median of ${REPS} runs of ${SIM_SECONDS} s; min ${Math.min(...speeds).toFixed(0)}x, max ${Math.max(...speeds).toFixed(0)}x)`);
  console.log(`tick       median ${(median(ticks) / 1000).toFixed(2)} us, p99 ${(pct(ticks, 99) / 1000).toFixed(2)} us, max ${(Math.max(...ticks) / 1000).toFixed(2)} us per firmware tick in Node (${ticks.length} ticks, stroking at the hardest point)`);
}

main().catch((e) => { console.error(e); process.exit(1); });
