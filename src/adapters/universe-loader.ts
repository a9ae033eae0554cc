// Builds the package universe a command works on, and says plainly which repositories went
// into it: apt's configured lists (apt-get indextargets tells where they are), xdeb's local
// repository, explicit --repo index files or repository URLs, and dpkg's status.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  assumeForeign,
  formatAssumed,
  formatKept,
  indexLabel,
  laterMultiArch,
  summarizeAssumed,
  type LaterMultiArch,
} from '../lib/assumed-foreign.js';
import { localRepositoryPin, type PinRecord, type ReleaseInfo } from '../lib/apt-preferences.js';
import { EnvironmentError, InputError } from '../lib/errors.js';
import { applyPins, type PinSummary } from '../lib/pinning.js';
import { siteOfUrl, sourcesLines, type ConfiguredRepository } from '../lib/repositories.js';
import { Universe, type Origin } from '../lib/universe.js';
import { listsReleaseFile, readAptPreferences, readReleaseFile } from './apt-preferences.js';
import { binaryRecords, openPackageIndex, parseIndex, type IndexKind } from './index-cache.js';
import { PrivateApt } from './private-apt.js';
import { runTool } from './run-tool.js';
import { xdebCacheDir } from './cache-dir.js';

export interface RepositoryUse {
  label: string;
  kind: Origin['kind'];
  files: string[];
  packages: number;
  sources: number;
}

export interface LoadUniverseOptions {
  buildArch: string;
  hostArch: string;
  /** apt's configured repositories (--use-remote-repo). */
  remote: boolean;
  /** The local repository's directory, when it is used (--use-local-repo). */
  localRepo?: string;
  /** Its suites to read; default 'full' (staged results only when asked for). */
  localSuites?: readonly string[];
  /** --repo FILE|URL: always used. */
  repos?: readonly string[];
  /** Read dpkg's status: what is installed counts. */
  status?: boolean | string;
  /** APT_CONFIG for apt-get indextargets (a chroot's or a private apt). */
  aptEnv?: NodeJS.ProcessEnv;
  /** Also read source indexes (to find sources by name). */
  sources?: boolean;
  /** Progress messages. */
  info?: (msg: string) => void;
  /** Warnings (a damaged index cache rebuilt); default: info. */
  warn?: (msg: string) => void;
  /**
   * apt_preferences(5) records that pin the origins and packages (docs/repositories.md); default:
   * apt's own (through aptEnv). xdeb's record for the local repository (990) always comes last.
   */
  preferences?: readonly PinRecord[];
  /** --local-config: the configuration's [repository NAME] sections with a url, read instead of apt's lists. */
  configured?: readonly ConfiguredRepository[];
  /** Packages files of a later release: a package Multi-Arch: foreign there is taken as foreign here (docs/bootstrap-from-scratch.md). */
  assumeForeignFrom?: readonly string[];
}

/** 'indexed N packages and M sources': what the repositories in use offer (before duplicates between them are merged). */
export function indexedCounts(used: readonly RepositoryUse[]): string {
  const packages = used.reduce((n, u) => n + u.packages, 0);
  const sources = used.reduce((n, u) => n + u.sources, 0);
  return `indexed ${packages} packages and ${sources} sources`;
}

/** Local repositories outrank remote ones, so that a local build wins over the archive's by default. */
export const PRIORITY = { local: 990, file: 600, remote: 500, status: 100 } as const;

interface IndexTarget {
  file: string;
  kind: 'Packages' | 'Sources';
  arch: string;
  label: string;
  /** What its Release says, for pins. */
  release?: ReleaseInfo;
}

/** The cache's format: a cache of another one is read again from apt. */
const TARGETS_FORMAT = 2;

/** What `apt-get indextargets` answers depends on apt's sources and lists: their times make the key. */
function indexTargetsStamp(env: NodeJS.ProcessEnv | undefined): string | undefined {
  if ((env ?? process.env).APT_CONFIG || process.env.XDEB_NO_CACHE === '1') return undefined;
  const parts: string[] = [];
  for (const path of ['/var/lib/apt/lists', '/etc/apt/sources.list', '/etc/apt/sources.list.d', '/etc/apt/apt.conf.d']) {
    try {
      const st = statSync(path);
      parts.push(`${path}:${st.mtimeMs}`);
      if (st.isDirectory()) for (const f of readdirSync(path)) parts.push(`${f}:${statSync(join(path, f)).mtimeMs}`);
    } catch {
      parts.push(`${path}:-`);
    }
  }
  return parts.join('|');
}

