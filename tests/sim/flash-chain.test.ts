// The update path as a device engineer runs it, end to end on the emulated board: `pen build --board`,
// `pen image sign` (the development key), `pen flash` over the emulated pen's pty (upload, trial
// boot, the firmware answers, confirmation), then `STATUS?` on the same pty as a terminal would send
// it. Then an update of the running pen (pen flash asks the firmware for SERVICE), and images the
// bootloader refuses while the previous firmware keeps running. The emulated pen starts as it leaves
// the factory: the bootloader (trusting the development key) and no firmware. One image runs on the
// part and here: the firmware says what QEMU lacks (board/fallbacks.c). Skips, saying why, without
// QEMU, the ARM tools, wasm2c, socat or mbedTLS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';
import { missingTools, PORT_PACKAGES } from '../../tools/build/port-build.js';
import {
  buildBootloader,
  blankFlash,
  readTrailer,
  spki,
  BootToolsMissing,
  BootBuild,
  SLOT_A,
  SLOT_B,
} from '../../tools/build/boot-build.js';
import { DEV_PUB_KEY_PATH, loadPublicKey } from '../../tools/lib/image/keys.js';
import { EmulatedPen, emulatorMissing } from '../../tools/lib/emulator/emulated-pen.js';
import { openSerialPort } from '../../tools/lib/smp/serial-port.js';
import { SmpClient } from '../../tools/lib/smp/client.js';
import { HAL_ABI_VERSION } from '../../abi/pen-abi.js';
import { tempDir } from './tmp-dir.js';

const BOARD = 'stm32f405-tmc2209';
const out = tempDir('flash-chain-');

let skip: string | false = false;
let boot: BootBuild | undefined;
const missing = missingTools(['wasm2c', 'arm-none-eabi-gcc', 'arm-none-eabi-objcopy', 'arm-none-eabi-size']);
if (missing.length)
  skip = `skipped the update chain: ${missing.join(', ')} not installed (apt-get install --no-install-recommends ${PORT_PACKAGES} socat)`;
else if (emulatorMissing()) skip = `skipped the update chain: ${emulatorMissing()}`;
else {
  try {
    boot = buildBootloader(join(out, 'boot'), {
      spkiDer: spki(loadPublicKey(DEV_PUB_KEY_PATH)),
      board: BOARD,
      halAbiVersion: HAL_ABI_VERSION,
      emulated: true,
    });
  } catch (e) {
    if (!(e instanceof BootToolsMissing)) throw e;
    skip = `skipped the update chain: ${e.message}`;
  }
}
if (skip) console.log(`# ${skip}`);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}
/** `pen ...` as the engineer types it (bin/pen.js is what `npx pen` runs). */
function pen(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d));
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    p.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * STATUS? on the pty, as a terminal sends it; the first STATUS line back. Asked once the port has been
 * quiet for 3 s, and again after 15 s without an answer.
 */
