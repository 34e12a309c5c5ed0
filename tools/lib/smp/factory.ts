// `pen flash --factory`: the first bootloader of a new pen, written over ST's ROM bootloader (AN3155:
// BOOT0 high at reset, USART1 PA9/PA10 on the STM32F405) with Debian's stm32flash. The ROM bootloader
// takes any bytes, unchecked, so this is for the factory and for a pen whose bootloader is gone; the
// firmware then goes in with `pen flash` over SMP, signed and checked like any update.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

/** Flash below the first slot: what a bootloader may take (boot/boot_layout.h, sectors 0-2). */
export const BOOT_MAX_BYTES = 0xc000;

export interface FactoryStep {
  what: string;
  args: string[];
}

/** The stm32flash runs, in order: erase the whole main flash (OTP keeps the security counter), write and verify the bootloader, start it. */
export function factorySteps(port: string, bootBin: string, baud: number): FactoryStep[] {
  const common = ['-b', String(baud)];
  return [
    { what: 'erase the whole flash (the OTP security counter stays)', args: [...common, '-o', port] },
    {
      what: `write and verify the bootloader at 0x08000000`,
      args: [...common, '-w', bootBin, '-v', '-S', '0x08000000', port],
    },
    { what: 'start it', args: [...common, '-g', '0x08000000', port] },
  ];
}

/** Why the factory write cannot start, or undefined. */
export function factoryProblem(bootBin: string): string | undefined {
  if (spawnSync('stm32flash', ['-h'], { stdio: 'ignore' }).error)
    return 'stm32flash is not installed (apt-get install stm32flash)';
  if (!existsSync(bootBin))
    return `${bootBin}: no such bootloader binary (build it: node dist/tools/build/boot-build.js KEY.pub.pem)`;
  const bytes = statSync(bootBin).size;
  if (bytes === 0 || bytes > BOOT_MAX_BYTES)
    return `${bootBin} is ${bytes} bytes: a bootloader takes 1 to ${BOOT_MAX_BYTES} bytes (sectors 0-2)`;
  return undefined;
}

/** Runs the steps, stm32flash's own output shown; the step that failed, or undefined. */
export function runFactory(steps: FactoryStep[], log: (line: string) => void): string | undefined {
  for (const s of steps) {
    log(`stm32flash ${s.args.join(' ')}   (${s.what})`);
    const r = spawnSync('stm32flash', s.args, { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.error || r.status !== 0)
      return `stm32flash could not ${s.what} (exit ${r.status ?? r.error?.message}): is BOOT0 held high at reset, and the adapter on USART1 (PA9 TX, PA10 RX)?`;
  }
  return undefined;
}
