// xdeb-build: for each source, satisfydepends → runbuild → putresult, the local repository
// read again before each one so that a build finds what the previous ones published.
// A failure names its step; the exit code is the step's (1 unsatisfiable or failed, 2 bad input, 3 environment).

import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { NegativeAnswer, XdebError } from '../lib/errors.js';
import { formatSourceText } from '../lib/satisfy-report.js';
import type { BootstrapSuite } from '../lib/local-repo-layout.js';
import { BUILD_DEPS_FILE, type BuildDepsRecord, type InstalledDep } from '../lib/run-verify.js';
import type { BinaryPackage, Universe } from '../lib/universe.js';
import type { Output } from '../ui/output.js';
import { runTool } from '../adapters/run-tool.js';
import { buildContext, checkSourceArg, installBuildDeps, type BuildContext, type ResolveOptions } from './satisfy.js';
import type { Session } from './session.js';
import type { SourceInput } from '../adapters/source-input.js';
import type { IcecreamJobCounts } from '../lib/icecream.js';

export type BuildStep = 'satisfydepends' | 'source' | 'runbuild' | 'putresult';

export interface BuildOneResult {
  source: string;
  version: string;
  buildArch: string;
  hostArch: string;
  profiles: string[];
  changes: string;
  log: string;
  /** The local repository and the suite the results went to (none with --no-publish). */
  repository?: string;
  suite?: string;
  /** The flavour of a --toolchain build. */
  flavour?: string;
  /** The configured uploads after the publish: jobs queued by it, run now, failed now, still queued. */
  uploads?: { queued: number; uploaded: number; failed: number; pending: number };
  /** --icecream: where the compile jobs ran (remote: by daemon address), from icecc's client log. */
  icecream?: IcecreamJobCounts;
  /** Wall time of each step; dpkgBuildpackage is the part of runbuild dpkg-buildpackage itself took. */
  seconds: { satisfydepends: number; runbuild: number; dpkgBuildpackage: number; putresult: number };
}

/** How a build in a chroot gets its compilers (docs/emulation.md). */
export interface ChrootCompilers {
  /** --native NAME: compilers from that cross chroot; false (--no-native): none, even if the chroot names one. */
  native?: string | false;
  /** --distcc [HOSTS]: send compile jobs to distcc helpers (true: loopback). */
  distcc?: string | true;
  /** --icecream SCHEDULER: send compile jobs to icecream through that scheduler's daemons; false (--no-icecream): not even if configured. */
  icecream?: string | false;
  /** --icecream-env FILE: the icecc-create-env bundle to send instead of one made from the chroot's cross compiler. */
  icecreamEnv?: string;
  /** --host-binaries [TOOLS]: tools run natively in an emulated chroot (true: the default list); false: none, even if the chroot names some. */
  hostBinaries?: string | boolean;
}

export interface BuildOptions extends ResolveOptions, ChrootCompilers {
  explain?: boolean;
  publish?: boolean;
  outputDir?: string;
  logDir?: string;
  keepVersions?: number;
  /** Build binNMU N (a source by name or a .dsc): version +bN (xdeb-sequence gives the archive's, lib/binnmu.ts). */
  binNMU?: number;
  /** A build that breaks a loop without a profile (xdeb-sequence's seed, seeded and dropped steps): published to that suite. */
  bootstrap?: BootstrapSuite;
  /**
   * Runs the satisfydepends step (resolution and installation). xdeb-sequence -j N passes a
   * lock, so that builds may run side by side while installs never overlap.
   */
  serialize?: <T>(step: () => Promise<T>) => Promise<T>;
}

/** xdeb-build: the sources, in order, and how to build them. */
export interface BuildInput extends BuildOptions {
  sources: string[];
}

/** The same error, its message prefixed with the step that failed. */
function inStep<T>(step: BuildStep, source: string, f: () => Promise<T>): Promise<T> {
  return f().catch((e: unknown) => {
    if (e instanceof XdebError) e.message = `${source}: ${step}: ${e.message}`;
    throw e;
  });
}

