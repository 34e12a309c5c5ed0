// The STM32F405 board drivers that QEMU cannot run (I2C cartridge chip, TMC2209 UART, backup-SRAM
// log, the TIM2 step queue executor), tested on the host against models of their peripherals:
// ports/stm32f405/test/*.cpp, built with the host's g++. The step queue test reads the step queue
// vectors as a C header written here. Skips, saying so, on a machine without g++.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';
import { loadVectors, vectorsCHeader } from './step-queue-vectors.js';
import { tempDir } from './tmp-dir.js';

const dir = join(REPO_ROOT, 'ports', 'stm32f405', 'test');
const gpp = spawnSync('g++', ['--version'], { encoding: 'utf8' });
const skip = gpp.status === 0 ? false : 'skipped the board driver tests: g++ not installed';
if (skip) console.log(`# ${skip}`);
const out = tempDir('port-drivers-');
writeFileSync(join(out, 'step_queue_vectors.h'), vectorsCHeader(loadVectors()));

for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('_test.cpp'))
  .sort()) {
  test(`board driver on a model of its peripheral: ${file}`, { skip }, () => {
    const exe = join(out, file.replace(/\.cpp$/, ''));
    const cc = spawnSync(
      'g++',
      [
        '-std=c++17',
        '-O1',
        '-Wall',
        '-Wextra',
        '-Werror',
        `-I${dir}`,
        `-I${out}`,
        `-I${join(REPO_ROOT, 'ports')}`,
        '-o',
        exe,
        join(dir, file),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(cc.status, 0, `${file} does not compile:\n${cc.stderr}`);
    const run = spawnSync(exe, [], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, `${file}:\n${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /passed: 0 failures/);
  });
}
