// One build, start to end: find the source (a tree, or a .dsc to unpack), check its
// build-dependencies, run dpkg-buildpackage with a log, move the results, and check that every
// ELF file of the built .debs is for the host architecture. xdeb-runbuild and xdeb-build call
// runBuild() (xdeb-runbuild through runBuildIn(), with the session's settings); it throws the typed errors (NegativeAnswer for a failed
// build or a wrong binary,
// InputError for a bad source, EnvironmentError for missing build-dependencies or tools).

import { copyFile, mkdtemp, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseChanges, parseDsc } from '../lib/changes.js';
import { parseSingleParagraph } from '../lib/deb822.js';
import { EnvironmentError, InputError, Interrupted, NegativeAnswer, UsageError } from '../lib/errors.js';
import { binNmuEntry, binNmuVersion } from '../lib/binnmu.js';
import { buildsBinaries, changesFileName, formatLogHead, formatLogTail, logFileName, planBuild } from '../lib/runbuild-plan.js';
import { checkElfArch } from '../adapters/deb-contents.js';
import { closeLog, logWrite, openLog, readChangelog, runStreamed, unmetBuildDeps, unpackDsc } from '../adapters/dpkg-buildpackage.js';
import type { CommandWrap } from '../adapters/inside.js';
import type { ToolchainPlan } from '../lib/toolchain.js';
import { parseProfileList } from '../lib/local-repo-layout.js';
import { toolchainPlanFor } from '../adapters/toolchain.js';
import type { Session } from './session.js';

export interface RunBuildOptions {
  /** A source tree or a .dsc. */
  source: string;
  hostArch: string;
  buildArch: string;
  /** Profiles; undefined: cross,nocheck for a cross build, none for a native one. */
  profiles?: readonly string[];
  /** dpkg-buildpackage --build; undefined: any (cross) or binary (native). */
  buildType?: string;
  outputDir?: string;
  /** The log file; default: <outputDir or logDir>/<source>_<version>_<host>.build. */
  log?: string;
  logDir?: string;
  rootCommand?: string;
  checkBuilddeps?: boolean;
  /** Build-dependencies the build goes without (--drop-build-depends): dpkg's check is skipped (-d), and the log says which. */
  dropBuildDepends?: readonly string[];
  /** Build binNMU N of the source (a .dsc only): version +bN, binary-only (lib/binnmu.ts). */
  binNMU?: number;
  elfCheck?: boolean;
  elfAllow?: readonly string[];
  keepTree?: boolean;
  /** Copy the build's output to stderr as it comes. */
  echo?: boolean;
  info?: (m: string) => void;
  warn?: (m: string) => void;
  /** The program name for the log head. */
  program?: string;
  /** Run the Debian tools inside a chroot session (xdeb-build --chroot). */
  wrap?: CommandWrap;
  /** Further fields of the log's head (a chroot session's native tools). */
  logFields?: readonly (readonly [string, string])[];
  /** A flavoured toolchain (docs/toolchains.md): its compiler and flags, recorded in the log and the .changes, and its ISA check. */
  toolchain?: ToolchainPlan;
}

export interface RunBuildResult {
  source: string;
  version: string;
  buildArch: string;
  hostArch: string;
  profiles: string[];
  buildType: string;
  /** Absolute path of the .changes. */
  changes: string;
  log: string;
  seconds: number;
  /** Of those, dpkg-buildpackage's own. */
  dpkgBuildpackageSeconds: number;
  elfFilesChecked: number;
  /** With a toolchain: its flavour, and what the ISA check looked at. */
  flavour?: string;
  isa?: { limit: string; elfFiles: number; checkable: number };
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Check a .dsc before dpkg-source sees it: plain names, files present. */
async function checkDsc(dsc: string): Promise<{ source: string; version: string }> {
  let text: string;
  try {
    text = await readFile(dsc, 'utf8');
  } catch (e) {
    throw new InputError((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message, { file: dsc });
  }
  const up = parseDsc(parseSingleParagraph(text, { file: dsc }), dsc);
  for (const f of up.files) {
    try {
      await stat(join(dirname(dsc), f.name));
    } catch {
      throw new InputError(`'${f.name}' is listed but not found beside the .dsc`, { file: dsc, line: f.line });
    }
  }
  return { source: up.source, version: up.version };
}

/** Move a file, also across file systems. */
async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await copyFile(from, to);
    await unlink(from);
  }
}

/** The last lines of a text, for a failure message. */
async function tail(file: string, lines: number): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines);
  } catch {
    return [];
  }
}

