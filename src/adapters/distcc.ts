// distcc for a chroot session: distcc installed inside if missing, the compiler names of the
// build's PATH pointed at distcc under their full cross names, and each helper probed alone
// (fallback to local compiles and local retries off, a time limit on the whole probe) before
// any build starts: a helper that fails, or answers with an object for another architecture,
// stops the build with an EnvironmentError that names it.

import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { archTable } from '../lib/arch.js';
import { distccEnv, distccLinks, judgeProbe, parseDistccHosts, DEFAULT_DISTCC_HOSTS, type DistccHost } from '../lib/distcc.js';
import { EnvironmentError } from '../lib/errors.js';
import type { ChrootSession } from './chroot.js';
import { resolveInRoot } from './mounts.js';
import { objectArch } from './object-arch.js';
import { defaultGccMajor } from './native-compilers.js';

export const DISTCC_BIN = '/usr/lib/xdeb/distcc';
/** Seconds a probe may take (distcc can otherwise wait on a helper for a long time). */
export const PROBE_TIMEOUT = 120;

export interface DistccSetup {
  hosts: DistccHost[];
  compiler: string;
  env: Record<string, string>;
  probes: string[];
}

/** Probe each helper with a compile sent to it alone, from inside the session. */
export async function probeDistccHelpers(
  s: ChrootSession,
  hosts: readonly DistccHost[],
  hostArch: string,
  compiler: string,
): Promise<{ ok: boolean; message: string }[]> {
  const tmp = resolveInRoot(s.root, '/tmp', { create: true });
  writeFileSync(join(tmp, 'xdeb-distcc-probe.c'), 'int xdeb_distcc_probe(int x) { return x * 3 + 1; }\n');
  const out: { ok: boolean; message: string }[] = [];
  for (const [i, h] of hosts.entries()) {
    const obj = `/tmp/xdeb-distcc-probe-${i}.o`;
    rmSync(join(tmp, `xdeb-distcc-probe-${i}.o`), { force: true });
    const r = await s.run(['timeout', String(PROBE_TIMEOUT), 'distcc', compiler, '-c', '/tmp/xdeb-distcc-probe.c', '-o', obj], {
      cwd: '/tmp',
      env: {
        DISTCC_HOSTS: h.spec,
        DISTCC_FALLBACK: '0',
        DISTCC_SKIP_LOCAL_RETRY: '1',
        DISTCC_BACKOFF_PERIOD: '0',
        DISTCC_IO_TIMEOUT: '60',
      },
    });
    s.checkInterrupted();
    const made = r.code === 0 ? objectArch(join(tmp, `xdeb-distcc-probe-${i}.o`), hostArch) : { matches: false };
    out.push(
      judgeProbe(
        {
          host: h.spec,
          code: r.code === 124 ? 124 : r.code,
          stderr: r.code === 124 ? `no answer within ${PROBE_TIMEOUT} s` : r.stderr,
          ...made,
        },
        hostArch,
        compiler,
      ),
    );
  }
  return out;
}

/** Send the session's compile jobs to distcc helpers. */
export async function setupDistcc(
  s: ChrootSession,
  spec: string | true,
  hostArch: string,
  info: (m: string) => void,
): Promise<DistccSetup> {
  const hosts = parseDistccHosts(spec === true ? DEFAULT_DISTCC_HOSTS : spec);
  const triplet = archTable().gnuTriplet(hostArch);
  if (!triplet) throw new EnvironmentError(`no GNU triplet known for ${hostArch}`);
  const cross = s.meta.buildArch !== hostArch;
  const major = defaultGccMajor(s.root, cross ? `${triplet}-gcc` : 'gcc');
  if (!major)
    throw new EnvironmentError(
      `chroot ${s.meta.name} has no ${cross ? `${triplet}-gcc` : 'gcc'} (build-essential${cross ? `, crossbuild-essential-${hostArch}` : ''})`,
    );
  const compiler = `${triplet}-gcc-${major}`;
  if (!existsSync(resolveInRoot(s.root, '/usr/bin/distcc'))) {
    info(`chroot ${s.meta.name}: installing distcc (xdeb-chroot create --include distcc keeps it in the image)`);
    await s.runOk(['apt-get', 'install', '-y', '-q', '--no-install-recommends', 'distcc']);
  }
  const dir = resolveInRoot(s.root, DISTCC_BIN, { create: true });
  mkdirSync(dir, { recursive: true });
  for (const l of distccLinks({ triplet, major, plainNames: !cross })) {
    if (l.kind === 'masquerade') symlinkSync('/usr/bin/distcc', join(dir, l.name));
    else writeFileSync(join(dir, l.name), l.text!, { mode: 0o755 });
  }
  const verdicts = await probeDistccHelpers(s, hosts, hostArch, compiler);
  const bad = verdicts.filter((v) => !v.ok);
  if (bad.length) {
    throw new EnvironmentError(`distcc: ${bad.length} of ${hosts.length} helper(s) cannot build for ${hostArch}`, [
      ...bad.map((v) => v.message),
      `a helper needs ${compiler} as a cross compiler for ${hostArch}, linked in /usr/lib/distcc (apt-get install gcc-${major}-${triplet.replace(/_/g, '-')} distcc; update-distcc-symlinks)`,
    ]);
  }
  for (const v of verdicts) info(v.message);
  s.prependPath(DISTCC_BIN);
  const env = distccEnv(hosts, triplet, major);
  Object.assign(s.env, env);
  return { hosts, compiler, env, probes: verdicts.map((v) => v.message) };
}
