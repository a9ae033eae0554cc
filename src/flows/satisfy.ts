// xdeb-satisfydepends from end to end: configuration → universe → check → report → install.

import { archTable } from '../lib/arch.js';
import { BuildChecker, type CheckSourceOptions, type SourceVerdict } from '../lib/build-check.js';
import { checkWithCrossFallback, type FallbackVerdict } from '../lib/cross-fallback.js';
import type { ImplicitMode } from '../lib/build-deps.js';
import { EnvironmentError, EXIT, InputError, UsageError } from '../lib/errors.js';
import { DependencyIndex } from '../lib/installability.js';
import type { ResolverMode } from '../lib/multiarch.js';
import {
  formatRepositories,
  formatSourceText,
  formatSummary,
  sourceReport,
  summarize,
  type SatisfyReport,
  type SourceReport,
} from '../lib/satisfy-report.js';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Universe } from '../lib/universe.js';
import type { Output } from '../ui/output.js';
import { aptInstall, localDeb, type InstallTarget } from '../adapters/apt-install.js';
import { convertWithDpkgCross, leftoverCrossPackages } from '../adapters/dpkg-cross.js';
import type { InsideHooks } from '../adapters/inside.js';
import type { Session } from './session.js';
import { readSourceArg, type SourceInput } from '../adapters/source-input.js';
import { indexedCounts, loadUniverse, type RepositoryUse } from '../adapters/universe-loader.js';

/** How build-dependencies are looked up and installed (xdeb-satisfydepends, and each build). */
export interface ResolveOptions {
  /** --repo: more Packages/Sources files or repositories. */
  repo?: string[];
  /** --local-suite: suites of the local repository to read (default: full). */
  localSuites?: string[];
  /** false: ignore what is installed (--no-status). */
  status?: boolean;
  /** Every source of the repositories (--all). */
  all?: boolean;
  archOnly?: boolean;
  indep?: boolean;
  implicit?: ImplicitMode;
  /** Ask apt what it would do, change nothing. */
  simulate?: boolean;
  /** Binary packages to build without (--drop-build-depends): not resolved, not installed, and dpkg-buildpackage -d. */
  dropBuildDepends?: string[];
}

/** xdeb-satisfydepends: its sources and what to do with them. */
export interface SatisfyInput extends ResolveOptions {
  sources: string[];
  list: boolean;
  explain: boolean;
}

/** One build's architectures, profiles and environment: the session's, or a sequence step's, or a chroot's. */
export interface BuildContext {
  session: Session;
  buildArch: string;
  hostArch: string;
  profiles: string[];
  /** The profiles were chosen (-P, configuration, a sequence step), not the defaults for buildArch → hostArch. */
  profilesGiven?: boolean;
  mode: ResolverMode;
  /** Inside a chroot session: its apt state is read, and apt runs there. */
  inside?: InsideHooks;
  /** The flavour of a --toolchain build: its suite of the local repository is read first (docs/toolchains.md). */
  flavour?: string;
  /** Build without the configured toolchain (a sequence's build-architecture tools). */
  unflavoured?: boolean;
}

/** The session's own build: its host arch, build arch, profiles and toolchain flavour. */
export function buildContext(session: Session): BuildContext {
  const flavour = session.toolchain()?.flavour;
  return {
    session,
    buildArch: session.buildArch,
    hostArch: session.hostArch,
    profiles: session.profiles,
    profilesGiven: session.profilesGiven,
    mode: session.mode,
    ...(flavour ? { flavour } : {}),
  };
}

export interface LoadedUniverse {
  universe: Universe;
  used: RepositoryUse[];
  checker: BuildChecker;
}

