// Sending a build's compile jobs to icecream daemons (the icecream seed, docs/emulation.md). The
// machine's own iceccd asks its scheduler where each job goes; the job carries a bundle of the
// cross compiler made with icecc-create-env, which the other daemon unpacks and runs. Before the
// build, every daemon that takes jobs is probed alone (ICECC_PREFERRED_HOST): the probe must run
// there, not fall back to a local compile, and come back as an object for the host architecture.

import { compilerLinks, type CompilerLink } from './compiler-links.js';
import { UsageError } from './errors.js';

/** The scheduler's port for daemons; its text interface (listcs) is the next one. */
export const ICECREAM_SCHEDULER_PORT = 8765;

export interface IcecreamScheduler {
  spec: string;
  host: string;
  port: number;
  /** The text interface: port + 1. */
  textPort: number;
}

/** 'HOST[:PORT]' (PORT: the scheduler's daemon port, 8765 unless icecc-scheduler -p says otherwise). */
export function parseIcecreamScheduler(text: string): IcecreamScheduler {
  const t = text.trim();
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d+))?$/.exec(t);
  if (!m) throw new UsageError(`--icecream: '${text}' is not a scheduler (HOST or HOST:PORT)`);
  const port = m[2] === undefined ? ICECREAM_SCHEDULER_PORT : Number(m[2]);
  if (port < 1 || port > 65534) throw new UsageError(`--icecream: '${text}': port ${port} is out of range`);
  return { spec: t, host: m[1]!.replace(/^\[|\]$/g, ''), port, textPort: port + 1 };
}

export interface IcecreamDaemon {
  /** Its node name (iceccd -N, else its host name). */
  node: string;
  /** The address the scheduler knows it by: ICECC_PREFERRED_HOST takes this, and clients connect to it. */
  address: string;
  /** 0: it takes no jobs from others (iceccd --no-remote). */
  port: number;
  platform: string;
  maxJobs: number;
}

/** The daemons of the scheduler's `listcs` answer (' node (address:port) [platform] speed=… jobs=N/M load=…'). */
export function parseListcs(text: string): IcecreamDaemon[] {
  const out: IcecreamDaemon[] = [];
  for (const line of text.split('\n')) {
    const m = /^ (\S+) \(([^()\s]+):(\d+)\) \[([^\]]+)\] speed=\S+ jobs=\d+\/(\d+)/.exec(line);
    if (m) out.push({ node: m[1]!, address: m[2]!, port: Number(m[3]), platform: m[4]!, maxJobs: Number(m[5]) });
  }
  return out;
}

/** Daemons that compile jobs for others. */
export function jobTakers(daemons: readonly IcecreamDaemon[]): IcecreamDaemon[] {
  return daemons.filter((d) => d.port !== 0 && d.maxJobs > 0);
}

/** The compiler names of the build's PATH directory, sent to icecream. */
export function icecreamLinks(opts: { triplet: string; major: string; plainNames: boolean }): CompilerLink[] {
  return compilerLinks({ ...opts, sentTo: 'icecream' });
}

/**
 * The variables a build gets: the bundle for the machine's platform (the compiler in it runs on
 * x86_64 and makes host-architecture objects), the compilers to call, and a client log that says
 * where each job went (icecc writes it instead of stderr).
 */
export function icecreamEnv(o: { platform: string; bundle: string; triplet: string; major: string; log: string }): Record<string, string> {
  return {
    ICECC_VERSION: `${o.platform}:${o.bundle}`,
    ICECC_DEBUG: 'debug',
    ICECC_LOGFILE: o.log,
    CC: `${o.triplet}-gcc-${o.major}`,
    CXX: `${o.triplet}-g++-${o.major}`,
  };
}

/** How the compiler calls of an icecc client log went. */
export interface IcecreamJobCounts {
  /** Compile jobs run by another daemon, by its address. */
  remote: Record<string, number>;
  /** Compile jobs the scheduler kept here, or that came back here after a remote failure. */
  local: number;
  /** Jobs first sent away whose remote compile failed and was redone here. */
  fellBack: number;
  /** Calls icecc ran here without asking the scheduler (links, preprocessing, configure checks). */
  other: number;
}

const FALLBACK = /local build forced by remote exception|got exception |recompiling locally/;

