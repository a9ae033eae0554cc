// Can a set of requirements be installed together from a universe, and with which packages?
// Each package is a boolean variable; its dependencies are clauses (¬p ∨ c1 ∨ … ∨ ck) over the
// candidates the Multi-Arch rules allow; conflicts, Breaks and the one-version-per-name rules
// are binary clauses (¬p ∨ ¬q). Only the closure of what the requirements can reach is encoded.

import { archSatisfies, conflictArchMatches, effectiveArch, sameNameCoinstallable, type ArchContext } from './multiarch.js';
import type { Alternative, Relation } from './relation.js';
import { neg, pos, SatSolver, type Brancher, type Lit } from './sat.js';
import type { BinaryPackage, Universe } from './universe.js';
import { compareVersions, versionSatisfies } from './version.js';

/** Something that must be installed: one of the alternatives, required by a package of `fromArch`. */
export interface Requirement {
  relation: Relation;
  fromArch: string;
  /** As a person reads it: 'Build-Depends: libfoo-dev (>= 1.2)'. */
  label: string;
  kind: 'build-depends' | 'implicit' | 'essential' | 'installed';
  /** Where it was written, if anywhere. */
  file?: string;
  line?: number;
  /** Packages that satisfy it, when not computed from the relation (essential packages). */
  candidates?: number[];
}

/** Something that must not be installed (Build-Conflicts). */
export interface Prohibition {
  alt: Alternative;
  fromArch: string;
  label: string;
  file?: string;
  line?: number;
}

/**
 * Everything about the universe that does not depend on what is asked: candidates of a
 * dependency, the clauses of a package, its conflicts. Computed once, shared by every check.
 */
export class DependencyIndex {
  private readonly candidateCache = new Map<string, number[]>();
  private readonly clauseCache: (number[][] | undefined)[] = [];
  private readonly conflictCache: (number[] | undefined)[] = [];
  private declarers: Map<string, number[]> | undefined;

  constructor(
    readonly universe: Universe,
    readonly ctx: ArchContext,
  ) {}

  /** Preference among candidates: installed, then higher origin priority, higher version, the build arch. */
  private prefer = (a: number, b: number): number => {
    const u = this.universe;
    const pa = u.get(a);
    const pb = u.get(b);
    if (pa.name === pb.name) {
      // A dpkg-cross conversion only when the real package cannot be had.
      if (pa.crossConverted !== pb.crossConverted) return pa.crossConverted ? 1 : -1;
      if (pa.installed !== pb.installed) return pa.installed ? -1 : 1;
      const oa = u.origins[pa.origin]!.priority;
      const ob = u.origins[pb.origin]!.priority;
      if (oa !== ob) return ob - oa;
      const c = compareVersions(pb.version, pa.version);
      if (c) return c;
    }
    const ba = effectiveArch(pa.arch, this.ctx) === this.ctx.buildArch;
    const bb = effectiveArch(pb.arch, this.ctx) === this.ctx.buildArch;
    if (ba !== bb) return ba ? -1 : 1;
    // Between providers of a virtual package, the newest-looking name (libstdc++-12-dev over -11-).
    return compareVersions(pb.name, pa.name);
  };

  /** The packages that can satisfy `alt` for a dependant of architecture `fromArch`, best first. */
  candidates(alt: Alternative, fromArch: string): number[] {
    const key = `${fromArch}\0${alt.name}\0${alt.archQualifier ?? ''}\0${alt.op ?? ''}\0${alt.version ?? ''}`;
    let out = this.candidateCache.get(key);
    if (out) return out;
    out = [];
    const u = this.universe;
    const real: number[] = [];
    for (const id of u.named(alt.name)) {
      const p = u.get(id);
      if (alt.op !== undefined && !versionSatisfies(p.version, alt.op, alt.version!)) continue;
      if (!archSatisfies(p.arch, p.multiArch, alt.archQualifier, fromArch, this.ctx)) continue;
      real.push(id);
    }
    real.sort(this.prefer);
    out.push(...real);
    const virt: number[] = [];
    for (const [id, provided] of u.providers(alt.name)) {
      if (alt.op !== undefined && (provided === undefined || !versionSatisfies(provided, alt.op, alt.version!))) continue;
      const p = u.get(id);
      if (!archSatisfies(p.arch, p.multiArch, alt.archQualifier, fromArch, this.ctx)) continue;
      if (!out.includes(id) && !virt.includes(id)) virt.push(id);
    }
    virt.sort(this.prefer);
    out.push(...virt);
    this.candidateCache.set(key, out);
    return out;
  }

