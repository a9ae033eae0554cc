// xdeb's chroots: kept as images in chroot-dir (NAME.tar.zst + NAME.json), and used through
// sessions. A session makes a pristine copy in chroot-dir/.sessions/ — an overlay (overlayfs)
// whose lower layer is the image unpacked once into chroot-dir/.cache/ and never written to, or,
// where overlayfs is not available, a full unpack of the image — mounts /proc, /dev, the local
// repository and the directories a build needs (at their own paths), runs commands inside with
// `chroot`, and at the end, whatever happened (an error, SIGINT, SIGTERM, SIGHUP), stops what
// still runs inside, unmounts everything and removes the copy. A session left behind by a
// process that was killed outright (SIGKILL) is cleaned up by the next one.

import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  checkChrootName,
  chrootNames,
  imageFileName,
  lockFileName,
  LOCAL_REPO_SOURCES,
  metaFileName,
  parseChrootMeta,
  aptListPrefix,
  type ChrootMeta,
} from '../lib/chroot-spec.js';
import { EnvironmentError, Interrupted, UsageError, XdebError } from '../lib/errors.js';
import type { IcecreamJobCounts } from '../lib/icecream.js';
import { bindRoots, inRoot, isAncestorOrSelf, normalize, type BindRequest } from '../lib/mount-plan.js';
import type { Output } from '../ui/output.js';
import type { CommandWrap, InsideHooks } from './inside.js';
import { mountedUnder, mountStep, removeTree, resolveInRoot, unmountUnder } from './mounts.js';
import { withLock } from './repo-lock.js';
import { runTool, type ToolResult } from './run-tool.js';

export const SESSIONS_DIR = '.sessions';
/** PATH inside a session, before anything is put in front of it. */
export const CHROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ChrootFiles {
  image: string;
  meta: string;
  lock: string;
  log: string;
}

export function chrootFiles(dir: string, name: string): ChrootFiles {
  return {
    image: join(dir, imageFileName(name)),
    meta: join(dir, metaFileName(name)),
    lock: join(dir, lockFileName(name)),
    log: join(dir, `${name}.log`),
  };
}

/** The description of a stored chroot; a UsageError when there is none of that name. */
export function readChrootMeta(dir: string, name: string): ChrootMeta {
  checkChrootName(name);
  const f = chrootFiles(dir, name);
  let text: string;
  try {
    text = readFileSync(f.meta, 'utf8');
  } catch {
    const known = existsSync(dir) ? chrootNames(readdirSync(dir)) : [];
    throw new UsageError(
      `no chroot '${name}' in ${dir}${known.length ? ` (there are: ${known.join(', ')})` : ' (xdeb-chroot create makes one)'}`,
    );
  }
  const meta = parseChrootMeta(text, f.meta);
  if (!existsSync(join(dir, meta.image)))
    throw new EnvironmentError(`the image of chroot '${name}' is missing: ${join(dir, meta.image)}`, [
      `xdeb-chroot remove ${name}, then create it again`,
    ]);
  return meta;
}

