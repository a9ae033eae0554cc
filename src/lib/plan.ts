// The plan xdeb-sequence prints and runs: the builds in order (dependencies first), each with
// its profiles and stage, the loops and how they were broken (or why not). Plain data, so that
// it is printed as text, JSON or dot, stored in the state file, and run later.

import type { BootstrapResult, CycleStep, StageKind, StageOption } from './bootstrap.js';
import type { BuildGraph, GraphProblem } from './build-graph.js';
import { suiteForProfiles, type BootstrapSuite } from './local-repo-layout.js';
import type { ToolchainStage } from './toolchain-stages.js';
import { stronglyConnected, topologicalOrder } from './scc.js';

export interface PlanStep {
  /** Position in build order, from 1. */
  n: number;
  source: string;
  version: string;
  /** The architecture it is built for (the host architecture, or the build architecture for a tool a cross build runs). */
  arch: string;
  /** Every profile of the build (cross, nocheck, stage1…). */
  profiles: string[];
  /**
   * null for a full build; for a staged build its reducing profiles joined with '+' (stage1, nobiarch+stage1); `seed` for a build against
   * the repositories' binaries of other members, `seeded` for a first build that takes a seed's, `dropped` for one with build-dependencies
   * dropped.
   */
  stage: string | null;
  /** Build-dependencies the build goes without (a droppable list's or a hint's): satisfied without them, dpkg-buildpackage -d. */
  drops?: string[];
  /** Built as binNMU N (version +bN): the archive's binaries of the source are that binNMU (lib/binnmu.ts). */
  binNMU?: number;
  /** The suite of the local repository the results go to. */
  suite: string;
  /** What xdeb-build is given: a source tree, a .dsc, or name=version. */
  arg: string;
  /** Steps (n) that must be built first. */
  after: number[];
  /**
   * Those of `after` whose binaries the repositories in use have too: when such a step fails or cannot be built, this one can still be
   * built (with --keep-going) against the existing ones.
   */
  soft?: number[];
  /** With --explain: the binaries ('name:arch') needed from each of them; soft when the repositories have them too. */
  needs?: { step: number; binaries: string[]; soft?: boolean }[];
  explicit: boolean;
  /** Why it is in the plan, for a person. */
  why: string;
  /** The loop (n) it is stuck in, when no profile breaks that loop. */
  loop?: number;
  /** Why it cannot be built: its build-dependencies are not satisfiable. */
  unsatisfiable?: string;
  /** Final-build profiles (nodoc, nocheck) added because it is not satisfiable without them, and why. */
  added?: { profiles: string[]; reason: string };
}

export interface PlanEdgeRef {
  source: string;
  arch: string;
  stage: string | null;
  /** Binaries ('name:arch') needed from it. */
  binaries: string[];
}

export interface PlanStaged {
  source: string;
  arch: string;
  /** How it breaks the loop: profile, drop (a droppable list), seed, hint. */
  kind: StageKind;
  profiles: string[];
  drops?: string[];
  /** Why it is possible: the list and line, the hint's reason, what the repositories have. */
  evidence?: string;
  stage: string | null;
  /** The step that builds it. */
  step: number;
  /** The full build's dependencies inside the loop it does without. */
  breaks: PlanEdgeRef[];
}

export interface PlanLoop {
  n: number;
  /** Its sources ('name', or 'name:arch' for a build not for the host architecture). */
  sources: string[];
  broken: boolean;
  /** Edges that existing builds serve (no staged build needed for them). */
  existing: { source: string; needs: PlanEdgeRef }[];
  staged: PlanStaged[];
  /** Built with nocheck or nodoc alone (a final build, not staged) to break it. */
  nocheck: PlanStaged[];
  /** Members first built against a seed, built again against the set's own builds: their first build's step and the final one's. */
  seeded: { source: string; arch: string; first: number; step: number }[];
  /** What no profile breaks, each part with a shortest cycle: each build needs the next one's binaries, the last the first's. */
  unbroken: { sources: string[]; cycle: PlanEdgeRef[] }[];
}

export interface PlanProblem {
  kind: GraphProblem['kind'];
  /** The build that needs the binaries. */
  needer: string;
  source: string;
  binaries: string[];
  message: string;
}

