// xdeb's resolver against the reference tools on the Multi-Arch rules (DESIGN §3, rules 8–16, and
// the disagreements of rule 16). Each case is a tiny archive: Packages for amd64 and arm64 (arch:all
// in both, as in Debian), one source. apt, dose-builddebcheck and dpkg-checkbuilddeps are asked live
// when they are installed; their verdicts are also committed in test/fixtures/conformance/cases.json,
// so that xdeb is checked against them everywhere. docs/conformance.md prints the same table.
//
// Re-record the fixture from the tools:  XDEB_CONFORMANCE_RECORD=1 npx vitest run test/lib/conformance.test.ts
// Rewrite the table in the docs:         XDEB_CONFORMANCE_DOCS=1 npx vitest run test/lib/conformance.test.ts

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateApt } from '../../src/adapters/private-apt.js';
import { runTool } from '../../src/adapters/run-tool.js';
import { BuildChecker, type SourceVerdict } from '../../src/lib/build-check.js';
import { parseDeb822 } from '../../src/lib/deb822.js';
import { DependencyIndex } from '../../src/lib/installability.js';
import type { ResolverMode } from '../../src/lib/multiarch.js';
import { Universe } from '../../src/lib/universe.js';
import { have } from '../support/cli.js';
import { sourceStanza, stanza } from '../support/universe.js';

type Verdict = 'ok' | 'broken';
type Tool = 'apt' | 'dose' | 'dpkg';
const TOOLS: Tool[] = ['apt', 'dose', 'dpkg'];

interface Case {
  id: string;
  rule: number;
  title: string;
  /** Packages stanzas in the short form of test/support/universe.ts: 'name arch version [ma] [essential] | Field: …; …'. */
  packages: string[];
  /** 'name:arch' of packages installed before the build (besides the build arch's Essential set). */
  installed?: string[];
  source: Record<string, string>;
  /** What the tools answered (recorded live). */
  expect: Record<Tool, Verdict>;
  /** What `apt-get -s -a arm64 satisfy` answered on the same fields, when it differs from build-dep. */
  aptSatisfy?: Verdict;
  /** What apt would install (name:arch, sorted), when it can. */
  aptInstalls?: string[];
  /** The installed state in which dpkg-checkbuilddeps was satisfied (name:arch). */
  dpkgState?: string[];
  /** Where xdeb knowingly answers otherwise than the tool its mode follows, and why. */
  xdeb?: Partial<Record<Tool, Verdict>>;
  deviation?: string;
  /** Why the tools disagree, for the docs. */
  note?: string;
}

interface Fixture {
  about: string;
  base: string[];
  cases: Case[];
}

const FIXTURE = new URL('../fixtures/conformance/cases.json', import.meta.url);
const DOCS = new URL('../../docs/conformance.md', import.meta.url);
const fixture: Fixture = JSON.parse(readFileSync(FIXTURE, 'utf8'));
const cases = fixture.cases;
const BUILD = 'amd64';
const HOST = 'arm64';
const PROFILES = ['cross', 'nocheck'];

// ---------------------------------------------------------------------------------------------
// The case as packages

interface Pkg {
  line: string;
  name: string;
  arch: string;
  version: string;
  essential: boolean;
}

function pkgOf(line: string): Pkg {
  const [name, arch, version, ...flags] = line.split('|')[0]!.trim().split(/\s+/) as [string, string, string, ...string[]];
  return { line, name, arch, version, essential: flags.includes('essential') };
}

function universeLines(c: Case): Pkg[] {
  return [...fixture.base, ...c.packages].map(pkgOf);
}

/** Installed before the build: the build arch's Essential set, and what the case says. */
function installedLines(c: Case): Pkg[] {
  const all = universeLines(c);
  const out = all.filter((p) => p.essential && (p.arch === BUILD || p.arch === 'all'));
  for (const ref of c.installed ?? []) {
    const p = all.find((q) => `${q.name}:${q.arch}` === ref);
    if (!p) throw new Error(`${c.id}: installed ${ref} is not one of its packages`);
    out.push(p);
  }
  return out;
}

const META = 'Maintainer: xdeb tests <tests@example.org>\nDescription: conformance case\n';
const statusText = (pkgs: Pkg[], status: string) => pkgs.map((p) => `${stanza(p.line)}Status: install ok ${status}\n${META}`).join('\n');

function sourceControl(c: Case): string {
  return Object.entries(c.source)
    .map(([k, v]) => `${k}: ${v}\n`)
    .join('');
}

