// A real Slurm cluster on this machine for the tests (docs/slurm-notes.md): munged, slurmctld and one
// slurmd per node, each started in the foreground by this process with a temporary configuration
// (no systemd, nothing under /etc), listening on loopback ports only, and stopped by pid.
// Several nodes are several slurmd on this host (`slurmd -N nI`, a port each): Debian's Slurm is
// built with --enable-multiple-slurmd. Needs root (SlurmUser=root runs the jobs as their submitter).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SlurmCluster {
  /** Add to a client's environment (`{ ...process.env, ...env }`) for sbatch, squeue, scontrol, sacct -c, scancel. */
  env: { SLURM_CONF: string };
  /** The temporary directory: slurm.conf, munge.key, run/ (sockets, pid files), log/, state/, spool/<node>/. Removed by stop(). */
  dir: string;
  /** The node names, n1 … nN, all in the one partition `test` (the default). */
  nodes: string[];
  /** The munged socket the daemons and the clients use (slurm.conf's AuthInfo). */
  mungeSocket: string;
  /** The pids of the daemons this cluster started. */
  pids: { munged: number; slurmctld: number; slurmd: Record<string, number> };
  /** Run a Slurm client command with the cluster's environment. */
  run(cmd: string, args: string[]): { status: number; stdout: string; stderr: string };
  /** The last lines of every log (for a failure message). */
  logs(): string;
  /**
   * End every daemon (SIGTERM, SIGKILL after 5 s) and every process a job left (slurmstepd and its
   * children), wait until none runs, remove dir. Jobs are not cancelled first: they are killed. Idempotent.
   */
  stop(): Promise<void>;
}

export interface SlurmOptions {
  /** How many nodes (slurmd daemons); 1 by default. */
  nodes?: number;
  /** features[i]: the Features of node i+1 (for `sbatch --constraint`). */
  features?: string[][];
  /** hidden[i]: directories node i+1 does not see (its slurmd runs in its own mount namespace with an empty tmpfs over each). */
  hidden?: string[][];
  /** How long to wait for every node to be idle; 60 s by default. */
  timeoutMs?: number;
}

const GRACE_MS = 5_000;
// Variables of a surrounding Slurm job (a CI runner inside Slurm) that would steer the daemons or clients elsewhere.
const FOREIGN_ENV = /^(SLURM_|SBATCH_|SALLOC_|SRUN_|SQUEUE_|SINFO_|SACCT_|SCANCEL_)/;

