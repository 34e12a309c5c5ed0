// Runs one case against one simulated pen, step by step, and measures what the needles did: it acts
// through PenSim (buttons, serial, cartridge, faults, time) and reads only its observation.
import { PenSim, Injectable } from '../../host-sim/pen.js';
import { Board, loadBoard } from '../../boards/board.js';
import { Flash } from '../../host-sim/flash.js';
import { Rng } from '../../host-sim/rng.js';
import { fillLog } from '../lib/log-format.js';
import { HalTap } from '../../host-sim/hal.js';
import { Tissue } from '../../host-sim/tissue.js';
import { ButtonName } from '../../host-sim/names.js';
import { Case, Step, durationMs } from './scenario.js';
import { CaseResult, Plot, StepResult } from './results.js';
import { checkExpectations } from './expect.js';
import { CARTRIDGE_CHECK_MS, CartridgeChip } from '../../host-sim/cartridge-chip.js';
import { PhaseName, phaseValue, runToPhase } from './phase.js';

/** the step value that cuts (inject) or restores (clear) the supply */
export const POWER_CUT = 'power_cut';

/** an `inject` step written as a mapping */
interface InjectStep {
  fault: Injectable;
  at_tip_mm?: number;
  at?: { phase: number | PhaseName };
  for?: string | number;
}

/** What a caller (the fault campaign) may watch of a run, beside the result. */
export interface RunCaseOptions {
  /** each fault as it is injected, the simulated pen at that instant */
  onInject?: (fault: string, sim: PenSim) => void;
  /** the simulated pen after the last step (or the failure) */
  onEnd?: (sim: PenSim, result: CaseResult) => void;
}
import { qaLicence, QaLicence } from './licences.js';
import { simClinic } from '../lib/clinic.js';
import { answerChallenge, authLines, parseChallenge } from '../lib/licence.js';
import { p256KeyFromSeed } from '../../host-sim/keys.js';

/** a clinic key no licence names: its answers are wrong */
const WRONG_CLINIC_KEY = p256KeyFromSeed('another clinic, not the licensed one');

const PRESS_MS = 60;
const PLOT_WINDOW_MS = 120;

class StepFailure extends Error {}

/** The board's log flash, full of past sessions (header `log: full`). */
function fullLogFlash(board: Board | string): Flash {
  const b = typeof board === 'string' ? loadBoard(board) : board;
  const flash = new Flash(b.storage?.sectors ?? 4, b.storage?.sector_bytes ?? 4096, new Rng(0xf1a5));
  fillLog(flash);
  return flash;
}

/**
 * Runs one case; `halTap` (optional) sees every HAL call, to record the run for a board port; `penBoard`
 * (optional) is the pen to simulate in place of the named board's typical one (a drawn pen, a model).
 */
