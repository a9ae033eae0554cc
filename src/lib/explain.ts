// Why requirements cannot be installed: for every failing requirement, the dependency chain that
// fails and why (a missing package, the Multi-Arch rule that rules a candidate out, a conflict
// with both chains that lead to it). Answers about single packages are cached: an archive-wide
// check asks the same questions thousands of times.

import { archMismatchReason, archSatisfies, effectiveArch } from './multiarch.js';
import { Installer, type DependencyIndex, type Requirement, type SolveResult } from './installability.js';
import { formatAlternative, formatRelation, type Alternative, type Relation } from './relation.js';
import type { BinaryPackage } from './universe.js';
import { versionSatisfies } from './version.js';

export type ReasonKind = 'missing' | 'conflict' | 'skew' | 'unsatisfiable' | 'too-complex';

export interface Reason {
  kind: ReasonKind;
  /** One line a person reads. */
  text: string;
  /** From the requirement down to where it fails: 'Build-Depends: foo', 'foo:arm64 1.0 depends on bar', … */
  chain: string[];
  /** For a conflict: the other side's chain. */
  chain2?: string[];
  /** @internal the package id on the other side of a conflict. */
  other?: number;
}

export interface Failure {
  requirement: string;
  file?: string;
  line?: number;
  reasons: Reason[];
}

const MAX_DEPTH = 8;
const MAX_BRANCH = 3;

export function describePackage(p: BinaryPackage): string {
  return `${p.name}:${p.arch} ${p.version}`;
}

export class Explainer {
  private readonly installable = new Map<number, boolean>();
  private baseInstall: Set<number> | undefined;
  readonly index: DependencyIndex;

  constructor(
    readonly installer: Installer,
    /** What must stay installed besides the installer's base (the essential set). */
    readonly extra: readonly Requirement[] = [],
  ) {
    this.index = installer.index;
  }

  /** Requirements that hold a single package: it must stay installed. */
  private mustStay(q: number): boolean {
    const single = (r: Requirement) => r.candidates?.length === 1 && r.candidates[0] === q;
    return this.extra.some(single) || this.installer.base.some(single);
  }

  private get universe() {
    return this.index.universe;
  }

  private forced(id: number): Requirement {
    const p = this.universe.get(id);
    return { relation: [], fromArch: effectiveArch(p.arch, this.index.ctx), label: describePackage(p), kind: 'implicit', candidates: [id] };
  }

  /** Solve on top of the base set and `extra`; chosen[i] answers reqs[i]. */
  solve(reqs: readonly Requirement[]): SolveResult {
    const r = this.installer.solve([...this.extra, ...reqs]);
    return r.status === 'sat' ? { ...r, chosen: r.chosen.slice(this.extra.length) } : r;
  }

  /** Can the package be installed on top of the base set? */
  canInstall(id: number): boolean {
    let r = this.installable.get(id);
    if (r === undefined) {
      r = this.solve([this.forced(id)]).status === 'sat';
      this.installable.set(id, r);
    }
    return r;
  }

  private baseSet(): Set<number> {
    if (!this.baseInstall) {
      const r = this.solve([]);
      this.baseInstall = new Set(r.status === 'sat' ? r.install : []);
    }
    return this.baseInstall;
  }

  /** Why no package satisfies `alt` for `fromArch`. */
  missingReason(alt: Alternative, fromArch: string): string {
    const u = this.universe;
    const ctx = this.index.ctx;
    const named = u.named(alt.name).map((id) => u.get(id));
    const provided = u.providers(alt.name).map(([id, v]) => [u.get(id), v] as const);
    if (named.length === 0 && provided.length === 0) return `no package is named or provides '${alt.name}'`;
    const archOk = named.filter((p) => archSatisfies(p.arch, p.multiArch, alt.archQualifier, fromArch, ctx));
    if (archOk.length > 0 && alt.op !== undefined) {
      const have = [...new Set(archOk.map((p) => `${p.name}:${p.arch} ${p.version}`))].join(', ');
      return `${have} does not satisfy (${alt.op} ${alt.version})`;
    }
    if (named.length > 0) return archMismatchReason(named[0]!, alt, fromArch, ctx);
    const [prov, v] = provided[0]!;
    if (alt.op !== undefined && (v === undefined || !versionSatisfies(v, alt.op, alt.version!))) {
      return `'${alt.name}' is only provided ${v === undefined ? 'without a version' : `at version ${v}`} (by ${prov.name}), which does not satisfy (${alt.op} ${alt.version})`;
    }
    return `'${alt.name}' is provided by ${prov.name}:${prov.arch}, which ${archMismatchReason(prov, { ...alt, name: prov.name }, fromArch, ctx).replace(/^\S+ /, '')}`;
  }

