// The recording of one firmware run: every HAL call the module made, in order, with its arguments and
// the value the HAL returned, and where each init() and tick() began. The simulator writes it
// (host-sim/recorder.ts); a board port's replay harness feeds it back to the same module on the
// microcontroller (ports/stm32f405/replay.c) and checks that the module makes the same calls.
//
// Binary format, little-endian (docs/porting.md):
//   header  "PENREC" (6 bytes), u8 format version (2), u8 number of HAL imports in the table below
//   entries one opcode byte, then its payload:
//     0xF0 INIT  i32 reset cause     the module was (re)started and init() called
//     0xF1 TICK                      tick() called
//     0x00..  CALL of HAL_CALLS[op]: i32 per argument, then the return value (i32, i64, or none)
//     0xFF END
// The text form (one line per entry) is what both sides print and compare byte for byte:
//   "init 0", "tick", "step_queue_push(2500,1,0,5) -> 0", "serial_write(79)", "now_ticks() -> 16000"

import { HAL_CALLS as ABI_CALLS, RECORDING } from '../abi/pen-abi.js';

export type Ret = 'void' | 'i32' | 'i64';
export interface HalCall {
  name: string;
  args: number;
  ret: Ret;
}

/** Every HAL import, in the dictionary's order (abi/pen-abi.ts, as docs/hal-abi.md lists them). The index is the opcode. */
export const HAL_CALLS: readonly HalCall[] = ABI_CALLS.map((c) => ({
  name: c.name,
  args: c.params.length,
  ret: c.ret,
}));

export const MAGIC = RECORDING.magic;
export const FORMAT_VERSION = RECORDING.formatVersion;
export const OP_INIT = RECORDING.opInit;
export const OP_TICK = RECORDING.opTick;
export const OP_END = RECORDING.opEnd;
export const HEADER_BYTES = MAGIC.length + 2;

export type Entry =
  | { kind: 'init'; cause: number }
  | { kind: 'tick' }
  | { kind: 'call'; op: number; args: number[]; ret: number | bigint | undefined; retAt?: number };

export class RecordingError extends Error {}

/** Appends entries to a growing byte buffer. */
export class RecordingWriter {
  private buf = Buffer.alloc(1 << 16);
  private len = 0;
  constructor() {
    this.bytes(Buffer.from(MAGIC, 'latin1'));
    this.u8(FORMAT_VERSION);
    this.u8(HAL_CALLS.length);
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  private u8(v: number): void {
    this.room(1);
    this.buf[this.len++] = v;
  }
  private i32(v: number): void {
    this.room(4);
    this.buf.writeInt32LE(v | 0, this.len);
    this.len += 4;
  }
  private i64(v: bigint): void {
    this.room(8);
    this.buf.writeBigInt64LE(v, this.len);
    this.len += 8;
  }
  private bytes(b: Buffer): void {
    this.room(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }

  init(cause: number): void {
    this.u8(OP_INIT);
    this.i32(cause);
  }
  tick(): void {
    this.u8(OP_TICK);
  }
  call(op: number, args: readonly number[], ret: unknown): void {
    const c = HAL_CALLS[op];
    this.u8(op);
    for (let i = 0; i < c.args; i++) this.i32(Number(args[i]));
    if (c.ret === 'i32') this.i32(Number(ret));
    else if (c.ret === 'i64') this.i64(BigInt(ret as bigint));
  }
  /** The recording so far, closed with END. */
  finish(): Buffer {
    const out = Buffer.alloc(this.len + 1);
    this.buf.copy(out, 0, 0, this.len);
    out[this.len] = OP_END;
    return out;
  }
}

/** Reads a recording back into entries; a damaged file fails with the byte offset. */
export function decodeRecording(bytes: Uint8Array): Entry[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < HEADER_BYTES || b.toString('latin1', 0, MAGIC.length) !== MAGIC) {
    throw new RecordingError(`not a pen recording: it does not start with "${MAGIC}"`);
  }
  if (b[MAGIC.length] !== FORMAT_VERSION)
    throw new RecordingError(`recording format ${b[MAGIC.length]}, this reader takes ${FORMAT_VERSION}`);
  if (b[MAGIC.length + 1] !== HAL_CALLS.length) {
    throw new RecordingError(
      `recording lists ${b[MAGIC.length + 1]} HAL imports, this reader knows ${HAL_CALLS.length}`,
    );
  }
  const out: Entry[] = [];
  let p = HEADER_BYTES;
  const need = (n: number): void => {
    if (p + n > b.length) throw new RecordingError(`recording ends inside an entry at byte ${p}`);
  };
  for (;;) {
    need(1);
    const op = b[p++];
    if (op === OP_END) break;
    if (op === OP_INIT) {
      need(4);
      out.push({ kind: 'init', cause: b.readInt32LE(p) });
      p += 4;
      continue;
    }
    if (op === OP_TICK) {
      out.push({ kind: 'tick' });
      continue;
    }
    const c = HAL_CALLS[op];
    if (!c) throw new RecordingError(`unknown opcode 0x${op.toString(16)} at byte ${p - 1}`);
    const args: number[] = [];
    need(4 * c.args + (c.ret === 'i32' ? 4 : c.ret === 'i64' ? 8 : 0));
    for (let i = 0; i < c.args; i++) {
      args.push(b.readInt32LE(p));
      p += 4;
    }
    const retAt = p;
    let ret: number | bigint | undefined;
    if (c.ret === 'i32') {
      ret = b.readInt32LE(p);
      p += 4;
    } else if (c.ret === 'i64') {
      ret = b.readBigInt64LE(p);
      p += 8;
    }
    out.push({ kind: 'call', op, args, ret, retAt });
  }
  return out;
}

/** One entry as a line of the call log (no newline). */
export function entryLine(e: Entry): string {
  if (e.kind === 'init') return `init ${e.cause}`;
  if (e.kind === 'tick') return 'tick';
  const c = HAL_CALLS[e.op];
  const call = `${c.name}(${e.args.join(',')})`;
  return e.ret === undefined ? call : `${call} -> ${e.ret}`;
}

/** The call log of a recording: one line per entry, each ending in "\n". */
export function callLog(entries: readonly Entry[]): string {
  let s = '';
  for (const e of entries) s += entryLine(e) + '\n';
  return s;
}

/** Byte offsets of the values an input call returned (for tests that damage one on purpose). */
export function returnOffsets(bytes: Uint8Array, name: string): number[] {
  const op = HAL_CALLS.findIndex((c) => c.name === name);
  if (op < 0 || HAL_CALLS[op].ret === 'void')
    throw new RecordingError(`"${name}" is not a HAL import that returns a value`);
  return decodeRecording(bytes).flatMap((e) => (e.kind === 'call' && e.op === op ? [e.retAt!] : []));
}
