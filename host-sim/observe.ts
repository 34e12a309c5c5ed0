// What a test or a QA run may read of a simulated pen, and nothing it could change: the firmware's
// reports, the indicator, the serial replies, where the needles are, and what they did.
import { Board, Cartridge } from '../boards/board.js';
import { SimClock } from './clock.js';
import { Mechanics } from './mechanics.js';
import { Measurement } from './meter.js';
import { Trace } from './trace.js';
import { StateName } from './names.js';
import { Telemetry, Setting } from './parts/telemetry.js';
import { Indicator } from './parts/indicator.js';
import { Reply, SerialPort } from './parts/serial-port.js';

/** retracted: behind the guard plane and back at the retract position; in_skin: tips past the guard plane */
export type NeedlePosition = 'retracted' | 'in_skin' | 'between';

export interface PenObservation {
  readonly timeMs: number;
  readonly tTicks: number;
  readonly state: StateName;
  readonly fault: string;
  readonly setting: Readonly<Setting>;
  readonly indicator: string;
  readonly indicatorCode: number;
  readonly replies: readonly Readonly<Reply>[];
  readonly cartridgeType: string;
  readonly needles: number;
  /** needle tips past the guard plane (um; negative = behind it) */
  readonly tipUm: number;
  /** carriage position from the endstop (um) */
  readonly carriageUm: number;
  readonly needle: NeedlePosition;
  /** when the firmware last entered fault, and when the needles were back at the retract position */
  readonly faultAtTicks: number | undefined;
  readonly retractedAtTicks: number | undefined;
  /** strokes since the last startMeasuring() */
  measure(): Measurement;
  /** the tip's traced path, [tTicks, tipUm] (empty without a trace) */
  tipSeries(): [number, number][];
  /** the same from `fromTicks` to `toTicks` only (both included) */
  tipWindow(fromTicks: number, toTicks: number): [number, number][];
  ms(ticks: number): number;
  ticks(ms: number): number;
}

export interface ObservedParts {
  board: Board;
  cartridge: Cartridge;
  clock: SimClock;
  mech: Mechanics;
  telemetry: Telemetry;
  indicator: Indicator;
  serial: SerialPort;
  trace: Trace | undefined;
  measure(): Measurement;
}

export function observationOf(p: ObservedParts): PenObservation {
  const { clock, mech, telemetry } = p;
  const retractUm = p.board.geometry.retract_um + mech.stepUm;
  return {
    get timeMs() {
      return clock.nowMs;
    },
    get tTicks() {
      return clock.tTicks;
    },
    get state() {
      return telemetry.state;
    },
    get fault() {
      return telemetry.fault;
    },
    get setting() {
      return telemetry.setting;
    },
    get indicator() {
      return p.indicator.pattern;
    },
    get indicatorCode() {
      return p.indicator.code;
    },
    get replies() {
      return p.serial.replies;
    },
    cartridgeType: p.cartridge.type,
    needles: p.cartridge.needles,
    get tipUm() {
      return mech.tipUm();
    },
    get carriageUm() {
      return mech.xUm;
    },
    get needle(): NeedlePosition {
      const tip = mech.tipUm();
      return tip < 0 && mech.xUm <= retractUm ? 'retracted' : tip > 0 ? 'in_skin' : 'between';
    },
    get faultAtTicks() {
      return telemetry.faultAtTicks;
    },
    get retractedAtTicks() {
      return telemetry.retractedAtTicks;
    },
    measure: () => p.measure(),
    tipSeries: () => p.trace?.tipSeries() ?? [],
    tipWindow: (fromTicks, toTicks) => p.trace?.tipWindow(fromTicks, toTicks) ?? [],
    ms: (ticks) => clock.ms(ticks),
    ticks: (ms) => clock.ticks(ms),
  };
}
