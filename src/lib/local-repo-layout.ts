// The local repository's layout and bookkeeping, as pure decisions (docs/local-repository.md):
// which suite a build goes to, where its files live in pool/, what the record of published
// builds says, which versions a prune drops, what apt's sources line is.
//
//   REPO/pool/<suite>/<prefix>/<source>/<file>    each suite has its own pool: a stage1 .deb and
//                                                 the full build's .deb of one name never collide
//   REPO/dists -> xdeb/current/dists              apt's view; `current` is swapped with rename(2)
//   REPO/xdeb/current -> gen/<n>.<id>             one generation: dists/, builds.json, repo.json
//   REPO/xdeb/builds.json -> current/builds.json  what was published (BuildRecord[])
//   REPO/xdeb/lock                                writers hold flock(2) on it
//
// Suites: final builds (profiles among cross, nocheck, nodoc) go to `full`; a build with other
// profiles (stage1, nobiarch, noudeb, pkg.src.foo…) is a staged build and goes to `staged-<p1>+<p2>` named from
// those profiles, sorted. A flavoured build (xdeb-build --toolchain, docs/toolchains.md) goes to
// `flavour-<name>`, or `flavour-<name>+staged-<p1>+<p2>` when staged too: flavour names have no
// `+`, so the first `+` separates the two halves. Builds that break a loop otherwise than by a
// profile go to suites of their own (BOOTSTRAP_SUITES: a seed, what is built against a seed, a
// build with build-dependencies dropped): never final, rebuilt in full later.

import { InputError, type InputLocation } from './errors.js';
import { compareVersions } from './version.js';

/** The suite of full builds. */
export const FULL_SUITE = 'full';
/** Prefix of the suites of staged builds. */
export const STAGED_PREFIX = 'staged-';
/**
 * Suites of builds made to break a loop without a profile: `seed` (built against the repositories' binaries of a loop member), `seeded`
 * (built against a seed), `dropped` (built with build-dependencies dropped, by a droppable list or a hint).
 */
export const BOOTSTRAP_SUITES = ['seed', 'seeded', 'dropped'] as const;
export type BootstrapSuite = (typeof BOOTSTRAP_SUITES)[number];

export function isBootstrapSuite(s: string): s is BootstrapSuite {
  return (BOOTSTRAP_SUITES as readonly string[]).includes(s);
}

/** The one component of every suite. */
export const COMPONENT = 'main';
/**
 * Profiles whose builds are final (BuildProfileSpec): nocheck must not change the binary packages at all, nodoc keeps the same set of
 * packages and may only leave out documentation, and cross is how every cross build is made. Every other profile (stage1, nobiarch,
 * noudeb, pkg.SRC.*…) may change what is built: a staged build, rebuilt in full later.
 */
export const NON_REDUCING_PROFILES: readonly string[] = ['cross', 'nocheck', 'nodoc'];

const PROFILE_NAME = /^[a-z0-9][a-z0-9.+-]*$/;

