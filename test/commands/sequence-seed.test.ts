// A loop no profile breaks, broken by a seed: xdebloop-c and xdebloop-d need each other, and the
// local repository has an older arm64 build of libxdebloop-d-dev (0.9, made here with dpkg-deb).
// xdeb-sequence builds c against that seed, d against the seed's c, then both again against the
// set's own builds; --verify checks every final build took only the set's own packages, and names
// one that did not. With --no-seed the same loop is refused; a seed that disappears before its
// step fails that step with a message, the state saying so.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canCrossBuildArm64, removeInstalled, ROOT, runCli } from '../support/cli.js';

const FIXTURES = join(ROOT, 'fixtures/debian');

/** An "older release" of libxdebloop-d-dev for arm64: a real .deb, version 0.9, with its header. */
function olderD(dir: string): string {
  const root = join(dir, 'olderd');
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  mkdirSync(join(root, 'usr/include'), { recursive: true });
  writeFileSync(join(root, 'usr/include/xdebloop-d.h'), '/* xdebloop-d 0.9: the older release */\n');
  writeFileSync(
    join(root, 'DEBIAN/control'),
    'Package: libxdebloop-d-dev\nSource: xdebloop-d\nVersion: 0.9\nArchitecture: arm64\nMulti-Arch: same\nMaintainer: xdeb developers <xdeb@example.org>\nDescription: xdebloop-d, an older build\n',
  );
  const deb = join(dir, 'libxdebloop-d-dev_0.9_arm64.deb');
  const r = spawnSync('dpkg-deb', ['--root-owner-group', '--build', root, deb], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return deb;
}

describe.runIf(canCrossBuildArm64())('xdeb-sequence: a loop broken by a seed build, verified', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-seq-seed-'));
  const src = join(work, 'src');
  const repo = join(work, 'repo');
  cpSync(FIXTURES, src, { recursive: true });
  const stateFile = join(repo, 'xdeb/sequence/arm64/state.json');
  const seq = (...args: string[]) =>
    runCli(['--local-repo', repo, '-a', 'arm64', ...args], { bin: 'xdeb-sequence', cwd: src, timeout: 900_000 });
  afterAll(() => {
    removeInstalled('libxdebloop-*');
    rmSync(work, { recursive: true, force: true });
  });

  it('without the older build, and with --no-seed, the loop is refused naming it', () => {
    let r = seq('--list', '--bootstrap', 'xdebloop-c', 'xdebloop-d');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('loop 1 (2 sources: xdebloop-c, xdebloop-d): NOT BROKEN');
    const put = runCli(['--local-repo', repo, olderD(work)], { bin: 'xdeb-putresult' });
    expect(put.status, put.stderr).toBe(0);
    r = seq('--list', '--bootstrap', '--no-seed', 'xdebloop-c', 'xdebloop-d');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('NOT BROKEN');
    r = seq('--bootstrap', '--no-seed', 'xdebloop-c', 'xdebloop-d');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/2 builds of the plan cannot be done \(1 loop nothing breaks\); nothing was built/);
    expect(r.stderr).toContain('loop 1: xdebloop-c needs libxdebloop-d-dev:arm64 → xdebloop-d needs libxdebloop-c-dev:arm64');
  });

  it('with it: c as a seed, d against the seed, then c and d against the set; every step published in its suite', () => {
    removeInstalled('libxdebloop-*');
    const r = seq('--bootstrap', '--json', 'xdebloop-c', 'xdebloop-d');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.steps.map((s: any) => `${s.source}[${s.stage}]:${s.suite}`)).toEqual([
      'xdebloop-c[seed]:seed',
      'xdebloop-d[seeded]:seeded',
      'xdebloop-c[null]:full',
      'xdebloop-d[null]:full',
    ]);
    expect(out.loops[0].staged[0]).toMatchObject({ kind: 'seed', evidence: 'the repositories have libxdebloop-d-dev:arm64 0.9' });
    expect(out.results.map((x: any) => x.status)).toEqual(['done', 'done', 'done', 'done']);
    // The seed build took the older release; the final c took d's first build (1.0, suite seeded).
    const deps = (n: number) => JSON.parse(readFileSync(join(out.results[n].changes, '../xdeb-build-deps.json'), 'utf8')).installed;
    expect(deps(0)).toContainEqual(expect.objectContaining({ package: 'libxdebloop-d-dev', version: '0.9', from: 'local', suite: 'full' }));
    expect(deps(2)).toContainEqual(
      expect.objectContaining({ package: 'libxdebloop-d-dev', version: '1.0', from: 'local', suite: 'seeded' }),
    );
    // On the machine itself, what the seed took of the members went again after it (nothing else depended on it).
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).steps[0].removed).toEqual([
      { package: 'libxdebloop-d-dev', arch: 'arm64', version: '0.9' },
    ]);
    const builds = JSON.parse(readFileSync(join(repo, 'xdeb/builds.json'), 'utf8')).builds;
    expect(builds.map((b: any) => `${b.source} ${b.version} ${b.suite}`).sort()).toEqual([
      'xdebloop-c 1.0 full',
      'xdebloop-c 1.0 seed',
      'xdebloop-d 0.9 full',
      'xdebloop-d 1.0 full',
      'xdebloop-d 1.0 seeded',
    ]);
  }, 900_000);

  it("--verify: every final build took the set's own builds; a record saying otherwise is named, exit 1", () => {
    let r = seq('--verify');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^2 final builds checked, 2 packages of the set installed by them; every one the set's own build\n/);
    expect(r.stdout).toContain('3. xdebloop-c: libxdebloop-d-dev:arm64 1.0 (xdebloop-d) own: local repository, suite seeded');
    // The final d's record, as if its build had taken the seed's copy of c.
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    const rec = join(state.steps[3].changes, '../xdeb-build-deps.json');
    const text = readFileSync(rec, 'utf8');
    const json = JSON.parse(text);
    const c = json.installed.find((d: any) => d.package === 'libxdebloop-c-dev');
    expect(c).toBeDefined();
    Object.assign(c, { from: 'local', suite: 'seed' });
    writeFileSync(rec, JSON.stringify(json));
    r = seq('--verify');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      "step 4 (xdebloop-d): libxdebloop-c-dev:arm64 1.0 (built by xdebloop-c) came from local repository, suite seed: a seed build's",
    );
    expect(r.stderr).toMatch(/1 final build did not take only the set's own builds: step 4 \(xdebloop-d\)/);
    writeFileSync(rec, text);
  });

  it('a seed that disappears between plan and run: the seed step fails naming it, the state says so', () => {
    removeInstalled('libxdebloop-*');
    // A fresh repository with only the older build; its file then goes, its index entry stays: the plan sees a seed the run cannot get.
    const repo2 = join(work, 'repo2');
    expect(runCli(['--local-repo', repo2, join(work, 'libxdebloop-d-dev_0.9_arm64.deb')], { bin: 'xdeb-putresult' }).status).toBe(0);
    rmSync(join(repo2, 'pool/full/x/xdebloop-d/libxdebloop-d-dev_0.9_arm64.deb'));
    const r = runCli(['--local-repo', repo2, '-a', 'arm64', '--bootstrap', '--json', 'xdebloop-c', 'xdebloop-d'], {
      bin: 'xdeb-sequence',
      cwd: src,
      timeout: 900_000,
    });
    // The repository is the environment: exit 3, the step's message naming what went.
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/step 1\/4 xdebloop-c 1\.0 \[seed\] failed: .*libxdebloop-d-dev/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const st = JSON.parse(readFileSync(join(repo2, 'xdeb/sequence/arm64/state.json'), 'utf8'));
    expect(st.steps[0]).toMatchObject({ status: 'failed' });
    expect(st.steps[0].note).toMatch(/libxdebloop-d-dev/);
    expect(st.steps.slice(1).map((x: any) => x.status)).toEqual(['pending', 'pending', 'pending']);
  }, 900_000);
});