export async function loadForChecks(ctx: BuildContext, opts: ResolveOptions, out: Output): Promise<LoadedUniverse> {
  const { session } = ctx;
  const remote = session.useRemoteRepo;
  const local = session.localRepo.use ? session.localRepo.dir : undefined;
  // --local-config: the configuration's repositories and preferences instead of apt's (docs/repositories.md).
  const { repositorySelection } = await import('../adapters/repositories.js');
  const sel = await repositorySelection(session.cfg, { remote, flavour: ctx.flavour, localSuites: opts.localSuites });
  const t0 = Date.now();
  const { universe, used } = await loadUniverse({
    buildArch: ctx.buildArch,
    hostArch: ctx.hostArch,
    remote: sel.aptLists,
    configured: sel.configured,
    preferences: sel.preferences,
    localRepo: local,
    localSuites: sel.localSuites,
    repos: opts.repo,
    status: opts.status !== false && !opts.all && (ctx.inside?.status ?? true),
    aptEnv: ctx.inside?.aptEnv,
    info: (m) => out.info(m),
    warn: (m) => out.warn(m),
  });
  out.info(`${indexedCounts(used)} in ${Date.now() - t0} ms`);
  if (ctx.hostArch !== ctx.buildArch && !universe.architectures.has(ctx.hostArch)) {
    const hint = remote ? ` (dpkg --add-architecture ${ctx.hostArch} && apt-get update)` : '';
    throw new EnvironmentError(`no ${ctx.hostArch} packages in the repositories in use${hint}`);
  }
  const index = new DependencyIndex(universe, { buildArch: ctx.buildArch, hostArch: ctx.hostArch, mode: ctx.mode });
  return { universe, used, checker: new BuildChecker(index) };
}

function checkOptions(src: SourceInput, ctx: BuildContext, opts: ResolveOptions, explain: boolean): CheckSourceOptions {
  const cross = ctx.buildArch !== ctx.hostArch;
  // -B (arch-only, the default for a cross build), -A (--indep), else both (a native build).
  const arch = !opts.indep;
  const indep = opts.indep ? true : opts.archOnly ? false : !cross;
  return {
    buildArch: ctx.buildArch,
    hostArch: ctx.hostArch,
    profiles: new Set(ctx.profiles),
    arch,
    indep,
    implicit: opts.implicit ?? 'sbuild',
    ...(opts.dropBuildDepends?.length ? { drop: new Set(opts.dropBuildDepends) } : {}),
    explain,
    file: src.file,
  };
}

function checkOne(checker: BuildChecker, src: SourceInput, ctx: BuildContext, opts: ResolveOptions, explain: boolean): SourceVerdict {
  const v = checker.check(src.paragraph, checkOptions(src, ctx, opts, explain));
  if (!v.version) v.version = src.version;
  return v;
}

function repositoriesReport(used: RepositoryUse[]): SatisfyReport['repositories'] {
  return used.map((u) => ({ label: u.label, kind: u.kind, files: u.files, packages: u.packages, sources: u.sources }));
}

/** What to give apt: everything the solution adds or changes, local packages by path. */
export function installTargets(universe: Universe, v: SourceVerdict): InstallTarget[] {
  const direct = new Set(v.placements.filter((p) => p.package).map((p) => `${p.package!.name}:${p.package!.arch}`));
  const out: InstallTarget[] = [];
  for (const p of v.install) {
    if (p.installed || p.crossConverted) continue;
    // The instance from the highest-pinned origin that offers this version (the first of them on a tie).
    const origin = [p.origin, ...(p.alsoFrom ?? [])].map((i) => universe.origins[i]!).reduce((a, b) => (b.priority > a.priority ? b : a));
    const deb = origin.kind === 'local' && origin.base && p.filename ? localDeb(origin.base, p.filename) : undefined;
    out.push({ name: p.name, arch: p.arch, version: p.version, deb, direct: direct.has(`${p.name}:${p.arch}`) });
  }
  return out;
}

