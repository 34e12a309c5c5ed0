// The STM32F405 port's crypto HAL (HAL ABI 4): the imports on the host against an array standing in
// for OTP (ports/stm32f405/test/crypto_hal_host.c, with mbedTLS built by gcc), and the engine on the
// Cortex-M4 under QEMU -icount (ports/crypto/crypto_bench.c): every check ends as its vectors say, in
// bounded steps from the main loop, within its mbedTLS arena. Skips, saying so, without the tools or
// without mbedTLS's source (ports/crypto/get-mbedtls.sh says how to get it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';
import { missingTools, PORT_PACKAGES } from '../../tools/build/port-build.js';
import { buildCryptoHalHost, runCryptoBench } from '../../tools/build/port-crypto.js';
import { mbedtlsTree } from '../../tools/build/boot-build.js';
import { CRYPTO_RESULTS } from '../../abi/pen-abi.js';
import { loadBoard } from '../../boards/board.js';
import { buildFirmware } from '../../tools/build/build.js';
import { buildPort, portDir } from '../../tools/build/port-build.js';
import { recordScenario, replayRecording } from '../../tools/lib/conform.js';

function why(): string | false {
  const missing = missingTools(['gcc', 'arm-none-eabi-gcc', 'qemu-system-arm']);
  if (missing.length) return `skipped the port's crypto: ${missing.join(', ')} not installed (${PORT_PACKAGES})`;
  try {
    mbedtlsTree();
  } catch (e) {
    return `skipped the port's crypto: no mbedTLS source (${(e as Error).message.split('\n')[0]})`;
  }
  return false;
}
const skip = why();
if (skip) console.log(`# ${skip}`);
const out = join(REPO_ROOT, 'build', 'port-crypto-test');
const code = (name: string): number => CRYPTO_RESULTS.find((c) => c.name === name)!.code;

test(
  'the crypto imports on the host: refusals with reasons, checks, hashes, imported keys, random bits, no key in the module',
  { skip, timeout: 300_000 },
  () => {
    const exe = buildCryptoHalHost(join(out, 'host'));
    const r = spawnSync(exe, [], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /passed: 0 failures/);
  },
);

test(
  'on the Cortex-M4 a P-256 check runs in steps from the main loop and ends as its vectors say',
  { skip, timeout: 300_000 },
  () => {
    const b = runCryptoBench(join(out, 'qemu'));
    assert.ok(b.ok, b.output);
    const job = (name: string) => {
      const j = b.jobs.find((x) => x.job === name);
      assert.ok(j, `no figures for ${name}:\n${b.output}`);
      return j!;
    };
    assert.equal(job('verify_good').result, code('ok'));
    assert.equal(job('verify_bad_signature').result, code('bad_signature'));
    assert.equal(job('verify_other_key').result, code('bad_signature'));
    assert.equal(job('verify_key_off_curve').result, code('malformed_key'));
    const v = job('verify_good');
    console.log(
      `# P-256 check on the Cortex-M4: ${v.total} instructions in ${v.slices} steps, the longest ${v.sliceMax} (${v.slicesLong} over 84,000); mbedTLS arena peak ${v.arenaPeak} bytes`,
    );
    assert.ok(v.slices > 100, `${v.slices} steps: the check is not split`);
    // the longest steps are the modular inversions mbedTLS 2.28 cannot split (ports/crypto/README.md)
    assert.ok(v.sliceMax < 700_000, `a step of ${v.sliceMax} instructions`);
    assert.ok(v.arenaPeak <= 6144, `arena peak ${v.arenaPeak} bytes`);
    assert.ok(job('sha256_256_bytes').sliceMax < 20_000, 'a hash step is short');
  },
);

test(
  'every tick stays within the budget while signature checks run between the ticks (replay with the crypto engine)',
  { skip, timeout: 600_000 },
  async () => {
    const board = loadBoard('stm32f405-tmc2209');
    const fw = await buildFirmware(board.name);
    const p = buildPort(board, fw.wasmPath, { cryptoBackground: true });
    const rec = recordScenario(
      join(REPO_ROOT, 'tests', 'port', 'stroke-1.5mm-100hz.yaml'),
      board.name,
      fw.wasmPath,
      join(portDir(board.name), 'conformance-crypto'),
    );
    const budget = board.mcu!.tick_budget_instructions!;
    const r = replayRecording(p.replayCryptoElf!, rec.recording, budget);
    assert.ok(r.identical, r.output);
    assert.equal(r.ticksOverBudget, 0, `the worst tick ${r.tickMaxInstructions} instructions at tick ${r.tickMaxAt}`);
    assert.ok(r.background, `no background figures:\n${r.output}`);
    assert.equal(r.background!.steps, r.ticks, 'one background step after every tick');
    assert.ok(r.background!.checks >= 1, `${r.background!.checks} checks finished in ${r.ticks} ticks`);
  },
);