  private missing(rel: Relation, fromArch: string, chain: string[]): Reason {
    const why = rel.map((a) => (rel.length > 1 ? `${formatAlternative(a)}: ` : '') + this.missingReason(a, fromArch)).join('; ');
    return { kind: 'missing', text: `${formatRelation(rel)} for ${fromArch}: ${why}`, chain };
  }

  /** Why a requirement cannot be installed on top of the base set. */
  explainRequirement(req: Requirement): Reason[] {
    const chain = [req.label];
    const cands = req.candidates ?? this.index.relationCandidates(req.relation, req.fromArch);
    if (cands.length === 0) return [this.missing(req.relation, req.fromArch, chain)];
    return this.explainCandidates(cands, chain, 0, new Set());
  }

  private explainCandidates(cands: readonly number[], chain: string[], depth: number, visited: Set<number>): Reason[] {
    const reasons: Reason[] = [];
    const failing = cands.filter((c) => !this.canInstall(c));
    // Explain one version per package name: the best candidate stands for the others.
    const names = new Set<string>();
    for (const c of failing) {
      const p = this.universe.get(c);
      if (names.has(p.name)) continue;
      names.add(p.name);
      if (names.size > MAX_BRANCH) break;
      reasons.push(...this.explainPackage(c, [...chain, describePackage(p)], depth + 1, visited));
    }
    if (failing.length < cands.length) {
      // Some candidate installs alone: the trouble is in combination with what else is asked.
      return reasons.length
        ? reasons
        : [{ kind: 'unsatisfiable', text: 'installable alone, but not together with the other requirements', chain }];
    }
    return reasons;
  }

  /** Why a package cannot be installed on top of the base set. */
  explainPackage(id: number, chain: string[], depth: number, visited: Set<number>): Reason[] {
    const p = this.universe.get(id);
    if (depth > MAX_DEPTH || visited.has(id)) return [{ kind: 'unsatisfiable', text: `${describePackage(p)} cannot be installed`, chain }];
    visited.add(id);
    const from = effectiveArch(p.arch, this.index.ctx);
    const clauses = this.index.dependencyClauses(id);
    const reasons: Reason[] = [];
    // A dependency nothing can satisfy, or whose every candidate is itself uninstallable.
    for (let i = 0; i < clauses.length; i++) {
      const rel = p.depends[i]!;
      const step = [...chain.slice(0, -1), `${chain[chain.length - 1]} depends on ${formatRelation(rel)}`];
      if (clauses[i]!.length === 0) reasons.push(this.missing(rel, from, step));
    }
    if (reasons.length) return reasons;
    for (let i = 0; i < clauses.length; i++) {
      const cands = clauses[i]!;
      if (cands.every((c) => !this.canInstall(c))) {
        const rel = p.depends[i]!;
        const step = [...chain.slice(0, -1), `${chain[chain.length - 1]} depends on ${formatRelation(rel)}`];
        reasons.push(...this.explainCandidates(cands, step, depth, visited));
        if (reasons.length) return reasons;
      }
    }
    // A conflict with what must stay, or with what the base set installs.
    const base = this.baseSet();
    let withBase: number | undefined;
    for (const q of this.index.conflicts(id)) {
      if (!base.has(q)) continue;
      const pq = this.universe.get(q);
      if (this.mustStay(q)) {
        if (pq.name === p.name && p.multiArch === 'same' && pq.multiArch === 'same' && pq.version !== p.version) {
          return [
            {
              kind: 'skew',
              text: `${p.name} is Multi-Arch: same, but ${p.arch} has ${p.version} where ${pq.arch} has ${pq.version} (the architectures' versions are skewed)`,
              chain,
              other: q,
            },
          ];
        }
        return [
          {
            kind: 'conflict',
            text: `${describePackage(p)} conflicts with ${describePackage(pq)}, which must stay installed`,
            chain,
            other: q,
          },
        ];
      }
      withBase ??= q;
    }
    if (withBase !== undefined) {
      const pq = this.universe.get(withBase);
      const holder = [...this.extra, ...this.installer.base].find((r) => this.reaches(r, withBase!, base));
      return [
        {
          kind: 'conflict',
          text: `${describePackage(p)} conflicts with ${describePackage(pq)}, which the essential set installs`,
          chain,
          chain2: holder ? this.path(holder, this.chosenFor(holder, base), withBase, base) : undefined,
          other: withBase,
        },
      ];
    }
    // Its dependencies, each installable alone, exclude each other.
    const deps: Requirement[] = p.depends.map((rel, i) => ({
      relation: rel,
      fromArch: from,
      label: `${describePackage(p)} depends on ${formatRelation(rel)}`,
      kind: 'implicit' as const,
      candidates: clauses[i],
    }));
    const conflict = this.explainConflict(deps, chain.slice(0, -1));
    return conflict.length ? conflict : [{ kind: 'unsatisfiable', text: `${describePackage(p)} cannot be installed`, chain }];
  }

