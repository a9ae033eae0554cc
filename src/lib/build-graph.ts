// The build graph of a set of sources (DESIGN §5): each source build needs the binaries of its
// build-dependencies' solution (BuildChecker's install set, so runtime dependencies of tools
// count too); each binary that is not available yet is built by a source, which joins the set.
// A node is one build: a source for one architecture (the host's, or the build's for a tool a
// cross build runs). An edge says "needs binaries of"; a soft edge's binaries are available
// already (an existing build would serve), a required edge's are not.

import { archTable } from './arch.js';
import { BuildChecker, type CheckSourceOptions } from './build-check.js';
import { buildDependencies, buildFields, type ImplicitMode } from './build-deps.js';
import { Paragraph } from './deb822.js';
import type { Failure } from './explain.js';
import { DependencyIndex, type Prohibition } from './installability.js';
import type { ResolverMode } from './multiarch.js';
import { NON_REDUCING_PROFILES } from './local-repo-layout.js';
import { mentionedProfiles, parseRelationField, profilesSatisfied } from './relation.js';
import type { BinaryPackage, Universe } from './universe.js';

/** A source the graph may build, and what to give xdeb-build to build it. */
export interface SourceRecord {
  name: string;
  version: string;
  /** Its source stanza: Build-Depends*, Binary, Package-List, Architecture. */
  paragraph: Paragraph;
  /** The binary stanzas of debian/control, for a source tree. */
  binaries?: Paragraph[];
  /** The SOURCE argument of xdeb-build: a tree or .dsc path, or name=version. */
  arg: string;
  /** For messages. */
  file: string;
  kind: 'tree' | 'dsc' | 'index';
}

/** One binary package a source declares, with where and under which profiles it is built. */
export interface DeclaredBinary {
  name: string;
  /** Its Architecture (all, any, wildcards, real arches); undefined when not declared. */
  archs: string[] | undefined;
  /** Build-Profiles as a formula (any group true); undefined: always built. */
  profiles: string[][] | undefined;
  multiArch?: string;
  /** debian/control stanza, when the source is a tree. */
  stanza?: Paragraph;
}

/** `<!stage1 !nocheck> <stage2>` → [['!stage1', '!nocheck'], ['stage2']]. */
export function parseBuildProfiles(text: string): string[][] {
  const groups: string[][] = [];
  for (const m of text.matchAll(/<([^<>]*)>/g))
    groups.push(
      m[1]!
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((t) => t.toLowerCase()),
    );
  return groups;
}

/** Package-List's `profile=!stage1,!nocheck+stage2` (ORs as '+', ANDs as ','). */
function parsePackageListProfiles(text: string): string[][] {
  return text.split('+').map((g) => g.split(',').filter(Boolean));
}

/** The binaries a source declares: debian/control stanzas, else Package-List, else Binary. */
export function declaredBinaries(rec: SourceRecord): DeclaredBinary[] {
  if (rec.binaries?.length) {
    return rec.binaries
      .filter((b) => b.has('Package'))
      .map((b) => {
        const bp = b.get('Build-Profiles');
        return {
          name: b.get('Package')!,
          archs: (b.get('Architecture') ?? 'any').split(/\s+/).filter(Boolean),
          profiles: bp ? parseBuildProfiles(bp) : undefined,
          multiArch: b.get('Multi-Arch'),
          stanza: b,
        };
      });
  }
  const list = rec.paragraph.get('Package-List');
  if (list) {
    const out: DeclaredBinary[] = [];
    for (const line of list.split('\n')) {
      const words = line.trim().split(/\s+/);
      if (words.length < 4 || !words[0]) continue;
      let archs: string[] | undefined;
      let profiles: string[][] | undefined;
      for (const kv of words.slice(4)) {
        if (kv.startsWith('arch=')) archs = kv.slice(5).split(',').filter(Boolean);
        else if (kv.startsWith('profile=')) profiles = parsePackageListProfiles(kv.slice(8));
      }
      out.push({ name: words[0], archs, profiles });
    }
    return out;
  }
  return (rec.paragraph.get('Binary') ?? '')
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((name) => ({ name, archs: undefined, profiles: undefined }));
}

