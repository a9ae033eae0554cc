// xdeb-sequence --verify's decisions as tables: where each package a final build installed came
// from, traced through the run (installs, reinstalls over staged copies, removals after a seed),
// checked against the .buildinfo.
import { describe, expect, it } from 'vitest';
import type { Plan, PlanStep } from '../../src/lib/plan.js';
import { formatVerify, installedBuildDepends, verifyRun, type InstalledDep, type VerifyStep } from '../../src/lib/run-verify.js';

function step(n: number, source: string, stage: string | null): PlanStep {
  return {
    n,
    source,
    version: '1.0',
    arch: 'arm64',
    profiles: [],
    stage,
    suite: stage ?? 'full',
    arg: source,
    after: [],
    explicit: true,
    why: '',
  };
}

const plan = {
  hostArch: 'arm64',
  steps: [step(1, 'c', 'seed'), step(2, 'd', 'seeded'), step(3, 'c', null), step(4, 'd', null)],
} as unknown as Plan;
const provides = new Map([
  ['libc-dev', 'c'],
  ['libd-dev', 'd'],
]);
const ours = new Set(['libd-dev:arm64=1.0@seeded', 'libc-dev:arm64=1.0@full', 'libc-dev:arm64=1.0@seed']);
const planBuilt = (key: string, suite: string) => ours.has(`${key}@${suite}`);

const dep = (pkg: string, version: string, from: InstalledDep['from'], suite?: string): InstalledDep => ({
  package: pkg,
  arch: 'arm64',
  version,
  from,
  ...(suite ? { suite } : {}),
  origin: from === 'remote' ? 'http://deb.debian.org/debian bookworm/main arm64' : 'local',
});

function run(steps: Partial<VerifyStep>[], chroot = false) {
  const full: VerifyStep[] = steps.map((s, i) => ({
    n: i + 1,
    status: 'done',
    started: `2026-12-06T10:0${i}:00Z`,
    record: { format: 1, source: plan.steps[i]!.source, version: '1.0', hostArch: 'arm64', chroot, installed: [] },
    ...s,
  }));
  return verifyRun(plan, full, provides, planBuilt);
}

const rec = (installed: InstalledDep[], chroot = false) => ({
  format: 1 as const,
  source: 'x',
  version: '1.0',
  hostArch: 'arm64',
  chroot,
  installed,
});

