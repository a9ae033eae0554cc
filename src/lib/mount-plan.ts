// Which mounts a chroot session needs, in which order, and how to tell from /proc/self/mountinfo
// what is still mounted under a directory. Paths from the machine are bind-mounted at the same
// path inside, so that a source tree, an output directory or the local repository has one name
// for xdeb outside and for the Debian tools inside.

import { UsageError } from './errors.js';

export type MountStep =
  /** A fresh proc filesystem. */
  | { kind: 'proc'; target: string }
  /** The machine's /dev with what is mounted under it (pts, shm), its propagation cut (rslave). */
  | { kind: 'dev'; source: string; target: string }
  /** A directory of the machine (or another chroot), read-only or read-write. */
  | { kind: 'bind'; source: string; target: string; readOnly: boolean }
  /** A writable copy of a read-only tree: changes go to `upper`, `lower` is never written. */
  | { kind: 'overlay'; lower: string; upper: string; work: string; target: string };

export interface BindRequest {
  /** The absolute path on the machine; the same path inside. */
  path: string;
  readOnly: boolean;
}

export interface SessionMountInput {
  /** The unpacked chroot. */
  root: string;
  /** Directories of the machine to show at the same path inside. */
  binds: readonly BindRequest[];
  /** An unpacked build-arch chroot to show at /native (read-only). */
  native?: string;
}

/** Where a path of the chroot is, seen from outside. */
export function inRoot(root: string, path: string): string {
  const p = normalize(path);
  const r = root.replace(/\/+$/, '');
  return p === '/' ? r : r + p;
}

/** '/a//b/./c/' → '/a/b/c'; '..' is refused rather than interpreted. */
export function normalize(path: string): string {
  if (!path.startsWith('/')) throw new UsageError(`not an absolute path: ${path}`);
  const parts = path.split('/').filter((x) => x && x !== '.');
  if (parts.includes('..')) throw new UsageError(`a path with '..' cannot be shown inside a chroot: ${path}`);
  return '/' + parts.join('/');
}

/** Is `a` equal to `b` or above it? */
export function isAncestorOrSelf(a: string, b: string): boolean {
  return a === '/' || a === b || b.startsWith(a + '/');
}

/** Directories of the chroot that a bind mount must not hide (nor be made above). */
export const PROTECTED_PATHS: readonly string[] = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/native',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/sys',
  '/tmp',
  '/usr',
  '/usr/bin',
  '/usr/include',
  '/usr/lib',
  '/usr/libexec',
  '/usr/local',
  '/usr/sbin',
  '/usr/share',
  '/var',
  '/var/cache',
  '/var/lib',
  '/var/log',
  '/var/tmp',
];
/** Where nothing of the machine may be shown. */
const FORBIDDEN_UNDER = ['/proc', '/sys', '/dev', '/native'];

/**
 * The bind mounts for a set of paths: duplicates and paths inside another one dropped (a
 * read-write parent wins over a read-only child; a read-only parent with a read-write child
 * becomes read-write, the safe direction for a build that must write there). A path that would
 * hide the chroot's own system, or is inside /proc, /sys, /dev or /native, is a UsageError.
 */
export function bindRoots(requests: readonly BindRequest[]): BindRequest[] {
  const norm = requests.map((r) => ({ path: normalize(r.path), readOnly: r.readOnly }));
  for (const r of norm) {
    const hidden = PROTECTED_PATHS.find((p) => isAncestorOrSelf(r.path, p));
    if (hidden || r.path === '/') {
      throw new UsageError(
        `${r.path} cannot be shown inside a chroot: it would hide the chroot's own ${hidden ?? '/'}; use a directory below it`,
      );
    }
    const under = FORBIDDEN_UNDER.find((p) => isAncestorOrSelf(p, r.path));
    if (under) throw new UsageError(`${r.path} cannot be shown inside a chroot: it is inside ${under}`);
  }
  const out: BindRequest[] = [];
  for (const r of [...norm].sort((a, b) => a.path.length - b.path.length)) {
    const parent = out.find((o) => isAncestorOrSelf(o.path, r.path));
    if (parent) {
      if (!r.readOnly) parent.readOnly = false;
      continue;
    }
    out.push({ ...r });
  }
  return out;
}

/** The mounts of a session, in the order they are made (undone in reverse). */
export function sessionMounts(input: SessionMountInput): MountStep[] {
  const steps: MountStep[] = [
    { kind: 'proc', target: inRoot(input.root, '/proc') },
    { kind: 'dev', source: '/dev', target: inRoot(input.root, '/dev') },
  ];
  if (input.native) steps.push({ kind: 'bind', source: input.native, target: inRoot(input.root, '/native'), readOnly: true });
  for (const b of bindRoots(input.binds))
    steps.push({ kind: 'bind', source: b.path, target: inRoot(input.root, b.path), readOnly: b.readOnly });
  return steps;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The mount points listed in /proc/self/mountinfo (field 5), in the order listed. */
export function parseMountInfo(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length >= 5 && f[4]) out.push(unescapeMountPath(f[4]));
  }
  return out;
}

/** The mount points at or under `dir`, deepest first: the order to unmount them in. */
export function mountsUnder(points: readonly string[], dir: string): string[] {
  const d = dir.replace(/\/+$/, '');
  const found = [...new Set(points.filter((p) => p === d || p.startsWith(d + '/')))];
  return found.sort((a, b) => b.split('/').length - a.split('/').length || b.length - a.length);
}
