// Sending a build's compile jobs to distcc helpers that have cross compilers (design §7, the
// distcc seed). The build calls the compilers by their full cross name (<triplet>-gcc-N), so that
// a helper runs its cross compiler for that name — never its own `gcc`, which would make objects
// for the helper's architecture. Each helper is probed first: a small compile sent to it alone
// must come back as an object for the host architecture.

import { compilerLinks, type CompilerLink } from './compiler-links.js';
import { UsageError } from './errors.js';

export interface DistccHost {
  /** The entry as distcc reads it in DISTCC_HOSTS. */
  spec: string;
  /** 'tcp' (host[:port]) or 'ssh' (user@host). */
  transport: 'tcp' | 'ssh';
  host: string;
  port?: number;
  /** Jobs sent at once (/N). */
  limit?: number;
  loopback: boolean;
}

export const DEFAULT_DISTCC_HOSTS = '127.0.0.1';

/**
 * 'HOST[:PORT][/LIMIT][,OPTION…]' or '[USER]@HOST[/LIMIT][,OPTION…]', several separated by spaces
 * (distcc(1) HOST SPECIFICATIONS). `localhost` alone means "compile here" to distcc and is refused:
 * it would not test a helper at all; give 127.0.0.1 for a distccd on loopback.
 */
export function parseDistccHosts(text: string): DistccHost[] {
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new UsageError('--distcc: no helper given');
  return words.map((w) => {
    if (w === 'localhost' || w.startsWith('localhost/')) {
      throw new UsageError(`--distcc: '${w}' makes distcc compile locally; give 127.0.0.1 for a distccd listening on loopback`);
    }
    if (w.startsWith('--') || w.startsWith('+'))
      throw new UsageError(`--distcc: '${w}': only plain helper entries are accepted (no --randomize, +zeroconf)`);
    const m =
      /^(?:([A-Za-z0-9._-]*)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d+))?(?:\/(\d+))?((?:,(?:lzo|cpp|auth(?:=[^,\s]+)?))*)$/.exec(w);
    if (!m) throw new UsageError(`--distcc: '${w}' is not a distcc host (HOST[:PORT][/LIMIT][,lzo] or USER@HOST[/LIMIT])`);
    const ssh = w.includes('@');
    const port = m[3] === undefined ? undefined : Number(m[3]);
    if (port !== undefined && (port < 1 || port > 65535)) throw new UsageError(`--distcc: '${w}': port ${port} is out of range`);
    if (ssh && port !== undefined) throw new UsageError(`--distcc: '${w}': an ssh helper takes no port`);
    const limit = m[4] === undefined ? undefined : Number(m[4]);
    if (limit !== undefined && limit < 1) throw new UsageError(`--distcc: '${w}': the job limit must be at least 1`);
    const host = m[2]!.replace(/^\[|\]$/g, '');
    return { spec: w, transport: ssh ? 'ssh' : 'tcp', host, port, limit, loopback: /^(127\.\d+\.\d+\.\d+|::1)$/.test(host) };
  });
}

/** How many compile jobs the helpers take at once (distcc's default is 4 for a TCP host, 2 for ssh). */
export function distccSlots(hosts: readonly DistccHost[]): number {
  return hosts.reduce((n, h) => n + (h.limit ?? (h.transport === 'ssh' ? 2 : 4)), 0);
}

/** The compiler names of the build's PATH directory (lib/compiler-links.ts), sent to distcc. */
export function distccLinks(opts: { triplet: string; major: string; plainNames: boolean }): CompilerLink[] {
  return compilerLinks({ ...opts, sentTo: 'the distcc helpers' });
}

/** The variables a build gets: where the helpers are and which compilers to call. */
export function distccEnv(hosts: readonly DistccHost[], triplet: string, major: string): Record<string, string> {
  return {
    DISTCC_HOSTS: hosts.map((h) => h.spec).join(' '),
    CC: `${triplet}-gcc-${major}`,
    CXX: `${triplet}-g++-${major}`,
  };
}

/** What a probe compile sent to one helper gave. */
export interface ProbeOutcome {
  host: string;
  /** distcc's exit status (with fallback off and local retries off, non-zero means the helper failed). */
  code: number;
  /** What the object is, as describeElf says ('ELF 64-bit little-endian machine 62'), when there is one. */
  found?: string;
  /** The architectures the object could be for. */
  archs?: readonly string[];
  matches?: boolean;
  stderr?: string;
}

/** A helper is good when its object is for the host architecture; say plainly what is wrong otherwise. */
export function judgeProbe(p: ProbeOutcome, hostArch: string, compiler: string): { ok: boolean; message: string } {
  if (p.code !== 0 || p.found === undefined) {
    const why = p.stderr?.trim().split('\n').filter(Boolean).slice(-2).join('; ') || `exit status ${p.code}`;
    return { ok: false, message: `distcc helper ${p.host} did not compile the probe with ${compiler}: ${why}` };
  }
  if (!p.matches) {
    const archs = p.archs?.length ? ` (for ${p.archs.join(', ')})` : '';
    return {
      ok: false,
      message: `distcc helper ${p.host} made an object that is ${p.found}${archs}, not ${hostArch}: its ${compiler} is not a cross compiler for ${hostArch}`,
    };
  }
  return { ok: true, message: `distcc helper ${p.host}: ${compiler} makes ${hostArch} objects` };
}
