// The endstop as a real slot sensor switches: it closes where the carriage passes its switching
// point and opens again only a hysteresis further out (a Schmitt-trigger output), so a carriage
// ringing at the switching point does not chatter it.
export class EndstopSwitch {
  private closed: boolean;

  constructor(
    private readonly pointUm: number,
    private readonly hysteresisUm: number,
    xUm: number,
  ) {
    this.closed = xUm <= pointUm;
  }

  /** the switch's state with the carriage at xUm */
  at(xUm: number): boolean {
    this.closed = this.closed ? xUm <= this.pointUm + this.hysteresisUm : xUm <= this.pointUm;
    return this.closed;
  }
}
