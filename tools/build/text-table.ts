// Firmware text in UTF-8, once. AssemblyScript keeps string literals as UTF-16 objects (two bytes a
// character, and a header each), which the pen's replies need not pay. The build swaps the literal of
// every put("..."), word("..."), putField("...", i) and wordIn("...") call for a reference into one
// byte table (assembly/generated/text.ts); the source stays readable and unit tests run it unchanged.
// A list ("a|bb|c", any literal with a '|') is stored as its fields, each after its length byte
// ([1]a[2]bb[1]c), so that finding field i or a word in it jumps from field to field: the control
// tick that answers a command stays short. put() of a list becomes putListText(). The module keeps
// the table packed (packText) and the firmware's init unpacks it into linear memory, once.

// a formatter may break a long call after its parenthesis: the literal may follow on the next line
const CALL = /\b(put|word|putField|wordIn)\(\s*"((?:[^"\\\n]|\\.)*)"/g;
const LEN_BITS = 10;

export interface TextTable { bytes: number[]; refs: Map<string, number> }

/** where the firmware states the longest word a lookup matches (WORD_MAX): the one source of it */
const WORD_MAX_DECL = /export const WORD_MAX: i32 = (\d+);/;

/**
 * Collects the literals of all sources into one table (identical texts stored once). A keyword of
 * word() or a name of wordIn() longer than the firmware's WORD_MAX (assembly/textio.ts, when among
 * the sources) is refused: a lookup reads no further into a word, so it could never match.
 */
export function buildTextTable(sources: string[]): TextTable {
  const t: TextTable = { bytes: [], refs: new Map() };
  const wordMax = sources.map((s) => WORD_MAX_DECL.exec(s)).find((m) => m !== null)?.[1];
  for (const src of sources) {
    for (const m of src.matchAll(CALL)) {
      const text = JSON.parse(`"${m[2]}"`) as string;
      if (m[1] === 'word' && text.includes('|')) throw new Error(`word("${text}"): one keyword, no '|' (a list is wordIn)`);
      if (wordMax !== undefined && (m[1] === 'word' || m[1] === 'wordIn')) {
        const long = text.split('|').find((w) => w.length > Number(wordMax));
        if (long !== undefined)
          throw new Error(
            `${m[1]}("${text}"): "${long}" is longer than WORD_MAX (${wordMax}) in assembly/textio.ts, so no line could match it: shorten it or raise WORD_MAX`,
          );
      }
      if (t.refs.has(text)) continue;
      const bytes = text.includes('|') ? listBytes(text) : [...Buffer.from(text, 'utf8')];
      if (bytes.length >= 1 << LEN_BITS) throw new Error(`firmware text too long (${bytes.length} bytes): ${text.slice(0, 40)}...`);
      if (bytes.some((b) => b > 127)) throw new Error(`firmware text must be ASCII: ${text}`);
      t.refs.set(text, (t.bytes.length << LEN_BITS) | bytes.length);
      t.bytes.push(...bytes);
    }
  }
  return t;
}

/** A list's fields, each after its length byte. */
function listBytes(text: string): number[] {
  return text.split('|').flatMap((f) => {
    const b = [...Buffer.from(f, 'utf8')];
    if (b.length > 255) throw new Error(`firmware list field too long: ${f.slice(0, 40)}...`);
    return [b.length, ...b];
  });
}

/** The source with each literal call turned into its ...Text(ref) form, and those imported. */
export function useTextTable(src: string, t: TextTable): string {
  const used = new Set<string>();
  const out = src.replace(CALL, (_all, fn: string, lit: string) => {
    const text = JSON.parse(`"${lit}"`) as string;
    const name = fn === 'put' && text.includes('|') ? 'putListText' : `${fn}Text`;
    used.add(name);
    return `${name}(${t.refs.get(text)}`;
  });
  if (!used.size || /^\s*export function putText\b/m.test(src)) return out; // textio.ts itself
  const imp = /import \{([^}]*)\} from "\.\/textio";/;
  if (!imp.test(out)) return `import { ${[...used].join(', ')} } from "./textio";\n${out}`;
  return out.replace(imp, (_m, names: string) => `import {${names.replace(/,\s*$/, '')}, ${[...used].join(', ')} } from "./textio";`);
}

/** codes 128-255 of the packed text: each stands for a pair of codes (ASCII leaves the top bit free) */
const FIRST_PAIR = 128;
/** the deepest pair nesting unpackText() recurses through (a few dozen bytes of stack a level) */
export const PACK_DEPTH_MAX = 16;