export async function runBuild(o: RunBuildOptions): Promise<RunBuildResult> {
  const info = o.info ?? (() => {});
  const started = Date.now();
  const plan = planOf(o);
  const { tree, workDir, outputDir } = await findTree(o, info);
  if (o.binNMU) await makeBinNmu(o, tree, workDir, info);
  const { source, version } = await readChangelog(tree, o.wrap);
  const logPath = resolve(o.log ?? join(o.logDir ?? outputDir, logFileName(source, version, o.hostArch)));
  const b: Build = { o, info, started, plan, tree, workDir, outputDir, source, version, logPath };
  if (checksBuildDeps(o)) await requireBuildDeps(b);

  const command = dpkgBuildpackageCommand(b);
  const log = await openLog(logPath);
  const env = buildEnvironment(b);
  await writeLogHead(b, log, command);
  info(
    `building ${source} ${version} for ${o.hostArch}${plan.profiles.length ? ` with profiles ${plan.profiles.join(',')}` : ''}; log: ${logPath}`,
  );
  const dpkgStarted = Date.now();
  const run = await runDpkgBuildpackage(b, log, command, env);
  b.dpkgSeconds = (Date.now() - dpkgStarted) / 1000;
  const seconds = (Date.now() - started) / 1000;
  await endUnlessBuilt(b, log, run, seconds);

  const fail = failBuilt(b, log, seconds);
  const { changes, files } = await collectResults(b, fail);
  const elfFilesChecked = await checkElf(b, log, files, fail);
  const isa = await checkToolchainIsa(b, log, files, fail);
  await finishBuild(b, log);
  return buildResult(b, changes, elfFilesChecked, isa);
}

/** One build under way: what the steps of runBuild share. */
interface Build {
  o: RunBuildOptions;
  info: (m: string) => void;
  /** Date.now() at the start. */
  started: number;
  plan: ReturnType<typeof planBuild>;
  /** The source tree dpkg-buildpackage runs in. */
  tree: string;
  /** The temporary directory a .dsc is unpacked in. */
  workDir: string | undefined;
  outputDir: string;
  source: string;
  version: string;
  logPath: string;
  /** How long dpkg-buildpackage ran. */
  dpkgSeconds?: number;
}

type BuildLog = Awaited<ReturnType<typeof openLog>>;
type BuildRun = Awaited<ReturnType<typeof runStreamed>>;
type ResultFiles = ReturnType<typeof parseChanges>['files'];
/** Ends a build that dpkg-buildpackage finished, as failed (see failBuilt). */
type Fail = (reason: string, details: string[]) => Promise<never>;

/** dpkg-buildpackage's arguments, profiles and environment for these options. */
function planOf(o: RunBuildOptions): ReturnType<typeof planBuild> {
  return planBuild({
    buildArch: o.buildArch,
    hostArch: o.hostArch,
    profiles: o.profiles,
    buildType: o.buildType,
    rootCommand: o.rootCommand,
    noCheckBuilddeps: !checksBuildDeps(o),
    buildOptions: process.env.DEB_BUILD_OPTIONS,
  });
}

/** dpkg checks the build-dependencies unless told not to, or some are dropped (it would find them missing). */
function checksBuildDeps(o: RunBuildOptions): boolean {
  return o.checkBuilddeps !== false && !o.dropBuildDepends?.length;
}

/** Prepend a binNMU's changelog entry to a tree unpacked from a .dsc (a given tree is not changed). */
async function makeBinNmu(o: RunBuildOptions, tree: string, workDir: string | undefined, info: (m: string) => void): Promise<void> {
  if (!workDir) throw new UsageError('a binNMU (--binnmu) is built from a .dsc or a source by name: the given tree is not changed');
  const { source, version, distribution } = await readChangelog(tree, o.wrap);
  const file = join(tree, 'debian/changelog');
  const entry = binNmuEntry({ source, version, n: o.binNMU!, distribution, arch: o.hostArch, date: new Date() });
  await writeFile(file, entry + (await readFile(file, 'utf8')));
  info(`building ${source} as binNMU ${o.binNMU}: version ${binNmuVersion(version, o.binNMU!)}`);
}

/**
 * The tree to build and the output directory: a source tree as it is, or a .dsc unpacked in a temporary directory (workDir) of the output
 * directory.
 */
