// Reading a command line and writing a reply, in fixed buffers: no allocation, no trap.
//
// Text is written in the source as string literals: put("OK"), word("SET"), putField("a|b", i),
// wordIn("a|b"). The firmware build turns each literal into a reference into one ASCII table
// (tools/build/text-table.ts, where a list is stored as length-prefixed fields) and calls the ...Text()
// forms below; unit tests run the string forms.
import { STATIC_HEADER_BYTES, checked, checkedSet, staticArray } from "./statics";
import { serial_write } from "./hal";
import { TEXT } from "./generated/text";

export const LINE_MAX: i32 = 96;
export const line: StaticArray<u8> = staticArray<u8>(memory.data(STATIC_HEADER_BYTES + LINE_MAX, 16), LINE_MAX);
export let lineLen: i32 = 0;
let pos: i32 = 0; // parse cursor

export function setLineLength(n: i32): void { lineLen = min(n, LINE_MAX); pos = 0; } // (the reads below rely on it)

// ---- text: a string, or a reference (offset << 10 | length) into TEXT ------------------------

@inline function refLen(ref: i32): i32 { return ref & 1023; }
@inline function refByte(ref: i32, i: i32): i32 { return <i32>unchecked(TEXT[(ref >>> 10) + i]); } // refs come from the build

// ---- the reply: written whole into `tx`, sent a few bytes per tick -----------------------------
// A UART at 115200 baud moves about 11 bytes per 1 ms tick, and each byte is a HAL call: a long
// reply is sent over several ticks so that no tick does more than TX_BYTES_PER_TICK of them.

/** longer than any reply (STATUS?, the longest, is written in two parts of under 150 bytes) */
const TX_MAX: i32 = 256;
const TX_BYTES_PER_TICK: i32 = 12;
const tx: StaticArray<u8> = staticArray<u8>(memory.data(STATIC_HEADER_BYTES + TX_MAX, 16), TX_MAX);
let txLen: i32 = 0;
let txSent: i32 = 0;

export function out(c: i32): void { if (txLen < TX_MAX) unchecked(tx[txLen++] = <u8>c); } // in range: tested

/** Appends n bytes of static text at `from` (one bulk copy, not a call per byte). */
function outBytes(from: usize, n: i32): void {
  if (n > TX_MAX - txLen) n = TX_MAX - txLen;
  memory.copy(changetype<usize>(tx) + <usize>txLen, from, <usize>n);
  txLen += n;
}

let sentNow: i32 = 0; // bytes the last sendSome() sent

/** Bytes sent in this tick (sendSome runs first in every tick): the planner compresses less besides. */
export function bytesSent(): i32 {
  return sentNow;
}

/** Sends the next few bytes of the reply; true while some are left. */
export function sendSome(): bool {
  let n = 0;
  while (txSent < txLen && n < TX_BYTES_PER_TICK) {
    serial_write(<i32>unchecked(tx[txSent++])); // txSent < txLen <= TX_MAX
    n++;
  }
  sentNow = n;
  if (txSent < txLen) return true;
  txLen = 0;
  txSent = 0;
  return false;
}

export function resetTx(): void { txLen = 0; txSent = 0; }

export function put(s: string): void { for (let i = 0; i < s.length; i++) out(s.charCodeAt(i)); }
export function putText(ref: i32): void { outBytes(textAt(ref), refLen(ref)); }

@inline function textAt(ref: i32): usize { return changetype<usize>(TEXT) + <usize>(ref >>> 10); }

/**
 * A stored list, written back with its '|' separators: the fields and the length bytes between them
 * in one copy (as many bytes as the list written out), then each length byte after the first made
 * the separator before its field. (A copy per field took the reply to an unknown zone ~600
 * instructions of a tick on the STM32F405.)
 */