export interface PackedText {
  /** the pairs, two codes each, code FIRST_PAIR + i at 2 i */
  pairs: number[];
  /** the table as codes: below FIRST_PAIR a byte as it is, from it a pair */
  codes: number[];
  /** the deepest nesting of pairs */
  depth: number;
}

/**
 * Byte-pair coding of the table: the commonest pair of adjacent codes becomes a new code, again and
 * again while a pair recurs often enough to pay for its two bytes in the table and no pair nests
 * deeper than PACK_DEPTH_MAX. Deterministic: ties go to the pair met first.
 */
export function packText(bytes: number[]): PackedText {
  let codes = [...bytes];
  const pairs: number[] = [];
  const depthOf: number[] = []; // of each pair
  const depth = (c: number): number => (c < FIRST_PAIR ? 0 : depthOf[c - FIRST_PAIR]);
  while (FIRST_PAIR + pairs.length / 2 < 256) {
    const counts = new Map<number, number>();
    for (let i = 0; i + 1 < codes.length; i++) {
      const k = codes[i] * 256 + codes[i + 1];
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    let best = -1;
    let bestCount = 0;
    for (const [k, n] of counts) {
      if (n <= bestCount) continue;
      if (Math.max(depth(k >> 8), depth(k & 255)) + 1 > PACK_DEPTH_MAX) continue;
      best = k;
      bestCount = n;
    }
    // (an overlapping run such as "aaa" replaces fewer than it counts; below 3 the pair's entry costs what it saves)
    if (bestCount < 3) break;
    const code = FIRST_PAIR + pairs.length / 2;
    const a = best >> 8;
    const b = best & 255;
    const next: number[] = [];
    for (let i = 0; i < codes.length; i++) {
      if (i + 1 < codes.length && codes[i] === a && codes[i + 1] === b) {
        next.push(code);
        i++;
      } else next.push(codes[i]);
    }
    codes = next;
    pairs.push(a, b);
    depthOf.push(Math.max(depth(a), depth(b)) + 1);
  }
  return { pairs, codes, depth: Math.max(0, ...depthOf) };
}

/** The bytes the packed text stands for (what unpackText() writes). */
export function unpackedText(p: PackedText): number[] {
  const out: number[] = [];
  const expand = (c: number): void => {
    if (c < FIRST_PAIR) out.push(c);
    else {
      expand(p.pairs[2 * (c - FIRST_PAIR)]);
      expand(p.pairs[2 * (c - FIRST_PAIR) + 1]);
    }
  };
  p.codes.forEach(expand);
  return out;
}

/**
 * The table module: TEXT is a buffer in linear memory that unpackText() (init, before anything is
 * said) fills from the packed table, so that every reader copies and compares plain bytes as before
 * and no tick pays for the packing. The module keeps about a third less text.
 */
export function textModule(t: TextTable): string {
  const head = '// Generated by the firmware build (tools/build/text-table.ts). Do not edit.\n';
  if (t.bytes.length === 0)
    return `${head}export const TEXT: StaticArray<u8> = changetype<StaticArray<u8>>(memory.data(1));\nexport function unpackText(): void {}\n`;
  const p = packText(t.bytes);
  if (unpackedText(p).join() !== t.bytes.join()) throw new Error('the packed firmware text does not unpack to the table');
  const streamAt = p.pairs.length;
  return (
    head +
    `export const TEXT: StaticArray<u8> = changetype<StaticArray<u8>>(memory.data(${t.bytes.length}));\n` +
    `const PACKED: usize = memory.data<u8>([${[...p.pairs, ...p.codes].join(',')}]);\n` +
    `/** Writes code c's bytes at o; the address after them. Pairs nest at most ${p.depth} deep. */\n` +
    `function unpackCode(c: i32, o: usize): usize {\n` +
    `  if (c < ${FIRST_PAIR}) { store<u8>(o, <u8>c); return o + 1; }\n` +
    `  const pair = PACKED + (<usize>(c - ${FIRST_PAIR}) << 1);\n` +
    `  return unpackCode(<i32>load<u8>(pair, 1), unpackCode(<i32>load<u8>(pair), o));\n` +
    `}\n` +
    `/** Fills TEXT from the packed table (${p.codes.length} codes and ${p.pairs.length / 2} pairs for ${t.bytes.length} bytes). */\n` +
    `export function unpackText(): void {\n` +
    `  let o = changetype<usize>(TEXT);\n` +
    `  for (let i: usize = ${streamAt}; i < ${streamAt + p.codes.length}; i++) o = unpackCode(<i32>load<u8>(PACKED + i), o);\n` +
    `}\n`
  );
}