// ---------------------------------------------------------------------------------------------
// xdeb

/** xdeb's verdict in a mode: apt and dpkg see what is installed, dose (which has no such notion) does not. */
function xdebCheck(c: Case, mode: ResolverMode, withStatus = mode !== 'dose'): SourceVerdict {
  const u = new Universe();
  const o = u.addOrigin({ label: c.id, file: 'Packages', kind: 'file', priority: 500 });
  for (const p of parseDeb822(
    universeLines(c)
      .map((p) => stanza(p.line))
      .join('\n'),
    { file: 'Packages' },
  ))
    u.addBinary(p, o);
  if (withStatus) {
    const so = u.addOrigin({ label: 'status', file: 'status', kind: 'status', priority: 100 });
    const text = statusText(installedLines(c), 'installed');
    if (text) for (const p of parseDeb822(text, { file: 'status' })) u.addBinary(p, so, { installed: true });
  }
  const checker = new BuildChecker(new DependencyIndex(u, { buildArch: BUILD, hostArch: HOST, mode }));
  // apt build-dep and dpkg-checkbuilddeps add build-essential:native; dose also adds
  // crossbuild-essential-arm64:native (xdeb's implicit set 'dose').
  return checker.check(sourceStanza(c.source), {
    buildArch: BUILD,
    hostArch: HOST,
    profiles: new Set(PROFILES),
    arch: true,
    indep: false,
    implicit: mode === 'dose' ? 'dose' : 'build-essential',
  });
}

const verdictOf = (v: SourceVerdict): Verdict | 'unknown' => (v.status === 'ok' ? 'ok' : v.status === 'broken' ? 'broken' : 'unknown');
const expectedXdeb = (c: Case, tool: Tool): Verdict => c.xdeb?.[tool] ?? c.expect[tool];
const newlyInstalled = (v: SourceVerdict) =>
  v.install
    .filter((p) => !p.installed)
    .map((p) => `${p.name}:${p.arch}`)
    .sort();

// ---------------------------------------------------------------------------------------------
// The reference tools, live

interface Observation {
  apt: Verdict;
  aptSatisfy: Verdict;
  aptInstalls: string[];
  dose: Verdict;
  dpkg: Verdict;
  dpkgState?: string[];
  dpkgStates: number;
}

async function mustRun(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; codes?: number[] } = {}) {
  const r = await runTool(cmd, args, { env: opts.env });
  if (!(opts.codes ?? [0]).includes(r.code)) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  return r;
}

interface CaseFiles {
  dir: string;
  repo: string;
  packages: Record<string, string>;
  sources: string;
  srcdir: string;
  status: string;
}

/** A real apt repository (Release by apt-ftparchive), a source tree, and the status apt starts from. */
async function writeCase(c: Case, dir: string): Promise<CaseFiles> {
  const repo = join(dir, 'repo');
  const dist = join(repo, 'dists/conformance');
  const packages: Record<string, string> = {};
  for (const arch of [BUILD, HOST]) {
    const d = join(dist, `main/binary-${arch}`);
    mkdirSync(d, { recursive: true });
    const text = universeLines(c)
      .filter((p) => p.arch === arch || p.arch === 'all')
      .map((p) => `${stanza(p.line)}Filename: pool/main/${p.name}_${p.version}_${p.arch}.deb\nSize: 1000\n${META}`)
      .join('\n');
    writeFileSync((packages[arch] = join(d, 'Packages')), text);
  }
  mkdirSync(join(dist, 'main/source'), { recursive: true });
  const sources = join(dist, 'main/source/Sources');
  writeFileSync(
    sources,
    `Package: demo\nVersion: 1.0-1\nArchitecture: any\nBinary: demo\nDirectory: pool/main/d/demo\n${sourceControl(c)}Files:\n d41d8cd98f00b204e9800998ecf8427e 0 demo_1.0-1.dsc\n`,
  );
  const rel = await mustRun('apt-ftparchive', [
    '-o',
    'APT::FTPArchive::Release::Suite=conformance',
    '-o',
    'APT::FTPArchive::Release::Codename=conformance',
    '-o',
    `APT::FTPArchive::Release::Architectures=${BUILD} ${HOST}`,
    '-o',
    'APT::FTPArchive::Release::Components=main',
    'release',
    dist,
  ]);
  writeFileSync(join(dist, 'Release'), rel.stdout);
  const srcdir = join(dir, 'demo');
  mkdirSync(join(srcdir, 'debian'), { recursive: true });
  writeFileSync(
    join(srcdir, 'debian/control'),
    `Source: demo\n${sourceControl(c)}\nPackage: demo\nArchitecture: any\nDescription: conformance case\n`,
  );
  const status = join(dir, 'status');
  writeFileSync(status, statusText(installedLines(c), 'installed'));
  return { dir, repo, packages, sources, srcdir, status };
}

