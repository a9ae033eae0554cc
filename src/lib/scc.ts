// Strongly connected components, shortest cycles and topological order of a directed graph given
// as adjacency lists (vertex v → the vertices it depends on). All iterative: an archive's build
// graph has tens of thousands of vertices and millions of edges, far past the call stack.

/** A directed graph: out[v] lists the successors of v (duplicates and self-loops allowed). */
export type Adjacency = readonly (readonly number[])[];

export interface Components {
  /** Component number of each vertex. */
  comp: Int32Array;
  /**
   * The components, each a list of vertices. Tarjan's order: a component comes after every
   * component it can reach, so with edges pointing at dependencies this is a build order.
   */
  components: number[][];
}

/** A graph in compressed rows: the successors of v are targets[offsets[v] … offsets[v+1]). */
export interface Csr {
  offsets: Int32Array;
  targets: Int32Array;
}

export function toCsr(out: Adjacency): Csr {
  const n = out.length;
  const offsets = new Int32Array(n + 1);
  for (let v = 0; v < n; v++) offsets[v + 1] = offsets[v]! + out[v]!.length;
  const targets = new Int32Array(offsets[n]!);
  for (let v = 0, k = 0; v < n; v++) for (const w of out[v]!) targets[k++] = w;
  return { offsets, targets };
}

/** Tarjan's algorithm with an explicit call stack. */
export function stronglyConnected(out: Adjacency): Components {
  return stronglyConnectedCsr(toCsr(out));
}

/** The same over compressed rows (no arrays of arrays to allocate: the loop breaker calls it thousands of times). */
export function stronglyConnectedCsr(g: Csr): Components {
  const { offsets, targets } = g;
  const n = offsets.length - 1;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  const callV = new Int32Array(n);
  const callI = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  const components: number[][] = [];
  let sp = 0;
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let cp = 0;
    callV[cp] = root;
    callI[cp++] = offsets[root]!;
    index[root] = low[root] = counter++;
    stack[sp++] = root;
    onStack[root] = 1;
    while (cp > 0) {
      const v = callV[cp - 1]!;
      const i = callI[cp - 1]!;
      if (i < offsets[v + 1]!) {
        callI[cp - 1] = i + 1;
        const w = targets[i]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          onStack[w] = 1;
          callV[cp] = w;
          callI[cp++] = offsets[w]!;
        } else if (onStack[w] && index[w]! < low[v]!) low[v] = index[w]!;
        continue;
      }
      cp--;
      if (cp > 0) {
        const u = callV[cp - 1]!;
        if (low[v]! < low[u]!) low[u] = low[v]!;
      }
      if (low[v] === index[v]) {
        const c: number[] = [];
        const id = components.length;
        let w: number;
        do {
          w = stack[--sp]!;
          onStack[w] = 0;
          comp[w] = id;
          c.push(w);
        } while (w !== v);
        components.push(c);
      }
    }
  }
  return { comp, components };
}

/** Is a component a loop: more than one vertex, or one that depends on itself? */
export function isCyclic(component: readonly number[], out: Adjacency | Csr): boolean {
  if (component.length > 1) return true;
  const v = component[0]!;
  if (!('offsets' in out)) return out[v]!.includes(v);
  for (let i = out.offsets[v]!; i < out.offsets[v + 1]!; i++) if (out.targets[i] === v) return true;
  return false;
}

/**
 * A shortest cycle among `members` (a strongly connected set): vertices v0 … vk with
 * v0 → v1 → … → vk → v0. Breadth-first from each of `starts` (default: every member), never
 * deeper than the best cycle found so far, so that once a two-vertex loop is known each search
 * is one scan of a list. With fewer starts, the shortest cycle through one of them.
 */
export function shortestCycle(out: Adjacency, members: readonly number[], starts: readonly number[] = members): number[] {
  const inSet = new Set(members);
  for (const v of starts) if (out[v]!.includes(v)) return [v];
  let best: number[] = [];
  const parent = new Map<number, number>();
  for (const start of starts) {
    if (best.length === 2) break;
    parent.clear();
    parent.set(start, -1);
    let frontier = [start];
    let depth = 0;
    let found = -1;
    while (frontier.length && found < 0 && (best.length === 0 || depth + 1 < best.length)) {
      const next: number[] = [];
      for (const v of frontier) {
        for (const w of out[v]!) {
          if (!inSet.has(w)) continue;
          if (w === start) {
            found = v;
            break;
          }
          if (!parent.has(w)) {
            parent.set(w, v);
            next.push(w);
          }
        }
        if (found >= 0) break;
      }
      frontier = next;
      depth++;
    }
    if (found < 0) continue;
    const path: number[] = [];
    for (let v = found; v !== -1; v = parent.get(v)!) path.push(v);
    path.reverse();
    if (best.length === 0 || path.length < best.length) best = path;
  }
  return best;
}

/**
 * A topological order of an acyclic graph (dependencies first): Kahn's algorithm taking, among
 * the vertices ready, the one with the smallest rank. Vertices on a cycle are left out.
 */
export function topologicalOrder(out: Adjacency, rank: (v: number) => number): number[] {
  const n = out.length;
  // waiting[v]: how many distinct dependencies of v are not placed yet.
  const waiting = new Int32Array(n);
  const dependants: number[][] = Array.from({ length: n }, () => []);
  for (let v = 0; v < n; v++) {
    const seen = new Set<number>();
    for (const w of out[v]!) {
      if (seen.has(w)) continue;
      seen.add(w);
      waiting[v]!++;
      dependants[w]!.push(v);
    }
  }
  const heap = new RankHeap(rank);
  for (let v = 0; v < n; v++) if (waiting[v] === 0) heap.push(v);
  const order: number[] = [];
  while (heap.size) {
    const v = heap.pop();
    order.push(v);
    for (const d of dependants[v]!) if (--waiting[d]! === 0) heap.push(d);
  }
  return order;
}

/** A binary min-heap of vertices by rank. */
class RankHeap {
  private readonly items: number[] = [];
  constructor(private readonly rank: (v: number) => number) {}

  get size(): number {
    return this.items.length;
  }

  push(v: number): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    const r = this.rank(v);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.rank(a[p]!) <= r) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = v;
  }

  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      let i = 0;
      const r = this.rank(last);
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && this.rank(a[l + 1]!) < this.rank(a[l]!) ? l + 1 : l;
        if (this.rank(a[c]!) >= r) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