export interface Plan {
  format: 1;
  buildArch: string;
  hostArch: string;
  /** Profiles of a full build for the host architecture. */
  profiles: string[];
  full: boolean;
  bootstrap: boolean;
  onlyExplicit: boolean;
  /** The SOURCE arguments (or ['--all']). */
  args: string[];
  /** --toolchain: its name and flavour; the host-architecture steps are built with it, into flavour suites. */
  toolchain?: { name: string; flavour: string };
  steps: PlanStep[];
  loops: PlanLoop[];
  problems: PlanProblem[];
  /** When the plan has toolchain sources (binutils, linux, gcc-N, glibc): their stages in rebootstrap's order (lib/toolchain-stages.ts). */
  toolchainStages?: ToolchainStage[];
  /** --hints FILE: each hint, and the step that used it or why none did. */
  hints?: {
    source: string;
    drops?: string[];
    profiles?: string[];
    /** Avoid-Profiles: no build of the source uses them. */
    avoid?: string[];
    reason: string;
    file: string;
    line: number;
    step?: number;
    unused?: string;
  }[];
  stats: {
    sources: number;
    edges: number;
    checks: number;
    components: number;
    cyclicComponents: number;
    largestComponent: number;
    inLoops: number;
    stagedBuilds: number;
    nocheckBuilds: number;
    seedBuilds: number;
    unbrokenLoops: number;
    milliseconds: { graph: number; bootstrap: number };
  };
}

export interface PlanMeta {
  args: string[];
  /** The toolchain of the host-architecture builds (build-architecture tools are built without it). */
  toolchain?: { name: string; flavour: string };
  full: boolean;
  bootstrap: boolean;
  onlyExplicit: boolean;
  graphMilliseconds: number;
  /** List for each step the binaries it needs from each earlier one. */
  explain?: boolean;
  /** Why a node's build-dependencies fail, when known. */
  unsatisfiable?: (node: number) => string | undefined;
  /** The binNMU a node's builds are made as, when the archive's binaries of its source are one. */
  binNMU?: (node: number) => number | undefined;
}

/** The bootstrap suite of an option that breaks a loop otherwise than by profiles alone. */
export function bootstrapSuiteOf(opt: StageOption | undefined): BootstrapSuite | undefined {
  if (!opt || !opt.reducing) return undefined;
  if (opt.kind === 'seed' || opt.kind === 'seeded') return opt.kind;
  return opt.drops?.length ? 'dropped' : undefined;
}

/** The stage name of an option: seed, seeded, dropped, else its reducing profiles (null when it has none). */
export function stageName(opt: StageOption | undefined): string | null {
  if (!opt || !opt.reducing) return null;
  const b = bootstrapSuiteOf(opt);
  if (b) return b;
  const s = suiteForProfiles(opt.profiles);
  return s.staged ? s.reducing.join('+') : null;
}

export function makePlan(graph: BuildGraph, br: BootstrapResult, meta: PlanMeta): Plan {
  const cx: PlanContext = {
    graph,
    br,
    meta,
    label: nodeLabel(graph),
    stageVertex: stageVertices(br, false),
    firstVertex: stageVertices(br, true),
  };
  const order = buildOrder(cx);
  const stepOf = stepNumbers(order, br.vertices.length);
  const { loops, loopOfVertex } = planLoops(cx, stepOf);
  const steps = order.map((v, i) => planStep(cx, v, i + 1, stepOf, loopOfVertex));
  const problems = planProblems(cx);
  markMissing(cx, steps, stepOf, problems);
  return {
    format: 1,
    buildArch: graph.opts.buildArch,
    hostArch: graph.opts.hostArch,
    profiles: [...graph.opts.hostProfiles],
    full: meta.full,
    bootstrap: meta.bootstrap,
    onlyExplicit: meta.onlyExplicit,
    args: meta.args,
    ...(meta.toolchain ? { toolchain: meta.toolchain } : {}),
    steps,
    loops,
    problems,
    stats: planStats(cx, loops),
  };
}

/** What the steps of makePlan share. */
interface PlanContext {
  graph: BuildGraph;
  br: BootstrapResult;
  meta: PlanMeta;
  /** A node's name for a person: its source, with ':arch' when it is not built for the host architecture. */
  label: (node: number) => string;
  /** The vertex of each node's staged build (for the nodes that have one). */
  stageVertex: Map<number, number>;
  /** The vertex of each node's first build, for the nodes built again after a seed. */
  firstVertex: Map<number, number>;
}

