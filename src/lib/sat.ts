// A small CDCL SAT solver: two watched literals, first-UIP clause learning, non-chronological
// backjumping. Decisions come from a Brancher, so an installer can decide goal-first (install
// what an unmet dependency asks for, in order of preference) rather than by variable activity.
// Iterative throughout: no recursion, whatever the problem size.

/** A literal: variable v true is 2v, false is 2v+1. */
export type Lit = number;
export const pos = (v: number): Lit => v << 1;
export const neg = (v: number): Lit => (v << 1) | 1;
export const varOf = (l: Lit): number => l >> 1;
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
  /** Called just before a new decision level (an assumption's or a decision's) begins. */
  newLevel?(s: SatSolver): void;
}

/** Stands in the clause list for a deleted clause; watch lists drop it when they meet it. */
const DELETED = new Int32Array(0);
const UNASSIGNED = 0;
const TRUE = 1;
const FALSE = -1;
const NO_REASON = -1;

export class SatSolver {
  nVars = 0;
  /** Per variable: 1 true, -1 false, 0 unassigned. */
  value: Int8Array;
  level: Int32Array;
  reason: Int32Array;
  trail: Int32Array;
  trailLen = 0;
  private qhead = 0;
  /** trail index where each decision level starts. */
  readonly trailLim: number[] = [];
  readonly clauses: Int32Array[] = [];
  /** Number of clauses given by the problem (the rest were learnt). */
  problemClauses = 0;
  private readonly watches: (number[] | undefined)[] = [];
  private seen: Uint8Array;
  /** False once a conflict at level 0 was found. */
  ok = true;
  conflicts = 0;
  decisions = 0;

  constructor(nVars = 0) {
    const cap = Math.max(16, nVars);
    this.value = new Int8Array(cap);
    this.level = new Int32Array(cap);
    this.reason = new Int32Array(cap).fill(NO_REASON);
    this.trail = new Int32Array(cap);
    this.seen = new Uint8Array(cap);
    this.nVars = nVars;
  }

  /** A new variable (the solver grows as a problem grows, see Installer). */
  newVar(): number {
    if (this.nVars === this.value.length) {
      const cap = this.value.length * 2;
      const grow = <T extends Int8Array | Int32Array | Uint8Array>(a: T, fill = 0): T => {
        const b = new (a.constructor as new (n: number) => T)(cap);
        b.set(a);
        if (fill) b.fill(fill, a.length);
        return b;
      };
      this.value = grow(this.value);
      this.level = grow(this.level);
      this.reason = grow(this.reason, NO_REASON);
      this.trail = grow(this.trail);
      this.seen = grow(this.seen);
    }
    return this.nVars++;
  }

  private watchList(l: Lit): number[] {
    let w = this.watches[l];
    if (!w) this.watches[l] = w = [];
    return w;
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

  /** Tell a persistent brancher about every assignment as it happens (see solve()). */
  setBrancher(b: Brancher | undefined): void {
    this.brancher = b;
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
    this.watchList(negate(c[0]!)).push(idx);
    this.watchList(negate(c[1]!)).push(idx);
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
      const ws = this.watches[p];
      if (!ws) continue;
      const falseLit = negate(p);
      let i = 0;
      let j = 0;
      while (i < ws.length) {
        const ci = ws[i++]!;
        const c = this.clauses[ci]!;
        if (c === DELETED) continue;
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
            this.watchList(negate(l)).push(ci);
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
   * Delete every clause satisfied at level 0 (retired selectors' clauses, learnt clauses about
   * them): they can never matter again. Level 0 only.
   */
  simplify(): number {
    this.backjump(0);
    let deleted = 0;
    for (let ci = 0; ci < this.clauses.length; ci++) {
      const c = this.clauses[ci]!;
      if (c === DELETED) continue;
      for (let k = 0; k < c.length; k++) {
        if (this.litValue(c[k]!) === TRUE) {
          this.clauses[ci] = DELETED;
          deleted++;
          break;
        }
      }
    }
    return deleted;
  }

  /** Problem clauses may be added between solves, at level 0 only. */
  addClauseAtRoot(lits: readonly Lit[]): boolean {
    this.backjump(0);
    return this.addClause(lits);
  }

  /**
   * Solve. `maxConflicts` bounds the work: past it, 'unknown' is returned. Reason clauses
   * keep their implied literal first, so conflict analysis can walk the implication graph.
   * `assumptions` are decided first, one level each; 'unsat' then means unsat under them, and
   * the solver stays usable (backjump(0) and solve again). With a brancher set by setBrancher()
   * the solver does not announce its level-0 assignments again: that brancher saw them.
   */
  solve(brancher: Brancher, maxConflicts = Infinity, assumptions: readonly Lit[] = []): 'sat' | 'unsat' | 'unknown' {
    if (!this.ok) return 'unsat';
    const persistent = this.brancher === brancher;
    if (!persistent) {
      this.brancher = brancher;
      // Assignments made while adding clauses are announced now.
      for (let i = 0; i < this.trailLen; i++) brancher.assigned?.(this, this.trail[i]!);
    }
    const startConflicts = this.conflicts;
    try {
      for (;;) {
        const confl = this.propagate();
        if (confl !== -1) {
          this.conflicts++;
          if (this.decisionLevel === 0) {
            this.ok = false;
            return 'unsat';
          }
          if (this.conflicts - startConflicts > maxConflicts) return 'unknown';
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
        let lit: Lit;
        if (this.decisionLevel < assumptions.length) {
          lit = assumptions[this.decisionLevel]!;
          const val = this.litValue(lit);
          if (val === FALSE) return 'unsat';
          if (val === TRUE) {
            brancher.newLevel?.(this);
            this.trailLim.push(this.trailLen); // an empty level keeps levels and assumptions aligned
            continue;
          }
        } else {
          lit = brancher.next(this);
          if (lit === -1 && brancher.complete) return 'sat';
          if (lit === -1) {
            // Everything asked for is met: every variable left unassigned becomes false.
            let v = 0;
            while (v < this.nVars && this.value[v] !== UNASSIGNED) v++;
            if (v === this.nVars) return 'sat';
            lit = neg(v);
          }
        }
        this.decisions++;
        brancher.newLevel?.(this);
        this.trailLim.push(this.trailLen);
        this.enqueue(lit, NO_REASON);
      }
    } finally {
      if (!persistent) this.brancher = undefined;
    }
  }
}
