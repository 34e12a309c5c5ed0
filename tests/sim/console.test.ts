// `pen console` as a user meets it: it prints a serial port, pyserial opens it and types the
// documented commands, the menu after Ctrl-] reaches the simulator, Ctrl-C ends it cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../boards/paths.js';
import { firmware } from './helpers.js';
import { tempDir } from './tmp-dir.js';

/** A Python that has pyserial: Debian's first (python3-serial), then whatever python3 is on the path. */
function pythonWithSerial(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import serial'], { stdio: 'ignore' }).status === 0) return py;
  }
  return undefined;
}

const python = pythonWithSerial();
const socat = spawnSync('socat', ['-V'], { stdio: 'ignore' }).error === undefined;
const skip = !socat
  ? 'socat is not installed (Debian package socat)'
  : !python
    ? 'pyserial is not installed (Debian package python3-serial)'
    : false;

// what a user's script does: open the port, ask, read one line per question
const CLIENT = `
import serial, sys
port = serial.Serial(sys.argv[1], 115200, timeout=20)
for line in sys.argv[2:]:
    port.write(line.encode('latin1') + b'\\n')
    print(port.readline().decode('latin1').rstrip('\\n'), flush=True)
`;

test(
  'pen console: pyserial asks STATUS? and gets the documented reply; the menu and Ctrl-C work',
  { skip, timeout: 240_000 },
  async () => {
    await firmware();
    const dir = tempDir('pen-console-');
    const pen = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'pen.js'), 'console', '--speed', '4', '--trace', dir], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    pen.stderr.on('data', (c) => {
      stderr += c;
    });
    const exited = new Promise<number | null>((resolve) => pen.on('exit', (code) => resolve(code)));
    try {
      const port = await new Promise<string>((resolve, reject) => {
        pen.stdout.on('data', (c) => {
          stdout += c;
          const m = /^serial port (\S+)/m.exec(stdout);
          if (m) resolve(m[1]);
        });
        pen.on('exit', (code) =>
          reject(new Error(`pen console ended (${code}) before it printed a port:\n${stdout}\n${stderr}`)),
        );
      });
      assert.ok(existsSync(port), `${port} exists`);
      // the pen homes after power-on: ask until it is ready, then the documented commands
      const ask = (...lines: string[]): string[] => {
        const r = spawnSync(python!, ['-c', CLIENT, port, ...lines], { encoding: 'utf8', timeout: 60_000 });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout.trimEnd().split('\n');
      };
      let status = '';
      for (let i = 0; i < 40 && !/state=ready/.test(status); i++) {
        [status] = ask('STATUS?');
        if (!/state=ready/.test(status)) await new Promise((r) => setTimeout(r, 250));
      }
      assert.match(
        status,
        /^STATUS state=ready fault=none depth=\d+\.\d\d freq=\d+ asked=\d+ clamp=\w+ level=\d+ zone=\w+ mode=home cap=\d\.\d\d cartridge=ok:\d+ session_s=\d+ encoder=ok measured=(none|\d+\.\d{3})$/,
      );
      const [zone, bad] = ask('SET ZONE cheeks', 'SET DEPTH 9');
      assert.equal(zone, 'OK zone=cheeks cap=1.50');
      assert.match(bad, /^ERR 3 /);
      // the menu: a fault injected from the serial line reaches the pen
      const [injected] = ask('\x1dinject endstop_stuck');
      assert.equal(injected, '# injected endstop_stuck');
      const [menuStatus] = ask('\x1dstatus');
      assert.match(menuStatus, /^# t=\d+\.\d+ s state=\w+ fault=\w+ tip_um=-?\d+\.\d indicator=\w+$/);
      pen.kill('SIGINT');
      assert.equal(await exited, 0, stderr);
      assert.ok(!existsSync(port), 'the pty is gone: socat ended');
      const csv = readFileSync(join(dir, 'trace.csv'), 'utf8');
      assert.ok(csv.includes(',serial,> STATUS?'), 'the trace has the serial traffic');
      assert.ok(csv.includes(',inject,endstop_stuck'), 'and the injected fault');
      const vcd = readFileSync(join(dir, 'trace.vcd'), 'utf8');
      assert.match(vcd, /\$comment firmware \d+ bytes sha256 [0-9a-f]{64} \$end/);
      assert.match(vcd, /sSTATUS_state=ready/);
    } finally {
      if (pen.exitCode === null) pen.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