/**
 * apt-get build-dep on the source tree: apt turns the build-dependencies into the Depends and
 * Conflicts of a pseudo package of the host arch and adds build-essential:native, as a build does.
 * `apt-get satisfy` is run too (on Build-Depends* and "Conflicts: " Build-Conflicts*) for the docs.
 */
async function aptVerdict(c: Case, f: CaseFiles): Promise<Pick<Observation, 'apt' | 'aptSatisfy' | 'aptInstalls'>> {
  const apt = new PrivateApt({
    dir: join(f.dir, 'apt'),
    buildArch: BUILD,
    foreignArchs: [HOST],
    sources: [`deb [trusted=yes] file:${f.repo} conformance main`],
    status: f.status,
  });
  await apt.update();
  const common = ['-s', '-a', HOST, '-P', PROFILES.join(','), '--no-install-recommends'];
  const bd = await apt.run('apt-get', [...common, '--arch-only', 'build-dep', f.srcdir]);
  if (bd.code !== 0 && bd.code !== 100) throw new Error(`apt-get build-dep: exit ${bd.code}\n${bd.stderr}`);
  const deps = ['Build-Depends', 'Build-Depends-Arch']
    .map((k) => c.source[k])
    .filter(Boolean)
    .join(', ');
  const conflicts = ['Build-Conflicts', 'Build-Conflicts-Arch']
    .map((k) => c.source[k])
    .filter(Boolean)
    .join(', ');
  const sat = await apt.run('apt-get', [...common, 'satisfy', ...(deps ? [deps] : []), ...(conflicts ? [`Conflicts: ${conflicts}`] : [])]);
  if (sat.code !== 0 && sat.code !== 100) throw new Error(`apt-get satisfy: exit ${sat.code}\n${sat.stderr}`);
  // 'Inst libfoo-dev:arm64 (1.0 conformance [arm64])'
  const aptInstalls = [...bd.stdout.matchAll(/^Inst (\S+?)(?::\S+)? .*\[(\S+)\]\)/gm)].map((m) => `${m[1]}:${m[2]}`).sort();
  return { apt: bd.code === 0 ? 'ok' : 'broken', aptSatisfy: sat.code === 0 ? 'ok' : 'broken', aptInstalls };
}

/** dose-builddebcheck as the archive-wide run does it (bench/satisfiability.mjs). */
async function doseVerdict(f: CaseFiles): Promise<Verdict> {
  const r = await mustRun(
    'dose-builddebcheck',
    [
      `--deb-native-arch=${BUILD}`,
      `--deb-host-arch=${HOST}`,
      '--deb-drop-b-d-indep',
      `--deb-profiles=${PROFILES.join(',')}`,
      '-f',
      '-s',
      f.packages[BUILD]!,
      f.packages[HOST]!,
      f.sources,
    ],
    { codes: [0, 1] },
  );
  const m = /status: (ok|broken)/.exec(r.stdout);
  if (!m) throw new Error(`dose-builddebcheck said nothing about the source:\n${r.stdout}${r.stderr}`);
  return m[1] as Verdict;
}

/** An admin directory for dpkg holding `pkgs` with the given status; returns its path. */
function dpkgAdmin(parent: string, pkgs: Pkg[], status: string): string {
  const admin = mkdtempSync(join(parent, 'dpkg-'));
  for (const d of ['info', 'updates', 'root']) mkdirSync(join(admin, d));
  writeFileSync(join(admin, 'arch'), `${BUILD}\n${HOST}\n`);
  writeFileSync(join(admin, 'status'), statusText(pkgs, status));
  return admin;
}

async function checkbuilddeps(f: CaseFiles, admin: string) {
  return mustRun(
    'dpkg-checkbuilddeps',
    ['-a', HOST, '-P', PROFILES.join(','), '-B', `--admindir=${admin}`, join(f.srcdir, 'debian/control')],
    { codes: [0, 1] },
  );
}