/** Build profiles from a comma- or space-separated list, checked and without duplicates. */
export function parseProfileList(text: string | readonly string[], loc: InputLocation = {}): string[] {
  const items = (typeof text === 'string' ? text.split(/[,\s]+/) : text.flatMap((t) => t.split(/[,\s]+/))).filter(Boolean);
  const out: string[] = [];
  for (const p of items) {
    if (!PROFILE_NAME.test(p)) throw new InputError(`'${p}' is not a build profile name`, loc);
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

export interface SuiteChoice {
  suite: string;
  /** True for a staged (reduced-profile) build. */
  staged: boolean;
  /** The profiles that made it staged, sorted. */
  reducing: string[];
}

/** Prefix of the suites of flavoured builds. */
export const FLAVOUR_PREFIX = 'flavour-';
const FLAVOUR_NAME = /^[a-z0-9][a-z0-9.-]*$/;

/** Why a flavour name is not one (it names a suite, so: lower case letters, digits, `.` and `-`), or undefined. */
export function flavourNameProblem(name: string): string | undefined {
  return FLAVOUR_NAME.test(name)
    ? undefined
    : `'${name}' is not a flavour name (lower-case letters, digits, '.' and '-', starting with a letter or digit)`;
}

/** The suite a build with these profiles (and flavour, if any) is published into; a bootstrap build's is its own, whatever its profiles. */
export function suiteForProfiles(profiles: readonly string[], flavour?: string, bootstrap?: BootstrapSuite): SuiteChoice {
  const reducing = [...new Set(profiles.filter((p) => !NON_REDUCING_PROFILES.includes(p)))].sort();
  const head = flavour ? FLAVOUR_PREFIX + flavour : undefined;
  if (bootstrap) return { suite: head ? `${head}+${bootstrap}` : bootstrap, staged: true, reducing };
  if (reducing.length === 0) return { suite: head ?? FULL_SUITE, staged: false, reducing };
  const staged = STAGED_PREFIX + reducing.join('+');
  return { suite: head ? `${head}+${staged}` : staged, staged: true, reducing };
}

/** The flavour of a flavour suite (`flavour-a53`, `flavour-a53+staged-stage1` → a53), else undefined. */
export function flavourOfSuite(suite: string): string | undefined {
  if (!suite.startsWith(FLAVOUR_PREFIX)) return undefined;
  const plus = suite.indexOf('+');
  const name = suite.slice(FLAVOUR_PREFIX.length, plus < 0 ? undefined : plus);
  return flavourNameProblem(name) ? undefined : name;
}

/** The reducing profiles a suite name stands for; [] for `full`; undefined for a name xdeb does not make. */
export function profilesOfSuite(suite: string): string[] | undefined {
  if (suite === FULL_SUITE || isBootstrapSuite(suite)) return [];
  if (suite.startsWith(FLAVOUR_PREFIX)) {
    const flavour = flavourOfSuite(suite);
    if (flavour === undefined) return undefined;
    const rest = suite.slice(FLAVOUR_PREFIX.length + flavour.length);
    if (rest === '') return [];
    // Only a staged or bootstrap suite may follow the flavour: `flavour-a53+full` is no name xdeb makes.
    if (isBootstrapSuite(rest.slice(1))) return [];
    return rest.startsWith('+' + STAGED_PREFIX) ? profilesOfSuite(rest.slice(1)) : undefined;
  }
  if (!suite.startsWith(STAGED_PREFIX)) return undefined;
  const profiles = suite.slice(STAGED_PREFIX.length).split('+');
  if (profiles.some((p) => !PROFILE_NAME.test(p) || NON_REDUCING_PROFILES.includes(p))) return undefined;
  const sorted = [...profiles].sort();
  return sorted.every((p, i) => p === profiles[i]) && new Set(profiles).size === profiles.length ? profiles : undefined;
}

/** The bootstrap suite a suite name is (`seed`, `flavour-a53+seed` → seed), else undefined. */
export function bootstrapOfSuite(suite: string): BootstrapSuite | undefined {
  const tail = suite.startsWith(FLAVOUR_PREFIX) ? suite.slice(suite.indexOf('+') + 1 || suite.length) : suite;
  return isBootstrapSuite(tail) ? tail : undefined;
}

/** Does a suite hold builds that are not final (staged, or a bootstrap suite)? */
export function isStagedSuite(suite: string): boolean {
  return bootstrapOfSuite(suite) !== undefined || (profilesOfSuite(suite) ?? []).length > 0;
}

export function isSuiteName(suite: string): boolean {
  return profilesOfSuite(suite) !== undefined;
}

/** Debian's pool prefix: `libf` for libfoo, else the first letter. */
export function poolPrefix(source: string): string {
  return source.startsWith('lib') && source.length > 3 ? source.slice(0, 4) : source.slice(0, 1);
}

/** The directory (relative to the repository) holding a source's files in a suite. */
export function poolDir(suite: string, source: string): string {
  return `pool/${suite}/${poolPrefix(source)}/${source}`;
}

/** One published file. */
export interface PublishedFile {
  name: string;
  /** Relative to the repository root. */
  path: string;
  size: number;
  sha256: string;
  kind: 'deb' | 'udeb' | 'dsc' | 'buildinfo' | 'changes' | 'source';
  /** For .deb/.udeb: the binary package and its architecture. */
  package?: string;
  architecture?: string;
}

/** One publish of one build (a .changes, a .dsc, or loose .debs of one source version). */
export interface BuildRecord {
  source: string;
  /** The version the .changes carries (a binNMU's has +bN); `sourceVersion` is the source's. */
  version: string;
  sourceVersion: string;
  /** Architectures of the upload (`source`, `arm64`, `all`…). */
  architectures: string[];
  /** Every profile the build was made with (cross, nocheck, stage1…). */
  profiles: string[];
  suite: string;
  staged: boolean;
  /** A flavoured build's flavour (its suite is flavour-<name>…) and toolchain, from its .changes (Xdeb-Flavour, Xdeb-Toolchain). */
  flavour?: string;
  toolchain?: string;
  /** ISO 8601 time of the publish. */
  time: string;
  /** The .changes (or .dsc, or first .deb) file name it came from. */
  from: string;
  binaries: string[];
  files: PublishedFile[];
}

/** What identifies a build in a suite: a later publish of the same key replaces the record. */
export function recordKey(r: Pick<BuildRecord, 'suite' | 'source' | 'version' | 'architectures'>): string {
  return `${r.suite}\0${r.source}\0${r.version}\0${[...r.architectures].sort().join(' ')}`;
}

export interface MergeResult {
  records: BuildRecord[];
  /** Records dropped: replaced by a new publish of the same build, or pruned. */
  dropped: BuildRecord[];
  /** Of those, the ones dropped by the prune (older versions). */
  pruned: BuildRecord[];
}

/**
 * Add new records to the existing ones: a record for the same build (suite, source, version,
 * architectures), or one with an architecture-specific .deb of the same pool path, is replaced; then, with keepVersions > 0, only the
 * newest keepVersions source
 * versions of each source touched are kept in each suite touched.
 */
export function mergeRecords(existing: readonly BuildRecord[], added: readonly BuildRecord[], keepVersions = 0): MergeResult {
  const newKeys = new Set(added.map(recordKey));
  // A new build that brings an architecture-specific .deb of the same name supersedes the old one.
  const newDebs = new Set<string>();
  for (const r of added)
    for (const f of r.files) if ((f.kind === 'deb' || f.kind === 'udeb') && f.architecture !== 'all') newDebs.add(f.path);
  const dropped: BuildRecord[] = [];
  const kept: BuildRecord[] = [];
  for (const r of existing) (newKeys.has(recordKey(r)) || r.files.some((f) => newDebs.has(f.path)) ? dropped : kept).push(r);
  let records = [...kept, ...added];
  const pruned: BuildRecord[] = [];
  if (keepVersions > 0) {
    const touched = new Set(added.map((r) => `${r.suite}\0${r.source}`));
    const versions = new Map<string, string[]>();
    for (const r of records) {
      const k = `${r.suite}\0${r.source}`;
      if (!touched.has(k)) continue;
      const list = versions.get(k) ?? [];
      if (!list.includes(r.sourceVersion)) list.push(r.sourceVersion);
      versions.set(k, list);
    }
    const keep = new Set<string>();
    for (const [k, list] of versions) {
      list.sort((a, b) => compareVersions(b, a));
      for (const v of list.slice(0, keepVersions)) keep.add(`${k}\0${v}`);
    }
    records = records.filter((r) => {
      const k = `${r.suite}\0${r.source}`;
      if (!touched.has(k) || keep.has(`${k}\0${r.sourceVersion}`)) return true;
      pruned.push(r);
      return false;
    });
    dropped.push(...pruned);
  }
  return { records, dropped, pruned };
}

/** Every pool path the records refer to. */
export function referencedPaths(records: readonly BuildRecord[]): Set<string> {
  const s = new Set<string>();
  for (const r of records) for (const f of r.files) s.add(f.path);
  return s;
}

export type PoolDecision =
  /** Nothing there: copy the file in. */
  | 'copy'
  /** The same content is there already. */
  | 'present'
  /** Different content, not published by anyone (left by an interrupted publish): overwrite. */
  | 'overwrite-orphan'
  /** Different content that a published build refers to, and replacing was asked for. */
  | 'replace'
  /** Different content that a published build refers to: refuse. */
  | 'refuse';

/**
 * What to do with a file whose pool path may be taken. Metadata (.changes, .buildinfo) is not
 * indexed by apt and is simply replaced; an indexed file with other content is never
 * overwritten silently, since apt clients hold its old checksum.
 */
export function decidePoolFile(
  existingSha256: string | undefined,
  incomingSha256: string,
  opts: { referenced: boolean; replace: boolean; kind: PublishedFile['kind'] },
): PoolDecision {
  if (existingSha256 === undefined) return 'copy';
  if (existingSha256 === incomingSha256) return 'present';
  if (!opts.referenced) return 'overwrite-orphan';
  if (opts.kind === 'changes' || opts.kind === 'buildinfo' || opts.replace) return 'replace';
  return 'refuse';
}

/** The suites a generation has: every suite with a record, and `full` always. */
export function suitesOf(records: readonly BuildRecord[]): string[] {
  const s = new Set<string>([FULL_SUITE]);
  for (const r of records) s.add(r.suite);
  return [...s].sort((a, b) => (a === FULL_SUITE ? -1 : b === FULL_SUITE ? 1 : a < b ? -1 : a > b ? 1 : 0));
}

/** The binary architectures a suite's indexes cover: those of its .debs (not `all`), else the fallback. */
export function suiteArchitectures(records: readonly BuildRecord[], suite: string, fallback: readonly string[]): string[] {
  const s = new Set<string>();
  for (const r of records) {
    if (r.suite !== suite) continue;
    for (const f of r.files) if (f.architecture && f.architecture !== 'all') s.add(f.architecture);
  }
  for (const a of s.size ? [] : fallback) s.add(a);
  return [...s].sort();
}

/** The .deb/.udeb files of a suite that belong in the Packages index of `arch` (arch:all in every one). */
export function packagesFor(records: readonly BuildRecord[], suite: string, arch: string): string[] {
  const out = new Set<string>();
  for (const r of records) {
    if (r.suite !== suite) continue;
    for (const f of r.files)
      if ((f.kind === 'deb' || f.kind === 'udeb') && (f.architecture === arch || f.architecture === 'all')) out.add(f.path);
  }
  return [...out].sort();
}

/** The .dsc files of a suite. */
export function sourcesFor(records: readonly BuildRecord[], suite: string): string[] {
  const out = new Set<string>();
  for (const r of records) if (r.suite === suite) for (const f of r.files) if (f.kind === 'dsc') out.add(f.path);
  return [...out].sort();
}

/** Generation directory names: `<n>.<id>`, n counting up. */
export function generationName(n: number, id: string): string {
  return `${n}.${id}`;
}

export function parseGenerationName(name: string): { n: number; id: string } | undefined {
  const m = /^(\d+)\.([0-9a-z]+)$/.exec(name);
  return m ? { n: Number(m[1]), id: m[2]! } : undefined;
}

/** A sources.list line for a suite: trusted=yes unless a key file is given. */
export function sourcesLine(repoDir: string, suite: string, opts: { signedBy?: string; arch?: readonly string[] } = {}): string {
  const o: string[] = [];
  if (opts.arch?.length) o.push(`arch=${opts.arch.join(',')}`);
  o.push(opts.signedBy ? `signed-by=${opts.signedBy}` : 'trusted=yes');
  return `deb [${o.join(' ')}] file:${repoDir} ${suite} ${COMPONENT}`;
}

/** The Release fields of a suite; they never change between publishes (apt refuses a changed Origin, Label or Codename). */
export function releaseFields(suite: string, architectures: readonly string[]): [string, string][] {
  return [
    ['Origin', 'xdeb'],
    ['Label', 'xdeb local repository'],
    ['Suite', suite],
    ['Codename', suite],
    ['Architectures', architectures.join(' ')],
    ['Components', COMPONENT],
    [
      'Description',
      `${flavourOfSuite(suite) ? `flavour ${flavourOfSuite(suite)}: ` : ''}${profilesOfSuite(suite)?.length ? `staged builds (${profilesOfSuite(suite)!.join(', ')})` : 'full builds'}`,
    ],
  ];
}
