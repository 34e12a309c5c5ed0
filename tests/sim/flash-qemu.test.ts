// `pen flash` end to end against the emulated bootloader (qemu-system-arm, netduinoplus2): the
// bootloader's service mode speaks SMP on USART2 (QEMU's second -serial), which reaches `pen flash`
// as a pty. QEMU's flash is a ROM loaded at power-on, so a reset must power it up again from the
// flash file (-no-reboot ends QEMU; this test starts it again). To keep one pty across those
// power-ups, socat makes the pty and connects to a socket of this test, which relays the bytes to
// whichever QEMU runs. Skips, saying why, when QEMU, the ARM tools, socat or mbedTLS are missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  configureTestApp,
  signTestImage,
  blankFlash,
  installImage,
  readTrailer,
  SLOT_A,
  SLOT_B,
} from '../../tools/build/boot-build.js';
import { REPO_ROOT } from '../../boards/paths.js';
import { openSerialPort } from '../../tools/lib/smp/serial-port.js';
import { SmpClient, OP_READ, OP_WRITE, GROUP_OS, GROUP_IMAGE, imageSlots } from '../../tools/lib/smp/client.js';
import { SmpRefused } from '../../tools/lib/smp/errors.js';
import { bootFixture } from './boot-fixture.js';
import { EmulatedPen } from '../../tools/lib/emulator/emulated-pen.js';
import { tempDir } from './tmp-dir.js';

const BOARD = 'stm32f405-tmc2209';
const SERVICE_REQUEST = { offset: 0xc100, word: 0x5e4f1ce5 }; // boot/smp.h
const out = tempDir('flash-qemu-');
const { privateKey: key } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

const { skip, boot, apps } = bootFixture(out, key, {
  board: BOARD,
  what: 'pen flash under QEMU',
  tools: ['arm-none-eabi-gcc', 'arm-none-eabi-objcopy', 'arm-none-eabi-size', 'qemu-system-arm'],
  extraCheck: () =>
    spawnSync('socat', ['-V'], { stdio: 'ignore' }).error
      ? 'socat is not installed (apt-get install socat)'
      : undefined,
});

/** a signed stand-in firmware padded to `kib` KiB, so an upload takes long enough to interrupt */
function image(slot: 'a' | 'b', tag: string, kib: number, version: [number, number, number, number]): Buffer {
  const app = configureTestApp(apps[slot], tag, false);
  const firmware = Buffer.concat([app, randomBytes(Math.max(0, kib * 1024 - app.length))]);
  return signTestImage({ firmware, slot: slot === 'a' ? SLOT_A : SLOT_B, securityCounter: 1, key, version });
}

/** The emulated pen (tools/lib/emulator/): a power-up ends with the stand-in firmware's exit, or with a reset that service mode asked for. */
const emulatedPen = (name: string, flashFile: string): EmulatedPen =>
  new EmulatedPen(out, name, flashFile, { powerUpAgain: (text) => /boot: service mode: reset/.test(text) });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}
/** `pen flash` as a user runs it; `killWhen` ends it (SIGKILL) once its stderr matches. */
function penFlash(args: string[], killWhen?: RegExp): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), 'flash', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d;
      if (killWhen && killWhen.test(stderr)) p.kill('SIGKILL');
    });
    p.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

function factoryFlash(name: string, withSlotA: boolean, requestService: boolean): string {
  const f = blankFlash(readFileSync(boot!.bin));
  if (withSlotA) installImage(f, SLOT_A, image('a', 'A1', 4, [1, 0, 0, 0]), { confirmed: true });
  if (requestService) f.writeUInt32LE(SERVICE_REQUEST.word, SERVICE_REQUEST.offset);
  const file = join(out, `${name}.flash.bin`);
  writeFileSync(file, f);
  return file;
}

