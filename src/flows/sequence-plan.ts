// xdeb-sequence's plan from the world: the SOURCE arguments (trees, .dsc files, names), the
// repositories in use, what counts as available; then the pure graph, loops and plan.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { archTable } from '../lib/arch.js';
import { breakLoops, type ExtraOption } from '../lib/bootstrap.js';
import { toolchainStageOrder } from '../lib/toolchain-stages.js';
import { binNmuOf } from '../lib/binnmu.js';
import { parseHints, type BootstrapHint } from '../lib/bootstrap-hints.js';
import { avoidedProfiles, droppableOptions, hintOptions, hintsUsed, seedsIn } from '../lib/loop-breakers.js';
import { BuildGraph, plannedBinaryStanzas, type BuildNode, type SourceRecord } from '../lib/build-graph.js';
import type { ImplicitMode } from '../lib/build-deps.js';
import { EnvironmentError, InputError, UsageError } from '../lib/errors.js';
import { makePlan, type Plan } from '../lib/plan.js';
import { baseFromEntries, baseFromList, entryName, parseSourceList, type Base, type SetEntry } from '../lib/source-set.js';
import type { BinaryPackage, SourcePackage, Universe } from '../lib/universe.js';
import { compareVersions } from '../lib/version.js';
import { readParagraphs } from '../adapters/deb822-files.js';
import { buildContext, type BuildContext } from './satisfy.js';
import type { Session } from './session.js';
import { suitesWithFlavour } from '../adapters/repositories.js';
import { readTextFile } from '../adapters/text-stream.js';
import { findSource, parseSourceName, readSourceArg } from '../adapters/source-input.js';
import { indexedCounts, loadUniverse, PRIORITY, type RepositoryUse } from '../adapters/universe-loader.js';

/** What xdeb-sequence plans: its SOURCE arguments and how far to follow them. */
export interface SequencePlanInput {
  sources: string[];
  all: boolean;
  full: boolean;
  bootstrap: boolean;
  onlyExplicit: boolean;
  archOnly: boolean;
  /** --available FILE: Packages files of binaries to count as built (with --full). */
  available: string[];
  /** --set FILE: more sources, one a line (docs/xdeb-sequence.md). */
  setFile?: string;
  /** --base FILE|LIST|outside: sources taken as given, never rebuilt. */
  base?: string;
  /** Break loops with seed builds where the repositories have a member's binaries (on unless --no-seed). */
  seed?: boolean;
  /** --hints FILE: deb822 stanzas breaking what nothing else breaks. */
  hints?: string;
  /** --droppable DIR, or false for --no-droppable; default: botch's lists when installed. */
  droppable?: string | false;
  /** --assume-foreign-from INDEX: Packages files of a later release whose Multi-Arch: foreign is assumed here. */
  assumeForeignFrom?: string[];
  repo: string[];
  implicit?: ImplicitMode;
  explain: boolean;
}

export interface PlannedSequence {
  plan: Plan;
  ctx: BuildContext;
  used: RepositoryUse[];
  localRepo: string | undefined;
  seconds: { load: number; graph: number; bootstrap: number; total: number };
}

function recordFromIndex(u: Universe, name: string): SourceRecord | undefined {
  const found = u.sourcesNamed(name);
  if (!found.length) return undefined;
  return indexRecord(found.reduce((a, b) => (compareVersions(b.version, a.version) > 0 ? b : a)));
}

/** A source of the indexes as a build of the plan: xdeb-build is given NAME=VERSION. */
function indexRecord(best: SourcePackage): SourceRecord {
  return {
    name: best.name,
    version: best.version,
    paragraph: best.paragraph,
    arg: `${best.name}=${best.version}`,
    file: best.file,
    kind: 'index',
  };
}

/** Name/version/arch of every package of the --available files. */
async function readAvailable(files: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const f of files) {
    if (!existsSync(f)) throw new InputError('no such file', { file: f });
    for await (const p of readParagraphs(f)) {
      const name = p.get('Package');
      const version = p.get('Version');
      const arch = p.get('Architecture');
      if (name && version && arch) out.add(`${name}\0${version}\0${arch}`);
    }
  }
  return out;
}

/** --base FILE (one source a line), a comma-separated list, or 'outside'. */
function readBase(arg: string): Base {
  if (arg !== 'outside' && existsSync(arg)) return baseFromEntries(parseSourceList(readTextFile(arg), arg));
  return baseFromList(arg);
}