function nodeLabel(graph: BuildGraph): (node: number) => string {
  const nodes = graph.nodes;
  const host = graph.opts.hostArch;
  return (node: number) => {
    const nd = nodes[node]!;
    return nd.arch === host ? nd.record.name : `${nd.record.name}:${nd.arch}`;
  };
}

function stageVertices(br: BootstrapResult, seeded: boolean): Map<number, number> {
  const stageVertex = new Map<number, number>();
  br.vertices.forEach((vx, v) => {
    if (vx.stage && (vx.stage.kind === 'seeded') === seeded) stageVertex.set(vx.node, v);
  });
  return stageVertex;
}

/** Every profile of a vertex's build: its architecture's, and its stage's or those its full build is given to break a loop. */
function profilesOf(cx: PlanContext, v: number): string[] {
  const { graph, br } = cx;
  const vx = br.vertices[v]!;
  const base = graph.nodeProfiles(graph.nodes[vx.node]!);
  const extra = vx.stage?.profiles ?? br.fullOption.get(vx.node)?.profiles ?? [];
  return [...new Set([...base, ...extra])];
}

/**
 * Each vertex's place in name order: by source name, the host architecture's after the others, a staged build before the full one (the
 * tie-break among builds ready together).
 */
function nameRanks(cx: PlanContext): Int32Array {
  const { br } = cx;
  const nodes = cx.graph.nodes;
  const host = cx.graph.opts.hostArch;
  const V = br.vertices.length;
  const byName = [...Array(V).keys()].sort((a, b) => {
    const na = nodes[br.vertices[a]!.node]!;
    const nb = nodes[br.vertices[b]!.node]!;
    if (na.record.name !== nb.record.name) return na.record.name < nb.record.name ? -1 : 1;
    if (na.arch !== nb.arch) return na.arch === host ? 1 : nb.arch === host ? -1 : na.arch < nb.arch ? -1 : 1;
    return (br.vertices[a]!.stage ? 0 : 1) - (br.vertices[b]!.stage ? 0 : 1);
  });
  const rank = new Int32Array(V);
  byName.forEach((v, i) => (rank[v] = i));
  return rank;
}

/**
 * The vertices in build order: the components of the expanded graph in dependency order, each
 * placed when all it needs is placed, the first by name among those ready; a loop's builds together.
 */
function buildOrder(cx: PlanContext): number[] {
  const V = cx.br.vertices.length;
  const out = cx.br.needs.map((l) => l.map((e) => e.to));
  const { comp, components } = stronglyConnected(out);
  const rank = nameRanks(cx);
  const compRank = components.map((c) => c.reduce((m, v) => Math.min(m, rank[v]!), V));
  const compOut = components.map((c) => {
    const s = new Set<number>();
    for (const v of c) for (const w of out[v]!) if (comp[w] !== comp[v]) s.add(comp[w]!);
    return [...s];
  });
  const compOrder = topologicalOrder(compOut, (c) => compRank[c]!);
  const order: number[] = [];
  for (const c of compOrder) order.push(...[...components[c]!].sort((a, b) => rank[a]! - rank[b]!));
  return order;
}

/** Each vertex's step (n, from 1), from the build order. */
function stepNumbers(order: readonly number[], V: number): Int32Array {
  const stepOf = new Int32Array(V);
  order.forEach((v, i) => (stepOf[v] = i + 1));
  return stepOf;
}

/** The loops and how each is broken (or why not); and for each vertex stuck in an unbroken loop, that loop (n). */
function planLoops(cx: PlanContext, stepOf: Int32Array): { loops: PlanLoop[]; loopOfVertex: Map<number, number> } {
  const { br, label } = cx;
  const nodes = cx.graph.nodes;
  const loopOfVertex = new Map<number, number>();
  const loops = br.loops.map((l, i): PlanLoop => ({
    n: i + 1,
    sources: l.nodes.map(label),
    broken: l.unbroken.length === 0,
    existing: l.existing.map((e) => ({
      source: label(e.from),
      needs: { source: label(e.dep.to), arch: nodes[e.dep.to]!.arch, stage: null, binaries: e.dep.binaries },
    })),
    staged: l.staged.map((s) => stagedBuild(cx, s, stepOf)),
    nocheck: l.nocheck.map((s) => stagedBuild(cx, s, stepOf)),
    seeded: l.seeded.map((m) => ({ source: label(m), arch: nodes[m]!.arch, first: stepOf[cx.firstVertex.get(m)!]!, step: stepOf[m]! })),
    unbroken: l.unbroken.map((u) => {
      for (const v of u.vertices) loopOfVertex.set(v, i + 1);
      return {
        sources: [...new Set(u.vertices.map((v) => label(br.vertices[v]!.node)))],
        cycle: u.cycle.map((c: CycleStep) => vertexRef(cx, c.vertex, c.binaries)),
      };
    }),
  }));
  return { loops, loopOfVertex };
}

