// Running the Debian tools xdeb drives (dpkg-deb, apt-ftparchive, gpg, dpkg-source…) and
// collecting what they print. A missing tool is an EnvironmentError that says which package
// provides it.

import { spawn } from 'node:child_process';
import { EnvironmentError } from '../lib/errors.js';

const PROVIDED_BY: Record<string, string> = {
  'apt-ftparchive': 'apt-utils',
  'dpkg-buildpackage': 'dpkg-dev',
  'dpkg-checkbuilddeps': 'dpkg-dev',
  'dpkg-source': 'dpkg-dev',
  'dpkg-parsechangelog': 'dpkg-dev',
  'dpkg-deb': 'dpkg',
  gpg: 'gnupg',
  flock: 'util-linux',
  sbatch: 'slurm-client',
  scontrol: 'slurm-client',
  scancel: 'slurm-client',
  make: 'make',
};

export interface ToolResult {
  code: number;
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ToolOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
}

export function missingTool(cmd: string): EnvironmentError {
  const pkg = PROVIDED_BY[cmd];
  return new EnvironmentError(`${cmd} not found${pkg ? ` (install the ${pkg} package)` : ''}`);
}

/** Run a command to completion; it is the caller's business to judge the exit code. */
export function runTool(cmd: string, args: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? missingTool(cmd) : new EnvironmentError(`cannot run ${cmd}: ${e.message}`)),
    );
    child.on('close', (code, signal) =>
      resolve({ code: code ?? -1, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}