/** A source both in the set and in the base is a contradiction: the set is built, the base is not. */
function checkBase(base: Base, explicit: readonly SourceRecord[], set: readonly SetEntry[]): void {
  if (base.kind !== 'sources') return;
  for (const rec of explicit) {
    const b = base.names.get(rec.name);
    if (!b) continue;
    const inSet = set.find((e) => entryName(e.arg) === rec.name);
    const where = (w: { file: string; line?: number }) => (w.line !== undefined ? `${w.file}:${w.line}` : w.file);
    throw new InputError(
      `source ${rec.name} is both in the set${inSet ? ` (${where(inSet)})` : ''} and in the base (${where(b)}): the set is built from source, the base is taken as given`,
    );
  }
}

/** The chroot a plan is made for: its build target and a read-only view of its apt. */
async function openChrootView(session: Session, name: string) {
  const [{ readChrootMeta, chrootAptView }, { chrootTarget }] = await Promise.all([
    import('../adapters/chroot.js'),
    import('./chroot-build.js'),
  ]);
  const meta = readChrootMeta(session.chrootDir, name);
  const target = chrootTarget(buildContext(session), meta);
  session.out.info(`planning against chroot ${name}: ${target.hostArch} on ${target.buildArch}, its repositories (${meta.suite})`);
  return { target, view: await chrootAptView(session.chrootDir, meta) };
}

/** --hints FILE, parsed (bad input is exit 2 naming FILE:LINE). */
function readHints(file: string): BootstrapHint[] {
  if (!existsSync(file)) throw new InputError('no such file', { file });
  return parseHints(readTextFile(file), file);
}

/** botch's droppable lists (--droppable DIR, else Debian's when installed) as drop options of a source. */
async function readDroppable(dir: string | undefined, info: (m: string) => void): Promise<(source: string) => ExtraOption[]> {
  const { readDroppableLists, DEFAULT_DROPPABLE_DIR } = await import('../adapters/droppable-lists.js');
  if (dir !== undefined && !existsSync(dir)) throw new InputError('no such directory (--droppable)', { file: dir });
  const { entries, skipped } = readDroppableLists(dir ?? DEFAULT_DROPPABLE_DIR);
  for (const k of skipped) info(`${k.file}:${k.line}: skipped: ${k.why}`);
  return droppableOptions(entries);
}

/** The highest binNMU the repositories have of a host-architecture build's source version (none for trees, .dsc files, native builds). */
function archiveBinNmu(universe: Universe, node: BuildNode, hostArch: string): number | undefined {
  if (node.record.kind !== 'index' || node.arch !== hostArch) return undefined;
  let best: number | undefined;
  for (const p of universe.all()) {
    if (p.source !== node.record.name) continue;
    const n = binNmuOf(p.version, node.record.version);
    if (n !== undefined && (best === undefined || n > best)) best = n;
  }
  return best;
}