/** A source known by name only: its .dsc from a repository on this machine, else apt-get source. */
async function fetchSource(src: SourceInput, out: Output, aptEnv?: NodeJS.ProcessEnv): Promise<string> {
  const dir = src.paragraph.get('Directory');
  const plainVersion = src.version.replace(/^\d+:/, '');
  if (dir && src.base) {
    const dsc = join(src.base, dir, `${src.name}_${plainVersion}.dsc`);
    if (existsSync(dsc)) return dsc;
  }
  const work = mkdtempSync(join(tmpdir(), `xdeb-source-${src.name}-`));
  out.info(`fetching ${src.name} ${src.version} with apt-get source`);
  const r = await runTool('apt-get', ['source', '--download-only', '-q', `${src.name}=${src.version}`], { cwd: work, env: aptEnv });
  if (r.code !== 0) {
    // Say which version from which suite failed, and what else there is: a security suite's sources may be listed but not served.
    const why = r.stderr.trim().split('\n').pop();
    const others = (src.others ?? []).map((o) => `${src.name}=${o.version} (${o.from})`);
    throw new NegativeAnswer(
      `cannot fetch ${src.name} ${src.version}${src.from ? ` from ${src.from}` : ''}: apt-get source ${src.name}=${src.version} failed: ${why}`,
      others.length ? [`also available: ${others.join(', ')}; give NAME=VERSION or NAME/SUITE to build another`] : [],
    );
  }
  const dsc = readdirSync(work).find((f) => f.endsWith('.dsc'));
  if (!dsc) throw new NegativeAnswer(`apt-get source left no .dsc for ${src.name}`);
  return join(work, dsc);
}

export async function buildOne(arg: string, ctx: BuildContext, opts: BuildOptions, out: Output): Promise<BuildOneResult> {
  // --chroot NAME: the same steps, in a fresh session of that chroot.
  const chroot = ctx.inside ? undefined : ctx.session.chroot;
  if (chroot) {
    const { withBuildChroot } = await import('./chroot-build.js');
    return withBuildChroot(chroot, ctx, opts, out, (inner) => buildOne(arg, inner, opts, out));
  }
  const t0 = Date.now();
  const serialize = opts.serialize ?? (<T>(step: () => Promise<T>) => step());
  const checked = await serialize(() =>
    inStep('satisfydepends', arg, async () => {
      const c = await checkSourceArg(arg, ctx, opts, out);
      const textCtx = { buildArch: ctx.buildArch, hostArch: ctx.hostArch, profiles: ctx.profiles, explain: !!opts.explain };
      if (c.report.status !== 'ok') {
        process.stderr.write(formatSourceText(c.report, textCtx) + '\n');
        throw new NegativeAnswer(`the build-dependencies of ${c.src.name} ${c.src.version} cannot be satisfied (see above)`);
      }
      out.info(formatSourceText(c.report, textCtx));
      for (const w of c.report.warnings) out.warn(`${c.src.name}: ${w}`);
      await installBuildDeps(c.loaded, c.fv, ctx, opts, out);
      return c;
    }),
  );
  const { src } = checked;
  await ctx.inside?.beforeBuild?.(
    ['Build-Depends', 'Build-Depends-Arch', 'Build-Depends-Indep'].map((f) => src.paragraph.get(f) ?? '').join(', '),
  );
  const provenance = buildDepsRecord(checked.loaded.universe, checked.fv.verdict.install, src, ctx);
  const t1 = Date.now();
  const sourcePath = src.path ?? (await inStep('source', src.name, () => fetchSource(src, out, ctx.inside?.aptEnv)));
  // Inside a chroot the tools must see the source and where the results go, at the same paths.
  if (ctx.inside) {
    const dsc = sourcePath.endsWith('.dsc');
    await ctx.inside.expose([dirname(resolve(sourcePath)), ...(dsc || opts.outputDir ? [resolve(opts.outputDir ?? '.')] : [])]);
  }
  const { runBuild } = await import('./runbuild.js');
  const { toolchainPlanFor } = await import('../adapters/toolchain.js');
  const configured = ctx.unflavoured ? undefined : ctx.session.toolchain();
  const toolchain = await inStep('runbuild', src.name, async () =>
    configured ? toolchainPlanFor(configured, ctx.buildArch, ctx.hostArch, !ctx.inside) : undefined,
  );
  const built = await inStep('runbuild', src.name, () =>
    runBuild({
      ...(toolchain ? { toolchain } : {}),
      source: sourcePath,
      hostArch: ctx.hostArch,
      buildArch: ctx.buildArch,
      profiles: ctx.profiles,
      outputDir: opts.outputDir,
      logDir: opts.logDir ?? ctx.session.buildLogDir,
      rootCommand: ctx.inside ? undefined : ctx.session.rootCmd,
      ...(opts.dropBuildDepends?.length ? { dropBuildDepends: opts.dropBuildDepends } : {}),
      ...(opts.binNMU ? { binNMU: opts.binNMU } : {}),
      wrap: ctx.inside?.wrap,
      ...(ctx.inside?.logFields?.length ? { logFields: ctx.inside.logFields } : {}),
      echo: out.verbose || out.tty,
      info: (m) => out.info(m),
      warn: (m) => out.warn(m),
      program: 'xdeb-build',
    }),
  );
  const t2 = Date.now();
  // What it was built against, and from where, beside its results (xdeb-sequence --verify reads it).
  writeFileSync(join(dirname(built.changes), BUILD_DEPS_FILE), JSON.stringify(provenance, null, 1) + '\n');
  const result: BuildOneResult = {
    source: built.source,
    version: built.version,
    buildArch: built.buildArch,
    hostArch: built.hostArch,
    profiles: built.profiles,
    changes: built.changes,
    log: built.log,
    ...(built.flavour ? { flavour: built.flavour } : {}),
    ...(ctx.inside?.compileJobs ? { icecream: ctx.inside.compileJobs() } : {}),
    seconds: {
      satisfydepends: (t1 - t0) / 1000,
      runbuild: (t2 - t1) / 1000,
      dpkgBuildpackage: built.dpkgBuildpackageSeconds,
      putresult: 0,
    },
  };
  if (opts.publish !== false) {
    const { publishAndUpload } = await import('./publish.js');
    const pub = await inStep('putresult', src.name, () =>
      publishAndUpload(ctx.session, {
        files: [built.changes],
        profiles: built.profiles,
        keepVersions: opts.keepVersions,
        ...(opts.bootstrap ? { bootstrap: opts.bootstrap } : {}),
        runUploads: true,
        uploadsOnlyWhenConfigured: true,
      }),
    );
    result.repository = pub.repo;
    result.suite = pub.result.suites[0];
    // A failed upload is reported and stays queued; the build stands.
    const up = pub.uploads;
    if (up)
      result.uploads = {
        queued: up.queued.length,
        uploaded: up.outcomes.filter((x) => x.status === 'uploaded').length,
        failed: up.outcomes.filter((x) => x.status === 'failed').length,
        pending: up.pending,
      };
    result.seconds.putresult = (Date.now() - t2) / 1000;
    out.info(`${built.source} ${built.version}: published to ${pub.repo} (suite ${result.suite})`);
  }
  const s = result.seconds;
  const total = s.satisfydepends + s.runbuild + s.putresult;
  // Where the time went, for whoever builds many times a day: what xdeb adds around dpkg-buildpackage.
  out.debug(
    `${built.source} ${built.version}: ${total.toFixed(1)} s — satisfydepends ${s.satisfydepends.toFixed(1)}, runbuild ${s.runbuild.toFixed(1)} (dpkg-buildpackage ${s.dpkgBuildpackage.toFixed(1)}), putresult ${s.putresult.toFixed(1)}; outside dpkg-buildpackage ${(total - s.dpkgBuildpackage).toFixed(1)} s`,
  );
  return result;
}