async function findTree(
  o: RunBuildOptions,
  info: (m: string) => void,
): Promise<{ tree: string; workDir: string | undefined; outputDir: string }> {
  const src = resolve(o.source);
  if (src.endsWith('.dsc')) {
    const { source, version } = await checkDsc(src);
    const outputDir = resolve(o.outputDir ?? '.');
    if (!(await isDir(outputDir))) throw new InputError('the output directory does not exist', { file: outputDir });
    const workDir = await mkdtemp(join(outputDir, `.xdeb-runbuild-${source}-`));
    const tree = join(workDir, `${source}-${version.replace(/^\d+:/, '').replace(/-[^-]*$/, '')}`);
    info(`unpacking ${basename(src)} in ${workDir}`);
    await unpackDsc(src, tree, o.wrap);
    return { tree, workDir, outputDir };
  }
  if (!(await isDir(src))) throw new InputError('not a source tree nor a .dsc', { file: o.source });
  if (!(await isDir(join(src, 'debian')))) throw new InputError('not a source tree: it has no debian/ directory', { file: o.source });
  const outputDir = resolve(o.outputDir ?? dirname(src));
  if (!(await isDir(outputDir))) throw new InputError('the output directory does not exist', { file: outputDir });
  return { tree: src, workDir: undefined, outputDir };
}

/** Refuse the build, before the log is opened, when its build-dependencies are not installed, saying how to install them. */
async function requireBuildDeps(b: Build): Promise<void> {
  const { o, plan, source, version, workDir } = b;
  const unmet = await unmetBuildDeps(b.tree, plan.checkArgs, o.wrap);
  if (unmet !== undefined) {
    if (workDir && !o.keepTree) await rm(workDir, { recursive: true, force: true });
    throw new EnvironmentError(`${source} ${version}: build-dependencies are not installed for ${o.hostArch}: ${unmet}`, [
      `install them first: xdeb-satisfydepends -a ${o.hostArch}${plan.profiles.length ? ` -P ${plan.profiles.join(',')}` : ''} ${o.source}`,
    ]);
  }
}

/** The command line; a toolchain's fields go into the .changes. */
function dpkgBuildpackageCommand(b: Build): string[] {
  const tc = b.o.toolchain;
  const changesOptions = tc ? Object.entries(tc.changesFields).map(([k, v]) => `--changes-option=-D${k}=${v}`) : [];
  return ['dpkg-buildpackage', ...b.plan.args, ...changesOptions];
}

/** The variables the build sets (the plan's, then the toolchain's), and the whole environment with them. */
function buildEnvironment(b: Build): { buildEnv: Record<string, string>; env: NodeJS.ProcessEnv } {
  const buildEnv = { ...b.plan.env, ...(b.o.toolchain?.env ?? {}) };
  const env = { ...process.env, ...buildEnv };
  return { buildEnv, env };
}

async function writeLogHead(b: Build, log: BuildLog, command: string[]): Promise<void> {
  const { o, plan } = b;
  const tc = o.toolchain;
  const extra = [
    ...(tc?.log ?? []),
    ...(o.logFields ?? []),
    ...(o.dropBuildDepends?.length ? [['Dropped Build-Depends', o.dropBuildDepends.join(' ')] as const] : []),
  ];
  await logWrite(
    log,
    formatLogHead({
      program: o.program ?? 'xdeb-runbuild',
      source: b.source,
      version: b.version,
      buildArch: o.buildArch,
      hostArch: o.hostArch,
      profiles: plan.profiles,
      buildType: plan.buildType,
      buildOptions: plan.env.DEB_BUILD_OPTIONS,
      command,
      directory: b.tree,
      time: new Date(b.started),
      ...(extra.length ? { extra } : {}),
    }),
  );
}

/**
 * Run dpkg-buildpackage in the tree (through the chroot session's wrapper when there is one), its output into the log; the log is closed if
 * it cannot be run.
 */
async function runDpkgBuildpackage(
  b: Build,
  log: BuildLog,
  command: string[],
  { buildEnv, env }: ReturnType<typeof buildEnvironment>,
): Promise<BuildRun> {
  const { o, tree } = b;
  try {
    // Inside a session the wrapper sets the build's variables itself (the rest is the session's); the wrapper runs with this process's.
    const argv = o.wrap ? o.wrap(command, { cwd: tree, env: buildEnv }) : command;
    return await runStreamed(argv[0]!, argv.slice(1), { cwd: tree, env: o.wrap ? process.env : env, log, echo: !!o.echo });
  } catch (e) {
    await closeLog(log);
    throw e;
  }
}

