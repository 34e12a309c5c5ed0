// `pen` command line: build the firmware, run the pen in the simulator.
import { buildCommand } from './commands/build.js';
import { simCommand } from './commands/sim.js';
import { envelopeCommand } from './commands/envelope.js';
import { qaCommand } from './commands/qa.js';
import { campaignCommand } from './commands/campaign.js';
import { logCommand } from './commands/log.js';
import { conformCommand } from './commands/conform.js';
import { imageCommand } from './commands/image.js';
import { keysCommand } from './commands/keys.js';
import { clinicCommand } from './commands/clinic.js';
import { sbomCommand } from './commands/sbom.js';
import { cartridgeCommand } from './commands/cartridge.js';
import { consoleCommand } from './commands/console.js';
import { flashCommand } from './commands/flash.js';
import { UsageError } from './lib/args.js';
import { environmentErrorOf, EXIT_USAGE, EXIT_ENVIRONMENT, EXIT_FAILED } from './lib/errors.js';
import { PortToolsMissing } from './build/port-build.js';
import { versionText } from './lib/version.js';

const HELP = `pen: firmware, simulator and QA tools for the microneedling pen

Usage: pen <command> [options]

Commands:
  build     compile the firmware for a board into build/<board>/firmware.wasm
  sim       power the pen on in the simulator, home, stroke at a setting, measure
  console   run the simulated pen in real time on a serial port (pty) for picocom or pyserial
  envelope  the highest stroke rate at each depth, as the firmware computes it
  qa        run QA scenario files in the simulator, with JUnit and HTML reports
  campaign  sweep injected faults over stroke phases, depths, rates and pairs; did the needles get back?
  log       export a pen's treatment log as CSV and JSON
  conform   replay scenarios on a board's microcontroller (QEMU) and compare every HAL call
  flash     upload a signed image to a pen in service mode over its serial port (SMP)
  image     sign, verify and show firmware images for a board's bootloader (MCUboot format)
  keys      make a signing key pair for firmware images
  clinic    clinic keys, licences (the maker's) and answers to a pen's challenge (professional mode)
  sbom      write a CycloneDX SBOM of the npm dependencies and the port's C parts
  cartridge make and check test cartridge chip files

Run \`pen <command> --help\` for the options of one command; \`pen --version\` prints the
package version and the firmware's SHA-256.

Exit codes: 0 success, 1 a test or check failed, 2 bad input or usage, 3 the environment
(an unwritable path, a missing tool).`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'build':
        return await buildCommand(rest);
      case 'sim':
        return await simCommand(rest);
      case 'console':
        return await consoleCommand(rest);
      case 'envelope':
        return await envelopeCommand(rest);
      case 'qa':
        return await qaCommand(rest);
      case 'campaign':
        return await campaignCommand(rest);
      case 'log':
        return await logCommand(rest);
      case 'conform':
        return await conformCommand(rest);
      case 'image':
        return await imageCommand(rest);
      case 'flash':
        return await flashCommand(rest);
      case 'keys':
        return await keysCommand(rest);
      case 'clinic':
        return await clinicCommand(rest);
      case 'sbom':
        return await sbomCommand(rest);
      case 'cartridge':
        return await cartridgeCommand(rest);
      case '--version':
      case '-V':
      case 'version':
        console.log(await versionText());
        return 0;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        console.log(HELP);
        return cmd === undefined ? 2 : 0;
      default:
        console.error(`pen: unknown command "${cmd}"\n\n${HELP}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`pen ${cmd}: ${e.message}`);
      return EXIT_USAGE;
    }
    const env = e instanceof PortToolsMissing ? e : environmentErrorOf(e);
    if (env) {
      console.error(`pen ${cmd}: ${env.message}`);
      return EXIT_ENVIRONMENT;
    }
    const err = e as Error;
    console.error(
      `pen ${cmd}: ${err.name === 'BoardError' || err.constructor.name === 'BoardError' ? '' : 'error: '}${err.message}`,
    );
    return EXIT_FAILED;
  }
}
