// icecream for a chroot session: the scheduler asked which daemons take jobs, the machine's own
// iceccd shown inside (its socket), icecc installed inside if missing, the cross compiler bundled
// with icecc-create-env (kept in ~/.cache/xdeb/icecream by the compiler packages' versions), the
// compiler names of the build's PATH pointed at icecc, and each daemon probed alone before any
// build starts: a daemon that does not take the probe, fails it, or answers with an object for
// another architecture stops the build with an EnvironmentError that names it.

import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { machine } from 'node:os';
import { basename, join } from 'node:path';
import { archTable } from '../lib/arch.js';
import { EnvironmentError, UsageError } from '../lib/errors.js';
import {
  countIcecreamJobs,
  describeJobCounts,
  icecreamEnv,
  icecreamLinks,
  jobTakers,
  judgeIcecreamProbe,
  parseIcecreamScheduler,
  parseListcs,
  type IcecreamDaemon,
  type IcecreamJobCounts,
  type IcecreamScheduler,
} from '../lib/icecream.js';
import type { ChrootSession } from './chroot.js';
import { installedStanzas } from './dpkg.js';
import { resolveInRoot } from './mounts.js';
import { defaultGccMajor } from './native-compilers.js';
import { objectArch } from './object-arch.js';
import { xdebCacheDir } from './cache-dir.js';

export const ICECC_BIN = '/usr/lib/xdeb/icecc';
/** Where the session keeps the bundle, the probe and the client log. */
const WORK = '/tmp/xdeb-icecc';
const LOG = `${WORK}/client.log`;
/** Seconds a probe may take: the first job to a daemon carries the bundle (tens of MB). */
export const ICECREAM_PROBE_TIMEOUT = 90;
/** Where the machine's iceccd listens for its clients (icecc tries these in order, then 127.0.0.1:10245). */
const DAEMON_SOCKETS = ['/run/icecc/iceccd.socket', '/var/run/icecc/iceccd.socket', '/var/run/iceccd.socket'];

/** The scheduler's `listcs`, over its text interface. */
export async function askScheduler(sched: IcecreamScheduler, timeoutMs = 5000): Promise<IcecreamDaemon[]> {
  const text = await new Promise<string>((resolve, reject) => {
    const sock = connect({ host: sched.host, port: sched.textPort });
    let got = '';
    const fail = (why: string) => {
      sock.destroy();
      reject(
        new EnvironmentError(`icecream scheduler ${sched.spec} does not answer on port ${sched.textPort}: ${why}`, [
          'start it (icecc-scheduler), or give the scheduler your iceccd uses (iceccd -s HOST)',
        ]),
      );
    };
    sock.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs / 1000} s`));
    sock.on('connect', () => sock.write('listcs\nquit\n'));
    sock.on('data', (d) => (got += d.toString('utf8')));
    sock.on('error', (e) => fail((e as NodeJS.ErrnoException).code ?? e.message));
    sock.on('close', () => (/^200/m.test(got) ? resolve(got) : fail('it closed the connection without a greeting')));
  });
  return parseListcs(text);
}

/** Is the machine's iceccd there for the client inside? Its socket directory, or loopback (the chroot shares the network). */
async function localDaemon(): Promise<{ socketDir?: string }> {
  for (const p of DAEMON_SOCKETS) {
    try {
      if (statSync(p).isSocket()) return { socketDir: p.replace(/\/[^/]+$/, '') };
    } catch {
      // not this one
    }
  }
  const tcp = await new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port: 10245 });
    s.setTimeout(2000, () => (s.destroy(), resolve(false)));
    s.on('connect', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });
  if (tcp) return {};
  throw new EnvironmentError('icecream: no iceccd on this machine', [
    `icecc sends its jobs through the machine's own daemon: start one, e.g. iceccd -d -s SCHEDULER (it listens on ${DAEMON_SOCKETS[0]})`,
  ]);
}

/** The machine's platform as icecream names it (its uname -m). */
function icecreamPlatform(): string {
  const m = machine();
  return /^i[3-6]86$/.test(m) ? 'i386' : m;
}

function cacheDir(): string {
  return join(xdebCacheDir(), 'icecream');
}

