// A real sshd on a loopback port for the remote tests (recipe: DESIGN.md,
// "Real services in tests"). Throwaway host and client keys; the tmux server
// of the "remote" side gets its own socket directory through SetEnv, so the
// tests never touch another tmux server, and LANG=C as on many ssh logins.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export interface Sshd {
  port: number;
  dir: string;
  key: string;
  /** TMUX_TMPDIR of the sessions sshd starts: the "remote" tmux server lives here. */
  tmuxDir: string;
  /** CS_SSH_OPTS for reaching it. */
  sshOpts: string;
  user: string;
  stop(): void;
}

export function sshdAvailable(): boolean {
  return fs.existsSync('/usr/sbin/sshd') && spawnSync('ssh', ['-V']).status === 0 && process.getuid?.() === 0;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`sshd did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startSshd(dir: string): Promise<Sshd> {
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync('/run/sshd', { recursive: true });
  const hostKey = path.join(dir, 'hostkey');
  const key = path.join(dir, 'id_test');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  fs.copyFileSync(`${key}.pub`, path.join(dir, 'authorized_keys'));
  const tmuxDir = path.join(dir, 'tmux');
  fs.mkdirSync(tmuxDir, { mode: 0o700 });
  const pidFile = path.join(dir, 'sshd.pid');
  const cfg = path.join(dir, 'sshd_config');
  const log = path.join(dir, 'sshd.log');
  const config = (port: number) =>
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${pidFile}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'StrictModes no',
      'UsePAM no',
      'PrintMotd no',
      'PrintLastLog no',
      // LANG=C: like many ssh logins, no UTF-8 locale on the "remote" side.
      `SetEnv TMUX_TMPDIR=${tmuxDir} LANG=C`,
      'LogLevel ERROR',
      '',
    ].join('\n');
  // freePort's port is free when asked, not necessarily when sshd binds it: any
  // process's outgoing connection can take it meanwhile, and a connect to it
  // would then reach someone else. OpenSSH 9.2 daemonizes first (exit 0 either
  // way), then binds, then writes its pid file; a port it cannot bind leaves no
  // pid file and "Cannot bind any address." in its log: try another port.
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    fs.writeFileSync(cfg, config(port));
    fs.rmSync(log, { force: true });
    execFileSync('/usr/sbin/sshd', ['-f', cfg, '-E', log]);
    const said = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');
    const end = Date.now() + 10_000;
    while (!fs.existsSync(pidFile) && !/Cannot bind/.test(said()) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    if (fs.existsSync(pidFile)) break;
    if (attempt >= 3 || !/Cannot bind/.test(said())) throw new Error(`sshd did not start on port ${port}: ${said().trim() || 'no pid file within 10 s'}`);
  }
  await waitForPort(port, 10_000);
  const sshOpts = `-i ${key} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR`;
  return {
    port,
    dir,
    key,
    tmuxDir,
    sshOpts,
    user: 'root',
    stop() {
      try {
        const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
        if (pid > 0) process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}
