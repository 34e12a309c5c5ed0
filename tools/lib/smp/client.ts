// An SMP client over a serial line: 8-byte header [op, flags, length u16 BE, group u16 BE, seq, id]
// then a CBOR map (mcumgr's smp.h, version 1). Requests wait for the response with their seq; text
// lines on the same port (the bootloader's "boot: ..." lines) go to onText.
import { decode, encode, CborValue } from './cbor.js';
import { encodeFrame, FrameDecoder } from './framing.js';
import { SmpRefused, SmpTimeout } from './errors.js';

export const OP_READ = 0;
export const OP_WRITE = 2;
export const GROUP_OS = 0;
export const GROUP_IMAGE = 1;
export const HEADER_BYTES = 8;

export type SmpMap = { [key: string]: CborValue };

export interface Transport {
  write(data: Buffer): void;
  onData(listener: (data: Buffer) => void): void;
}

export function smpHeader(op: number, group: number, seq: number, id: number, bodyBytes: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h[0] = op;
  h.writeUInt16BE(bodyBytes, 2);
  h.writeUInt16BE(group, 4);
  h[6] = seq & 0xff;
  h[7] = id;
  return h;
}

interface Waiting {
  seq: number;
  resolve: (m: SmpMap) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class SmpClient {
  private seq = 0;
  private waiting: Waiting | undefined;
  private decoder = new FrameDecoder();
  onText: (line: string) => void = () => {};
  onBad: (why: string) => void = () => {};

  constructor(private readonly port: Transport) {
    port.onData((d) => {
      for (const ev of this.decoder.push(d)) {
        if (ev.kind === 'text') this.onText(ev.line);
        else if (ev.kind === 'bad') this.onBad(ev.why);
        else this.take(ev.message);
      }
    });
  }

  private take(msg: Buffer): void {
    if (msg.length < HEADER_BYTES || !this.waiting || msg[6] !== this.waiting.seq) return;
    const w = this.waiting;
    const len = msg.readUInt16BE(2);
    let body: CborValue;
    try {
      if (len !== msg.length - HEADER_BYTES)
        throw new Error(`its header says ${len} bytes of CBOR, it has ${msg.length - HEADER_BYTES}`);
      body = len ? decode(msg.subarray(HEADER_BYTES)) : {};
      if (body === null || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body))
        throw new Error('its body is not a CBOR map');
    } catch (e) {
      this.finish();
      w.reject(new Error(`the pen's answer is malformed: ${(e as Error).message}`));
      return;
    }
    this.finish();
    w.resolve(body as SmpMap);
  }

  private finish(): void {
    if (this.waiting) clearTimeout(this.waiting.timer);
    this.waiting = undefined;
  }

  /** Sends one request; resolves with the response map, or rejects with SmpRefused (rc != 0) or SmpTimeout. */
  async request(what: string, op: number, group: number, id: number, body: SmpMap, timeoutMs = 5000): Promise<SmpMap> {
    if (this.waiting) throw new Error('one request at a time');
    const seq = (this.seq = (this.seq + 1) & 0xff);
    const cbor = encode(body);
    const frame = encodeFrame(Buffer.concat([smpHeader(op, group, seq, id, cbor.length), cbor]));
    const answer = new Promise<SmpMap>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new SmpTimeout(`${what}: no answer from the pen in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = { seq, resolve, reject, timer };
    });
    this.port.write(frame);
    const m = await answer;
    if (typeof m.rc === 'number' && m.rc !== 0)
      throw new SmpRefused(what, m.rc, typeof m.rsn === 'string' ? m.rsn : undefined);
    return m;
  }

  close(): void {
    if (this.waiting) {
      const w = this.waiting;
      this.finish();
      w.reject(new Error('closed'));
    }
  }
}

export interface ImageSlot {
  slot: number;
  version: string;
  hash: Buffer;
  bootable: boolean;
  pending: boolean;
  confirmed: boolean;
  active: boolean;
  refused?: string;
  uploadOff?: number;
}

export function imageSlots(m: SmpMap): ImageSlot[] {
  const images = Array.isArray(m.images) ? m.images : [];
  return images.map((x) => {
    const i = x as SmpMap;
    return {
      slot: Number(i.slot ?? 0),
      version: String(i.version ?? '?'),
      hash: Buffer.isBuffer(i.hash) ? i.hash : Buffer.alloc(0),
      bootable: i.bootable === true,
      pending: i.pending === true,
      confirmed: i.confirmed === true,
      active: i.active === true,
      ...(typeof i.refused === 'string' ? { refused: i.refused } : {}),
      ...(typeof i.upload_off === 'number' ? { uploadOff: i.upload_off } : {}),
    };
  });
}
