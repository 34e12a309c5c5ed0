// `pen build`: compile the firmware for one board into build/<board>/firmware.wasm.
import { mkdirSync, writeFileSync, renameSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import binaryen from 'binaryen';
import { loadBoard } from '../../boards/board.js';
import { REPO_ROOT } from '../../boards/paths.js';
import { firmwareConfigSource } from './firmware-config.js';
import { buildTextTable, useTextTable, textModule } from './text-table.js';
import { readdirSync } from 'node:fs';
import { firmwareDir } from './firmware-cache.js';

// What a microcontroller runtime (wasm3, WAMR, or wasm2c output) is promised: 32 KiB of module (one
// 64 KiB page holds it with room to spare; flash is not the limit on a 1 MiB part), one page of memory.
// asconfig.json trades a little speed for size (shrinkLevel 2), and shrink() below runs binaryen's -Oz
// over the compiler's output once more.
export const MAX_WASM_BYTES = 32 * 1024;
export const MAX_MEMORY_PAGES = 1;

export interface BuildResult {
  board: string;
  wasmPath: string;
  bytes: number;
  imports: string[];
  exports: string[];
  memoryPages: number;
}

export { firmwareDir, cacheRoots } from './firmware-cache.js';

/** Where the board's firmware is (or will be) built: build/<board>/, or the cache when build/ is read-only. */
export function firmwarePath(board: string): string {
  return join(firmwareDir(board, firmwareInputs(loadBoard(board)).key), 'firmware.wasm');
}

/** Writes a file through a temporary name, so a reader never sees half of it. */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Where the firmware imports its board constants from; each build supplies its own, in memory. */
const CONFIG_MODULE = join(REPO_ROOT, 'assembly', 'generated', 'board_config.ts');
/** The firmware's text table (tools/build/text-table.ts), likewise in memory. */
const TEXT_MODULE = join(REPO_ROOT, 'assembly', 'generated', 'text.ts');
const ASSEMBLY_DIR = join(REPO_ROOT, 'assembly');

function firmwareSources(): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of readdirSync(ASSEMBLY_DIR)) if (f.endsWith('.ts')) m.set(join(ASSEMBLY_DIR, f), readFileSync(join(ASSEMBLY_DIR, f), 'utf8'));
  return m;
}

/** The compiler's inputs for a board, and their key: same key, same module bytes. */
interface FirmwareInputs { config: string; sources: Map<string, string>; texts: ReturnType<typeof buildTextTable>; key: string }

function firmwareInputs(board: ReturnType<typeof loadBoard>): FirmwareInputs {
  const config = firmwareConfigSource(board);
  const sources = firmwareSources();
  const texts = buildTextTable([...sources.values()]);
  const h = createHash('sha256');
  const part = (name: string, text: string | Uint8Array): void => { h.update(`${name}\0${text.length}\0`); h.update(text); };
  for (const [path, src] of [...sources].sort(([a], [b]) => a.localeCompare(b))) part(path.slice(REPO_ROOT.length), src);
  part('board_config', config);
  part('text', textModule(texts));
  part('asconfig.json', readFileSync(join(REPO_ROOT, 'asconfig.json')));
  part('compiler', `assemblyscript ${asc.version} binaryen ${binaryenVersion()}`);
  // this file's own code (binaryen settings) and the text-table rewriting decide the bytes too
  for (const f of ['build.js', 'text-table.js']) part(f, readFileSync(fileURLToPath(new URL(`./${f}`, import.meta.url))));
  return { config, sources, texts, key: h.digest('hex') };
}

function binaryenVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'binaryen', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The build's key for a board: SHA-256 over the sources, the board's constants, the build settings and the compiler. */
export function firmwareKey(boardName: string): string {
  return firmwareInputs(loadBoard(boardName)).key;
}

