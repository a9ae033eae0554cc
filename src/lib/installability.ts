// Can a set of requirements be installed together from a universe, and with which packages?
// Each package is a boolean variable; its dependencies are clauses (¬p ∨ c1 ∨ … ∨ ck) over the
// candidates the Multi-Arch rules allow; conflicts, Breaks and the one-version-per-name rules
// are binary clauses (¬p ∨ ¬q). Only the closure of what the requirements can reach is encoded.

import {
  archSatisfies,
  buildConflictMatches,
  conflictArchMatches,
  effectiveArch,
  providerArchSatisfies,
  sameNameCoinstallable,
  type ArchContext,
  type Dependant,
} from './multiarch.js';
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
  /** What a package's own Conflicts/Breaks hit, and its same-name conflicts (declarers are looked up each time). */
  private readonly conflictCache: ({ own: number[]; same: number[] } | undefined)[] = [];

  constructor(
    readonly universe: Universe,
    readonly ctx: ArchContext,
  ) {}

  /** Preference among candidates: installed, then higher origin priority, higher version, the build arch. */
  private prefer = (a: number, b: number): number => {
    const u = this.universe;
    const pa = u.get(a);
    const pb = u.get(b);
    // What is installed first, also between providers (the installed mawk for awk, not original-awk).
    if (pa.installed !== pb.installed) return pa.installed ? -1 : 1;
    if (pa.name === pb.name) {
      // A dpkg-cross conversion only when the real package cannot be had.
      if (pa.crossConverted !== pb.crossConverted) return pa.crossConverted ? 1 : -1;
      const oa = u.priority(a);
      const ob = u.priority(b);
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
  candidates(alt: Alternative, fromArch: string, dependant: Dependant = 'build-deps'): number[] {
    const key = `${dependant === 'package' ? 'p' : 'b'}${fromArch}\0${alt.name}\0${alt.archQualifier ?? ''}\0${alt.op ?? ''}\0${alt.version ?? ''}`;
    let out = this.candidateCache.get(key);
    if (out) return out;
    out = [];
    const u = this.universe;
    const real: number[] = [];
    for (const id of u.named(alt.name)) {
      const p = u.get(id);
      if (alt.op !== undefined && !versionSatisfies(p.version, alt.op, alt.version!)) continue;
      if (!archSatisfies(p.arch, p.multiArch, alt.archQualifier, fromArch, this.ctx, dependant)) continue;
      // A negative pin forbids installing a version (apt_preferences(5)); an installed one stays.
      if (!p.installed && u.priority(id) < 0) continue;
      real.push(id);
    }
    real.sort(this.prefer);
    out.push(...real);
    const virt: number[] = [];
    for (const [id, provided] of u.providers(alt.name)) {
      if (alt.op !== undefined && (provided === undefined || !versionSatisfies(provided, alt.op, alt.version!))) continue;
      const p = u.get(id);
      if (!providerArchSatisfies(p.arch, p.multiArch, alt.archQualifier, fromArch, this.ctx, dependant)) continue;
      if (!p.installed && u.priority(id) < 0) continue;
      if (!out.includes(id) && !virt.includes(id)) virt.push(id);
    }
    virt.sort(this.prefer);
    out.push(...virt);
    this.candidateCache.set(key, out);
    return out;
  }

  /** Candidates of every alternative of a relation, in the order apt tries them. */
  relationCandidates(rel: Relation, fromArch: string, dependant: Dependant = 'build-deps'): number[] {
    if (rel.length === 1) return this.candidates(rel[0]!, fromArch, dependant);
    const out: number[] = [];
    const seen = new Set<number>();
    for (const alt of rel) {
      for (const id of this.candidates(alt, fromArch, dependant)) {
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
    c = p.depends.map((rel) => this.relationCandidates(rel, from, 'package'));
    this.clauseCache[id] = c;
    return c;
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

  /**
   * Every package that cannot be installed together with `id`, both directions. Of the packages
   * whose Conflicts or Breaks hit `id`, those the universe has read so far: every caller pairs
   * `id` with packages it has reached, which are read, and a package read later finds `id`
   * through its own fields.
   */
  conflicts(id: number): number[] {
    const u = this.universe;
    const p = u.get(id);
    let c = this.conflictCache[id];
    if (!c) {
      const own = new Set<number>();
      for (const field of [p.conflicts, p.breaks]) {
        for (const rel of field) {
          for (const alt of rel) {
            for (const t of u.named(alt.name)) if (this.hits(p, alt, u.get(t))) own.add(t);
            for (const [t] of u.providers(alt.name)) if (t !== id && this.hits(p, alt, u.get(t))) own.add(t);
          }
        }
      }
      const same = u.named(p.name).filter((q) => !sameNameCoinstallable(p, u.get(q), this.ctx));
      this.conflictCache[id] = c = { own: [...own], same };
    }
    const out = new Set<number>(c.own);
    const names = [p.name, ...p.provides.map((a) => a.name)];
    for (const n of names) {
      for (const d of u.conflictDeclarers(n)) {
        if (d === id || out.has(d)) continue;
        const dp = u.get(d);
        for (const field of [dp.conflicts, dp.breaks])
          for (const rel of field) for (const alt of rel) if (alt.name === n && this.hits(dp, alt, p)) out.add(d);
      }
    }
    for (const q of c.same) out.add(q);
    return [...out];
  }

  /** Packages a Build-Conflicts alternative forbids (unqualified: every architecture, rule 15). */
  prohibited(alt: Alternative): number[] {
    const u = this.universe;
    const out: number[] = [];
    for (const t of u.named(alt.name)) {
      const p = u.get(t);
      if (!buildConflictMatches(p.arch, p.multiArch, alt.archQualifier, this.ctx)) continue;
      if (alt.op === undefined || versionSatisfies(p.version, alt.op, alt.version!)) out.push(t);
    }
    for (const [t, provided] of u.providers(alt.name)) {
      const p = u.get(t);
      if (!buildConflictMatches(p.arch, p.multiArch, alt.archQualifier, this.ctx, true)) continue;
      if (alt.op === undefined || (provided !== undefined && versionSatisfies(provided, alt.op, alt.version!)))
        if (!out.includes(t)) out.push(t);
    }
    return out;
  }
}

/**
 * Answers "can these requirements be installed together, and with which packages?", many times
 * over one universe. One persistent SAT instance holds the closure reached so far: a package's
 * clauses are added the first time it becomes reachable, and what the solver learns (that
 * gcc:arm64 cannot join gcc:amd64, …) serves every later question. Each question's requirements
 * hang on a fresh selector variable, solved as an assumption and retired afterwards.
 */
export class Installer {
  readonly solver = new SatSolver();
  /** Variable of each package id, -1 (or past the end) when not reached yet; grows as the universe reads packages. */
  private varOfPkg = new Int32Array(1024).fill(-1);
  /** Package id of each variable; -1 for selectors and the base variable. */
  private readonly pkgOfVar: number[] = [];
  /** What each variable requires when true: candidate variables per clause (packages: their dependencies). */
  private readonly depVars: (number[][] | undefined)[] = [];
  private readonly brancher = new GoalBrancher(this.depVars);
  /** The variable standing for the base set (essential packages): true for good. */
  private readonly baseVar: number;
  questions = 0;

  constructor(
    readonly index: DependencyIndex,
    /** Always installed (the essential set). */
    readonly base: readonly Requirement[] = [],
  ) {
    this.solver.setBrancher(this.brancher);
    this.baseVar = this.newVar(-1);
    this.depVars[this.baseVar] = base.map((r) => this.requirementVars(r));
    this.expand();
    for (const c of this.depVars[this.baseVar]!) this.solver.addClauseAtRoot([neg(this.baseVar), ...c.map(pos)]);
    this.solver.addClauseAtRoot([pos(this.baseVar)]);
  }

  private newVar(pkg: number): number {
    const v = this.solver.newVar();
    this.pkgOfVar[v] = pkg;
    if (pkg >= 0) {
      if (pkg >= this.varOfPkg.length) {
        const grown = new Int32Array(Math.max(pkg + 1, this.varOfPkg.length * 2)).fill(-1);
        grown.set(this.varOfPkg);
        this.varOfPkg = grown;
      }
      this.varOfPkg[pkg] = v;
      this.pending.push(pkg);
    }
    return v;
  }

  private readonly pending: number[] = [];

  private varOf(pkg: number): number {
    const v = this.varOfPkg[pkg]!;
    return v >= 0 ? v : this.newVar(pkg);
  }

  private requirementVars(r: Requirement): number[] {
    const cands = r.candidates ?? this.index.relationCandidates(r.relation, r.fromArch);
    return cands.map((id) => this.varOf(id));
  }

  /** Add the clauses of every package reached since the last time: dependencies, conflicts. */
  private expand(): void {
    const s = this.solver;
    while (this.pending.length) {
      const id = this.pending.pop()!;
      const v = this.varOfPkg[id]!;
      const clauses = this.index.dependencyClauses(id).map((c) => c.map((q) => this.varOf(q)));
      this.depVars[v] = clauses;
      for (const c of clauses) s.addClauseAtRoot([neg(v), ...c.map(pos)]);
      for (const q of this.index.conflicts(id)) {
        const w = this.varOfPkg[q]!;
        if (w >= 0) s.addClauseAtRoot([neg(v), neg(w)]);
      }
    }
  }

  /**
   * Solve `reqs` on top of the base set, with `prohibitions` kept out. chosen[i] is the package
   * that satisfies reqs[i]. maxConflicts bounds this question's work ('unknown' past it).
   */
  solve(reqs: readonly Requirement[], prohibitions: readonly Prohibition[] = [], maxConflicts = 100_000): SolveResult {
    this.questions++;
    const s = this.solver;
    s.backjump(0);
    const reqVars = reqs.map((r) => this.requirementVars(r));
    this.expand();
    if (reqVars.some((c) => c.length === 0)) return { status: 'unsat' };
    const sel = this.newVar(-1);
    this.depVars[sel] = reqVars;
    for (const c of reqVars) s.addClauseAtRoot([neg(sel), ...c.map(pos)]);
    for (const pr of prohibitions) {
      for (const id of this.index.prohibited(pr.alt)) {
        const w = this.varOfPkg[id]!;
        if (w >= 0) s.addClauseAtRoot([neg(sel), neg(w)]);
      }
    }
    let result: SolveResult;
    const status = s.ok ? s.solve(this.brancher, maxConflicts, [pos(sel)]) : 'unsat';
    if (status === 'sat') {
      // The model: packages true at level 0 (kept by the brancher) and those the search set true.
      const install = this.brancher.rootTrue.filter((v) => this.pkgOfVar[v]! >= 0).map((v) => this.pkgOfVar[v]!);
      for (let i = s.trailLim[0] ?? s.trailLen; i < s.trailLen; i++) {
        const l = s.trail[i]!;
        if (!(l & 1) && this.pkgOfVar[l >> 1]! >= 0) install.push(this.pkgOfVar[l >> 1]!);
      }
      const chosen = reqVars.map((vars) => {
        const v = vars.find((x) => s.value[x] === 1);
        return v === undefined ? undefined : this.pkgOfVar[v];
      });
      result = { status, install, chosen };
    } else result = { status };
    // Retire the selector: its clauses are satisfied for good, what was learnt stays true.
    s.addClauseAtRoot([neg(sel)]);
    if (this.questions % 2000 === 0) s.simplify();
    return result;
  }
}

/**
 * Goal-first decisions: take the oldest requirement or dependency of an installed package that
 * nothing satisfies yet, and install its best candidate not yet ruled out. It follows the
 * solver across questions: what became true at level 0 stays on the agenda for good.
 */
export class GoalBrancher implements Brancher {
  readonly complete = true;
  private agenda: number[][] = [];
  private ptr = 0;
  private readonly levelAgenda: number[] = [];
  private readonly levelPtr: number[] = [];

  constructor(private readonly depVars: (number[][] | undefined)[]) {}

  /** Variables true at level 0: part of every answer. */
  readonly rootTrue: number[] = [];

  assigned(s: SatSolver, lit: Lit): void {
    if (lit & 1) return;
    if (s.decisionLevel === 0) this.rootTrue.push(lit >> 1);
    const deps = this.depVars[lit >> 1];
    if (deps) for (const c of deps) this.agenda.push(c);
  }

  newLevel(s: SatSolver): void {
    this.levelAgenda[s.decisionLevel + 1] = this.agenda.length;
    this.levelPtr[s.decisionLevel + 1] = this.ptr;
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
      return pos(pick);
    }
    return -1;
  }
}

export type SolveResult =
  { status: 'sat'; install: number[]; chosen: (number | undefined)[] } | { status: 'unsat' } | { status: 'unknown' };
