// xdeb compare-builds A B, and xdeb-build --compare: two builds of one source (each a .changes,
// its files verified, or a directory of .debs), their binary packages read and compared
// (lib/deb-compare), the differences classified and printed; exit 0 equivalent, 1 different.

import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { compareBuilds, formatComparison, type BuildComparison, type DebFacts } from '../lib/deb-compare.js';
import { EnvironmentError, EXIT, InputError, NegativeAnswer, UsageError } from '../lib/errors.js';
import type { Output } from '../ui/output.js';
import type { BuildOneResult, BuildOptions } from './build.js';
import type { Session } from './session.js';
import { debFacts } from '../adapters/deb-facts.js';
import { runTool } from '../adapters/run-tool.js';

export interface CompareInput {
  a: string;
  b: string;
  /** Run diffoscope on each differing package pair, its HTML into this directory. */
  diffoscope?: string;
}

/** The .debs of one side: a .changes (its files checked against their checksums) or a directory of .debs. */
export async function debsOf(arg: string): Promise<string[]> {
  const path = resolve(arg);
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new InputError('no such file or directory', { file: arg });
  }
  if (st.isDirectory()) {
    const debs = readdirSync(path)
      .filter((f) => /\.u?deb$/.test(f))
      .sort()
      .map((f) => join(path, f));
    if (!debs.length) throw new InputError('the directory has no .deb files', { file: arg });
    return debs;
  }
  if (!path.endsWith('.changes') && !/\.u?deb$/.test(path))
    throw new InputError('expected a .changes file, a .deb or a directory of .debs', { file: arg });
  const { readResults } = await import('../adapters/build-results.js');
  let sets;
  try {
    sets = await readResults([path]);
  } catch (e) {
    // A file that fails its checksum is bad input here, not a "different" answer.
    if (e instanceof NegativeAnswer) throw new InputError('its files do not match their checksums', { file: arg }, e.details);
    throw e;
  }
  const debs = sets.flatMap((s) => s.files.filter((f) => f.kind === 'deb' || f.kind === 'udeb').map((f) => f.path));
  if (!debs.length) throw new InputError('it lists no binary packages', { file: arg });
  return debs;
}

async function readSide(label: string, debs: readonly string[]): Promise<DebFacts[]> {
  const out: DebFacts[] = [];
  for (const d of debs) out.push(await debFacts(d));
  const sources = [...new Set(out.map((d) => d.source))];
  if (sources.length > 1) throw new InputError(`it holds packages of several sources (${sources.join(', ')})`, { file: label });
  return out;
}

/** Two builds of one source and architecture, else a usage error naming what differs. */
function checkComparable(a: DebFacts[], b: DebFacts[], la: string, lb: string): void {
  const sa = a[0]!.source;
  const sb = b[0]!.source;
  if (sa !== sb) throw new UsageError(`${la} is a build of ${sa}, ${lb} of ${sb}: compare two builds of one source`);
  const archs = (xs: DebFacts[]) => [...new Set(xs.map((d) => d.arch).filter((x) => x !== 'all'))].sort().join(',');
  const [xa, xb] = [archs(a), archs(b)];
  if (xa && xb && xa !== xb) throw new UsageError(`${la} is for ${xa}, ${lb} for ${xb}: compare two builds for one architecture`);
}

export async function compareBuildPaths(
  la: string,
  debsA: readonly string[],
  lb: string,
  debsB: readonly string[],
  opts: { diffoscope?: string } = {},
): Promise<BuildComparison> {
  const [a, b] = [await readSide(la, debsA), await readSide(lb, debsB)];
  checkComparable(a, b, la, lb);
  const c = compareBuilds({ label: la, debs: a }, { label: lb, debs: b });
  if (opts.diffoscope && !c.equivalent) await drillDown(c, a, b, opts.diffoscope);
  return c;
}

/** diffoscope on each pair of packages that differ, an HTML page each. */
async function drillDown(c: BuildComparison, a: DebFacts[], b: DebFacts[], dir: string): Promise<void> {
  if ((await runTool('sh', ['-c', 'command -v diffoscope'])).code !== 0)
    throw new EnvironmentError('--diffoscope needs diffoscope, which is not installed (install the diffoscope package)');
  mkdirSync(dir, { recursive: true });
  for (const pkg of new Set(c.differences.filter((d) => d.class !== 'package').map((d) => d.package))) {
    const fa = a.find((d) => d.package === pkg)!.file;
    const fb = b.find((d) => d.package === pkg)!.file;
    await runTool('diffoscope', ['--html', join(dir, `${pkg}.html`), fa, fb]);
  }
}

