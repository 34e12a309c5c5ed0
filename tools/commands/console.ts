// `pen console`: the simulated pen on a pseudo-terminal, in real time (or faster), so a terminal
// program or a script types the commands of docs/serial-protocol.md. socat makes the pty pair: the
// user's program opens one end, socat hands the other end's bytes to this process on a pipe.
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseOptions, usageText, OptionSpec, UsageError, noPositional } from '../lib/args.js';
import { boardOption, cartridgeOption } from '../lib/board-option.js';
import { buildFirmware, firmwarePath } from '../build/build.js';
import { PenSim, INJECTABLE, Injectable } from '../../host-sim/pen.js';
import { BUTTONS, ButtonName } from '../../host-sim/names.js';
import { CartridgeChip } from '../../host-sim/cartridge-chip.js';
import { TraceFiles } from '../../host-sim/trace/files.js';
import { traceHeader, minStepIntervalS } from '../../host-sim/trace/header.js';
import { isSeed, SEED_MAX } from '../../host-sim/rng.js';

const SPEC: OptionSpec = {
  board: {
    type: 'string',
    value: 'NAME',
    help: "a board in boards/ by name (default ref-pen), or a board file's path (FILE.json, the file named as the board): the simulated pen is that file's, with the firmware built from boards/<name>.json",
  },
  cartridge: { type: 'string', value: 'TYPE', help: "cartridge type (default: the board's default)" },
  speed: { type: 'number', value: 'X', help: 'simulated seconds per real second (default 1: real time)' },
  trace: { type: 'string', value: 'DIR', help: 'stream trace.csv and trace.vcd there while the pen runs' },
  seed: { type: 'number', value: 'N', help: 'random seed (default 1)' },
  link: { type: 'string', value: 'PATH', help: 'also make PATH a link to the serial port (e.g. /tmp/pen)' },
  off: { type: 'boolean', help: 'leave the pen switched off (default: power it on, as a user would)' },
};
const USAGE = usageText(
  'console',
  'Run the simulated pen in real time on a serial port (a pseudo-terminal) that picocom, minicom,\n' +
    'screen or pyserial can open. Menu commands (buttons, faults) are typed at this terminal, or on the serial\n' +
    'line after Ctrl-] (0x1d), ending with Enter.',
  SPEC,
);

/** the menu's escape byte on the serial line (Ctrl-], as telnet's) */
const MENU_BYTE = 0x1d;
/** how often the simulation catches up with the wall clock */
const STEP_MS = 10;
/** how often a streamed trace is written out */
const FLUSH_MS = 500;
/** the simulation may fall this far behind before it skips ahead (and says so) */
const MAX_LAG_MS = 1000;

const MENU_HELP = [
  'press BUTTON [MS]   hold a button (' + BUTTONS.join(', ') + '), default 60 ms',
  'inject FAULT        ' + INJECTABLE.join(', '),
  'clear FAULT         take an injected fault back',
  'cartridge out|in    take the cartridge off, fit it again',
  'status              simulated time, state, fault, tip position, indicator',
  'quit                end the console',
];

