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
import { buildCryptoHalHost, runCryptoBench, runTickBench } from '../../tools/build/port-crypto.js';
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
  "on the Cortex-M4 the board's main loop runs a P-256 check behind the ticks: every tick on the 1 ms grid, a cancel half-way, a trap in a tick resets",
  { skip, timeout: 300_000 },
  () => {
    const b = runTickBench(join(out, 'tick'));
    assert.ok(b.ok, b.output);
    assert.equal(b.periodNs, 1_000_000, b.output);
    console.log(
      `# tick lateness during a P-256 check: at most ${b.checkLateMaxNs} ns (${b.checkLateMax} instructions); ticks at most ${b.gapMaxNs} ns apart; the check took ${b.checkTicks} ticks; stack ${b.stack} bytes`,
    );
    // the tick interrupts the step: it waits only for the interrupt's entry, never for a step (up to
    // 644,000 instructions, 5 ms at the bench's 8 ns an instruction)
    assert.ok(b.checkLateMaxNs! < 10_000, `a tick started ${b.checkLateMaxNs} ns late`);
    assert.ok(b.gapMaxNs! < 1_010_000, `two ticks ${b.gapMaxNs} ns apart: a tick was lost`);
    assert.equal(b.good, code('ok'));
    assert.equal(b.bad, code('bad_signature'));
    assert.equal(b.cancel, code('bad_handle'), 'a cancelled handle is dead at once');
    assert.equal(b.busyWhileCancelling, 3, 'the slot of a check being cancelled is not reused before its step ends');
    assert.equal(b.afterCancel, code('ok'), 'a check after a cancel half-way');
    assert.equal(b.trapIpsr, 15, 'a trap in the tick ends in board_panic_reset, in SysTick');
    // the tick's stack comes on top of a step's
    assert.ok(b.stack! < 4096, `stack ${b.stack} bytes of 8192`);
    assert.ok(b.tickArenaPeak! > 0 && b.tickArenaPeak! <= 1536, `point checks' arena ${b.tickArenaPeak} bytes`);
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