export function putListText(ref: i32): void {
  const at = textAt(ref);
  const n = min(refLen(ref) - 1, TX_MAX - txLen);
  if (n <= 0) return;
  memory.copy(changetype<usize>(tx) + <usize>txLen, at + 1, <usize>n);
  // (p - 1 < n: the separator's place was copied, below TX_MAX, and p below the list's length)
  for (let p = 1 + <i32>load<u8>(at); p - 1 < n; p += 1 + <i32>load<u8>(at + <usize>p))
    unchecked((tx[txLen + p - 1] = 124));
  txLen += n;
}

function upper(c: i32): i32 { return c >= 97 && c <= 122 ? c - 32 : c; }

/**
 * The longest keyword or name a lookup (word, wordIn) matches; the build refuses a longer one
 * (tools/build/text-table.ts). A lookup reads no further into a word, so a line of one long word
 * costs a tick no more than a short one: a 95-byte unknown verb while stroking took a tick of the
 * STM32F405 port to 6,379 of its 5,000 instructions, read to its end at every lookup (docs/porting.md).
 */
export const WORD_MAX: i32 = 24;

// (the reads below stay before lineLen, at most LINE_MAX, the line's length: in range)
function skipSpaces(): void {
  while (pos < lineLen) {
    const c = unchecked(line[pos]);
    if (c != 32 && c != 9) return;
    pos++;
  }
}

/** End of the word at the cursor; for a word longer than WORD_MAX, a point past WORD_MAX (no lookup matches it). */
function wordEnd(): i32 {
  const stop = min(lineLen, pos + WORD_MAX + 1);
  let end = pos;
  while (end < stop) {
    const c = unchecked(line[end]);
    if (c == 32 || c == 9) break;
    end++;
  }
  return end;
}

/** Consumes the keyword (upper case) if the line has it next as a whole word. */
export function word(w: string): bool {
  skipSpaces();
  const end = wordEnd();
  if (end - pos != w.length) return false;
  for (let i = 0; i < w.length; i++) if (upper(<i32>checked(line, pos + i)) != w.charCodeAt(i)) return false;
  pos = end;
  return true;
}

export function wordText(ref: i32): bool {
  skipSpaces();
  const end = wordEnd();
  if (end - pos != refLen(ref)) return false;
  for (let i = 0; i < refLen(ref); i++) if (upper(<i32>checked(line, pos + i)) != refByte(ref, i)) return false;
  pos = end;
  return true;
}

/** Consumes one of the '|'-separated names (any case); its index, or -1. */
export function wordIn(list: string): i32 {
  skipSpaces();
  const end = wordEnd();
  let field = 0;
  let start = 0;
  for (let i = 0; i <= list.length; i++) {
    if (i == list.length || list.charCodeAt(i) == 124) {
      if (matchesLine(list, start, i, end)) { pos = end; return field; }
      field++;
      start = i + 1;
    }
  }
  return -1;
}

function matchesLine(list: string, from: i32, to: i32, end: i32): bool {
  if (to - from != end - pos) return false;
  for (let k = 0; k < to - from; k++) if (upper(<i32>checked(line, pos + k)) != upper(list.charCodeAt(from + k))) return false;
  return true;
}

export function wordInText(ref: i32): i32 {
  skipSpaces();
  const end = wordEnd();
  const at = textAt(ref);
  let field = 0;
  // from field to field by their length bytes; only a field as long as the word is compared
  for (let p = 0; p < refLen(ref); field++) {
    const n = <i32>load<u8>(at + <usize>p);
    let same = n == end - pos;
    for (let k = 0; same && k < n; k++) same = upper(<i32>checked(line, pos + k)) == upper(<i32>load<u8>(at + <usize>(p + 1 + k)));
    if (same) { pos = end; return field; }
    p += 1 + n;
  }
  return -1;
}

/** Writes the i-th of the '|'-separated names, or the number when there is no such name. */
export function putField(list: string, index: i32): void {
  let field = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list.charCodeAt(i);
    if (c == 124) { field++; continue; }
    if (field == index) out(c);
    else if (field > index) return;
  }
  if (field < index || index < 0) putInt(index);
}