export async function consoleCommand(argv: string[]): Promise<number> {
  const o = parseOptions(argv, SPEC, USAGE);
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  noPositional(o, USAGE);
  const board = boardOption(o.board as string | undefined);
  const cart = cartridgeOption(board, o.cartridge as string | undefined);
  const speed = (o.speed as number | undefined) ?? 1;
  if (!(speed > 0 && speed <= 1000)) throw new UsageError(`--speed ${speed}: give 0 < X <= 1000`);
  const seed = (o.seed as number | undefined) ?? 1;
  if (!isSeed(seed)) throw new UsageError(`--seed ${seed}: give a whole number 0..${SEED_MAX}`);
  requireSocat();

  const built = await buildFirmware(board.name);
  console.error(`firmware ${built.wasmPath} (${built.bytes} bytes)`);
  const wasm = firmwarePath(board.name);
  const traceDir = o.trace as string | undefined;
  const sim = new PenSim({ board, cartridge: cart.type, seed, wasm, trace: Boolean(traceDir) });
  let files: TraceFiles | undefined;
  if (traceDir) {
    files = new TraceFiles(traceDir, sim.timerHz, {
      comments: traceHeader(board, wasm, { cartridge: cart.type, seed, speed, console: 'interactive' }),
      minStepIntervalS: minStepIntervalS(board),
    });
    sim.trace!.stream([files]);
  }
  if (!o.off) sim.press('power');

  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0${o.link ? `,link=${o.link as string}` : ''}`, 'STDIO'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true, // its own process group: Ctrl-C at the terminal reaches this process, which ends socat itself
  });
  const pty = await ptyPath(socat);
  console.log(`serial port ${pty}${o.link ? ` (link ${o.link as string})` : ''}`);
  console.log(
    `pen on board ${board.name}, cartridge ${cart.type}, seed ${seed}, ${speed === 1 ? 'real time' : `${speed}x real time`}${traceDir ? `, trace in ${traceDir}` : ''}`,
  );
  console.log('menu (type here, or on the serial line after Ctrl-]):\n  ' + MENU_HELP.join('\n  '));
  console.log('Ctrl-C ends the console.');

  return new Promise<number>((resolve) => {
    const wallStart = performance.now();
    let simStartMs = sim.nowMs;
    let sentReplies = sim.replies.length;
    let lastFlush = wallStart;
    let warnedLag = false;
    let menuLine: number[] | undefined;
    let removed: CartridgeChip | undefined;
    let done = false;

    const toPort = (text: string): void => {
      socat.stdin!.write(text);
    };
    socat.stdin!.on('error', () => {}); // socat gone: its exit handler ends the console
    const menu = (line: string): string[] => {
      const [cmd, arg, arg2] = line.trim().split(/\s+/);
      switch ((cmd ?? '').toLowerCase()) {
        case '':
          return [];
        case 'press': {
          if (!BUTTONS.includes(arg as ButtonName)) return [`unknown button "${arg ?? ''}": ${BUTTONS.join(', ')}`];
          const ms = arg2 === undefined ? 60 : Number(arg2);
          if (!(ms > 0 && ms <= 60_000)) return [`press ${arg} ${arg2}: give 0 < MS <= 60000`];
          sim.press(arg as ButtonName, ms);
          return [`pressed ${arg} for ${ms} ms`];
        }
        case 'inject':
        case 'clear': {
          if (!INJECTABLE.includes(arg as Injectable))
            return [`unknown fault "${arg ?? ''}": ${INJECTABLE.join(', ')}`];
          const inject = cmd.toLowerCase() === 'inject';
          if (inject) sim.inject(arg as Injectable);
          else sim.clear(arg as Injectable);
          return [`${inject ? 'injected' : 'cleared'} ${arg}`];
        }
        case 'cartridge':
          if (arg === 'out' && sim.chip) {
            removed = sim.chip;
            sim.removeCartridge();
            return ['cartridge taken off'];
          }
          if (arg === 'in' && removed) {
            sim.fitCartridge(removed);
            removed = undefined;
            return ['cartridge fitted'];
          }
          return ['cartridge out (when one is fitted) or in (the one taken off)'];
        case 'status':
          return [
            `t=${(sim.nowMs / 1000).toFixed(3)} s state=${sim.state} fault=${sim.fault} tip_um=${sim.observation.tipUm.toFixed(1)} indicator=${sim.indicator}`,
          ];
        case 'quit':
          setImmediate(() => stop(0));
          return ['bye'];
        case 'help':
        case '?':
          return MENU_HELP;
        default:
          return [`unknown menu command "${cmd}"; help lists them`];
      }
    };

    // bytes from the user's end of the pty: to the pen, except a menu line after Ctrl-]
    socat.stdout!.on('data', (chunk: Buffer) => {
      const toPen: number[] = [];
      for (const b of chunk) {
        if (menuLine) {
          if (b === 10 || b === 13) {
            const text = Buffer.from(menuLine).toString('latin1');
            menuLine = undefined;
            for (const l of menu(text)) toPort(`# ${l}\n`);
          } else if (menuLine.length < 200) menuLine.push(b);
        } else if (b === MENU_BYTE) menuLine = [];
        else toPen.push(b);
      }
      if (toPen.length) sim.sendBytes(toPen);
    });
    // menu lines typed at this terminal
    let typed = '';
    const onStdin = (chunk: Buffer): void => {
      typed += chunk.toString('utf8');
      let nl: number;
      while ((nl = typed.indexOf('\n')) >= 0) {
        for (const l of menu(typed.slice(0, nl))) console.log(`# ${l}`);
        typed = typed.slice(nl + 1);
      }
    };
    process.stdin.on('data', onStdin);
    process.stdin.on('error', () => {});

    const timer = setInterval(() => {
      const now = performance.now();
      let target = simStartMs + (now - wallStart) * speed;
      if (target - sim.nowMs > MAX_LAG_MS * speed) {
        // the machine cannot keep up: drop the backlog rather than run in bursts
        if (!warnedLag) {
          console.error(`pen console: the simulation runs slower than ${speed}x real time; it skips ahead`);
          warnedLag = true;
        }
        simStartMs -= target - sim.nowMs - STEP_MS * speed;
        target = simStartMs + (now - wallStart) * speed;
      }
      if (target > sim.nowMs && !sim.dead) sim.run(target - sim.nowMs);
      const replies = sim.replies;
      while (sentReplies < replies.length) toPort(replies[sentReplies++].line + '\n');
      if (files && now - lastFlush >= FLUSH_MS) {
        files.flush();
        lastFlush = now;
      }
    }, STEP_MS);

    const stop = (code: number): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.stdin.off('data', onStdin);
      process.stdin.destroy();
      files?.close(sim.tTicks);
      socat.removeAllListeners('exit');
      socat.kill();
      console.error(
        `pen console: stopped at ${(sim.nowMs / 1000).toFixed(3)} s simulated${files ? `; trace in ${files.paths.join(', ')}` : ''}`,
      );
      resolve(code);
    };
    const onSignal = (): void => stop(0);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    socat.on('exit', (c) => {
      console.error(`pen console: socat ended (exit ${c}); the serial port is gone`);
      stop(1);
    });
  });
}

/** socat makes the pty pair; without it there is no serial port to offer. */
function requireSocat(): void {
  const r = spawnSync('socat', ['-V'], { stdio: 'ignore' });
  if (r.error)
    throw new Error(
      'socat is not installed; pen console needs it for the serial port: install the Debian package socat (apt-get install socat)',
    );
}

/** The pty socat made, from its log ("N PTY is /dev/pts/5"). */
function ptyPath(socat: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timeout = setTimeout(() => {
      socat.kill();
      reject(new Error(`socat made no pty within 5 s: ${log.trim()}`));
    }, 5000);
    socat.stderr!.on('data', (c: Buffer) => {
      log += c.toString();
      const m = /PTY is (\S+)/.exec(log);
      if (m) {
        clearTimeout(timeout);
        resolve(m[1]);
      }
    });
    socat.on('exit', (code) => {
      clearTimeout(timeout);
      reject(new Error(`socat ended (exit ${code}) before it made a pty: ${log.trim()}`));
    });
  });
}
