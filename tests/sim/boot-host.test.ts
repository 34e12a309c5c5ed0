// The bootloader's image check and slot state machine (ports/stm32f405/boot/boot_image.c,
// boot_state.c) built for the host with mbedTLS from Debian's source package, run against images
// signed here with node:crypto in MCUboot's layout, and against a model of the flash that loses power
// at every program and erase step. Skips, saying why, when gcc/g++ or apt-get source are missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  buildBootHost,
  signTestImage,
  spki,
  writeFile,
  BootToolsMissing,
  SLOT_A,
  SLOT_B,
  TestImage,
} from '../../tools/build/boot-build.js';
import { tempDir } from './tmp-dir.js';

const out = tempDir('boot-host-');
let exe: string | undefined;
let skip: string | false = false;
for (const tool of ['gcc', 'g++'])
  if (spawnSync(tool, ['--version']).status !== 0) skip = `skipped the bootloader host tests: ${tool} not installed`;
if (!skip) {
  try {
    exe = buildBootHost(join(out, 'build'));
  } catch (e) {
    if (!(e instanceof BootToolsMissing)) throw e;
    skip = `skipped the bootloader host tests: ${e.message}`;
  }
}
if (skip) console.log(`# ${skip}`);

// a throwaway key for these tests: the bootloader under test trusts exactly it
const { privateKey: key } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const { privateKey: otherKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const keyFile = writeFile(join(out, 'key.der'), spki(key));
const firmware = randomBytes(3000);
const image = (o: Partial<TestImage> = {}): Buffer =>
  signTestImage({ firmware, slot: SLOT_A, securityCounter: 1, key, ...o });

function check(img: Buffer, slot = SLOT_A): string {
  const file = writeFile(join(out, `check-${Math.random().toString(36).slice(2)}.img`), img);
  const r = spawnSync(exe!, ['check', keyFile, file, `0x${slot.toString(16)}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('a signed image for its slot, board and HAL ABI passes the check', { skip }, () => {
  assert.equal(check(image()), 'ok');
  assert.equal(check(image({ slot: SLOT_B }), SLOT_B), 'ok');
});

test('each fault is refused with its reason', { skip }, () => {
  const good = image();
  const flip = (at: number): Buffer => {
    const b = Buffer.from(good);
    b[at] ^= 1;
    return b;
  };
  assert.equal(check(flip(0x200 + 100)), 'SHA-256 mismatch (image changed)');
  assert.equal(check(flip(0)), 'no image (bad magic)');
  assert.equal(check(image({ key: otherKey })), 'signed by a key this bootloader does not trust');
  assert.equal(check(image({ board: 'ref-pen' })), 'image for another board');
  assert.equal(check(image({ halAbi: 2 })), 'HAL ABI version differs');
  assert.equal(check(image({ linkAddress: 0x08000000 })), 'linked for another address');
  assert.equal(check(image(), SLOT_B), "load address is not the slot's");
  assert.equal(check(image({ extraProtected: [0xa7, Buffer.alloc(4)] })), 'unknown TLV');
  assert.equal(check(image({ extraProtected: [0x50, Buffer.alloc(4)] })), 'TLV given twice');
  // the signature itself: its last byte changed (DER stays well formed)
  assert.equal(check(flip(good.length - 1)), 'signature does not verify');
  // a header whose image size runs past the slot, and a TLV length past its area
  const big = Buffer.from(good);
  big.writeUInt32LE(0x60000, 12);
  assert.equal(check(big), 'image runs past the slot');
  const tlvOff = 0x200 + firmware.length;
  const longTlv = Buffer.from(good);
  longTlv.writeUInt16LE(0xfff0, tlvOff + 4 + 2);
  assert.equal(check(longTlv), 'TLV runs past its area');
  const flags = Buffer.from(good);
  flags.writeUInt32LE(0x104, 16); // ROM_FIXED and ENCRYPTED_AES128
  assert.equal(check(flags), 'flags other than ROM_FIXED');
  const hdr = Buffer.from(good);
  hdr.writeUInt16LE(0x100, 8);
  assert.equal(check(hdr), "header size is not the slot's");
  const badInfo = Buffer.from(good);
  badInfo.writeUInt16LE(0x6907, tlvOff);
  assert.equal(check(badInfo), 'bad TLV area header');
});

test(
  "every one of the scenario's flash steps cut by a power loss (cleanly and torn) still starts an authentic image",
  { skip, timeout: 300_000 },
  () => {
    writeFile(
      join(out, 'a1.img'),
      signTestImage({ firmware: randomBytes(1500), slot: SLOT_A, securityCounter: 1, key, version: [1, 0, 0, 0] }),
    );
    writeFile(
      join(out, 'b2.img'),
      signTestImage({ firmware: randomBytes(1500), slot: SLOT_B, securityCounter: 2, key, version: [1, 1, 0, 0] }),
    );
    writeFile(
      join(out, 'a3.img'),
      signTestImage({ firmware: randomBytes(1500), slot: SLOT_A, securityCounter: 3, key, version: [1, 2, 0, 0] }),
    );
    const r = spawnSync(exe!, ['powercut', keyFile, out], { encoding: 'utf8', timeout: 280_000 });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /passed: 0 failures/);
    const cuts = Number(/(\d+) power cuts/.exec(r.stdout)![1]);
    assert.ok(cuts >= 2000, `${cuts} cuts`);
    console.log(`# ${r.stdout.split('\n')[0]}`);
  },
);