async function askStatus(pty: string): Promise<string> {
  const port = openSerialPort(pty);
  const lines = new SmpClient(port);
  const got: string[] = [];
  let heard = Date.now();
  lines.onText = (l) => {
    got.push(l);
    heard = Date.now();
  };
  try {
    const t0 = Date.now();
    let asked = 0;
    while (Date.now() - t0 < 120_000) {
      const status = got.find((l) => l.startsWith('STATUS '));
      if (status) return status;
      if (Date.now() - heard > 3000 && Date.now() - asked > 15_000) {
        port.write(Buffer.from('STATUS?\n'));
        asked = Date.now();
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return assert.fail(`no STATUS line on ${pty}; the port said:\n${got.join('\n')}`);
  } finally {
    lines.close();
    port.close();
  }
}

const STATUS_OFF =
  /^STATUS state=off fault=none depth=[\d.]+ freq=\d+ .*cartridge=\S+ session_s=\d+ encoder=\S+ measured=\S+$/;

test(
  'pen build, pen image sign and pen flash to the emulated board: uploaded, started on trial, confirmed; STATUS? then answers on the same pty',
  { skip, timeout: 1_500_000 },
  async () => {
    const built = await pen('build', '--board', BOARD);
    assert.equal(built.status, 0, built.stderr);
    assert.match(built.stdout, /slot a +\S+slot_a\/firmware\.bin/);
    const img = join(out, 'pen.img');
    const signed = await pen('image', 'sign', '--board', BOARD, '--out', img);
    assert.equal(signed.status, 0, signed.stderr);
    assert.match(signed.stderr, /signed with the DEVELOPMENT key/);
    assert.doesNotMatch(signed.stderr, /linked at/, 'the default input is linked for slot A');

    const flashFile = join(out, 'pen.flash.bin');
    writeFileSync(flashFile, blankFlash(readFileSync(boot!.bin)));
    const emu = new EmulatedPen(out, 'pen', flashFile);
    await emu.start();
    try {
      await emu.waitFor(/boot: service mode \(no bootable image\)/);
      const t0 = Date.now();
      const r = await pen('flash', '--port', emu.pty, '--image', img);
      const seconds = (Date.now() - t0) / 1000;
      const all = `${r.stderr}${r.stdout}`;
      assert.equal(r.status, 0, `pen flash failed:\n${all}\nQEMU:\n${emu.log.slice(-2000)}`);
      assert.match(r.stderr, /slot A: version 0\.1\.0 started on trial \(boot 1 of 3\)/);
      assert.match(r.stderr, /^firmware: STATUS state=off/m, 'the new firmware answered before it was confirmed');
      // what the emulator lacks the firmware says at start, before pen flash asks it anything: the
      // USART2 test in boot-qemu.test.ts reads that line
      assert.match(r.stdout, /^the pen runs version 0\.1\.0 from slot A, confirmed \(security counter 1\)$/m);
      assert.doesNotMatch(all, /\brc\b|= \d/, 'no bare codes');
      const m = /uploaded ([\d.]+) KiB in ([\d.]+) s \(([\d.]+) KiB\/s\)/.exec(r.stderr);
      assert.ok(m, r.stderr);
      assert.match(
        r.stderr,
        /slot A: [\d.]+ of [\d.]+ KiB, [\d.]+ KiB\/s, \d+ s left/,
        'progress with speed and time left',
      );
      console.log(
        `# pen flash of the board firmware over the emulated serial port: ${m[1]} KiB in ${m[2]} s (${m[3]} KiB/s); ${seconds.toFixed(1)} s from start to confirmed (trial boot, STATUS?, SERVICE, confirmation, boot)`,
      );
      assert.match(await askStatus(emu.pty), STATUS_OFF);
      const flash = readFileSync(flashFile);
      assert.ok(
        flash.subarray(SLOT_A - 0x08000000, SLOT_A - 0x08000000 + readFileSync(img).length).equals(readFileSync(img)),
        'slot A holds the signed image byte for byte',
      );
      assert.equal(readTrailer(flash, SLOT_A).confirmed, true);

      // an update of the running pen: SERVICE, upload into slot B, trial, confirmation
      const img2 = join(out, 'pen-0.2.0.img');
      assert.equal(
        (await pen('image', 'sign', '--board', BOARD, '--slot', 'b', '--version', '0.2.0', '--out', img2)).status,
        0,
      );
      const u = await pen('flash', '--port', emu.pty, '--image', img2);
      assert.equal(u.status, 0, `update failed:\n${u.stderr}${u.stdout}\nQEMU:\n${emu.log.slice(-2000)}`);
      assert.match(u.stderr, /asking the firmware to restart into service mode \(SERVICE\)/);
      assert.match(u.stderr, /^firmware: OK service: restarting into the bootloader$/m, 'the reply to SERVICE');
      assert.match(u.stderr, /^boot: service mode \(requested by the firmware\)/m);
      assert.match(u.stderr, /slot A: version 0\.1\.0, runs, confirmed/);
      assert.match(u.stdout, /^the pen runs version 0\.2\.0 from slot B, confirmed/m);
      assert.match(await askStatus(emu.pty), STATUS_OFF);

      // refused at the reset, with the reason; the previous firmware keeps running and answering
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const otherKey = join(out, 'other.pem');
      writeFileSync(otherKey, privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const refusals: [string, string[], RegExp][] = [
        ['another key', ['--key', otherKey], /boot: slot A refused: signed by a key this bootloader does not trust/],
        [
          'an older security counter',
          ['--security-counter', '0'],
          /boot: slot A refused: security counter below the stored minimum/,
        ],
      ];
      for (const [what, extra, reason] of refusals) {
        const bad = join(out, `refused-${extra[0].slice(2)}.img`);
        const s = await pen('image', 'sign', '--board', BOARD, '--version', '0.3.0', ...extra, '--out', bad);
        assert.equal(s.status, 0, s.stderr);
        const f = await pen('flash', '--port', emu.pty, '--image', bad);
        assert.equal(f.status, 1, `${what}: pen flash must fail:\n${f.stderr}${f.stdout}`);
        assert.match(f.stderr, reason, what);
        assert.match(f.stdout, /^the pen kept running version 0\.2\.0 from slot B: the new image was refused/m, what);
        assert.match(await askStatus(emu.pty), STATUS_OFF, `${what}: the previous firmware still answers`);
      }
      assert.equal(readTrailer(readFileSync(flashFile), SLOT_B).confirmed, true);
    } finally {
      await emu.stop();
    }
  },
);