/** Does a declared binary come out of a build for `arch` (with arch:all when `indep`) under `profiles`? */
export function isBuilt(b: DeclaredBinary, arch: string, indep: boolean, profiles: ReadonlySet<string>): boolean {
  if (b.profiles && !profilesSatisfied(b.profiles, profiles)) return false;
  if (!b.archs) return true;
  const table = archTable();
  return b.archs.some((a) => (a === 'all' ? indep : table.matches(arch, a)));
}

/** Names of the binaries a build makes; undefined when the metadata does not say. */
export function builtBinaries(rec: SourceRecord, arch: string, indep: boolean, profiles: ReadonlySet<string>): Set<string> | undefined {
  const declared = declaredBinaries(rec);
  if (declared.length === 0) return undefined;
  if (!declared.some((b) => b.archs || b.profiles)) return undefined;
  return new Set(declared.filter((b) => isBuilt(b, arch, indep, profiles)).map((b) => b.name));
}

/** Drop substitution variables from a relation field of debian/control; fill in the versions. */
function substituted(text: string | undefined, version: string): string | undefined {
  if (!text) return undefined;
  const upstream = version.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
  const kept = text
    .replace(/\$\{(binary|source):Version\}/g, version)
    .replace(/\$\{source:Upstream-Version\}/g, upstream)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && !s.includes('${'));
  return kept.length ? kept.join(', ') : undefined;
}

/**
 * Packages stanzas for what a source tree will build (it is in no index yet), so that the
 * resolver can pick its binaries for the builds that need them: one per binary and per
 * architecture of `archs` it is built for (arch:all ones once), under a full build's profiles.
 */
export function plannedBinaryStanzas(rec: SourceRecord, archs: readonly string[], profiles: ReadonlySet<string>): Paragraph[] {
  const out: Paragraph[] = [];
  const table = archTable();
  for (const b of declaredBinaries(rec)) {
    if (b.profiles && !profilesSatisfied(b.profiles, profiles)) continue;
    const want = b.archs ?? ['any'];
    const targets = want.includes('all') ? ['all'] : archs.filter((a) => want.some((w) => table.matches(a, w)));
    for (const arch of targets) {
      const p = new Paragraph();
      p.set('Package', b.name);
      p.set('Source', `${rec.name} (${rec.version})`);
      p.set('Version', rec.version);
      p.set('Architecture', arch);
      if (b.multiArch) p.set('Multi-Arch', b.multiArch);
      for (const f of ['Pre-Depends', 'Depends', 'Provides', 'Conflicts', 'Breaks']) {
        const v = substituted(b.stanza?.get(f), rec.version);
        if (v) p.set(f, v);
      }
      if (b.stanza?.get('Essential') === 'yes') p.set('Essential', 'yes');
      out.push(p);
    }
  }
  return out;
}

/** Needs binaries of another build. */
export interface Dependency {
  to: number;
  /** 'name:arch' of each binary needed. */
  binaries: string[];
  /** Every one of them is available already: an existing build would serve. */
  soft: boolean;
}

export interface BuildNode {
  id: number;
  record: SourceRecord;
  /** The architecture the build is for (its host architecture). */
  arch: string;
  /** Asked for on the command line (else needed by another build). */
  explicit: boolean;
  /** The first build that needed it, and for which binaries. */
  neededBy?: { node: number; binaries: string[] };
  status: 'ok' | 'broken' | 'unknown';
  failures: Failure[];
  /** The binaries of the full build's solution (package ids). */
  install: number[];
  /** The full build's dependencies. */
  deps: Dependency[];
  /** Profiles added to its full build because it cannot be satisfied without them (only profiles whose builds are final: nodoc, nocheck). */
  added?: { profiles: string[]; reason: string };
}

