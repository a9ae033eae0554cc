// Breaking build-dependency loops with staged builds (DESIGN §5). A source in a loop can be built
// first with a reduced profile (stage1, nobiarch, pkg.SRC.NAME…) when its metadata makes that
// build need fewer of the loop's binaries, and it still makes the binaries the others need; it
// is rebuilt in full once the loop is built. Choosing few such builds is a feedback-vertex-set
// problem, here over the profiles each source really offers.
//
// The expanded graph: vertex v < n is the full build of node v; a vertex past n is a staged build.
// A build in a loop that needs binaries of a source with a staged build takes them from the staged
// build when that build makes them all; the full build of a staged source comes after its staged
// one. Edges whose binaries are all available already (soft) are dropped inside a loop: the
// existing build serves, and no staged build is needed.

import { buildFields } from './build-deps.js';
import { builtBinaries, declaredBinaries, type BuildGraph, type BuildNode, type Dependency } from './build-graph.js';
import { NON_REDUCING_PROFILES } from './local-repo-layout.js';
import { mentionedProfiles, parseRelationField } from './relation.js';
import { isCyclic, shortestCycle, stronglyConnected, stronglyConnectedCsr, type Adjacency, type Csr } from './scc.js';

/**
 * How a build breaking a loop differs from the full one, in the order they are tried (DESIGN §5): reduced profiles the metadata offers;
 * build-dependencies botch's droppable lists drop; a seed (built against the repositories' binaries of other members); a user's hint
 * (profiles or drops). A `seeded` build is no choice: a member built against a seed, rebuilt once the loop is built against itself.
 */
export type StageKind = 'profile' | 'drop' | 'seed' | 'hint' | 'seeded';

export interface StageOption {
  kind: StageKind;
  /** The profiles added to a full build's, sorted. */
  profiles: string[];
  /** Build-dependencies dropped (binary package names): a drop, or a hint's Drop-Build-Depends. */
  drops?: string[];
  /** Why the build is possible, for a person: the list and line, the hint's reason, the repositories' binaries. */
  evidence?: string;
  /** It changes what is built (stage1, nobiarch…): a staged build, rebuilt in full later. Not for nocheck or nodoc alone: that build is final. */
  reducing: boolean;
  deps: Dependency[];
  /** Names of the binaries it makes; undefined when the metadata does not say (all assumed). */
  produces: Set<string> | undefined;
}

/** What a build of each kind costs when choosing among ways that break as much: profiles first, seeds last but one, hints last. */
const KIND_COST: Record<StageKind, number> = { profile: 1, drop: 2, seed: 3, hint: 4, seeded: 0 };

/** Preference between options that help as much: earlier here first, then fewer profiles. */
const PREFERENCE = ['nocheck', 'stage1', 'stage2', 'nobiarch', 'nodoc', 'stage3'];

function preferenceRank(profiles: readonly string[]): number {
  let r = 0;
  for (const p of profiles) {
    const i = PREFERENCE.indexOf(p);
    r += i < 0 ? PREFERENCE.length : i;
  }
  return r;
}

/** The profiles a source's metadata mentions (build-dependency formulas, binaries' Build-Profiles), beyond those of its full build. */
export function offeredProfiles(graph: BuildGraph, node: BuildNode): string[] {
  const base = new Set(graph.nodeProfiles(node));
  const found = new Set<string>();
  const { depends } = buildFields({ arch: true, indep: graph.indep(node.arch) });
  for (const field of depends) {
    const text = node.record.paragraph.get(field);
    if (!text) continue;
    try {
      for (const p of mentionedProfiles(parseRelationField(text, { field, buildDep: true }))) found.add(p);
    } catch {
      // A field that does not parse fails the check with its message; no profile is offered from it.
    }
  }
  for (const b of declaredBinaries(node.record)) for (const g of b.profiles ?? []) for (const t of g) found.add(t.replace(/^!/, ''));
  found.delete('cross');
  for (const p of base) found.delete(p);
  return [...found].sort();
}

/** The profile sets worth trying: each offered profile, pairs of them (when few), and all of them together. */
export function candidateProfileSets(offered: readonly string[]): string[][] {
  const out: string[][] = offered.map((p) => [p]);
  if (offered.length <= 5)
    for (let i = 0; i < offered.length; i++) for (let j = i + 1; j < offered.length; j++) out.push([offered[i]!, offered[j]!]);
  if (offered.length > 2 && offered.length <= 8) out.push([...offered]);
  return out;
}

function targetsOf(deps: readonly Dependency[]): Set<number> {
  return new Set(deps.map((d) => d.to));
}