/** Is this machine able to run startSlurm()? (root and the Debian packages slurmctld, slurmd, slurm-client, munge) */
export function canRunSlurm(): boolean {
  if (process.getuid?.() !== 0) return false;
  return ['munged', 'slurmctld', 'slurmd', 'sbatch', 'sinfo'].every((cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0);
}

export async function startSlurm(opts: SlurmOptions = {}): Promise<SlurmCluster> {
  if (process.getuid?.() !== 0) throw new Error('startSlurm: needs root (SlurmUser=root, slurmd runs jobs as their submitter)');
  const count = opts.nodes ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new Error(`startSlurm: nodes must be a positive integer, not ${count}`);
  const nodes = Array.from({ length: count }, (_, i) => `n${i + 1}`);
  const hardware = nodeHardware();
  const [ctldPort, ...slurmdPorts] = await freePorts(count + 1);

  const dir = mkdtempSync(join(tmpdir(), 'xdeb-slurm-'));
  // munged refuses a socket in a directory that not everyone can search (mkdtemp makes it 0700).
  chmodSync(dir, 0o755);
  for (const d of ['run', 'log', 'state', ...nodes.map((n) => `spool/${n}`)]) mkdirSync(join(dir, d), { recursive: true });
  const conf = join(dir, 'slurm.conf');
  const mungeSocket = join(dir, 'run', 'munge.socket');
  // Unix socket paths (munged's, slurmd's in its spool) have at most 107 bytes.
  if (mungeSocket.length > 80) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`startSlurm: ${dir} is too long a path for Unix sockets: set a shorter TMPDIR`);
  }
  // munged wants a key only its user can read; 1024 random bytes is what `mungekey` makes.
  writeFileSync(join(dir, 'munge.key'), randomBytes(1024), { mode: 0o400 });
  writeFileSync(conf, slurmConf({ dir, mungeSocket, ctldPort: ctldPort!, nodes, slurmdPorts, hardware, features: opts.features ?? [] }));

  const env: NodeJS.ProcessEnv = { SLURM_CONF: conf, XDEB_SLURM_CLUSTER: dir };
  for (const [k, v] of Object.entries(process.env)) if (!FOREIGN_ENV.test(k) && !(k in env)) env[k] = v;
  const daemons: { name: string; child: ChildProcess; exited: Promise<void>; done: boolean }[] = [];
  const startDaemon = (name: string, cmd: string, args: string[]): ChildProcess => {
    // stdout and stderr of each daemon to its own file: what it says before its log file is open.
    const out = openSync(join(dir, 'log', `${name}.stderr`), 'a');
    const child = spawn(cmd, args, { env, stdio: ['ignore', out, out] });
    closeSync(out);
    const entry = { name, child, done: false, exited: Promise.resolve() };
    entry.exited = new Promise<void>((resolve) => {
      child.once('exit', () => ((entry.done = true), resolve()));
      child.once('error', () => ((entry.done = true), resolve()));
    });
    daemons.push(entry);
    return child;
  };
  // The safety net: a test process that ends without stop() still takes its daemons with it.
  const killOnExit = (): void => {
    for (const d of daemons) if (!d.done && d.child.pid) tryKill(d.child.pid, 'SIGKILL');
  };
  process.once('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  const cluster: SlurmCluster = {
    env: { SLURM_CONF: conf },
    dir,
    nodes,
    mungeSocket,
    pids: { munged: 0, slurmctld: 0, slurmd: {} },
    run: (cmd, args) => {
      const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 60_000 });
      if (r.error) throw r.error;
      return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    logs: () => logTails(join(dir, 'log')),
    stop: () => (stopped ??= stopAll()),
  };

  async function stopAll(): Promise<void> {
    // slurmctld first (nothing more is scheduled), then the slurmd, munged last.
    const order = [
      ...daemons.filter((d) => d.name === 'slurmctld'),
      ...daemons.filter((d) => d.name.startsWith('slurmd')),
      ...daemons.filter((d) => d.name === 'munged'),
    ];
    for (const d of order) await endChild(d);
    // A job's slurmstepd outlives its slurmd (by design, so that slurmd can restart): it and the job's
    // processes are found by the variables they inherit, and ended with their descendants.
    await endPids(strays(dir), 1_000);
    process.removeListener('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  }
  async function endChild(d: (typeof daemons)[number]): Promise<void> {
    if (d.done || !d.child.pid) return;
    tryKill(d.child.pid, 'SIGTERM');
    const timer = setTimeout(() => d.child.pid && tryKill(d.child.pid, 'SIGKILL'), GRACE_MS);
    await d.exited;
    clearTimeout(timer);
  }

  try {
    const munged = startDaemon('munged', 'munged', [
      '--foreground',
      `--key-file=${join(dir, 'munge.key')}`,
      `--socket=${mungeSocket}`,
      `--pid-file=${join(dir, 'run', 'munged.pid')}`,
      `--seed-file=${join(dir, 'run', 'munged.seed')}`,
      `--log-file=${join(dir, 'log', 'munged.log')}`,
    ]);
    cluster.pids.munged = munged.pid ?? 0;
    await waitFor(() => existsSync(mungeSocket), 10_000, 'munged to create its socket', daemons, cluster);
    cluster.pids.slurmctld = startDaemon('slurmctld', 'slurmctld', ['-D', '-f', conf]).pid ?? 0;
    nodes.forEach((n, i) => {
      const hide = opts.hidden?.[i] ?? [];
      const slurmd = ['slurmd', '-D', '-N', n, '-f', conf];
      // A node that does not see a shared directory: its slurmd (and so its jobs) in a mount namespace where it is an empty tmpfs.
      const [cmd, ...args] = hide.length
        ? [
            'unshare',
            '-m',
            '--propagation',
            'private',
            'sh',
            '-c',
            'for d in "$@"; do mount -t tmpfs xdeb-hidden "$d" || exit 1; done; exec ' + slurmd.map((a) => `'${a}'`).join(' '),
            'sh',
            ...hide,
          ]
        : slurmd;
      cluster.pids.slurmd[n] = startDaemon(`slurmd-${n}`, cmd!, args).pid ?? 0;
    });
    await waitFor(
      () => {
        const r = cluster.run('sinfo', ['--noheader', '--Node', '--format=%N %t']);
        const idle = r.stdout.split('\n').filter((l) => /^\S+ idle$/.test(l));
        return r.status === 0 && idle.length === nodes.length;
      },
      opts.timeoutMs ?? 60_000,
      `every node (${nodes.join(', ')}) idle in sinfo`,
      daemons,
      cluster,
    );
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}

/** The node line's hardware part from `slurmd -C` (CPUs, sockets, cores, threads, RealMemory), so slurmd finds nothing to complain about. */
function nodeHardware(): string {
  const r = spawnSync('slurmd', ['-C'], { encoding: 'utf8' });
  const line = r.stdout?.split('\n').find((l) => l.startsWith('NodeName='));
  if (r.status !== 0 || !line) throw new Error(`startSlurm: slurmd -C failed: ${r.error?.message ?? r.stderr}`);
  return line
    .split(/\s+/)
    .filter((kv) => /^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore|RealMemory)=/.test(kv))
    .join(' ');
}

function slurmConf(c: {
  dir: string;
  mungeSocket: string;
  ctldPort: number;
  nodes: string[];
  slurmdPorts: number[];
  hardware: string;
  features: string[][];
}): string {
  const nodeLines = c.nodes.map((n, i) => {
    const features = c.features[i]?.length ? ` Feature=${c.features[i]!.join(',')}` : '';
    return `NodeName=${n} NodeHostname=localhost NodeAddr=127.0.0.1 Port=${c.slurmdPorts[i]} ${c.hardware}${features} State=UNKNOWN`;
  });
  return [
    'ClusterName=xdebtest',
    'SlurmctldHost=localhost(127.0.0.1)',
    `SlurmctldPort=${c.ctldPort}`,
    // Each node has its own Port; SlurmdPort only has to differ from SlurmctldPort.
    `SlurmdPort=${c.slurmdPorts[0]}`,
    // Bind to loopback (what localhost and NodeAddr resolve to), not to every address.
    'CommunicationParameters=NoCtldInAddrAny,NoInAddrAny',
    'SlurmUser=root',
    'SlurmdUser=root',
    'AuthType=auth/munge',
    'CredType=cred/munge',
    `AuthInfo=socket=${c.mungeSocket}`,
    `StateSaveLocation=${c.dir}/state`,
    `SlurmdSpoolDir=${c.dir}/spool/%n`,
    `SlurmctldPidFile=${c.dir}/run/slurmctld.pid`,
    `SlurmdPidFile=${c.dir}/run/slurmd-%n.pid`,
    `SlurmctldLogFile=${c.dir}/log/slurmctld.log`,
    `SlurmdLogFile=${c.dir}/log/slurmd-%n.log`,
    // No cgroups and no systemd here: jobs are tracked by their process tree.
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'JobAcctGatherType=jobacct_gather/none',
    'MpiDefault=none',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_Core',
    'ReturnToService=2',
    'MailProg=/bin/true',
    // No slurmdbd: sacct reads finished jobs from the completion file with -c (--completion).
    'AccountingStorageType=accounting_storage/none',
    'JobCompType=jobcomp/filetxt',
    `JobCompLoc=${c.dir}/log/jobcomp.txt`,
    // A cancelled job's processes get SIGKILL 5 s after SIGTERM (30 s by default).
    'KillWait=5',
    ...nodeLines,
    'PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
    '',
  ].join('\n');
}

/** Ports free on 127.0.0.1 now (held together so that they differ). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

async function waitFor(
  ready: () => boolean,
  timeoutMs: number,
  what: string,
  daemons: { name: string; done: boolean; child: ChildProcess }[],
  cluster: SlurmCluster,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = daemons.find((d) => d.done);
    if (dead)
      throw new Error(
        `startSlurm: ${dead.name} exited (${dead.child.exitCode ?? dead.child.signalCode}) while waiting for ${what}\n${cluster.logs()}`,
      );
    if (ready()) return;
    if (Date.now() > deadline) throw new Error(`startSlurm: timed out after ${timeoutMs} ms waiting for ${what}\n${cluster.logs()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function logTails(logDir: string): string {
  if (!existsSync(logDir)) return '';
  return readdirSync(logDir)
    .sort()
    .map((f) => {
      const lines = readFileSync(join(logDir, f), 'utf8').trimEnd().split('\n').slice(-30);
      return `==> ${f} <==\n${lines.join('\n')}`;
    })
    .join('\n');
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** Is a process there and not a zombie (a zombie is ended, only not yet reaped by its parent)? */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The processes this cluster left: those whose environment names its directory, and their descendants. */
function strays(dir: string): number[] {
  const markers = [`XDEB_SLURM_CLUSTER=${dir}`, `SLURM_CONF=${join(dir, 'slurm.conf')}`];
  const parent = new Map<number, number>();
  const marked = new Set<number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (markers.some((m) => environ.includes(m))) marked.add(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  const found = new Set(marked);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!found.has(pid) && found.has(ppid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return [...found].filter(isRunning);
}

/** SIGTERM, SIGKILL after graceMs, and wait until none is running. */
async function endPids(pids: number[], graceMs: number): Promise<void> {
  if (pids.length === 0) return;
  for (const pid of pids) tryKill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let killed = false;
  for (;;) {
    const left = pids.filter(isRunning);
    if (left.length === 0) return;
    if (!killed && Date.now() > deadline) {
      // slurmstepd without its slurmd ignores SIGTERM.
      for (const pid of left) tryKill(pid, 'SIGKILL');
      killed = true;
    }
    if (Date.now() > deadline + 5_000) throw new Error(`stopSlurm: processes still running after SIGKILL: ${left.join(' ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
