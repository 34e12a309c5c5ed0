// The step queue test vectors (tests/vectors/step-queue.json): their shape, how two edge lists are
// compared, and the forms the other runners take them in (a C header for the port's host test, an
// as-pect spec for the fake HAL, which cannot read files at run time).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';

export const VECTORS_PATH = join(REPO_ROOT, 'tests', 'vectors', 'step-queue.json');

export type VectorOp =
  | { t: number; op: 'push'; args: [number, number, number, number]; ret: number }
  | { t: number; op: 'status' | 'free' | 'position'; ret: number }
  | { t: number; op: 'flush' };
/** null: never active; else active while position <= P, or from the k-th step (1-based) of the vector on */
export type Endstop = null | { at_or_below_position: number } | { from_step: number };
/** [tick, direction]: direction +1 toward the skin (SEG_EXTEND), -1 back */
export type Edge = [number, number];
export interface Vector {
  name: string;
  description: string;
  position: number;
  endstop: Endstop;
  ops: VectorOp[];
  end_ticks: number;
  edges: Edge[];
}
export interface VectorFile {
  queue_len: number;
  min_interval_ticks: number;
  vectors: Vector[];
}

export function loadVectors(path = VECTORS_PATH): VectorFile {
  return JSON.parse(readFileSync(path, 'utf8')) as VectorFile;
}

export function describeOp(op: VectorOp): string {
  return `${op.op}${op.op === 'push' ? `(${op.args.join(', ')})` : '()'} at ${op.t}`;
}

/** What a run differs in from its vector, first differing edge first; empty when it matches. */
export function differences(v: Vector, edges: Edge[], results: (number | undefined)[]): string[] {
  const out: string[] = [];
  const n = Math.max(edges.length, v.edges.length);
  for (let i = 0; i < n; i++) {
    const want = v.edges[i];
    const got = edges[i];
    if (want && got && want[0] === got[0] && want[1] === got[1]) continue;
    const show = (e: Edge | undefined) => (e ? `[${e[0]}, ${e[1]}]` : 'none');
    out.push(
      `vector ${v.name}: first differing edge #${i}: expected ${show(want)}, got ${show(got)} (${edges.length} edges, ${v.edges.length} expected)`,
    );
    break;
  }
  v.ops.forEach((op, i) => {
    if ('ret' in op && results[i] !== op.ret)
      out.push(`vector ${v.name}: op #${i} ${describeOp(op)} returned ${results[i]}, expected ${op.ret}`);
  });
  return out;
}

const C_OPS = {
  push: 'OP_PUSH',
  flush: 'OP_FLUSH',
  status: 'OP_STATUS',
  free: 'OP_FREE',
  position: 'OP_POSITION',
} as const;

function endstopFields(e: Endstop): string {
  if (e === null) return 'ENDSTOP_NEVER, 0';
  return 'at_or_below_position' in e
    ? `ENDSTOP_AT_OR_BELOW_POSITION, ${e.at_or_below_position}`
    : `ENDSTOP_FROM_STEP, ${e.from_step}`;
}