export function putFieldText(ref: i32, index: i32): void {
  const at = textAt(ref);
  let p = 0;
  for (let field = 0; p < refLen(ref); field++) {
    const n = <i32>load<u8>(at + <usize>p);
    if (field == index) { outBytes(at + <usize>p + 1, n); return; }
    p += 1 + n;
  }
  putInt(index); // no such name
}

// ---- numbers ---------------------------------------------------------------------------------

export function atEnd(): bool { skipSpaces(); return pos >= lineLen; }

/** A decimal with up to `decimals` fraction digits, as a scaled integer; -1 on bad input. */
export function number(decimals: i32): i32 {
  skipSpaces();
  let v: i32 = 0;
  let digits = 0;
  let frac = -1; // fraction digits seen, -1 before the point
  while (pos < lineLen) {
    const c = <i32>checked(line, pos);
    if (c >= 48 && c <= 57) {
      if (frac >= decimals) return -1;
      if (digits >= 6) return -1; // keeps v far from overflow
      v = v * 10 + (c - 48);
      digits++;
      if (frac >= 0) frac++;
    } else if (c == 46 && frac < 0 && decimals > 0) {
      frac = 0;
    } else if (c == 32 || c == 9) {
      break;
    } else {
      return -1;
    }
    pos++;
  }
  if (digits == 0) return -1;
  let f = frac < 0 ? 0 : frac;
  while (f < decimals) { v *= 10; f++; }
  return v;
}

function hexDigit(c: i32): i32 {
  const d = c - 48;
  if (<u32>d < 10) return d;
  const h = (c | 32) - 97; // a..f, either case
  return <u32>h < 6 ? h + 10 : -1;
}

/** Exactly 2*n hex digits into out[0..n); false otherwise. */
export function hexBytes(out: StaticArray<u8>, n: i32): bool {
  skipSpaces();
  if (pos + 2 * n > lineLen) return false;
  for (let i = 0; i < n; i++) {
    const hi = hexDigit(<i32>checked(line, pos + 2 * i));
    const lo = hexDigit(<i32>checked(line, pos + 2 * i + 1));
    if (hi < 0 || lo < 0) return false;
    checkedSet(out, i, <u8>((hi << 4) | lo));
  }
  pos += 2 * n;
  return true;
}

/** The cursor after spaces: where the next word starts. */
export function cursor(): i32 { skipSpaces(); return pos; }

/** The byte written as two hex digits at line[i], line[i+1]; -1 when they are not hex. */
export function hexPair(i: i32): i32 {
  const hi = hexDigit(<i32>checked(line, i));
  const lo = hexDigit(<i32>checked(line, i + 1));
  return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
}

export function endLine(): void { out(10); }

export function putInt(v: i32): void {
  if (v < 0) { out(45); v = -v; }
  putU32(<u32>v);
}

/** Digits written from the last one back (a division by the constant 10 a digit, no general division): a LOG line holds twelve. */
export function putU32(v: u32): void {
  let digits = 1;
  for (let d = v; d >= 10; d /= 10) digits++;
  // the digits past the end of `tx` are dropped, as out() drops them
  for (let i = digits - 1; i >= 0; i--) {
    const at = txLen + i;
    if (at < TX_MAX) unchecked(tx[at] = <u8>(48 + <i32>(v % 10))); // in range: at < TX_MAX
    v /= 10;
  }
  txLen = min(txLen + digits, TX_MAX);
}

/** micrometres as millimetres with two decimals */
export function putMm(um: i32): void {
  const hundredths = (um + 5) / 10;
  putInt(hundredths / 100);
  out(46);
  const f = hundredths % 100;
  out(48 + f / 10);
  out(48 + f % 10);
}

export function putHex(bytes: StaticArray<u8>, n: i32): void {
  for (let i = 0; i < n; i++) {
    const b = <i32>checked(bytes, i);
    out((b >> 4) < 10 ? 48 + (b >> 4) : 87 + (b >> 4));
    out((b & 15) < 10 ? 48 + (b & 15) : 87 + (b & 15));
  }
}