/** apt's index files that exist on disk, as `apt-get indextargets` lists them (2 s of apt: cached). */
export async function aptIndexTargets(env?: NodeJS.ProcessEnv): Promise<IndexTarget[]> {
  const stamp = indexTargetsStamp(env);
  const cacheFile = stamp && join(xdebCacheDir(), 'indextargets.json');
  if (cacheFile) {
    try {
      const c = JSON.parse(readFileSync(cacheFile, 'utf8')) as { format?: number; stamp: string; targets: IndexTarget[] };
      if (c.format === TARGETS_FORMAT && c.stamp === stamp && c.targets.every((t) => existsSync(t.file))) return c.targets;
    } catch {
      // no cache yet
    }
  }
  const r = await runTool(
    'apt-get',
    [
      'indextargets',
      '--format',
      '$(FILENAME)\t$(IDENTIFIER)\t$(ARCHITECTURE)\t$(SITE)\t$(RELEASE)\t$(COMPONENT)\t$(ORIGIN)\t$(LABEL)\t$(SUITE)\t$(CODENAME)\t$(VERSION)\t$(REPO_URI)\t$(METAKEY)',
    ],
    { env },
  );
  if (r.code !== 0) throw new EnvironmentError(`apt-get indextargets failed: ${r.stderr.trim()}`);
  const out: IndexTarget[] = [];
  for (const line of r.stdout.split('\n')) {
    const [file, id, arch, site, release, component, origin, label, suite, codename, version, repoUri, metaKey] = line.split('\t');
    if (!file || (id !== 'Packages' && id !== 'Sources')) continue;
    // apt names the file without its compression suffix when it keeps it compressed.
    const found = ['', '.lz4', '.gz', '.xz', '.zst', '.bz2', '.lzma'].map((ext) => file + ext).find((f) => existsSync(f));
    if (!found) continue;
    const releaseFile = metaKey ? listsReleaseFile(found, metaKey) : undefined;
    const flags = releaseFile ? readReleaseFileCached(releaseFile) : {};
    const info: ReleaseInfo = {
      origin: origin || undefined,
      label: label || undefined,
      suite: suite || undefined,
      codename: codename || undefined,
      version: version || undefined,
      component: component || undefined,
      architecture: id === 'Packages' ? arch || undefined : 'source',
      site: siteOfUrl(repoUri || site || ''),
      ...(flags.notAutomatic ? { notAutomatic: true } : {}),
      ...(flags.butAutomaticUpgrades ? { butAutomaticUpgrades: true } : {}),
    };
    out.push({
      file: found,
      kind: id,
      arch: arch ?? '',
      label: `${site} ${release}/${component}${id === 'Packages' ? ` ${arch}` : ' source'}`,
      release: info,
    });
  }
  if (cacheFile) {
    try {
      mkdirSync(dirname(cacheFile), { recursive: true });
      writeFileSync(`${cacheFile}.${process.pid}`, JSON.stringify({ format: TARGETS_FORMAT, stamp, targets: out }));
      renameSync(`${cacheFile}.${process.pid}`, cacheFile);
    } catch {
      // not writable: ask apt next time too
    }
  }
  return out;
}

const releaseCache = new Map<string, ReturnType<typeof readReleaseFile>>();
function readReleaseFileCached(file: string): ReturnType<typeof readReleaseFile> {
  let r = releaseCache.get(file);
  if (!r) releaseCache.set(file, (r = readReleaseFile(file)));
  return r;
}

function looksLikeUrl(s: string): boolean {
  return /^(https?|file|ftp):\/?\//.test(s.replace(/^deb(-src)?\s+(\[[^\]]*\]\s+)?/, ''));
}

/** One index to read into the universe, in order. */
interface PendingIndex {
  file: string;
  kind: IndexKind;
  origin: number;
  use: RepositoryUse;
}

