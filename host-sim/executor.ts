// The step queue and the hardware timer that executes it: each segment is `count` steps, the first
// `interval` ticks after the previous step, the interval growing by `add` per step (HAL step_queue_*).
export const SEG_EXTEND = 1;
export const SEG_STOP_AT_ENDSTOP = 2;
export const SEG_END_OF_MOVE = 4;

export const QSTAT_BUSY = 1;
export const QSTAT_UNDERRUN = 2;
export const QSTAT_ENDSTOP_STOP = 4;

export const PUSH_OK = 0;
export const PUSH_FULL = -1;
export const PUSH_BAD = -2;
/** the longest step interval a segment may reach: an i32, as the HAL passes intervals */
export const MAX_INTERVAL_TICKS = 0x7fffffff;

/** A planned move the firmware announced (HAL report_move); it starts with the next pushed segment. */
export interface MoveInfo {
  dir: number;
  steps: number;
  durationTicks: number;
  accelTicks: number;
}

export class StepExecutor {
  private readonly cap: number;
  private readonly qInterval: Int32Array;
  private readonly qCount: Int32Array;
  private readonly qAdd: Int32Array;
  private readonly qFlags: Int32Array;
  private readonly qMove: (MoveInfo | undefined)[];
  private head = 0;
  private size = 0;
  private pendingMove: MoveInfo | undefined;

  // segment under execution
  private active = false;
  private remaining = 0;
  private interval = 0;
  private add = 0;
  private flags = 0;
  /** time of the last executed step (ticks); the next step is at lastStepTicks + interval */
  lastStepTicks = 0;
  /** executed steps, signed, positive toward the skin (HAL step_position) */
  position = 0;
  private latched = 0;
  /** the move whose first segment was loaded last, and when it ideally began */
  move: MoveInfo | undefined;
  moveStartTicks = 0;
  moveStep = 0;
  private idleSince = 0;
  totalSteps = 0;
  pushes = 0;

  constructor(
    capacity: number,
    private readonly minIntervalTicks: number,
  ) {
    this.cap = capacity;
    this.qInterval = new Int32Array(capacity);
    this.qCount = new Int32Array(capacity);
    this.qAdd = new Int32Array(capacity);
    this.qFlags = new Int32Array(capacity);
    this.qMove = new Array(capacity).fill(undefined);
  }

  get free(): number {
    return this.cap - this.size;
  }
  get busy(): boolean {
    return this.active || this.size > 0;
  }
  status(): number {
    return (this.busy ? QSTAT_BUSY : 0) | this.latched;
  }
  /** time of the next step, or Infinity when idle */
  nextStepTicks(): number {
    return this.active ? this.lastStepTicks + this.interval : Infinity;
  }
  /** direction of the step at nextStepTicks(): +1 toward the skin, -1 back */
  get dir(): number {
    return this.flags & SEG_EXTEND ? 1 : -1;
  }
  get stopsAtEndstop(): boolean {
    return (this.flags & SEG_STOP_AT_ENDSTOP) !== 0;
  }

  announce(move: MoveInfo): void {
    this.pendingMove = move;
  }

  push(nowTicks: number, interval: number, count: number, add: number, flags: number): number {
    const lastInterval = interval + add * (count - 1); // the interval is linear: its ends bound it
    // an interval past the i32 range is refused, as a 32-bit step timer must
    if (
      !(count >= 1) ||
      !(interval >= this.minIntervalTicks) ||
      lastInterval < this.minIntervalTicks ||
      lastInterval > MAX_INTERVAL_TICKS
    )
      return PUSH_BAD;
    if (this.size === this.cap) return PUSH_FULL;
    const i = (this.head + this.size) % this.cap;
    this.qInterval[i] = interval;
    this.qCount[i] = count;
    this.qAdd[i] = add;
    this.qFlags[i] = flags;
    this.qMove[i] = this.pendingMove;
    this.pendingMove = undefined;
    this.size++;
    this.pushes++;
    if (!this.active) {
      this.lastStepTicks = nowTicks; // an idle timer starts counting from the push
      this.idleSince = nowTicks;
      this.load();
    }
    return PUSH_OK;
  }

  private load(): boolean {
    if (this.size === 0) {
      this.active = false;
      return false;
    }
    const h = this.head;
    const wasActive = this.active;
    this.interval = this.qInterval[h];
    this.remaining = this.qCount[h];
    this.add = this.qAdd[h];
    this.flags = this.qFlags[h];
    const mv = this.qMove[h];
    this.qMove[h] = undefined;
    this.head = (h + 1) % this.cap;
    this.size--;
    this.active = true;
    if (mv) {
      // a chained move ideally starts where the previous one ideally ended
      const prev = this.move;
      this.moveStartTicks = wasActive && prev ? this.moveStartTicks + prev.durationTicks : this.idleSince;
      this.move = mv;
      this.moveStep = 0;
    }
    return true;
  }

  /** Executes the step due at nextStepTicks(); returns its direction. */
  step(): number {
    const d = this.flags & SEG_EXTEND ? 1 : -1;
    this.lastStepTicks += this.interval;
    this.position += d;
    this.totalSteps++;
    this.moveStep++;
    this.interval += this.add;
    if (--this.remaining === 0) {
      const ended = (this.flags & SEG_END_OF_MOVE) !== 0;
      if (!this.load()) {
        if (!ended) this.latched |= QSTAT_UNDERRUN;
        this.idleSince = this.lastStepTicks;
        this.move = undefined;
      }
    }
    return d;
  }

  /** A timer fault: what was queued is lost while a move is under way (the firmware must notice). */
  dropQueue(): void {
    if (!this.busy) return;
    this.clear();
    this.latched |= QSTAT_UNDERRUN;
  }

  /** The endstop stopped a segment that asked for it. */
  stopAtEndstop(): void {
    this.clear();
    this.latched |= QSTAT_ENDSTOP_STOP;
  }

  flush(): void {
    this.clear();
    this.latched = 0;
  }

  private clear(): void {
    this.active = false;
    this.size = 0;
    this.remaining = 0;
    this.move = undefined;
    this.pendingMove = undefined;
    for (let i = 0; i < this.cap; i++) this.qMove[i] = undefined;
  }
}