/**
 * Throw when dpkg-buildpackage was interrupted (Interrupted) or failed (NegativeAnswer, with the log's last lines unless they were echoed),
 * the log's tail saying so.
 */
async function endUnlessBuilt(b: Build, log: BuildLog, run: BuildRun, seconds: number): Promise<void> {
  const { o, source, version, logPath } = b;
  if (run.interrupted) {
    await logWrite(log, formatLogTail('attempted', seconds, new Date(), `interrupted by ${run.interrupted}`));
    await closeLog(log);
    throw new Interrupted(`${source} ${version} (${o.hostArch}): the build was interrupted (${run.interrupted}); log: ${logPath}`);
  }
  if (run.code !== 0) {
    await logWrite(
      log,
      formatLogTail(
        'failed',
        seconds,
        new Date(),
        `dpkg-buildpackage ${run.signal ? `killed by ${run.signal}` : `exit status ${run.code}`}`,
      ),
    );
    await closeLog(log);
    const last = o.echo ? [] : (await tail(logPath, 25)).slice(0, -4);
    throw new NegativeAnswer(
      `${source} ${version} (${o.hostArch}): the build failed (dpkg-buildpackage ${run.signal ? `killed by ${run.signal}` : `exit status ${run.code}`}); log: ${logPath}`,
      last.length ? ['last lines of the log:', ...last] : [],
    );
  }
}

/**
 * How a build that dpkg-buildpackage finished fails (no .changes, a wrong binary): the log's tail says why, and NegativeAnswer names the
 * log.
 */
function failBuilt(b: Build, log: BuildLog, seconds: number): Fail {
  return async (reason: string, details: string[]): Promise<never> => {
    await logWrite(log, formatLogTail('failed', seconds, new Date(), reason));
    await closeLog(log);
    throw new NegativeAnswer(`${b.source} ${b.version} (${b.o.hostArch}): ${reason}; log: ${b.logPath}`, details);
  };
}

/** The results: the .changes dpkg-genchanges wrote beside the tree, and what it lists, moved to the output directory. */
async function collectResults(b: Build, fail: Fail): Promise<{ changes: string; files: ResultFiles }> {
  const { o, plan, outputDir } = b;
  const resultDir = dirname(b.tree);
  const changesName = changesFileName(b.source, b.version, plan.buildType, o.hostArch);
  const changesAt = join(resultDir, changesName);
  let changesText: string;
  try {
    changesText = await readFile(changesAt, 'utf8');
  } catch {
    return fail(`dpkg-buildpackage did not write ${changesAt}`, []);
  }
  const up = parseChanges(parseSingleParagraph(changesText, { file: changesAt }), changesAt);
  if (resultDir !== outputDir) {
    for (const f of up.files) await move(join(resultDir, f.name), join(outputDir, f.name));
    await move(changesAt, join(outputDir, changesName));
  }
  return { changes: join(outputDir, changesName), files: up.files };
}

/** Every ELF file of the built architecture-dependent packages must be for the host architecture; returns how many were checked. */
async function checkElf(b: Build, log: BuildLog, files: ResultFiles, fail: Fail): Promise<number> {
  const { o, outputDir } = b;
  if (o.elfCheck === false || !buildsBinaries(b.plan.buildType)) return 0;
  const debs = files.filter((f) => /\.u?deb$/.test(f.name) && !/_all\.u?deb$/.test(f.name)).map((f) => join(outputDir, f.name));
  const { checked, mismatches } = await checkElfArch(debs, o.hostArch, o.elfAllow ?? []);
  await logWrite(log, `\nELF check: ${checked} ELF file(s) in ${debs.length} package(s), ${mismatches.length} not for ${o.hostArch}\n`);
  if (mismatches.length) {
    const lines = mismatches.map(
      (m) => `${m.deb}: ${m.path} is ${m.found}${m.archs.length ? ` (for ${m.archs.join(', ')})` : ''}, not ${o.hostArch}`,
    );
    await logWrite(log, lines.map((l) => `  ${l}\n`).join(''));
    return fail(`${mismatches.length} ELF file(s) in the built packages are not for ${o.hostArch}`, [
      ...lines,
      `the results are left in ${outputDir}; do not publish them`,
    ]);
  }
  return checked;
}

/**
 * With a toolchain whose flavour sets an ISA: no ELF file of the built packages may need more; returns what was checked (undefined when
 * nothing was).
 */
