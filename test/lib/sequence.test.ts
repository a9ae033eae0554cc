// xdeb-sequence's graph code as tables over small graphs: chains, diamonds, self-loops, a
// two-package loop broken by <!stage1>, loops no profile breaks, loops existing builds serve,
// a cross build that needs a tool built natively. Every plan is also replayed: each step's
// build-dependencies must be satisfiable from what the steps before it built (a staged build
// making only the binaries its profiles allow) — checked with the resolver on a fresh universe,
// not with the graph code under test.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { breakLoops } from '../../src/lib/bootstrap.js';
import { BuildChecker } from '../../src/lib/build-check.js';
import {
  BuildGraph,
  declaredBinaries,
  parseBuildProfiles,
  plannedBinaryStanzas,
  type BuildNode,
  type SourceRecord,
} from '../../src/lib/build-graph.js';
import { parseDeb822, Paragraph } from '../../src/lib/deb822.js';
import { DependencyIndex } from '../../src/lib/installability.js';
import { makePlan, planIsComplete, type Plan } from '../../src/lib/plan.js';
import { formatPlanDot, formatPlanText } from '../../src/lib/plan-format.js';
import { profilesSatisfied } from '../../src/lib/relation.js';
import { isCyclic, shortestCycle, stronglyConnected, topologicalOrder } from '../../src/lib/scc.js';
import { Universe } from '../../src/lib/universe.js';

interface Bin {
  name: string;
  /** 'any' (default) or 'all'. */
  arch?: string;
  /** Build-Profiles, e.g. '<!stage1>'. */
  profiles?: string;
  ma?: string;
  depends?: string;
}
interface Src {
  name: string;
  bd?: string;
  bins: Bin[];
}
interface Scenario {
  sources: Src[];
  explicit: string[];
  host?: string;
  /** Binary names already in the repositories (not to be built). */
  available?: string[];
  bootstrap?: boolean;
  onlyExplicit?: boolean;
  /** Loops up to this size also get the forward greedy (default: the library's). */
  greedyUpTo?: number;
  /** --toolchain: the flavour of the host-architecture builds. */
  toolchain?: { name: string; flavour: string };
  /** Binary names the repositories have an older build of (version 0.9): seeds. */
  seeds?: string[];
  /** Drops botch's lists allow, per source. */
  droppable?: Record<string, string[]>;
  /** The user's hints, per source. */
  hints?: Record<string, { drops?: string[]; profiles?: string[] }>;
}

const BUILD = 'amd64';

function packageList(s: Src): string {
  return (
    '\n' +
    s.bins
      .map((b) => {
        let l = `${b.name} deb misc optional arch=${b.arch ?? 'any'}`;
        if (b.profiles)
          l += ` profile=${parseBuildProfiles(b.profiles)
            .map((g) => g.join(','))
            .join('+')}`;
        return ' ' + l;
      })
      .join('\n')
  );
}

function record(s: Src): SourceRecord {
  const p = new Paragraph();
  p.set('Package', s.name);
  p.set('Version', '1.0');
  p.set('Architecture', 'any');
  if (s.bd) p.set('Build-Depends', s.bd);
  p.set('Binary', s.bins.map((b) => b.name).join(', '));
  p.set('Package-List', packageList(s));
  return { name: s.name, version: '1.0', paragraph: p, arg: `${s.name}=1.0`, file: 'Sources', kind: 'index' };
}

/** Packages stanzas of a source's binaries, for `archs`, built with `profiles`. */
function binaryStanzas(s: Src, archs: string[], profiles: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const b of s.bins) {
    if (b.profiles && !profilesSatisfied(parseBuildProfiles(b.profiles), profiles)) continue;
    for (const arch of b.arch === 'all' ? ['all'] : archs) {
      let t = `Package: ${b.name}\nVersion: 1.0\nArchitecture: ${arch}\nSource: ${s.name}\n`;
      if (b.ma) t += `Multi-Arch: ${b.ma}\n`;
      if (b.depends) t += `Depends: ${b.depends}\n`;
      out.push(t);
    }
  }
  return out;
}

function universeFrom(stanzas: string[]): Universe {
  const u = new Universe();
  const o = u.addOrigin({ label: 'test', file: 'Packages', kind: 'file', priority: 500 });
  for (const p of parseDeb822(stanzas.join('\n'), { file: 'Packages' })) u.addBinary(p, o);
  return u;
}

function plan(sc: Scenario): { plan: Plan; graph: BuildGraph } {
  const host = sc.host ?? BUILD;
  const archs = host === BUILD ? [BUILD] : [BUILD, host];
  const full = new Set(host === BUILD ? [] : ['cross', 'nocheck']);
  const u = universeFrom(sc.sources.flatMap((s) => binaryStanzas(s, archs, full)));
  const recs = new Map(sc.sources.map((s) => [s.name, record(s)]));
  const available = new Set(sc.available ?? []);
  const graph = new BuildGraph(u, {
    buildArch: BUILD,
    hostArch: host,
    hostProfiles: [...full],
    nativeProfiles: [],
    archOnly: true,
    implicit: 'none',
    mode: 'apt',
    isAvailable: (p) => p.arch === 'all' || available.has(p.name),
    onlyExplicit: !!sc.onlyExplicit,
    lookup: (n) => recs.get(n),
  });
  for (const e of sc.explicit) graph.addExplicit(recs.get(e)!);
  graph.close();
  const seeds = sc.seeds;
  const br = breakLoops(graph, {
    bootstrap: sc.bootstrap ?? true,
    greedyUpTo: sc.greedyUpTo,
    ...(seeds ? { seedFrom: (b: string) => (seeds.includes(b.slice(0, b.indexOf(':'))) ? `${b} 0.9` : undefined) } : {}),
    ...(sc.droppable
      ? {
          droppable: (n: BuildNode) =>
            sc.droppable![n.record.name] ? [{ kind: 'drop' as const, drops: sc.droppable![n.record.name]!, evidence: 'test.list:1' }] : [],
        }
      : {}),
    ...(sc.hints
      ? {
          hints: (n: BuildNode) =>
            sc.hints![n.record.name] ? [{ kind: 'hint' as const, ...sc.hints![n.record.name]!, evidence: 'hints:1: test' }] : [],
        }
      : {}),
  });
  return {
    plan: makePlan(graph, br, {
      args: sc.explicit,
      full: true,
      bootstrap: sc.bootstrap ?? true,
      onlyExplicit: !!sc.onlyExplicit,
      graphMilliseconds: 0,
      ...(sc.toolchain ? { toolchain: sc.toolchain } : {}),
    }),
    graph,
  };
}