  /**
   * Requirements each installable alone but not together: find a smallest conflicting subset
   * (deletion), install what the others need, hold it, and explain the last one against it:
   * the chain down to the package that conflicts with something held, and the chain to that.
   */
  explainConflict(reqs: readonly Requirement[], prefix: string[] = [], maxSolves = 200): Reason[] {
    let solves = 0;
    const unsat = (rs: readonly Requirement[]) => {
      solves++;
      return this.solve(rs).status === 'unsat';
    };
    if (!unsat(reqs)) return [];
    let core = [...reqs];
    for (let i = core.length - 1; i >= 0 && solves < maxSolves; i--) {
      const without = [...core.slice(0, i), ...core.slice(i + 1)];
      if (unsat(without)) core = without;
    }
    const together = (): Reason[] => [
      { kind: 'unsatisfiable', text: `cannot be satisfied together: ${core.map((r) => r.label).join('; ')}`, chain: prefix },
    ];
    if (core.length < 2) return together();
    const last = core[core.length - 1]!;
    const rest = core.slice(0, -1);
    const restSol = this.solve(rest);
    if (restSol.status !== 'sat') return together();
    const restSet = new Set(restSol.install);
    const held = new Explainer(this.installer, [...this.extra, ...restSol.install.map((id) => this.forced(id))]);
    const reasons = held.explainRequirement(last);
    const out: Reason[] = [];
    for (const r of reasons) {
      const chain = [...prefix, ...r.chain];
      if ((r.kind === 'conflict' || r.kind === 'skew') && r.other !== undefined && restSet.has(r.other)) {
        const holder = rest.find((q) => this.reaches(q, r.other!, restSet)) ?? rest[0]!;
        out.push({
          kind: r.kind,
          text: r.text.replace(/, which must stay installed$/, ''),
          chain,
          chain2: [...prefix, ...this.path(holder, this.chosenFor(holder, restSet), r.other, restSet)],
        });
      } else out.push({ ...r, chain });
    }
    return out.length ? out : together();
  }

  private chosenFor(req: Requirement, installed: Set<number>): number {
    const cands = req.candidates ?? this.index.relationCandidates(req.relation, req.fromArch);
    return cands.find((c) => installed.has(c)) ?? cands[0]!;
  }

  private reaches(req: Requirement, target: number, installed: Set<number>): boolean {
    const start = this.chosenFor(req, installed);
    return this.bfs(start, target, installed) !== undefined;
  }

  /** Parent links of a breadth-first walk along dependencies inside an install set. */
  private bfs(start: number, target: number, installed: Set<number>): Map<number, [number, number]> | undefined {
    const parent = new Map<number, [number, number]>([[start, [-1, -1]]]);
    const queue = [start];
    for (let qi = 0; qi < queue.length; qi++) {
      const id = queue[qi]!;
      if (id === target) return parent;
      const clauses = this.index.dependencyClauses(id);
      for (let i = 0; i < clauses.length; i++) {
        for (const c of clauses[i]!) {
          if (installed.has(c) && !parent.has(c)) {
            parent.set(c, [id, i]);
            queue.push(c);
          }
        }
      }
    }
    return undefined;
  }

  /** The chain from a requirement through its chosen package down to `target`. */
  private path(req: Requirement, start: number, target: number, installed: Set<number>): string[] {
    const parent = this.bfs(start, target, installed);
    if (!parent) return [req.label, describePackage(this.universe.get(start))];
    const nodes: number[] = [];
    for (let id = target; id !== -1; id = parent.get(id)![0]) nodes.unshift(id);
    const steps = nodes.map((id, k) => {
      const p = this.universe.get(id);
      if (k === nodes.length - 1) return describePackage(p);
      const clause = parent.get(nodes[k + 1]!)![1];
      return `${describePackage(p)} depends on ${formatRelation(p.depends[clause]!)}`;
    });
    return [req.label, ...steps];
  }
}
