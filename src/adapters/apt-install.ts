// Installing a resolved set of packages with apt: each one named with its architecture and
// version (pkg:arch=version), local-repository packages by their .deb path, so that apt
// installs exactly what xdeb decided. What the build-dependencies pulled in is marked automatic.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../lib/errors.js';
import type { Output } from '../ui/output.js';
import type { CommandWrap } from './inside.js';
import { runTool } from './run-tool.js';

export interface InstallTarget {
  name: string;
  arch: string;
  version: string;
  /** A .deb on this machine (local repository, dpkg-cross output), installed by path. */
  deb?: string;
  /** Asked for directly by the build-dependencies (stays manually installed). */
  direct: boolean;
}

export interface AptInstallOptions {
  /** Prefix for commands that need root ('sudo'), when not root. */
  rootCmd?: string;
  /** APT_CONFIG and friends (a private apt, a chroot's). */
  env?: NodeJS.ProcessEnv;
  /** apt-get -s: say what would happen, change nothing. */
  simulate?: boolean;
  /** Run apt inside a chroot session (as root there): no root command. */
  wrap?: CommandWrap;
  out: Output;
}

/** Wait for dpkg's lock (another apt, unattended-upgrades, a parallel build) instead of failing at once. */
export const WAIT_FOR_LOCK = ['-o', 'DPkg::Lock::Timeout=600'];

export function rootPrefix(rootCmd: string | undefined, what: string): string[] {
  if (process.getuid?.() === 0) return [];
  if (!rootCmd) throw new EnvironmentError(`${what} needs root: run as root, or give --root-cmd sudo (or set root-cmd in xdeb.cfg)`);
  return rootCmd.split(/\s+/).filter(Boolean);
}

export function targetArg(t: InstallTarget): string {
  return t.deb ?? `${t.name}:${t.arch === 'all' ? 'all' : t.arch}=${t.version}`;
}

/** Run a command, its output to stderr when someone watches, else kept for the error message. */
function runStreaming(argv: string[], env: NodeJS.ProcessEnv, show: boolean): Promise<{ code: number; tail: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (b: Buffer) => {
      tail = (tail + b.toString('utf8')).slice(-4000);
      if (show) process.stderr.write(b);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(new EnvironmentError(e.code === 'ENOENT' ? `${argv[0]} not found` : `cannot run ${argv[0]}: ${e.message}`)),
    );
    child.on('close', (code) => resolve({ code: code ?? -1, tail }));
  });
}

export async function aptInstall(
  targets: readonly InstallTarget[],
  opts: AptInstallOptions,
): Promise<{ command: string[]; output: string }> {
  const env = { ...process.env, ...opts.env, DEBIAN_FRONTEND: 'noninteractive' };
  // A repository's index may still list a .deb its pool no longer has (removed, or a repository that went away since it was read).
  const gone = opts.simulate ? [] : targets.filter((t) => t.deb && !existsSync(t.deb));
  if (gone.length)
    throw new EnvironmentError(
      `${gone.map((t) => `${t.name}:${t.arch} ${t.version}`).join(', ')}: listed by the repository, but its file is gone: ${gone.map((t) => t.deb).join(', ')}`,
    );
  const args = [
    'apt-get',
    'install',
    '-y',
    '--no-install-recommends',
    '-o',
    'APT::Get::allow-downgrades=true',
    ...WAIT_FOR_LOCK,
    ...(opts.simulate ? ['-s'] : []),
    ...targets.map(targetArg),
  ];
  const argv = opts.wrap ? opts.wrap(args) : opts.simulate ? args : [...rootPrefix(opts.rootCmd, 'installing build-dependencies'), ...args];
  opts.out.info(`running: ${argv.join(' ')}`);
  const r = await runStreaming(argv, env, !opts.simulate && (opts.out.verbose || opts.out.tty));
  if (r.code !== 0) {
    const lines = r.tail
      .split('\n')
      .filter((l) => /^(E|W):/.test(l))
      .slice(-6);
    throw new EnvironmentError(
      `apt-get install failed (exit status ${r.code})`,
      lines.length ? lines : r.tail.trim().split('\n').slice(-6),
    );
  }
  if (!opts.simulate) {
    const auto = targets.filter((t) => !t.direct && !t.deb).map((t) => `${t.name}:${t.arch === 'all' ? 'all' : t.arch}`);
    if (auto.length) {
      const mark = [...rootPrefix(opts.rootCmd, 'apt-mark'), 'apt-mark', ...WAIT_FOR_LOCK, 'auto', ...auto];
      const m = await runTool(mark[0]!, mark.slice(1), { env });
      if (m.code !== 0) opts.out.warn(`apt-mark auto failed: ${m.stderr.trim()}`);
    }
  }
  return { command: argv, output: r.tail };
}

/** The .deb of a package from a repository on this machine. */
export function localDeb(base: string, filename: string): string {
  return join(base, filename);
}
