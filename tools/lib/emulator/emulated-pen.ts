// The emulated pen: the STM32F405 board under qemu-system-arm (-M netduinoplus2), its flash a file
// (the emulated bootloader and the firmware write it through semihosting), its command port USART2
// on a pty that `pen flash` and a terminal open. QEMU's flash is a ROM loaded at power-up, so each
// reset ends QEMU (-no-reboot) and the next power-up loads the file again, as the part would read its
// flash. To keep one pty across power-ups, socat makes the pty and connects to a socket here, which
// relays the bytes to whichever QEMU runs.
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, Server, Socket } from 'node:net';
import { join } from 'node:path';

/** Why the emulated pen cannot run here, or undefined. */
export function emulatorMissing(): string | undefined {
  for (const [tool, args, pkg] of [
    ['qemu-system-arm', ['--version'], 'qemu-system-arm'],
    ['socat', ['-V'], 'socat'],
  ] as const)
    if (spawnSync(tool, [...args], { stdio: 'ignore' }).error)
      return `${tool} is not installed (apt-get install ${pkg})`;
  return undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** a firmware that resets at once would otherwise restart QEMU for ever */
const MAX_POWER_UPS = 200;

export class EmulatedPen {
  readonly pty: string;
  /** what QEMU printed: the emulated bootloader's semihosting console and QEMU's own messages */
  log = '';
  powerUps = 0;
  private qemu: ChildProcess | undefined;
  private qemuSide: Socket | undefined;
  private hostSide: Socket | undefined;
  private socat: ChildProcess | undefined;
  private servers: Server[] = [];
  private stopping = false;

  /**
   * `dir` holds the pty link and the sockets; `flashFile` is the 1 MiB flash, bootloader first.
   * `powerUpAgain` decides from one power-up's output whether its end was a reset (power up again)
   * or an end (a test's stand-in firmware exits through semihosting); by default every end is a reset.
   */
  constructor(
    readonly dir: string,
    readonly name: string,
    readonly flashFile: string,
    opts: { pty?: string; powerUpAgain?: (output: string) => boolean } = {},
  ) {
    this.pty = opts.pty ?? join(dir, `${name}.pty`);
    this.powerUpAgain = opts.powerUpAgain ?? (() => true);
  }
  private readonly powerUpAgain: (output: string) => boolean;

  async start(): Promise<void> {
    const qemuSock = join(this.dir, `${this.name}.qemu.sock`),
      hostSock = join(this.dir, `${this.name}.host.sock`);
    this.servers.push(
      await listen(qemuSock, (s) => {
        this.qemuSide = s;
        s.on('data', (d: Buffer) => this.hostSide?.write(d));
        s.on('error', () => {});
      }),
    );
    this.servers.push(
      await listen(hostSock, (s) => {
        this.hostSide = s;
        s.on('data', (d: Buffer) => this.qemuSide?.write(d));
        s.on('error', () => {});
      }),
    );
    this.socat = spawn('socat', [`PTY,link=${this.pty},raw,echo=0`, `UNIX-CONNECT:${hostSock}`], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(this.pty); i++) await sleep(50);
    if (!existsSync(this.pty)) throw new Error(`socat did not make the pty ${this.pty}`);
    this.powerUp(qemuSock);
  }

  /** One power-up; a reset (-no-reboot ends QEMU) is followed by the next, as on the part. */
  private powerUp(sock: string): void {
    this.powerUps++;
    const q = (this.qemu = spawn(
      'qemu-system-arm',
      [
        '-M',
        'netduinoplus2',
        '-display',
        'none',
        '-monitor',
        'none',
        '-no-reboot',
        '-serial',
        'null',
        '-chardev',
        `socket,id=usart2,path=${sock}`,
        '-serial',
        'chardev:usart2',
        '-semihosting-config',
        `enable=on,target=native,arg=boot,arg=${this.flashFile}`,
        '-device',
        `loader,file=${this.flashFile},addr=0x08000000`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ));
    let text = '';
    const take = (d: Buffer): void => {
      text += d.toString('latin1');
      this.log += d.toString('latin1');
    };
    q.stdout!.on('data', take);
    q.stderr!.on('data', take);
    q.on('exit', () => {
      if (this.stopping || this.powerUps >= MAX_POWER_UPS || !this.powerUpAgain(text)) return;
      this.powerUp(sock);
    });
  }

  async waitFor(re: RegExp, ms = 60_000): Promise<void> {
    const t0 = Date.now();
    while (!re.test(this.log)) {
      if (Date.now() - t0 > ms) throw new Error(`no ${re} in ${ms} ms; QEMU said:\n${this.log.slice(-3000)}`);
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.qemu && this.qemu.exitCode === null && this.qemu.signalCode === null) {
      const q = this.qemu;
      const gone = new Promise((r) => q.on('exit', r));
      q.kill('SIGTERM');
      await gone;
    }
    this.socat?.kill('SIGTERM');
    this.qemuSide?.destroy();
    this.hostSide?.destroy();
    for (const s of this.servers) s.close();
  }
}

function listen(path: string, onConn: (s: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer(onConn);
    s.on('error', reject);
    s.listen(path, () => resolve(s));
  });
}