/** The vectors as a C header for ports/stm32f405/test/step_queue_test.cpp (it also sets the ring length). */
export function vectorsCHeader(file: VectorFile): string {
  const lines = [
    '/* Generated from tests/vectors/step-queue.json by tests/sim/port-drivers.test.ts: do not edit. */',
    '#ifndef STEP_QUEUE_VECTORS_H',
    '#define STEP_QUEUE_VECTORS_H',
    '#include <stdint.h>',
    `#define STEP_QUEUE_LEN ${file.queue_len}`,
    `#define MIN_STEP_INTERVAL_TICKS ${file.min_interval_ticks}`,
    'enum VecOpKind { OP_PUSH, OP_FLUSH, OP_STATUS, OP_FREE, OP_POSITION };',
    'enum VecEndstop { ENDSTOP_NEVER, ENDSTOP_AT_OR_BELOW_POSITION, ENDSTOP_FROM_STEP };',
    'struct VecOp { uint32_t t; int op; int32_t args[4]; int has_ret; int32_t ret; };',
    'struct VecEdge { uint32_t t; int32_t dir; };',
    'struct Vector { const char *name; int32_t position; int endstop; int32_t endstop_value; const VecOp *ops; int n_ops;',
    '                const VecEdge *edges; int n_edges; uint32_t end_ticks; };',
  ];
  file.vectors.forEach((v, k) => {
    const ops = v.ops.map((op) => {
      const args = op.op === 'push' ? op.args : [0, 0, 0, 0];
      const ret = 'ret' in op ? `1, ${op.ret}` : '0, 0';
      return `{${op.t}u, ${C_OPS[op.op]}, {${args.join(', ')}}, ${ret}}`;
    });
    // a sentinel edge keeps an empty list a valid array
    const edges = v.edges.map(([t, d]) => `{${t}u, ${d}}`).concat('{0u, 0}');
    lines.push(`static const VecOp vec${k}_ops[] = {\n  ${ops.join(',\n  ')}};`);
    lines.push(`static const VecEdge vec${k}_edges[] = {${edges.join(', ')}};`);
  });
  const rows = file.vectors.map(
    (v, k) =>
      `{${JSON.stringify(v.name)}, ${v.position}, ${endstopFields(v.endstop)}, vec${k}_ops, ${v.ops.length}, vec${k}_edges, ${v.edges.length}, ${v.end_ticks}u}`,
  );
  lines.push(`static const Vector vectors[] = {\n  ${rows.join(',\n  ')}};`);
  lines.push(`#define N_VECTORS ${file.vectors.length}`, '#endif', '');
  return lines.join('\n');
}

const AS_ENDSTOP = (e: Endstop): string =>
  e === null ? '0, 0' : 'at_or_below_position' in e ? `1, ${e.at_or_below_position}` : `2, ${e.from_step}`;

/** The vectors as an as-pect spec that drives the fake HAL's step queue model through the HAL imports. */
export function vectorsAsSpec(file: VectorFile): string {
  const out = [
    '// Generated from tests/vectors/step-queue.json by tests/sim/gen-test-config.ts: do not edit.',
    'import { step_queue_push, step_queue_free, step_queue_flush, step_queue_status, step_position } from "../../../assembly/hal";',
    'import { sq_model, sq_endstop, sq_run_to, sq_edges, sq_edge_ticks, sq_edge_dir, sq_off } from "../halfake";',
    '',
    'describe("step queue vectors (tests/vectors/step-queue.json) on the fake HAL", () => {',
  ];
  for (const v of file.vectors) {
    const name = JSON.stringify(v.name);
    out.push(`  test(${name}, () => {`);
    out.push(`    sq_model(${file.queue_len}, ${file.min_interval_ticks}, ${v.position});`);
    out.push(`    sq_endstop(${AS_ENDSTOP(v.endstop)});`);
    out.push(`    const r = new StaticArray<i32>(${Math.max(1, v.ops.length)});`);
    v.ops.forEach((op, i) => {
      out.push(`    sq_run_to(${op.t});`);
      if (op.op === 'push') out.push(`    r[${i}] = step_queue_push(${op.args.join(', ')});`);
      else if (op.op === 'flush') out.push('    step_queue_flush();');
      else out.push(`    r[${i}] = ${op.op === 'position' ? 'step_position' : `step_queue_${op.op}`}();`);
    });
    out.push(`    sq_run_to(${v.end_ticks});`);
    v.edges.forEach(([t, d], i) => {
      const msg = JSON.stringify(`vector ${v.name}: edge #${i}, expected [${t}, ${d}]`);
      out.push(`    expect(sq_edge_ticks(${i})).toBe(${t}, ${msg});`);
      out.push(`    expect(sq_edge_dir(${i})).toBe(${d}, ${msg});`);
    });
    out.push(
      `    expect(sq_edges()).toBe(${v.edges.length}, ${JSON.stringify(`vector ${v.name}: edges after the last expected one (#${v.edges.length} on)`)});`,
    );
    v.ops.forEach((op, i) => {
      if ('ret' in op)
        out.push(
          `    expect(r[${i}]).toBe(${op.ret}, ${JSON.stringify(`vector ${v.name}: op #${i} ${describeOp(op)}`)});`,
        );
    });
    out.push('    sq_off();', '  });');
  }
  out.push('});', '');
  return out.join('\n');
}