/** Ways to have some of a name's packages unpacked together: each one alone, and one version per arch across arches. */
function instanceChoices(pkgs: Pkg[]): Pkg[][] {
  const byArch = new Map<string, Pkg[]>();
  for (const p of pkgs) byArch.set(p.arch, [...(byArch.get(p.arch) ?? []), p]);
  const out: Pkg[][] = pkgs.map((p) => [p]);
  if (byArch.size > 1) {
    let combos: Pkg[][] = [[]];
    for (const list of byArch.values()) combos = combos.flatMap((c) => list.map((p) => [...c, p]));
    out.push(...combos);
  }
  return out;
}

/**
 * dpkg-checkbuilddeps only reads what is installed, so its verdict depends on the state it is
 * given. Fair for a resolver: is there a state dpkg itself accepts, drawn from the case's packages,
 * in which dpkg-checkbuilddeps is satisfied? A state is made by writing a set of packages as
 * unpacked (one version per name and arch; dpkg refuses to read instances that may not be
 * co-installed) and letting `dpkg --configure -a` configure those whose dependencies hold (dpkg's
 * own Multi-Arch rules, M-A: same versions in step); the build arch's Essential packages are always
 * there. Packages that alone set off a Build-Conflicts are left out (an installer would not install
 * them), and more packages never unsatisfy a Build-Depends, so maximal states are tried, largest first.
 */
async function dpkgVerdict(c: Case, f: CaseFiles): Promise<Pick<Observation, 'dpkg' | 'dpkgState' | 'dpkgStates'>> {
  const all = universeLines(c);
  const hasConflicts = Object.keys(c.source).some((k) => k.startsWith('Build-Conflicts'));
  const conflicting = new Set<Pkg>();
  if (hasConflicts) {
    // Only a package named in a Build-Conflicts field (as itself or by what it provides) can set it off.
    const words = new Set(
      Object.entries(c.source)
        .filter(([k]) => k.startsWith('Build-Conflicts'))
        .flatMap(([, v]) => v.match(/[a-z0-9][a-z0-9+.-]+/g) ?? []),
    );
    const named = (p: Pkg) =>
      words.has(p.name) || (/Provides: ([^;]*)/.exec(p.line)?.[1]?.match(/[a-z0-9][a-z0-9+.-]+/g) ?? []).some((w) => words.has(w));
    for (const p of all.filter(named)) {
      const r = await checkbuilddeps(f, dpkgAdmin(f.dir, [p], 'installed'));
      if (/Build conflicts:/.test(r.stderr)) conflicting.add(p);
    }
  }
  const essential = new Set(
    installedLines(c)
      .filter((p) => p.essential)
      .map((p) => p.line),
  );
  const byName = new Map<string, Pkg[]>();
  for (const p of all) if (!conflicting.has(p)) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  let states: Pkg[][] = [[]];
  for (const pkgs of byName.values()) {
    const forced = pkgs.filter((p) => essential.has(p.line));
    const choices = forced.length ? [forced] : instanceChoices(pkgs);
    states = states.flatMap((s) => choices.map((ch) => [...s, ...ch]));
  }
  states.sort((a, b) => b.length - a.length);
  if (states.length > 256) throw new Error(`${c.id}: ${states.length} dpkg states, too many to try`);
  // dpkg configures each state (fast); dpkg-checkbuilddeps runs on the installed sets that matter.
  const failed: Set<string>[] = [];
  let tried = 0;
  for (const state of states) {
    const admin = dpkgAdmin(f.dir, state, 'unpacked');
    const conf = await runTool('dpkg', [
      '--root',
      join(admin, 'root'),
      `--admindir=${admin}`,
      '--force-not-root',
      '--force-script-chrootless',
      '--configure',
      '-a',
    ]);
    if (conf.code === 2 && /non-coinstallable/.test(conf.stderr)) continue;
    if (conf.code !== 0 && conf.code !== 1) throw new Error(`dpkg --configure: exit ${conf.code}\n${conf.stderr}`);
    const installed = readFileSync(join(admin, 'status'), 'utf8')
      .split('\n\n')
      .filter((s) => /^Status: install ok installed$/m.test(s))
      .map((s) => `${/^Package: (.*)$/m.exec(s)![1]}:${/^Architecture: (.*)$/m.exec(s)![1]}=${/^Version: (.*)$/m.exec(s)![1]}`)
      .sort();
    // No Build-Conflicts can fire and Build-Depends only gain from more packages: a state within
    // one that failed fails too.
    if (failed.some((bigger) => installed.every((x) => bigger.has(x)))) continue;
    tried++;
    const r = await checkbuilddeps(f, admin);
    if (r.code === 0) return { dpkg: 'ok', dpkgState: installed.map((s) => s.replace(/=.*/, '')), dpkgStates: tried };
    failed.push(new Set(installed));
  }
  return { dpkg: 'broken', dpkgStates: tried };
}

