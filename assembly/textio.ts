// Reading a command line and writing a reply, in fixed buffers: no allocation, no trap.
//
// Text is written in the source as string literals: put("OK"), word("SET"), putField("a|b", i),
// wordIn("a|b"). The firmware build turns each literal into a reference into one ASCII table
// (tools/text-table.ts) and calls the ...Text() forms below; unit tests run the string forms.
import { serial_write } from "./hal";
import { TEXT } from "./generated/text";

export const LINE_MAX: i32 = 96;
export const line = new StaticArray<u8>(LINE_MAX);
export let lineLen: i32 = 0;
let pos: i32 = 0; // parse cursor

export function setLineLength(n: i32): void { lineLen = n; pos = 0; }

// ---- text: a string, or a reference (offset << 10 | length) into TEXT ------------------------

@inline function refLen(ref: i32): i32 { return ref & 1023; }
@inline function refByte(ref: i32, i: i32): i32 { return <i32>TEXT[(ref >>> 10) + i]; }

export function put(s: string): void { for (let i = 0; i < s.length; i++) serial_write(s.charCodeAt(i)); }
export function putText(ref: i32): void { for (let i = 0; i < refLen(ref); i++) serial_write(refByte(ref, i)); }

function upper(c: i32): i32 { return c >= 97 && c <= 122 ? c - 32 : c; }

function skipSpaces(): void { while (pos < lineLen && (line[pos] == 32 || line[pos] == 9)) pos++; }

/** End of the word at the cursor. */
function wordEnd(): i32 {
  let end = pos;
  while (end < lineLen && line[end] != 32 && line[end] != 9) end++;
  return end;
}

/** Consumes the keyword (upper case) if the line has it next as a whole word. */
export function word(w: string): bool {
  skipSpaces();
  const end = wordEnd();
  if (end - pos != w.length) return false;
  for (let i = 0; i < w.length; i++) if (upper(<i32>line[pos + i]) != w.charCodeAt(i)) return false;
  pos = end;
  return true;
}

export function wordText(ref: i32): bool {
  skipSpaces();
  const end = wordEnd();
  if (end - pos != refLen(ref)) return false;
  for (let i = 0; i < refLen(ref); i++) if (upper(<i32>line[pos + i]) != refByte(ref, i)) return false;
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
  for (let k = 0; k < to - from; k++) if (upper(<i32>line[pos + k]) != upper(list.charCodeAt(from + k))) return false;
  return true;
}

export function wordInText(ref: i32): i32 {
  skipSpaces();
  const end = wordEnd();
  let field = 0;
  let start = 0;
  const n = refLen(ref);
  for (let i = 0; i <= n; i++) {
    if (i == n || refByte(ref, i) == 124) {
      let same = i - start == end - pos;
      for (let k = 0; same && k < i - start; k++) same = upper(<i32>line[pos + k]) == upper(refByte(ref, start + k));
      if (same) { pos = end; return field; }
      field++;
      start = i + 1;
    }
  }
  return -1;
}

/** Writes the i-th of the '|'-separated names, or the number when there is no such name. */
export function putField(list: string, index: i32): void {
  let field = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list.charCodeAt(i);
    if (c == 124) { field++; continue; }
    if (field == index) serial_write(c);
    else if (field > index) return;
  }
  if (field < index || index < 0) putInt(index);
}

export function putFieldText(ref: i32, index: i32): void {
  let field = 0;
  for (let i = 0; i < refLen(ref); i++) {
    const c = refByte(ref, i);
    if (c == 124) { field++; continue; }
    if (field == index) serial_write(c);
    else if (field > index) return;
  }
  if (field < index || index < 0) putInt(index);
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
    const c = <i32>line[pos];
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
  if (c >= 48 && c <= 57) return c - 48;
  const u = upper(c);
  if (u >= 65 && u <= 70) return u - 55;
  return -1;
}

/** Exactly 2*n hex digits into out[0..n); false otherwise. */
export function hexBytes(out: StaticArray<u8>, n: i32): bool {
  skipSpaces();
  if (pos + 2 * n > lineLen) return false;
  for (let i = 0; i < n; i++) {
    const hi = hexDigit(<i32>line[pos + 2 * i]);
    const lo = hexDigit(<i32>line[pos + 2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = <u8>((hi << 4) | lo);
  }
  pos += 2 * n;
  return true;
}

export function endLine(): void { serial_write(10); }

export function putInt(v: i32): void {
  if (v < 0) { serial_write(45); v = -v; }
  putU32(<u32>v);
}

export function putU32(v: u32): void {
  let div: u32 = 1;
  while (v / div >= 10) div *= 10;
  while (div > 0) { serial_write(48 + <i32>((v / div) % 10)); div /= 10; }
}

/** micrometres as millimetres with two decimals */
export function putMm(um: i32): void {
  const hundredths = (um + 5) / 10;
  putInt(hundredths / 100);
  serial_write(46);
  const f = hundredths % 100;
  serial_write(48 + f / 10);
  serial_write(48 + f % 10);
}

export function putHex(bytes: StaticArray<u8>, n: i32): void {
  for (let i = 0; i < n; i++) {
    const b = <i32>bytes[i];
    serial_write((b >> 4) < 10 ? 48 + (b >> 4) : 87 + (b >> 4));
    serial_write((b & 15) < 10 ? 48 + (b & 15) : 87 + (b & 15));
  }
}