/** The builds of `node` with reduced profiles that need fewer builds than its full build. */
export function stageOptions(graph: BuildGraph, node: BuildNode): StageOption[] {
  const full = targetsOf(node.deps);
  const out: StageOption[] = [];
  const seen = new Set<string>();
  for (const set of candidateProfileSets(offeredProfiles(graph, node))) {
    const deps = graph.dependenciesWith(node, set);
    if (!deps) continue;
    const targets = targetsOf(deps);
    if (![...full].some((t) => !targets.has(t))) continue;
    const profiles = [...set].sort();
    const produces = builtBinaries(node.record, node.arch, graph.indep(node.arch), new Set([...graph.nodeProfiles(node), ...profiles]));
    const key = `${[...targets].sort((a, b) => a - b).join(',')}|${produces ? [...produces].sort().join(',') : '*'}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ kind: 'profile', profiles, reducing: profiles.some((p) => !NON_REDUCING_PROFILES.includes(p)), deps, produces });
  }
  return out;
}

/** A way to break a loop that is not in the source's profiles: build-dependencies to drop (a list, a hint) or profiles a hint names. */
export interface ExtraOption {
  kind: 'drop' | 'hint';
  profiles?: string[];
  drops?: string[];
  evidence: string;
}

/**
 * The drop and hint builds of `node` that need fewer builds than its full build. A drop keeps the full build's profiles, so the binaries
 * its metadata declares are still made: the loop still gets what it needs from it.
 */
export function extraOptions(graph: BuildGraph, node: BuildNode, extras: readonly ExtraOption[]): StageOption[] {
  const full = targetsOf(node.deps);
  const out: StageOption[] = [];
  if (!extras.length) return out;
  // Each also with the reduced profiles the source offers: a loop may need both (python3.11 with nobluetooth, and without valgrind).
  const offered = stageOptions(graph, node).filter((o) => o.reducing);
  const tries = extras.flatMap((x) => [x, ...offered.map((o) => ({ ...x, profiles: [...o.profiles, ...(x.profiles ?? [])] }))]);
  for (const x of tries) {
    const profiles = [...new Set(x.profiles ?? [])].sort();
    const drops = [...new Set(x.drops ?? [])].sort();
    const deps = graph.dependenciesWith(node, profiles, drops);
    if (!deps) continue;
    const targets = targetsOf(deps);
    if (![...full].some((t) => !targets.has(t))) continue;
    const produces = builtBinaries(node.record, node.arch, graph.indep(node.arch), new Set([...graph.nodeProfiles(node), ...profiles]));
    out.push({ kind: x.kind, profiles, ...(drops.length ? { drops } : {}), evidence: x.evidence, reducing: true, deps, produces });
  }
  return out;
}

/**
 * The seed builds of `node` in a loop: its full build, and each reduced-profile build its metadata offers (`base`), with the loop's
 * binaries the repositories have (any version) taken from them. None when the repositories have none of what it needs from the loop.
 */
export function seedOptions(
  graph: BuildGraph,
  node: BuildNode,
  inLoop: (n: number) => boolean,
  seedFrom: (binary: string) => string | undefined,
  base: readonly StageOption[] = [],
): StageOption[] {
  const full = {
    profiles: [] as string[],
    deps: node.deps,
    produces: builtBinaries(node.record, node.arch, graph.indep(node.arch), new Set(graph.nodeProfiles(node))),
  };
  const out: StageOption[] = [];
  for (const b of [full, ...base.filter((o) => o.reducing && o.kind === 'profile')]) {
    const served: string[] = [];
    const kept: Dependency[] = [];
    for (const d of b.deps) {
      // Its own binaries too: a source that needs itself (through a library the base needs) takes them from the repositories.
      const found = inLoop(d.to) ? d.binaries.map(seedFrom) : [];
      if (found.length && found.every((f) => f !== undefined)) served.push(...(found as string[]));
      else kept.push(d);
    }
    if (!served.length) continue;
    const shown = served.slice(0, 3).join(', ') + (served.length > 3 ? ` and ${served.length - 3} more` : '');
    out.push({
      kind: 'seed',
      profiles: b.profiles,
      evidence: `the repositories have ${shown}`,
      reducing: true,
      deps: kept,
      produces: b.produces,
    });
  }
  return out;
}

/** Does a build that makes `produces` make every one of `binaries` ('name:arch')? */
function makesAll(produces: Set<string> | undefined, binaries: readonly string[]): boolean {
  if (!produces) return true;
  for (const b of binaries) if (!produces.has(b.slice(0, b.indexOf(':')))) return false;
  return true;
}

export interface ChosenStage {
  node: number;
  option: StageOption;
  /** The full build's dependencies inside the loop that this build does without. */
  breaks: Dependency[];
}

/** One step of a cycle: a build, and the binaries it needs from the next one. */
export interface CycleStep {
  vertex: number;
  binaries: string[];
}

export interface LoopReport {
  /** The nodes of the loop: a strongly connected component of the required edges, or of all edges for a loop existing builds close. */
  nodes: number[];
  /** Edges between its nodes that existing builds serve: dropped, no staged build needed for them. */
  existing: { from: number; dep: Dependency }[];
  staged: ChosenStage[];
  /** Builds with nocheck or nodoc alone that help break it (final builds, not staged). */
  nocheck: ChosenStage[];
  /** Members whose first build took a seed's binaries: built again against the set's own builds. */
  seeded: number[];
  /** What no profile breaks: each part with a shortest cycle. */
  unbroken: { vertices: number[]; cycle: CycleStep[] }[];
}

export interface ExpandedVertex {
  node: number;
  /** A staged build's option; undefined for a full build. */
  stage: StageOption | undefined;
}

export interface BootstrapResult {
  /** Full builds first (vertex = node id), then the staged builds. */
  vertices: ExpandedVertex[];
  /** Per vertex: the vertices it needs, with the binaries. */
  needs: { to: number; binaries: string[]; soft: boolean }[][];
  /** Options chosen for full builds (nocheck or nodoc alone): the profiles they are built with. */
  fullOption: Map<number, StageOption>;
  loops: LoopReport[];
  /** Vertices in loops left unbroken. */
  blocked: Set<number>;
  stats: {
    components: number;
    cyclicComponents: number;
    largestComponent: number;
    inLoops: number;
    optionsTried: number;
    milliseconds: number;
  };
}

export interface BootstrapOptions {
  /** Break loops with staged builds (else report them). */
  bootstrap: boolean;
  /** Candidates evaluated exactly in each round of the heuristic. */
  candidates?: number;
  /** Loops of up to this many sources also get the forward greedy (slower, sometimes fewer staged builds). */
  greedyUpTo?: number;
  /** Start vertices searched for a shortest cycle in a large loop. */
  cycleStarts?: number;
  /** The drops botch's droppable lists allow for a build: tried when profiles do not break its loop. */
  droppable?: (node: BuildNode) => ExtraOption[];
  /** Seeds: what the repositories in use have of a binary ('name:arch', any version), for the evidence; absent: no seed builds. */
  seedFrom?: (binary: string) => string | undefined;
  /** The user's hints for a build (--hints): tried last. */
  hints?: (node: BuildNode) => ExtraOption[];
  /** Profiles a build must not use (a hint's Avoid-Profiles: its builds with them are broken). */
  avoid?: (node: BuildNode) => readonly string[];
}

/** Dependencies inside a loop, with the local index of each target. */
interface LocalDeps {
  deps: Dependency[];
  targets: Int32Array;
}

/** The loop solver for one strongly connected component (after soft edges are dropped). */
class LoopSolver {
  private readonly local = new Map<number, number>();
  /** Per node of the loop: its full build's dependencies inside the loop. */
  private readonly fullDeps: LocalDeps[];
  private readonly optDeps = new Map<StageOption, LocalDeps>();
  private readonly optTargets = new Map<StageOption, Set<number>>();
  /** Per option: the binaries ('name:arch') builds of the loop need from its node that it does not make. */
  private readonly missingOf = new Map<StageOption, Set<string>>();
  /** Per node: the binaries ('name:arch') builds of the loop need from it. */
  private readonly neededFrom: Set<string>[];
  readonly chosen = new Map<number, StageOption>();

  constructor(
    readonly members: readonly number[],
    private readonly depsOf: (node: number, deps: readonly Dependency[]) => Dependency[],
    private readonly graph: BuildGraph,
    readonly options: Map<number, StageOption[]>,
  ) {
    members.forEach((m, i) => this.local.set(m, i));
    this.neededFrom = members.map(() => new Set<string>());
    this.fullDeps = members.map((m) => this.inside(graph.nodes[m]!.deps, m));
    for (const [node, opts] of options) for (const o of opts) this.optDeps.set(o, this.inside(o.deps, node));
  }

  private inside(deps: readonly Dependency[], owner: number): LocalDeps {
    const kept = this.depsOf(owner, deps).filter((d) => this.local.has(d.to));
    const targets = new Int32Array(kept.length);
    kept.forEach((d, i) => {
      const t = this.local.get(d.to)!;
      targets[i] = t;
      for (const b of d.binaries) this.neededFrom[t]!.add(b);
    });
    return { deps: kept, targets };
  }

  /** The local nodes an option still needs. */
  private targets(opt: StageOption): Set<number> {
    let t = this.optTargets.get(opt);
    if (!t) this.optTargets.set(opt, (t = new Set(this.optDeps.get(opt)!.targets)));
    return t;
  }

  private missing(opt: StageOption, localNode: number): Set<string> {
    let m = this.missingOf.get(opt);
    if (!m) {
      m = new Set<string>();
      if (opt.produces) for (const b of this.neededFrom[localNode]!) if (!opt.produces.has(b.slice(0, b.indexOf(':')))) m.add(b);
      this.missingOf.set(opt, m);
    }
    return m;
  }

  /** Does a staged build of local node `t` make every one of `binaries`? */
  private serves(opt: StageOption, t: number, binaries: readonly string[]): boolean {
    const miss = this.missing(opt, t);
    if (miss.size === 0) return true;
    for (const b of binaries) if (miss.has(b)) return false;
    return true;
  }

  /** Local vertices: i < members.length the full build of members[i]; then the staged builds. */
  evaluate(chosen: Map<number, StageOption>): Evaluation {
    const m = this.members.length;
    const staged: number[] = [];
    const stageOf = new Int32Array(m).fill(-1);
    // Per node with a staged build: what it does not make that the loop needs (null: nothing).
    const missArr: (Set<string> | null)[] = new Array(m);
    for (const [node, opt] of chosen) {
      if (!opt.reducing) continue;
      const t = this.local.get(node)!;
      stageOf[t] = m + staged.length;
      const miss = this.missing(opt, t);
      missArr[t] = miss.size ? miss : null;
      staged.push(node);
    }
    const total = m + staged.length;
    const rows: LocalDeps[] = new Array(total);
    for (let i = 0; i < m; i++) {
      const opt = chosen.get(this.members[i]!);
      rows[i] = opt && !opt.reducing ? this.optDeps.get(opt)! : this.fullDeps[i]!;
    }
    staged.forEach((node, j) => (rows[m + j] = this.optDeps.get(chosen.get(node)!)!));
    const offsets = new Int32Array(total + 1);
    for (let v = 0; v < total; v++) offsets[v + 1] = offsets[v]! + rows[v]!.deps.length + (v < m && stageOf[v]! >= 0 ? 1 : 0);
    const targets = new Int32Array(offsets[total]!);
    const edgeDeps: Dependency[][] = new Array(total);
    for (let v = 0; v < total; v++) {
      const ld = rows[v]!;
      const n = ld.deps.length;
      const lt = ld.targets;
      let k = offsets[v]!;
      for (let e = 0; e < n; e++) {
        const t = lt[e]!;
        const s = stageOf[t]!;
        if (s < 0) targets[k++] = t;
        else {
          const miss = missArr[t]!;
          targets[k++] = miss === null || !ld.deps[e]!.binaries.some((b) => miss.has(b)) ? s : t;
        }
      }
      // The full build of a staged source comes after its staged build.
      if (v < m && stageOf[v]! >= 0) targets[k] = stageOf[v]!;
      edgeDeps[v] = ld.deps;
    }
    const g: Csr = { offsets, targets };
    const { comp, components } = stronglyConnectedCsr(g);
    const cyclic = new Uint8Array(components.length);
    components.forEach((c, i) => {
      if (isCyclic(c, g)) cyclic[i] = 1;
    });
    let cyclicFull = 0;
    let cyclicEdges = 0;
    for (let v = 0; v < total; v++) {
      const cv = comp[v]!;
      if (!cyclic[cv]) continue;
      // A staged build in a cycle cannot be run either (two staged builds may need each other).
      cyclicFull++;
      for (let i = offsets[v]!; i < offsets[v + 1]!; i++) if (comp[targets[i]!] === cv) cyclicEdges++;
    }
    return { g, edgeDeps, comp, components, cyclic, cyclicFull, cyclicEdges, staged, score: cyclicFull * 1e7 + cyclicEdges };
  }

  /** Every source with options staged with the one that needs the fewest builds of the loop: what stays cyclic then, no choice breaks. */
  private floor(): number {
    const all = new Map<number, StageOption>();
    for (const [node, opts] of this.options) {
      let best: StageOption | undefined;
      for (const o of opts) if (!best || this.targets(o).size < this.targets(best).size) best = o;
      if (best) all.set(node, best);
    }
    return this.evaluate(all).cyclicFull;
  }

  /**
   * Forward: add the staged build that leaves the fewest builds in loops (the best k by a cheap
   * score evaluated exactly), until no more can leave them; then drop the ones not needed.
   */
  private greedy(k: number): Map<number, StageOption> {
    const chosen = new Map<number, StageOption>();
    const order: number[] = [];
    let ev = this.evaluate(chosen);
    const floor = this.floor();
    const m = this.members.length;
    for (let round = 0; round < m && ev.cyclicFull > floor; round++) {
      const cands = this.candidates(ev, chosen);
      if (cands.length === 0) break;
      let best: { node: number; opt: StageOption; ev: Evaluation } | undefined;
      for (const c of cands.slice(0, k)) {
        chosen.set(c.node, c.opt);
        const e = this.evaluate(chosen);
        chosen.delete(c.node);
        if (!best || e.score < best.ev.score) best = { node: c.node, opt: c.opt, ev: e };
      }
      chosen.set(best!.node, best!.opt);
      order.push(best!.node);
      ev = best!.ev;
    }
    this.prune(chosen, order.reverse(), ev.cyclicFull);
    return chosen;
  }

  /**
   * Backward: stage every source that has a useful option, then drop the staged builds not
   * needed, least useful first. One evaluation per source: fast on a loop of a thousand sources.
   */
  private byDeletion(): Map<number, StageOption> {
    const chosen = new Map<number, StageOption>();
    const bestOf = new Map<number, { opt: StageOption; score: number }>();
    for (const c of this.candidates(this.evaluate(chosen), chosen))
      if (!bestOf.has(c.node)) bestOf.set(c.node, { opt: c.opt, score: c.score });
    for (const [node, b] of bestOf) chosen.set(node, b.opt);
    const order = [...bestOf.entries()].sort((a, b) => a[1].score - b[1].score || a[0] - b[0]).map(([n]) => n);
    this.prune(chosen, order, this.evaluate(chosen).cyclicFull);
    return chosen;
  }

  /** Drop, in this order, each staged build whose removal leaves no more builds in loops. */
  private prune(chosen: Map<number, StageOption>, order: readonly number[], cyclicFull: number): void {
    const cost = (n: number) => KIND_COST[chosen.get(n)!.kind];
    // Costlier kinds go first (stable: within a kind, the order given).
    const byCost = [...order].sort((a, b) => cost(b) - cost(a));
    for (const node of byCost) {
      const opt = chosen.get(node)!;
      chosen.delete(node);
      if (this.evaluate(chosen).cyclicFull > cyclicFull) chosen.set(node, opt);
    }
  }

  /**
   * Break the loop as far as the options allow, with few staged builds: backward elimination,
   * and on a small loop also the forward greedy; the better result (fewer builds left in loops,
   * then fewer staged builds) wins.
   */
  solve(k: number, greedyUpTo: number): Evaluation {
    const results = [this.byDeletion()];
    if (this.members.length <= greedyUpTo) results.push(this.greedy(k));
    let best: { chosen: Map<number, StageOption>; ev: Evaluation } | undefined;
    for (const chosen of results) {
      const ev = this.evaluate(chosen);
      const cost = (c: Map<number, StageOption>) => [...c.values()].reduce((a, o) => a + (o.reducing ? KIND_COST[o.kind] : 0.5), 0);
      if (!best || ev.cyclicFull < best.ev.cyclicFull || (ev.cyclicFull === best.ev.cyclicFull && cost(chosen) < cost(best.chosen)))
        best = { chosen, ev };
    }
    this.chosen.clear();
    for (const [n, o] of best!.chosen) this.chosen.set(n, o);
    return best!.ev;
  }

  /** Options that take a build of the loop off some of its edges, best first by a cheap score. */
  private candidates(ev: Evaluation, chosen: Map<number, StageOption>): { node: number; opt: StageOption; score: number }[] {
    const m = this.members.length;
    const { offsets, targets } = ev.g;
    // In-edges of each full build from inside its own component: how many, and their binaries.
    const inCount = new Int32Array(m);
    const inBins: (readonly string[])[][] = Array.from({ length: m }, () => []);
    for (let u = 0; u < ev.edgeDeps.length; u++) {
      const cu = ev.comp[u]!;
      if (!ev.cyclic[cu]) continue;
      const ds = ev.edgeDeps[u]!;
      const base = offsets[u]!;
      for (let i = 0; i < ds.length; i++) {
        const w = targets[base + i]!;
        if (w < m && ev.comp[w] === cu) {
          inCount[w]!++;
          inBins[w]!.push(ds[i]!.binaries);
        }
      }
    }
    const cands: { node: number; opt: StageOption; score: number; tie: number; name: string }[] = [];
    const mark = new Uint8Array(m);
    for (let i = 0; i < m; i++) {
      const node = this.members[i]!;
      if (chosen.has(node) || !ev.cyclic[ev.comp[i]!] || inCount[i] === 0) continue;
      const opts = this.options.get(node);
      if (!opts?.length) continue;
      const loopTargets: number[] = [];
      for (let e = offsets[i]!; e < offsets[i + 1]!; e++) {
        const w = targets[e]!;
        if (ev.comp[w] !== ev.comp[i]) continue;
        const t = w < m ? w : this.local.get(ev.staged[w - m]!)!;
        if (!mark[t]) {
          mark[t] = 1;
          loopTargets.push(t);
        }
      }
      for (const t of loopTargets) mark[t] = 0;
      for (const opt of opts) {
        let served = inCount[i]!;
        if (opt.reducing && this.missing(opt, i).size) served = inBins[i]!.filter((b) => this.serves(opt, i, b)).length;
        if (served === 0) continue;
        const keeps = this.targets(opt);
        let dropped = 0;
        for (const t of loopTargets) if (!keeps.has(t)) dropped++;
        if (dropped === 0) continue;
        cands.push({
          node,
          opt,
          score: served * dropped,
          tie: KIND_COST[opt.kind] * 10000 + (opt.reducing ? 1000 : 0) + opt.profiles.length * 100 + preferenceRank(opt.profiles),
          name: this.graph.nodes[node]!.record.name,
        });
      }
    }
    cands.sort((a, b) => b.score - a.score || a.tie - b.tie || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return cands;
  }
}

interface Evaluation {
  g: Csr;
  edgeDeps: Dependency[][];
  comp: Int32Array;
  components: number[][];
  cyclic: Uint8Array;
  cyclicFull: number;
  cyclicEdges: number;
  staged: number[];
  score: number;
}

/** Find the loops of a closed graph and, with `bootstrap`, break them with staged builds. */
export function breakLoops(graph: BuildGraph, opts: BootstrapOptions): BootstrapResult {
  const t0 = Date.now();
  const nodes = graph.nodes;
  const all: Adjacency = nodes.map((nd) => nd.deps.map((d) => d.to));
  const c0 = stronglyConnected(all);
  // Inside a loop, an edge whose binaries exist already is served by them.
  const softDropped = (from: number, d: Dependency) => d.soft && c0.comp[from] === c0.comp[d.to];
  const depsOf = (owner: number, deps: readonly Dependency[]) => deps.filter((d) => !softDropped(owner, d));
  const required: Adjacency = nodes.map((nd) => depsOf(nd.id, nd.deps).map((d) => d.to));
  const c1 = stronglyConnected(required);

  const chosen = new Map<number, StageOption>();
  const unbrokenByComp = new Map<number, { vertices: number[]; cycleLocal: number[]; solver: LoopSolver; ev: Evaluation }[]>();
  let optionsTried = 0;
  let largest = 0;
  let cyclicComponents = 0;
  let inLoops = 0;
  const k = opts.candidates ?? 8;
  for (let ci = 0; ci < c1.components.length; ci++) {
    const members = c1.components[ci]!;
    if (!isCyclic(members, required)) continue;
    cyclicComponents++;
    inLoops += members.length;
    largest = Math.max(largest, members.length);
    const sorted = [...members].sort((a, b) => a - b);
    const options = new Map<number, StageOption[]>();
    const ok = sorted.filter((m) => nodes[m]!.status === 'ok');
    // The ways to break it, in the order they are tried: profiles, droppable build-dependencies, seeds, hints.
    const inLoop = (n: number) => c1.comp[n] === ci;
    const allowed = (m: number, o: StageOption[]) => {
      const avoid = opts.avoid?.(nodes[m]!) ?? [];
      return avoid.length ? o.filter((x) => !x.profiles.some((p) => avoid.includes(p))) : o;
    };
    const tiers: ((m: number) => StageOption[])[] = opts.bootstrap
      ? [
          (m) => allowed(m, stageOptions(graph, nodes[m]!)),
          (m) => allowed(m, opts.droppable ? extraOptions(graph, nodes[m]!, opts.droppable(nodes[m]!)) : []),
          (m) => (opts.seedFrom ? allowed(m, seedOptions(graph, nodes[m]!, inLoop, opts.seedFrom, options.get(m) ?? [])) : []),
          (m) => allowed(m, opts.hints ? extraOptions(graph, nodes[m]!, opts.hints(nodes[m]!)) : []),
        ]
      : [];
    let solver = new LoopSolver(sorted, depsOf, graph, options);
    let ev = solver.evaluate(solver.chosen);
    for (const tier of tiers) {
      if (ev.cyclicFull === 0) break;
      let added = 0;
      for (const m of ok) {
        const o = tier(m);
        optionsTried += o.length;
        added += o.length;
        if (o.length) options.set(m, [...(options.get(m) ?? []), ...o]);
      }
      if (!added) continue;
      const next = new LoopSolver(sorted, depsOf, graph, new Map(options));
      const nev = next.solve(k, opts.greedyUpTo ?? 300);
      if (nev.cyclicFull < ev.cyclicFull || solver.chosen.size === 0) {
        solver = next;
        ev = nev;
      }
    }
    for (const [node, opt] of solver.chosen) chosen.set(node, opt);
    const parts: { vertices: number[]; cycleLocal: number[]; solver: LoopSolver; ev: Evaluation }[] = [];
    ev.components.forEach((c, i) => {
      if (!ev.cyclic[i]) return;
      const sorted = [...c].sort((a, b) => a - b);
      parts.push({ vertices: sorted, cycleLocal: cycleOf(fromCsr(ev.g), sorted, opts.cycleStarts ?? 400), solver, ev });
    });
    if (parts.length) unbrokenByComp.set(ci, parts);
  }

  // The expanded graph.
  const vertices: ExpandedVertex[] = nodes.map((nd) => ({ node: nd.id, stage: undefined }));
  const stageVertex = new Map<number, number>();
  const fullOption = new Map<number, StageOption>();
  for (const node of [...chosen.keys()].sort((a, b) => a - b)) {
    const opt = chosen.get(node)!;
    if (!opt.reducing) {
      fullOption.set(node, opt);
      continue;
    }
    stageVertex.set(node, vertices.length);
    vertices.push({ node, stage: opt });
  }
  const needs: BootstrapResult['needs'] = vertices.map((vx) => {
    const deps = vx.stage ? vx.stage.deps : (fullOption.get(vx.node)?.deps ?? nodes[vx.node]!.deps);
    const o: { to: number; binaries: string[]; soft: boolean }[] = [];
    for (const d of depsOf(vx.node, deps)) {
      const s = stageVertex.get(d.to);
      const sameLoop = c1.comp[d.to] === c1.comp[vx.node];
      o.push({
        to: s !== undefined && sameLoop && makesAll(vertices[s]!.stage!.produces, d.binaries) ? s : d.to,
        binaries: d.binaries,
        soft: d.soft,
      });
    }
    // The full build comes after its staged build; not after its seed, whose suite it must not read (the loop orders them anyway).
    const sv = stageVertex.get(vx.node);
    if (!vx.stage && sv !== undefined && vertices[sv]!.stage!.kind !== 'seed') o.push({ to: sv, binaries: [], soft: false });
    return o;
  });
  const seededNodes = rebuildAfterSeeds(graph, vertices, needs, c1.comp, depsOf, fullOption);

  // Reports: one per loop of required edges (a cyclic component once soft edges are dropped),
  // and one per loop that only existing builds close (a cyclic component of the first graph
  // holding no loop of required edges).
  const blocked = new Set<number>();
  const loops: LoopReport[] = [];
  const report = (members: readonly number[]): LoopReport => {
    const set = new Set(members);
    const r: LoopReport = {
      nodes: [...members].sort((a, b) => a - b),
      existing: [],
      staged: [],
      nocheck: [],
      seeded: [...members].filter((m) => seededNodes.has(m)).sort((a, b) => a - b),
      unbroken: [],
    };
    for (const m of r.nodes) for (const d of nodes[m]!.deps) if (set.has(d.to) && softDropped(m, d)) r.existing.push({ from: m, dep: d });
    return r;
  };
  const requiredLoop = new Uint8Array(c1.components.length);
  for (let ci = 0; ci < c1.components.length; ci++) {
    const members = c1.components[ci]!;
    if (!isCyclic(members, required)) continue;
    requiredLoop[ci] = 1;
    const r = report(members);
    for (const m of r.nodes) {
      const opt = chosen.get(m);
      if (!opt) continue;
      const keeps = targetsOf(opt.deps);
      const breaks = depsOf(m, nodes[m]!.deps).filter((d) => c1.comp[d.to] === ci && !keeps.has(d.to));
      (opt.reducing ? r.staged : r.nocheck).push({ node: m, option: opt, breaks });
    }
    for (const part of unbrokenByComp.get(ci) ?? []) {
      const toGlobal = (lv: number) =>
        lv < part.solver.members.length ? part.solver.members[lv]! : stageVertex.get(part.ev.staged[lv - part.solver.members.length]!)!;
      const verts = part.vertices.map(toGlobal).sort((a, b) => a - b);
      for (const v of verts) blocked.add(v);
      const cycle: CycleStep[] = part.cycleLocal.map((lv, i) => {
        const next = part.cycleLocal[(i + 1) % part.cycleLocal.length]!;
        const { offsets, targets } = part.ev.g;
        let j = -1;
        for (let e = offsets[lv]!; e < offsets[lv + 1]!; e++) {
          if (targets[e] === next) {
            j = e - offsets[lv]!;
            break;
          }
        }
        return { vertex: toGlobal(lv), binaries: part.ev.edgeDeps[lv]![j]?.binaries ?? [] };
      });
      r.unbroken.push({ vertices: verts, cycle });
    }
    loops.push(r);
  }
  for (const members of c0.components) {
    if (!isCyclic(members, all) || members.some((m) => requiredLoop[c1.comp[m]!])) continue;
    loops.push(report(members));
  }
  loops.sort((a, b) => b.nodes.length - a.nodes.length || a.nodes[0]! - b.nodes[0]!);

  return {
    vertices,
    needs,
    fullOption,
    loops,
    blocked,
    stats: {
      components: c1.components.length,
      cyclicComponents,
      largestComponent: largest,
      inLoops,
      optionsTried,
      milliseconds: Date.now() - t0,
    },
  };
}

/**
 * A final build that takes a seed's binaries is built again against the set's own builds: its first build (a copy of its vertex, kind
 * `seeded`) serves the loop, the final one comes after and serves the rest. Returns the nodes rebuilt; adds their vertices and needs.
 */
function rebuildAfterSeeds(
  graph: BuildGraph,
  vertices: ExpandedVertex[],
  needs: BootstrapResult['needs'],
  comp: Int32Array | number[],
  depsOf: (owner: number, deps: readonly Dependency[]) => Dependency[],
  fullOption: ReadonlyMap<number, StageOption>,
): Set<number> {
  const n = graph.nodes.length;
  const isSeed = (v: number) => vertices[v]!.stage?.kind === 'seed';
  const first = new Map<number, number>();
  for (let v = 0; v < n; v++) {
    if (!needs[v]!.some((e) => e.binaries.length && isSeed(e.to))) continue;
    const vx = graph.nodes[v]!;
    first.set(v, vertices.length);
    vertices.push({
      node: v,
      stage: {
        kind: 'seeded',
        profiles: fullOption.get(v)?.profiles ?? [],
        reducing: true,
        deps: fullOption.get(v)?.deps ?? vx.deps,
        produces: undefined,
        evidence: 'its first build takes a seed build',
      },
    });
    needs.push(needs[v]!.map((e) => ({ ...e })));
  }
  if (!first.size) return new Set();
  // Inside the loop, the builds take the first build; outside, the final one.
  for (let v = 0; v < vertices.length; v++) {
    if (v < n && first.has(v)) continue;
    const node = vertices[v]!.node;
    for (const e of needs[v]!) if (first.has(e.to) && comp[e.to] === comp[node]) e.to = first.get(e.to)!;
  }
  // The final build: against the loop's final builds, or the first build of one rebuilt too (never a seed).
  for (const [v, f] of first) {
    const deps = fullOption.get(v)?.deps ?? graph.nodes[v]!.deps;
    const o: BootstrapResult['needs'][number] = depsOf(v, deps).map((d) => ({
      to: comp[d.to] === comp[v] && first.has(d.to) ? first.get(d.to)! : d.to,
      binaries: d.binaries,
      soft: d.soft,
    }));
    o.push({ to: f, binaries: [], soft: false });
    needs[v] = o;
  }
  return new Set(first.keys());
}

function fromCsr(g: Csr): number[][] {
  const out: number[][] = [];
  for (let v = 0; v + 1 < g.offsets.length; v++) out.push(Array.from(g.targets.subarray(g.offsets[v]!, g.offsets[v + 1]!)));
  return out;
}

/** A shortest cycle of a strongly connected part; in a large part, searched from its best-connected vertices. */
function cycleOf(out: Adjacency, members: readonly number[], starts: number): number[] {
  if (members.length <= starts) return shortestCycle(out, members);
  const inSet = new Set(members);
  const indeg = new Map<number, number>();
  for (const v of members) for (const w of out[v]!) if (inSet.has(w)) indeg.set(w, (indeg.get(w) ?? 0) + 1);
  const degree = (v: number) => (indeg.get(v) ?? 0) * out[v]!.filter((w) => inSet.has(w)).length;
  const best = [...members].sort((a, b) => degree(b) - degree(a) || a - b).slice(0, starts);
  return shortestCycle(out, members, best);
}
