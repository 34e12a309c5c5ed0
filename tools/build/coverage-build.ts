// An instrumented copy of the firmware for coverage (build/<board>/firmware.cov.wasm): the release
// build's own code, read back from firmware.wat (which keeps the function names the binary drops),
// with a call to the import `hal.cov_hit(id)` at each function entry and on each arm of every `if`
// and `br_if`. firmware.cov.json maps each id to its function, file and line. The release
// firmware.wasm is never touched; only `pen qa --coverage` runs the copy.
//
// Why at the wasm level and not with as-pect's coverage transform (@as-covers): its instrumented
// module imports `__asCovers.cover`/`coverDeclare` with string arguments, but the simulator gives a
// firmware instance the `hal` imports only, and the transform works on the sources before
// optimization, so it would measure a different program from the one that ships.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import binaryen from 'binaryen';
import { REPO_ROOT } from '../../boards/paths.js';
import { buildFirmware, writeAtomic } from './build.js';

type Ref = binaryen.ExpressionRef;
/** binaryen.js's expression and function wrappers, which its type declarations leave out */
const W = binaryen as unknown as {
  If: { getIfTrue(e: Ref): Ref; setIfTrue(e: Ref, x: Ref): void; getIfFalse(e: Ref): Ref; setIfFalse(e: Ref, x: Ref): void };
  Break: { getCondition(e: Ref): Ref; setCondition(e: Ref, x: Ref): void };
  Function: { setBody(f: binaryen.FunctionRef, body: Ref): void };
};

export type CounterKind = 'function' | 'then' | 'else' | 'taken' | 'not-taken';

export interface Counter {
  id: number;
  kind: CounterKind;
  /** the compiler's name, e.g. assembly/machine/Machine#tick */
  fn: string;
  /** source file relative to the repository, e.g. assembly/machine.ts */
  file: string;
  /** line of the function's declaration (the binary keeps no finer source positions) */
  line: number;
  /** branch site within the function (0, 1, ...), for lcov's block numbers; -1 for function entries */
  site: number;
}

export interface CoverageMap { board: string; wasmPath: string; counters: Counter[] }

export function coverageMapPath(board: string): string { return join(REPO_ROOT, 'build', board, 'firmware.cov.json'); }

/** `releaseWasm`: the release build made in this run already (its .wat beside it); built if absent. */
export async function buildCoverageFirmware(board = 'ref-pen', releaseWasm?: string): Promise<CoverageMap> {
  const release = releaseWasm ?? (await buildFirmware(board)).wasmPath;
  const wat = readFileSync(release.replace(/\.wasm$/, '.wat'), 'utf8');
  const { wasm, counters } = instrument(wat);
  const wasmPath = join(REPO_ROOT, 'build', board, 'firmware.cov.wasm');
  writeAtomic(wasmPath, wasm);
  const map: CoverageMap = { board, wasmPath, counters };
  writeAtomic(coverageMapPath(board), JSON.stringify(map));
  return map;
}

/** Child expressions by expression id: what the walk descends into (leaves have none). */
const CHILDREN: Record<number, string[]> = {
  [binaryen.BlockId]: ['children'], [binaryen.IfId]: ['condition', 'ifTrue', 'ifFalse'], [binaryen.LoopId]: ['body'],
  [binaryen.BreakId]: ['condition', 'value'], [binaryen.SwitchId]: ['condition', 'value'], [binaryen.CallId]: ['operands'],
  [binaryen.CallIndirectId]: ['target', 'operands'], [binaryen.LocalSetId]: ['value'], [binaryen.GlobalSetId]: ['value'],
  [binaryen.LoadId]: ['ptr'], [binaryen.StoreId]: ['ptr', 'value'], [binaryen.UnaryId]: ['value'], [binaryen.BinaryId]: ['left', 'right'],
  [binaryen.SelectId]: ['ifTrue', 'ifFalse', 'condition'], [binaryen.DropId]: ['value'], [binaryen.ReturnId]: ['value'],
  [binaryen.MemoryGrowId]: ['delta'], [binaryen.MemoryFillId]: ['dest', 'value', 'size'], [binaryen.MemoryCopyId]: ['dest', 'source', 'size'],
  [binaryen.MemoryInitId]: ['dest', 'offset', 'size'],
  [binaryen.NopId]: [], [binaryen.ConstId]: [], [binaryen.LocalGetId]: [], [binaryen.GlobalGetId]: [], [binaryen.UnreachableId]: [],
  [binaryen.MemorySizeId]: [], [binaryen.DataDropId]: [],
};

