// Firmware images (MCUboot format): sign -> verify, every field shown by `pen image info`, each refusal
// by its exact message, a seeded fuzz of damaged images, and a check by an independent implementation
// (Python's cryptography) that the hash, key hash and signature are MCUboot's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, createPrivateKey } from 'node:crypto';
import { writeFileSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';
import { loadBoard } from '../../boards/board.js';
import { HAL_ABI_VERSION } from '../../host-sim/hal.js';
import { ImageError, IMAGE_F_ROM_FIXED, HDR, parseVersion, TLV_SPECS } from '../../tools/lib/image/format.js';
import { parseImage } from '../../tools/lib/image/parse.js';
import { signImage, SignInput } from '../../tools/lib/image/sign.js';
import { verifyImage } from '../../tools/lib/image/verify.js';
import {
  DEV_KEY_PATH,
  DEV_PUB_KEY_PATH,
  loadPrivateKey,
  loadPublicKey,
  keyHash,
  newKeyPair,
} from '../../tools/lib/image/keys.js';
import { toIntelHex } from '../../tools/lib/image/ihex.js';
import { main } from '../../tools/cli.js';
import { flashLayout } from '../../tools/lib/image/layout.js';
import { tempDir } from './tmp-dir.js';

const BOARD = loadBoard('stm32f405-tmc2209');
const LAYOUT = flashLayout(BOARD);
const DEV_PRIVATE = loadPrivateKey(DEV_KEY_PATH);
const DEV_PUBLIC = loadPublicKey(DEV_PUB_KEY_PATH);
const tmp = tempDir('pen-image-');
const penProcess = (...args: string[]) =>
  spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), ...args], { encoding: 'utf8' });

/** `pen` in this process (a fresh process loads the compiler each time): exit status and what it printed. */
async function pen(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => {
    out.push(`${a.join(' ')}\n`);
  };
  console.error = (...a: unknown[]) => {
    err.push(`${a.join(' ')}\n`);
  };
  try {
    const status = await main(args);
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    Object.assign(console, { log, error });
  }
}