export interface GraphProblem {
  /** no-source: no known source builds a needed binary (it is taken from the repositories); missing: --only-explicit and not available. */
  kind: 'no-source' | 'missing';
  node: number;
  binaries: string[];
  source: string;
}

export interface GraphOptions {
  buildArch: string;
  hostArch: string;
  /** Profiles of a full build for the host architecture (cross,nocheck for a cross build). */
  hostProfiles: readonly string[];
  /** Profiles of a full native build of a tool in a cross plan (the host ones without cross). */
  nativeProfiles: readonly string[];
  /** Arch-only builds (-B) even when native: Build-Depends-Indep never applies. */
  archOnly: boolean;
  implicit: ImplicitMode;
  mode: ResolverMode;
  /** Not to be built: in the repositories in use, or assumed there. */
  isAvailable: (pkg: BinaryPackage) => boolean;
  /** Build only the explicit sources: a needed binary that is not available is a problem. */
  onlyExplicit: boolean;
  /** The source that builds a binary, by the binary's Source name. */
  lookup: (name: string) => SourceRecord | undefined;
}

/** Profiles a plan may add to a full build to make it satisfiable: their builds are final (local-repo-layout.ts). */
const FINAL_ONLY_PROFILES = NON_REDUCING_PROFILES.filter((p) => p !== 'cross');

/** Does the source's build-dependency metadata name `profile` (so that building with it can change what it needs)? */
function offersProfile(record: SourceRecord, profile: string, indep: boolean): boolean {
  for (const field of buildFields({ arch: true, indep }).depends) {
    const text = record.paragraph.get(field);
    if (!text) continue;
    try {
      if (mentionedProfiles(parseRelationField(text, { field, buildDep: true })).has(profile)) return true;
    } catch {
      // A field that does not parse fails the check with its own message.
    }
  }
  return false;
}

export function nodeKey(source: string, arch: string): string {
  return `${source}\0${arch}`;
}

export class BuildGraph {
  readonly nodes: BuildNode[] = [];
  readonly problems: GraphProblem[] = [];
  private readonly byKey = new Map<string, number>();
  private readonly checkers = new Map<string, BuildChecker>();
  /** How many build-dependency checks were run. */
  checks = 0;

  constructor(
    readonly universe: Universe,
    readonly opts: GraphOptions,
  ) {}

  get cross(): boolean {
    return this.opts.buildArch !== this.opts.hostArch;
  }

  checker(arch: string): BuildChecker {
    let c = this.checkers.get(arch);
    if (!c) {
      c = new BuildChecker(new DependencyIndex(this.universe, { buildArch: this.opts.buildArch, hostArch: arch, mode: this.opts.mode }));
      this.checkers.set(arch, c);
    }
    return c;
  }

  /** Is a build of `arch` native (it builds arch:all packages too, unless arch-only)? */
  indep(arch: string): boolean {
    return arch === this.opts.buildArch && !this.opts.archOnly;
  }

  /** The profiles of a full build for `arch`. */
  baseProfiles(arch: string): readonly string[] {
    return arch === this.opts.hostArch ? this.opts.hostProfiles : this.opts.nativeProfiles;
  }

  /** The profiles of a node's full build: its architecture's, and those added to make it satisfiable. */
  nodeProfiles(node: BuildNode): readonly string[] {
    return node.added ? [...this.baseProfiles(node.arch), ...node.added.profiles] : this.baseProfiles(node.arch);
  }

  checkOptions(node: BuildNode, extra: readonly string[]): CheckSourceOptions {
    return {
      buildArch: this.opts.buildArch,
      hostArch: node.arch,
      profiles: new Set([...this.nodeProfiles(node), ...extra]),
      arch: true,
      indep: this.indep(node.arch),
      implicit: this.opts.implicit,
      explain: false,
      file: node.record.file,
    };
  }

  node(source: string, arch: string): number | undefined {
    return this.byKey.get(nodeKey(source, arch));
  }

