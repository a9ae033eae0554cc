// An icecream network for tests, all on this machine and in network namespaces made here: a
// bridge in its own namespace (the "LAN"); namespace "here" holds the scheduler and this machine's
// iceccd (which takes no jobs, so every compile job goes away); namespace "remote" holds the
// daemon that compiles, with its own /run/icecc so that its socket does not hide this machine's.
// The test's own namespace reaches the LAN through one more veth, as a workstation would: the
// icecc client connects straight to the daemon the scheduler names. Each process is started
// without a service manager and stopped by its pid; deleting the namespaces removes every link.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export interface IcecreamNet {
  /** HOST of the scheduler (its daemon port is the default, 8765). */
  scheduler: string;
  /** The address prefix: PREFIX.1 here, PREFIX.2 the remote daemon, PREFIX.254 this test's end. */
  prefix: string;
  remote: { node: string; address: string; log: string };
  here: { node: string; log: string };
  /** What the remote daemon's log says it compiled ('remote compile for file X' lines). */
  remoteCompiles(): string[];
  stop(): void;
}

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

/** The scheduler's listcs, asked from this namespace. */
export function listcs(host: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port: 8766 });
    let got = '';
    s.setTimeout(3000, () => s.destroy());
    s.on('connect', () => s.write('listcs\nquit\n'));
    s.on('data', (d) => (got += d.toString()));
    s.on('error', () => resolve(''));
    s.on('close', () => resolve(got));
  });
}

export async function startIcecreamNet(dir: string): Promise<IcecreamNet> {
  const id = String(process.pid % 100000);
  const ns = { lan: `xdeb-ice${id}-lan`, here: `xdeb-ice${id}-here`, remote: `xdeb-ice${id}-remote` };
  const prefix = `198.18.${1 + (process.pid % 250)}`;
  const netname = `xdebtest${id}`;
  const hostEnd = `xi${id}h0`;
  const procs: ChildProcess[] = [];
  const made: string[] = [];
  const stop = () => {
    for (const p of procs) {
      try {
        process.kill(p.pid!, 'SIGTERM');
      } catch {
        // gone
      }
    }
    for (const n of made) spawnSync('ip', ['netns', 'del', n]);
    spawnSync('ip', ['link', 'del', hostEnd]);
  };
  try {
    for (const n of Object.values(ns)) {
      ip('netns', 'add', n);
      made.push(n);
      ip('-n', n, 'link', 'set', 'lo', 'up');
    }
    ip('-n', ns.lan, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', ns.lan, 'link', 'set', 'br0', 'up');
    // A veth pair whose end b is a port of the LAN's bridge.
    const wire = (a: string, b: string) => {
      ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b);
      ip('link', 'set', b, 'netns', ns.lan);
      ip('-n', ns.lan, 'link', 'set', b, 'master', 'br0');
      ip('-n', ns.lan, 'link', 'set', b, 'up');
    };
    for (const [which, last, letter] of [
      ['here', 1, 'a'],
      ['remote', 2, 'b'],
    ] as const) {
      const a = `xi${id}${letter}0`;
      wire(a, `xi${id}${letter}1`);
      ip('link', 'set', a, 'netns', ns[which]);
      ip('-n', ns[which], 'addr', 'add', `${prefix}.${last}/24`, 'dev', a);
      ip('-n', ns[which], 'link', 'set', a, 'up');
    }
    wire(hostEnd, `xi${id}h1`);
    ip('addr', 'add', `${prefix}.254/24`, 'dev', hostEnd);
    ip('link', 'set', hostEnd, 'up');

    // iceccd drops root for the icecc user: its directories must be that user's.
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    for (const d of ['here', 'remote']) mkdirSync(join(dir, d), { recursive: true, mode: 0o755 });
    mkdirSync('/run/icecc', { recursive: true });
    spawnSync('chown', ['-R', 'icecc:icecc', dir, '/run/icecc']);
    const log = { sched: join(dir, 'scheduler.log'), here: join(dir, 'here', 'iceccd.log'), remote: join(dir, 'remote', 'iceccd.log') };
    for (const f of Object.values(log)) {
      writeFileSync(f, '');
      spawnSync('chown', ['icecc:icecc', f]);
    }
    const exits: string[] = [];
    const start = (n: string, argv: string[]) => {
      const p = spawn('ip', ['netns', 'exec', n, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr!.on('data', (d) => (err += d));
      p.on('exit', (code, sig) => exits.push(`${argv[0]} in ${n} ended (${code ?? sig}): ${err.trim()}`));
      procs.push(p);
    };
    start(ns.here, ['icecc-scheduler', '-l', log.sched, '-n', netname, '-p', '8765']);
    const daemon = (node: string, logFile: string, envs: string, extra: string[]) => [
      'iceccd',
      '-l',
      logFile,
      '-vvv',
      '-n',
      netname,
      '-s',
      `${prefix}.1`,
      '-N',
      node,
      '-b',
      envs,
      ...extra,
    ];
    start(ns.here, daemon('xdeb-here', log.here, join(dir, 'here', 'envs'), ['--no-remote', '-m', '0']));
    // exec: the daemon keeps sh's pid, so stop() reaches it.
    const remoteArgv = daemon('xdeb-remote', log.remote, join(dir, 'remote', 'envs'), ['-m', '4']);
    start(ns.remote, ['sh', '-c', `mount -t tmpfs tmpfs /run/icecc && exec ${remoteArgv.map((a) => `'${a}'`).join(' ')}`]);
    const end = Date.now() + 60_000;
    for (;;) {
      const text = await listcs(`${prefix}.1`);
      if (/ xdeb-here \(/.test(text) && / xdeb-remote \(/.test(text)) break;
      if (Date.now() > end) {
        const logs = Object.entries(log).map(([k, f]) => `${k}: ${readFileSync(f, 'utf8').slice(-600)}`);
        throw new Error(`icecream daemons did not reach the scheduler in 60 s:\n${text}\n${exits.join('\n')}\n${logs.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return {
      scheduler: `${prefix}.1`,
      prefix,
      remote: { node: 'xdeb-remote', address: `${prefix}.2`, log: log.remote },
      here: { node: 'xdeb-here', log: log.here },
      remoteCompiles: () => [...readFileSync(log.remote, 'utf8').matchAll(/remote compile for file (\S+)/g)].map((m) => m[1]!),
      stop,
    };
  } catch (e) {
    stop();
    throw e;
  }
}
