// SMP's serial framing, CBOR and CRC (tools/lib/smp/) on the host: round trips, the CRC's check
// value, truncated and corrupted frames, console text between frames, and a seeded fuzz.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';
import { crc16, encodeFrame, FrameDecoder, LINE_MAX_BYTES, FrameEvent } from '../../tools/lib/smp/framing.js';
import { encode, decode, CborError, CborValue } from '../../tools/lib/smp/cbor.js';
import { smpHeader, SmpClient, Transport, OP_WRITE, GROUP_IMAGE } from '../../tools/lib/smp/client.js';
import { SmpRefused, rcText } from '../../tools/lib/smp/errors.js';
import { tempDir } from './tmp-dir.js';

/** mulberry32: a small seeded generator, so a failing fuzz case can be replayed */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const bytes = (r: () => number, n: number): Buffer =>
  Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
const messages = (evs: FrameEvent[]): Buffer[] => evs.flatMap((e) => (e.kind === 'message' ? [e.message] : []));

test('CRC-16/XMODEM: the check value of "123456789" is 0x31c3', () => {
  assert.equal(crc16(Buffer.from('123456789')), 0x31c3);
});

test('a frame starts with 0x06 0x09, continues with 0x04 0x14, lines of at most 127 bytes, each ending in a newline', () => {
  const msg = bytes(rng(1), 700);
  const frame = encodeFrame(msg);
  const lines = frame.toString('latin1').split('\n').slice(0, -1);
  assert.ok(lines.length > 1);
  lines.forEach((l, i) => {
    assert.deepEqual([l.charCodeAt(0), l.charCodeAt(1)], i ? [0x04, 0x14] : [0x06, 0x09]);
    assert.ok(l.length + 1 <= LINE_MAX_BYTES, `line ${i} is ${l.length + 1} bytes`);
    assert.equal((l.length - 2) % 4, 0, 'each line decodes on its own');
  });
  const packet = Buffer.concat(lines.map((l) => Buffer.from(l.slice(2), 'base64')));
  assert.equal(packet.readUInt16BE(0), msg.length + 2, 'the length counts the message and the CRC');
  assert.equal(packet.readUInt16BE(2 + msg.length), crc16(msg));
  assert.deepEqual(messages(new FrameDecoder().push(frame)), [msg]);
});

test('console text between frames is passed on as text; frames split anywhere still decode', () => {
  const a = Buffer.from('first'),
    b = bytes(rng(2), 300);
  const stream = Buffer.concat([
    Buffer.from('boot: starting slot A\r\n'),
    encodeFrame(a),
    Buffer.from('hello\n'),
    encodeFrame(b),
  ]);
  const d = new FrameDecoder();
  const evs: FrameEvent[] = [];
  for (let i = 0; i < stream.length; i += 7) evs.push(...d.push(stream.subarray(i, i + 7)));
  assert.deepEqual(
    evs.filter((e) => e.kind === 'text').map((e) => (e as { line: string }).line),
    ['boot: starting slot A', 'hello'],
  );
  assert.deepEqual(messages(evs), [a, b]);
});

test('a truncated frame delivers nothing, and the next good frame still decodes', () => {
  const good = Buffer.from('after');
  const long = encodeFrame(bytes(rng(3), 400));
  const cut = long.subarray(0, long.indexOf(0x0a) + 1); // its first line only
  const d = new FrameDecoder();
  assert.deepEqual(messages(d.push(cut)), []);
  assert.deepEqual(messages(d.push(encodeFrame(good))), [good]);
});

test('a bad CRC is reported and the message dropped', () => {
  const msg = Buffer.from('0123456789abcdef');
  const packet = Buffer.alloc(msg.length + 4);
  packet.writeUInt16BE(msg.length + 2, 0);
  msg.copy(packet, 2);
  packet.writeUInt16BE(crc16(msg) ^ 0x0100, 2 + msg.length);
  const evs = new FrameDecoder().push(
    Buffer.concat([Buffer.from([0x06, 0x09]), Buffer.from(packet.toString('base64')), Buffer.from('\n')]),
  );
  assert.deepEqual(evs, [{ kind: 'bad', why: 'CRC mismatch' }]);
});

test('CBOR: SMP maps round-trip, and what the pen sends decodes', () => {
  const values: CborValue[] = [
    { off: 0, len: 70_000, sha: Buffer.alloc(32, 7), data: Buffer.alloc(512, 1), upgrade: false },
    {
      images: [
        {
          slot: 0,
          version: '1.2.3',
          hash: Buffer.alloc(32, 9),
          bootable: true,
          pending: false,
          confirmed: true,
          active: true,
        },
      ],
      splitStatus: 0,
    },
    { rc: 6, rsn: 'that slot holds the confirmed firmware' },
    { r: '' },
    {},
    [-1, -24, -25, -256, -65537, 23, 24, 255, 256, 65535, 65536, 0xffffffff],
  ];
  for (const v of values) assert.deepEqual(decode(encode(v)), v);
  // indefinite map and string, as mcumgr clients and tinycbor write them
  assert.deepEqual(decode(Buffer.from([0xbf, 0x61, 0x64, 0x7f, 0x62, 0x68, 0x69, 0xff, 0xff])), { d: 'hi' });
});