/** A build chosen to break a loop (staged, or nocheck or nodoc alone), with the step that builds it. */
function stagedBuild(cx: PlanContext, s: BootstrapResult['loops'][number]['staged'][number], stepOf: Int32Array): PlanStaged {
  const { label } = cx;
  const nodes = cx.graph.nodes;
  return {
    source: label(s.node),
    arch: nodes[s.node]!.arch,
    kind: s.option.kind,
    profiles: s.option.profiles,
    ...(s.option.drops?.length ? { drops: s.option.drops } : {}),
    ...(s.option.evidence ? { evidence: s.option.evidence } : {}),
    stage: stageName(s.option),
    // A nocheck build is the node's full build, and a full build's vertex is its node.
    step: stepOf[s.option.reducing ? cx.stageVertex.get(s.node)! : s.node]!,
    breaks: s.breaks.map((d) => ({ source: label(d.to), arch: nodes[d.to]!.arch, stage: null, binaries: d.binaries })),
  };
}

function vertexRef(cx: PlanContext, v: number, binaries: string[]): PlanEdgeRef {
  const vx = cx.br.vertices[v]!;
  return { source: cx.label(vx.node), arch: cx.graph.nodes[vx.node]!.arch, stage: stageName(vx.stage), binaries };
}

/** The step n, which builds vertex v. */
function planStep(cx: PlanContext, v: number, n: number, stepOf: Int32Array, loopOfVertex: ReadonlyMap<number, number>): PlanStep {
  const { graph, br, meta } = cx;
  const vx = br.vertices[v]!;
  const nd = graph.nodes[vx.node]!;
  const profiles = profilesOf(cx, v);
  const after = [...new Set(br.needs[v]!.map((e) => stepOf[e.to]!))].filter((s) => s !== n).sort((a, b) => a - b);
  // A step is a soft need when every edge to it is (a staged build's link to its full rebuild has no binaries: never soft).
  const hard = new Set(br.needs[v]!.filter((e) => !e.soft || !e.binaries.length).map((e) => stepOf[e.to]!));
  const soft = after.filter((a) => !hard.has(a));
  const why = whyInPlan(cx, v, stepOf);
  const step: PlanStep = {
    n,
    source: nd.record.name,
    version: nd.record.version,
    arch: nd.arch,
    profiles,
    stage: stageName(vx.stage),
    ...(vx.stage?.drops?.length ? { drops: [...vx.stage.drops] } : {}),
    suite: suiteForProfiles(profiles, nd.arch === graph.opts.hostArch ? meta.toolchain?.flavour : undefined, bootstrapSuiteOf(vx.stage))
      .suite,
    arg: nd.record.arg,
    after,
    ...(soft.length ? { soft } : {}),
    explicit: nd.explicit,
    why,
  };
  const binNMU = meta.binNMU?.(vx.node);
  if (binNMU) step.binNMU = binNMU;
  if (meta.explain) step.needs = stepNeeds(cx, v, n, stepOf);
  const loop = loopOfVertex.get(v);
  if (loop !== undefined) step.loop = loop;
  if (nd.status !== 'ok') step.unsatisfiable = meta.unsatisfiable?.(vx.node) ?? 'its build-dependencies cannot be satisfied';
  if (nd.added) step.added = { profiles: [...nd.added.profiles], reason: nd.added.reason };
  return step;
}