export async function runCompareBuilds(input: CompareInput, out: Output): Promise<number> {
  const c = await compareBuildPaths(input.a, await debsOf(input.a), input.b, await debsOf(input.b), {
    ...(input.diffoscope ? { diffoscope: input.diffoscope } : {}),
  });
  printComparison(c, out, input.diffoscope);
  return c.equivalent ? EXIT.ok : EXIT.no;
}

export function printComparison(c: BuildComparison, out: Output, diffoscope?: string): void {
  if (out.json) out.jsonData(c);
  else {
    out.data(formatComparison(c).trimEnd());
    if (diffoscope && !c.equivalent) out.data(`diffoscope's pages: ${diffoscope}/PACKAGE.html`);
  }
}

/**
 * The repositories' build of the same binary packages at the same versions, downloaded with apt into
 * a temporary directory (for xdeb-build --compare archive). A version they do not have is an InputError.
 */
export async function downloadArchiveBuild(debs: readonly DebFacts[]): Promise<{ dir: string; debs: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'xdeb-archive-'));
  const wanted = debs.filter((d) => !/-dbg(sym)?$/.test(d.package));
  const specs = wanted.map((d) => `${d.package}:${d.arch}=${d.version}`);
  const r = await runTool('apt-get', ['download', '-q', ...specs], { cwd: dir });
  if (r.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    const missing = [
      ...r.stderr.matchAll(
        /(?:Version '([^']+)' for '([^']+)' was not found|Unable to locate package (\S+)|Can't select candidate version from package (\S+))/g,
      ),
    ].map((m) => (m[2] ? `${m[2]} ${m[1]}` : (m[3] ?? m[4])!));
    if (missing.length)
      throw new InputError(
        `the repositories in use do not have ${missing.join(', ')} (the archive's build of ${wanted[0]?.source} ${wanted[0]?.version ?? ''} is needed to compare with)`,
      );
    throw new EnvironmentError(`apt-get download failed: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
  }
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.deb'))
    .map((f) => join(dir, f));
  return { dir, debs: files };
}

/** A label for a side: the file or directory as given, shortened to its name when it is long. */
export function sideLabel(p: string): string {
  return p.length > 60 ? basename(p) : p;
}

/** What xdeb-build --compare compares a build with: the repositories' build ('archive') or a native build in this (emulated) chroot. */
export type CompareReference = { kind: 'archive' } | { kind: 'chroot'; name: string };

/**
 * A build compared with its reference: the repositories' packages of the same versions (udebs are
 * not in apt's indexes: left out), or the same source built natively in an emulated chroot.
 */
export async function compareWithReference(
  session: Session,
  build: BuildOneResult,
  arg: string,
  ref: CompareReference,
  opts: BuildOptions,
): Promise<BuildComparison> {
  const ours = await debsOf(build.changes);
  const debs = ours.filter((d) => d.endsWith('.deb'));
  if (ref.kind === 'archive') {
    const facts = [];
    for (const d of debs) facts.push(await debFacts(d));
    const got = await downloadArchiveBuild(facts);
    try {
      const c = await compareBuildPaths(sideLabel(build.changes), debs, `the repositories (${build.version})`, got.debs);
      const udebs = ours.filter((d) => d.endsWith('.udeb')).map((d) => basename(d).replace(/_.*/, ''));
      if (udebs.length) c.ignored.push(...udebs.map((u) => `${u} (udeb: not in apt's indexes)`));
      return c;
    } finally {
      rmSync(got.dir, { recursive: true, force: true });
    }
  }
  // A native build of the same source in the emulated chroot: its own session, not published, into a directory of its own.
  const { reopenSession } = await import('./session.js');
  const { buildOne } = await import('./build.js');
  const { buildContext } = await import('./satisfy.js');
  const native = reopenSession(session, { chroot: ref.name, hostArch: build.hostArch });
  const la = sideLabel(build.changes);
  const lb = `native in ${ref.name}`;
  const a = await readSide(la, debs);
  const dir = mkdtempSync(join(tmpdir(), `xdeb-native-${build.source}-`));
  session.out.info(`building ${build.source} ${build.version} natively in the chroot ${ref.name}, to compare with`);
  try {
    // A source tree is built from a copy: its build writes beside the tree, where the cross build's results (same names) are.
    let from = arg;
    if (existsSync(arg) && statSync(arg).isDirectory()) {
      from = join(dir, 'src', basename(resolve(arg)));
      cpSync(arg, from, { recursive: true });
    }
    const out = join(dir, 'out');
    mkdirSync(out);
    const r = await buildOne(from, buildContext(native), { ...opts, publish: false, outputDir: out, logDir: out }, session.out);
    const b = await readSide(
      lb,
      (await debsOf(r.changes)).filter((d) => d.endsWith('.deb')),
    );
    checkComparable(a, b, la, lb);
    return compareBuilds({ label: la, debs: a }, { label: lb, debs: b });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