export function runCase(
  c: Case,
  wasm: string,
  halTap?: HalTap,
  penBoard?: Board,
  opts: RunCaseOptions = {},
): CaseResult {
  const started = Date.now();
  const sim = new PenSim({
    board: penBoard ?? c.board,
    cartridge: c.cartridge,
    seed: c.seed,
    tissue: c.tissue,
    keyProvisioning: c.keys,
    wasm,
    trace: true,
    halTap,
    flash: c.log === 'full' ? fullLogFlash(penBoard ?? c.board) : undefined,
  });
  const pen = sim.observation;
  const result: CaseResult = {
    name: c.name,
    scenario: c.scenario,
    file: c.file,
    board: c.board,
    cartridge: pen.cartridgeType,
    seed: c.seed,
    params: c.params,
    matrixKeys: c.matrixKeys,
    requirements: c.requirements,
    tags: c.tags,
    status: 'passed',
    wallMs: 0,
    simMs: 0,
    steps: [],
    expects: [],
    plots: [],
  };
  let windowStart = 0;
  let windowDepthUm = 0; // the depth in force during the last run: what its plot is labelled with
  let lastReply: string | undefined;
  let lastRunMeasure = pen.measure();
  let lastGoodAnswer: Buffer | undefined;
  let takenOff: CartridgeChip | undefined;
  try {
    if (c.powered) {
      sim.press('power', PRESS_MS);
      if (!sim.runUntil(() => pen.state === 'ready' || pen.state === 'fault', 3000) || pen.state !== 'ready') {
        throw new StepFailure(`the pen did not get ready after power-on: state ${pen.state}, fault ${pen.fault}`);
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
        for (const rest of c.steps.slice(i + 1))
          result.steps.push({ line: rest.line, text: describeStep(rest), status: 'skipped' });
        throw e;
      }
    }
  } catch (e) {
    result.status = 'failed';
    const where = result.steps.find((x) => x.status === 'failed');
    result.message = `${c.file}:${where?.line ?? c.line}: ${(e as Error).message}`;
    if (!(e instanceof StepFailure) && !(e instanceof Error && e.message.startsWith('expected')))
      result.message += ' (simulator error)';
  }
  result.simMs = pen.timeMs;
  opts.onEnd?.(sim, result);
  result.wallMs = Date.now() - started;
  return result;

  /** The supply gone at once (`inject: power_cut`) or back, a power-on reset (`clear: power_cut`). */
  function powerCut(cut: boolean): void {
    if (cut) {
      sim.powerCut();
      opts.onInject?.(POWER_CUT, sim);
    } else sim.powerRestore();
  }

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
    if ('press' in s) {
      sim.press(s.press as ButtonName, PRESS_MS);
      sim.run(PRESS_MS + 40);
      return;
    }
    if ('hold' in s) {
      const h = s.hold as { button: ButtonName; ms: number };
      sim.press(h.button, h.ms);
      sim.run(h.ms + 40);
      return;
    }
    if ('run' in s) {
      sim.startMeasuring();
      windowStart = pen.tTicks;
      sim.run(durationMs(s.run));
      windowDepthUm = pen.setting.depthUm;
      lastRunMeasure = pen.measure();
      return `${lastRunMeasure.strokes} strokes`;
    }
    if ('wait' in s) {
      const w = s.wait as { state: string; timeout?: string | number };
      const ms = w.timeout === undefined ? 3000 : durationMs(w.timeout);
      const t0 = pen.timeMs;
      if (!sim.runUntil(() => pen.state === w.state, ms)) {
        throw new StepFailure(
          `expected state ${w.state} within ${ms} ms, measured state ${pen.state}${pen.fault !== 'none' ? ` (fault ${pen.fault})` : ''}`,
        );
      }
      return `after ${(pen.timeMs - t0).toFixed(0)} ms`;
    }
    if ('inject' in s) {
      const v = s.inject as string | InjectStep;
      if (v === POWER_CUT) {
        powerCut(true);
        return `power cut at ${pen.timeMs.toFixed(2)} ms, tip ${(pen.tipUm / 1000).toFixed(3)} mm`;
      }
      const f = (typeof v === 'string' ? v : v.fault) as Injectable | typeof POWER_CUT;
      if (typeof v === 'object' && v.at_tip_mm !== undefined) {
        const tip = v.at_tip_mm * 1000;
        let before = pen.tipUm;
        const crossed = (): boolean => {
          const now = pen.tipUm;
          const hit = before <= tip && now > tip;
          before = now;
          return hit;
        };
        if (!sim.runUntilStep(crossed, 2000))
          throw new StepFailure(`the needle tips never passed ${v.at_tip_mm} mm within 2 s, so ${f} was not injected`);
      }
      if (typeof v === 'object' && v.at !== undefined) {
        const phase = phaseValue(v.at.phase);
        if (!runToPhase(sim, phase))
          throw new StepFailure(`no stroke began within 2 s, so ${f} was not injected at phase ${v.at.phase}`);
      }
      const at = `at ${pen.timeMs.toFixed(2)} ms, tip ${(pen.tipUm / 1000).toFixed(3)} mm`;
      if (f === POWER_CUT) powerCut(true);
      else {
        sim.inject(f);
        opts.onInject?.(f, sim);
      }
      if (typeof v === 'object' && v.for !== undefined) {
        // a glitch: the fault holds for this long (to the step timer's tick), then goes away by itself
        sim.run(durationMs(v.for));
        if (f === POWER_CUT) powerCut(false);
        else sim.clear(f);
        return `${at}, for ${durationMs(v.for)} ms`;
      }
      return at;
    }
    if ('clear' in s) {
      if (s.clear === POWER_CUT) {
        powerCut(false);
        return;
      }
      sim.clear(s.clear as Injectable);
      return;
    }
    if ('load' in s) {
      const l = s.load as { tissue?: string; needle_force_mN?: number };
      sim.tissue = l.tissue !== undefined ? Tissue.named(l.tissue) : new Tissue(l.needle_force_mN!);
      return;
    }
    if ('send' in s) {
      const v = s.send as string | { line?: string; lines?: string[]; times: number };
      if (typeof v === 'string') lastReply = send(v);
      else for (let n = 0; n < v.times; n++) for (const l of v.lines ?? [v.line!]) lastReply = send(l); // a flood: each line waits for its reply
      return `reply: ${lastReply}`;
    }
    if ('authenticate' in s) {
      const v = s.authenticate as string | { answer?: string; licence?: QaLicence; times?: number };
      const how = typeof v === 'string' ? v : (v.answer ?? 'right');
      const licence = typeof v === 'string' ? 'genuine' : (v.licence ?? 'genuine');
      const times = typeof v === 'string' ? 1 : (v.times ?? 1);
      for (let n = 0; n < times; n++) lastReply = authenticate(how, licence);
      return `reply: ${lastReply}`;
    }
    if ('cartridge' in s) {
      const v = s.cartridge as
        | string
        | {
            fit: string | number;
            used?: boolean;
            forged?: boolean;
            other_maker?: boolean;
            serial?: number;
            lot?: number;
          };
      if (v === 'remove') {
        if (!sim.chip) throw new StepFailure('no cartridge to remove');
        takenOff = sim.chip;
        sim.removeCartridge();
      } else {
        // refit: the chip taken off; clone: a copy of it, its use counter reset (it has not the chip's key)
        const chip =
          typeof v === 'string'
            ? v === 'clone'
              ? takenOff?.copy({ resetUse: true })
              : takenOff
            : sim.makeChip({
                type: String(v.fit),
                serial: v.serial ?? 500000 + Math.floor(sim.rng.next() * 100000),
                lot: v.lot ?? 2612,
                used: v.used,
                forged: v.forged,
                otherMaker: v.other_maker,
              });
        if (!chip) throw new StepFailure(`no cartridge was taken off to ${v === 'clone' ? 'copy' : 'put back'}`);
        if (sim.chip) {
          takenOff = sim.chip;
          sim.removeCartridge();
          sim.run(5);
        } // a swap passes through "none"
        sim.fitCartridge(chip);
      }
      sim.run(CARTRIDGE_CHECK_MS); // the pen reads and checks the chip (certificate, challenge, response)
      return;
    }
    if ('expect' in s) {
      expect(s);
      return;
    }
    throw new StepFailure(`unknown step ${Object.keys(s).join(',')}`);
  }

  /**
   * AUTH?, a licence and an answer: the clinic's right answer, another clinic key's, or the last right
   * answer again. A refused challenge is the reply; so is the first piece of licence or answer refused.
   */
  function authenticate(how: string, licence: QaLicence = 'genuine'): string {
    const ch = send('AUTH?');
    if (ch.startsWith('ERR')) return ch; // the challenge was refused (a lock-out, no key): the reply says why
    const c = parseChallenge(ch);
    if (!c) throw new StepFailure(`expected a challenge or a refusal, measured ${JSON.stringify(ch)}`);
    let answer: Buffer;
    if (how === 'right') answer = lastGoodAnswer = answerChallenge(c.challengeHex, c.penSerial, simClinic().key);
    else if (how === 'wrong') answer = answerChallenge(c.challengeHex, c.penSerial, WRONG_CLINIC_KEY);
    else if (lastGoodAnswer) answer = lastGoodAnswer;
    else throw new StepFailure('replay: there is no earlier right answer to send again');
    const lic = qaLicence(licence, c.penSerial, sim.rtcSeconds());
    const lines = [...(lic ? authLines('LICENCE', lic) : []), ...authLines('ANSWER', answer)];
    let r = '';
    for (const l of lines) {
      r = send(l);
      if (!r.startsWith('OK')) break;
    }
    return r;
  }

  function send(line: string): string {
    try {
      return sim.command(line, 200);
    } catch (e) {
      throw new StepFailure((e as Error).message);
    }
  }

  function expect(s: Step): void {
    const out = checkExpectations(s.line, s.expect as Record<string, unknown>, {
      pen,
      lastRun: lastRunMeasure,
      lastReply,
      send,
      noteMetrics: (m) => {
        result.metrics = { ...result.metrics, ...m };
      },
    });
    result.expects.push(...out);
    result.plots.push(plotAround(s.line));
    const failed = out.filter((x) => !x.pass);
    if (failed.length)
      throw new StepFailure(failed.map((f) => `expected ${f.key} ${f.expected}, measured ${f.measured}`).join('; '));
  }

  function plotAround(line: number): Plot {
    const to = pen.tTicks;
    const from = Math.max(windowStart, to - pen.ticks(PLOT_WINDOW_MS), 0);
    const pts = pen.tipWindow(from, to);
    const every = Math.max(1, Math.ceil(pts.length / 600));
    const kept = pts.filter((_, i) => i % every === 0 || i === pts.length - 1);
    return {
      line,
      t0Ms: pen.ms(from),
      tMs: kept.map(([t]) => Number(pen.ms(t).toFixed(3))),
      tipUm: kept.map(([, u]) => Number(u.toFixed(1))),
      depthUm: (windowStart > 0 ? windowDepthUm : pen.setting.depthUm) || undefined,
    };
  }
}

export function describeStep(s: Step): string {
  const { line: _line, ...rest } = s;
  const [k, v] = Object.entries(rest)[0];
  return `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`;
}
