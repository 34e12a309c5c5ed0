// The bootloader on the Cortex-M4 under qemu-system-arm (netduinoplus2): its emulated build keeps the
// flash in a file (boot_flash_semihost.c), so each test powers the pen up again and again on the flash
// the previous run left. Images are signed here with node:crypto in MCUboot's layout; their firmware is
// boot/test_app.c, which names itself and confirms when told to. Skips, saying why, when the ARM
// toolchain, QEMU or mbedTLS's source package are missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSlotFirmware,
  textBytes,
  sectionAt,
  bootQemuUntil,
  BOOT_RAM_START,
  configureTestApp,
  signTestImage,
  blankFlash,
  installImage,
  readTrailer,
  bootQemu,
  SLOT_A,
  SLOT_B,
  TestImage,
} from '../../tools/build/boot-build.js';
import { loadBoard } from '../../boards/board.js';
import { buildFirmware } from '../../tools/build/build.js';
import { buildPort } from '../../tools/build/port-build.js';
import { bootFixture } from './boot-fixture.js';
import { tempDir } from './tmp-dir.js';

const BOARD = 'stm32f405-tmc2209';
const out = tempDir('boot-qemu-');
// a throwaway key: the bootloader built here trusts it and nothing else
const { privateKey: key } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const { privateKey: otherKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

const { skip, boot, production, apps } = bootFixture(out, key, {
  board: BOARD,
  what: 'the bootloader under QEMU',
  tools: ['wasm2c', 'arm-none-eabi-gcc', 'arm-none-eabi-objcopy', 'arm-none-eabi-size', 'qemu-system-arm'],
  production: true,
});

interface AppImage {
  tag: string;
  slot: 'a' | 'b';
  counter: number;
  confirm?: boolean;
  key?: KeyObject;
  board?: string;
}
function image(a: AppImage, extra: Partial<TestImage> = {}): Buffer {
  return signTestImage({
    firmware: configureTestApp(apps[a.slot], a.tag, a.confirm ?? false),
    slot: a.slot === 'a' ? SLOT_A : SLOT_B,
    securityCounter: a.counter,
    key: a.key ?? key,
    board: a.board ?? BOARD,
    ...extra,
  });
}

/** A pen fresh from the factory: the bootloader, and `factory` in slot A, confirmed. */
function pen(
  name: string,
  factory: AppImage,
): { file: string; install(slot: number, img: Buffer): void; power(): string; flash(): Buffer } {
  const file = join(out, `${name}.flash.bin`);
  const f = blankFlash(readFileSync(boot!.bin));
  installImage(f, SLOT_A, image(factory), { confirmed: true });
  writeFileSync(file, f);
  return {
    file,
    install(slot, img) {
      const g = readFileSync(file);
      installImage(g, slot, img);
      writeFileSync(file, g);
    },
    power() {
      const r = bootQemu(file);
      assert.ok(r.status === 0 || /no bootable image/.test(r.output), `QEMU exit ${r.status}:\n${r.output}`);
      return r.output;
    },
    flash: () => readFileSync(file),
  };
}

test('a good image boots, with the verification counted', { skip }, () => {
  const p = pen('good', { tag: 'A1', slot: 'a', counter: 1 });
  const o = p.power();
  assert.match(o, /boot: starting slot A, security counter 1, stored minimum 1\n/);
  assert.match(o, /app: running A1 from slot A\n/);
  const n = Number(/verify_instructions=(\d+)/.exec(o)![1]);
  assert.match(o, /verify_instructions=\d+ image_bytes=\d+ /, 'the second verification passed too');
  const peak = Number(/arena_peak_bytes=(\d+)/.exec(o)![1]);
  console.log(
    `# one boot-time verification under QEMU (-icount shift=0): ${n} instructions; mbedTLS arena peak ${peak} bytes`,
  );
  console.log(
    `# bootloader: ${production!.flashBytes} bytes of flash (mbedTLS ${production!.cryptoFlashBytes}), ${production!.ramBytes} bytes of RAM; emulated build ${boot!.flashBytes} bytes`,
  );
  assert.ok(n > 1_000_000 && n < 60_000_000, `${n} instructions`);
  assert.ok(peak < 6144, `arena peak ${peak}`);
  assert.ok(production!.flashBytes <= 48 * 1024, 'the bootloader fits sectors 0-2');
});

const refusals: [string, AppImage, (b: Buffer) => Buffer, RegExp][] = [
  [
    'a tampered byte',
    { tag: 'B2', slot: 'b', counter: 2 },
    (b) => {
      const t = Buffer.from(b);
      t[0x200 + 64] ^= 0x01;
      return t;
    },
    /SHA-256 mismatch \(image changed\)/,
  ],
  [
    'a wrong key',
    { tag: 'B2', slot: 'b', counter: 2, key: otherKey },
    (b) => b,
    /signed by a key this bootloader does not trust/,
  ],
  [
    "another board's image",
    { tag: 'B2', slot: 'b', counter: 2, board: 'ref-pen' },
    (b) => b,
    /image for another board/,
  ],
];
for (const [what, img, change, reason] of refusals) {
  test(`${what} is refused with its reason and the previous image keeps running`, { skip }, () => {
    const p = pen(what.replace(/\W+/g, '-'), { tag: 'A1', slot: 'a', counter: 1 });
    p.install(SLOT_B, change(image(img)));
    for (let i = 0; i < 2; i++) {
      const o = p.power();
      assert.match(o, new RegExp(`boot: slot B refused: ${reason.source}`));
      assert.match(o, /boot: starting slot A, security counter 1/);
      assert.match(o, /app: running A1 from slot A\n/);
    }
    assert.ok(readTrailer(p.flash(), SLOT_B).badReason !== undefined, "the refusal is recorded in slot B's trailer");
  });
}

test('an older security counter is refused once a newer image is confirmed', { skip }, () => {
  const p = pen('rollback', { tag: 'A3', slot: 'a', counter: 3 });
  assert.match(p.power(), /starting slot A, security counter 3, stored minimum 3/);
  p.install(SLOT_B, image({ tag: 'B2', slot: 'b', counter: 2, confirm: true }));
  const o = p.power();
  assert.match(o, /boot: slot B refused: security counter below the stored minimum/);
  assert.match(o, /app: running A3 from slot A\n/);
});

test(
  'a pending image that never confirms runs three trial boots, then the pen falls back and records why',
  { skip },
  () => {
    const p = pen('fallback', { tag: 'A1', slot: 'a', counter: 1 });
    assert.match(p.power(), /starting slot A, security counter 1, stored minimum 1/, 'the factory image ran once');
    p.install(SLOT_B, image({ tag: 'B2', slot: 'b', counter: 2 }));
    for (let trial = 1; trial <= 3; trial++) {
      const o = p.power();
      assert.match(
        o,
        new RegExp(`boot: starting slot B \\(trial ${trial} of 3\\), security counter 2, stored minimum 1`),
      );
      assert.match(o, /app: running B2 from slot B\n/);
    }
    for (let i = 0; i < 2; i++) {
      const o = p.power();
      assert.match(o, /boot: slot B refused: not confirmed after its trial boots/);
      assert.match(
        o,
        /boot: starting slot A, security counter 1, stored minimum 1/,
        'the counter did not advance for an unconfirmed image',
      );
      assert.match(o, /app: running A1 from slot A\n/);
    }
    const t = readTrailer(p.flash(), SLOT_B);
    assert.equal(t.attemptsUsed, 3);
    assert.equal(t.confirmed, false);
    assert.ok(t.badReason !== undefined);
  },
);

test('a pending image that confirms stays, and only then the security counter advances', { skip }, () => {
  const p = pen('confirm', { tag: 'A1', slot: 'a', counter: 1 });
  assert.match(p.power(), /starting slot A, security counter 1, stored minimum 1/, 'the factory image ran once');
  p.install(SLOT_B, image({ tag: 'B2', slot: 'b', counter: 2, confirm: true }));
  let o = p.power();
  assert.match(o, /boot: starting slot B \(trial 1 of 3\), security counter 2, stored minimum 1/);
  assert.match(o, /app: running B2 from slot B\napp: confirmed\n/);
  for (let i = 0; i < 4; i++) {
    o = p.power();
    assert.match(o, /boot: starting slot B, security counter 2, stored minimum 2\n/);
    assert.match(o, /app: running B2 from slot B\n/);
  }
  assert.equal(readTrailer(p.flash(), SLOT_B).confirmed, true);
  // the older image in A is now below the minimum: not a fall-back any more
  assert.doesNotMatch(o, /slot A refused/, 'A is not looked at while B is good');
});

test(
  'the board firmware, linked for slot A and signed, is started by the bootloader and runs past its clock set-up',
  { skip, timeout: 300_000 },
  async () => {
    const board = loadBoard(BOARD);
    const fw = await buildFirmware(board.name);
    buildPort(board, fw.wasmPath);
    const slotA = buildSlotFirmware(board, 'a');
    assert.equal(
      textBytes(slotA.elf),
      textBytes(slotA.boardElf),
      'the slot build compiles the same code as the board build',
    );
    const noinit = sectionAt(slotA.elf, '.noinit');
    assert.ok(
      noinit && noinit.addr + noinit.bytes <= BOOT_RAM_START,
      "the firmware's .noinit lies below the bootloader's RAM, so a reset through the bootloader keeps it",
    );
    const file = join(out, 'board-firmware.flash.bin');
    const f = blankFlash(readFileSync(boot!.bin));
    installImage(f, SLOT_A, signTestImage({ firmware: slotA.bin, slot: SLOT_A, securityCounter: 1, key }), {
      confirmed: true,
    });
    writeFileSync(file, f);
    // QEMU sets neither HSERDY nor PLLRDY: clocks_init() gives up on both and board_hal_init() goes on;
    // the firmware then says so on USART2, which it only reaches once its clocks and USART are set up
    const clockLine = /board: no crystal \(HSE not ready in 100 ms\): running from HSI[^\n]*\n/;
    const o = await bootQemuUntil(file, clockLine, 120_000, { usart2: true });
    assert.match(o, /boot: starting slot A, security counter 1/);
    assert.match(
      o.slice(o.indexOf('boot: starting slot A')),
      clockLine,
      `the firmware did not get past clocks_init():\n${o.slice(-2000)}`,
    );
  },
);

test(
  'the board firmware (the same image as for the part), started by the bootloader, says what QEMU lacks and answers STATUS? on its serial port (USART2)',
  { skip, timeout: 300_000 },
  async () => {
    const board = loadBoard(BOARD);
    const fw = await buildFirmware(board.name);
    buildPort(board, fw.wasmPath);
    const slotA = buildSlotFirmware(board, 'a');
    const file = join(out, 'board-firmware-emulated.flash.bin');
    const f = blankFlash(readFileSync(boot!.bin));
    installImage(f, SLOT_A, signTestImage({ firmware: slotA.bin, slot: SLOT_A, securityCounter: 1, key }), {
      confirmed: true,
    });
    writeFileSync(file, f);
    // QEMU connects its second -serial (USART2, the board's command port) to a socket of this test
    const sock = join(out, 'usart2.sock');
    let serial = '';
    let port: Socket | undefined;
    const server = createServer((s) => {
      port = s;
      s.on('data', (d) => (serial += d.toString('latin1')));
    });
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    let console = '';
    const qemu = spawn(
      'qemu-system-arm',
      [
        '-M',
        'netduinoplus2',
        '-display',
        'none',
        '-monitor',
        'none',
        '-no-reboot',
        '-icount',
        'shift=0',
        '-serial',
        'null',
        '-chardev',
        `socket,id=usart2,path=${sock}`,
        '-serial',
        'chardev:usart2',
        '-semihosting-config',
        `enable=on,target=native,arg=boot,arg=${file}`,
        '-device',
        `loader,file=${file},addr=0x08000000`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    qemu.stdout.on('data', (d: Buffer) => (console += d.toString('latin1')));
    qemu.stderr.on('data', (d: Buffer) => (console += d.toString('latin1')));
    const exited = new Promise<void>((resolve) => qemu.on('exit', () => resolve()));
    try {
      // asked again until the firmware is up: bytes sent before its USART is on are lost
      const status = /STATUS [^\n]*\n/;
      const t0 = Date.now();
      while (!status.test(serial)) {
        if (qemu.exitCode !== null || qemu.signalCode !== null || Date.now() - t0 > 240_000)
          assert.fail(`no STATUS line; serial said:\n${serial.slice(-1000)}\nQEMU said:\n${console.slice(-2000)}`);
        port?.write('STATUS?\n');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.match(console, /boot: starting slot A, security counter 1/);
      // what it found missing, said before anything else on the port
      for (const fallback of [
        /^board: no crystal \(HSE not ready in 100 ms\): running from HSI; a fault keeps the driver off$/m,
        /^board: no backup SRAM \(its regulator never became ready\): the treatment log is kept in RAM and lost at power-off$/m,
        /^board: all six buttons read pressed at once: implausible, read as released$/m,
        /^board: no flash controller \(FLASH_OPTCR reads 0\): flash writes go to the emulator's flash file \(semihosting\)$/m,
      ])
        assert.match(serial, fallback);
      // its first answer: off, with no fault (QEMU's silent driver UART reads as undervoltage only once
      // the pen is powered; the buttons that all read pressed read as released)
      assert.match(
        status.exec(serial)![0],
        /^STATUS state=off fault=none depth=[\d.]+ freq=\d+ [^\n]*cartridge=\S+ session_s=\d+ encoder=absent measured=none\n$/,
      );
      assert.doesNotMatch(console, /boot: starting slot A[\s\S]*boot: starting slot A/, 'the firmware did not reset');
    } finally {
      if (qemu.exitCode === null && qemu.signalCode === null) qemu.kill('SIGTERM');
      await exited;
      port?.destroy();
      server.close();
    }
  },
);