/** Why vertex v's build is in the plan, for a person. */
function whyInPlan(cx: PlanContext, v: number, stepOf: Int32Array): string {
  const { br, label, stageVertex, firstVertex } = cx;
  const vx = br.vertices[v]!;
  const nd = cx.graph.nodes[vx.node]!;
  const rebuilt = `rebuilt in full at step ${stepOf[vx.node]}`;
  let why: string;
  if (vx.stage?.kind === 'seed')
    why = `seed build${vx.stage.profiles.length ? ` (${vx.stage.profiles.join(',')})` : ''} that breaks a loop: ${vx.stage.evidence ?? ''}; ${rebuilt}`;
  else if (vx.stage?.kind === 'seeded') why = `first build, against a seed build; ${rebuilt} against the set's own builds`;
  else if (vx.stage?.drops?.length)
    why = `staged build without ${vx.stage.drops.join(', ')}${vx.stage.profiles.length ? ` (${vx.stage.profiles.join(',')})` : ''} that breaks a loop (${vx.stage.evidence ?? ''}); ${rebuilt}`;
  else if (vx.stage)
    why = `staged build (${vx.stage.profiles.join(',')}) that breaks a loop${vx.stage.kind === 'hint' ? ` (${vx.stage.evidence ?? 'a hint'})` : ''}; ${rebuilt}`;
  else if (nd.explicit) why = 'asked for';
  else if (nd.neededBy) why = `needed by ${label(nd.neededBy.node)} (${nd.neededBy.binaries.join(', ')})`;
  else why = 'needed';
  if (!vx.stage && stageVertex.has(vx.node)) why += `; full rebuild after its staged build (step ${stepOf[stageVertex.get(vx.node)!]})`;
  if (!vx.stage && firstVertex.has(vx.node))
    why += `; built again against the set's own builds (its first build, step ${stepOf[firstVertex.get(vx.node)!]}, took a seed's)`;
  const fo = br.fullOption.get(vx.node);
  if (!vx.stage && fo) why += `; built with ${fo.profiles.join(',')} to break a loop`;
  if (nd.added) why += `; built with ${nd.added.profiles.join(',')}: ${nd.added.reason}`;
  return why;
}

/** For --explain: the binaries step n (vertex v) needs from each earlier step, in step order. */
function stepNeeds(cx: PlanContext, v: number, n: number, stepOf: Int32Array): NonNullable<PlanStep['needs']> {
  const needs = cx.br.needs[v]!.filter((e) => e.binaries.length && stepOf[e.to] !== n).map((e) =>
    e.soft ? { step: stepOf[e.to]!, binaries: e.binaries, soft: true } : { step: stepOf[e.to]!, binaries: e.binaries },
  );
  needs.sort((a, b) => a.step - b.step);
  return needs;
}

function planProblems(cx: PlanContext): PlanProblem[] {
  const { label } = cx;
  return cx.graph.problems.map((p) => ({
    kind: p.kind,
    needer: label(p.node),
    source: p.source,
    binaries: p.binaries,
    message:
      p.kind === 'missing'
        ? `${label(p.node)} needs ${p.binaries.join(', ')}, which no build of the plan makes and the repositories in use do not have (source ${p.source}; drop --only-explicit to build it)`
        : `${label(p.node)} needs ${p.binaries.join(', ')}, built by source ${p.source}, which is not known: taken from the repositories as it is`,
  }));
}

/** A build that needs what nobody makes (--only-explicit) cannot be run: its step says why. */
function markMissing(cx: PlanContext, steps: PlanStep[], stepOf: Int32Array, problems: readonly PlanProblem[]): void {
  for (const p of cx.graph.problems) {
    if (p.kind !== 'missing') continue;
    const s = steps[stepOf[p.node]! - 1]!;
    s.unsatisfiable ??= problems.find((q) => q.needer === cx.label(p.node))!.message;
  }
}

function planStats(cx: PlanContext, loops: readonly PlanLoop[]): Plan['stats'] {
  const { graph, br, meta } = cx;
  let edges = 0;
  for (const nd of graph.nodes) edges += nd.deps.length;
  return {
    sources: graph.nodes.length,
    edges,
    checks: graph.checks,
    components: br.stats.components,
    cyclicComponents: br.stats.cyclicComponents,
    largestComponent: br.stats.largestComponent,
    inLoops: br.stats.inLoops,
    stagedBuilds: loops.reduce((a, l) => a + l.staged.length, 0),
    nocheckBuilds: loops.reduce((a, l) => a + l.nocheck.length, 0),
    seedBuilds: loops.reduce((a, l) => a + l.staged.filter((x) => x.kind === 'seed').length, 0),
    unbrokenLoops: loops.reduce((a, l) => a + l.unbroken.length, 0),
    milliseconds: { graph: meta.graphMilliseconds, bootstrap: br.stats.milliseconds },
  };
}

/** Is the plan complete: every loop broken, every build satisfiable? */
export function planIsComplete(plan: Plan): boolean {
  return plan.stats.unbrokenLoops === 0 && plan.steps.every((s) => s.unsatisfiable === undefined && s.loop === undefined);
}