/** Install what a satisfiable verdict needs: apt for the rest, dpkg-cross for the fallback packages. */
export async function installBuildDeps(
  loaded: LoadedUniverse,
  fv: FallbackVerdict,
  ctx: BuildContext,
  opts: ResolveOptions,
  out: Output,
): Promise<void> {
  const { verdict: v, converted, exclude } = fv;
  const targets = installTargets(loaded.universe, v);
  if (converted.length) {
    out.warn(
      `${v.source}: not Multi-Arch ready, installed through dpkg-cross: ${converted.map((p) => `${p.name}:${p.arch} → ${p.crossName()}`).join(', ')}`,
    );
    for (const { pkg, deb } of await convertWithDpkgCross(loaded.universe, converted, exclude, ctx.hostArch)) {
      targets.push({ name: pkg.crossName(), arch: 'all', version: pkg.version, deb, direct: false });
      await ctx.inside?.expose([dirname(deb)], true);
    }
  }
  if (targets.length === 0) {
    out.info(`${v.source}: build-dependencies already installed`);
    return;
  }
  const u = loaded.universe;
  const changed = v.install.filter((p) => !p.installed && u.named(p.name).some((q) => u.get(q).installed && u.get(q).arch === p.arch));
  for (const p of changed)
    out.warn(`${v.source}: ${p.name}:${p.arch} changes version to ${p.version} (Multi-Arch: same copies must match)`);
  out.info(`${v.source}: installing ${targets.length} packages`);
  await aptInstall(targets, { rootCmd: ctx.session.rootCmd, simulate: opts.simulate, wrap: ctx.inside?.wrap, out });
}

/** Check one SOURCE against a freshly loaded universe (the local repository may have changed). */
export async function checkSourceArg(
  arg: string,
  ctx: BuildContext,
  opts: ResolveOptions,
  out: Output,
): Promise<{ loaded: LoadedUniverse; src: SourceInput; fv: FallbackVerdict; report: SourceReport }> {
  const early = existsSync(arg) ? readSourceArg(arg) : undefined;
  const loaded = await loadForChecks(ctx, opts, out);
  const src = early ?? readSourceArg(arg, loaded.universe);
  const fv = checkWithCrossFallback(loaded.checker, src.paragraph, checkOptions(src, ctx, opts, true));
  if (!fv.verdict.version) fv.verdict.version = src.version;
  fv.verdict.warnings.push(...leftoverCrossPackages(loaded.universe, ctx.hostArch));
  const report = sourceReport(
    fv.verdict,
    src.file,
    fv.converted.map((p) => ({ name: p.name, version: p.version, arch: p.arch })),
  );
  return { loaded, src, fv, report };
}

export async function runSatisfy(session: Session, opts: SatisfyInput): Promise<number> {
  const { out } = session;
  const args = opts.sources;
  if (opts.all && args.length) throw new UsageError('give SOURCE arguments or --all, not both');
  if (!opts.all && args.length === 0) throw new UsageError('no SOURCE given (a source tree, a .dsc, a source package name, or --all)');
  if (opts.archOnly && opts.indep) throw new UsageError('--arch-only and --indep exclude each other');
  const ctx = buildContext(session);
  // Files and trees are read before the (slower) universe, so that bad input fails at once.
  const early = new Map<string, SourceInput>();
  for (const a of args) {
    try {
      early.set(a, readSourceArg(a));
    } catch (e) {
      if (!(e instanceof InputError) || !/unknown source package/.test(e.message)) throw e;
    }
  }
  const loaded = await loadForChecks(ctx, opts, out);
  const report: SatisfyReport = {
    buildArch: ctx.buildArch,
    hostArch: ctx.hostArch,
    profiles: ctx.profiles,
    mode: ctx.mode,
    repositories: repositoriesReport(loaded.used),
    sources: [],
    summary: { ok: 0, broken: 0, unknown: 0, topReasons: [] },
  };
  const textCtx = { buildArch: ctx.buildArch, hostArch: ctx.hostArch, profiles: ctx.profiles, explain: !!opts.explain };
  if (opts.all) return runAll(loaded, ctx, opts, out, report);

  const verdicts: [SourceInput, FallbackVerdict][] = [];
  const leftovers = leftoverCrossPackages(loaded.universe, ctx.hostArch);
  for (const a of args) {
    const src = early.get(a) ?? readSourceArg(a, loaded.universe);
    const fv = checkWithCrossFallback(loaded.checker, src.paragraph, checkOptions(src, ctx, opts, true));
    if (!fv.verdict.version) fv.verdict.version = src.version;
    fv.verdict.warnings.push(...leftovers);
    verdicts.push([src, fv]);
    report.sources.push(
      sourceReport(
        fv.verdict,
        src.file,
        fv.converted.map((p) => ({ name: p.name, version: p.version, arch: p.arch })),
      ),
    );
  }
  report.summary = summarize(report.sources);
  if (!out.json) {
    if (opts.list || opts.explain || out.verbose) out.data(formatRepositories(report.repositories));
    for (const s of report.sources) {
      const text = formatSourceText(s, textCtx);
      if (opts.list || opts.explain || s.status !== 'ok') out.data(text);
      else out.info(text);
    }
    for (const s of report.sources) for (const w of s.warnings) if (!opts.list && !opts.explain) out.warn(`${s.source}: ${w}`);
  }
  const allOk = report.sources.every((s) => s.status === 'ok');
  if (!opts.list && allOk) {
    for (const [, fv] of verdicts) await installBuildDeps(loaded, fv, ctx, opts, out);
  }
  if (out.json) out.jsonData(report);
  return allOk ? EXIT.ok : EXIT.no;
}