/** Write NAME.json beside the image, atomically. */
export function writeChrootMeta(dir: string, meta: ChrootMeta): void {
  const f = chrootFiles(dir, meta.name);
  const tmp = join(dir, `.${meta.name}.json.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(meta, null, 2) + '\n');
  renameSync(tmp, f.meta);
}

export interface ListedChroot {
  name: string;
  meta?: ChrootMeta;
  problem?: string;
}

export function listChroots(dir: string): ListedChroot[] {
  if (!existsSync(dir)) return [];
  return chrootNames(readdirSync(dir)).map((name) => {
    try {
      return { name, meta: readChrootMeta(dir, name) };
    } catch (e) {
      return { name, problem: e instanceof XdebError ? e.message : String(e) };
    }
  });
}

export function withChrootLock<T>(dir: string, name: string, fn: () => Promise<T>, shared = false): Promise<T> {
  mkdirSync(dir, { recursive: true });
  return withLock(chrootFiles(dir, name).lock, fn, { shared, what: `chroot ${name}`, waitSeconds: shared ? 600 : 60 });
}

function tarCompression(file: string): string[] {
  return file.endsWith('.zst') ? ['--zstd'] : file.endsWith('.gz') ? ['--gzip'] : file.endsWith('.xz') ? ['--xz'] : [];
}

/** Unpack an image into an empty directory, owners by number (the machine's names may differ). */
export async function unpackImage(image: string, into: string): Promise<void> {
  mkdirSync(into, { recursive: true });
  const r = await runTool('tar', ['--numeric-owner', '-xpf', image, ...tarCompression(image), '-C', into]);
  if (r.code !== 0) throw new EnvironmentError(`cannot unpack ${image}: ${r.stderr.trim().split('\n').slice(-3).join('; ')}`);
}

/** Pack a directory (nothing mounted under it) into an image, written beside it under a temporary name and renamed. */
export async function packImage(from: string, image: string): Promise<number> {
  if (mountedUnder(from).some((p) => p !== realpathSync(from)))
    throw new EnvironmentError(`not packing ${from}: something is still mounted under it`);
  const tmp = join(dirname(image), `.${process.pid}.${randomBytes(4).toString('hex')}.new${image.slice(image.lastIndexOf('.tar'))}`);
  try {
    const r = await runTool('tar', ['--numeric-owner', ...tarCompression(image), '-cf', tmp, '-C', from, '.']);
    if (r.code !== 0) throw new EnvironmentError(`cannot pack ${from}: ${r.stderr.trim().split('\n').slice(-3).join('; ')}`);
    renameSync(tmp, image);
  } finally {
    rmSync(tmp, { force: true });
  }
  return statSync(image).size;
}

export const CACHE_DIR = '.cache';

/** Is a directory the lower layer of a mounted overlay (a session is using it)? */
function inUseAsLower(path: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.includes(` overlay `) && (l.includes(`lowerdir=${path},`) || l.includes(`lowerdir=${path}:`)));
}

/** Remove the unpacked caches of a chroot except `keep`, unless a session uses them. */
export async function pruneCaches(dir: string, name: string, keep?: string): Promise<void> {
  const base = join(dir, CACHE_DIR);
  if (!existsSync(base)) return;
  for (const e of readdirSync(base)) {
    const m = /^(.*)-\d+-\d+(\.ok|\.\d+\.tmp)?$/.exec(e);
    if (!m || m[1] !== name) continue;
    const path = join(base, e);
    const stem = path.replace(/\.ok$/, '');
    if (stem === keep || (keep && path === `${keep}.ok`)) continue;
    if (e.endsWith('.ok')) {
      if (!existsSync(stem)) rmSync(path, { force: true });
      continue;
    }
    if (inUseAsLower(path)) continue;
    rmSync(`${path}.ok`, { force: true });
    await removeTree(path);
  }
}

/**
 * The image unpacked once, read-only from then on: the lower layer of session overlays. Named
 * after the image's mtime and size, so that an updated image gets a new one (the old one goes
 * when no session uses it).
 */
export async function imageCache(dir: string, meta: ChrootMeta): Promise<string> {
  const image = join(dir, meta.image);
  const st = statSync(image);
  const base = join(dir, CACHE_DIR);
  const cache = join(base, `${meta.name}-${Math.round(st.mtimeMs)}-${st.size}`);
  if (existsSync(`${cache}.ok`)) return cache;
  mkdirSync(base, { recursive: true });
  return withLock(
    join(base, `${meta.name}.lock`),
    async () => {
      if (existsSync(`${cache}.ok`)) return cache;
      const tmp = `${cache}.${process.pid}.tmp`;
      if (existsSync(tmp)) await removeTree(tmp);
      if (existsSync(cache)) await removeTree(cache);
      await withChrootLock(dir, meta.name, () => unpackImage(image, tmp), true);
      renameSync(tmp, cache);
      writeFileSync(`${cache}.ok`, '');
      await pruneCaches(dir, meta.name, cache);
      return cache;
    },
    { what: `the cache of chroot ${meta.name}` },
  );
}

/** apt's configuration for a root directory seen from outside: its sources, lists and status, read-only. */
export function aptConfigFor(root: string, meta: ChrootMeta): string {
  const q = (s: string) => JSON.stringify(s);
  return (
    [
      `Dir ${q(root + '/')};`,
      `APT::Architecture ${q(meta.buildArch)};`,
      `APT::Architectures { ${meta.architectures.map((a) => q(a) + ';').join(' ')} };`,
      'APT::Sandbox::User "root";',
      'Debug::NoLocking "true";',
    ].join('\n') + '\n'
  );
}

/**
 * The repositories of a chroot as its own apt sees them (sources, lists), read from outside without a session: xdeb-sequence --chroot
 * plans against what the chroot can install and fetch, not against the machine's apt. Returns APT_CONFIG's environment; `dispose`
 * removes the configuration file.
 */
export async function chrootAptView(dir: string, meta: ChrootMeta): Promise<{ aptEnv: NodeJS.ProcessEnv; dispose: () => void }> {
  const root = await imageCache(dir, meta);
  const work = mkdtempSync(join(tmpdir(), `xdeb-apt-${meta.name}-`));
  const file = join(work, 'apt.conf');
  writeFileSync(file, aptConfigFor(root, meta));
  return { aptEnv: { ...process.env, APT_CONFIG: file, LC_ALL: 'C.UTF-8' }, dispose: () => rmSync(work, { recursive: true, force: true }) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sessions whose process is gone (killed with SIGKILL, a crash): unmount and remove them. */
export async function cleanStaleSessions(dir: string, warn: (m: string) => void): Promise<void> {
  const base = join(dir, SESSIONS_DIR);
  if (!existsSync(base)) return;
  for (const e of readdirSync(base)) {
    const m = /-(\d+)-[0-9a-f]+$/.exec(e);
    if (!m || isAlive(Number(m[1]))) continue;
    const path = join(base, e);
    const left = await unmountUnder(path, { warn });
    if (left.length) {
      warn(`a session left by process ${m[1]} is still mounted at ${left.join(', ')}; not removed`);
      continue;
    }
    await removeTree(path);
    warn(`cleaned up the session ${path} left by process ${m[1]}`);
  }
}

export interface SessionOptions {
  dir: string;
  name: string;
  /** The local repository: shown read-only at its own path and configured as an apt source inside. */
  localRepo?: string;
  /** Directories to show inside from the start. */
  binds?: readonly BindRequest[];
  /** A stored build-arch chroot to unpack and show read-only at /native. */
  native?: string;
  /** A terminal session: SIGINT belongs to the shell inside, not to us. */
  interactive?: boolean;
  out: Output;
}

/** Processes whose root directory is `root` (or below it): what runs inside a chroot. */
function processesInside(root: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const r = readlinkSync(`/proc/${e}/root`);
      if (r === root || r.startsWith(root + '/')) out.push(Number(e));
    } catch {
      // gone, or not ours to see
    }
  }
  return out;
}

export class ChrootSession implements InsideHooks {
  meta!: ChrootMeta;
  readonly work: string;
  readonly root: string;
  nativeRoot: string | undefined;
  nativeMeta: ChrootMeta | undefined;
  aptEnv: NodeJS.ProcessEnv = {};
  status: string;
  /** The environment of every command inside (the caller's variables are added to it). */
  readonly env: Record<string, string>;
  interrupted: NodeJS.Signals | undefined;
  /** What the build log's head says of this session (InsideHooks). */
  readonly logFields: [string, string][] = [];
  /** InsideHooks: set by the build's setup (host binaries settle perl there). */
  beforeBuild: ((buildDepends: string) => Promise<void>) | undefined;
  /** InsideHooks: set by the build's setup when compile jobs go to icecream. */
  compileJobs: (() => IcecreamJobCounts) | undefined;
  private binds: BindRequest[] = [];
  private readonly handlers: [NodeJS.Signals, () => void][] = [];
  private closed = false;

  constructor(readonly opts: SessionOptions) {
    checkChrootName(opts.name);
    this.work = join(opts.dir, SESSIONS_DIR, `${opts.name}-${process.pid}-${randomBytes(4).toString('hex')}`);
    this.root = join(this.work, 'root');
    this.status = join(this.root, 'var/lib/dpkg/status');
    // As sbuild does, the build's own settings pass through (DEB_BUILD_OPTIONS, DEB_CFLAGS_APPEND,
    // DH_VERBOSE…); nothing else of this process's environment does.
    const passed = Object.entries(process.env).filter(
      (e): e is [string, string] => /^(DEB|DH)_[A-Z0-9_]+$/.test(e[0]) && e[1] !== undefined,
    );
    this.env = {
      PATH: CHROOT_PATH,
      HOME: '/root',
      LANG: 'C.UTF-8',
      DEBIAN_FRONTEND: 'noninteractive',
      ...(process.env.TERM ? { TERM: process.env.TERM } : {}),
      ...Object.fromEntries(passed),
    };
  }

  get out(): Output {
    return this.opts.out;
  }

  /** Stop at the next step when a signal came. */
  checkInterrupted(): void {
    if (this.interrupted) throw new Interrupted(`interrupted by ${this.interrupted}`);
  }

  private trapSignals(): void {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const h = () => {
        if (sig === 'SIGINT' && this.opts.interactive) return;
        this.interrupted ??= sig;
        this.killInside('SIGTERM');
      };
      process.on(sig, h);
      this.handlers.push([sig, h]);
    }
  }

  private untrapSignals(): void {
    for (const [sig, h] of this.handlers.splice(0)) process.off(sig, h);
  }

  /** Send a signal to everything running inside the chroot. */
  killInside(sig: NodeJS.Signals): number {
    let real: string;
    try {
      real = realpathSync(this.root);
    } catch {
      return 0;
    }
    const pids = processesInside(real);
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
    return pids.length;
  }

  /** Unpack, configure and mount. */
  async open(): Promise<void> {
    const { dir, name, out } = this.opts;
    this.meta = readChrootMeta(dir, name);
    if (this.opts.native) {
      this.nativeMeta = readChrootMeta(dir, this.opts.native);
      if (this.meta.kind !== 'emulated') throw new UsageError(`--native is for emulated chroots; '${name}' is a ${this.meta.kind} chroot`);
      if (this.nativeMeta.kind !== 'cross' || this.nativeMeta.architectures[0] === this.meta.buildArch) {
        throw new UsageError(
          `--native ${this.opts.native}: give a cross chroot of the machine's architecture (xdeb-chroot create -a ${this.meta.buildArch} NAME)`,
        );
      }
    }
    if (process.getuid?.() !== 0) throw new EnvironmentError(`using chroot '${name}' needs root (mount and chroot): run xdeb as root`);
    if (this.meta.kind === 'emulated') {
      const { requireEmulation } = await import('./qemu.js');
      await requireEmulation(this.meta.buildArch);
    }
    this.trapSignals();
    await cleanStaleSessions(dir, (m) => out.warn(m));
    mkdirSync(this.work, { recursive: true });
    const t0 = Date.now();
    const how = await this.freshCopy(this.meta, this.root);
    if (this.nativeMeta) {
      this.nativeRoot = join(this.work, 'native');
      await this.freshCopy(this.nativeMeta, this.nativeRoot);
    }
    out.info(`chroot ${name}: a fresh copy (${how}) in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${this.work}`);
    this.checkInterrupted();
    this.configureFiles();
    await mountStep({ kind: 'proc', target: resolveInRoot(this.root, '/proc', { create: true }) });
    await mountStep({ kind: 'dev', source: '/dev', target: resolveInRoot(this.root, '/dev', { create: true }) });
    if (this.nativeRoot)
      await mountStep({
        kind: 'bind',
        source: this.nativeRoot,
        target: resolveInRoot(this.root, '/native', { create: true }),
        readOnly: true,
      });
    const binds: BindRequest[] = [...(this.opts.binds ?? [])];
    if (this.opts.localRepo && existsSync(this.opts.localRepo)) binds.push({ path: realpathSync(this.opts.localRepo), readOnly: true });
    await this.mountBinds(binds);
    this.writeAptConfig();
    this.checkInterrupted();
  }

  /**
   * A pristine, writable copy of a chroot at `at`: an overlay on its cache, or (no overlayfs here,
   * or XDEB_CHROOT_COPY=unpack) the image unpacked.
   */
  private async freshCopy(meta: ChrootMeta, at: string): Promise<string> {
    // overlayfs options cannot carry ',' or ':' in a path.
    if (process.env.XDEB_CHROOT_COPY !== 'unpack' && ChrootSession.overlayWorks !== false && !/[,:]/.test(this.opts.dir)) {
      const lower = await imageCache(this.opts.dir, meta);
      const upper = `${at}.upper`;
      const work = `${at}.work`;
      for (const d of [at, upper, work]) mkdirSync(d, { recursive: true });
      try {
        await mountStep({ kind: 'overlay', lower, upper, work, target: at });
        ChrootSession.overlayWorks = true;
        return 'overlay';
      } catch (e) {
        if (ChrootSession.overlayWorks) throw e;
        ChrootSession.overlayWorks = false;
        this.out.warn(`overlayfs does not work here (${(e as Error).message}); unpacking full copies instead`);
      }
    }
    await withChrootLock(this.opts.dir, meta.name, () => unpackImage(join(this.opts.dir, meta.image), at), true);
    return 'unpacked';
  }

  static overlayWorks: boolean | undefined;

  /** resolv.conf and hosts from the machine (apt inside may download); the local repository as an apt source, its stale lists gone. */
  private configureFiles(): void {
    for (const f of ['/etc/resolv.conf', '/etc/hosts']) {
      if (!existsSync(f)) continue;
      const target = resolveInRoot(this.root, f);
      rmSync(target, { force: true });
      copyFileSync(f, target);
    }
    const sources = resolveInRoot(this.root, LOCAL_REPO_SOURCES);
    rmSync(sources, { force: true });
    const lists = resolveInRoot(this.root, '/var/lib/apt/lists');
    if (this.opts.localRepo && existsSync(this.opts.localRepo)) {
      const repo = realpathSync(this.opts.localRepo);
      const prefix = aptListPrefix(repo);
      if (existsSync(lists)) for (const f of readdirSync(lists)) if (f.startsWith(prefix)) unlinkSync(join(lists, f));
      writeFileSync(sources, this.localRepoLine(repo) + '\n');
    }
  }

  private localRepoLine(repo: string): string {
    let signed = false;
    try {
      const meta = JSON.parse(readFileSync(join(repo, 'xdeb', 'current', 'repo.json'), 'utf8')) as { signedBy?: string | null };
      signed = !!meta.signedBy;
    } catch {
      // not published yet: trusted
    }
    return `deb [${signed ? `signed-by=${join(repo, 'xdeb', 'signing-key.asc')}` : 'trusted=yes'}] file:${repo} full main`;
  }

  /** An apt configuration for apt run outside that reads the chroot's sources, lists and status. */
  private writeAptConfig(): void {
    const file = join(this.work, 'apt.conf');
    writeFileSync(file, aptConfigFor(this.root, this.meta));
    this.aptEnv = { ...process.env, APT_CONFIG: file, LC_ALL: 'C.UTF-8' };
  }

  private async mountBinds(requests: readonly BindRequest[]): Promise<void> {
    for (const b of bindRoots(requests)) {
      const covering = this.binds.find((x) => isAncestorOrSelf(x.path, b.path));
      if (covering && (covering.readOnly === b.readOnly || !covering.readOnly)) continue;
      if (!existsSync(b.path)) continue;
      const target = resolveInRoot(this.root, b.path, { create: true });
      if (target !== inRoot(realpathSync(this.root), b.path))
        throw new EnvironmentError(`${b.path} is a symbolic link inside chroot ${this.opts.name}; cannot show it there`);
      await mountStep({ kind: 'bind', source: b.path, target, readOnly: b.readOnly });
      this.binds.push(b);
    }
  }

  /** InsideHooks: show directories of the machine at the same path inside. */
  async expose(paths: readonly string[], readOnly = false): Promise<void> {
    await this.mountBinds(paths.map((p) => ({ path: normalize(existsSync(p) ? realpathSync(p) : p), readOnly })));
  }

  /** InsideHooks: the command that runs argv inside, in cwd, with the session's environment and env. */
  wrap: CommandWrap = (argv, o = {}) => {
    const env = { ...this.env, ...(o.env ?? {}) };
    return ['chroot', this.root, '/usr/bin/env', '-i', '-C', o.cwd ?? '/', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv];
  };

  /** Run a command inside to completion. */
  run(argv: readonly string[], o: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Promise<ToolResult> {
    const w = this.wrap(argv, o);
    return runTool(w[0]!, w.slice(1), { input: o.input });
  }

  /** Run a command inside that must succeed. */
  async runOk(argv: readonly string[], o: { cwd?: string; env?: Record<string, string> } = {}): Promise<ToolResult> {
    const r = await this.run(argv, o);
    this.checkInterrupted();
    if (r.code !== 0) {
      throw new EnvironmentError(
        `in chroot ${this.opts.name}: ${argv.join(' ')} failed (exit status ${r.code})`,
        (r.stderr || r.stdout).trim().split('\n').slice(-6),
      );
    }
    return r;
  }

  /** Put a directory (inside) first on PATH. */
  prependPath(dir: string): void {
    this.env.PATH = `${dir}:${this.env.PATH}`;
  }

  /** Stop what runs inside and unmount all but the copy itself (for packImage). */
  async unmountInside(): Promise<void> {
    await this.stopInside();
    const root = realpathSync(this.root);
    for (let round = 0; round < 5; round++) {
      const inside = mountedUnder(root).filter((p) => p !== root);
      if (inside.length === 0) break;
      for (const p of inside) await runTool('umount', [p]);
    }
    const left = mountedUnder(root).filter((p) => p !== root);
    if (left.length) throw new EnvironmentError(`chroot ${this.opts.name}: cannot unmount ${left.join(', ')}`);
    this.binds = [];
  }

  private async stopInside(): Promise<void> {
    if (this.killInside('SIGTERM')) {
      const real = realpathSync(this.root);
      for (let i = 0; i < 30 && processesInside(real).length; i++) await new Promise((r) => setTimeout(r, 100));
      if (this.killInside('SIGKILL')) await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Stop what runs inside and unmount everything, the copy included. */
  async unmountAll(): Promise<void> {
    if (existsSync(this.root)) await this.stopInside();
    const left = await unmountUnder(this.work, { warn: (m) => this.out.warn(m) });
    if (left.length)
      throw new EnvironmentError(`chroot ${this.opts.name}: cannot unmount ${left.join(', ')}`, [
        `the session is left in ${this.work}: unmount by hand, then remove it`,
      ]);
    this.binds = [];
  }

  /** Unmount everything and remove the copy. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.unmountAll();
      await removeTree(this.work);
    } finally {
      this.untrapSignals();
    }
  }
}

/**
 * Run fn in a fresh session of a chroot; the session is cleaned up whatever happens. A signal
 * received meanwhile ends it with Interrupted (exit status 130) once the cleanup is done.
 */
export async function withChrootSession<T>(opts: SessionOptions, fn: (s: ChrootSession) => Promise<T>): Promise<T> {
  const s = new ChrootSession(opts);
  let result: T | undefined;
  let error: unknown;
  let failed = false;
  try {
    await s.open();
    result = await fn(s);
  } catch (e) {
    failed = true;
    error = e;
  }
  try {
    await s.close();
  } catch (e) {
    if (failed) opts.out.warn(`${(error as Error).message ?? String(error)}`);
    throw e;
  }
  if (s.interrupted)
    throw new Interrupted(`interrupted by ${s.interrupted}; chroot ${opts.name}: everything unmounted and the copy removed`);
  if (failed) throw error;
  return result as T;
}

/** Delete a chroot: its image, description and log (under its lock, so not while a session unpacks it). */
export async function removeChroot(dir: string, name: string): Promise<void> {
  checkChrootName(name);
  const f = chrootFiles(dir, name);
  if (!existsSync(f.meta) && !existsSync(f.image)) throw new UsageError(`no chroot '${name}' in ${dir}`);
  let image = f.image;
  try {
    image = join(dir, parseChrootMeta(readFileSync(f.meta, 'utf8'), f.meta).image);
  } catch {
    // a broken description: remove what is there
  }
  await withChrootLock(dir, name, async () => {
    for (const p of [f.meta, image, f.image, f.log]) rmSync(p, { force: true });
  });
  await pruneCaches(dir, name);
  rmSync(f.lock, { force: true });
}
