// The local apt repository: where build results land and later builds find them
// (docs/local-repository.md; the layout and naming rules are in src/lib/local-repo-layout.ts).
//
// API for the other commands (xdeb-build, xdeb-satisfydepends, xdeb-sequence):
//
//   publish(opts: PublishOptions): Promise<PublishResult>
//       Put verified results (readResults() of build-results.ts) into the repository, atomically,
//       under the writers' lock. Throws NegativeAnswer when a pool file of the same name holds
//       other content (unless opts.replace), EnvironmentError when a tool fails.
//   publishFiles(repo, paths, opts?): Promise<PublishResult>      readResults + publish
//   ensureRepo(repo, opts?): Promise<void>        create an empty, valid repository (suite `full`)
//   listSuites(repo): Promise<SuiteInfo[]>        the suites, staged or not, with their profiles
//   readBuilds(repo): Promise<BuildRecord[]>      what was published (xdeb/builds.json)
//   indexFiles(repo, suites, arch): Promise<SuiteIndexFiles[]>
//       Paths of each suite's Packages (for arch, arch:all included) and Sources, resolved into
//       the current generation, so they stay readable while a later publish swaps generations.
//   aptSourcesLine(repo, suite, opts?): string    `deb [trusted=yes] file:/abs/repo full main`
//                                                 (signed-by the repository's key when signed)
//   withRepoLock(repo, fn, opts?): Promise<T>     run fn holding the lock (shared: for readers)
//   repoPaths(repo): RepoPaths                    where things are
//
// Publishing: (1) copy each file into pool/ (temp name, then rename; never over a published file
// of other content); (2) build a new generation beside the current one: Packages and Sources by
// apt-ftparchive from the record's file lists, Release written outside the suite and moved in,
// InRelease and Release.gpg; (3) point xdeb/current at it with one rename(2); (4) remove
// generations older than the previous one and pool files neither of the last two refers to.
// A kill at any point leaves `current` on a complete generation; the next publish clears what the
// interrupted one left.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  copyFile,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  rmdir,
  stat,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { EnvironmentError, NegativeAnswer } from '../lib/errors.js';
import {
  COMPONENT,
  decidePoolFile,
  flavourOfSuite,
  generationName,
  mergeRecords,
  packagesFor,
  parseGenerationName,
  poolDir,
  profilesOfSuite,
  isStagedSuite,
  type BootstrapSuite,
  referencedPaths,
  releaseFields,
  sourcesFor,
  sourcesLine,
  suiteArchitectures,
  suiteForProfiles,
  suitesOf,
  type BuildRecord,
  type PublishedFile,
} from '../lib/local-repo-layout.js';
import { generateIndexes, releaseText, type IndexTree } from './apt-ftparchive.js';
import { readResults, hashFile, type ResultSet } from './build-results.js';
import { buildArch } from './dpkg.js';
import { exportPublicKey, signingKeyFingerprint, signRelease } from './gpg.js';
import { withLock, type LockOptions } from './repo-lock.js';

export type { BuildRecord, PublishedFile } from '../lib/local-repo-layout.js';

const FORMAT = 1;
const TMP_MARK = '.xdeb-tmp-';

export interface RepoPaths {
  root: string;
  pool: string;
  dists: string;
  state: string;
  generations: string;
  current: string;
  lock: string;
  builds: string;
  signingKey: string;
}

export function repoPaths(repo: string): RepoPaths {
  const root = resolve(repo);
  const state = join(root, 'xdeb');
  return {
    root,
    pool: join(root, 'pool'),
    dists: join(root, 'dists'),
    state,
    generations: join(state, 'gen'),
    current: join(state, 'current'),
    lock: join(state, 'lock'),
    builds: join(state, 'builds.json'),
    signingKey: join(state, 'signing-key.asc'),
  };
}

/** repo.json of a generation. */
export interface RepoMeta {
  format: number;
  generation: string;
  time: string;
  /** The key given to gpg, reused by later publishes; its fingerprint. */
  signKey: string | null;
  signedBy: string | null;
  suites: SuiteInfo[];
}

export interface SuiteInfo {
  name: string;
  staged: boolean;
  /** The reducing profiles the suite stands for ([] for full). */
  profiles: string[];
  /** The flavour of a flavour suite. */
  flavour?: string;
  architectures: string[];
  /** How many build records it holds. */
  builds: number;
}

