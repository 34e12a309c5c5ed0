// What the firmware reports about itself (HAL report_state, report_setting, report_move): its state
// and fault, the setting in force, the move each next segment starts. On a fault it also times how
// long the needles take to leave the skin and to be back at the retract position.
import { HalImports, HalPart } from '../hal.js';
import { SimClock } from '../clock.js';
import { Trace } from '../trace.js';
import { Board } from '../../boards/board.js';
import { Mechanics } from '../mechanics.js';
import { MoveInfo } from '../executor.js';
import { STATES, FAULTS, CLAMPS, StateName } from '../names.js';

export interface Setting {
  depthUm: number;
  freqHz: number;
  askedHz: number;
  clamp: string;
}

export class Telemetry implements HalPart {
  state: StateName = 'off';
  fault = 'none';
  setting: Setting = { depthUm: 0, freqHz: 0, askedHz: 0, clamp: 'none' };
  readonly stateLog: { tTicks: number; state: string; fault: string }[] = [];
  /** when the firmware last entered fault, and when the needles were out of the skin and back */
  faultAtTicks: number | undefined;
  outOfSkinAtTicks: number | undefined;
  retractedAtTicks: number | undefined;

  constructor(
    private readonly board: Board,
    private readonly clock: SimClock,
    private readonly mech: Mechanics,
    private readonly trace: Trace | undefined,
    private readonly announceMove: (move: MoveInfo) => void,
  ) {}

  imports(): HalImports {
    return {
      report_state: (state: number, fault: number): void => this.onState(state, fault),
      report_setting: (depthUm: number, freqHz: number, askedHz: number, clamp: number): void =>
        this.onSetting(depthUm, freqHz, askedHz, clamp),
      report_move: (dir: number, steps: number, dur: number, acc: number): void =>
        this.announceMove({ dir, steps, durationTicks: dur, accelTicks: acc }),
    };
  }

  private onState(state: number, fault: number): void {
    const t = this.clock.tTicks;
    this.state = STATES[state] ?? ('unknown' as StateName);
    this.fault = FAULTS[fault] ?? String(fault);
    this.stateLog.push({ tTicks: t, state: this.state, fault: this.fault });
    this.trace?.event(t, 'state', `${this.state}${fault ? ` (${this.fault})` : ''}`);
    if (this.state === 'fault') {
      this.faultAtTicks = t;
      this.outOfSkinAtTicks = this.mech.tipUm() <= 0 ? t : undefined;
      this.retractedAtTicks = undefined;
      this.watchRetract(t);
    }
  }

  /** The pen lost power: it is off until its firmware reports again. */
  powerLost(): void {
    this.state = 'off';
    this.fault = 'none';
    this.stateLog.push({ tTicks: this.clock.tTicks, state: 'off', fault: 'none' });
    this.trace?.event(this.clock.tTicks, 'state', 'off (no power)');
  }

  private onSetting(depthUm: number, freqHz: number, askedHz: number, clamp: number): void {
    this.setting = { depthUm, freqHz, askedHz, clamp: CLAMPS[clamp] ?? String(clamp) };
    this.trace?.event(
      this.clock.tTicks,
      'setting',
      `depth ${depthUm} um, ${freqHz} Hz (asked ${askedHz}), clamp ${this.setting.clamp}`,
    );
  }

  /** After the carriage moved at t: note when the needles left the skin and got back after a fault. */
  watchRetract(t: number): void {
    if (this.faultAtTicks === undefined || this.retractedAtTicks !== undefined) return;
    if (this.outOfSkinAtTicks === undefined && this.mech.tipUm() <= 0) this.outOfSkinAtTicks = t;
    if (this.mech.xUm <= this.board.geometry.retract_um + this.mech.stepUm) this.retractedAtTicks = t;
  }
}
