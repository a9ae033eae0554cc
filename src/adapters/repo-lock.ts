// A lock on a file with flock(2), held by a small `flock(1)` helper process for as long as we
// keep its standard input open. flock(2) locks belong to open files, so the kernel drops the
// lock when the holder dies: after a kill -9 of xdeb the helper reads end-of-file, exits, and the
// next writer gets the lock. There is no stale lock file to detect or break.

import { spawn } from 'node:child_process';
import { EnvironmentError } from '../lib/errors.js';
import { missingTool } from './run-tool.js';

export interface LockOptions {
  /** A shared (reader) lock instead of an exclusive (writer) one. */
  shared?: boolean;
  /** Give up after this many seconds (default 600); 0 means do not wait. */
  waitSeconds?: number;
  /** Called once if the lock is busy and we start waiting. */
  onWait?: () => void;
  /** What is locked, for messages ("the local repository /x"). */
  what?: string;
}

export interface HeldLock {
  release(): Promise<void>;
}

/** Take the lock on `file` (created if missing). */
export async function acquireLock(file: string, opts: LockOptions = {}): Promise<HeldLock> {
  const wait = opts.waitSeconds ?? 600;
  const mode = opts.shared ? '-s' : '-x';
  // First try without waiting, so we can say that we wait.
  const tryOnce = (w: number) =>
    new Promise<{ ok: true; release: () => Promise<void> } | { ok: false; code: number | null; stderr: string }>((resolve, reject) => {
      const args = [mode, ...(w > 0 ? ['-w', String(w)] : ['-n']), '-E', '75', file, '-c', 'echo locked; exec cat >/dev/null'];
      // Its own process group: a Ctrl-C meant for us must not drop the lock while we clean up.
      const child = spawn('flock', args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      let out = '';
      let err = '';
      let settled = false;
      child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? missingTool('flock') : e));
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.stdin.on('error', () => {});
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (!settled && out.includes('locked\n')) {
          settled = true;
          const exited = new Promise<void>((r) => child.once('close', () => r()));
          resolve({
            ok: true,
            release: async () => {
              child.stdin.end();
              await exited;
            },
          });
        }
      });
      child.on('close', (code) => {
        if (!settled) {
          settled = true;
          resolve({ ok: false, code, stderr: err });
        }
      });
    });

  let r = await tryOnce(0);
  if (!r.ok && r.code === 75 && wait > 0) {
    opts.onWait?.();
    r = await tryOnce(wait);
  }
  if (r.ok) return { release: r.release };
  const what = opts.what ?? file;
  if (r.code === 75) throw new EnvironmentError(`${what} is locked by another process (waited ${wait} s on ${file})`);
  throw new EnvironmentError(`cannot lock ${file}: ${r.stderr.trim() || `flock exit status ${r.code}`}`);
}

/** Run `fn` holding the lock; the lock is released however `fn` ends. */
export async function withLock<T>(file: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const lock = await acquireLock(file, opts);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