describe('verifyRun', () => {
  it("finals that took the set's own builds (seeded, full) pass; the seed step itself is not judged", () => {
    const r = run([
      { record: rec([dep('libd-dev', '0.9', 'remote')]) },
      { record: rec([dep('libc-dev', '1.0', 'local', 'seed')]) },
      { record: rec([dep('libd-dev', '1.0', 'local', 'seeded')]) },
      { record: rec([dep('libc-dev', '1.0', 'local', 'full')]) },
    ]);
    expect(r.offenders).toEqual([]);
    expect(r.checked).toBe(2);
    expect(r.rows.map((x) => `${x.step} ${x.package} ${x.verdict}`)).toEqual(['3 libd-dev own', '4 libc-dev own']);
    expect(formatVerify(plan, r)).toMatch(
      /^2 final builds checked, 2 packages of the set installed by them; every one the set's own build\n/,
    );
  });

  it.each([
    ["a seed build's copy", dep('libc-dev', '1.0', 'local', 'seed'), "came from local repository, suite seed: a seed build's"],
    ["the archive's", dep('libc-dev', '1.0', 'remote'), "came from http://deb.debian.org/debian bookworm/main arm64: the archive's"],
    ['an older build the local repository has', dep('libc-dev', '0.9', 'local', 'full'), "a build that is not this plan's: not traced"],
  ])('a final that took %s is named', (_what, d, message) => {
    const r = run([{}, {}, {}, { record: rec([d]) }]);
    expect(r.offenders).toHaveLength(1);
    expect(r.offenders[0]!.step).toBe(4);
    expect(r.offenders[0]!.problems[0]).toContain(message);
  });

  it("the archive's binNMU of a member is named as such", () => {
    const r = run([{}, {}, {}, { record: rec([dep('libc-dev', '1.0+b2', 'remote')]) }]);
    expect(r.offenders[0]!.problems[0]).toMatch(
      /the archive's, not the set's own \(a binNMU, \+b2: a Multi-Arch: same package must have the version/,
    );
  });

  it("a staged build's suite (profiles joined with +) and a flavour's are the set's own", () => {
    ours.add('libd-dev:arm64=1.0@staged-pkg.d.noverity+stage1').add('libd-dev:arm64=1.0@flavour-a53+staged-stage1');
    for (const suite of ['staged-pkg.d.noverity+stage1', 'flavour-a53+staged-stage1']) {
      const r = run([{}, {}, { record: rec([dep('libd-dev', '1.0', 'local', suite)]) }, {}]);
      expect(r.offenders).toEqual([]);
      expect(r.rows[0]!.verdict).toBe('own');
    }
  });

  it('on the machine itself: a package found installed is traced to the step that installed it, or its reinstall', () => {
    // Step 2 installed the seed's c; step 3's run reinstalled c's full build over it; step 4 found it there.
    const ok = run([
      {},
      { record: rec([dep('libc-dev', '1.0', 'local', 'seed')]) },
      { replaced: [{ package: 'libc-dev', arch: 'arm64', version: '1.0' }] },
      { record: rec([dep('libc-dev', '1.0', 'present')]) },
    ]);
    expect(ok.offenders).toEqual([]);
    expect(ok.rows[0]).toMatchObject({ verdict: 'own', from: 'local repository, suite full (reinstalled), installed by an earlier step' });
    // Without the reinstall it is the seed's copy.
    const bad = run([
      {},
      { record: rec([dep('libc-dev', '1.0', 'local', 'seed')]) },
      {},
      { record: rec([dep('libc-dev', '1.0', 'present')]) },
    ]);
    expect(bad.offenders[0]!.problems[0]).toContain("a seed build's");
    // Removed after the seed: what is found later was not traced.
    const gone = run([
      { record: rec([dep('libd-dev', '0.9', 'remote')]), removed: [{ package: 'libd-dev', arch: 'arm64', version: '0.9' }] },
      {},
      { record: rec([dep('libd-dev', '0.9', 'present')]) },
      {},
    ]);
    expect(gone.offenders[0]!.problems[0]).toContain('installed before the run: not traced');
  });

  it("in a chroot, a package that was there already came with the chroot's image: the archive's", () => {
    const r = run([{}, {}, { record: rec([dep('libd-dev', '1.0', 'present')], true) }, {}], true);
    expect(r.offenders[0]!.problems[0]).toContain("came from the chroot's image: the archive's");
  });

  it('the .buildinfo must say the same version; a final without a record is named', () => {
    const r = run([
      {},
      {},
      { record: rec([dep('libd-dev', '1.0', 'local', 'seeded')]), buildinfo: new Map([['libd-dev', '0.9']]) },
      { record: undefined },
    ]);
    expect(r.offenders.map((o) => o.step)).toEqual([3, 4]);
    expect(r.offenders[0]!.problems[0]).toBe('libd-dev:arm64: installed 1.0, but its .buildinfo says 0.9');
    expect(r.offenders[1]!.problems[0]).toMatch(/no record of what it installed/);
  });

  it('Installed-Build-Depends as dpkg-genbuildinfo writes it', () => {
    const text =
      'Format: 1.0\nInstalled-Build-Depends:\n autoconf (= 2.71-3),\n libc6-dev:arm64 (= 2.36-9+deb12u4),\n zlib1g (= 1:1.2.13.dfsg-1)\nEnvironment:\n LANG="C"\n';
    expect([...installedBuildDepends(text)]).toEqual([
      ['autoconf', '2.71-3'],
      ['libc6-dev', '2.36-9+deb12u4'],
      ['zlib1g', '1:1.2.13.dfsg-1'],
    ]);
  });
});