/** Read an icecc client log (ICECC_DEBUG=debug): each call starts with 'invoked as:', lines carry 'ICECC[pid]'. */
export function countIcecreamJobs(log: string): IcecreamJobCounts {
  interface Call {
    remote?: string;
    local: boolean;
    fellBack: boolean;
  }
  const live = new Map<string, Call>();
  const done: Call[] = [];
  for (const line of log.split('\n')) {
    const m = /^ICECC\[(\d+)\] [^:]*:[^:]*:[^:]*: (.*)$/.exec(line);
    if (!m) continue;
    const [, pid, text] = m as unknown as [string, string, string];
    if (text.startsWith('invoked as:')) {
      const prev = live.get(pid);
      if (prev) done.push(prev);
      live.set(pid, { local: false, fellBack: false });
      continue;
    }
    const c = live.get(pid);
    if (!c) continue;
    const host = /^Have to use host (\S+):\d+ /.exec(text);
    if (host) c.remote = host[1];
    else if (text.startsWith('building myself')) c.local = true;
    else if (FALLBACK.test(text)) c.fellBack = true;
  }
  done.push(...live.values());
  const out: IcecreamJobCounts = { remote: {}, local: 0, fellBack: 0, other: 0 };
  for (const c of done) {
    if (c.remote && !c.fellBack) out.remote[c.remote] = (out.remote[c.remote] ?? 0) + 1;
    else if (c.remote) {
      out.fellBack++;
      out.local++;
    } else if (c.local) out.local++;
    else out.other++;
  }
  return out;
}

/** One line for the user: where the build's compile jobs ran. */
export function describeJobCounts(c: IcecreamJobCounts, names: ReadonlyMap<string, string>): string {
  const remote = Object.entries(c.remote).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const total = remote.reduce((n, [, k]) => n + k, 0);
  const where = remote.map(([a, k]) => `${names.get(a) ?? a} (${a}): ${k}`).join(', ');
  const parts = [`${total} of ${total + c.local} compile jobs ran on other daemons${where ? ` (${where})` : ''}`];
  if (c.local) parts.push(`${c.local} here${c.fellBack ? ` (${c.fellBack} after a remote failure)` : ''}`);
  if (c.other) parts.push(`${c.other} other compiler calls (links, checks) here`);
  return `icecream: ${parts.join('; ')}`;
}

/** What a probe compile sent to one daemon gave. */
export interface IcecreamProbeOutcome {
  daemon: IcecreamDaemon;
  /** icecc's exit status (124: no answer in time). */
  code: number;
  /** The client's log of the probe. */
  log: string;
  stderr?: string;
  /** What the object is, as describeElf says, when there is one. */
  found?: string;
  archs?: readonly string[];
  matches?: boolean;
}

/** A daemon is good when it compiled the probe itself and the object is for the host architecture. */
export function judgeIcecreamProbe(p: IcecreamProbeOutcome, hostArch: string, compiler: string): { ok: boolean; message: string } {
  const name = `icecream daemon ${p.daemon.node} (${p.daemon.address})`;
  const c = countIcecreamJobs(p.log);
  const ranThere = (c.remote[p.daemon.address] ?? 0) > 0;
  if (p.code !== 0 || p.found === undefined) {
    const why =
      [p.stderr ?? '', p.log]
        .join('\n')
        .split('\n')
        .map((l) => l.replace(/^ICECC\[\d+\] [^:]*:[^:]*:[^:]*: /, '').trim())
        .filter((l) => l && !l.startsWith('<') && !l.startsWith('</'))
        .slice(-2)
        .join('; ') || `exit status ${p.code}`;
    return { ok: false, message: `${name} did not compile the probe with ${compiler}: ${why}` };
  }
  if (!ranThere) {
    const where = Object.keys(c.remote)[0];
    const why = c.fellBack ? 'its compile failed and icecc redid it here' : where ? `the scheduler sent it to ${where}` : 'it ran here';
    return { ok: false, message: `${name} did not take the probe: ${why} (is its platform ${p.daemon.platform} able to run the bundle?)` };
  }
  if (!p.matches) {
    const archs = p.archs?.length ? ` (for ${p.archs.join(', ')})` : '';
    return {
      ok: false,
      message: `${name} made an object that is ${p.found}${archs}, not ${hostArch}: the bundle it ran has no cross compiler for ${hostArch} as ${compiler}`,
    };
  }
  return { ok: true, message: `${name}: ${compiler} makes ${hostArch} objects` };
}
