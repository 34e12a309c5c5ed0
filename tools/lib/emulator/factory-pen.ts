// `pen flash --emulate FLASH`: an emulated pen to flash, as it leaves the factory: the emulated
// bootloader (trusting the development key) and no firmware, in a 1 MiB flash file that keeps
// whatever the pen writes, run under QEMU with its command port on a pty until Ctrl-C.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../../../boards/paths.js';
import { HAL_ABI_VERSION } from '../../../abi/pen-abi.js';
import { blankFlash, buildBootloader, spki } from '../../build/boot-build.js';
import { DEV_PUB_KEY_PATH, loadPublicKey } from '../image/keys.js';
import { EmulatedPen, emulatorMissing } from './emulated-pen.js';

/** Runs until SIGINT/SIGTERM; 0 then, 1 when the emulator cannot run (the reason on stderr). */
export async function runEmulatedPen(board: string, flashFile: string, pty: string): Promise<number> {
  const missing = emulatorMissing();
  if (missing) {
    console.error(`pen flash --emulate: ${missing}`);
    return 1;
  }
  const file = resolve(flashFile);
  if (!existsSync(file)) {
    const out = join(REPO_ROOT, 'build', board, 'boot-emulated');
    mkdirSync(out, { recursive: true });
    const boot = buildBootloader(out, {
      spkiDer: spki(loadPublicKey(DEV_PUB_KEY_PATH)),
      board,
      halAbiVersion: HAL_ABI_VERSION,
      emulated: true,
    });
    writeFileSync(file, blankFlash(readFileSync(boot.bin)));
    console.error(
      `${file}: a new pen's flash: the emulated bootloader (development key, ${boot.flashBytes} bytes), no firmware`,
    );
  }
  const pen = new EmulatedPen(mkdtempSync(join(tmpdir(), 'pen-emulated-')), 'pen', file, { pty: resolve(pty) });
  await pen.start();
  console.error(
    `the emulated ${board} runs; its command port (USART2) is ${pen.pty}: pen flash --port ${pen.pty} ... or a terminal. Ctrl-C ends it.`,
  );
  let shown = 0;
  const echo = setInterval(() => {
    // the bootloader's console (semihosting): what it checked and started
    const lines = pen.log.split('\n');
    for (const l of lines.slice(shown, -1)) if (/^boot: /.test(l)) console.error(l);
    shown = Math.max(shown, lines.length - 1);
  }, 200);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  clearInterval(echo);
  await pen.stop();
  rmSync(pen.dir, { recursive: true, force: true }); // its sockets: nothing to keep
  return 0;
}
