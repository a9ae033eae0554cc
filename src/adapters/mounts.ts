// Mounting into a chroot and getting out again. Paths inside a chroot are resolved the way the
// chroot would see them (an absolute symlink inside points inside, never at the machine's own
// directories), the mount table is read back from /proc/self/mountinfo, and a session directory
// is removed only once nothing is mounted under it: `rm -rf` across a bind mount of the same
// filesystem would delete the machine's files.

import { lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../lib/errors.js';
import { mountsUnder, parseMountInfo, type MountStep } from '../lib/mount-plan.js';
import { runTool } from './run-tool.js';

/**
 * The path outside of `path` inside the chroot at `root`, following symlinks as the chroot would
 * (absolute targets start again at root, '..' stops at root). With `create`, missing directories
 * are made. A path that leads out of root is an EnvironmentError.
 */
export function resolveInRoot(root: string, path: string, opts: { create?: boolean } = {}): string {
  const base = realpathSync(root);
  const todo = path.split('/').filter((x) => x && x !== '.');
  const done: string[] = [];
  let links = 0;
  while (todo.length) {
    const part = todo.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const here = join(base, ...done, part);
    let st;
    try {
      st = lstatSync(here);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      if (!opts.create) return join(base, ...done, part, ...todo.filter((x) => x !== '..'));
      mkdirSync(here, { mode: 0o755 });
      done.push(part);
      continue;
    }
    if (st.isSymbolicLink()) {
      if (++links > 40) throw new EnvironmentError(`too many symbolic links in ${path} inside ${root}`);
      const target = readlinkSync(here);
      const parts = target.split('/').filter((x) => x && x !== '.');
      if (target.startsWith('/')) done.length = 0;
      todo.unshift(...parts);
      continue;
    }
    if (todo.length && !st.isDirectory()) throw new EnvironmentError(`${join('/', ...done, part)} is not a directory inside ${root}`);
    done.push(part);
  }
  const out = join(base, ...done);
  if (out !== base && !out.startsWith(base + '/')) throw new EnvironmentError(`${path} leads out of ${root}`);
  return out;
}

/** The machine's mount points, from /proc/self/mountinfo. */
export function mountPoints(): string[] {
  return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/** What is mounted at or under `dir`, deepest first. */
export function mountedUnder(dir: string): string[] {
  let real = dir;
  try {
    real = realpathSync(dir);
  } catch {
    // gone: nothing can be mounted there
  }
  return mountsUnder(mountPoints(), real);
}

async function mountCmd(args: string[]): Promise<void> {
  const r = await runTool('mount', args);
  if (r.code !== 0) throw new EnvironmentError(`mount ${args.join(' ')} failed: ${r.stderr.trim() || `exit status ${r.code}`}`);
}

/** Make one mount of a session; the target is resolved inside its chroot by the caller. */
export async function mountStep(step: MountStep): Promise<void> {
  switch (step.kind) {
    case 'proc':
      return mountCmd(['-t', 'proc', 'proc', step.target]);
    case 'dev':
      await mountCmd(['--rbind', step.source, step.target]);
      // Unmounting the copy must not reach the machine's /dev where mounts propagate.
      return mountCmd(['--make-rslave', step.target]);
    case 'overlay':
      return mountCmd([
        '-t',
        'overlay',
        'overlay',
        '-o',
        `lowerdir=${step.lower},upperdir=${step.upper},workdir=${step.work}`,
        step.target,
      ]);
    case 'bind':
      await mountCmd(['--bind', step.source, step.target]);
      if (step.readOnly) await mountCmd(['-o', 'remount,bind,ro', step.target]);
      return;
  }
}

/**
 * Unmount everything at or under `dir`, deepest first, a few rounds (a busy mount gets time to be
 * released), then lazily as a last resort. Returns what is still mounted (normally nothing).
 */
export async function unmountUnder(dir: string, opts: { warn?: (m: string) => void } = {}): Promise<string[]> {
  for (let round = 0; round < 5; round++) {
    const points = mountedUnder(dir);
    if (points.length === 0) return [];
    for (const p of points) await runTool('umount', [p]);
    if (mountedUnder(dir).length && round < 4) await new Promise((r) => setTimeout(r, 200 * (round + 1)));
  }
  for (const p of mountedUnder(dir)) {
    opts.warn?.(`${p} is busy: detached lazily (umount -l)`);
    await runTool('umount', ['-l', p]);
  }
  return mountedUnder(dir);
}

/** Remove a session directory, never while something is mounted under it. */
export async function removeTree(dir: string): Promise<void> {
  const left = mountedUnder(dir);
  if (left.length) {
    throw new EnvironmentError(`not removing ${dir}: still mounted under it: ${left.join(', ')}`, [
      `unmount them (umount -R ${dir}/…), then remove ${dir}`,
    ]);
  }
  const r = await runTool('rm', ['-rf', '--one-file-system', dir]);
  if (r.code !== 0) throw new EnvironmentError(`cannot remove ${dir}: ${r.stderr.trim()}`);
}
