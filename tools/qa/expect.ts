// The `expect:` step of a QA case: each key checked against what the pen shows (its observation, the
// last run's measurement, the last reply, and what it answers over the serial port), with expected
// and measured values said in words.
import { PenObservation } from '../../host-sim/observe.js';
import { Measurement } from '../../host-sim/meter.js';
import { FAULTS } from '../../host-sim/names.js';
import { LOG_EVENTS as LOG_EVENT_TABLE, LOG_RECORDS } from '../../abi/pen-abi.js';
import { CaseResult, ExpectResult } from './results.js';

/** event codes of the treatment log's event records (assembly/session.ts) */
/** log event codes by name (abi/pen-abi.ts) */
const LOG_EVENTS: Record<string, number> = Object.fromEntries(LOG_EVENT_TABLE.map((e) => [e.name, e.code]));
/** record type of an event in `LOG i` replies */
const LOG_RECORD_EVENT = LOG_RECORDS.find((r) => r.constant === 'REC_EVENT')!.code;
/** record type of a treatment stretch (segment) */
const LOG_RECORD_SEGMENT = LOG_RECORDS.find((r) => r.constant === 'REC_SEGMENT')!.code;

export type Metrics = NonNullable<CaseResult['metrics']>;

export interface ExpectContext {
  pen: PenObservation;
  /** what the needles did in the last `run` step */
  lastRun: Measurement;
  lastReply: string | undefined;
  /** a command line and its reply */
  send(line: string): string;
  /** accuracy figures for the report's heat maps */
  noteMetrics(m: Metrics): void;
}

export function checkExpectations(line: number, e: Record<string, unknown>, ctx: ExpectContext): ExpectResult[] {
  const { pen, lastRun: m } = ctx;
  const out: ExpectResult[] = [];
  const add = (
    key: string,
    expected: string,
    measured: string,
    pass: boolean,
    figures?: ExpectResult['figures'],
  ): void => {
    out.push(figures ? { line, key, expected, measured, pass, figures } : { line, key, expected, measured, pass });
  };
  /** one value against an upper limit */
  const most = (x: number, limit: number): ExpectResult['figures'] => ({
    span: [x, x],
    used: limit > 0 ? x / limit : x,
  });
  const setHz = pen.setting.freqHz;
  for (const [key, want] of Object.entries(e)) {
    switch (key) {
      case 'depth_mm': {
        const w = want as { value: number; tol: number };
        if (!m.depth_mm) {
          add(key, `${w.value} +/- ${w.tol} mm`, 'no stroke reached the skin in the last run', false);
          break;
        }
        const worst = [m.depth_mm.mean, m.depth_mm.min, m.depth_mm.max].reduce((a, b) =>
          Math.abs(b - w.value) > Math.abs(a - w.value) ? b : a,
        );
        add(
          key,
          `${w.value} +/- ${w.tol} mm`,
          `mean ${m.depth_mm.mean.toFixed(4)}, min ${m.depth_mm.min.toFixed(4)}, max ${m.depth_mm.max.toFixed(4)} mm`,
          Math.abs(worst - w.value) <= w.tol + 1e-9,
          { span: [m.depth_mm.min, m.depth_mm.max], used: Math.abs(worst - w.value) / w.tol },
        );
        ctx.noteMetrics({ depthErrMm: m.depth_mm.mean - w.value });
        break;
      }
      case 'freq_hz':
      case 'puncture_rate': {
        const w = want as { value: number | 'setting'; tol_pct: number };
        const perStroke = key === 'puncture_rate' ? pen.needles : 1;
        const target = w.value === 'setting' ? setHz * perStroke : w.value;
        const got = key === 'freq_hz' ? m.freq_hz : m.puncture_rate;
        const unit = key === 'freq_hz' ? 'Hz' : '/s';
        const exp = `${target}${w.value === 'setting' ? ' (the setting)' : ''} ${unit} +/- ${w.tol_pct} %`;
        if (got === null) {
          add(key, exp, 'fewer than 2 strokes in the last run', false);
          break;
        }
        const errPct = (got / target - 1) * 100;
        add(
          key,
          exp,
          `${got.toFixed(3)} ${unit} (${errPct >= 0 ? '+' : ''}${errPct.toFixed(3)} %)`,
          Math.abs(errPct) <= w.tol_pct + 1e-9,
          { span: [got, got], used: Math.abs(errPct) / w.tol_pct },
        );
        if (key === 'freq_hz')
          ctx.noteMetrics({ freqErrPct: errPct, setFreqHz: setHz, clamped: pen.setting.clamp !== 'none' });
        break;
      }
      case 'missed_steps':
        add(
          key,
          `<= ${want}`,
          String(m.missed_steps),
          m.missed_steps <= (want as number),
          most(m.missed_steps, want as number),
        );
        break;
      case 'strokes': {
        const w = want as { min?: number; max?: number };
        const exp = [w.min !== undefined ? `>= ${w.min}` : '', w.max !== undefined ? `<= ${w.max}` : '']
          .filter(Boolean)
          .join(' and ');
        add(
          key,
          exp,
          String(m.strokes),
          (w.min === undefined || m.strokes >= w.min) && (w.max === undefined || m.strokes <= w.max),
        );
        break;
      }
      case 'step_error_us':
        add(
          key,
          `<= ${(want as { max: number }).max} us`,
          `${m.step_error_us_max.toFixed(2)} us`,
          m.step_error_us_max <= (want as { max: number }).max,
          most(m.step_error_us_max, (want as { max: number }).max),
        );
        break;
      case 'state':
        // a fault is said with its name: what stopped the pen is the first thing asked
        add(key, String(want), pen.state === 'fault' ? `fault (${pen.fault})` : pen.state, pen.state === want);
        break;
      case 'fault':
        add(key, String(want), pen.fault, pen.fault === want);
        break;
      case 'indicator':
        add(key, String(want), pen.indicator, pen.indicator === want);
        break;
      case 'clamped': {
        const c = pen.setting.clamp !== 'none';
        add(
          key,
          String(want),
          c ? `true (${pen.setting.clamp}: ${pen.setting.askedHz} Hz -> ${setHz} Hz)` : 'false',
          c === want,
        );
        ctx.noteMetrics({ clamped: c, setFreqHz: setHz });
        break;
      }
      case 'needle':
        add(key, String(want), `${pen.needle} (tip ${(pen.tipUm / 1000).toFixed(3)} mm)`, pen.needle === want);
        break;
      case 'retract_within_ms': {
        if (pen.faultAtTicks === undefined) {
          add(key, `<= ${want} ms`, 'no fault happened', false);
          break;
        }
        if (pen.retractedAtTicks === undefined) {
          add(key, `<= ${want} ms`, `not retracted yet (tip ${(pen.tipUm / 1000).toFixed(3)} mm)`, false);
          break;
        }
        const ms = pen.ms(pen.retractedAtTicks - pen.faultAtTicks);
        add(
          key,
          `<= ${want} ms after detection`,
          `${ms.toFixed(2)} ms`,
          ms <= (want as number),
          most(ms, want as number),
        );
        break;
      }
      case 'reply': {
        const got = ctx.lastReply ?? '(nothing sent yet)';
        if (typeof want === 'string') add(key, JSON.stringify(want), JSON.stringify(got), got === want);
        else {
          const pat = (want as { pattern: string }).pattern;
          let re: RegExp;
          try {
            re = new RegExp(pat);
          } catch {
            add(key, `matches /${pat}/`, 'the pattern is not a valid regular expression', false);
            break;
          }
          add(key, `matches /${pat}/`, JSON.stringify(got), re.test(got));
        }
        break;
      }
      case 'status': {
        const st = ctx.send('STATUS?');
        const fields = Object.fromEntries(
          st
            .split(' ')
            .slice(1)
            .map((kv) => kv.split('=') as [string, string]),
        );
        for (const [k, v] of Object.entries(want as Record<string, string | number>)) {
          const got = fields[k];
          const same = got !== undefined && (typeof v === 'number' ? Number(got) === v : got === v);
          add(`status.${k}`, String(v), got ?? `(no ${k} in ${JSON.stringify(st)})`, same);
        }
        break;
      }
      case 'logged': {
        const w = want as { event?: string; fault?: string };
        const { events, found } = findLogged(ctx.send, w);
        add(
          key,
          w.fault !== undefined ? `a fault event ${w.fault}` : `an event ${w.event}`,
          events.length ? events.join(', ') : 'no events in the log',
          found,
        );
        break;
      }
      case 'log_segments': {
        const n = countLogged(ctx.send, LOG_RECORD_SEGMENT);
        add(key, `${want} treatment records (segments) in the log`, String(n), n === want);
        break;
      }
      case 'indicator_code':
        add(key, String(want), String(pen.indicatorCode), pen.indicatorCode === want);
        break;
      default:
        add(key, '?', 'unknown expectation', false);
    }
  }
  return out;
}

