import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { neg, pos, SatSolver, type Brancher, type Lit } from '../../src/lib/sat.js';

/** Decide the lowest unassigned variable false, as a plain DPLL would. */
const plain: Brancher = {
  next(s) {
    for (let v = 0; v < s.nVars; v++) if (s.value[v] === 0) return neg(v);
    return -1;
  },
};

function bruteForce(n: number, clauses: Lit[][]): boolean {
  for (let m = 0; m < 1 << n; m++) {
    if (clauses.every((c) => c.some((l) => ((m >> (l >> 1)) & 1) === ((l & 1) ^ 1)))) return true;
  }
  return false;
}

function satisfies(s: SatSolver, clauses: Lit[][]): boolean {
  // Unassigned variables count as false, as the installer reads them.
  return clauses.every((c) => c.some((l) => (s.value[l >> 1] === 1) === ((l & 1) === 0)));
}

describe('SatSolver', () => {
  it('agrees with brute force on random small formulas, and its models are models', () => {
    const formula = fc
      .integer({ min: 1, max: 9 })
      .chain((n) =>
        fc.tuple(
          fc.constant(n),
          fc.array(fc.array(fc.integer({ min: 0, max: 2 * n - 1 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 40 }),
        ),
      );
    fc.assert(
      fc.property(formula, ([n, clauses]) => {
        const s = new SatSolver(n);
        for (const c of clauses) s.addClause(c);
        const r = s.solve(plain);
        expect(r).toBe(bruteForce(n, clauses) ? 'sat' : 'unsat');
        if (r === 'sat') expect(satisfies(s, clauses)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('learns: a pigeonhole instance (5 pigeons, 4 holes) is refuted', () => {
    const P = 5;
    const H = 4;
    const v = (p: number, h: number) => p * H + h;
    const s = new SatSolver(P * H);
    for (let p = 0; p < P; p++) s.addClause(Array.from({ length: H }, (_, h) => pos(v(p, h))));
    for (let h = 0; h < H; h++) for (let a = 0; a < P; a++) for (let b = a + 1; b < P; b++) s.addClause([neg(v(a, h)), neg(v(b, h))]);
    expect(s.solve(plain)).toBe('unsat');
    expect(s.conflicts).toBeGreaterThan(0);
  });

  it('stops with unknown past its conflict budget', () => {
    const P = 8;
    const H = 7;
    const v = (p: number, h: number) => p * H + h;
    const s = new SatSolver(P * H);
    for (let p = 0; p < P; p++) s.addClause(Array.from({ length: H }, (_, h) => pos(v(p, h))));
    for (let h = 0; h < H; h++) for (let a = 0; a < P; a++) for (let b = a + 1; b < P; b++) s.addClause([neg(v(a, h)), neg(v(b, h))]);
    expect(s.solve(plain, 10)).toBe('unknown');
  });

  it('handles a deep implication chain without recursion', () => {
    const n = 200_000;
    const s = new SatSolver(n);
    s.addClause([pos(0)]);
    for (let i = 0; i + 1 < n; i++) s.addClause([neg(i), pos(i + 1)]);
    s.addClause([neg(n - 1), pos(n - 2)]);
    expect(s.solve(plain)).toBe('sat');
    expect(s.value[n - 1]).toBe(1);
  });
});