async function checkToolchainIsa(b: Build, log: BuildLog, files: ResultFiles, fail: Fail): Promise<RunBuildResult['isa']> {
  const { outputDir } = b;
  const tc = b.o.toolchain;
  if (!tc || !buildsBinaries(b.plan.buildType)) return undefined;
  const debs = files.filter((f) => /\.u?deb$/.test(f.name)).map((f) => join(outputDir, f.name));
  if (!tc.toolchain.isa) {
    await logWrite(log, `\nISA check: the flavour ${tc.toolchain.flavour} sets no isa (nor -march=): not checked\n`);
    return undefined;
  }
  const { checkIsa } = await import('../adapters/elf-isa.js');
  const r = await checkIsa(debs, tc.toolchain.isa);
  const isa = { limit: tc.toolchain.isa.text, elfFiles: r.elfFiles, checkable: r.checkable };
  await logWrite(
    log,
    `\nISA check (flavour ${tc.toolchain.flavour}, at most ${tc.toolchain.isa.text}): ${r.elfFiles} ELF file(s), ${r.checkable} recording their instruction set, ${r.excess.length} needing more\n` +
      (r.elfFiles > 0 && r.checkable === 0
        ? `  none of them records its instruction set (AArch64 objects do not): nothing to check\n`
        : ''),
  );
  if (r.excess.length) {
    const lines = r.excess.flatMap((x) => x.reasons.map((why) => `${x.deb}: ${x.path} ${why}`));
    await logWrite(log, lines.map((l) => `  ${l}\n`).join(''));
    return fail(`${r.excess.length} ELF file(s) need more than the flavour ${tc.toolchain.flavour} allows (${tc.toolchain.isa.text})`, [
      ...lines,
      `the results are left in ${outputDir}; do not publish them`,
    ]);
  }
  return isa;
}

/** The log's tail for a successful build; the unpacked tree removed unless it is to be kept. */
async function finishBuild(b: Build, log: BuildLog): Promise<void> {
  await logWrite(log, formatLogTail('successful', (Date.now() - b.started) / 1000, new Date()));
  await closeLog(log);
  if (b.workDir && !b.o.keepTree) await rm(b.workDir, { recursive: true, force: true });
  else if (b.workDir) b.info(`the source tree is kept in ${b.tree}`);
}

function buildResult(b: Build, changes: string, elfFilesChecked: number, isa: RunBuildResult['isa']): RunBuildResult {
  const { o, plan } = b;
  const tc = o.toolchain;
  return {
    source: b.source,
    version: b.version,
    buildArch: o.buildArch,
    hostArch: o.hostArch,
    profiles: plan.profiles,
    buildType: plan.buildType,
    changes,
    log: b.logPath,
    seconds: Math.round((Date.now() - b.started) / 100) / 10,
    dpkgBuildpackageSeconds: Math.round((b.dpkgSeconds ?? 0) * 10) / 10,
    elfFilesChecked,
    ...(tc ? { flavour: tc.toolchain.flavour } : {}),
    ...(isa ? { isa } : {}),
  };
}

/** xdeb-runbuild: what to build and how to check it. */
export interface RunbuildInput {
  /** A source tree or a .dsc. */
  source: string;
  /** dpkg-buildpackage --build (default: any for a cross build, binary for a native one). */
  buildType?: string;
  outputDir?: string;
  log?: string;
  checkBuilddeps: boolean;
  elfCheck: boolean;
  elfAllow: string[];
  keepTree: boolean;
}

/** xdeb-runbuild: one build with the session's architectures, profiles, toolchain, log directory and root command. */
export async function runBuildIn(session: Session, input: RunbuildInput): Promise<RunBuildResult> {
  const { out, buildArch, hostArch } = session;
  // The configured profiles are for cross builds; a native build has none unless given.
  const profiles = session.profilesGiven || hostArch !== buildArch ? parseProfileList(session.profiles) : undefined;
  const configured = session.toolchain();
  const toolchain = configured ? toolchainPlanFor(configured, buildArch, hostArch) : undefined;
  return runBuild({
    ...(toolchain ? { toolchain } : {}),
    source: input.source,
    hostArch,
    buildArch,
    profiles,
    buildType: input.buildType,
    outputDir: input.outputDir,
    log: input.log,
    logDir: session.buildLogDir,
    rootCommand: session.rootCmd,
    checkBuilddeps: input.checkBuilddeps,
    elfCheck: input.elfCheck,
    elfAllow: input.elfAllow,
    keepTree: input.keepTree,
    echo: !out.quiet && (out.tty || out.verbose),
    info: (m) => out.info(m),
    warn: (m) => out.warn(m),
  });
}