/** Records of one type in the treatment log, read over the serial port. */
function countLogged(send: (line: string) => string, type: number): number {
  const n = Number(/count=(\d+)/.exec(send('LOG?'))?.[1] ?? 0);
  let found = 0;
  for (let i = 0; i < n; i++) if (Number(send(`LOG ${i}`).split(' ')[2]) === type) found++;
  return found;
}

/** Reads the treatment log's events over the serial port (LOG?, LOG i) and looks for the one wanted. */
function findLogged(
  send: (line: string) => string,
  w: { event?: string; fault?: string },
): { events: string[]; found: boolean } {
  const code = w.fault !== undefined ? LOG_EVENTS.fault : LOG_EVENTS[w.event!];
  const detail = w.fault !== undefined ? FAULTS.indexOf(w.fault as (typeof FAULTS)[number]) : undefined;
  const n = Number(/count=(\d+)/.exec(send('LOG?'))?.[1] ?? 0);
  const events: string[] = [];
  let found = false;
  for (let i = 0; i < n; i++) {
    const f = send(`LOG ${i}`).split(' ').map(Number); // LOG i type session time code detail
    if (f[2] !== LOG_RECORD_EVENT) continue;
    events.push(
      `${Object.keys(LOG_EVENTS).find((k) => LOG_EVENTS[k] === f[5]) ?? f[5]}${f[5] === LOG_EVENTS.fault ? `:${FAULTS[f[6]] ?? f[6]}` : ''}`,
    );
    if (f[5] === code && (detail === undefined || f[6] === detail)) found = true;
  }
  return { events, found };
}
