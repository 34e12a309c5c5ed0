// Runs one case against one simulated pen, step by step, and measures what the needles did.
import { PenSim, Injectable, HalTap } from '../../host-sim/pen.js';
import { Tissue } from '../../host-sim/tissue.js';
import { ButtonName } from '../../host-sim/names.js';
import { Case, Step, durationMs } from './scenario.js';
import { CaseResult, ExpectResult, Plot, StepResult } from './results.js';
import { answerChallenge } from '../../host-sim/keys.js';
import { CartridgeChip } from '../../host-sim/cartridge-chip.js';
import { FAULTS } from '../../host-sim/names.js';

/** event codes of the treatment log's event records (assembly/session.ts) */
const LOG_EVENTS: Record<string, number> = { fault: 1, auth_failed: 2, auth_passed: 3, cartridge_refused: 4, cartridge_removed: 5, start_refused: 6, idle_off: 7 };
const WRONG_KEY = Buffer.alloc(32, 0x42);

const PRESS_MS = 60;
const PLOT_WINDOW_MS = 120;

class StepFailure extends Error {}

/** Runs one case; `halTap` (optional) sees every HAL call, to record the run for a board port. */
export function runCase(c: Case, wasm: string, halTap?: HalTap): CaseResult {
  const started = Date.now();
  const sim = new PenSim({ board: c.board, cartridge: c.cartridge, seed: c.seed, tissue: c.tissue, wasm, trace: true, halTap });
  const result: CaseResult = {
    name: c.name, scenario: c.scenario, file: c.file, board: c.board, cartridge: sim.cartridge.type, seed: c.seed,
    params: c.params, matrixKeys: c.matrixKeys, requirements: c.requirements, tags: c.tags,
    status: 'passed', wallMs: 0, simMs: 0, steps: [], expects: [], plots: [],
  };
  let windowStart = 0;
  let windowDepthUm = 0; // the depth in force during the last run: what its plot is labelled with
  let lastReply: string | undefined;
  let lastRunMeasure = sim.measure();
  let lastGoodAnswer: string | undefined;
  let takenOff: CartridgeChip | undefined;
  try {
    if (c.powered) {
      sim.press('power', PRESS_MS);
      if (!sim.runUntil(() => sim.state === 'ready' || sim.state === 'fault', 3000) || sim.state !== 'ready') {
        throw new StepFailure(`the pen did not get ready after power-on: state ${sim.state}, fault ${sim.fault}`);
      }
      if (c.mode === 'professional') {
        const r = authenticate('right');
        if (!r.startsWith('OK')) throw new StepFailure(`professional mode was refused: ${r}`);
      }
      if (c.zone) {
        const r = send(`SET ZONE ${c.zone}`);
        if (!r.startsWith('OK')) throw new StepFailure(`zone ${c.zone} was refused: ${r}`);
      }
    }
    for (let i = 0; i < c.steps.length; i++) {
      const s = c.steps[i];
      const rec: StepResult = { line: s.line, text: describeStep(s), status: 'passed' };
      result.steps.push(rec);
      try {
        const r = runStep(s);
        if (r) rec.detail = r;
      } catch (e) {
        rec.status = 'failed';
        rec.detail = (e as Error).message;
        for (const rest of c.steps.slice(i + 1)) result.steps.push({ line: rest.line, text: describeStep(rest), status: 'skipped' });
        throw e;
      }
    }
  } catch (e) {
    result.status = 'failed';
    const where = result.steps.find((x) => x.status === 'failed');
    result.message = `${c.file}:${where?.line ?? c.line}: ${(e as Error).message}`;
    if (!(e instanceof StepFailure) && !(e instanceof Error && e.message.startsWith('expected'))) result.message += ' (simulator error)';
  }
  result.simMs = sim.nowMs;
  result.wallMs = Date.now() - started;
  return result;

  function runStep(s: Step): string | void {
    if ('set' in s) {
      const v = s.set as { depth_mm?: number; freq_hz?: number; speed_level?: number };
      const replies: string[] = [];
      if (v.depth_mm !== undefined) replies.push(send(`SET DEPTH ${v.depth_mm.toFixed(2)}`));
      if (v.freq_hz !== undefined) replies.push(send(`SET FREQ ${v.freq_hz}`));
      if (v.speed_level !== undefined) replies.push(send(`SET LEVEL ${v.speed_level}`));
      const bad = replies.find((r) => !r.startsWith('OK'));
      if (bad) throw new StepFailure(`the pen refused the setting: ${bad}`);
      return replies.join('; ');
    }
    if ('press' in s) { sim.press(s.press as ButtonName, PRESS_MS); sim.run(PRESS_MS + 40); return; }
    if ('hold' in s) {
      const h = s.hold as { button: ButtonName; ms: number };
      sim.press(h.button, h.ms);
      sim.run(h.ms + 40);
      return;
    }
    if ('run' in s) {
      sim.startMeasuring();
      windowStart = sim.tTicks;
      sim.run(durationMs(s.run));
      windowDepthUm = sim.setting.depthUm;
      lastRunMeasure = sim.measure();
      return `${lastRunMeasure.strokes} strokes`;
    }
    if ('wait' in s) {
      const w = s.wait as { state: string; timeout?: string | number };
      const ms = w.timeout === undefined ? 3000 : durationMs(w.timeout);
      const t0 = sim.nowMs;
      if (!sim.runUntil(() => sim.state === w.state, ms)) {
        throw new StepFailure(`expected state ${w.state} within ${ms} ms, measured state ${sim.state}${sim.fault !== 'none' ? ` (fault ${sim.fault})` : ''}`);
      }
      return `after ${(sim.nowMs - t0).toFixed(0)} ms`;
    }
    if ('inject' in s) {
      const v = s.inject as string | { fault: Injectable; at_tip_mm?: number };
      const f = (typeof v === 'string' ? v : v.fault) as Injectable;
      if (typeof v === 'object' && v.at_tip_mm !== undefined) {
        const tip = v.at_tip_mm * 1000;
        let before = sim.mech.tipUm();
        const crossed = (): boolean => { const now = sim.mech.tipUm(); const hit = before <= tip && now > tip; before = now; return hit; };
        if (!sim.runUntilStep(crossed, 2000)) throw new StepFailure(`the needle tips never passed ${v.at_tip_mm} mm within 2 s, so ${f} was not injected`);
      }
      sim.inject(f);
      return `at ${sim.nowMs.toFixed(2)} ms, tip ${(sim.mech.tipUm() / 1000).toFixed(3)} mm`;
    }
    if ('clear' in s) { sim.clear(s.clear as Injectable); return; }
    if ('load' in s) {
      const l = s.load as { tissue?: string; needle_force_mN?: number };
      sim.tissue = l.tissue !== undefined ? Tissue.named(l.tissue) : new Tissue(l.needle_force_mN!);
      return;
    }
    if ('send' in s) { lastReply = send(s.send as string); return `reply: ${lastReply}`; }
    if ('authenticate' in s) { lastReply = authenticate(s.authenticate as string); return `reply: ${lastReply}`; }
    if ('cartridge' in s) {
      const v = s.cartridge as string | { fit: string | number; used?: boolean; forged?: boolean };
      if (v === 'remove') {
        if (!sim.chip) throw new StepFailure('no cartridge to remove');
        takenOff = sim.chip;
        sim.removeCartridge();
      } else {
        const chip = typeof v === 'string' ? takenOff : sim.makeChip({ type: String(v.fit), serial: 500000 + Math.floor(sim.rng.next() * 100000), lot: 2612, used: v.used, forged: v.forged });
        if (!chip) throw new StepFailure('no cartridge was taken off to put back');
        if (sim.chip) { takenOff = sim.chip; sim.removeCartridge(); sim.run(5); } // a swap passes through "none"
        sim.fitCartridge(chip);
      }
      sim.run(40); // the pen reads and checks the chip over about 25 ticks
      return;
    }
    if ('expect' in s) { expect(s); return; }
    throw new StepFailure(`unknown step ${Object.keys(s).join(',')}`);
  }

  /** AUTH? and an answer: with the clinic key, another key, or the last right answer again. */
  function authenticate(how: string): string {
    const ch = send('AUTH?');
    const m = /^CHALLENGE ([0-9a-f]{32})$/.exec(ch);
    if (!m) throw new StepFailure(`expected a challenge, measured ${JSON.stringify(ch)}`);
    let answer: string;
    if (how === 'right') answer = lastGoodAnswer = answerChallenge(m[1]);
    else if (how === 'wrong') answer = answerChallenge(m[1], WRONG_KEY);
    else if (lastGoodAnswer) answer = lastGoodAnswer;
    else throw new StepFailure('replay: there is no earlier right answer to send again');
    return send(`AUTH ${answer}`);
  }

  function send(line: string): string {
    try {
      return sim.command(line, 200);
    } catch (e) {
      throw new StepFailure((e as Error).message);
    }
  }

  function expect(s: Step): void {
    const e = s.expect as Record<string, unknown>;
    const m = lastRunMeasure;
    const out: ExpectResult[] = [];
    const add = (key: string, expected: string, measured: string, pass: boolean): void => { out.push({ line: s.line, key, expected, measured, pass }); };
    const setHz = sim.setting.freqHz;
    for (const [key, want] of Object.entries(e)) {
      switch (key) {
        case 'depth_mm': {
          const w = want as { value: number; tol: number };
          if (!m.depth_mm) { add(key, `${w.value} +/- ${w.tol} mm`, 'no stroke reached the skin in the last run', false); break; }
          const worst = [m.depth_mm.mean, m.depth_mm.min, m.depth_mm.max].reduce((a, b) => (Math.abs(b - w.value) > Math.abs(a - w.value) ? b : a));
          add(key, `${w.value} +/- ${w.tol} mm`, `mean ${m.depth_mm.mean.toFixed(4)}, min ${m.depth_mm.min.toFixed(4)}, max ${m.depth_mm.max.toFixed(4)} mm`, Math.abs(worst - w.value) <= w.tol + 1e-9);
          result.metrics = { ...result.metrics, depthErrMm: m.depth_mm.mean - w.value };
          break;
        }
        case 'freq_hz': case 'puncture_rate': {
          const w = want as { value: number | 'setting'; tol_pct: number };
          const perStroke = key === 'puncture_rate' ? sim.cartridge.needles : 1;
          const target = w.value === 'setting' ? setHz * perStroke : w.value;
          const got = key === 'freq_hz' ? m.freq_hz : m.puncture_rate;
          const unit = key === 'freq_hz' ? 'Hz' : '/s';
          const exp = `${target}${w.value === 'setting' ? ' (the setting)' : ''} ${unit} +/- ${w.tol_pct} %`;
          if (got === null) { add(key, exp, 'fewer than 2 strokes in the last run', false); break; }
          const errPct = (got / target - 1) * 100;
          add(key, exp, `${got.toFixed(3)} ${unit} (${errPct >= 0 ? '+' : ''}${errPct.toFixed(3)} %)`, Math.abs(errPct) <= w.tol_pct + 1e-9);
          if (key === 'freq_hz') result.metrics = { ...result.metrics, freqErrPct: errPct, setFreqHz: setHz, clamped: sim.setting.clamp !== 'none' };
          break;
        }
        case 'missed_steps': add(key, `<= ${want}`, String(m.missed_steps), m.missed_steps <= (want as number)); break;
        case 'strokes': {
          const w = want as { min?: number; max?: number };
          const exp = [w.min !== undefined ? `>= ${w.min}` : '', w.max !== undefined ? `<= ${w.max}` : ''].filter(Boolean).join(' and ');
          add(key, exp, String(m.strokes), (w.min === undefined || m.strokes >= w.min) && (w.max === undefined || m.strokes <= w.max));
          break;
        }
        case 'step_error_us': add(key, `<= ${(want as { max: number }).max} us`, `${m.step_error_us_max.toFixed(2)} us`, m.step_error_us_max <= (want as { max: number }).max); break;
        case 'state': add(key, String(want), sim.state, sim.state === want); break;
        case 'fault': add(key, String(want), sim.fault, sim.fault === want); break;
        case 'indicator': add(key, String(want), sim.indicator, sim.indicator === want); break;
        case 'clamped': {
          const c = sim.setting.clamp !== 'none';
          add(key, String(want), c ? `true (${sim.setting.clamp}: ${sim.setting.askedHz} Hz -> ${setHz} Hz)` : 'false', c === want);
          result.metrics = { ...result.metrics, clamped: c, setFreqHz: setHz };
          break;
        }
        case 'needle': {
          const tip = sim.mech.tipUm();
          const retracted = tip < 0 && sim.mech.xUm <= sim.board.geometry.retract_um + sim.mech.stepUm;
          const got = retracted ? 'retracted' : tip > 0 ? 'in_skin' : 'between';
          add(key, String(want), `${got} (tip ${(tip / 1000).toFixed(3)} mm)`, got === want);
          break;
        }
        case 'retract_within_ms': {
          if (sim.faultAtTicks === undefined) { add(key, `<= ${want} ms`, 'no fault happened', false); break; }
          if (sim.retractedAtTicks === undefined) { add(key, `<= ${want} ms`, `not retracted yet (tip ${(sim.mech.tipUm() / 1000).toFixed(3)} mm)`, false); break; }
          const ms = sim.ms(sim.retractedAtTicks - sim.faultAtTicks);
          add(key, `<= ${want} ms after detection`, `${ms.toFixed(2)} ms`, ms <= (want as number));
          break;
        }
        case 'reply': {
          const got = lastReply ?? '(nothing sent yet)';
          if (typeof want === 'string') add(key, JSON.stringify(want), JSON.stringify(got), got === want);
          else {
            const pat = (want as { pattern: string }).pattern;
            let re: RegExp;
            try { re = new RegExp(pat); } catch { add(key, `matches /${pat}/`, 'the pattern is not a valid regular expression', false); break; }
            add(key, `matches /${pat}/`, JSON.stringify(got), re.test(got));
          }
          break;
        }
        case 'status': {
          const st = send('STATUS?');
          const fields = Object.fromEntries(st.split(' ').slice(1).map((kv) => kv.split('=') as [string, string]));
          for (const [k, v] of Object.entries(want as Record<string, string | number>)) {
            const got = fields[k];
            const same = got !== undefined && (typeof v === 'number' ? Number(got) === v : got === v);
            add(`status.${k}`, String(v), got ?? `(no ${k} in ${JSON.stringify(st)})`, same);
          }
          break;
        }
        case 'logged': {
          const w = want as { event?: string; fault?: string };
          const code = w.fault !== undefined ? LOG_EVENTS.fault : LOG_EVENTS[w.event!];
          const detail = w.fault !== undefined ? FAULTS.indexOf(w.fault as (typeof FAULTS)[number]) : undefined;
          const n = Number(/count=(\d+)/.exec(send('LOG?'))?.[1] ?? 0);
          const events: string[] = [];
          let found = false;
          for (let i = 0; i < n; i++) {
            const f = send(`LOG ${i}`).split(' ').map(Number); // LOG i type session time code detail
            if (f[2] !== 2) continue;
            events.push(`${Object.keys(LOG_EVENTS).find((k) => LOG_EVENTS[k] === f[5]) ?? f[5]}${f[5] === 1 ? `:${FAULTS[f[6]] ?? f[6]}` : ''}`);
            if (f[5] === code && (detail === undefined || f[6] === detail)) found = true;
          }
          add(key, w.fault !== undefined ? `a fault event ${w.fault}` : `an event ${w.event}`, events.length ? events.join(', ') : 'no events in the log', found);
          break;
        }
        case 'indicator_code': add(key, String(want), String(sim.indicatorCode), sim.indicatorCode === want); break;
        default: add(key, '?', 'unknown expectation', false);
      }
    }
    result.expects.push(...out);
    result.plots.push(plotAround(s.line));
    const failed = out.filter((x) => !x.pass);
    if (failed.length) throw new StepFailure(failed.map((f) => `expected ${f.key} ${f.expected}, measured ${f.measured}`).join('; '));
  }

  function plotAround(line: number): Plot {
    const tr = sim.trace!;
    const to = sim.tTicks;
    const from = Math.max(windowStart, to - sim.ticks(PLOT_WINDOW_MS), 0);
    const pts = tr.tipSeries().filter(([t]) => t >= from && t <= to);
    const every = Math.max(1, Math.ceil(pts.length / 600));
    const kept = pts.filter((_, i) => i % every === 0 || i === pts.length - 1);
    return {
      line, t0Ms: sim.ms(from),
      tMs: kept.map(([t]) => Number(sim.ms(t).toFixed(3))),
      tipUm: kept.map(([, u]) => Number(u.toFixed(1))),
      depthUm: (windowStart > 0 ? windowDepthUm : sim.setting.depthUm) || undefined,
    };
  }
}

export function describeStep(s: Step): string {
  const { line: _line, ...rest } = s;
  const [k, v] = Object.entries(rest)[0];
  return `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`;
}