  private add(record: SourceRecord, arch: string, explicit: boolean, neededBy?: BuildNode['neededBy']): number {
    const key = nodeKey(record.name, arch);
    const have = this.byKey.get(key);
    if (have !== undefined) {
      if (explicit) this.nodes[have]!.explicit = true;
      return have;
    }
    const id = this.nodes.length;
    this.nodes.push({ id, record, arch, explicit, neededBy, status: 'ok', failures: [], install: [], deps: [] });
    this.byKey.set(key, id);
    return id;
  }

  /** A source to build, for `arch` (default: the host architecture). */
  addExplicit(record: SourceRecord, arch = this.opts.hostArch): number {
    return this.add(record, arch, true);
  }

  /** The architecture that builds a binary of architecture `arch` (arch:all: a native build). */
  private builderArch(arch: string): string {
    return arch === 'all' ? this.opts.buildArch : arch;
  }

  /** Check every node, adding the sources of the binaries they need that are not available, until none is added. */
  /** Is there an available package, of another name, that is or provides one of the names `p` provides? */
  private replaceable(p: BinaryPackage): boolean {
    const u = this.universe;
    for (const a of p.provides) {
      for (const id of u.named(a.name)) if (id !== p.id && this.opts.isAvailable(u.get(id))) return true;
      for (const [id] of u.providers(a.name)) if (u.get(id).name !== p.name && this.opts.isAvailable(u.get(id))) return true;
    }
    return false;
  }

  /**
   * The packages a build of `node` with extra profiles installs (ids), or its status when its
   * build-dependencies cannot be satisfied. Among equivalent providers the resolver takes the
   * first by name (original-awk for awk); a plan takes one that is available when there is one,
   * as botch's --optgraph does: solved again without the unavailable packages that an
   * available one could stand in for, kept when that is still satisfiable.
   */
  solve(
    node: BuildNode,
    extra: readonly string[],
    drops: readonly string[] = [],
  ): { status: 'ok'; install: BinaryPackage[] } | { status: 'broken' | 'unknown' } {
    const checker = this.checker(node.arch);
    const bd = buildDependencies(node.record.paragraph, {
      ...this.checkOptions(node, extra),
      ...(drops.length ? { drop: new Set(drops) } : {}),
    });
    const v = checker.checkRequirements(node.record.name, node.record.version, bd.requirements, bd.prohibitions, bd.dropped, false);
    this.checks++;
    if (v.status !== 'ok') return { status: v.status };
    let install = v.install.filter((p) => !p.crossConverted);
    // Each round keeps out what the last one took in its stead (mawk after original-awk), a few times at most.
    const keepOut: Prohibition[] = [];
    for (let round = 0; round < 4; round++) {
      const avoid = install.filter((p) => !this.opts.isAvailable(p) && this.replaceable(p));
      if (!avoid.length) break;
      for (const p of avoid) {
        keepOut.push({
          alt: { name: p.name, archQualifier: undefined, op: '=', version: p.version, archList: undefined, profiles: undefined },
          fromArch: node.arch,
          label: `plan: not ${p.name}`,
        });
      }
      const r = checker.installer.solve(bd.requirements, [...bd.prohibitions, ...keepOut]);
      if (r.status !== 'sat') break;
      install = r.install.map((id) => this.universe.get(id)).filter((p) => !p.crossConverted);
    }
    return { status: 'ok', install };
  }

  /**
   * The full build's solution. A build that cannot be satisfied with its architecture's profiles gets the final-build profiles its
   * metadata offers (nodoc, nocheck: the packages stay the same) when they make it satisfiable, the fewest first; node.added says which
   * and why. Profiles that change what is built are for --bootstrap's staged builds, not this.
   */
  private solveFinal(node: BuildNode): ReturnType<BuildGraph['solve']> {
    const v = this.solve(node, []);
    if (v.status === 'ok') return v;
    const base = new Set(this.baseProfiles(node.arch));
    const offered = FINAL_ONLY_PROFILES.filter((p) => !base.has(p) && offersProfile(node.record, p, this.indep(node.arch)));
    const sets = [...offered.map((p) => [p]), ...(offered.length > 1 ? [offered] : [])];
    for (const set of sets) {
      const w = this.solve(node, set);
      if (w.status !== 'ok') continue;
      node.added = { profiles: set, reason: `unsatisfiable without ${set.join(',')}: ${this.explain(node)}` };
      return w;
    }
    return v;
  }