  /** Candidates of every alternative of a relation, in the order apt tries them. */
  relationCandidates(rel: Relation, fromArch: string): number[] {
    if (rel.length === 1) return this.candidates(rel[0]!, fromArch);
    const out: number[] = [];
    const seen = new Set<number>();
    for (const alt of rel) {
      for (const id of this.candidates(alt, fromArch)) {
        if (!seen.has(id)) {
          seen.add(id);
          out.push(id);
        }
      }
    }
    return out;
  }

  /** One candidate list per Depends/Pre-Depends relation of the package (resolved for its own arch, rule 13). */
  dependencyClauses(id: number): number[][] {
    let c = this.clauseCache[id];
    if (c) return c;
    const p = this.universe.get(id);
    const from = effectiveArch(p.arch, this.ctx);
    c = p.depends.map((rel) => this.relationCandidates(rel, from));
    this.clauseCache[id] = c;
    return c;
  }

  private conflictDeclarers(): Map<string, number[]> {
    if (this.declarers) return this.declarers;
    const idx = new Map<string, number[]>();
    for (const p of this.universe.packages) {
      if (!p.rawField('conflicts') && !p.rawField('breaks')) continue;
      for (const field of [p.conflicts, p.breaks]) {
        for (const rel of field) {
          for (const alt of rel) {
            let l = idx.get(alt.name);
            if (!l) idx.set(alt.name, (l = []));
            if (l[l.length - 1] !== p.id) l.push(p.id);
          }
        }
      }
    }
    return (this.declarers = idx);
  }

  /** Does `decl`'s Conflicts/Breaks alternative `alt` hit `target`? */
  private hits(decl: BinaryPackage, alt: Alternative, target: BinaryPackage): boolean {
    if (target.name === decl.name) return false; // same-name rules are the implicit ones
    if (!conflictArchMatches(alt.archQualifier, target.arch, this.ctx)) return false;
    if (alt.name === target.name) return alt.op === undefined || versionSatisfies(target.version, alt.op, alt.version!);
    for (const pr of target.provides) {
      if (pr.name !== alt.name) continue;
      if (alt.op === undefined) return true;
      if (pr.op === '=' && versionSatisfies(pr.version!, alt.op, alt.version!)) return true;
    }
    return false;
  }

  /** Every package that cannot be installed together with `id`, both directions. */
  conflicts(id: number): number[] {
    let c = this.conflictCache[id];
    if (c) return c;
    const u = this.universe;
    const p = u.get(id);
    const out = new Set<number>();
    for (const field of [p.conflicts, p.breaks]) {
      for (const rel of field) {
        for (const alt of rel) {
          for (const t of u.named(alt.name)) if (this.hits(p, alt, u.get(t))) out.add(t);
          for (const [t] of u.providers(alt.name)) if (t !== id && this.hits(p, alt, u.get(t))) out.add(t);
        }
      }
    }
    const decl = this.conflictDeclarers();
    const names = [p.name, ...p.provides.map((a) => a.name)];
    for (const n of names) {
      for (const d of decl.get(n) ?? []) {
        if (d === id || out.has(d)) continue;
        const dp = u.get(d);
        for (const field of [dp.conflicts, dp.breaks]) for (const rel of field) for (const alt of rel) if (alt.name === n && this.hits(dp, alt, p)) out.add(d);
      }
    }
    for (const q of u.named(p.name)) if (!sameNameCoinstallable(p, u.get(q), this.ctx)) out.add(q);
    c = [...out];
    this.conflictCache[id] = c;
    return c;
  }

  /** Packages a Build-Conflicts alternative forbids (unqualified: every architecture, rule 15). */
  prohibited(alt: Alternative): number[] {
    const u = this.universe;
    const out: number[] = [];
    for (const t of u.named(alt.name)) {
      const p = u.get(t);
      if (!conflictArchMatches(alt.archQualifier, p.arch, this.ctx)) continue;
      if (alt.op === undefined || versionSatisfies(p.version, alt.op, alt.version!)) out.push(t);
    }
    for (const [t, provided] of u.providers(alt.name)) {
      const p = u.get(t);
      if (!conflictArchMatches(alt.archQualifier, p.arch, this.ctx)) continue;
      if (alt.op === undefined || (provided !== undefined && versionSatisfies(provided, alt.op, alt.version!))) if (!out.includes(t)) out.push(t);
    }
    return out;
  }
}

/** The encoded problem: variables are the packages of the closure. */
export class InstallProblem {
  /** Package id of each variable. */
  readonly pkgOf: number[] = [];
  /** Variable of each package id in the closure. */
  readonly varOf = new Map<number, number>();
  /** Candidate variables of each requirement (empty: nothing can satisfy it). */
  readonly requirementVars: number[][] = [];
  /** Dependency clauses of each variable, as candidate variables. */
  readonly depVars: number[][][] = [];
  /** Variables forbidden by prohibitions. */
  readonly forbiddenVars = new Set<number>();

