// What the QEMU tests of the bootloader and of `pen flash` start from: the tools checked, a bootloader
// built to trust a test key (emulated: its flash in a file; optionally the production build too) and
// the stand-in firmware for both slots; or the reason to skip, said once.
import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { missingTools, PORT_PACKAGES } from '../../tools/build/port-build.js';
import { buildBootloader, buildTestApp, spki, BootBuild, BootToolsMissing } from '../../tools/build/boot-build.js';
import { HAL_ABI_VERSION } from '../../abi/pen-abi.js';

export interface BootFixture {
  skip: string | false;
  boot?: BootBuild;
  production?: BootBuild;
  apps: Record<'a' | 'b', Buffer>;
}

/** `what` names the tests in the skip message; `extraCheck` may return a further reason to skip. */
export function bootFixture(
  out: string,
  key: KeyObject,
  opts: { board: string; what: string; tools: string[]; production?: boolean; extraCheck?: () => string | undefined },
): BootFixture {
  const f: BootFixture = { skip: false, apps: { a: Buffer.alloc(0), b: Buffer.alloc(0) } };
  const missing = missingTools(opts.tools);
  if (missing.length)
    f.skip = `skipped ${opts.what}: ${missing.join(', ')} not installed (apt-get install --no-install-recommends ${PORT_PACKAGES})`;
  else {
    const other = opts.extraCheck?.();
    if (other) f.skip = `skipped ${opts.what}: ${other}`;
  }
  if (!f.skip) {
    const build = (dir: string, emulated: boolean): BootBuild =>
      buildBootloader(join(out, dir), {
        spkiDer: spki(key),
        board: opts.board,
        halAbiVersion: HAL_ABI_VERSION,
        emulated,
      });
    try {
      f.boot = build('boot', true);
      if (opts.production) f.production = build('boot-production', false);
      f.apps.a = buildTestApp(join(out, 'app'), 'a');
      f.apps.b = buildTestApp(join(out, 'app'), 'b');
    } catch (e) {
      if (!(e instanceof BootToolsMissing)) throw e;
      f.skip = `skipped ${opts.what}: ${e.message}`;
    }
  }
  if (f.skip) console.log(`# ${f.skip}`);
  return f;
}