interface Generation {
  name: string;
  dir: string;
  meta: RepoMeta;
  records: BuildRecord[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

function notXdebRepo(root: string, why: string): EnvironmentError {
  return new EnvironmentError(`${root} is not an xdeb local repository: ${why}`);
}

async function readGeneration(p: RepoPaths, name: string): Promise<Generation> {
  const dir = join(p.generations, name);
  const file = join(dir, 'repo.json');
  try {
    const meta = JSON.parse(await readFile(file, 'utf8')) as RepoMeta;
    const builds = JSON.parse(await readFile(join(dir, 'builds.json'), 'utf8')) as { format: number; builds: BuildRecord[] };
    if (meta.format !== FORMAT || builds.format !== FORMAT) throw new Error(`unknown format ${meta.format}`);
    return { name, dir, meta, records: builds.builds };
  } catch (e) {
    throw notXdebRepo(p.root, `cannot read ${file}: ${(e as Error).message}`);
  }
}

/** The generation `current` points at, if any. */
async function currentGeneration(p: RepoPaths): Promise<Generation | undefined> {
  let target: string;
  try {
    target = await readlink(p.current);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw notXdebRepo(p.root, `${p.current} is not a symbolic link`);
  }
  const name = target.replace(/^gen\//, '');
  if (!parseGenerationName(name)) throw notXdebRepo(p.root, `${p.current} points at '${target}'`);
  return readGeneration(p, name);
}

/** Run fn holding the repository's lock: exclusive for writers, shared for readers. */
export async function withRepoLock<T>(repo: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const p = repoPaths(repo);
  await mkdir(p.state, { recursive: true });
  return withLock(p.lock, fn, { what: `the local repository ${p.root}`, ...opts });
}

async function checkSkeleton(p: RepoPaths): Promise<void> {
  try {
    const st = await lstat(p.dists);
    if (!st.isSymbolicLink()) throw notXdebRepo(p.root, `${p.dists} is a real directory (xdeb makes it a symbolic link)`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Make `link` a symbolic link to `target`, atomically (a temp link renamed over it). */
async function pointLink(link: string, target: string): Promise<void> {
  try {
    if ((await readlink(link)) === target) return;
  } catch {
    // absent or not a link: (re)create
  }
  const tmp = `${link}${TMP_MARK}${process.pid}`;
  await rm(tmp, { force: true });
  await symlink(target, tmp);
  await rename(tmp, link);
}

export interface PublishOptions {
  repo: string;
  results: readonly ResultSet[];
  /** The profiles the builds were made with; default: each .changes' Built-For-Profiles, else none. */
  profiles?: readonly string[];
  /** gpg key to sign with; default: the key the repository was last signed with, if any. */
  signKey?: string;
  /** Keep this many newest versions of each source published to (per suite); 0 keeps all. */
  keepVersions?: number;
  /** Replace published files of the same name and other content instead of refusing. */
  replace?: boolean;
  /** The flavour the builds were made with (suite flavour-<name>); default: each .changes' Xdeb-Flavour, else none. */
  flavour?: string;
  /** A build that breaks a loop without a profile (seed, seeded, dropped): its own suite, whatever its profiles. */
  bootstrap?: BootstrapSuite;
  /** Architectures an empty suite lists (default: the build architecture). */
  architectures?: readonly string[];
  lock?: LockOptions;
  /** Progress messages. */
  info?: (message: string) => void;
  now?: () => Date;
}

export interface PublishResult {
  repo: string;
  generation: string;
  /** The records this publish added. */
  records: BuildRecord[];
  /** Suite of each added record, in order (also in records[i].suite). */
  suites: string[];
  copied: string[];
  present: string[];
  replaced: string[];
  /** Records dropped by the prune or replaced by this publish. */
  dropped: { source: string; version: string; suite: string }[];
  signedBy: string | null;
}

/** Test hook for the fault tests: stop (forever) at a named point of a publish. */
async function faultPoint(stage: string): Promise<void> {
  if (process.env.XDEB_TEST_PAUSE_PUBLISH !== stage) return;
  process.stderr.write(`xdeb: paused in publish at ${stage}\n`);
  await new Promise(() => setInterval(() => {}, 1 << 30));
}

interface PlannedFile {
  file: PublishedFile;
  from: string;
  decision: ReturnType<typeof decidePoolFile>;
}

async function planFiles(p: RepoPaths, results: readonly ResultSet[], opts: PublishOptions, current: Generation | undefined, now: Date) {
  const referenced = referencedPaths(current?.records ?? []);
  const records: BuildRecord[] = [];
  const planned: PlannedFile[] = [];
  const refused: string[] = [];
  for (const rs of results) {
    const profiles = [...(opts.profiles ?? rs.profiles ?? [])];
    const flavour = opts.flavour ?? rs.flavour;
    const choice = suiteForProfiles(profiles, flavour, opts.bootstrap);
    const dir = poolDir(choice.suite, rs.source);
    const files: PublishedFile[] = [];
    for (const f of rs.files) {
      const path = `${dir}/${f.name}`;
      if (planned.some((x) => x.file.path === path)) {
        const other = planned.find((x) => x.file.path === path)!;
        if (other.file.sha256 !== f.sha256) refused.push(`${f.name}: given twice with different content (${other.from} and ${f.path})`);
        files.push(other.file);
        continue;
      }
      let existing: string | undefined;
      try {
        const st = await stat(join(p.root, path));
        existing = st.isFile() ? (await hashFile(join(p.root, path))).sha256 : 'not-a-file';
      } catch {
        existing = undefined;
      }
      const pf: PublishedFile = { name: f.name, path, size: f.size, sha256: f.sha256, kind: f.kind };
      if (f.package) pf.package = f.package;
      if (f.architecture) pf.architecture = f.architecture;
      const decision = decidePoolFile(existing, f.sha256, { referenced: referenced.has(path), replace: !!opts.replace, kind: f.kind });
      if (decision === 'refuse')
        refused.push(`${path}: already published with other content (sha256 ${existing}), this one has ${f.sha256}`);
      planned.push({ file: pf, from: f.path, decision });
      files.push(pf);
    }
    records.push({
      source: rs.source,
      version: rs.version,
      sourceVersion: rs.sourceVersion,
      architectures: rs.architectures,
      profiles,
      suite: choice.suite,
      staged: choice.staged,
      ...(flavour ? { flavour } : {}),
      ...(flavour && rs.toolchain ? { toolchain: rs.toolchain } : {}),
      time: now.toISOString(),
      from: rs.from.replace(/^.*\//, ''),
      binaries: rs.binaries,
      files,
    });
  }
  if (refused.length) {
    throw new NegativeAnswer(
      `refusing to overwrite published files with other content; nothing was published (rebuild with a new version, or use --replace)`,
      refused,
    );
  }
  return { records, planned };
}

/** Copy a file into the pool: a temp name first, checked, then renamed into place. */
async function copyIntoPool(root: string, pf: PlannedFile): Promise<void> {
  const dest = join(root, pf.file.path);
  await mkdir(join(dest, '..'), { recursive: true });
  const tmp = join(dest, '..', `.${pf.file.name}${TMP_MARK}${process.pid}`);
  await copyFile(pf.from, tmp);
  const d = await hashFile(tmp);
  if (d.sha256 !== pf.file.sha256 || d.size !== pf.file.size) {
    await rm(tmp, { force: true });
    throw new NegativeAnswer(`${pf.from} changed while it was being published (its checksum is no longer ${pf.file.sha256})`);
  }
  await rename(tmp, dest);
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, JSON.stringify(value, null, 2) + '\n');
}

/** Build a complete generation directory for these records. */
async function buildGeneration(
  p: RepoPaths,
  name: string,
  records: BuildRecord[],
  opts: { fallbackArchs: readonly string[]; signKey: string | null; now: Date },
): Promise<RepoMeta> {
  const dir = join(p.generations, name);
  const rel = relative(p.root, dir);
  await mkdir(join(dir, 'dists'), { recursive: true });
  const suites = suitesOf(records);
  const trees: IndexTree[] = suites.map((s) => {
    const architectures = suiteArchitectures(records, s, opts.fallbackArchs);
    return {
      dist: `${rel}/dists/${s}`,
      architectures,
      packages: new Map(architectures.map((a) => [a, packagesFor(records, s, a)])),
      sources: sourcesFor(records, s),
    };
  });
  await generateIndexes(p.root, trees, `${rel}/lists`);
  await faultPoint('indexes');
  let signedBy: string | null = null;
  if (opts.signKey) signedBy = await signingKeyFingerprint(opts.signKey);
  const infos: SuiteInfo[] = [];
  for (const t of trees) {
    const suite = t.dist.slice(t.dist.lastIndexOf('/') + 1);
    // Written outside the suite's directory, then moved in: a Release must not list itself.
    const tmp = join(dir, `${suite}.Release`);
    await writeFile(tmp, await releaseText(p.root, t.dist, releaseFields(suite, t.architectures)));
    if (opts.signKey) {
      await signRelease(tmp, join(dir, `${suite}.InRelease`), join(dir, `${suite}.Release.gpg`), opts.signKey);
      await rename(join(dir, `${suite}.InRelease`), join(p.root, t.dist, 'InRelease'));
      await rename(join(dir, `${suite}.Release.gpg`), join(p.root, t.dist, 'Release.gpg'));
    }
    await rename(tmp, join(p.root, t.dist, 'Release'));
    const flavour = flavourOfSuite(suite);
    infos.push({
      name: suite,
      staged: isStagedSuite(suite),
      profiles: profilesOfSuite(suite) ?? [],
      ...(flavour ? { flavour } : {}),
      architectures: t.architectures,
      builds: records.filter((r) => r.suite === suite).length,
    });
  }
  if (opts.signKey) await writeFile(join(dir, 'signing-key.asc'), await exportPublicKey(opts.signKey));
  const meta: RepoMeta = { format: FORMAT, generation: name, time: opts.now.toISOString(), signKey: opts.signKey, signedBy, suites: infos };
  await writeJson(join(dir, 'builds.json'), { format: FORMAT, generation: name, builds: records });
  await writeJson(join(dir, 'repo.json'), meta);
  await rm(join(dir, 'lists'), { recursive: true, force: true });
  return meta;
}

/** Remove what interrupted publishes left: generations other than `keep`, temp files. */
async function removeStaleGenerations(p: RepoPaths, keep: readonly string[]): Promise<void> {
  let names: string[] = [];
  try {
    names = await readdir(p.generations);
  } catch {
    return;
  }
  for (const n of names) {
    if (keep.includes(n)) continue;
    // A process orphaned by a kill may still be writing there: retry, and give up quietly.
    await rm(join(p.generations, n), { recursive: true, force: true, maxRetries: 3 }).catch(() => {});
  }
  for (const n of await readdir(p.state)) if (n.includes(TMP_MARK)) await rm(join(p.state, n), { force: true }).catch(() => {});
}

/** Delete pool files that no kept generation refers to (pruned versions, leftovers of interrupted publishes). */
async function sweepPool(p: RepoPaths, keep: Set<string>): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (dir: string): Promise<boolean> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return false;
    }
    let empty = true;
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        if (await walk(full)) await rmdir(full).catch(() => {});
        else empty = false;
        continue;
      }
      const rel = relative(p.root, full);
      if (keep.has(rel)) {
        empty = false;
        continue;
      }
      await unlink(full).catch(() => {});
      if (!e.name.includes(TMP_MARK)) removed.push(rel);
    }
    return empty;
  };
  await walk(p.pool);
  return removed;
}

async function publishLocked(p: RepoPaths, opts: PublishOptions): Promise<PublishResult> {
  const now = (opts.now ?? (() => new Date()))();
  const info = opts.info ?? (() => {});
  await checkSkeleton(p);
  const current = await currentGeneration(p);
  await removeStaleGenerations(p, current ? [current.name, ...(await previousGeneration(p, current))] : []);

  const { records: added, planned } = await planFiles(p, opts.results, opts, current, now);
  const copied: string[] = [];
  const present: string[] = [];
  const replaced: string[] = [];
  for (const f of planned) {
    if (f.decision === 'present') {
      present.push(f.file.path);
      continue;
    }
    await copyIntoPool(p.root, f);
    (f.decision === 'replace' ? replaced : copied).push(f.file.path);
  }
  await faultPoint('pool');

  const merged = mergeRecords(current?.records ?? [], added, opts.keepVersions ?? 0);
  const n = current ? parseGenerationName(current.name)!.n + 1 : 1;
  const name = generationName(n, randomBytes(4).toString('hex'));
  const signKey = opts.signKey ?? current?.meta.signKey ?? null;
  const fallbackArchs = opts.architectures?.length ? opts.architectures : [buildArch()];
  const meta = await buildGeneration(p, name, merged.records, { fallbackArchs, signKey, now });
  await faultPoint('generation');

  // The switch: one rename(2) of a symbolic link.
  await pointLink(p.current, `gen/${name}`);
  await faultPoint('switched');
  await pointLink(p.dists, 'xdeb/current/dists');
  await pointLink(p.builds, 'current/builds.json');
  if (signKey) await pointLink(p.signingKey, 'current/signing-key.asc');
  else await rm(p.signingKey, { force: true });

  // Readers that resolved the previous generation keep it, and the files it refers to, for one more publish.
  const keepNames = current ? [name, current.name] : [name];
  await removeStaleGenerations(p, keepNames);
  const keepPaths = referencedPaths(merged.records);
  for (const path of referencedPaths(current?.records ?? [])) keepPaths.add(path);
  const swept = await sweepPool(p, keepPaths);
  if (swept.length) info(`removed ${swept.length} file(s) no generation refers to`);

  return {
    repo: p.root,
    generation: name,
    records: added,
    suites: added.map((r) => r.suite),
    copied,
    present,
    replaced,
    dropped: merged.dropped.map((r) => ({ source: r.source, version: r.version, suite: r.suite })),
    signedBy: meta.signedBy,
  };
}

/** The generation before `current` that is still on disk (kept for readers), if any. */
async function previousGeneration(p: RepoPaths, current: Generation): Promise<string[]> {
  const n = parseGenerationName(current.name)!.n;
  let best: { n: number; name: string } | undefined;
  for (const name of await readdir(p.generations).catch(() => [] as string[])) {
    const g = parseGenerationName(name);
    if (!g || g.n >= n || !(await exists(join(p.generations, name, 'repo.json')))) continue;
    if (!best || g.n > best.n) best = { n: g.n, name };
  }
  return best ? [best.name] : [];
}

/** Publish results into the repository (created on first use). */
export async function publish(opts: PublishOptions): Promise<PublishResult> {
  const p = repoPaths(opts.repo);
  await mkdir(p.generations, { recursive: true });
  await mkdir(p.pool, { recursive: true });
  return withLock(p.lock, () => publishLocked(p, opts), { what: `the local repository ${p.root}`, ...opts.lock });
}

/** Read, verify and publish result files (.changes, .dsc, .deb). */
export async function publishFiles(
  repo: string,
  paths: readonly string[],
  opts: Omit<PublishOptions, 'repo' | 'results'> = {},
): Promise<PublishResult> {
  return publish({ ...opts, repo, results: await readResults(paths) });
}

/** Create the repository with an empty `full` suite if it has no generation yet. */
export async function ensureRepo(repo: string, opts: Omit<PublishOptions, 'repo' | 'results'> = {}): Promise<void> {
  const p = repoPaths(repo);
  if (await exists(join(p.current, 'repo.json'))) return;
  await publish({ ...opts, repo, results: [] });
}

/** The suites of the repository ([] when it does not exist yet). */
export async function listSuites(repo: string): Promise<SuiteInfo[]> {
  const g = await currentGeneration(repoPaths(repo));
  return g ? g.meta.suites : [];
}

/** Every build record of the current generation ([] when the repository does not exist yet). */
export async function readBuilds(repo: string): Promise<BuildRecord[]> {
  const g = await currentGeneration(repoPaths(repo));
  return g ? g.records : [];
}

export interface SuiteIndexFiles {
  suite: string;
  /** binary-<arch>/Packages, or undefined when the suite has no such architecture. */
  packages: string | undefined;
  sources: string;
  release: string;
}

/**
 * The index files a reader of these suites needs for one architecture (arch:all packages are in
 * every architecture's Packages), resolved into the current generation. Unknown suites are left out.
 */
export async function indexFiles(repo: string, suites: readonly string[], arch: string): Promise<SuiteIndexFiles[]> {
  const p = repoPaths(repo);
  let base: string;
  try {
    base = await realpath(join(p.current, 'dists'));
  } catch {
    return [];
  }
  const out: SuiteIndexFiles[] = [];
  for (const suite of suites) {
    const dir = join(base, suite);
    if (!(await exists(join(dir, 'Release')))) continue;
    const packages = join(dir, COMPONENT, `binary-${arch}`, 'Packages');
    out.push({
      suite,
      packages: (await exists(packages)) ? packages : undefined,
      sources: join(dir, COMPONENT, 'source', 'Sources'),
      release: join(dir, 'Release'),
    });
  }
  return out;
}

/** The sources.list line for a suite: signed-by the repository's exported key when it is signed, else trusted=yes. */
export function aptSourcesLine(repo: string, suite: string, opts: { signedBy?: string; arch?: readonly string[] } = {}): string {
  const p = repoPaths(repo);
  let signedBy = opts.signedBy;
  if (signedBy === undefined) {
    try {
      const meta = JSON.parse(readFileSync(join(p.current, 'repo.json'), 'utf8')) as RepoMeta;
      if (meta.signedBy) signedBy = p.signingKey;
    } catch {
      // not created yet: trusted=yes
    }
  }
  return sourcesLine(p.root, suite, { signedBy, arch: opts.arch });
}