export async function loadUniverse(opts: LoadUniverseOptions): Promise<{ universe: Universe; used: RepositoryUse[]; pins?: PinSummary }> {
  const u = new Universe();
  const used: RepositoryUse[] = [];
  const pending: PendingIndex[] = [];
  const info = opts.info ?? (() => {});
  const add = (file: string, kind: IndexKind, origin: Origin, use: RepositoryUse) =>
    pending.push({ file, kind, origin: u.addOrigin(origin), use });

  if (opts.status) {
    const file = typeof opts.status === 'string' ? opts.status : '/var/lib/dpkg/status';
    const use: RepositoryUse = { label: `installed packages (${file})`, kind: 'status', files: [file], packages: 0, sources: 0 };
    used.push(use);
    if (existsSync(file)) add(file, 'status', { label: use.label, file, kind: 'status', priority: PRIORITY.status }, use);
  }

  if (opts.localRepo) {
    const { indexFiles } = await import('./local-repo.js');
    const suites = opts.localSuites ?? ['full'];
    const repo = resolve(opts.localRepo);
    if (existsSync(repo)) {
      for (const arch of new Set([opts.buildArch, opts.hostArch])) {
        for (const ix of await indexFiles(repo, suites, arch)) {
          const label = `local repository ${repo} (${ix.suite})`;
          let use = used.find((x) => x.label === label);
          if (!use) used.push((use = { label, kind: 'local', files: [], packages: 0, sources: 0 }));
          const files = [ix.packages, arch === opts.buildArch ? ix.sources : undefined].filter(
            (f): f is string => !!f && existsSync(f) && !use!.files.includes(f),
          );
          const fields = readReleaseFileCached(ix.release);
          for (const f of files) {
            use.files.push(f);
            const release: ReleaseInfo = { ...fields, component: 'main', architecture: f === ix.sources ? 'source' : arch, site: '' };
            add(
              f,
              f === ix.sources ? 'Sources' : 'Packages',
              { label, file: f, kind: 'local', priority: PRIORITY.local, base: repo, release },
              use,
            );
          }
        }
      }
    } else {
      used.push({ label: `local repository ${repo} (not created yet)`, kind: 'local', files: [], packages: 0, sources: 0 });
    }
  }

  if (opts.remote) {
    info("reading apt's package lists");
    for (const t of await aptIndexTargets(opts.aptEnv)) {
      if (t.kind === 'Packages' && ![opts.buildArch, opts.hostArch].includes(t.arch)) continue;
      if (t.kind === 'Sources' && opts.sources === false) continue;
      const use: RepositoryUse = { label: `apt: ${t.label}`, kind: 'remote', files: [t.file], packages: 0, sources: 0 };
      used.push(use);
      add(t.file, t.kind, { label: use.label, file: t.file, kind: 'remote', priority: PRIORITY.remote, release: t.release }, use);
    }
  }

  const temporary: PrivateApt[] = [];
  /** Origins a [repository] section's priority pins, after the preferences. */
  const fixed: { origin: number; priority: number; by: string }[] = [];
  try {
    for (const c of opts.configured ?? []) {
      if (!c.url) continue;
      info(`reading [repository ${c.name}] ${c.url} ${c.suite}`);
      const { apt, targets } = await fetchConfiguredRepository(c, opts);
      temporary.push(apt);
      for (const t of targets) {
        if (t.kind === 'Packages' && ![opts.buildArch, opts.hostArch].includes(t.arch)) continue;
        if (t.kind === 'Sources' && opts.sources === false) continue;
        const use: RepositoryUse = { label: `[repository ${c.name}] ${t.label}`, kind: 'remote', files: [t.file], packages: 0, sources: 0 };
        used.push(use);
        add(t.file, t.kind, { label: use.label, file: t.file, kind: 'remote', priority: PRIORITY.remote, release: t.release }, use);
        if (c.priority !== undefined)
          fixed.push({ origin: pending[pending.length - 1]!.origin, priority: c.priority, by: `${c.file}:${c.lines.priority ?? c.line}` });
      }
    }
    for (const repo of opts.repos ?? []) {
      if (looksLikeUrl(repo)) {
        const { apt, targets } = await fetchUrlRepository(repo, opts);
        temporary.push(apt);
        for (const t of targets) {
          const use: RepositoryUse = { label: `--repo ${t.label}`, kind: 'file', files: [t.file], packages: 0, sources: 0 };
          used.push(use);
          add(t.file, t.kind, { label: use.label, file: t.file, kind: 'file', priority: PRIORITY.file }, use);
        }
        continue;
      }
      const file = isAbsolute(repo) ? repo : resolve(repo);
      if (!existsSync(file)) throw new InputError('no such repository index file', { file: repo });
      if (statSync(file).isDirectory())
        throw new InputError('is a directory: give an index file (Packages, Sources) or a repository URL', { file: repo });
      const use: RepositoryUse = { label: `file ${repo}`, kind: 'file', files: [file], packages: 0, sources: 0 };
      used.push(use);
      const base = /\/dists\//.test(file) ? file.slice(0, file.lastIndexOf('/dists/')) : undefined;
      add(file, 'auto', { label: use.label, file, kind: 'file', priority: PRIORITY.file, base }, use);
    }
    // Open every index at once (from the cache, or decompressed and parsed into it); dpkg's
    // status is read whole each time, the others are attached in order and read by name.
    const warn = opts.warn ?? info;
    const opened = await Promise.all(
      pending.map((p) => (p.kind === 'status' ? parseIndex(p.file, 'status') : openPackageIndex(p.file, p.kind, { warn }))),
    );
    const wanted = new Set([opts.buildArch, opts.hostArch, 'all']);
    pending.forEach((p, i) => {
      const o = opened[i]!;
      if ('binaries' in o) {
        o.binaries.forEach((b, j) => {
          if (!wanted.has(b.arch) || !o.installed![j]) return;
          u.addBinaryRecord(b, p.origin, { installed: true });
          p.use.packages++;
        });
        return;
      }
      u.attach(p.origin, o.index, { wanted, sources: opts.sources !== false });
      for (const [arch, n] of Object.entries(o.index.archCounts)) if (wanted.has(arch)) p.use.packages += n;
      if (opts.sources !== false) p.use.sources += o.index.sourceCount;
    });
  } finally {
    for (const apt of temporary) apt.dispose();
  }
  if (opts.assumeForeignFrom?.length) await assumeForeignFrom(u, opts.assumeForeignFrom, info);
  // Pins: the given records (or apt's), then xdeb's record for the local repository, then the sections' priorities.
  const records = [...(opts.preferences ?? (await readAptPreferences(opts.aptEnv))), localRepositoryPin(PRIORITY.local)];
  const pins = applyPins(u, records, opts.buildArch);
  for (const f of fixed) {
    const o = u.origins[f.origin]!;
    o.priority = f.priority;
    o.pinnedBy = f.by;
  }
  return { universe: u, used, pins };
}