async function runAll(loaded: LoadedUniverse, ctx: BuildContext, opts: SatisfyInput, out: Output, report: SatisfyReport): Promise<number> {
  const table = archTable();
  const sources = loaded.universe.allSources().filter((s) => s.architectures.some((a) => a === 'all' || table.matches(ctx.hostArch, a)));
  let bar: { update(n: number): void; stop(): void } | undefined;
  if (out.tty && !out.json) {
    const { SingleBar, Presets } = (await import('cli-progress')).default;
    const b = new SingleBar(
      { format: 'checking {bar} {value}/{total} sources', stream: process.stderr, hideCursor: true },
      Presets.shades_classic,
    );
    b.start(sources.length, 0);
    bar = b;
  }
  // The reasons are always kept: the summary counts them.
  const explain = true;
  // Reports are written as they come, not kept: an archive has tens of thousands of sources.
  const kept: SourceReport[] = [];
  const write = (s: string) => process.stdout.write(s);
  if (out.json) {
    const { sources: _none, summary: _later, ...head } = report;
    write(JSON.stringify(head, null, 2).replace(/\n}$/, ',\n  "sources": ['));
  }
  let n = 0;
  for (const src of sources) {
    const input: SourceInput = { name: src.name, version: src.version, paragraph: src.paragraph, file: src.file, kind: 'index' };
    const v = checkOne(loaded.checker, input, ctx, opts, explain);
    const r = sourceReport(v, src.file);
    r.install = [];
    if (out.json) write((n ? ',\n    ' : '\n    ') + JSON.stringify(r));
    else {
      const reason = r.failures.flatMap((f) => f.reasons.map((x) => `${f.requirement}: ${x.text}`))[0];
      out.data(
        `${r.status === 'ok' ? 'ok    ' : r.status === 'broken' ? 'broken' : 'undecided'} ${r.source} ${r.version}${reason ? `  ${reason}` : ''}`,
      );
    }
    // The summary needs only the status and the reasons.
    kept.push({ ...r, dependencies: [], dropped: [], warnings: [] });
    if (bar && ++n % 50 === 0) bar.update(n);
    else n++;
  }
  bar?.stop();
  report.summary = summarize(kept);
  if (out.json) write(`\n  ],\n  "summary": ${JSON.stringify(report.summary)}\n}\n`);
  else out.data(formatSummary(report.summary));
  return report.summary.broken || report.summary.unknown ? EXIT.no : EXIT.ok;
}