/** The packages a build's build-dependencies installed (or found installed), each with the repository it came from. */
function buildDepsRecord(u: Universe, install: readonly BinaryPackage[], src: SourceInput, ctx: BuildContext): BuildDepsRecord {
  const installed: InstalledDep[] = install
    .filter((p) => !p.crossConverted)
    .map((p) => {
      if (p.installed) return { package: p.name, arch: p.arch, version: p.version, source: p.source, from: 'present', origin: 'installed' };
      // The instance apt installs: from the highest-pinned origin offering the version (installTargets' choice).
      const o = [p.origin, ...(p.alsoFrom ?? [])].map((i) => u.origins[i]!).reduce((a, b) => (b.priority > a.priority ? b : a));
      const suite = o.kind === 'local' && p.filename ? /^pool\/([^/]+)\//.exec(p.filename)?.[1] : undefined;
      return {
        package: p.name,
        arch: p.arch,
        version: p.version,
        source: p.source,
        from: o.kind === 'local' ? 'local' : o.kind === 'file' ? 'file' : 'remote',
        ...(suite ? { suite } : {}),
        origin: o.label,
      };
    });
  return { format: 1, source: src.name, version: src.version, hostArch: ctx.hostArch, chroot: !!ctx.inside, installed };
}

/** Build each source in order; stop at the first failure (later ones may need it). */
export async function runBuilds(session: Session, input: BuildInput): Promise<BuildOneResult[]> {
  const ctx = buildContext(session);
  const results: BuildOneResult[] = [];
  for (const arg of input.sources) results.push(await buildOne(arg, ctx, input, session.out));
  return results;
}