/** The bundle's file inside the session: the given one, the cached one for these compilers, or a new one. */
async function bundleInSession(
  s: ChrootSession,
  o: { triplet: string; major: string; given?: string },
  info: (m: string) => void,
): Promise<string> {
  const work = resolveInRoot(s.root, WORK, { create: true });
  mkdirSync(work, { recursive: true });
  if (o.given) {
    copyFileSync(o.given, join(work, basename(o.given)));
    return `${WORK}/${basename(o.given)}`;
  }
  const dashed = o.triplet.replace(/_/g, '-');
  const wanted = new Set([
    `gcc-${o.major}-${dashed}`,
    `g++-${o.major}-${dashed}`,
    `cpp-${o.major}-${dashed}`,
    `binutils-${dashed}`,
    'libc6',
  ]);
  const versions = (await installedStanzas(s.status))
    .filter((p) => wanted.has(p.get('Package') ?? ''))
    .map((p) => `${p.get('Package')}:${p.get('Architecture')} ${p.get('Version')}`)
    .sort();
  const key = createHash('sha256')
    .update(`${o.triplet}-gcc-${o.major}\n${versions.join('\n')}\n`)
    .digest('hex')
    .slice(0, 16);
  const keep = join(cacheDir(), key);
  const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
  // The kept bundle, if it is whole (its name and checksum in 'name'); a damaged one is made again.
  const keptName = (): string | undefined => {
    try {
      const [n, sum] = readFileSync(join(keep, 'name'), 'utf8').trim().split(/\s+/);
      return n && sum === sha(join(keep, n)) ? n : undefined;
    } catch {
      return undefined; // not made yet
    }
  };
  const kept = keptName();
  if (kept) {
    copyFileSync(join(keep, kept), join(work, kept));
    return `${WORK}/${kept}`;
  }
  info(`icecream: bundling ${o.triplet}-gcc-${o.major} and ${o.triplet}-g++-${o.major} with icecc-create-env`);
  const r = await s.runOk(['icecc-create-env', '--gcc', `/usr/bin/${o.triplet}-gcc-${o.major}`, `/usr/bin/${o.triplet}-g++-${o.major}`], {
    cwd: WORK,
  });
  const name = /^creating (\S+\.tar\.\w+)$/m.exec(r.stdout)?.[1];
  if (!name || !existsSync(join(work, name)))
    throw new EnvironmentError('icecc-create-env made no bundle', r.stdout.trim().split('\n').slice(-3));
  // Builds of a sequence may make the same bundle at once: each writes its own directory, the first rename wins.
  const tmp = `${keep}.${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(tmp, { recursive: true });
  copyFileSync(join(work, name), join(tmp, name));
  writeFileSync(join(tmp, 'compilers'), versions.join('\n') + '\n');
  writeFileSync(join(tmp, 'name'), `${name} ${sha(join(tmp, name))}\n`);
  if (!keptName()) rmSync(keep, { recursive: true, force: true }); // none, or a damaged one
  try {
    renameSync(tmp, keep);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return `${WORK}/${name}`;
}

export interface IcecreamSetup {
  scheduler: string;
  daemons: IcecreamDaemon[];
  compiler: string;
  bundle: string;
  env: Record<string, string>;
  probes: string[];
}

/** Probe each daemon alone with a compile (ICECC_PREFERRED_HOST), all at once. */
async function probeDaemons(
  s: ChrootSession,
  daemons: readonly IcecreamDaemon[],
  base: Record<string, string>,
  hostArch: string,
  compiler: string,
): Promise<{ ok: boolean; message: string }[]> {
  const work = resolveInRoot(s.root, WORK, { create: true });
  writeFileSync(join(work, 'probe.c'), 'int xdeb_icecream_probe(int x) { return x * 3 + 1; }\n');
  return Promise.all(
    daemons.map(async (d, i) => {
      const obj = `probe-${i}.o`;
      const log = `probe-${i}.log`;
      rmSync(join(work, obj), { force: true });
      rmSync(join(work, log), { force: true });
      const r = await s.run(['timeout', String(ICECREAM_PROBE_TIMEOUT), 'icecc', compiler, '-c', 'probe.c', '-o', obj], {
        cwd: WORK,
        env: { ...base, ICECC_PREFERRED_HOST: d.address, ICECC_LOGFILE: `${WORK}/${log}` },
      });
      let text = '';
      try {
        text = readFileSync(join(work, log), 'utf8');
      } catch {
        // icecc wrote no log
      }
      const made = r.code === 0 ? objectArch(join(work, obj), hostArch) : { matches: false };
      return judgeIcecreamProbe(
        {
          daemon: d,
          code: r.code,
          log: text,
          stderr: r.code === 124 ? `no answer within ${ICECREAM_PROBE_TIMEOUT} s` : r.stderr,
          ...made,
        },
        hostArch,
        compiler,
      );
    }),
  );
}

/** What is known before a session: the scheduler, its daemons that take jobs, the machine's daemon, the bundle given. */
export interface IcecreamPlan {
  scheduler: IcecreamScheduler;
  daemons: IcecreamDaemon[];
  platform: string;
  socketDir?: string;
  bundle?: string;
}

/** Check what needs no chroot first: a wrong flag or a scheduler that does not answer costs no session. */
export async function prepareIcecream(o: { scheduler: string; bundle?: string }): Promise<IcecreamPlan> {
  const scheduler = parseIcecreamScheduler(o.scheduler);
  if (o.bundle !== undefined) {
    if (!/\.tar(\.(gz|bz2|xz|zst))?$/.test(o.bundle))
      throw new UsageError(`--icecream-env ${o.bundle}: not an icecc-create-env bundle (a .tar.gz, .tar.xz, .tar.zst or .tar)`);
    if (!existsSync(o.bundle)) throw new UsageError(`--icecream-env ${o.bundle}: no such file`);
  }
  const platform = icecreamPlatform();
  const all = await askScheduler(scheduler);
  const daemons = jobTakers(all).filter((d) => d.platform === platform);
  if (daemons.length === 0) {
    throw new EnvironmentError(`icecream scheduler ${scheduler.spec} knows no daemon that takes ${platform} jobs`, [
      all.length
        ? `it knows: ${all.map((d) => `${d.node} [${d.platform}]${d.port === 0 || d.maxJobs === 0 ? ' (takes no jobs)' : ''}`).join(', ')}`
        : 'it knows no daemon at all',
    ]);
  }
  const local = await localDaemon();
  return { scheduler, daemons, platform, socketDir: local.socketDir, bundle: o.bundle };
}

/** Send the session's compile jobs to icecream. */
export async function setupIcecream(
  s: ChrootSession,
  plan: IcecreamPlan,
  hostArch: string,
  info: (m: string) => void,
): Promise<IcecreamSetup> {
  const triplet = archTable().gnuTriplet(hostArch);
  if (!triplet) throw new EnvironmentError(`no GNU triplet known for ${hostArch}`);
  const major = defaultGccMajor(s.root, `${triplet}-gcc`);
  if (!major) throw new EnvironmentError(`chroot ${s.meta.name} has no ${triplet}-gcc (crossbuild-essential-${hostArch})`);
  const compiler = `${triplet}-gcc-${major}`;
  const { daemons, platform } = plan;
  if (plan.socketDir) await s.expose([plan.socketDir]);
  if (!existsSync(resolveInRoot(s.root, '/usr/bin/icecc'))) {
    info(`chroot ${s.meta.name}: installing icecc (xdeb-chroot create --include icecc keeps it in the image)`);
    await s.runOk(['apt-get', 'install', '-y', '-q', '--no-install-recommends', 'icecc']);
  }
  const bundle = await bundleInSession(s, { triplet, major, given: plan.bundle }, info);
  const dir = resolveInRoot(s.root, ICECC_BIN, { create: true });
  mkdirSync(dir, { recursive: true });
  for (const l of icecreamLinks({ triplet, major, plainNames: false })) {
    if (l.kind === 'masquerade') symlinkSync('/usr/bin/icecc', join(dir, l.name));
    else writeFileSync(join(dir, l.name), l.text!, { mode: 0o755 });
  }
  const env = icecreamEnv({ platform, bundle, triplet, major, log: LOG });
  const verdicts = await probeDaemons(s, daemons, env, hostArch, compiler);
  s.checkInterrupted();
  const bad = verdicts.filter((v) => !v.ok);
  if (bad.length) {
    throw new EnvironmentError(`icecream: ${bad.length} of ${daemons.length} daemon(s) cannot build for ${hostArch}`, [
      ...bad.map((v) => v.message),
      plan.bundle
        ? `the bundle ${plan.bundle} must hold ${compiler} (icecc-create-env --gcc /usr/bin/${compiler} /usr/bin/${triplet}-g++-${major})`
        : `each daemon must run ${platform} bundles (iceccd as root) and reach this machine`,
    ]);
  }
  for (const v of verdicts) info(v.message);
  const logFile = resolveInRoot(s.root, LOG);
  writeFileSync(logFile, '');
  chmodSync(logFile, 0o666);
  s.prependPath(ICECC_BIN);
  Object.assign(s.env, env);
  return { scheduler: plan.scheduler.spec, daemons, compiler, bundle, env, probes: verdicts.map((v) => v.message) };
}

/** Where the build's compile jobs ran, from the client log. */
export function icecreamCounts(s: ChrootSession): IcecreamJobCounts {
  let log = '';
  try {
    log = readFileSync(resolveInRoot(s.root, LOG), 'utf8');
  } catch {
    // no compiler call went through icecc
  }
  return countIcecreamJobs(log);
}

/** The same, in one line for the user. */
export function icecreamSummary(s: ChrootSession, setup: IcecreamSetup): string {
  return describeJobCounts(icecreamCounts(s), new Map(setup.daemons.map((d) => [d.address, d.node])));
}
