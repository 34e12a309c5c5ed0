// Simulated time: the step timer's tick count, the one clock every part reads (ticks are the MCU's,
// seconds are the world's: timerHz is the crystal's true rate).
export class SimClock {
  tTicks = 0;

  constructor(readonly timerHz: number) {}

  get nowMs(): number {
    return (this.tTicks * 1000) / this.timerHz;
  }
  ms(ticks: number): number {
    return (ticks * 1000) / this.timerHz;
  }
  ticks(ms: number): number {
    return Math.round((ms * this.timerHz) / 1000);
  }
}
