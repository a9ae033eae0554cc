// A small CDCL SAT solver: two watched literals, first-UIP clause learning, non-chronological
// backjumping. Decisions come from a Brancher, so an installer can decide goal-first (install
// what an unmet dependency asks for, in order of preference) rather than by variable activity.
// Iterative throughout: no recursion, whatever the problem size.

/** A literal: variable v true is 2v, false is 2v+1. */
export type Lit = number;
export const pos = (v: number): Lit => v << 1;
export const neg = (v: number): Lit => (v << 1) | 1;
export const varOf = (l: Lit): number => l >> 1;
export const isNeg = (l: Lit): boolean => (l & 1) === 1;
export const negate = (l: Lit): Lit => l ^ 1;

export interface Brancher {
  /** The literal to decide next, or -1 when every variable left may be false. */
  next(s: SatSolver): Lit;
  /**
   * True when the brancher returns -1 only once every clause with a positive literal that
   * matters is satisfied, so that "every variable left is false" is a model without checking.
   */
  readonly complete?: boolean;
  /** Called when a literal becomes true (decided or implied). */
  assigned?(s: SatSolver, lit: Lit): void;
  /** Called after the solver undid every level above `level`. */
  backjumped?(s: SatSolver, level: number): void;
}

const UNASSIGNED = 0;
const TRUE = 1;
const FALSE = -1;
const NO_REASON = -1;

export class SatSolver {
  readonly nVars: number;
  /** Per variable: 1 true, -1 false, 0 unassigned. */
  readonly value: Int8Array;
  readonly level: Int32Array;
  readonly reason: Int32Array;
  readonly trail: Int32Array;
  trailLen = 0;
  private qhead = 0;
  /** trail index where each decision level starts. */
  readonly trailLim: number[] = [];
  readonly clauses: Int32Array[] = [];
  /** Number of clauses given by the problem (the rest were learnt). */
  problemClauses = 0;
  private readonly watches: number[][];
  private readonly seen: Uint8Array;
  /** False once a conflict at level 0 was found. */
  ok = true;
  conflicts = 0;
  decisions = 0;

  constructor(nVars: number) {
    this.nVars = nVars;
    this.value = new Int8Array(nVars);
    this.level = new Int32Array(nVars);
    this.reason = new Int32Array(nVars).fill(NO_REASON);
    this.trail = new Int32Array(nVars);
    this.watches = Array.from({ length: nVars * 2 }, () => []);
    this.seen = new Uint8Array(nVars);
  }

  get decisionLevel(): number {
    return this.trailLim.length;
  }

  litValue(l: Lit): number {
    const v = this.value[l >> 1]!;
    return l & 1 ? -v : v;
  }

  isTrue(v: number): boolean {
    return this.value[v] === TRUE;
  }

  /** Add a problem clause (before solve, at level 0). Returns false if the problem is already contradictory. */
  addClause(lits: readonly Lit[]): boolean {
    if (!this.ok) return false;
    // Drop duplicates and literals already false at level 0; a true literal satisfies the clause.
    const c: Lit[] = [];
    for (const l of lits) {
      const val = this.litValue(l);
      if (val === TRUE) return true;
      if (val === FALSE) continue;
      if (c.includes(negate(l))) return true;
      if (!c.includes(l)) c.push(l);
    }
    if (c.length === 0) {
      this.ok = false;
      return false;
    }
    if (c.length === 1) {
      this.enqueue(c[0]!, NO_REASON);
      if (this.propagate() !== -1) this.ok = false;
      return this.ok;
    }
    this.attach(Int32Array.from(c));
    this.problemClauses = this.clauses.length;
    return true;
  }

  private attach(c: Int32Array): number {
    const idx = this.clauses.length;
    this.clauses.push(c);
    this.watches[negate(c[0]!)]!.push(idx);
    this.watches[negate(c[1]!)]!.push(idx);
    return idx;
  }

  private brancher: Brancher | undefined;

  private enqueue(l: Lit, reason: number): void {
    const v = l >> 1;
    this.value[v] = l & 1 ? FALSE : TRUE;
    this.level[v] = this.decisionLevel;
    this.reason[v] = reason;
    this.trail[this.trailLen++] = l;
    this.brancher?.assigned?.(this, l);
  }

