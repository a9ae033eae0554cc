// Running a build: dpkg-parsechangelog for what is built, dpkg-source -x for a .dsc,
// dpkg-checkbuilddeps before the build, and dpkg-buildpackage with its output streamed both to
// a log file and to the terminal.

import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { parseSingleParagraph } from '../lib/deb822.js';
import { EnvironmentError, InputError } from '../lib/errors.js';
import type { CommandWrap } from './inside.js';
import { missingTool, runTool } from './run-tool.js';

/** cmd and args, run inside a chroot session when `wrap` is given. */
function argvOf(cmd: string, args: readonly string[], wrap: CommandWrap | undefined, cwd?: string): [string, string[]] {
  const argv = wrap ? wrap([cmd, ...args], { cwd }) : [cmd, ...args];
  return [argv[0]!, argv.slice(1)];
}

export interface ChangelogInfo {
  source: string;
  version: string;
  distribution: string;
}

/** Source name and version from debian/changelog. */
export async function readChangelog(dir: string, wrap?: CommandWrap): Promise<ChangelogInfo> {
  const file = `${dir}/debian/changelog`;
  const r = await runTool(...argvOf('dpkg-parsechangelog', ['--file', file], wrap, dir), { cwd: dir });
  if (r.code !== 0) throw new InputError(`dpkg-parsechangelog cannot read it: ${r.stderr.trim().split('\n').pop() ?? ''}`, { file });
  const p = parseSingleParagraph(r.stdout, { file });
  const source = p.get('Source');
  const version = p.get('Version');
  if (!source || !version) throw new InputError('no Source or Version in the last entry', { file });
  return { source, version, distribution: p.get('Distribution') ?? '' };
}

/** Unpack a .dsc into `target` (which must not exist) with dpkg-source -x. */
export async function unpackDsc(dsc: string, target: string, wrap?: CommandWrap): Promise<void> {
  const r = await runTool(...argvOf('dpkg-source', ['-x', dsc, target], wrap));
  if (r.code !== 0) {
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => /error/.test(l));
    throw new InputError(
      `dpkg-source -x failed: ${(lines.pop() ?? r.stderr.trim().split('\n').pop() ?? '').replace(/^dpkg-source: error: /, '')}`,
      { file: dsc },
    );
  }
}

/** dpkg-checkbuilddeps for the build: undefined when satisfied, else its complaint. */
export async function unmetBuildDeps(dir: string, args: readonly string[], wrap?: CommandWrap): Promise<string | undefined> {
  const r = await runTool(...argvOf('dpkg-checkbuilddeps', args, wrap, dir), { cwd: dir });
  if (r.code === 0) return undefined;
  const msg = r.stderr
    .trim()
    .split('\n')
    .map((l) => l.replace(/^dpkg-checkbuilddeps: error: /, ''))
    .filter(Boolean)
    .join('; ');
  if (r.code !== 1) throw new EnvironmentError(`dpkg-checkbuilddeps failed: ${msg || `exit status ${r.code}`}`);
  return msg;
}

export interface StreamedRun {
  code: number;
  signal: NodeJS.Signals | null;
  /** We got SIGINT or SIGTERM while it ran (and passed it on). */
  interrupted: NodeJS.Signals | undefined;
}

/** Append text to the log. */
export function logWrite(log: WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => log.write(text, (e) => (e ? reject(e) : resolve())));
}

/** The build log, its directory made when missing (--log-dir DIR need not exist yet). */
export function openLog(path: string): Promise<WriteStream> {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    return Promise.reject(new EnvironmentError(`cannot write the build log ${path}: ${(e as Error).message}`));
  }
  return new Promise((resolve, reject) => {
    const s = createWriteStream(path, { flags: 'w' });
    s.once('open', () => resolve(s));
    s.once('error', (e) => reject(new EnvironmentError(`cannot write the build log ${path}: ${e.message}`)));
  });
}

export function closeLog(log: WriteStream): Promise<void> {
  return new Promise((resolve) => log.end(() => resolve()));
}

/**
 * Run a command with its stdout and stderr going, in order of arrival, to the log and (when
 * `echo`) to our stderr. SIGINT and SIGTERM we receive are passed on to its process group, and
 * we wait for it to end.
 */
export function runStreamed(
  cmd: string,
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; log: WriteStream; echo: boolean },
): Promise<StreamedRun> {
  return new Promise((resolve, reject) => {
    // Its own process group, so that a signal reaches the whole build (make, the compilers) and
    // not only dpkg-buildpackage; a Ctrl-C on the terminal comes to us and is passed on.
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let interrupted: NodeJS.Signals | undefined;
    const forward = (sig: NodeJS.Signals) => () => {
      interrupted = sig;
      try {
        process.kill(-child.pid!, sig);
      } catch {
        child.kill(sig);
      }
    };
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const sink = (b: Buffer) => {
      opts.log.write(b);
      if (opts.echo) process.stderr.write(b);
    };
    child.stdout.on('data', sink);
    child.stderr.on('data', sink);
    child.on('error', (e: NodeJS.ErrnoException) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      reject(e.code === 'ENOENT' ? missingTool(cmd) : new EnvironmentError(`cannot run ${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve({ code: code ?? -1, signal, interrupted });
    });
  });
}