test('CBOR: truncated, trailing and unknown encodings are refused', () => {
  const full = encode({ data: Buffer.alloc(40, 3), off: 1000 });
  for (let n = 0; n < full.length; n++) assert.throws(() => decode(full.subarray(0, n)), CborError, `cut at ${n}`);
  assert.throws(() => decode(Buffer.concat([full, Buffer.from([0])])), CborError);
  assert.throws(() => decode(Buffer.from([0xc0, 0x00])), CborError, 'tags');
  assert.throws(() => decode(Buffer.from([0x1c])), CborError, 'reserved additional information');
});

test('fuzz (seed 13): random messages round-trip; random corruption never delivers a wrong message', () => {
  const r = rng(13);
  let dropped = 0;
  for (let i = 0; i < 400; i++) {
    const msg = bytes(r, Math.floor(r() * 1100));
    const frame = encodeFrame(msg);
    assert.deepEqual(messages(new FrameDecoder().push(frame)), [msg], `case ${i}`);
    const bad = Buffer.from(frame);
    const at = Math.floor(r() * bad.length);
    bad[at] ^= 1 << Math.floor(r() * 8);
    const got = messages(new FrameDecoder().push(Buffer.concat([bad, Buffer.from('\n')])));
    if (got.length === 0) dropped++;
    else assert.deepEqual(got, [msg], `case ${i}: a corrupted frame decoded to something else (byte ${at})`);
    // random bytes: the decoder neither throws nor delivers a message whose CRC does not match
    for (const m of messages(new FrameDecoder().push(bytes(r, 300)))) assert.ok(m.length >= 0);
    const cbor = bytes(r, Math.floor(r() * 40));
    try {
      decode(cbor);
    } catch (e) {
      assert.ok(e instanceof CborError, `case ${i}: ${(e as Error).message}`);
    }
  }
  assert.ok(dropped > 300, `${dropped} of 400 corrupted frames dropped`);
});

test("the client maps an rc to words and shows the pen's reason; it never shows a bare code", async () => {
  const peer: Transport & { listener?: (d: Buffer) => void } = {
    write(data) {
      const req = messages(new FrameDecoder().push(data))[0];
      const body = encode({ rc: 6, rsn: 'no upload in progress: start again from offset 0' });
      const rsp = Buffer.concat([smpHeader(req[0] + 1, req.readUInt16BE(4), req[6], req[7], body.length), body]);
      setImmediate(() => this.listener!(encodeFrame(rsp)));
    },
    onData(l) {
      this.listener = l;
    },
  };
  const c = new SmpClient(peer);
  await assert.rejects(
    c.request('upload', OP_WRITE, GROUP_IMAGE, 1, { off: 512, data: Buffer.alloc(4) }),
    (e: unknown) => {
      assert.ok(e instanceof SmpRefused);
      assert.equal(
        e.message,
        'upload refused: no upload in progress: start again from offset 0 (not allowed in the current state)',
      );
      return true;
    },
  );
  assert.equal(rcText(99), 'an error the tool does not know (mcumgr code 99)');
});