  /** Unit propagation; returns the index of a conflicting clause, or -1. */
  private propagate(): number {
    while (this.qhead < this.trailLen) {
      const p = this.trail[this.qhead++]!; // p became true: clauses watching ¬p are visited
      const ws = this.watches[p]!;
      const falseLit = negate(p);
      let i = 0;
      let j = 0;
      while (i < ws.length) {
        const ci = ws[i++]!;
        const c = this.clauses[ci]!;
        // Keep the false literal in position 1.
        if (c[0] === falseLit) {
          c[0] = c[1]!;
          c[1] = falseLit;
        }
        const first = c[0]!;
        if (this.litValue(first) === TRUE) {
          ws[j++] = ci;
          continue;
        }
        // Look for a new literal to watch.
        let found = false;
        for (let k = 2; k < c.length; k++) {
          const l = c[k]!;
          if (this.litValue(l) !== FALSE) {
            c[1] = l;
            c[k] = falseLit;
            this.watches[negate(l)]!.push(ci);
            found = true;
            break;
          }
        }
        if (found) continue;
        ws[j++] = ci;
        if (this.litValue(first) === FALSE) {
          // Conflict: keep the remaining watches and stop.
          while (i < ws.length) ws[j++] = ws[i++]!;
          ws.length = j;
          this.qhead = this.trailLen;
          return ci;
        }
        this.enqueue(first, ci);
      }
      ws.length = j;
    }
    return -1;
  }

  /** First-UIP learning: the learnt clause (asserting literal first) and the level to jump back to. */
  private analyze(conflict: number): [Lit[], number] {
    const learnt: Lit[] = [0];
    let pathC = 0;
    let p = -1;
    let idx = this.trailLen - 1;
    let ci = conflict;
    const seen = this.seen;
    const touched: number[] = [];
    do {
      const c = this.clauses[ci]!;
      for (let k = p === -1 ? 0 : 1; k < c.length; k++) {
        const q = c[k]!;
        const v = q >> 1;
        if (!seen[v] && this.level[v]! > 0) {
          seen[v] = 1;
          touched.push(v);
          if (this.level[v]! >= this.decisionLevel) pathC++;
          else learnt.push(q);
        }
      }
      while (!seen[this.trail[idx]! >> 1]) idx--;
      p = this.trail[idx]!;
      ci = this.reason[p >> 1]!;
      seen[p >> 1] = 0;
      pathC--;
      idx--;
    } while (pathC > 0);
    learnt[0] = negate(p);
    for (const v of touched) seen[v] = 0;
    let back = 0;
    if (learnt.length > 1) {
      let maxI = 1;
      for (let k = 2; k < learnt.length; k++) if (this.level[learnt[k]! >> 1]! > this.level[learnt[maxI]! >> 1]!) maxI = k;
      const t = learnt[1]!;
      learnt[1] = learnt[maxI]!;
      learnt[maxI] = t;
      back = this.level[learnt[1]! >> 1]!;
    }
    return [learnt, back];
  }

  /** Undo every assignment above `level`. */
  backjump(level: number): void {
    if (this.decisionLevel <= level) return;
    const stop = this.trailLim[level]!;
    for (let i = this.trailLen - 1; i >= stop; i--) {
      const v = this.trail[i]! >> 1;
      this.value[v] = UNASSIGNED;
      this.reason[v] = NO_REASON;
    }
    this.trailLen = stop;
    this.qhead = stop;
    this.trailLim.length = level;
    this.brancher?.backjumped?.(this, level);
  }

  /**
   * Solve. `maxConflicts` bounds the work: past it, 'unknown' is returned. Reason clauses
   * keep their implied literal first, so conflict analysis can walk the implication graph.
   */
  solve(brancher: Brancher, maxConflicts = Infinity): 'sat' | 'unsat' | 'unknown' {
    if (!this.ok) return 'unsat';
    this.brancher = brancher;
    // Assignments made while adding clauses are announced now.
    for (let i = 0; i < this.trailLen; i++) brancher.assigned?.(this, this.trail[i]!);
    try {
      for (;;) {
        const confl = this.propagate();
        if (confl !== -1) {
          this.conflicts++;
          if (this.decisionLevel === 0) {
            this.ok = false;
            return 'unsat';
          }
          if (this.conflicts > maxConflicts) return 'unknown';
          const [learnt, back] = this.analyze(confl);
          this.backjump(back);
          if (learnt.length === 1) {
            this.enqueue(learnt[0]!, NO_REASON);
          } else {
            const ci = this.attach(Int32Array.from(learnt));
            this.enqueue(learnt[0]!, ci);
          }
          continue;
        }
        let lit = brancher.next(this);
        if (lit === -1 && brancher.complete) return 'sat';
        if (lit === -1) {
          // Everything asked for is met: every variable left unassigned becomes false.
          let v = 0;
          while (v < this.nVars && this.value[v] !== UNASSIGNED) v++;
          if (v === this.nVars) return 'sat';
          lit = neg(v);
        }
        this.decisions++;
        this.trailLim.push(this.trailLen);
        this.enqueue(lit, NO_REASON);
      }
    } finally {
      this.brancher = undefined;
    }
  }
}