/** Compiles the board's firmware, unless the build for the same key is already there. */
export async function buildFirmware(boardName = 'ref-pen'): Promise<BuildResult> {
  const board = loadBoard(boardName);
  const { config, sources, texts, key } = firmwareInputs(board);
  const outDir = firmwareDir(board.name, key);
  const keyFile = join(outDir, 'firmware.key');
  const wasmFile = join(outDir, 'firmware.wasm');
  if (existsSync(wasmFile) && existsSync(keyFile) && readFileSync(keyFile, 'utf8').trim() === key) return describe(board.name, wasmFile);
  mkdirSync(outDir, { recursive: true });
  writeAtomic(join(outDir, 'board_config.ts'), config); // for people to read; the compiler gets it below

  let log = '';
  const outputs = new Map<string, Uint8Array | string>();
  const sink = { write: (s: string | Uint8Array) => { log += typeof s === 'string' ? s : Buffer.from(s).toString(); return true; } };
  const { error } = await asc.main([
    'assembly/index.ts',
    '--outFile', 'firmware.wasm',
    '--textFile', 'firmware.wat',
    '--config', 'asconfig.json', // runtime, abort handler, memory limit, optimization
    '--target', 'release',
    '--debug', // names for firmware.wat; shrink() leaves them out of firmware.wasm
  ], {
    stdout: sink,
    stderr: sink,
    // builds for several boards may run at once: the board module never touches the disk
    readFile: (name: string, baseDir: string) => {
      const path = resolve(REPO_ROOT, baseDir, name);
      if (path === CONFIG_MODULE) return config;
      if (path === TEXT_MODULE) return textModule(texts);
      const src = sources.get(path);
      if (src !== undefined) return useTextTable(src, texts);
      return existsSync(path) ? readFileSync(path, 'utf8') : null;
    },
    writeFile: (name: string, contents: Uint8Array | string) => { outputs.set(name, contents); },
    listFiles: () => [],
  });
  if (error) throw new Error(`firmware did not compile for board ${board.name}:\n${log}`);
  const compiled = outputs.get('firmware.wasm');
  if (!(compiled instanceof Uint8Array)) throw new Error('the compiler wrote no firmware.wasm');
  const { wasm, wat } = shrink(compiled);
  writeAtomic(join(outDir, 'firmware.wat'), wat);
  writeAtomic(wasmFile, wasm);
  writeAtomic(keyFile, `${key}\n`); // last: a build cut short is never taken for a finished one
  return describe(board.name, wasmFile);
}

/**
 * binaryen -Oz (optimize level 2, shrink level 2) over the compiled module, with the features the
 * compiler used and no others, so the module stays within what wasm2c, wasm3 and WAMR run. Saves
 * about 490 bytes over the compiler's own pipeline. The text keeps the function names; the binary does not.
 */
function shrink(compiled: Uint8Array): { wasm: Uint8Array; wat: string } {
  const mod = binaryen.readBinary(compiled);
  try {
    const F = binaryen.Features;
    mod.setFeatures(F.SignExt | F.MutableGlobals | F.BulkMemory | F.NontrappingFPToInt);
    binaryen.setOptimizeLevel(2);
    binaryen.setShrinkLevel(2);
    binaryen.setAlwaysInlineMaxSize(4); // byte and word reads inline: no smaller as calls, and much faster in C
    // binaryen's own -Oz inlining, not what the compiler left set in this process (it inlines no
    // function for having one caller): inlining those saves about 370 bytes and a call each
    binaryen.setFlexibleInlineMaxSize(20);
    binaryen.setOneCallerInlineMaxSize(-1);
    binaryen.setDebugInfo(false);
    mod.optimize();
    // the functions called most first, where a call's index takes one byte of LEB128 (the module
    // has more than 127 functions with its imports), then -Oz once more over the new order: 59 bytes
    // less (32,738 -> 32,679), the ticks' worst 4 instructions more under QEMU (4,893 of 5,000)
    mod.runPasses(['reorder-functions']);
    mod.optimize();
    if (!mod.validate()) throw new Error('binaryen produced an invalid module');
    return { wasm: mod.emitBinary(), wat: mod.emitText() };
  } finally {
    mod.dispose();
  }
}

/** as-pect compiles the firmware's modules itself; it gets the reference board's constants on disk. */
export function writeTestConfig(boardName = 'ref-pen'): string {
  mkdirSync(join(REPO_ROOT, 'assembly', 'generated'), { recursive: true });
  writeAtomic(CONFIG_MODULE, firmwareConfigSource(loadBoard(boardName)));
  writeAtomic(TEXT_MODULE, textModule({ bytes: [], refs: new Map() })); // the tests use the string forms
  return CONFIG_MODULE;
}

export function describe(board: string, wasmPath: string): BuildResult {
  const bytes = readFileSync(wasmPath);
  const mod = new WebAssembly.Module(bytes);
  const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`);
  const exports = WebAssembly.Module.exports(mod).map((e) => e.name);
  return { board, wasmPath, bytes: bytes.length, imports, exports, memoryPages: memoryPages(bytes) };
}

/** Initial pages of the module's own memory, read from the memory section (id 5). */
export function memoryPages(bytes: Uint8Array): number {
  let p = 8;
  const uleb = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[p++];
      result |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return result >>> 0;
      shift += 7;
    }
  };
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = uleb();
    const end = p + size;
    if (id === 5) {
      const count = uleb();
      if (count === 0) return 0;
      const flags = uleb();
      const initial = uleb();
      const maximum = flags & 1 ? uleb() : undefined;
      return Math.max(initial, maximum ?? initial);
    }
    p = end;
  }
  return 0;
}