/** A deterministic stand-in for the port's firmware.bin. */
function firmwareBytes(n: number, seed = 1): Buffer {
  const r = rng(seed);
  return Buffer.from(Array.from({ length: n }, () => r() & 0xff));
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const WASM_SHA = createHash('sha256').update('firmware.wasm stand-in').digest();
function input(over: Partial<SignInput> = {}): SignInput {
  return {
    firmware: firmwareBytes(700),
    loadAddress: LAYOUT.slots.a.address,
    headerBytes: LAYOUT.headerBytes,
    flags: IMAGE_F_ROM_FIXED,
    version: parseVersion('1.2.3+45'),
    securityCounter: 7,
    board: BOARD.name,
    halAbiVersion: HAL_ABI_VERSION,
    wasmSha256: WASM_SHA,
    linkAddress: LAYOUT.slots.a.address + LAYOUT.headerBytes,
    privateKey: DEV_PRIVATE,
    ...over,
  };
}
const GOOD = signImage(input());
const PARSED = parseImage(GOOD);
const opts = { publicKey: DEV_PUBLIC, halAbiVersion: HAL_ABI_VERSION, board: BOARD };
const tlvAt = (name: string) => PARSED.tlvs.find((t) => t.name === name)!;

function refusal(image: Uint8Array, o: Partial<typeof opts> = {}): string {
  try {
    verifyImage(image, { ...opts, ...o });
  } catch (e) {
    assert.ok(e instanceof ImageError, `not an ImageError: ${String(e)}`);
    return e.message;
  }
  assert.fail('the image was accepted');
}

function changed(at: number, write: (b: Buffer) => void): Buffer {
  const b = Buffer.from(GOOD);
  write(b.subarray(at));
  return b;
}

test('sign -> verify: every field comes back as signed', () => {
  const img = verifyImage(GOOD, opts);
  assert.equal(img.header.loadAddr, 0x08020000);
  assert.equal(img.header.hdrSize, 0x200);
  assert.equal(img.header.imgSize, 700);
  assert.equal(img.header.flags, IMAGE_F_ROM_FIXED);
  assert.deepEqual(img.header.version, { major: 1, minor: 2, revision: 3, build: 45 });
  assert.equal(img.securityCounter, 7);
  assert.equal(img.board, 'stm32f405-tmc2209');
  assert.equal(img.halAbiVersion, HAL_ABI_VERSION);
  assert.deepEqual(img.wasmSha256, WASM_SHA);
  assert.equal(img.linkAddress, 0x08020200);
  assert.deepEqual(img.keyHash, keyHash(DEV_PUBLIC));
  assert.deepEqual(GOOD.subarray(img.firmwareOffset, img.firmwareOffset + img.firmwareBytes), firmwareBytes(700));
  // MCUboot's order: protected TLVs (security counter first), then SHA256, KEYHASH, signature
  assert.deepEqual(
    img.tlvs.map((t) => t.name),
    ['SEC_CNT', 'PEN_BOARD', 'PEN_HAL_ABI', 'PEN_WASM_SHA256', 'PEN_LINK_ADDR', 'SHA256', 'KEYHASH', 'ECDSA_SIG'],
  );
  assert.equal(img.hashedBytes, 0x200 + 700 + img.header.protectTlvSize);
});

test("the header is MCUboot's struct image_header, byte for byte", () => {
  assert.equal(GOOD.readUInt32LE(0), 0x96f3b83d);
  assert.equal(GOOD.readUInt32LE(4), 0x08020000);
  assert.equal(GOOD.readUInt16LE(8), 0x200);
  assert.equal(GOOD.readUInt16LE(10), PARSED.header.protectTlvSize);
  assert.equal(GOOD.readUInt32LE(12), 700);
  assert.equal(GOOD.readUInt32LE(16), 0x100);
  assert.deepEqual(
    [GOOD[20], GOOD[21], GOOD.readUInt16LE(22), GOOD.readUInt32LE(24), GOOD.readUInt32LE(28)],
    [1, 2, 3, 45, 0],
  );
  assert.ok(
    GOOD.subarray(32, 0x200).every((x) => x === 0xff),
    'the header is padded with erased flash',
  );
  assert.equal(GOOD.readUInt16LE(PARSED.protectedOffset), 0x6908);
  assert.equal(GOOD.readUInt16LE(PARSED.unprotectedOffset), 0x6907);
  assert.equal(GOOD.readUInt16LE(PARSED.unprotectedOffset + 2), GOOD.length - PARSED.unprotectedOffset);
});

test('refusals: each fault is named with where it is', () => {
  const sigOff = tlvAt('ECDSA_SIG').offset;
  const secOff = tlvAt('SEC_CNT').offset;
  const p = PARSED.protectedOffset;
  const u = PARSED.unprotectedOffset;
  const n = GOOD.length;
  const big = signImage(input({ firmware: Buffer.alloc(LAYOUT.slots.a.bytes) }));
  const cases: [string, Buffer, string, Partial<typeof opts>?][] = [
    [
      'bad magic',
      changed(0, (b) => {
        b[0] = 0x3c;
      }),
      'bad magic 0x96f3b83c at offset 0 (expected 0x96f3b83d)',
    ],
    ['short file', GOOD.subarray(0, 20), 'file is 20 bytes, shorter than the 32-byte image header'],
    [
      'header too small',
      changed(HDR.hdrSize, (b) => b.writeUInt16LE(16)),
      'header size mismatch: ih_hdr_size 16 (at offset 8) is smaller than the 32-byte header',
    ],
    [
      'header past the end',
      GOOD.subarray(0, 100),
      'header size mismatch: ih_hdr_size 512 (at offset 8) is past the end of the 100-byte file',
    ],
    [
      'image size past the end',
      changed(HDR.imgSize, (b) => b.writeUInt32LE(0x10000)),
      `image size past the end of file: ih_img_size 65536 (at offset 12) ends the firmware at byte ${0x200 + 0x10000} of a ${n}-byte file`,
    ],
    [
      'protected size 0',
      changed(HDR.protectTlvSize, (b) => b.writeUInt16LE(0)),
      'no protected TLV area: ih_protect_tlv_size (at offset 10) is 0, but a pen image carries its security counter, board and HAL ABI there',
    ],
    [
      'protected size mismatch',
      changed(HDR.protectTlvSize, (b) => b.writeUInt16LE(PARSED.header.protectTlvSize + 4)),
      `protected TLV size mismatch: the header says ${PARSED.header.protectTlvSize + 4} bytes (at offset 10), the protected TLV area at offset ${p} says ${PARSED.header.protectTlvSize}`,
    ],
    [
      'bad protected magic',
      changed(p, (b) => b.writeUInt16LE(0x6907)),
      `bad protected TLV magic 0x6907 at offset ${p} (expected 0x6908)`,
    ],
    [
      'bad TLV magic',
      changed(u, (b) => b.writeUInt16LE(0x1234)),
      `bad TLV magic 0x1234 at offset ${u} (expected 0x6907)`,
    ],
    [
      'TLV area truncated',
      GOOD.subarray(0, n - 1),
      `TLV area truncated: ${n - u} bytes from offset ${u} end at byte ${n}, past the end of the ${n - 1}-byte file`,
    ],
    ['trailing bytes', Buffer.concat([GOOD, Buffer.alloc(3)]), `3 bytes after the end of the TLV area at offset ${n}`],
    [
      'TLV overlapping',
      changed(secOff + 2, (b) => b.writeUInt16LE(200)),
      `TLV area overlapping: TLV 0x50 at offset ${secOff} is 200 bytes long and runs to offset ${secOff + 204}, past the end of the protected area at offset ${u}`,
    ],
    [
      'unknown TLV type',
      changed(secOff, (b) => b.writeUInt16LE(0x51)),
      `unknown TLV type 0x51 at offset ${secOff} in the protected area`,
    ],
    [
      'TLV in the wrong area',
      changed(secOff, (b) => b.writeUInt16LE(0x10)),
      `TLV SHA256 (0x10) at offset ${secOff} is in the protected area; it belongs in the unprotected area`,
    ],
    [
      'hash mismatch',
      changed(0x200 + 10, (b) => {
        b[0] ^= 1;
      }),
      `hash mismatch: the SHA256 TLV says ${PARSED.sha256.toString('hex')}, but header, image and protected TLVs (bytes 0..${u}) hash to `,
    ],
    [
      'key hash not the given key',
      GOOD,
      `key hash is not the given key's: the image names key ${keyHash(DEV_PUBLIC).toString('hex')}, the given key is `,
      { publicKey: createPublicKey(newKeyPair().publicPem) },
    ],
    [
      'signature invalid',
      changed(sigOff + 4 + 10, (b) => {
        b[0] ^= 0x80;
      }),
      'signature invalid: the ECDSA_SIG TLV does not verify with the given key over header, image and protected TLVs',
    ],
    [
      'wrong board',
      signImage(input({ board: 'other-pen' })),
      'wrong board: the image is for other-pen, not stm32f405-tmc2209',
    ],
    [
      'ABI version mismatch',
      signImage(input({ halAbiVersion: HAL_ABI_VERSION + 1 })),
      `HAL ABI version mismatch: the image's firmware speaks HAL ABI ${HAL_ABI_VERSION + 1}, this firmware tree's HAL is ${HAL_ABI_VERSION}`,
    ],
    [
      "header size not the board's",
      signImage(input({ headerBytes: 0x100 })),
      "header size mismatch: ih_hdr_size 256, but stm32f405-tmc2209's firmware starts 512 bytes into its slot",
    ],
    [
      'not a slot',
      signImage(input({ loadAddress: 0x08000000 })),
      'load address 0x08000000 is not the start of a slot of stm32f405-tmc2209 (a at 0x08020000, b at 0x08080000)',
    ],
    ['too big for the slot', big, `image of ${big.length} bytes does not fit slot a (${LAYOUT.slots.a.bytes} bytes)`],
  ];
  for (const [what, image, message, o] of cases) {
    const got = refusal(image, o);
    assert.ok(got.startsWith(message), `${what}:\n  got  ${got}\n  want ${message}`);
  }
});

test('missing, duplicate and mis-sized TLVs are refused', () => {
  const board = tlvAt('PEN_BOARD');
  assert.equal(
    refusal(changed(tlvAt('PEN_LINK_ADDR').offset, (b) => b.writeUInt16LE(0xa1))),
    `TLV PEN_HAL_ABI (0xa1) appears twice, at offsets ${tlvAt('PEN_HAL_ABI').offset} and ${tlvAt('PEN_LINK_ADDR').offset}`,
  );
  assert.equal(
    refusal(changed(tlvAt('PEN_HAL_ABI').offset, (b) => b.writeUInt16LE(0xa2))),
    `TLV PEN_WASM_SHA256 (0xa2) at offset ${tlvAt('PEN_HAL_ABI').offset} is 4 bytes long, expected 32`,
  );
  assert.equal(
    refusal(
      changed(board.offset + 4, (b) => {
        b[0] = 0x20;
      }),
    ),
    `TLV PEN_BOARD (0xa0) at offset ${board.offset} is not a board name (printable ASCII without spaces)`,
  );
  assert.equal(
    refusal(
      changed(tlvAt('ECDSA_SIG').offset + 4, (b) => {
        b[0] = 0x31;
      }),
    ),
    `TLV ECDSA_SIG (0x22) at offset ${tlvAt('ECDSA_SIG').offset} is not one DER SEQUENCE of its ${PARSED.signature.length} bytes`,
  );
  // drop the last unprotected TLV (the signature) and shorten the area to match
  const noSig = Buffer.from(GOOD.subarray(0, tlvAt('ECDSA_SIG').offset));
  noSig.writeUInt16LE(noSig.length - PARSED.unprotectedOffset, PARSED.unprotectedOffset + 2);
  assert.equal(
    refusal(noSig),
    'missing TLV ECDSA_SIG (0x22) in the unprotected area: ECDSA P-256 signature (DER) over the SHA-256',
  );
});

test('pen image sign, verify and info: exit codes, the development key warning, every field printed', async () => {
  const bin = join(tmp, 'firmware.bin');
  const wasm = join(tmp, 'firmware.wasm');
  const out = join(tmp, 'signed.img');
  writeFileSync(bin, firmwareBytes(1000, 9));
  writeFileSync(wasm, 'wasm bytes');
  const s = await pen(
    'image',
    'sign',
    '--board',
    BOARD.name,
    '--module',
    wasm,
    '--version',
    '2.0.1+7',
    '--security-counter',
    '3',
    '--slot',
    'b',
    '--out',
    out,
    '--hex',
    `${out}.hex`,
    bin,
  );
  assert.equal(s.status, 0, s.stderr);
  assert.match(
    s.stderr,
    /^warning: signed with the DEVELOPMENT key \(.*dev-signing-key\.DEVELOPMENT-ONLY\.pem\): for development and emulator tests only/m,
  );
  assert.doesNotMatch(s.stderr, /linked at/, 'an INPUT.bin without --link-address is taken as linked for its slot');
  const v = await pen('image', 'verify', out, '--board', BOARD.name);
  assert.equal(v.status, 0, v.stderr);
  assert.match(
    v.stdout,
    /good: board stm32f405-tmc2209, version 2\.0\.1\+7, security counter 3, HAL ABI \d+, load address 0x08080000, .*\(the development key\)/,
  );

  const info = await pen('image', 'info', out);
  assert.equal(info.status, 0, info.stderr);
  const wasmSha = createHash('sha256').update('wasm bytes').digest('hex');
  for (const [field, value] of [
    ['ih_magic', '0x96f3b83d'],
    ['ih_load_addr', '0x08080000'],
    ['ih_hdr_size', '512 bytes'],
    ['ih_protect_tlv_size', '85 bytes'],
    ['ih_img_size', '1000 bytes'],
    ['ih_flags', '0x00000100 (ROM_FIXED)'],
    ['ih_ver', '2.0.1+7'],
    ['_pad1', '0x00000000'],
    ['firmware', '1000 bytes'],
    ['protected TLV info', 'magic 0x6908'],
    ['TLV SEC_CNT (0x50)', '3'],
    ['TLV PEN_BOARD (0xa0)', 'stm32f405-tmc2209'],
    ['TLV PEN_HAL_ABI (0xa1)', String(HAL_ABI_VERSION)],
    ['TLV PEN_WASM_SHA256 (0xa2)', wasmSha],
    ['TLV PEN_LINK_ADDR (0xa3)', '0x08080200'],
    ['TLV info', 'magic 0x6907'],
    ['TLV SHA256 (0x10)', ''],
    ['TLV KEYHASH (0x01)', keyHash(DEV_PUBLIC).toString('hex')],
    ['TLV ECDSA_SIG (0x22)', '30'],
  ]) {
    assert.match(
      info.stdout,
      new RegExp(`^\\s+\\d+\\s+${field.replace(/[()]/g, '\\$&')}\\s+${value.replace(/[()+]/g, '\\$&')}`, 'm'),
      `info shows ${field}`,
    );
  }
  const json = JSON.parse((await pen('image', 'info', out, '--json')).stdout) as {
    header: Record<string, unknown>;
    tlvs: { name: string; value: string }[];
  };
  assert.equal(json.header.version, '2.0.1+7');
  assert.deepEqual(
    json.tlvs.map((t) => t.name),
    TLV_SPECS.map((t) => t.name),
  );
  assert.equal(json.tlvs.find((t) => t.name === 'PEN_WASM_SHA256')!.value, wasmSha);

  // the Intel HEX holds the same bytes at the slot's address
  assert.deepEqual(decodeIntelHex(readFileSync(`${out}.hex`, 'utf8')), {
    address: 0x08080000,
    data: readFileSync(out),
  });

  const bad = join(tmp, 'bad.img');
  const b = readFileSync(out);
  b[600] ^= 1;
  writeFileSync(bad, b);
  const r = penProcess('image', 'verify', bad);
  assert.equal(r.status, 1, 'the process exits 1 for a bad image');
  assert.match(r.stderr, /^pen image verify: .*bad\.img: hash mismatch: /m);
  assert.equal(penProcess('image', 'verify').status, 2, 'and 2 on a usage error');
  assert.equal(
    (await pen('image', 'verify', out, '--board', 'ref-pen')).status,
    2,
    'a board without slots is a usage error',
  );
  assert.equal((await pen('image', 'info', bad)).status, 0, 'info checks structure, not the hash');
  for (const args of [
    ['image', 'verify'],
    ['image', 'verify', join(tmp, 'none.img')],
    ['image', 'verify', out, '--key', join(tmp, 'none.pem')],
    ['image', 'sign', '--board', BOARD.name, bin],
    ['image', 'sign', '--out', out, bin],
    ['image', 'sign', '--board', BOARD.name, '--out', out, '--slot', 'c', bin],
    ['image', 'sign', '--board', BOARD.name, '--out', out, '--version', '1.300.0', bin],
    ['image', 'frobnicate'],
    ['keys', 'new'],
  ]) {
    assert.equal((await pen(...args)).status, 2, args.join(' '));
  }
});

test('pen image sign with another key prints no development warning; the image then fails against the development key', async () => {
  const name = join(tmp, 'release');
  const k = await pen('keys', 'new', '--out', name);
  assert.equal(k.status, 0, k.stderr);
  assert.equal(statSync(`${name}.pem`).mode & 0o777, 0o600);
  assert.ok(existsSync(`${name}.pub.pem`));
  assert.equal(createPrivateKey(readFileSync(`${name}.pem`, 'utf8')).asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const again = await pen('keys', 'new', '--out', name);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /release\.pem exists; refusing to overwrite a key/);

  const bin = join(tmp, 'fw2.bin');
  writeFileSync(bin, firmwareBytes(300, 4));
  const out = join(tmp, 'release.img');
  const s = await pen(
    'image',
    'sign',
    '--board',
    BOARD.name,
    '--key',
    `${name}.pem`,
    '--module',
    bin,
    '--link-address',
    '0x08000000',
    '--out',
    out,
    bin,
  );
  assert.equal(s.status, 0, s.stderr);
  assert.doesNotMatch(s.stderr, /DEVELOPMENT/);
  assert.match(s.stderr, /warning: the firmware is linked at 0x08000000, but slot a runs it at 0x08020200/);
  assert.equal((await pen('image', 'verify', out, '--key', `${name}.pub.pem`)).status, 0);
  const r = await pen('image', 'verify', out);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /key hash is not the given key's/);
});

test('fuzz: damaged images are refused with an ImageError, never read out of bounds, never accepted', () => {
  const r = rng(20261201);
  const base = signImage(input({ firmware: firmwareBytes(64, 3) }));
  const parsed = parseImage(base);
  const headerOffsets = [...parsed.tlvs.map((t) => t.offset), parsed.protectedOffset, parsed.unprotectedOffset];
  const messages = new Set<string>();
  const ITERATIONS = 4000;
  for (let i = 0; i < ITERATIONS; i++) {
    let m: Buffer;
    switch (i % 5) {
      case 0:
        m = Buffer.from(base.subarray(0, r() % base.length));
        break; // truncated
      case 1:
        m = Buffer.concat([base, firmwareBytes(1 + (r() % 64), r())]);
        break; // oversized
      case 2: {
        // a TLV or TLV area length changed: overlapping or short areas
        m = Buffer.from(base);
        m.writeUInt16LE(r() & 0xffff, headerOffsets[r() % headerOffsets.length] + 2);
        break;
      }
      case 3: {
        // header fields
        m = Buffer.from(base);
        const at = [HDR.hdrSize, HDR.protectTlvSize, HDR.imgSize, HDR.imgSize + 2, HDR.magic][r() % 5];
        m.writeUInt16LE(r() & 0xffff, at);
        break;
      }
      default: {
        // random bytes anywhere
        m = Buffer.from(base);
        for (let k = 1 + (r() % 4); k > 0; k--) m[r() % m.length] ^= 1 + (r() % 255);
      }
    }
    if (m.equals(base)) continue;
    // the same bytes inside a larger buffer: a read past the image's end would see the tail and differ
    const host = Buffer.concat([m, firmwareBytes(128, i)]);
    const outcomes = [m, host.subarray(0, m.length)].map((img) => {
      try {
        verifyImage(img, opts);
        return 'accepted';
      } catch (e) {
        assert.ok(e instanceof ImageError, `iteration ${i}: ${(e as Error).name}: ${(e as Error).message}`);
        return e.message;
      }
    });
    assert.notEqual(outcomes[0], 'accepted', `iteration ${i}: a changed image was accepted`);
    assert.equal(outcomes[1], outcomes[0], `iteration ${i}: the answer depends on bytes past the image`);
    messages.add(outcomes[0].split(':')[0].replace(/ at offset.*| \d+.*/, ''));
  }
  assert.ok(messages.size >= 12, `the fuzz reaches many refusals: ${[...messages].join(' | ')}`);
});

test('the version and Intel HEX writers', () => {
  assert.deepEqual(parseVersion('1.2.3+4'), { major: 1, minor: 2, revision: 3, build: 4 });
  assert.deepEqual(parseVersion('0.9'), { major: 0, minor: 9, revision: 0, build: 0 });
  assert.throws(() => parseVersion('256.0.0'), /out of range/);
  assert.throws(() => parseVersion('1.2.3-rc1'), /not X\.Y\.Z\+B/);
  const data = firmwareBytes(70, 5);
  const hex = toIntelHex(data, 0x0800ffe0);
  assert.deepEqual(decodeIntelHex(hex), { address: 0x0800ffe0, data });
  assert.match(hex, /^:020000040800F2$/m);
  assert.match(hex, /^:020000040801F1$/m, 'an extended address record at the 64 KiB boundary');
  assert.match(hex, /:00000001FF\n$/);
  // binutils reads it back to the same bytes, where it is installed (the board port's toolchain)
  if (spawnSync('arm-none-eabi-objcopy', ['--version']).status === 0) {
    writeFileSync(join(tmp, 'w.hex'), hex);
    const r = spawnSync(
      'arm-none-eabi-objcopy',
      ['-I', 'ihex', '-O', 'binary', join(tmp, 'w.hex'), join(tmp, 'w.bin')],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readFileSync(join(tmp, 'w.bin')), data);
  }
});

/** A strict reader for the test: checks every checksum and that the data are contiguous. */
function decodeIntelHex(text: string): { address: number; data: Buffer } {
  let upper = 0;
  let start = -1;
  const parts: Buffer[] = [];
  let next = -1;
  for (const line of text.trim().split('\n')) {
    assert.match(line, /^:([0-9A-F]{2})+$/);
    const b = Buffer.from(line.slice(1), 'hex');
    assert.equal(b.reduce((a, x) => a + x, 0) & 0xff, 0, `checksum of ${line}`);
    assert.equal(b[0], b.length - 5);
    const type = b[3];
    if (type === 4) upper = b.readUInt16BE(4) * 0x10000;
    if (type !== 0) continue;
    const addr = upper + b.readUInt16BE(1);
    if (start < 0) {
      start = addr;
      next = addr;
    }
    assert.equal(addr, next, 'contiguous');
    parts.push(b.subarray(4, 4 + b[0]));
    next = addr + b[0];
  }
  return { address: start, data: Buffer.concat(parts) };
}

const PY_CHECK = `
import hashlib, struct, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
img = open(sys.argv[1], 'rb').read()
pub = serialization.load_pem_public_key(open(sys.argv[2], 'rb').read())
magic, load, hdr, prot, size, flags = struct.unpack_from('<IIHHII', img, 0)
assert magic == 0x96f3b83d
off = hdr + size
pmagic, ptot = struct.unpack_from('<HH', img, off)
assert pmagic == 0x6908 and ptot == prot
off += ptot
umagic, utot = struct.unpack_from('<HH', img, off)
assert umagic == 0x6907 and off + utot == len(img)
signed = img[:off]
tlvs, p = {}, off + 4
while p < off + utot:
    t, n = struct.unpack_from('<HH', img, p)
    tlvs[t] = img[p + 4:p + 4 + n]
    p += 4 + n
assert tlvs[0x10] == hashlib.sha256(signed).digest(), 'SHA256 TLV'
der = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
assert tlvs[0x01] == hashlib.sha256(der).digest(), 'KEYHASH TLV'
pub.verify(tlvs[0x22], signed, ec.ECDSA(hashes.SHA256()))
print('ok')
`;
// Debian's python3-cryptography is for /usr/bin/python3, which another python3 on PATH may hide
const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import cryptography']).status === 0);
const noPython = python ? false : 'skipped: no python3 with cryptography (Debian python3-cryptography)';
if (noPython) console.log(`# ${noPython}`);

test(
  'an independent implementation (Python cryptography) agrees: SHA256, KEYHASH of the DER public key, ECDSA signature',
  { skip: noPython },
  () => {
    const file = join(tmp, 'cross.img');
    writeFileSync(file, GOOD);
    const ok = spawnSync(python!, ['-c', PY_CHECK, file, DEV_PUB_KEY_PATH], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), 'ok');
    const bad = Buffer.from(GOOD);
    bad[0x200] ^= 1;
    writeFileSync(file, bad);
    const no = spawnSync(python!, ['-c', PY_CHECK, file, DEV_PUB_KEY_PATH], { encoding: 'utf8' });
    assert.notEqual(no.status, 0, 'python refuses the changed image too');
  },
);