  constructor(
    readonly index: DependencyIndex,
    readonly requirements: readonly Requirement[],
    readonly prohibitions: readonly Prohibition[] = [],
    /** Package ids that must not be installed (used when explaining). */
    exclude: readonly number[] = [],
  ) {
    const queue: number[] = [];
    const add = (id: number): number => {
      let v = this.varOf.get(id);
      if (v === undefined) {
        v = this.pkgOf.length;
        this.varOf.set(id, v);
        this.pkgOf.push(id);
        queue.push(id);
      }
      return v;
    };
    for (const r of requirements) this.requirementVars.push((r.candidates ?? index.relationCandidates(r.relation, r.fromArch)).map(add));
    for (let qi = 0; qi < queue.length; qi++) {
      const id = queue[qi]!;
      const clauses = index.dependencyClauses(id);
      const vars: number[][] = [];
      for (const c of clauses) vars.push(c.map(add));
      this.depVars[this.varOf.get(id)!] = vars;
    }
    for (const pr of prohibitions) for (const id of index.prohibited(pr.alt)) if (this.varOf.has(id)) this.forbiddenVars.add(this.varOf.get(id)!);
    for (const id of exclude) if (this.varOf.has(id)) this.forbiddenVars.add(this.varOf.get(id)!);
  }

  get size(): number {
    return this.pkgOf.length;
  }

  /** Build the SAT solver for this problem. */
  solver(): SatSolver {
    const s = new SatSolver(this.pkgOf.length);
    for (const vars of this.requirementVars) s.addClause(vars.map(pos));
    for (const v of this.forbiddenVars) s.addClause([neg(v)]);
    const n = this.pkgOf.length;
    for (let v = 0; v < n; v++) {
      for (const c of this.depVars[v]!) {
        const lits: Lit[] = [neg(v)];
        for (const w of c) lits.push(pos(w));
        s.addClause(lits);
      }
      for (const q of this.index.conflicts(this.pkgOf[v]!)) {
        const w = this.varOf.get(q);
        if (w !== undefined && w > v) s.addClause([neg(v), neg(w)]);
      }
    }
    return s;
  }
}

/**
 * Goal-first decisions: take the oldest requirement or dependency of an installed package that
 * nothing satisfies yet, and install its best candidate not yet ruled out.
 */
class GoalBrancher implements Brancher {
  readonly complete = true;
  private agenda: number[][] = [];
  private ptr = 0;
  private readonly levelAgenda: number[] = [0];
  private readonly levelPtr: number[] = [0];

  constructor(private readonly problem: InstallProblem) {
    for (const r of problem.requirementVars) this.agenda.push(r);
  }

  assigned(_s: SatSolver, lit: Lit): void {
    if (lit & 1) return;
    for (const c of this.problem.depVars[lit >> 1]!) this.agenda.push(c);
  }

  backjumped(_s: SatSolver, level: number): void {
    this.agenda.length = this.levelAgenda[level + 1]!;
    this.ptr = Math.min(this.ptr, this.levelPtr[level + 1]!);
    this.levelAgenda.length = level + 1;
    this.levelPtr.length = level + 1;
  }

  next(s: SatSolver): Lit {
    const value = s.value;
    while (this.ptr < this.agenda.length) {
      const c = this.agenda[this.ptr]!;
      let pick = -1;
      let satisfied = false;
      for (const v of c) {
        const val = value[v];
        if (val === 1) {
          satisfied = true;
          break;
        }
        if (val === 0 && pick < 0) pick = v;
      }
      if (satisfied || pick < 0) {
        this.ptr++;
        continue;
      }
      this.levelAgenda[s.decisionLevel + 1] = this.agenda.length;
      this.levelPtr[s.decisionLevel + 1] = this.ptr;
      return pos(pick);
    }
    return -1;
  }
}

export type SolveResult = { status: 'sat'; install: number[]; chosen: (number | undefined)[] } | { status: 'unsat' } | { status: 'unknown' };

/** Solve a problem: the packages to install (ids), and the package chosen for each requirement. */
export function solveProblem(problem: InstallProblem, maxConflicts = 100_000): SolveResult {
  for (const r of problem.requirementVars) if (r.length === 0) return { status: 'unsat' };
  const s = problem.solver();
  const status = s.solve(new GoalBrancher(problem), maxConflicts);
  if (status !== 'sat') return { status };
  const install: number[] = [];
  for (let v = 0; v < problem.size; v++) if (s.isTrue(v)) install.push(problem.pkgOf[v]!);
  const chosen = problem.requirementVars.map((vars) => {
    const v = vars.find((x) => s.isTrue(x));
    return v === undefined ? undefined : problem.pkgOf[v];
  });
  return { status: 'sat', install, chosen };
}
