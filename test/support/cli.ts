// Run the real launchers (bin/ → dist/) as a user would, and capture what they print.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** `xdeb ARGS` (or `xdeb-<cmd> ARGS` when `bin` is given), with optional stdin. */
export function runCli(args: string[], opts: { input?: string; bin?: string; env?: NodeJS.ProcessEnv; cwd?: string; timeout?: number } = {}): CliResult {
  const bin = `${ROOT}/bin/${opts.bin ?? 'xdeb'}.js`;
  const r = spawnSync(process.execPath, [bin, ...args], {
    input: opts.input,
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd ?? ROOT,
    timeout: opts.timeout ?? 60_000,
    maxBuffer: 1 << 30,
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Is a command on PATH? */
export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/**
 * Remove the installed packages that `patterns` name (dpkg-query patterns: 'xdebdemo-tool',
 * 'libxdeb*', 'foo:arm64'). apt-get remove refuses its whole list when one name or glob is unknown
 * to it, so only installed names are given to it. Waits for dpkg's lock like everything else here.
 */
export function removeInstalled(...patterns: string[]): void {
  const q = spawnSync('dpkg-query', ['-W', '-f', '${binary:Package}\t${Status}\n', ...patterns], { encoding: 'utf8' });
  const installed = q.stdout
    .split('\n')
    .map((l) => l.split('\t'))
    .filter(([, status]) => status === 'install ok installed')
    .map(([name]) => name!);
  if (installed.length === 0) return;
  const r = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'remove', '-y', '-q', ...installed], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) throw new Error(`apt-get remove ${installed.join(' ')}: ${r.stderr}`);
}