test(
  'pen flash uploads a signed image over the pty into the free slot; the bootloader verifies it and boots it on trial',
  { skip, timeout: 300_000 },
  async () => {
    const file = factoryFlash('flash', true, true);
    const pen = emulatedPen('flash', file);
    await pen.start();
    try {
      await pen.waitFor(/boot: service mode \(requested by the firmware\)/);
      // the commands pen flash does not use, and refusals with their reasons
      const port = openSerialPort(pen.pty);
      const smp = new SmpClient(port);
      try {
        assert.deepEqual(await smp.request('echo', OP_WRITE, GROUP_OS, 0, { d: 'hello pen' }), { r: 'hello pen' });
        const slots = imageSlots(await smp.request('image list', OP_READ, GROUP_IMAGE, 0, {}));
        assert.deepEqual(
          slots.map((x) => [x.slot, x.version, x.active, x.confirmed, x.hash.length]),
          [[0, '1.0.0', true, true, 32]],
        );
        const refusals: [string, number, number, number, Record<string, Buffer | number | boolean>, RegExp][] = [
          [
            'erase',
            OP_WRITE,
            GROUP_IMAGE,
            5,
            { slot: 0 },
            /^erase refused: that slot holds the confirmed firmware the pen starts; erase the other one \(not allowed in the current state\)$/,
          ],
          [
            'image test',
            OP_WRITE,
            GROUP_IMAGE,
            0,
            { hash: Buffer.alloc(32, 1), confirm: false },
            /no slot holds an image with that hash \(not found\)/,
          ],
          [
            'upload',
            OP_WRITE,
            GROUP_IMAGE,
            1,
            { off: 64, data: Buffer.alloc(4) },
            /no upload in progress: start again from offset 0/,
          ],
          [
            'upload',
            OP_WRITE,
            GROUP_IMAGE,
            1,
            { off: 0, len: 64, data: Buffer.alloc(64) },
            /not a signed image \(no MCUboot magic\)/,
          ],
          ['stats', OP_READ, 2, 0, {}, /group 2 command 0 is not offered in service mode \(not supported\)/],
        ];
        for (const [what, op, group, id, body, re] of refusals) {
          await assert.rejects(
            smp.request(what, op, group, id, body),
            (e: unknown) => e instanceof SmpRefused && re.test(e.message),
          );
        }
        assert.deepEqual(
          await smp.request('erase', OP_WRITE, GROUP_IMAGE, 5, {}),
          { rc: 0 },
          'the free slot (B) may be erased',
        );
      } finally {
        smp.close();
        port.close();
      }
      const img = image('b', 'B2', 64, [1, 1, 0, 0]);
      const imgFile = join(out, 'b2.img');
      writeFileSync(imgFile, img);
      const wrong = join(out, 'a-for-b.img');
      writeFileSync(wrong, image('a', 'A9', 4, [1, 1, 0, 0]));
      const refused = await penFlash(['--port', pen.pty, '--image', wrong, '--no-reset']);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /is built for slot A, but the pen's free slot is B/);
      const t0 = Date.now();
      const r = await penFlash(['--port', pen.pty, '--image', imgFile, '--trial']);
      const seconds = (Date.now() - t0) / 1000;
      assert.equal(r.status, 0, `pen flash failed:\n${r.stderr}${r.stdout}\nQEMU:\n${pen.log.slice(-2000)}`);
      assert.match(r.stderr, /slot A: version 1\.0\.0, runs, confirmed/);
      const m = /uploaded ([\d.]+) KiB in ([\d.]+) s \(([\d.]+) KiB\/s\)/.exec(r.stderr);
      assert.ok(m, r.stderr);
      assert.match(r.stdout, /the pen runs version 1\.1\.0 from slot B on trial \(boot 1 of 3\)/);
      await pen.waitFor(/app: running B2 from slot B\n/);
      assert.doesNotMatch(r.stderr + r.stdout, /\brc\b|= \d/, 'no bare codes');
      console.log(
        `# pen flash over the emulated serial port: ${m![1]} KiB uploaded in ${m![2]} s (${m![3]} KiB/s); ${seconds.toFixed(1)} s from start to the new image running, reset and verification included`,
      );
      const flash = readFileSync(file);
      assert.ok(
        flash.subarray(SLOT_B - 0x08000000, SLOT_B - 0x08000000 + img.length).equals(img),
        'slot B holds the image byte for byte',
      );
      assert.equal(readTrailer(flash, SLOT_B).attemptsUsed, 1);
      assert.equal(readTrailer(flash, SLOT_B).confirmed, false);
      assert.equal(flash.readUInt32LE(SERVICE_REQUEST.offset), 0, 'the service request was taken');
    } finally {
      await pen.stop();
    }
  },
);

test(
  'an upload killed mid-way resumes where it stopped; a pen with no image starts in service mode',
  { skip, timeout: 300_000 },
  async () => {
    const file = factoryFlash('resume', false, false);
    const pen = emulatedPen('resume', file);
    await pen.start();
    try {
      await pen.waitFor(/boot: service mode \(no bootable image\)/);
      const img = image('a', 'A2', 192, [2, 0, 0, 0]);
      const imgFile = join(out, 'a2.img');
      writeFileSync(imgFile, img);
      const killed = await penFlash(
        ['--port', pen.pty, '--image', imgFile, '--chunk-bytes', '256'],
        /slot A: (?:[89]|\d{2,})\.\d of/,
      );
      assert.equal(killed.status, null, `pen flash was to be killed mid-way:\n${killed.stderr}`);
      const at = Math.max(...[...killed.stderr.matchAll(/slot A: ([\d.]+) of/g)].map((x) => Number(x[1])));
      assert.ok(at >= 8, `killed after ${at} KiB`);
      const r = await penFlash(['--port', pen.pty, '--image', imgFile, '--trial']);
      assert.equal(r.status, 0, `pen flash failed:\n${r.stderr}${r.stdout}\nQEMU:\n${pen.log.slice(-2000)}`);
      const resumed = /resuming the upload at ([\d.]+) of ([\d.]+) KiB/.exec(r.stderr);
      assert.ok(resumed, `did not resume:\n${r.stderr}`);
      assert.ok(Number(resumed[1]) >= at, `resumed at ${resumed[1]} KiB, the first run had reached ${at} KiB`);
      assert.match(r.stdout, /the pen runs version 2\.0\.0 from slot A on trial \(boot 1 of 3\)/);
      await pen.waitFor(/app: running A2 from slot A\n/);
      const flash = readFileSync(file);
      assert.ok(
        flash.subarray(SLOT_A - 0x08000000, SLOT_A - 0x08000000 + img.length).equals(img),
        'slot A holds the image byte for byte',
      );
      console.log(`# killed at ${at} KiB, resumed at ${resumed[1]} of ${resumed[2]} KiB`);
    } finally {
      await pen.stop();
    }
  },
);
