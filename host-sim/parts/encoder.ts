// The shaft encoder (board `encoder`, HAL encoder_count and encoder_status): an absolute magnetic
// angle sensor on the motor shaft's rear end, as closed-loop steppers use, so the firmware can see
// what the rotor really did. The runtime reads it at the board's sample_hz and keeps the highest and
// lowest reading between the firmware's reads; each reading is the shaft's angle `latency_us` ago,
// with the sensor's noise, quantized to 2^bits counts per turn and offset by the angle set at
// assembly (zero_count, carriage at the endstop's design point). The angle comes from the physical
// rotor (physical model) or the kinematic carriage (ideal model: the commanded position less the
// lost steps). A board without an encoder gets NoEncoder: status absent, the firmware runs open loop.
import { HalImports, HalPart } from '../hal.js';
import { FaultSource, FaultTable } from '../faults.js';
import { Board, BoardEncoder } from '../../boards/board.js';
import { Mechanics } from '../mechanics.js';
import { Rng } from '../rng.js';
import { ENCODER_READS, ENCODER_STATUS } from '../../abi/pen-abi.js';

const code = (table: readonly { name: string; code: number }[], name: string): number =>
  table.find((c) => c.name === name)!.code;
const ENC_NOW = code(ENCODER_READS, 'now');
const ENC_HIGH = code(ENCODER_READS, 'high');
const ENC_LOW = code(ENCODER_READS, 'low');
const ENC_OK = code(ENCODER_STATUS, 'ok');
const ENC_ABSENT = code(ENCODER_STATUS, 'absent');
const ENC_ERROR = code(ENCODER_STATUS, 'error');

/** What the loop feeds an encoder: the carriage at each event, and at each of the physical model's integration steps. */
export interface EncoderSampler {
  observe(tTicks: number): void;
  observeAt(tTicks: number, xUm: number): void;
}

export class ShaftEncoder implements HalPart, FaultSource, EncoderSampler {
  /** counts per revolution */
  readonly countsPerRev: number;
  readonly spec: BoardEncoder;
  private readonly sampleTicks: number;
  private nextSampleTicks = 0;
  // (numbers from the start: the fields keep one representation, so V8 never migrates the object's shape)
  private now = 0;
  private high = 0;
  private low = 0;
  private failing = false;
  private readonly leadUm: number = 0;
  private readonly latencyUs: number = 0;
  private readonly noiseRms: number = 0;
  /** set false to read without noise (tests that compare with the true position) */
  noisy = true;

  constructor(
    board: Board,
    private readonly mech: Mechanics,
    private readonly rng: Rng,
    timerHz: number,
  ) {
    const e = board.encoder;
    if (!e) throw new Error(`board ${board.name} describes no shaft encoder (encoder)`);
    this.spec = e;
    this.countsPerRev = 2 ** e.bits;
    this.leadUm = board.drive.lead_mm * 1000;
    this.sampleTicks = timerHz / e.sample_hz;
    this.latencyUs = e.latency_us;
    this.noiseRms = e.noise_counts_rms;
    this.now = this.high = this.low = this.reading(this.trueCounts());
  }

  imports(): HalImports {
    return {
      encoder_count: (which: number): number => this.read(which),
      encoder_status: (): number => (this.failing ? ENC_ERROR : ENC_OK),
    };
  }

  /** The shaft's angle in counts (unwrapped, no noise, no latency): what a perfect sensor reads now. */
  trueCounts(): number {
    return this.spec.zero_count + (this.mech.shaftAngleRad() / (2 * Math.PI)) * this.countsPerRev;
  }

  /** The carriage position (um from the endstop's design point) a count stands for. */
  countToUm(counts: number): number {
    return ((counts - this.spec.zero_count) / this.countsPerRev) * this.leadUm;
  }

  /** The absolute angle within one turn, in counts (0 .. countsPerRev - 1), as the sensor reads it now. */
  angleCounts(): number {
    const c = Math.floor(this.trueCounts());
    return ((c % this.countsPerRev) + this.countsPerRev) % this.countsPerRev;
  }

  /**
   * One reading of a shaft at `counts` (a perfect sensor's): the angle latency_us ago (extrapolated
   * back at the present speed), noise, quantized.
   */
  private reading(counts: number): number {
    const ph = this.mech.phys;
    const vMps = ph ? ph.v : this.mech.vMps;
    const lagCounts = ((vMps * this.latencyUs) / this.leadUm) * this.countsPerRev;
    // from the encoder's own random stream (the pen's other draws keep their order)
    const noise = this.noisy && this.noiseRms > 0 ? this.rng.normal() * this.noiseRms : 0;
    return Math.floor(counts - lagCounts + noise);
  }

  /** The runtime's sampling interrupt: a reading at each sample time passed by t. */
  observe(tTicks: number): void {
    if (tTicks < this.nextSampleTicks) return;
    this.nextSampleTicks = tTicks + this.sampleTicks;
    this.take();
  }

  /**
   * ... and between events, at the physical model's integration steps (at most 40 us apart), where the
   * carriage was at xUm: near a turn the steps come a millisecond apart, and a peak read only at the
   * events was up to 12 um off the turn, stroke to stroke.
   */
  observeAt(tTicks: number, xUm: number): void {
    if (tTicks < this.nextSampleTicks) return;
    this.nextSampleTicks = tTicks + this.sampleTicks;
    this.keep(this.reading(this.spec.zero_count + (xUm / this.leadUm) * this.countsPerRev));
  }

  private take(): void {
    this.keep(this.reading(this.trueCounts()));
  }

  private keep(r: number): void {
    this.now = r;
    if (r > this.high) this.high = r;
    if (r < this.low) this.low = r;
  }

  private read(which: number): number {
    if (this.failing) return 0;
    this.take(); // the runtime reads the sensor for the firmware's call too
    if (which === ENC_HIGH) {
      const h = this.high;
      this.high = this.now;
      return h;
    }
    if (which === ENC_LOW) {
      const l = this.low;
      this.low = this.now;
      return l;
    }
    return which === ENC_NOW ? this.now : 0;
  }

  faults(): FaultTable {
    return {
      encoder_error: {
        inject: () => {
          this.failing = true;
        },
        clear: () => {
          this.failing = false;
        },
      },
    };
  }
}

/** A board without a shaft encoder: the firmware is told so and runs open loop. */
export class NoEncoder implements HalPart, FaultSource {
  imports(): HalImports {
    return { encoder_count: (): number => 0, encoder_status: (): number => ENC_ABSENT };
  }
  faults(): FaultTable {
    return { encoder_error: { inject: () => {}, clear: () => {} } }; // nothing there to fail
  }
}
