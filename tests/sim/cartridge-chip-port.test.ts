// The STM32F405 port's cartridge chip driver (ports/stm32f405/board/cartridge_chip.c) built for the host
// with gcc, its I2C register layer replaced by a bus shim (ports/stm32f405/test/cartridge_bus_host.c) that
// hands every transfer to the simulator's chip model at the byte level (ChipWire, host-sim/cartridge-chip.ts):
// what the port reads is what the simulator's reader gives, the use counter counts once, and a removal, a
// NACK, a bus error or a corrupted frame cancels the job with its reason and the next try works. Skips,
// saying why, without gcc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable, Writable } from 'node:stream';
import { REPO_ROOT } from '../../boards/paths.js';
import { loadBoard } from '../../boards/board.js';
import { CartridgeReader } from '../../host-sim/parts/cartridge-reader.js';
import {
  CHIP_I2C_ADDRESS,
  ChipSpec,
  ChipWire,
  WIRE_COUNT_USE,
  WIRE_READ_MEMORY,
  WIRE_SIGN,
  crc16,
} from '../../host-sim/cartridge-chip.js';
import { SimClock } from '../../host-sim/clock.js';
import { Rng } from '../../host-sim/rng.js';
import { devCartridgeMakerKey, publicKeyFromRaw, verifyP256 } from '../../host-sim/keys.js';
import { tempDir } from './tmp-dir.js';

const port = join(REPO_ROOT, 'ports', 'stm32f405');
const gcc = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
let skip: string | false = gcc.status === 0 ? false : 'skipped the port cartridge chip tests: gcc not installed';
const exe = join(tempDir('cartridge-chip-port-'), 'chip');
if (!skip) {
  const cc = spawnSync(
    'gcc',
    [
      '-std=c11',
      '-O1',
      '-Wall',
      '-Wextra',
      '-Werror',
      `-I${join(port, 'test')}`, // firmware.h: the HAL's types for the host
      `-I${join(port, 'board')}`,
      '-o',
      exe,
      join(port, 'board', 'cartridge_chip.c'),
      join(port, 'test', 'cartridge_bus_host.c'),
    ],
    { encoding: 'utf8' },
  );
  if (cc.status !== 0) throw new Error(`the port's cartridge chip driver does not build for the host:\n${cc.stderr}`);
}
if (skip) console.log(`# ${skip}`);

const board = loadBoard('stm32f405-tmc2209');
const TYPE = board.cartridges[0].type;
const IMAGE_BYTES = 148;

type Fault = string | Uint8Array | undefined;

/** The port's driver in its host process, on a bus to the simulator's cartridge reader. */
class PortOnBus {
  readonly clock = new SimClock(1_000_000);
  readonly reader: CartridgeReader;
  /** every command frame the chip took, in order */
  readonly commands: Uint8Array[] = [];
  /** a fault on the next writes: a reply instead of the chip's ("nack_data", "berr"...), or a changed frame */
  onWrite: ((frame: Uint8Array) => Fault) | undefined;
  /** the same for reads: a reply instead, or the bytes the pen receives instead */
  onRead: ((data: Uint8Array | undefined) => Fault) | undefined;
  transfersThisTick = 0;
  recoveries = 0;
  private wire: ChipWire | undefined;
  private readonly proc: ChildProcessByStdio<Writable, Readable, null>;
  private answer: ((line: string) => void) | undefined;

  constructor(spec: ChipSpec | null) {
    this.reader = new CartridgeReader(board, TYPE, devCartridgeMakerKey(), new Rng(7), this.clock, undefined, spec);
    this.proc = spawn(exe, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      if (line.startsWith('=')) {
        const a = this.answer;
        this.answer = undefined;
        a?.(line.slice(1).trim());
      } else this.proc.stdin.write(`${this.bus(line)}\n`);
    });
  }

  private bus(line: string): string {
    const [op, addrHex, arg] = line.split(' ');
    if (op === 'recover') {
      this.recoveries++;
      return 'ok';
    }
    this.transfersThisTick++;
    const chip = this.reader.chip;
    if (chip && this.wire?.chip !== chip) this.wire = new ChipWire(chip); // fitted afresh: powered up afresh
    const now = this.clock.nowMs;
    if (op === 'w') {
      let frame: Uint8Array = arg === '-' ? new Uint8Array() : Uint8Array.from(Buffer.from(arg, 'hex'));
      const f = this.onWrite?.(frame);
      if (typeof f === 'string') return f;
      if (f) frame = f;
      if (!chip || !this.wire || parseInt(addrHex, 16) !== CHIP_I2C_ADDRESS) return 'nack_addr';
      if (!this.wire.write(frame, now)) return 'nack_addr';
      if (frame.length) this.commands.push(frame);
      return 'ack';
    }
    let data =
      chip && this.wire && parseInt(addrHex, 16) === CHIP_I2C_ADDRESS ? this.wire.read(Number(arg), now) : undefined;
    const f = this.onRead?.(data);
    if (typeof f === 'string') return f;
    if (f) data = f;
    return data ? `data ${Buffer.from(data).toString('hex')}` : 'nack_addr';
  }

  private cmd(line: string): Promise<string> {
    return new Promise((resolve) => {
      this.answer = resolve;
      this.proc.stdin.write(`${line}\n`);
    });
  }

  /** `n` control ticks: the chip's clock moves 1 ms, then the port's 1 ms job runs once. */
  async tick(n = 1): Promise<void> {
    for (let i = 0; i < n; i++) {
      this.clock.tTicks += this.clock.ticks(1);
      this.transfersThisTick = 0;
      await this.cmd('tick 1');
      assert.ok(this.transfersThisTick <= 1, `a tick started ${this.transfersThisTick} transfers`);
    }
  }

  /** Ticks until `done` holds; the ticks it took. */
  async tickUntil(done: () => Promise<boolean>, maxTicks: number, what: string): Promise<number> {
    for (let t = 0; t <= maxTicks; t++) {
      if (await done()) return t;
      await this.tick();
    }
    assert.fail(`${what}: not within ${maxTicks} ticks`);
  }

  async read(addr: number, n = 1): Promise<number[]> {
    return (await this.cmd(`read ${addr} ${n}`)).split(' ').map(Number);
  }
  async write(addr: number, value: number): Promise<number> {
    return Number(await this.cmd(`write ${addr} ${value}`));
  }
  async present(): Promise<boolean> {
    return (await this.read(0))[0] >= 0;
  }
  /** the driver's last reason, cancelled jobs, bus resets it made */
  async state(): Promise<{ reason: string; errors: number; resets: number }> {
    const [reason, errors, resets] = (await this.cmd('state')).split(' ');
    return { reason, errors: Number(errors), resets: Number(resets) };
  }
  async crc(bytes: Uint8Array): Promise<number> {
    return Number(await this.cmd(`crc ${Buffer.from(bytes).toString('hex')}`));
  }

  /** What the simulator's reader gives for `n` bytes from `addr` (cartridge_read). */
  simRead(addr: number, n: number): number[] {
    const read = this.reader.imports().cartridge_read as (a: number) => number;
    return Array.from({ length: n }, (_, i) => read(addr + i));
  }

  async waitForImage(what = 'the image of the fitted chip'): Promise<number> {
    return this.tickUntil(() => this.present(), 200, what);
  }

  async close(): Promise<void> {
    this.proc.stdin.end('quit\n');
    await new Promise((r) => this.proc.once('exit', r));
  }
}

const genuine = (serial: number): ChipSpec => ({ type: TYPE, serial, lot: 4711 });

async function withPort(spec: ChipSpec | null, body: (p: PortOnBus) => Promise<void>): Promise<void> {
  const p = new PortOnBus(spec);
  try {
    await body(p);
  } finally {
    await p.close();
  }
}

test('the driver CRC is the CRC-16 the chip model checks', { skip }, async () => {
  await withPort(null, async (p) => {
    assert.equal(await p.crc(Buffer.from('123456789')), 0xbb3d);
    assert.equal(crc16(Buffer.from('123456789')), 0xbb3d);
    for (let i = 0; i < 20; i++) {
      const b = randomBytes(1 + i * 7);
      assert.equal(await p.crc(b), crc16(b));
    }
  });
});

test(
  "a genuine cartridge: its data, certificate and signed answer read back exactly as the simulator's reader gives them",
  { skip },
  async () => {
    await withPort(genuine(271828), async (p) => {
      const ticks = await p.waitForImage();
      assert.ok(ticks >= 10, `the image took ${ticks} ticks: read over several, never in one`);
      assert.deepEqual(
        await p.read(0, IMAGE_BYTES),
        p.simRead(0, IMAGE_BYTES),
        'data, public key, certificate, counter',
      );
      assert.deepEqual(await p.read(264, 2), [-1, -1], 'past the chip');
      assert.ok(p.commands.every((f) => f[0] === WIRE_READ_MEMORY));

      assert.deepEqual(await p.read(149, 47), p.simRead(149, 47), 'the challenge and command bytes before a challenge');

      const challenge = randomBytes(32);
      for (let i = 0; i < 32; i++) assert.equal(await p.write(160 + i, challenge[i]), 0);
      assert.equal(await p.write(192, 1), 0, 'the sign command');
      assert.deepEqual(await p.read(148), [1], 'busy at once: the job runs in the 1 ms job');
      assert.deepEqual(await p.read(196, 4), [255, 255, 255, 255], 'no answer before it is ready');
      const signTicks = await p.tickUntil(async () => (await p.read(148))[0] === 2, 100, 'the signed answer');
      assert.ok(signTicks >= 40, `signed in ${signTicks} ticks: the chip takes 40 ms`);
      assert.deepEqual(await p.read(148, 116), p.simRead(148, 116), 'status, challenge, signed counter and signature');
      assert.deepEqual(await p.read(160, 32), [...challenge]);
      // and it is the chip's signature over challenge, serial, counter with the certified key
      const sig = Uint8Array.from(await p.read(200, 64));
      const msg = Buffer.concat([challenge, Buffer.from(await p.read(12, 4)), Buffer.from(await p.read(196, 4))]);
      const chipKey = publicKeyFromRaw(Uint8Array.from(await p.read(16, 64)));
      assert.ok(chipKey && verifyP256(chipKey, msg, sig), 'the signature verifies');
      assert.deepEqual(await p.state(), { reason: 'ok', errors: 0, resets: 0 });
    });
  },
);

test('the use counter counts once, and the port reads it back', { skip }, async () => {
  await withPort(genuine(314159), async (p) => {
    await p.waitForImage();
    assert.deepEqual(await p.read(144, 4), [0, 0, 0, 0]);
    assert.equal(await p.write(192, 2), 0, 'count one use');
    await p.tick(60);
    assert.equal(p.reader.chip?.useCount, 1);
    assert.equal(p.commands.filter((f) => f[0] === WIRE_COUNT_USE).length, 1, 'one count command on the wire');
    assert.deepEqual(await p.read(144, 4), [1, 0, 0, 0]);
    assert.deepEqual(await p.read(144, 4), p.simRead(144, 4));
    assert.equal(await p.write(192, 7), -2, 'an unknown command is refused');
    assert.equal(await p.write(100, 0), -2, 'the certificate is read-only');
    assert.equal(p.reader.chip?.useCount, 1);
  });
});

test('a removal between jobs, then mid-read, cancels and the next fitting works', { skip }, async () => {
  await withPort(genuine(1001), async (p) => {
    await p.waitForImage();
    p.reader.remove();
    await p.tickUntil(async () => !(await p.present()), 10, 'the removal seen by the presence probe');
    assert.equal((await p.state()).reason, 'removed');
    assert.equal(await p.write(192, 1), -1, 'no cartridge');

    // taken off after the second block of the image was asked for: its answer never comes
    let reads = 0;
    p.onWrite = (f) => {
      if (f[0] === WIRE_READ_MEMORY && ++reads === 2) p.reader.remove();
      return undefined;
    };
    p.reader.fit(p.reader.makeChip(genuine(1002)));
    await p.tickUntil(async () => (await p.state()).errors === 1, 60, 'the cancelled read');
    assert.deepEqual(await p.state(), { reason: 'no_answer', errors: 1, resets: 1 });
    assert.equal(await p.present(), false);

    // taken off while its answer came in: the data lines float high, so the answer's length byte reads 255
    p.onWrite = undefined;
    reads = 0;
    p.onRead = (d) => (++reads === 3 && d ? new Uint8Array(d.length).fill(0xff) : undefined);
    p.reader.fit(p.reader.makeChip(genuine(1003)));
    await p.tickUntil(async () => (await p.state()).errors === 2, 60, 'the cancelled read');
    assert.deepEqual(await p.state(), { reason: 'frame', errors: 2, resets: 2 });
    assert.equal(await p.present(), false);

    p.onRead = undefined;
    p.reader.fit(p.reader.makeChip(genuine(1004)));
    await p.waitForImage('the next cartridge');
    assert.deepEqual(await p.read(0, IMAGE_BYTES), p.simRead(0, IMAGE_BYTES));
    assert.equal(p.reader.chip?.serial, 1004);
  });
});

for (const [fault, reason, on] of [
  ['nack_data', 'nack', 'write'],
  ['berr', 'bus_error', 'write'],
  ['timeout', 'timeout', 'write'],
  ['berr', 'bus_error', 'read'],
  ['timeout', 'timeout', 'read'],
] as const)
  test(
    `a ${fault} on the ${on} of the sign command cancels it with reason ${reason}, resets the bus, and the check can start afresh`,
    { skip },
    async () => {
      await withPort(genuine(2001), async (p) => {
        await p.waitForImage();
        let armed = true;
        if (on === 'write') p.onWrite = (f) => (armed && f[0] === WIRE_SIGN ? ((armed = false), fault) : undefined);
        else p.onRead = (d) => (armed && d && d.length === 72 ? ((armed = false), fault) : undefined);
        for (let i = 0; i < 32; i++) await p.write(160 + i, i);
        assert.equal(await p.write(192, 1), 0);
        await p.tickUntil(async () => (await p.state()).errors === 1, 80, 'the cancelled sign');
        assert.deepEqual(await p.state(), { reason, errors: 1, resets: 1 });
        assert.equal(await p.present(), false, 'the firmware sees the cartridge gone, and checks it afresh');
        await p.waitForImage('the image read again');
        assert.deepEqual(await p.read(148), [0], 'no sign pending after the cancel');
        for (let i = 0; i < 32; i++) await p.write(160 + i, i);
        await p.write(192, 1);
        await p.tickUntil(async () => (await p.read(148))[0] === 2, 100, 'the signed answer');
        assert.deepEqual(await p.read(196, 68), p.simRead(196, 68));
      });
    },
  );

test(
  'a corrupted answer is a crc error; a command the chip got corrupted is chip_crc; neither is used',
  { skip },
  async () => {
    await withPort(genuine(3001), async (p) => {
      let n = 0;
      p.onRead = (d) => {
        if (!d || ++n !== 2) return undefined;
        const bad = Uint8Array.from(d);
        bad[9] ^= 0x10; // one bit of a data byte
        return bad;
      };
      await p.tickUntil(async () => (await p.state()).errors === 1, 60, 'the corrupted answer');
      assert.deepEqual(await p.state(), { reason: 'crc', errors: 1, resets: 1 });
      assert.equal(await p.present(), false, 'no image from a corrupted answer');
      p.onRead = undefined;

      await p.waitForImage();
      let armed = true;
      p.onWrite = (f) => {
        if (!armed || f[0] !== WIRE_COUNT_USE) return undefined;
        armed = false;
        const bad = Uint8Array.from(f);
        bad[bad.length - 1] ^= 0x01; // the chip sees a wrong CRC
        return bad;
      };
      assert.equal(await p.write(192, 2), 0);
      await p.tickUntil(async () => (await p.state()).errors === 2, 60, 'the refused command');
      assert.deepEqual(await p.state(), { reason: 'chip_crc', errors: 2, resets: 2 });
      assert.equal(p.reader.chip?.useCount, 0, 'a command with a wrong CRC counts nothing');
      await p.waitForImage();
      assert.deepEqual(await p.read(0, IMAGE_BYTES), p.simRead(0, IMAGE_BYTES));
    });
  },
);

test('a Count Use whose answer is lost is not sent again: the chip may have counted', { skip }, async () => {
  await withPort(genuine(4001), async (p) => {
    await p.waitForImage();
    let armed = true;
    p.onRead = (d) => (armed && d && d.length === 8 ? ((armed = false), 'berr') : undefined); // the count's answer
    assert.equal(await p.write(192, 2), 0);
    await p.tickUntil(async () => (await p.state()).errors === 1, 60, 'the lost answer');
    assert.equal((await p.state()).reason, 'bus_error');
    await p.waitForImage('the image read again');
    await p.tick(50);
    assert.equal(p.reader.chip?.useCount, 1, 'counted once');
    assert.equal(p.commands.filter((f) => f[0] === WIRE_COUNT_USE).length, 1, 'one count command on the wire');
    assert.deepEqual(await p.read(144, 4), [1, 0, 0, 0], 'the image read again has the counted use');
  });
});