export function instrument(wat: string): { wasm: Uint8Array; counters: Counter[] } {
  const mod = binaryen.parseText(wat);
  try {
    const F = binaryen.Features;
    mod.setFeatures(F.SignExt | F.MutableGlobals | F.BulkMemory | F.NontrappingFPToInt);
    mod.addFunctionImport('__cov_hit', 'hal', 'cov_hit', binaryen.i32, binaryen.none);
    const counters: Counter[] = [];
    const hit = (c: Omit<Counter, 'id'>): binaryen.ExpressionRef => {
      counters.push({ id: counters.length, ...c });
      return mod.call('__cov_hit', [mod.i32.const(counters.length - 1)], binaryen.none);
    };
    const sources = new Map<string, string[]>();
    for (let i = 0; i < mod.getNumFunctions(); i++) {
      const f = mod.getFunctionByIndex(i);
      const info = binaryen.getFunctionInfo(f);
      if (info.module || !info.name.startsWith('assembly/') || !info.body) continue;
      const { file, line } = sourceOf(info.name, sources);
      // collect first, then rewrite: the rewrite adds ifs of its own that must not be counted
      const ifs: number[] = [];
      const brIfs: number[] = [];
      walk(info.body, (e, id) => {
        if (id === binaryen.IfId) ifs.push(e);
        else if (id === binaryen.BreakId && W.Break.getCondition(e)) brIfs.push(e);
      });
      const at = { fn: info.name, file, line };
      W.Function.setBody(f, mod.block(null, [hit({ ...at, kind: 'function', site: -1 }), info.body], info.results));
      let site = 0;
      for (const e of ifs) {
        const s = site++;
        const t = W.If.getIfTrue(e);
        W.If.setIfTrue(e, mod.block(null, [hit({ ...at, kind: 'then', site: s }), t], binaryen.getExpressionType(t)));
        const el = W.If.getIfFalse(e);
        W.If.setIfFalse(e, el ? mod.block(null, [hit({ ...at, kind: 'else', site: s }), el], binaryen.getExpressionType(el)) : hit({ ...at, kind: 'else', site: s }));
      }
      for (const e of brIfs) {
        const s = site++;
        const cond = W.Break.getCondition(e);
        W.Break.setCondition(e, mod.if(cond,
          mod.block(null, [hit({ ...at, kind: 'taken', site: s }), mod.i32.const(1)], binaryen.i32),
          mod.block(null, [hit({ ...at, kind: 'not-taken', site: s }), mod.i32.const(0)], binaryen.i32)));
      }
    }
    if (!mod.validate()) throw new Error('the instrumented firmware is not a valid module');
    return { wasm: mod.emitBinary(), counters };
  } finally {
    mod.dispose();
  }
}

function walk(e: number, visit: (e: number, id: number) => void): void {
  if (!e) return;
  const info = binaryen.getExpressionInfo(e) as unknown as Record<string, unknown> & { id: number };
  visit(e, info.id);
  const fields = CHILDREN[info.id];
  if (!fields) throw new Error(`coverage: expression kind ${info.id} is not handled`);
  for (const k of fields) {
    const v = info[k];
    if (Array.isArray(v)) for (const c of v as number[]) walk(c, visit);
    else if (typeof v === 'number') walk(v, visit);
  }
}

/**
 * The source file and declaration line of a function named by the compiler: `assembly/a/b/C#m`
 * is method m of class C in assembly/a/b.ts (or assembly/a.ts, whichever exists).
 */
export function sourceOf(name: string, cache: Map<string, string[]>): { file: string; line: number } {
  const parts = name.split('/');
  let file = 'assembly/index.ts';
  let member = parts[parts.length - 1];
  for (let n = parts.length - 1; n >= 2; n--) {
    const f = parts.slice(0, n).join('/') + '.ts';
    if (existsSync(join(REPO_ROOT, f))) { file = f; member = parts.slice(n).join('/'); break; }
  }
  let lines = cache.get(file);
  if (!lines) { lines = existsSync(join(REPO_ROOT, file)) ? readFileSync(join(REPO_ROOT, file), 'utf8').split('\n') : []; cache.set(file, lines); }
  const [owner, rest] = member.includes('#') ? member.split('#') : member.includes('.') ? [member.slice(0, member.indexOf('.')), member.slice(member.indexOf('.') + 1)] : ['', member];
  const bare = rest.replace(/^[gs]et:/, '').replace(/[~|<].*$/, '');
  let from = 0;
  if (owner) {
    const c = lines.findIndex((l) => new RegExp(`\\b(class|namespace)\\s+${esc(owner)}\\b`).test(l));
    if (c >= 0) from = c;
  }
  const decl = new RegExp(bare === 'constructor' ? '\\bconstructor\\s*\\(' : `(^|[\\s.])(function\\s+|get\\s+|set\\s+)?${esc(bare)}\\s*(<[^>]*>)?\\s*\\(`);
  for (let i = from; i < lines.length; i++) if (decl.test(lines[i]) && !/^\s*(\/\/|\*)/.test(lines[i])) return { file, line: i + 1 };
  return { file, line: from + 1 };
}

function esc(s: string): string { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }
