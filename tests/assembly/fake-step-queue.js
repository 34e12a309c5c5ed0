// A timed model of the step queue for the fake HAL (as-pect.config.js): what a spec gets from the
// hal.step_queue_* imports after halfake sq_model(). It follows tests/vectors/step-queue.json, as the
// simulator's executor and the port's do: each segment's first step `interval` after the previous
// step (after the push when idle), the interval growing by `add` per step; the endstop looked at after
// each step of a SEG_STOP_AT_ENDSTOP segment.
const SEG_EXTEND = 1;
const SEG_STOP_AT_ENDSTOP = 2;
const SEG_END_OF_MOVE = 4;
const QSTAT_BUSY = 1;
const QSTAT_UNDERRUN = 2;
const QSTAT_ENDSTOP_STOP = 4;

export class FakeStepQueue {
  constructor(queueLen, minIntervalTicks, position) {
    this.queueLen = queueLen;
    this.minIntervalTicks = minIntervalTicks;
    this.position = position;
    this.nowTicks = 0;
    this.queue = []; // waiting segments
    this.seg = null; // the segment under execution: { interval, left, add, flags }
    this.lastStepTicks = 0;
    this.latched = 0;
    this.edges = []; // [ticks, direction] of every step made
    this.endstop = () => false;
  }

  /** mode 0: never active; 1: while position <= value; 2: from the value-th step on */
  setEndstop(mode, value) {
    this.endstop =
      mode === 1 ? () => this.position <= value : mode === 2 ? () => this.edges.length >= value : () => false;
  }

  push(interval, count, add, flags) {
    const last = interval + add * (count - 1);
    if (count < 1 || interval < this.minIntervalTicks || last < this.minIntervalTicks || last > 0x7fffffff) return -2;
    if (this.queue.length >= this.queueLen) return -1;
    this.queue.push({ interval, left: count, add, flags });
    if (!this.seg) {
      this.lastStepTicks = this.nowTicks;
      this.seg = this.queue.shift();
    }
    return 0;
  }

  free() {
    return this.queueLen - this.queue.length;
  }
  status() {
    return (this.seg ? QSTAT_BUSY : 0) | this.latched;
  }
  flush() {
    this.seg = null;
    this.queue = [];
    this.latched = 0;
  }

  /** Makes every step due up to `ticks`, then stands there. */
  runTo(ticks) {
    while (this.seg && this.lastStepTicks + this.seg.interval <= ticks) this.stepOnce();
    this.nowTicks = Math.max(this.nowTicks, ticks);
  }

  stepOnce() {
    const s = this.seg;
    const dir = s.flags & SEG_EXTEND ? 1 : -1;
    this.lastStepTicks += s.interval;
    this.position += dir;
    this.edges.push([this.lastStepTicks, dir]);
    s.interval += s.add;
    if (--s.left === 0) {
      this.seg = this.queue.shift() ?? null;
      if (!this.seg && !(s.flags & SEG_END_OF_MOVE)) this.latched |= QSTAT_UNDERRUN;
    }
    if (s.flags & SEG_STOP_AT_ENDSTOP && this.endstop()) {
      this.seg = null;
      this.queue = [];
      this.latched |= QSTAT_ENDSTOP_STOP;
    }
  }
}