// The bootloader's own CBOR reader (C) on the host, under AddressSanitizer: it must read what this
// encoder writes as the TypeScript decoder does, and refuse random bytes without reading past them.
const gcc = spawnSync('gcc', ['--version'], { stdio: 'ignore' }).error === undefined;
test(
  "the bootloader's CBOR reader agrees with the tool's encoder and survives random bytes (seed 7, AddressSanitizer)",
  { skip: gcc ? false : 'skipped: gcc is not installed' },
  () => {
    const dir = tempDir('smp-cbor-');
    const exe = join(dir, 'smp_cbor_host');
    const boot = join(REPO_ROOT, 'ports', 'stm32f405', 'boot');
    const cc = spawnSync(
      'gcc',
      [
        '-std=c11',
        '-O1',
        '-g',
        '-Wall',
        '-Wextra',
        '-Werror',
        '-fsanitize=address,undefined',
        '-fno-sanitize-recover=all',
        `-I${boot}`,
        join(REPO_ROOT, 'ports', 'stm32f405', 'test', 'smp_cbor_host.c'),
        join(boot, 'smp_cbor.c'),
        '-o',
        exe,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(cc.status, 0, cc.stderr);
    const r = rng(7);
    const cases: { buf: Buffer; want?: string }[] = [];
    const keys = ['off', 'data', 'len', 'sha', 'hash', 'confirm', 'd', 'slot'];
    for (let i = 0; i < 300; i++) {
      const m: { [k: string]: CborValue } = {};
      for (const k of keys) {
        const pick = r();
        if (pick < 0.4) continue;
        m[k] =
          pick < 0.6
            ? Math.floor(r() * 2 ** 32)
            : pick < 0.75
              ? bytes(r, Math.floor(r() * 300))
              : pick < 0.9
                ? bytes(r, 8).toString('hex')
                : r() < 0.5;
      }
      m[`x${i}`] = [1, { nested: bytes(r, 3) }];
      const want = keys
        .filter((k) => k in m)
        .map((k) => {
          const v = m[k];
          return `${k}=${typeof v === 'number' ? `u${v}` : typeof v === 'boolean' ? `b${v ? 1 : 0}` : Buffer.isBuffer(v) ? `h${v.toString('hex')}` : `t${Buffer.from(v as string).toString('hex')}`} `;
        })
        .join('');
      const buf = encode(m);
      cases.push({ buf, want });
      cases.push({ buf: buf.subarray(0, Math.floor(r() * buf.length)) }); // truncated: refused or a prefix's keys, never a crash
      cases.push({ buf: bytes(r, Math.floor(r() * 64)) });
    }
    const file = join(dir, 'cases.bin');
    writeFileSync(
      file,
      Buffer.concat(
        cases.flatMap((c) => {
          const n = Buffer.alloc(2);
          n.writeUInt16LE(c.buf.length);
          return [n, c.buf];
        }),
      ),
    );
    const run = spawnSync(exe, [file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(run.status, 0, `the C reader failed:\n${run.stderr.slice(0, 3000)}`);
    const lines = run.stdout.split('\n');
    cases.forEach((c, i) => {
      if (c.want !== undefined) assert.equal(lines[i], c.want, `case ${i}`);
    });
    const refused = cases.filter((c, i) => c.want === undefined && lines[i] === 'bad').length;
    assert.ok(refused > 300, `${refused} of ${2 * 300} truncated or random inputs refused`);
  },
);

test('pen flash: usage errors name what is wrong and exit 2', () => {
  const pen = (...args: string[]) =>
    spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), 'flash', ...args], { encoding: 'utf8' });
  let r = pen('--image', 'x.img');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--port PATH is required/);
  r = pen('--port', '/nonexistent/tty', '--image', 'x.img', '--board', 'stm32f405-tmc2209');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /give --image FILE or --board NAME \(one of them\)/);
  r = pen('--port', join(tmpdir(), 'no-such-tty-here'), '--board', 'stm32f405-tmc2209');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no-such-tty-here: no such serial port/);
  r = pen('--port', '/dev/null', '--board', 'stm32f405-tmc2209', '--chunk-bytes', '30');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--chunk-bytes 30: give a multiple of 4 from 32 to 768/);
});

test('pen flash --factory: stm32flash erases, writes and verifies the bootloader, starts it; a missing tool or file is named', () => {
  const dir = tempDir('factory-');
  const boot = join(dir, 'boot.bin');
  writeFileSync(boot, Buffer.alloc(1024, 0x5a));
  // a stand-in stm32flash that records how it is called (the real one needs a part in its ROM bootloader)
  const calls = join(dir, 'calls.txt');
  const fake = join(dir, 'bin');
  mkdirSync(fake);
  writeFileSync(join(fake, 'stm32flash'), `#!/bin/sh\necho "$*" >> ${calls}\n`, { mode: 0o755 });
  const pen = (path: string, ...args: string[]) =>
    spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), 'flash', ...args], {
      encoding: 'utf8',
      env: { ...process.env, PATH: path },
    });
  let r = pen(`${fake}:${process.env.PATH}`, '--factory', '--port', '/dev/ttyUSB0', '--boot', boot);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readFileSync(calls, 'utf8').trim().split('\n'), [
    '-h',
    '-b 57600 -o /dev/ttyUSB0',
    `-b 57600 -w ${boot} -v -S 0x08000000 /dev/ttyUSB0`,
    '-b 57600 -g 0x08000000 /dev/ttyUSB0',
  ]);
  assert.match(r.stdout, /the bootloader is written and runs; with no firmware it waits in service mode/);
  r = pen(`${fake}:${process.env.PATH}`, '--factory', '--port', '/dev/ttyUSB0', '--boot', join(dir, 'none.bin'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /none\.bin: no such bootloader binary/);
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(0xc001));
  r = pen(`${fake}:${process.env.PATH}`, '--factory', '--port', '/dev/ttyUSB0', '--boot', join(dir, 'big.bin'));
  assert.match(r.stderr, /big\.bin is 49153 bytes: a bootloader takes 1 to 49152 bytes/);
  r = pen(dir, '--factory', '--port', '/dev/ttyUSB0', '--boot', boot);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /stm32flash is not installed \(apt-get install stm32flash\)/);
  r = pen(`${fake}:${process.env.PATH}`, '--factory', '--port', '/dev/ttyUSB0');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--factory needs --boot FILE/);
});