  close(): void {
    const u = this.universe;
    for (let i = 0; i < this.nodes.length; i++) {
      const node = this.nodes[i]!;
      const v = this.solveFinal(node);
      node.status = v.status;
      if (v.status !== 'ok') continue;
      node.install = v.install.map((p) => p.id);
      const missingBySource = new Map<string, string[]>();
      for (const id of node.install) {
        const p = u.get(id);
        if (this.opts.isAvailable(p)) continue;
        const arch = this.builderArch(p.arch);
        if (this.byKey.has(nodeKey(p.source, arch))) continue;
        const rec = this.opts.onlyExplicit ? undefined : this.opts.lookup(p.source);
        if (!rec) {
          const l = missingBySource.get(p.source) ?? [];
          l.push(`${p.name}:${p.arch}`);
          missingBySource.set(p.source, l);
          continue;
        }
        this.add(rec, arch, false, { node: i, binaries: [`${p.name}:${p.arch}`] });
      }
      for (const [source, binaries] of missingBySource)
        this.problems.push({ kind: this.opts.onlyExplicit ? 'missing' : 'no-source', node: i, binaries, source });
    }
    for (const node of this.nodes) if (node.status === 'ok') node.deps = this.dependencies(node.install);
  }

  /** The builds a solution's binaries come from (grouped per build); binaries nobody in the graph builds are left out. */
  dependencies(install: readonly number[]): Dependency[] {
    const u = this.universe;
    const byTarget = new Map<number, Dependency>();
    for (const id of install) {
      const p = u.get(id);
      const t = this.byKey.get(nodeKey(p.source, this.builderArch(p.arch)));
      if (t === undefined) continue;
      const soft = this.opts.isAvailable(p);
      let d = byTarget.get(t);
      if (!d) byTarget.set(t, (d = { to: t, binaries: [], soft: true }));
      d.binaries.push(`${p.name}:${p.arch}`);
      if (!soft) d.soft = false;
    }
    return [...byTarget.values()].sort((a, b) => a.to - b.to);
  }

  /** Why a node's full build cannot be satisfied (before profiles were added to it): the first reason of each failing requirement. */
  explain(node: BuildNode): string {
    const opts = this.checkOptions(node, []);
    const v = this.checker(node.arch).check(node.record.paragraph, {
      ...opts,
      profiles: new Set(this.baseProfiles(node.arch)),
      explain: true,
    });
    if (v.status === 'ok') return 'its build-dependencies are satisfiable now';
    const reasons = v.failures.map((f) => `${f.requirement}${f.reasons[0] ? `: ${f.reasons[0].text}` : ''}`);
    return reasons.length
      ? reasons.join('; ')
      : v.status === 'unknown'
        ? 'too complex to decide'
        : 'its build-dependencies cannot be satisfied';
  }

  /**
   * A build of `node` with extra profiles (and build-dependencies dropped): its dependencies, or undefined when they cannot be satisfied or need a source outside the graph.
   */
  dependenciesWith(node: BuildNode, extra: readonly string[], drops: readonly string[] = []): Dependency[] | undefined {
    const v = this.solve(node, extra, drops);
    if (v.status !== 'ok') return undefined;
    const ids: number[] = [];
    for (const p of v.install) {
      if (!this.opts.isAvailable(p) && !this.byKey.has(nodeKey(p.source, this.builderArch(p.arch))) && this.opts.lookup(p.source))
        return undefined;
      ids.push(p.id);
    }
    return this.dependencies(ids);
  }
}
