// The CBOR (RFC 8949) of SMP messages: maps with text keys, unsigned and negative integers, byte
// and text strings, booleans, arrays. Decoding refuses what it does not know instead of guessing.

export type CborValue = number | string | boolean | null | Buffer | CborValue[] | { [key: string]: CborValue };

export class CborError extends Error {}

function head(major: number, n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`CBOR argument ${n} out of range`);
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n <= 0xff) return Buffer.from([(major << 5) | 24, n]);
  if (n <= 0xffff) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

export function encode(v: CborValue): Buffer {
  if (v === null) return Buffer.from([0xf6]);
  if (typeof v === 'boolean') return Buffer.from([v ? 0xf5 : 0xf4]);
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') {
    const s = Buffer.from(v, 'utf8');
    return Buffer.concat([head(3, s.length), s]);
  }
  if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(encode)]);
  const keys = Object.keys(v);
  return Buffer.concat([head(5, keys.length), ...keys.flatMap((k) => [encode(k), encode(v[k])])]);
}

/** Decodes exactly one item filling `buf`; CborError on anything truncated, trailing or unknown. */
export function decode(buf: Buffer): CborValue {
  let at = 0;
  const need = (n: number): void => {
    if (at + n > buf.length) throw new CborError(`truncated at byte ${at}`);
  };
  const item = (depth: number): CborValue => {
    if (depth > 16) throw new CborError('nested too deep');
    need(1);
    const b = buf[at++],
      major = b >> 5,
      ai = b & 31;
    let arg = 0,
      indefinite = false;
    if (ai < 24) arg = ai;
    else if (ai === 24) {
      need(1);
      arg = buf[at];
      at += 1;
    } else if (ai === 25) {
      need(2);
      arg = buf.readUInt16BE(at);
      at += 2;
    } else if (ai === 26) {
      need(4);
      arg = buf.readUInt32BE(at);
      at += 4;
    } else if (ai === 27) {
      need(8);
      const big = buf.readBigUInt64BE(at);
      at += 8;
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new CborError('integer above 2^53');
      arg = Number(big);
    } else if (ai === 31 && major >= 2 && major <= 5) indefinite = true;
    else throw new CborError(`unsupported head 0x${b.toString(16)} at byte ${at - 1}`);
    const brk = (): boolean => {
      need(1);
      if (buf[at] === 0xff) {
        at++;
        return true;
      }
      return false;
    };
    switch (major) {
      case 0:
        return arg;
      case 1:
        return -1 - arg;
      case 2:
      case 3: {
        if (indefinite) {
          const parts: Buffer[] = [];
          while (!brk()) {
            const p = item(depth + 1);
            if (typeof p === 'string') parts.push(Buffer.from(p));
            else if (Buffer.isBuffer(p)) parts.push(p);
            else throw new CborError('bad string chunk');
          }
          const all = Buffer.concat(parts);
          return major === 2 ? all : all.toString('utf8');
        }
        need(arg);
        const s = buf.subarray(at, at + arg);
        at += arg;
        return major === 2 ? Buffer.from(s) : s.toString('utf8');
      }
      case 4: {
        const a: CborValue[] = [];
        for (let i = 0; indefinite ? !brk() : i < arg; i++) a.push(item(depth + 1));
        return a;
      }
      case 5: {
        const m: { [key: string]: CborValue } = {};
        for (let i = 0; indefinite ? !brk() : i < arg; i++) {
          const k = item(depth + 1);
          if (typeof k !== 'string' && typeof k !== 'number')
            throw new CborError('map key is neither text nor a number');
          m[String(k)] = item(depth + 1);
        }
        return m;
      }
      case 7:
        if (ai === 20) return false;
        if (ai === 21) return true;
        if (ai === 22 || ai === 23) return null;
        throw new CborError(`unsupported simple value ${ai}`);
      default:
        throw new CborError(`tags (major type 6) are not used by SMP`);
    }
  };
  const v = item(0);
  if (at !== buf.length) throw new CborError(`${buf.length - at} bytes after the item`);
  return v;
}