function order(p: Plan): string[] {
  return p.steps.map((s) => `${s.source}${s.arch === p.hostArch ? '' : ':' + s.arch}${s.stage ? `[${s.stage}]` : ''}`);
}

/**
 * Replay a plan: before each step, a universe of what is available plus what the earlier steps
 * built (staged builds: only their binaries under their profiles; a full build replaces them);
 * the step's build-dependencies must be satisfiable there.
 */
function replay(sc: Scenario, p: Plan): string[] {
  const host = sc.host ?? BUILD;
  const byName = new Map(sc.sources.map((s) => [s.name, s]));
  const built = new Map<string, string[]>(); // source:arch → stanzas
  const failures: string[] = [];
  for (const s of p.steps) {
    const stanzas: string[] = [...built.values()].flat();
    for (const src of sc.sources) {
      for (const st of binaryStanzas(src, [BUILD, host], new Set(host === BUILD ? [] : ['cross', 'nocheck']))) {
        const name = /^Package: (.*)$/m.exec(st)![1]!;
        const arch = /^Architecture: (.*)$/m.exec(st)![1]!;
        if (arch === 'all' || (sc.available ?? []).includes(name)) stanzas.push(st);
        else if (s.stage === 'seed' && (sc.seeds ?? []).includes(name)) stanzas.push(st.replace('Version: 1.0', 'Version: 0.9'));
      }
    }
    const u = universeFrom(stanzas);
    const checker = new BuildChecker(new DependencyIndex(u, { buildArch: BUILD, hostArch: s.arch, mode: 'apt' }));
    const para = record(byName.get(s.source)!).paragraph;
    if (s.drops?.length) {
      const kept = (para.get('Build-Depends') ?? '')
        .split(',')
        .map((r) => r.trim())
        .filter((r) => r && !s.drops!.includes(r.split(/[\s(<[]/)[0]!));
      if (kept.length) para.set('Build-Depends', kept.join(', '));
      else para.delete('Build-Depends');
    }
    const v = checker.check(para, {
      buildArch: BUILD,
      hostArch: s.arch,
      profiles: new Set(s.profiles),
      arch: true,
      indep: false,
      implicit: 'none',
      explain: false,
    });
    if (v.status !== 'ok') failures.push(`step ${s.n} ${s.source}${s.stage ? `[${s.stage}]` : ''}: build-dependencies not satisfiable`);
    built.set(`${s.source}:${s.arch}`, binaryStanzas(byName.get(s.source)!, [s.arch], new Set(s.profiles)));
  }
  return failures;
}

function wellOrdered(p: Plan): boolean {
  return p.steps.every((s) => s.loop !== undefined || s.after.every((a) => a < s.n));
}

describe('order without loops', () => {
  it('a chain is built from its end', () => {
    const sc: Scenario = {
      sources: [
        { name: 'a', bd: 'libb-dev', bins: [{ name: 'a' }] },
        { name: 'b', bd: 'libc-dev', bins: [{ name: 'libb-dev' }] },
        { name: 'c', bins: [{ name: 'libc-dev' }] },
      ],
      explicit: ['a'],
    };
    const { plan: p } = plan(sc);
    expect(order(p)).toEqual(['c', 'b', 'a']);
    expect(p.steps.map((s) => s.after)).toEqual([[], [1], [2]]);
    expect(p.steps[1]!.why).toBe('needed by a (libb-dev:amd64)');
    expect(p.loops).toEqual([]);
    expect(planIsComplete(p)).toBe(true);
    expect(replay(sc, p)).toEqual([]);
  });

  it('a diamond: the shared dependency first, then both sides, then the top', () => {
    const sc: Scenario = {
      sources: [
        { name: 'top', bd: 'libl-dev, libr-dev', bins: [{ name: 'top' }] },
        { name: 'l', bd: 'libd-dev', bins: [{ name: 'libl-dev' }] },
        { name: 'r', bd: 'libd-dev', bins: [{ name: 'libr-dev' }] },
        { name: 'd', bins: [{ name: 'libd-dev' }] },
      ],
      explicit: ['top'],
    };
    const { plan: p } = plan(sc);
    expect(order(p)).toEqual(['d', 'l', 'r', 'top']);
    expect(p.steps[3]!.after).toEqual([2, 3]);
    expect(replay(sc, p)).toEqual([]);
  });

  it('what is available is not built; runtime dependencies of build-deps count', () => {
    const sc: Scenario = {
      sources: [
        { name: 'a', bd: 'tool', bins: [{ name: 'a' }] },
        { name: 't', bins: [{ name: 'tool', depends: 'libz1' }] },
        { name: 'z', bins: [{ name: 'libz1' }] },
      ],
      explicit: ['a'],
      available: ['tool'],
    };
    const { plan: p } = plan(sc);
    expect(order(p)).toEqual(['z', 'a']);
    expect(replay(sc, p)).toEqual([]);
  });

  it('a need the repositories could serve too is marked soft; one only the plan makes is not', () => {
    const sc: Scenario = {
      sources: [
        { name: 'app', bd: 'libjpeg-dev, libtiff-dev', bins: [{ name: 'app' }] },
        { name: 'jpeg', bins: [{ name: 'libjpeg-dev' }] },
        { name: 'tiff', bins: [{ name: 'libtiff-dev' }] },
      ],
      explicit: ['app', 'jpeg', 'tiff'],
      available: ['libjpeg-dev'],
    };
    const { plan: p } = plan(sc);
    expect(order(p)).toEqual(['jpeg', 'tiff', 'app']);
    expect(p.steps[2]).toMatchObject({ after: [1, 2], soft: [1] });
    expect(p.steps[0]!.soft).toBeUndefined();
    expect(replay(sc, p)).toEqual([]);
  });

  it('--only-explicit: a missing binary is a problem, not a new build', () => {
    const sc: Scenario = {
      sources: [
        { name: 'a', bd: 'libb-dev', bins: [{ name: 'a' }] },
        { name: 'b', bins: [{ name: 'libb-dev' }] },
      ],
      explicit: ['a'],
      onlyExplicit: true,
    };
    const { plan: p } = plan(sc);
    expect(order(p)).toEqual(['a']);
    expect(p.problems).toEqual([expect.objectContaining({ kind: 'missing', needer: 'a', source: 'b', binaries: ['libb-dev:amd64'] })]);
    expect(p.steps[0]!.unsatisfiable).toMatch(/needs libb-dev:amd64, which no build of the plan makes/);
    expect(planIsComplete(p)).toBe(false);
  });
});

describe('loops', () => {
  const loopAB = (bOpts: Partial<Bin> = {}, aBd = 'libb-dev <!stage1>'): Src[] => [
    { name: 'a', bd: aBd, bins: [{ name: 'liba-dev' }, { name: 'a-extras', profiles: '<!stage1>' }] },
    { name: 'b', bd: 'liba-dev', bins: [{ name: 'libb-dev', ...bOpts }] },
  ];

  it('a two-package loop broken by <!stage1>: a staged, b, a in full', () => {
    const sc: Scenario = { sources: loopAB(), explicit: ['a', 'b'] };
    const { plan: p } = plan(sc);
    expect(order(p)).toEqual(['a[stage1]', 'b', 'a']);
    expect(p.steps[0]).toMatchObject({ source: 'a', profiles: ['stage1'], stage: 'stage1', suite: 'staged-stage1', after: [] });
    expect(p.steps[1]).toMatchObject({ source: 'b', stage: null, after: [1] });
    expect(p.steps[2]).toMatchObject({ source: 'a', stage: null, profiles: [], suite: 'full', after: [1, 2] });
    expect(p.loops).toHaveLength(1);
    expect(p.loops[0]).toMatchObject({ sources: ['a', 'b'], broken: true, unbroken: [], existing: [] });
    expect(p.loops[0]!.staged).toEqual([
      {
        source: 'a',
        arch: 'amd64',
        kind: 'profile',
        profiles: ['stage1'],
        stage: 'stage1',
        step: 1,
        breaks: [{ source: 'b', arch: 'amd64', stage: null, binaries: ['libb-dev:amd64'] }],
      },
    ]);
    expect(p.stats).toMatchObject({ stagedBuilds: 1, unbrokenLoops: 0, cyclicComponents: 1, largestComponent: 2 });
    expect(planIsComplete(p)).toBe(true);
    expect(replay(sc, p)).toEqual([]);
  });

  it('the same loop cross-built: the staged build has cross,nocheck,stage1 and the staged suite', () => {
    const sc: Scenario = { sources: loopAB({ ma: 'same' }), explicit: ['a', 'b'], host: 'arm64' };
    const { plan: p } = plan(sc);
    expect(order(p)).toEqual(['a[stage1]', 'b', 'a']);
    expect(p.steps[0]).toMatchObject({ profiles: ['cross', 'nocheck', 'stage1'], suite: 'staged-stage1', arch: 'arm64' });
    expect(p.steps[2]).toMatchObject({ profiles: ['cross', 'nocheck'], suite: 'full' });
    expect(replay(sc, p)).toEqual([]);
  });

  it('with a toolchain, the host-architecture steps go to its flavour suites, the build-architecture tool to full', () => {
    const sc: Scenario = {
      sources: [
        ...loopAB({ ma: 'same' }),
        { name: 'gen', bins: [{ name: 'gen-tool', ma: 'foreign' }] },
        { name: 'prog', bd: 'gen-tool, liba-dev', bins: [{ name: 'prog' }] },
      ],
      explicit: ['a', 'b', 'prog'],
      host: 'arm64',
      toolchain: { name: 'a53', flavour: 'a53' },
    };
    const { plan: p } = plan(sc);
    expect(p.toolchain).toEqual({ name: 'a53', flavour: 'a53' });
    const suites = Object.fromEntries(p.steps.map((x) => [`${x.source}:${x.arch}${x.stage ? `[${x.stage}]` : ''}`, x.suite]));
    expect(suites).toEqual({
      'a:arm64[stage1]': 'flavour-a53+staged-stage1',
      'b:arm64': 'flavour-a53',
      'a:arm64': 'flavour-a53',
      'gen:amd64': 'full',
      'prog:arm64': 'flavour-a53',
    });
    expect(plan({ ...sc, toolchain: undefined }).plan.toolchain).toBeUndefined();
  });

  it('a staged build that does not make what the loop needs does not break it', () => {
    const sc: Scenario = {
      sources: [
        { name: 'a', bd: 'libb-dev <!stage1>', bins: [{ name: 'liba-dev', profiles: '<!stage1>' }] },
        { name: 'b', bd: 'liba-dev', bins: [{ name: 'libb-dev' }] },
      ],
      explicit: ['a'],
    };
    const { plan: p } = plan(sc);
    expect(p.stats.stagedBuilds).toBe(0);
    expect(p.loops[0]!.broken).toBe(false);
    expect(planIsComplete(p)).toBe(false);
  });

  it('without --bootstrap the loop is reported, with its shortest cycle', () => {
    const { plan: p } = plan({ sources: loopAB(), explicit: ['a'], bootstrap: false });
    expect(p.loops).toHaveLength(1);
    expect(p.loops[0]!.broken).toBe(false);
    expect(p.loops[0]!.unbroken[0]!.cycle).toEqual([
      { source: 'a', arch: 'amd64', stage: null, binaries: ['libb-dev:amd64'] },
      { source: 'b', arch: 'amd64', stage: null, binaries: ['liba-dev:amd64'] },
    ]);
    expect(p.steps.map((s) => s.loop)).toEqual([1, 1]);
  });

  it('a loop no profile breaks is named with its shortest cycle, and the rest is still planned', () => {
    const sc: Scenario = {
      sources: [
        { name: 'c', bd: 'libd-dev', bins: [{ name: 'libc-dev' }] },
        { name: 'd', bd: 'libe-dev', bins: [{ name: 'libd-dev' }] },
        { name: 'e', bd: 'libc-dev, libd-dev', bins: [{ name: 'libe-dev' }] },
        { name: 'top', bd: 'libc-dev, libf-dev', bins: [{ name: 'top' }] },
        { name: 'f', bins: [{ name: 'libf-dev' }] },
      ],
      explicit: ['top'],
    };
    const { plan: p } = plan(sc);
    expect(p.loops).toHaveLength(1);
    const l = p.loops[0]!;
    expect(l).toMatchObject({ sources: ['c', 'd', 'e'], broken: false, staged: [] });
    // d → e → d is the shortest (2), not c → d → e → c (3).
    expect(l.unbroken[0]!.cycle.map((c) => c.source).sort()).toEqual(['d', 'e']);
    expect(order(p)).toEqual(['c', 'd', 'e', 'f', 'top']);
    expect(p.steps.filter((s) => s.loop === 1).map((s) => s.source)).toEqual(['c', 'd', 'e']);
    expect(p.steps.find((s) => s.source === 'f')!.loop).toBeUndefined();
    expect(planIsComplete(p)).toBe(false);
    expect(formatPlanText(p)).toContain(
      'loop 1 (3 sources: c, d, e): NOT BROKEN\n    nothing breaks these 3 builds (no profile, droppable build-dependency, seed or hint); shortest cycle:\n      d needs libe-dev:amd64 from e\n      e needs libd-dev:amd64 from d\n',
    );
    expect(formatPlanText(p)).toContain('1. c 1.0  (after 2; STUCK in loop 1)');
  });

  describe('seed builds', () => {
    // a and b need each other, and no profile breaks it.
    const plainAB = (): Src[] => [
      { name: 'a', bd: 'libb-dev', bins: [{ name: 'liba-dev' }] },
      { name: 'b', bd: 'liba-dev', bins: [{ name: 'libb-dev' }] },
      { name: 'top', bd: 'liba-dev, libb-dev', bins: [{ name: 'top' }] },
    ];
    /** No final step takes a seed's binaries: every step it needs that is a seed is none. */
    const finalsAvoidSeeds = (p: Plan) =>
      p.steps.filter((s) => s.stage === null).every((s) => s.after.every((a) => p.steps[a - 1]!.stage !== 'seed'));

    it('the repositories have an older build of b: a seed build of a, b against it, then both again, then the consumer', () => {
      const sc: Scenario = { sources: plainAB(), explicit: ['top'], seeds: ['libb-dev'] };
      const { plan: p } = plan(sc);
      expect(order(p)).toEqual(['a[seed]', 'b[seeded]', 'a', 'b', 'top']);
      expect(p.steps[0]).toMatchObject({ source: 'a', stage: 'seed', suite: 'seed', after: [] });
      expect(p.steps[1]).toMatchObject({ source: 'b', stage: 'seeded', suite: 'seeded', after: [1] });
      // a's final build does not come after its seed (it must not read the seed suite): b's first build orders them.
      expect(p.steps[2]).toMatchObject({ source: 'a', stage: null, suite: 'full', after: [2] });
      expect(p.steps[3]).toMatchObject({ source: 'b', stage: null, suite: 'full', after: [2, 3] });
      expect(p.steps[4]).toMatchObject({ source: 'top', stage: null, after: [3, 4] });
      expect(p.steps[0]!.why).toContain('the repositories have libb-dev:amd64 0.9');
      const l = p.loops[0]!;
      expect(l).toMatchObject({ sources: ['a', 'b'], broken: true, unbroken: [] });
      expect(l.staged).toEqual([
        {
          source: 'a',
          arch: 'amd64',
          kind: 'seed',
          profiles: [],
          evidence: 'the repositories have libb-dev:amd64 0.9',
          stage: 'seed',
          step: 1,
          breaks: [{ source: 'b', arch: 'amd64', stage: null, binaries: ['libb-dev:amd64'] }],
        },
      ]);
      expect(l.seeded).toEqual([{ source: 'b', arch: 'amd64', first: 2, step: 4 }]);
      expect(p.stats).toMatchObject({ seedBuilds: 1, stagedBuilds: 1, unbrokenLoops: 0 });
      expect(planIsComplete(p)).toBe(true);
      expect(finalsAvoidSeeds(p)).toBe(true);
      expect(replay(sc, p)).toEqual([]);
      expect(formatPlanText(p)).toContain('step 1: a as a seed (against the repositories) does without b (libb-dev:amd64)');
      expect(formatPlanText(p)).toContain('(1 seed build)');
    });

    it('without those binaries the loop stays unbroken, named with its cycle', () => {
      const { plan: p } = plan({ sources: plainAB(), explicit: ['top'], seeds: [] });
      expect(p.loops[0]).toMatchObject({ sources: ['a', 'b'], broken: false, staged: [] });
      expect(p.loops[0]!.unbroken[0]!.cycle.map((c) => c.source)).toEqual(['a', 'b']);
      expect(planIsComplete(p)).toBe(false);
    });

    it('with seeds off (--no-seed) the same refusal, though the repositories have them', () => {
      const { plan: p } = plan({ sources: plainAB(), explicit: ['top'] });
      expect(p.loops[0]).toMatchObject({ broken: false, staged: [] });
      expect(p.stats.seedBuilds).toBe(0);
    });

    it('a profile that breaks the loop is taken before a seed', () => {
      const sc: Scenario = {
        sources: [
          { name: 'a', bd: 'libb-dev <!stage1>', bins: [{ name: 'liba-dev' }] },
          { name: 'b', bd: 'liba-dev', bins: [{ name: 'libb-dev' }] },
        ],
        explicit: ['a', 'b'],
        seeds: ['liba-dev', 'libb-dev'],
      };
      const { plan: p } = plan(sc);
      expect(order(p)).toEqual(['a[stage1]', 'b', 'a']);
      expect(p.stats.seedBuilds).toBe(0);
    });

    it('a three-member ring with one seed: the others first against it, every member again, finals never take the seed', () => {
      const sc: Scenario = {
        sources: [
          { name: 'a', bd: 'libb-dev', bins: [{ name: 'liba-dev' }] },
          { name: 'b', bd: 'libc-dev', bins: [{ name: 'libb-dev' }] },
          { name: 'c', bd: 'liba-dev', bins: [{ name: 'libc-dev' }] },
        ],
        explicit: ['a', 'b', 'c'],
        seeds: ['libb-dev'],
      };
      const { plan: p } = plan(sc);
      expect(p.stats.seedBuilds).toBe(1);
      expect(order(p)[0]).toBe('a[seed]');
      expect(order(p).filter((x) => !x.includes('['))).toHaveLength(3);
      expect(planIsComplete(p)).toBe(true);
      expect(wellOrdered(p)).toBe(true);
      expect(finalsAvoidSeeds(p)).toBe(true);
      expect(replay(sc, p)).toEqual([]);
    });
  });

  describe('droppable build-dependencies and hints', () => {
    const plainAB = (): Src[] => [
      { name: 'a', bd: 'libb-dev', bins: [{ name: 'liba-dev' }] },
      { name: 'b', bd: 'liba-dev', bins: [{ name: 'libb-dev' }] },
    ];

    it('a droppable list that drops b from a: a without it, b, a again; the step says what it drops', () => {
      const sc: Scenario = { sources: plainAB(), explicit: ['a', 'b'], droppable: { a: ['libb-dev'] } };
      const { plan: p } = plan(sc);
      expect(order(p)).toEqual(['a[dropped]', 'b', 'a']);
      expect(p.steps[0]).toMatchObject({ stage: 'dropped', suite: 'dropped', drops: ['libb-dev'], after: [] });
      expect(p.loops[0]!.staged[0]).toMatchObject({ kind: 'drop', drops: ['libb-dev'], evidence: 'test.list:1', stage: 'dropped' });
      expect(replay(sc, p)).toEqual([]);
      expect(formatPlanText(p)).toContain('step 1: a without libb-dev (a droppable list) does without b (libb-dev:amd64): test.list:1');
    });

    it('a drop that does not take the build off the loop does not break it', () => {
      const { plan: p } = plan({ sources: plainAB(), explicit: ['a', 'b'], droppable: { a: ['doxygen'] } });
      expect(p.loops[0]!.broken).toBe(false);
    });

    it('droppable lists come before seeds, seeds before hints', () => {
      const both = plan({ sources: plainAB(), explicit: ['a', 'b'], droppable: { b: ['liba-dev'] }, seeds: ['libb-dev'] }).plan;
      expect(both.loops[0]!.staged.map((x) => x.kind)).toEqual(['drop']);
      const seedOrHint = plan({
        sources: plainAB(),
        explicit: ['a', 'b'],
        seeds: ['libb-dev'],
        hints: { b: { drops: ['liba-dev'] } },
      }).plan;
      expect(seedOrHint.loops[0]!.staged.map((x) => x.kind)).toEqual(['seed']);
    });

    it('a hint that drops an edge breaks what nothing else breaks, and the plan records it', () => {
      const sc: Scenario = { sources: plainAB(), explicit: ['a', 'b'], hints: { b: { drops: ['liba-dev'] } } };
      const { plan: p } = plan(sc);
      expect(order(p)).toEqual(['b[dropped]', 'a', 'b']);
      expect(p.loops[0]!.staged[0]).toMatchObject({ source: 'b', kind: 'hint', drops: ['liba-dev'], evidence: 'hints:1: test' });
      expect(p.steps[0]!.why).toContain('staged build without liba-dev that breaks a loop (hints:1: test)');
      expect(replay(sc, p)).toEqual([]);
    });

    it("a hint combines with the source's own profile when the loop needs both", () => {
      const sc: Scenario = {
        sources: [
          { name: 'a', bd: 'libb-dev <!stage1>, libc-dev', bins: [{ name: 'liba-dev' }] },
          { name: 'b', bd: 'liba-dev', bins: [{ name: 'libb-dev' }] },
          { name: 'c', bd: 'liba-dev', bins: [{ name: 'libc-dev' }] },
        ],
        explicit: ['a', 'b', 'c'],
        hints: { a: { drops: ['libc-dev'] } },
      };
      const { plan: p } = plan(sc);
      expect(planIsComplete(p)).toBe(true);
      expect(p.loops[0]!.staged).toHaveLength(1);
      expect(p.loops[0]!.staged[0]).toMatchObject({ source: 'a', kind: 'hint', profiles: ['stage1'], drops: ['libc-dev'] });
      expect(replay(sc, p)).toEqual([]);
    });

    it('a hint naming a profile the metadata offers is not needed: profiles come first', () => {
      const sc: Scenario = {
        sources: [
          { name: 'a', bd: 'libb-dev <!pkg.a.nob>', bins: [{ name: 'liba-dev' }] },
          { name: 'b', bd: 'liba-dev', bins: [{ name: 'libb-dev' }] },
        ],
        explicit: ['a', 'b'],
        hints: { a: { profiles: ['pkg.a.nob'] } },
      };
      // The metadata offers pkg.a.nob, so profiles break it first: the hint is not needed.
      expect(plan(sc).plan.loops[0]!.staged[0]).toMatchObject({ kind: 'profile', profiles: ['pkg.a.nob'] });
    });
  });

  it('two staged builds that still need each other break nothing: the loop is reported, not planned as broken', () => {
    // Each stage1 does without c, not without the other: a[stage1] ↔ b[stage1] would be a cycle of staged builds.
    const sc: Scenario = {
      sources: [
        { name: 'a', bd: 'libb-dev, libc-dev <!stage1>', bins: [{ name: 'liba-dev' }] },
        { name: 'b', bd: 'liba-dev, libc-dev <!stage1>', bins: [{ name: 'libb-dev' }] },
        { name: 'c', bd: 'liba-dev, libb-dev', bins: [{ name: 'libc-dev' }] },
      ],
      explicit: ['a', 'b', 'c'],
    };
    const { plan: p } = plan(sc);
    expect(planIsComplete(p)).toBe(false);
    expect(p.loops[0]!.broken).toBe(false);
    expect(p.loops[0]!.unbroken[0]!.cycle.map((c) => c.source).sort()).toEqual(['a', 'b']);
    // With the repositories' binaries of b, a seed breaks it.
    const seeded = plan({ ...sc, seeds: ['libb-dev'] }).plan;
    expect(planIsComplete(seeded)).toBe(true);
    expect(replay({ ...sc, seeds: ['libb-dev'] }, seeded)).toEqual([]);
  });

  it('a self-loop (a compiler built with itself) broken by a stage1 that does without itself', () => {
    const sc: Scenario = { sources: [{ name: 'cc', bd: 'cc-bin <!stage1>', bins: [{ name: 'cc-bin' }] }], explicit: ['cc'] };
    const { plan: p } = plan(sc);
    expect(order(p)).toEqual(['cc[stage1]', 'cc']);
    expect(p.loops[0]!.staged[0]!.breaks).toEqual([{ source: 'cc', arch: 'amd64', stage: null, binaries: ['cc-bin:amd64'] }]);
    expect(replay(sc, p)).toEqual([]);
  });

  it('a self-loop no profile breaks', () => {
    const { plan: p } = plan({ sources: [{ name: 'cc', bd: 'cc-bin', bins: [{ name: 'cc-bin' }] }], explicit: ['cc'] });
    expect(p.loops[0]!.unbroken[0]!.cycle).toEqual([{ source: 'cc', arch: 'amd64', stage: null, binaries: ['cc-bin:amd64'] }]);
  });

  it('a loop whose binaries exist already needs no staged build: the existing ones serve', () => {
    const sc: Scenario = { sources: loopAB(), explicit: ['a', 'b'], available: ['liba-dev', 'libb-dev'] };
    const { plan: p } = plan(sc);
    expect(p.stats.stagedBuilds).toBe(0);
    expect(p.loops[0]!.broken).toBe(true);
    expect(p.loops[0]!.existing.length).toBe(2);
    expect(planIsComplete(p)).toBe(true);
  });

  it('one staged build breaks two loops through it; the other choice is not taken', () => {
    // hub needs x and y (both droppable with stage1); x and y each need hub.
    const sc: Scenario = {
      sources: [
        { name: 'hub', bd: 'libx-dev <!stage1>, liby-dev <!stage1>', bins: [{ name: 'libhub-dev' }] },
        { name: 'x', bd: 'libhub-dev <!stage1>', bins: [{ name: 'libx-dev' }] },
        { name: 'y', bd: 'libhub-dev', bins: [{ name: 'liby-dev' }] },
      ],
      explicit: ['hub'],
    };
    const { plan: p } = plan(sc);
    expect(p.stats.stagedBuilds).toBe(1);
    expect(order(p)).toEqual(['hub[stage1]', 'x', 'y', 'hub']);
    expect(replay(sc, p)).toEqual([]);
  });

  it('a nocheck build (native) breaks a loop without a staged build: it is final', () => {
    const sc: Scenario = {
      sources: [
        { name: 'a', bd: 'libb-dev <!nocheck>', bins: [{ name: 'liba-dev' }] },
        { name: 'b', bd: 'liba-dev', bins: [{ name: 'libb-dev' }] },
      ],
      explicit: ['a'],
    };
    const { plan: p } = plan(sc);
    expect(order(p)).toEqual(['a', 'b']);
    expect(p.steps[0]).toMatchObject({ profiles: ['nocheck'], stage: null, suite: 'full' });
    expect(p.stats).toMatchObject({ stagedBuilds: 0, nocheckBuilds: 1 });
    expect(replay(sc, p)).toEqual([]);
  });

  it('a source unsatisfiable without nodoc gets nodoc alone, with the reason; one that does not need it does not get it', () => {
    const sc: Scenario = {
      sources: [
        // sphinx: Architecture: all without Multi-Arch: foreign, so a cross build cannot have it (<!nodoc> drops it).
        { name: 'tiff', bd: 'libjpeg-dev, sphinx <!nodoc>, libdoc-dev <!nocheck>', bins: [{ name: 'libtiff-dev' }] },
        { name: 'jpeg', bins: [{ name: 'libjpeg-dev' }] },
        { name: 'sphinx', bins: [{ name: 'sphinx', arch: 'all' }] },
        // help2man is Multi-Arch: foreign: satisfiable without nodoc, which it offers.
        { name: 'png', bd: 'help2man <!nodoc>', bins: [{ name: 'libpng-dev' }] },
        { name: 'help2man', bins: [{ name: 'help2man', ma: 'foreign' }] },
      ],
      explicit: ['tiff', 'png'],
      host: 'arm64',
      available: ['help2man'],
    };
    const { plan: p } = plan(sc);
    const tiff = p.steps.find((s) => s.source === 'tiff')!;
    expect(tiff).toMatchObject({ profiles: ['cross', 'nocheck', 'nodoc'], stage: null, suite: 'full' });
    expect(tiff.added?.profiles).toEqual(['nodoc']);
    expect(tiff.added?.reason).toMatch(
      /^unsatisfiable without nodoc: Build-Depends: sphinx.*Architecture: all without Multi-Arch: foreign/,
    );
    expect(tiff.unsatisfiable).toBeUndefined();
    expect(tiff.why).toMatch(/built with nodoc: unsatisfiable without nodoc/);
    const png = p.steps.find((s) => s.source === 'png')!;
    expect(png.profiles).toEqual(['cross', 'nocheck']);
    expect(png.added).toBeUndefined();
    expect(formatPlanText(p)).toMatch(
      /tiff 1\.0 .*-P cross,nocheck,nodoc.*\n\s+with nodoc: unsatisfiable without it: Build-Depends: sphinx/,
    );
    expect(planIsComplete(p)).toBe(true);
    expect(replay(sc, p)).toEqual([]);
  });

  it('a source that nodoc does not make satisfiable stays unsatisfiable, without nodoc', () => {
    const sc: Scenario = {
      sources: [
        { name: 'tiff', bd: 'libnowhere-dev, sphinx <!nodoc>', bins: [{ name: 'libtiff-dev' }] },
        { name: 'sphinx', bins: [{ name: 'sphinx', arch: 'all' }] },
      ],
      explicit: ['tiff'],
      host: 'arm64',
    };
    const { plan: p } = plan(sc);
    expect(p.steps[0]!.added).toBeUndefined();
    expect(p.steps[0]!.profiles).toEqual(['cross', 'nocheck']);
    expect(p.steps[0]!.unsatisfiable).toBeDefined();
    expect(planIsComplete(p)).toBe(false);
  });

  it('cross: a tool only a source tree makes is built natively first', () => {
    const sc: Scenario = {
      sources: [
        { name: 'prog', bd: 'gen-tool, libq-dev', bins: [{ name: 'prog' }] },
        { name: 'gen', bins: [{ name: 'gen-tool', ma: 'foreign' }] },
        { name: 'q', bins: [{ name: 'libq-dev', ma: 'same' }] },
      ],
      explicit: ['prog'],
      host: 'arm64',
    };
    const { plan: p } = plan(sc);
    expect(order(p)).toEqual(['gen:amd64', 'q', 'prog']);
    expect(p.steps.find((s) => s.source === 'gen')!.profiles).toEqual([]);
    expect(p.steps[2]!.after).toEqual([1, 2]);
    expect(replay(sc, p)).toEqual([]);
  });
});

describe('random graphs: plans replay, loops are reported or broken', () => {
  it('every plan of a complete random graph replays; broken loops have staged builds', () => {
    const srcArb = fc.array(
      fc.record({
        deps: fc.uniqueArray(fc.nat(7), { maxLength: 3 }),
        staged: fc.uniqueArray(fc.nat(7), { maxLength: 2 }),
        dropLib: fc.boolean(),
      }),
      { minLength: 2, maxLength: 8 },
    );
    fc.assert(
      fc.property(srcArb, fc.nat(7), (specs, first) => {
        const n = specs.length;
        const sources: Src[] = specs.map((s, i) => {
          const deps = s.deps.filter((d) => d < n).map((d) => `lib${d}-dev${s.staged.includes(d) ? ' <!stage1>' : ''}`);
          return {
            name: `s${i}`,
            bd: deps.join(', ') || undefined,
            bins: [{ name: `lib${i}-dev`, profiles: s.dropLib ? '<!stage1>' : undefined }],
          };
        });
        // Backward elimination alone (what large loops get), and with the forward greedy.
        for (const greedyUpTo of [0, 300]) {
          const sc: Scenario = { sources, explicit: [`s${first % n}`], greedyUpTo };
          const { plan: p } = plan(sc);
          expect(wellOrdered(p)).toBe(true);
          if (planIsComplete(p)) expect(replay(sc, p)).toEqual([]);
          for (const l of p.loops) if (l.broken) expect(l.staged.length).toBeGreaterThan(0);
          for (const l of p.loops) for (const u of l.unbroken) expect(u.cycle.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('random graphs where every source can be staged', () => {
  it('every loop is broken, the plan replays, and no staged build is superfluous', () => {
    const depsArb = fc.array(fc.uniqueArray(fc.nat(9), { maxLength: 4 }), { minLength: 2, maxLength: 10 });
    fc.assert(
      fc.property(depsArb, (deps) => {
        const n = deps.length;
        const sources: Src[] = deps.map((d, i) => ({
          name: `s${i}`,
          bd:
            d
              .filter((x) => x < n)
              .map((x) => `lib${x}-dev <!stage1>`)
              .join(', ') || undefined,
          bins: [{ name: `lib${i}-dev` }],
        }));
        for (const greedyUpTo of [0, 300]) {
          const sc: Scenario = { sources, explicit: sources.map((x) => x.name), greedyUpTo };
          const { plan: p } = plan(sc);
          expect(planIsComplete(p)).toBe(true);
          expect(replay(sc, p)).toEqual([]);
          // Minimal: without any one of its staged builds, the plan would not replay.
          for (const st of p.loops.flatMap((l) => l.staged)) {
            const without = p.steps.filter((x) => !(x.source === st.source && x.stage));
            const renumbered = { ...p, steps: without.map((x, i) => ({ ...x, n: i + 1 })) };
            expect(replay(sc, renumbered).length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('random graphs where no profile helps but the repositories have every binary', () => {
  it('seeds break every loop, the plan replays, and no final build reads a seed', () => {
    const depsArb = fc.array(fc.uniqueArray(fc.nat(7), { maxLength: 3 }), { minLength: 2, maxLength: 8 });
    fc.assert(
      fc.property(depsArb, (deps) => {
        const n = deps.length;
        const sources: Src[] = deps.map((d, i) => ({
          name: `s${i}`,
          bd:
            d
              .filter((x) => x < n)
              .map((x) => `lib${x}-dev`)
              .join(', ') || undefined,
          bins: [{ name: `lib${i}-dev` }],
        }));
        const sc: Scenario = { sources, explicit: sources.map((x) => x.name), seeds: sources.map((_, i) => `lib${i}-dev`) };
        const { plan: p } = plan(sc);
        expect(planIsComplete(p)).toBe(true);
        expect(wellOrdered(p)).toBe(true);
        expect(replay(sc, p)).toEqual([]);
        for (const st of p.steps.filter((x) => x.stage === null)) expect(st.after.map((a) => p.steps[a - 1]!.stage)).not.toContain('seed');
        // Every source has exactly one final build.
        expect(
          p.steps
            .filter((x) => x.stage === null)
            .map((x) => x.source)
            .sort(),
        ).toEqual(sources.map((x) => x.name).sort());
      }),
      { numRuns: 200 },
    );
  });
});

describe('metadata', () => {
  it('Build-Profiles and Package-List profile= say what a staged build makes', () => {
    expect(parseBuildProfiles('<!stage1 !nocheck> <stage2>')).toEqual([['!stage1', '!nocheck'], ['stage2']]);
    const rec = record({
      name: 'x',
      bins: [{ name: 'a' }, { name: 'b', profiles: '<!stage1 !nobiarch> <stage2>' }, { name: 'c', arch: 'all' }],
    });
    expect(declaredBinaries(rec).map((b) => [b.name, b.archs, b.profiles])).toEqual([
      ['a', ['any'], undefined],
      ['b', ['any'], [['!stage1', '!nobiarch'], ['stage2']]],
      ['c', ['all'], undefined],
    ]);
  });

  it('a source tree: planned binaries for each architecture, substvars dropped, versions filled in', () => {
    const paras = parseDeb822(
      'Source: t\nBuild-Depends: debhelper-compat (= 13)\n\nPackage: libt1\nArchitecture: any\nMulti-Arch: same\nDepends: ${shlibs:Depends}, ${misc:Depends}, libz1\n\n' +
        'Package: libt-dev\nArchitecture: any\nDepends: libt1 (= ${binary:Version}), ${misc:Depends}\n\nPackage: t-doc\nArchitecture: all\nBuild-Profiles: <!nodoc>\n\nPackage: t-tests\nArchitecture: any\nBuild-Profiles: <!nocheck>\n',
      { file: 'control' },
    );
    const rec: SourceRecord = {
      name: 't',
      version: '2.0-1',
      paragraph: paras[0]!,
      binaries: paras.slice(1),
      arg: '/src/t',
      file: 'control',
      kind: 'tree',
    };
    const out = plannedBinaryStanzas(rec, ['amd64', 'arm64'], new Set(['cross', 'nocheck'])).map((p) => p.toObject());
    expect(out).toEqual([
      { Package: 'libt1', Source: 't (2.0-1)', Version: '2.0-1', Architecture: 'amd64', 'Multi-Arch': 'same', Depends: 'libz1' },
      { Package: 'libt1', Source: 't (2.0-1)', Version: '2.0-1', Architecture: 'arm64', 'Multi-Arch': 'same', Depends: 'libz1' },
      { Package: 'libt-dev', Source: 't (2.0-1)', Version: '2.0-1', Architecture: 'amd64', Depends: 'libt1 (= 2.0-1)' },
      { Package: 'libt-dev', Source: 't (2.0-1)', Version: '2.0-1', Architecture: 'arm64', Depends: 'libt1 (= 2.0-1)' },
      { Package: 't-doc', Source: 't (2.0-1)', Version: '2.0-1', Architecture: 'all' },
    ]);
  });
});

describe('output', () => {
  it('dot: staged builds dashed, loops as clusters, arrows in build order', () => {
    const { plan: p } = plan({
      sources: [
        { name: 'a', bd: 'libb-dev <!stage1>', bins: [{ name: 'liba-dev' }] },
        { name: 'b', bd: 'liba-dev', bins: [{ name: 'libb-dev' }] },
      ],
      explicit: ['a'],
    });
    const dot = formatPlanDot(p);
    expect(dot).toMatch(/^digraph xdeb_sequence \{/);
    expect(dot).toContain('s1 [label="1. a 1.0 [stage1]", style="rounded,dashed"');
    expect(dot).toContain('s1 -> s2;');
    expect(dot).toContain('s1 -> s3 [style=dotted];');
    expect(dot).toMatch(/subgraph cluster_loop1 \{\n {4}label="loop 1"/);
  });
});

describe('scc: Tarjan, shortest cycles and order against brute force', () => {
  const graphArb = fc
    .integer({ min: 1, max: 12 })
    .chain((n) => fc.array(fc.uniqueArray(fc.nat(n - 1), { maxLength: 4 }), { minLength: n, maxLength: n }));

  function reach(out: number[][]): boolean[][] {
    const n = out.length;
    const r = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => i === j));
    for (let i = 0; i < n; i++) for (const j of out[i]!) r[i]![j] = true;
    for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (r[i]![k] && r[k]![j]) r[i]![j] = true;
    return r;
  }

  it('components are the classes of mutual reachability, in dependency order', () => {
    fc.assert(
      fc.property(graphArb, (out) => {
        const r = reach(out);
        const { comp, components } = stronglyConnected(out);
        for (let i = 0; i < out.length; i++) for (let j = 0; j < out.length; j++) expect(comp[i] === comp[j]).toBe(r[i]![j]! && r[j]![i]!);
        // Tarjan's order: an edge never points at a later component.
        for (let v = 0; v < out.length; v++) for (const w of out[v]!) expect(comp[w]! <= comp[v]!).toBe(true);
        expect(components.flat().sort((a, b) => a - b)).toEqual([...out.keys()]);
      }),
      { numRuns: 500 },
    );
  });

  it('shortest cycles are cycles, and no shorter one exists', () => {
    fc.assert(
      fc.property(graphArb, (out) => {
        const { components } = stronglyConnected(out);
        for (const c of components) {
          if (!isCyclic(c, out)) continue;
          const cyc = shortestCycle(out, c);
          for (let i = 0; i < cyc.length; i++) expect(out[cyc[i]!]!.includes(cyc[(i + 1) % cyc.length]!)).toBe(true);
          // Brute force: the shortest closed walk inside c by breadth-first search from every vertex.
          let best = Infinity;
          for (const s of c) {
            const dist = new Map([[s, 0]]);
            const queue = [s];
            while (queue.length) {
              const v = queue.shift()!;
              for (const w of out[v]!) {
                if (!c.includes(w)) continue;
                if (w === s) best = Math.min(best, dist.get(v)! + 1);
                if (!dist.has(w)) {
                  dist.set(w, dist.get(v)! + 1);
                  queue.push(w);
                }
              }
            }
          }
          expect(cyc.length).toBe(best);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('topological order: dependencies first, cycles left out, smallest rank first among the ready', () => {
    expect(topologicalOrder([[1, 2], [3], [3], []], (v) => v)).toEqual([3, 1, 2, 0]);
    expect(topologicalOrder([[1], [0], []], (v) => v)).toEqual([2]);
    expect(topologicalOrder([[], [], []], (v) => -v)).toEqual([2, 1, 0]);
  });

  it('a deep chain does not overflow the stack', () => {
    const n = 200_000;
    const out = Array.from({ length: n }, (_, i) => (i + 1 < n ? [i + 1] : [0]));
    const { components } = stronglyConnected(out);
    expect(components).toHaveLength(1);
    expect(components[0]).toHaveLength(n);
  });
});