async function observe(c: Case, parent: string): Promise<Observation> {
  const dir = mkdtempSync(join(parent, `${c.id}-`));
  const f = await writeCase(c, dir);
  const [apt, dose, dpkg] = await Promise.all([aptVerdict(c, f), doseVerdict(f), dpkgVerdict(c, f)]);
  return { ...apt, dose, ...dpkg };
}

/** Run `fn` over the items, `width` at a time. */
async function pool<T, R>(items: T[], width: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// The table in docs/conformance.md

const BEGIN = '<!-- BEGIN conformance table: generated by test/lib/conformance.test.ts (XDEB_CONFORMANCE_DOCS=1) -->';
const END = '<!-- END conformance table -->';

function cell(v: Verdict, odd: boolean): string {
  return odd ? `**${v}**` : v;
}

/** The case table: the three tools and xdeb's default (apt) mode; a verdict unlike the majority is bold. */
function conformanceTable(list: Case[]): string {
  const rows = ['| case | rule | build-dependency | apt | dose | dpkg | xdeb |', '|---|---|---|---|---|---|---|'];
  for (const c of list) {
    const votes = TOOLS.map((t) => c.expect[t]);
    const major: Verdict = votes.filter((v) => v === 'ok').length >= 2 ? 'ok' : 'broken';
    const deps = [
      ...['Build-Depends', 'Build-Depends-Arch'].filter((k) => c.source[k]).map((k) => c.source[k]!),
      ...['Build-Conflicts', 'Build-Conflicts-Arch'].filter((k) => c.source[k]).map((k) => `Build-Conflicts: ${c.source[k]}`),
    ].join('; ');
    const x = expectedXdeb(c, 'apt');
    rows.push(
      `| [${c.id}](#${c.id}) | ${c.rule} | \`${deps}\` | ${TOOLS.map((t) => cell(c.expect[t], c.expect[t] !== major)).join(' | ')} | ${x === c.expect.apt ? x : `**${x}** ≠ apt`} |`,
    );
  }
  const details = list.map((c) => {
    const lines = [
      `### ${c.id}`,
      '',
      `Rule ${c.rule}: ${c.title}.`,
      '',
      '```',
      ...c.packages,
      ...Object.entries(c.source).map(([k, v]) => `${k}: ${v}`),
      '```',
    ];
    if (c.installed?.length) lines.push('', `Installed before: ${c.installed.join(', ')}.`);
    const tools = TOOLS.map((t) => `${t} ${c.expect[t]}`).join(', ');
    lines.push('', `Verdicts: ${tools}; xdeb ${TOOLS.map((t) => `${t}-mode ${expectedXdeb(c, t)}`).join(', ')}.`);
    if (c.aptInstalls?.length) lines.push(`apt installs: ${c.aptInstalls.join(' ')}.`);
    if (c.dpkgState) lines.push(`dpkg-checkbuilddeps is satisfied with ${c.dpkgState.join(' ')} installed.`);
    if (c.aptSatisfy && c.aptSatisfy !== c.expect.apt) lines.push(`\`apt-get satisfy\` on the same fields: ${c.aptSatisfy}.`);
    if (c.note) lines.push('', c.note);
    if (c.deviation) lines.push('', `**xdeb deviates:** ${c.deviation}`);
    return lines.join('\n');
  });
  return [BEGIN, '', rows.join('\n'), '', ...details.flatMap((d) => [d, '']), END].join('\n');
}

// ---------------------------------------------------------------------------------------------

describe('the conformance fixture', () => {
  it('has one case per rule 8–16, unique ids, and a reason for every deviation', () => {
    const rules = new Set(cases.map((c) => c.rule));
    for (let r = 8; r <= 16; r++) expect(rules.has(r), `rule ${r}`).toBe(true);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const c of cases) {
      for (const t of TOOLS) expect(['ok', 'broken'], `${c.id} ${t}`).toContain(c.expect[t]);
      expect(!!c.xdeb === !!c.deviation, `${c.id}: xdeb overrides and deviation go together`).toBe(true);
      for (const t of TOOLS) if (c.xdeb?.[t]) expect(c.xdeb[t], `${c.id}: an override must differ from the tool`).not.toBe(c.expect[t]);
    }
  });

  it('covers each disagreement rule 16 lists', () => {
    const has = (id: string, want: Record<Tool, Verdict>) => expect(cases.find((c) => c.id === id)?.expect, id).toEqual(want);
    // ':any' on a package that is not M-A: allowed: apt and dpkg fail it, dose accepts.
    has('any-no-ma', { apt: 'broken', dose: 'ok', dpkg: 'broken' });
    // ':native' on an M-A: foreign package: apt and dose accept, dpkg fails.
    has('native-foreign', { apt: 'ok', dose: 'ok', dpkg: 'broken' });
    // arch:all without M-A: dpkg accepts, apt and dose fail.
    has('all-no-ma', { apt: 'broken', dose: 'broken', dpkg: 'ok' });
  });
});