/** --assume-foreign-from: a later release's Multi-Arch: foreign counts here; each use is said. */
async function assumeForeignFrom(u: Universe, files: readonly string[], info: (msg: string) => void): Promise<void> {
  const later: LaterMultiArch = new Map();
  const labels: string[] = [];
  for (const f of files) {
    const file = resolve(f);
    if (!existsSync(file) || statSync(file).isDirectory())
      throw new InputError("no such Packages file (--assume-foreign-from: a later release's index)", { file: f });
    const label = indexLabel(file);
    const { index } = await openPackageIndex(file, 'auto');
    if (index.binaryCount === 0)
      throw new InputError('no binary packages in it (--assume-foreign-from wants a Packages index)', { file: f });
    laterMultiArch(binaryRecords(index), label, later);
    labels.push(label);
  }
  const r = assumeForeign(u.all(), later);
  for (const a of r.assumed) info(formatAssumed(a));
  for (const k of r.kept) info(formatKept(k));
  info(summarizeAssumed(r, labels));
}

/** A [repository NAME] section of --local-config, fetched and verified by a private apt. */
async function fetchConfiguredRepository(
  c: ConfiguredRepository,
  opts: LoadUniverseOptions,
): Promise<{ apt: PrivateApt; targets: IndexTarget[] }> {
  const lines = sourcesLines(c).filter((l) => opts.sources !== false || l.startsWith('deb '));
  const apt = new PrivateApt({ buildArch: opts.buildArch, foreignArchs: [opts.hostArch], sources: lines });
  try {
    await apt.update();
    return { apt, targets: await aptIndexTargets(apt.env) };
  } catch (e) {
    apt.dispose();
    if (e instanceof EnvironmentError) e.message = `[repository ${c.name}] (${c.file}:${c.line}): ${e.message}`;
    throw e;
  }
}

/** 'URL SUITE COMPONENT…' (or a deb line): fetched by a private apt, so that apt fetches and verifies. */
async function fetchUrlRepository(spec: string, opts: LoadUniverseOptions): Promise<{ apt: PrivateApt; targets: IndexTarget[] }> {
  const words = spec.replace(/^deb(-src)?\s+/, '').trim();
  const m = /^(\[[^\]]*\]\s+)?(\S+)\s+(\S+)(\s+.+)?$/.exec(words);
  if (!m) throw new InputError(`a repository URL needs a suite: '${spec}' (for example 'http://deb.debian.org/debian bookworm main')`);
  const options = m[1]?.trim() ?? '[trusted=yes]';
  const line = `${m[2]} ${m[3]}${m[4] ?? ' main'}`;
  const apt = new PrivateApt({
    buildArch: opts.buildArch,
    foreignArchs: [opts.hostArch],
    sources: [`deb ${options} ${line}`, ...(opts.sources === false ? [] : [`deb-src ${options} ${line}`])],
  });
  try {
    await apt.update();
    return { apt, targets: await aptIndexTargets(apt.env) };
  } catch (e) {
    apt.dispose();
    throw e;
  }
}