export async function planSequence(session: Session, opts: SequencePlanInput): Promise<PlannedSequence> {
  const { out } = session;
  const t0 = Date.now();
  const set = opts.setFile ? parseSourceList(readTextFile(opts.setFile), opts.setFile) : [];
  const args = [...opts.sources, ...set.map((e) => e.arg).filter((a) => !opts.sources.includes(a))];
  const base = opts.base === undefined ? undefined : readBase(opts.base);
  if (opts.all && args.length) throw new UsageError('give SOURCE arguments or --all, not both');
  if (!opts.all && args.length === 0) throw new UsageError('no SOURCE given (source trees, .dsc files, source package names, or --all)');
  if (opts.available.length && !opts.full)
    throw new UsageError('--available only makes sense with --full (without it, what the repositories have is available)');
  // With --chroot the plan is made against the chroot: its architectures, and the repositories its apt has (not the machine's, whose
  // suites — a security suite, another release — the chroot may not serve).
  const chroot = session.chroot ? await openChrootView(session, session.chroot) : undefined;
  const ctx = chroot ? { ...buildContext(session), ...chroot.target } : buildContext(session);
  const cross = ctx.buildArch !== ctx.hostArch;
  // Trees and .dsc files first, so that bad input fails before the (slower) universe.
  const early = new Map<string, SourceRecord>();
  for (const a of args) {
    if (!existsSync(a)) continue;
    const s = readSourceArg(a);
    early.set(a, {
      name: s.name,
      version: s.version,
      paragraph: s.paragraph,
      binaries: s.binaries,
      arg: resolve(a),
      file: s.file,
      kind: s.kind === 'tree' ? 'tree' : 'dsc',
    });
  }
  const availableKeys = opts.available.length ? await readAvailable(opts.available) : undefined;
  const hints = opts.hints !== undefined ? readHints(opts.hints) : undefined;
  const droppable = opts.bootstrap && opts.droppable !== false ? await readDroppable(opts.droppable, (m) => out.info(m)) : undefined;

  const localRepo = session.localRepo.use ? session.localRepo.dir : undefined;
  const { universe, used } = await loadUniverse({
    buildArch: ctx.buildArch,
    hostArch: ctx.hostArch,
    remote: session.useRemoteRepo,
    localRepo,
    localSuites: suitesWithFlavour(['full'], ctx.flavour),
    repos: opts.repo,
    status: false,
    ...(opts.assumeForeignFrom?.length ? { assumeForeignFrom: opts.assumeForeignFrom } : {}),
    ...(chroot ? { aptEnv: chroot.view.aptEnv } : {}),
    info: (m) => out.info(m),
    warn: (m) => out.warn(m),
  }).finally(() => chroot?.view.dispose());
  const tLoad = Date.now();
  out.info(`${indexedCounts(used)} in ${tLoad - t0} ms`);
  if (cross && !universe.architectures.has(ctx.hostArch)) {
    throw new EnvironmentError(
      `no ${ctx.hostArch} packages in the repositories in use${session.useRemoteRepo ? ` (dpkg --add-architecture ${ctx.hostArch} && apt-get update)` : ''}`,
    );
  }

  // The explicit sources, by argument.
  const explicit: SourceRecord[] = [];
  for (const a of args) {
    const e = early.get(a);
    if (e) {
      explicit.push(e);
      continue;
    }
    const named = a.endsWith('.dsc') ? undefined : parseSourceName(a);
    if (!named && (a.includes('/') || a.endsWith('.dsc'))) throw new InputError('no such file or directory', { file: a });
    if (!named) throw new InputError(`'${a}' is neither a file nor a valid source package name`);
    try {
      explicit.push(indexRecord(findSource(universe, a, named)));
    } catch (err) {
      // A member of --set FILE that the repositories do not have: named with its line.
      const entry = opts.sources.includes(a) ? undefined : set.find((x) => x.arg === a);
      throw err instanceof InputError && entry ? err.at({ file: entry.file, line: entry.line }) : err;
    }
  }
  if (opts.all) {
    const table = archTable();
    const seen = new Set<string>();
    for (const s of universe.allSources()) {
      if (seen.has(s.name)) continue;
      if (!s.architectures.some((a) => a === 'all' || table.matches(ctx.hostArch, a))) continue;
      seen.add(s.name);
      explicit.push(recordFromIndex(universe, s.name)!);
    }
  }

  // What trees and .dsc files will build is in no index: plan it, so that the resolver finds it.
  const fullProfiles = new Set(ctx.profiles);
  const planned = new Set<number>();
  const byName = new Map<string, SourceRecord>();
  for (const rec of explicit) {
    byName.set(rec.name, rec);
    if (rec.kind === 'index') continue;
    const origin = universe.addOrigin({
      label: `planned build of ${rec.name} ${rec.version}`,
      file: rec.file,
      kind: 'file',
      priority: PRIORITY.local,
    });
    for (const p of plannedBinaryStanzas(rec, [...new Set([ctx.hostArch, ctx.buildArch])], fullProfiles)) {
      const pkg = universe.addBinary(p, origin);
      if (pkg && pkg.origin === origin) planned.add(pkg.id);
    }
  }
  const indexCache = new Map<string, SourceRecord | undefined>();
  const lookup = (name: string): SourceRecord | undefined => {
    const r = byName.get(name);
    if (r) return r;
    if (!indexCache.has(name)) indexCache.set(name, recordFromIndex(universe, name));
    return indexCache.get(name);
  };
  if (base) checkBase(base, explicit, set);
  const inBase = (source: string) => (base?.kind === 'outside' ? !byName.has(source) : !!base?.names.has(source));
  // A distro (--set, --base): the set is built against itself, so its host-architecture binaries in the repositories do not count as
  // built; they may serve as seeds only.
  const distro = opts.setFile !== undefined || opts.base !== undefined;
  const isMemberBinary = (p: BinaryPackage) => distro && p.arch === ctx.hostArch && byName.has(p.source);
  const isAvailableInRepos = opts.full
    ? (p: BinaryPackage) =>
        !planned.has(p.id) &&
        (p.arch === 'all' || (cross && p.arch === ctx.buildArch) || !!availableKeys?.has(`${p.name}\0${p.version}\0${p.arch}`))
    : (p: BinaryPackage) => !planned.has(p.id);

  // -P on the command line (not the configuration) also sets the profiles of build-architecture builds.
  const explicitP = session.flags.profiles !== undefined;
  const graph = new BuildGraph(universe, {
    buildArch: ctx.buildArch,
    hostArch: ctx.hostArch,
    hostProfiles: ctx.profiles,
    nativeProfiles: explicitP ? ctx.profiles.filter((p) => p !== 'cross') : [],
    archOnly: !!opts.archOnly,
    implicit: opts.implicit ?? 'sbuild',
    mode: ctx.mode,
    // The base's binaries are taken as given: from the repositories, never built.
    isAvailable: (p: BinaryPackage) => !isMemberBinary(p) && ((!!base && inBase(p.source)) || isAvailableInRepos(p)),
    onlyExplicit: !!opts.onlyExplicit,
    lookup,
  });
  const table = archTable();
  for (const rec of explicit) {
    // A source with nothing for the host architecture is built natively (its arch:all packages).
    const archs = rec.binaries?.length
      ? rec.binaries.flatMap((b) => (b.get('Architecture') ?? 'any').split(/\s+/)).filter(Boolean)
      : (rec.paragraph.get('Architecture') ?? 'any').split(/\s+/).filter(Boolean);
    const forHost = archs.some((a) => a !== 'all' && table.matches(ctx.hostArch, a));
    graph.addExplicit(rec, forHost || !archs.includes('all') ? ctx.hostArch : ctx.buildArch);
  }
  out.info(`checking the build-dependencies of ${explicit.length} source${explicit.length === 1 ? '' : 's'} and what they need`);
  graph.close();
  const tGraph = Date.now();
  out.info(`${graph.nodes.length} builds, ${graph.checks} checks in ${tGraph - tLoad} ms`);
  const br = breakLoops(graph, {
    bootstrap: !!opts.bootstrap,
    ...(opts.bootstrap && opts.seed !== false ? { seedFrom: seedsIn(universe, planned) } : {}),
    ...(droppable ? { droppable: (n: BuildNode) => droppable(n.record.name) } : {}),
    ...(hints
      ? { hints: (n: BuildNode) => hintOptions(hints, n.record.name), avoid: (n: BuildNode) => avoidedProfiles(hints, n.record.name) }
      : {}),
  });
  const tBoot = Date.now();
  const broken = graph.nodes.filter((n) => n.status !== 'ok');
  const explained = new Map<number, string>();
  // Explaining costs more solver runs: only for a plan of reasonable size.
  if (broken.length <= 200) for (const n of broken) explained.set(n.id, graph.explain(n));
  const toolchain = session.toolchain();
  const plan = makePlan(graph, br, {
    args: opts.all ? ['--all'] : args,
    ...(toolchain ? { toolchain: { name: toolchain.name, flavour: toolchain.flavour } } : {}),
    full: !!opts.full,
    bootstrap: !!opts.bootstrap,
    onlyExplicit: !!opts.onlyExplicit,
    graphMilliseconds: tGraph - tLoad,
    explain: !!opts.explain,
    unsatisfiable: (id) => explained.get(id),
    // A distro's member rebuilt from the index at the archive's binNMU, so that its Multi-Arch: same packages match the build
    // architecture's copies a chroot has.
    ...(distro ? { binNMU: (id: number) => archiveBinNmu(universe, graph.nodes[id]!, ctx.hostArch) } : {}),
  });
  if (hints) plan.hints = hintsUsed(hints, plan);
  const stages = opts.full
    ? toolchainStageOrder(new Set(plan.steps.map((s) => s.source)), {
        hostArch: ctx.hostArch,
        gnuType: archTable().gnuTriplet(ctx.hostArch),
      })
    : [];
  if (stages.length) plan.toolchainStages = stages;
  const t1 = Date.now();
  return {
    plan,
    ctx,
    used,
    localRepo,
    seconds: { load: (tLoad - t0) / 1000, graph: (tGraph - tLoad) / 1000, bootstrap: (tBoot - tGraph) / 1000, total: (t1 - t0) / 1000 },
  };
}