describe.each(TOOLS)('xdeb in %s mode gives the verdicts of that tool', (tool) => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const v = xdebCheck(c, tool);
    expect(verdictOf(v)).toBe(expectedXdeb(c, tool));
  });
});

describe('xdeb in apt mode', () => {
  it.each(cases.filter((c) => c.expect.apt === 'ok' && c.aptInstalls).map((c) => [c.id, c] as const))(
    '%s: installs what apt installs',
    (_id, c) => {
      expect(newlyInstalled(xdebCheck(c, 'apt'))).toEqual(c.aptInstalls);
    },
  );

  it('gives the same verdicts without a dpkg status (the build arch Essential set stands for the chroot)', () => {
    const diff = cases.filter((c) => verdictOf(xdebCheck(c, 'apt', false)) !== expectedXdeb(c, 'apt')).map((c) => c.id);
    expect(diff).toEqual([]);
  });
});

describe('docs/conformance.md', () => {
  it('prints the table of the fixture', () => {
    const docs = readFileSync(DOCS, 'utf8');
    const table = conformanceTable(cases);
    if (process.env.XDEB_CONFORMANCE_DOCS) {
      const i = docs.indexOf(BEGIN);
      const j = docs.indexOf(END);
      const next = i >= 0 && j > i ? docs.slice(0, i) + table + docs.slice(j + END.length) : `${docs.trimEnd()}\n\n${table}\n`;
      writeFileSync(DOCS, next);
      return;
    }
    const i = docs.indexOf(BEGIN);
    const j = docs.indexOf(END);
    expect(i, 'the BEGIN marker').toBeGreaterThanOrEqual(0);
    expect(docs.slice(i, j + END.length)).toBe(table);
  });
});

const haveTools = ['apt-get', 'apt-ftparchive', 'dose-builddebcheck', 'dpkg-checkbuilddeps', 'dpkg'].every(have);

describe.runIf(haveTools)('live: apt, dose-builddebcheck and dpkg-checkbuilddeps still give the recorded verdicts', () => {
  const observed = new Map<string, Observation>();
  let parent = '';

  beforeAll(async () => {
    parent = mkdtempSync(join(tmpdir(), 'xdeb-conformance-'));
    const obs = await pool(cases, 3, (c) => observe(c, parent));
    cases.forEach((c, i) => observed.set(c.id, obs[i]!));
    if (process.env.XDEB_CONFORMANCE_RECORD) {
      for (const c of cases) {
        const o = observed.get(c.id)!;
        c.expect = { apt: o.apt, dose: o.dose, dpkg: o.dpkg };
        c.aptInstalls = o.apt === 'ok' ? o.aptInstalls : undefined;
        c.dpkgState = o.dpkgState;
        c.aptSatisfy = o.aptSatisfy !== o.apt ? o.aptSatisfy : undefined;
      }
      writeFileSync(FIXTURE, JSON.stringify(fixture, null, 1) + '\n');
    }
  }, 300_000);

  afterAll(() => {
    if (parent) rmSync(parent, { recursive: true, force: true });
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const o = observed.get(c.id)!;
    expect({ apt: o.apt, dose: o.dose, dpkg: o.dpkg }).toEqual(c.expect);
    if (o.apt === 'ok') expect(o.aptInstalls).toEqual(c.aptInstalls);
    expect(o.dpkgState).toEqual(c.dpkgState);
    expect(o.aptSatisfy).toBe(c.aptSatisfy ?? c.expect.apt);
    // and xdeb, mode by mode, against what the tools said just now
    for (const t of TOOLS) if (!c.xdeb?.[t]) expect(verdictOf(xdebCheck(c, t)), `xdeb ${t} mode`).toBe(o[t]);
  });
});
