// xdeb-sequence end to end. Plans over a small index (no root needed): the loop fixtures
// xdebloop-a/b (broken by a stage1) and xdebloop-c/d (no profile breaks it), the formats, bad
// input. Then the real thing (root, arm64 as a foreign architecture): the staged build, the rest,
// the full rebuild, all cross for arm64 into the local repository, interrupted and resumed; and a
// build that fails in the middle with --keep-going and -j 2.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canCrossBuildArm64, CROSS_BASE_STANZAS, elfMachine, have, removeInstalled, ROOT, runCli } from '../support/cli.js';

const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
const FIXTURES = join(ROOT, 'fixtures/debian');
const BIN = join(ROOT, 'bin/xdeb-sequence.js');

/** A tiny archive: what the fixtures' builds need, amd64 → arm64. */
function indexes(dir: string): string[] {
  writeFileSync(join(dir, 'Packages'), CROSS_BASE_STANZAS.join('\n'));
  return ['--disable-remote-repo', '--repo', join(dir, 'Packages')];
}

describe('xdeb-sequence --list: plans of the loop fixtures', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-seq-list-'));
  const repo = join(work, 'repo');
  const idx = indexes(work);
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const seq = (...args: string[]) => runCli(['--local-repo', repo, ...idx, ...args], { bin: 'xdeb-sequence', cwd: FIXTURES });

  it('a, b: the staged build of a, then b, then a in full', () => {
    const r = seq('-a', 'arm64', '--list', '--bootstrap', 'xdebloop-a', 'xdebloop-b');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        '3 builds for arm64 (cross from amd64); 1 loop, 1 broken (1 staged build)',
        '1. xdebloop-a 1.0 [stage1]  (-P cross,nocheck,stage1)',
        '2. xdebloop-b 1.0  (after 1)',
        '3. xdebloop-a 1.0  (after 1,2)',
        '',
        'Loops:',
        '  loop 1 (2 sources: xdebloop-a, xdebloop-b): broken',
        '    step 1: xdebloop-a with stage1 does without xdebloop-a (libxdebloop-a-dev:arm64, libxdebloop-a1:arm64), xdebloop-b (libxdebloop-b-dev:arm64, libxdebloop-b1:arm64)',
        '',
      ].join('\n'),
    );
  });

  it('--set FILE and --base: the set is planned as arguments are, the base taken as given', () => {
    const set = join(work, 'set.txt');
    writeFileSync(set, '# the distro\nxdebloop-a   # a library\n\nxdebloop-b\n');
    const bySet = seq('-a', 'arm64', '--list', '--json', '--bootstrap', '--full', '--set', set);
    const byArgs = seq('-a', 'arm64', '--list', '--json', '--bootstrap', '--full', 'xdebloop-a', 'xdebloop-b');
    expect(bySet.status, bySet.stderr).toBe(0);
    const steps = (r: { stdout: string }) =>
      JSON.parse(r.stdout).steps.map((s: { source: string; stage: string | null }) => [s.source, s.stage]);
    expect(steps(bySet)).toEqual(steps(byArgs));
    // With --full the host libraries are not available: taken from the repositories, as problems; a base makes them given.
    const problems = (r: { stdout: string }) => JSON.parse(r.stdout).problems.map((p: { message: string }) => p.message);
    expect(problems(byArgs).length).toBeGreaterThan(0);
    const outside = seq('-a', 'arm64', '--list', '--json', '--bootstrap', '--full', '--set', set, '--base', 'outside');
    expect(outside.status, outside.stderr).toBe(0);
    expect(problems(outside)).toEqual([]);
    const libc = seq('-a', 'arm64', '--list', '--json', '--bootstrap', '--full', '--set', set, '--base', 'libc6-dev');
    expect(problems(libc).some((m: string) => /libc6-dev/.test(m))).toBe(false);
    expect(problems(libc).some((m: string) => /libstdc\+\+-12-dev/.test(m))).toBe(true);
  });

  it('a set file with a typo, and a source both in the set and the base: exit 2 naming file and line', () => {
    const bad = join(work, 'bad-set.txt');
    writeFileSync(bad, 'xdebloop-a\nXdebloop-b\n');
    const typo = seq('-a', 'arm64', '--list', '--set', bad);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toBe(
      `xdeb-sequence: error: ${bad}:2: 'Xdebloop-b' is not a source (NAME, NAME=VERSION, NAME/SUITE, a .dsc or a directory)\n`,
    );
    const set = join(work, 'set2.txt');
    writeFileSync(set, 'xdebloop-a\nxdebloop-b\n');
    const base = join(work, 'base.txt');
    writeFileSync(base, 'debhelper\nxdebloop-b\n');
    const both = seq('-a', 'arm64', '--list', '--set', set, '--base', base);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(new RegExp(`source xdebloop-b is both in the set \\(${set}:2\\) and in the base \\(${base}:2\\)`));
    const unknown = join(work, 'unknown-set.txt');
    writeFileSync(unknown, '# the set\nxdebloop-a\nxdebloop-nosuch\n');
    const nosuch = seq('-a', 'arm64', '--list', '--set', unknown);
    expect(nosuch.status).toBe(2);
    expect(nosuch.stderr).toMatch(new RegExp(`^xdeb-sequence: error: ${unknown}:3: unknown source package 'xdebloop-nosuch'`));
    const missing = seq('-a', 'arm64', '--list', '--set', join(work, 'nonesuch.txt'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nonesuch\.txt: no such file/);
  });

  it('c, d: a hints file that drops an edge breaks the loop nothing else breaks; the plan records it', () => {
    const hints = join(work, 'hints');
    writeFileSync(
      hints,
      '# d is built first without c\nSource: xdebloop-d\nDrop-Build-Depends: libxdebloop-c-dev\nReason: the header is only for the docs\n\nSource: xdebloop-a\nProfiles: stage1\nReason: never needed here\n',
    );
    const r = seq('-a', 'arm64', '--list', '--bootstrap', '--no-droppable', '--hints', hints, 'xdebloop-c', 'xdebloop-d');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      '1. xdebloop-d 1.0 [dropped]  (-P cross,nocheck)\n2. xdebloop-c 1.0  (after 1)\n3. xdebloop-d 1.0  (after 1,2)\n',
    );
    expect(r.stdout).toContain(
      `step 1: xdebloop-d without libxdebloop-c-dev (a hint) does without xdebloop-c (libxdebloop-c-dev:arm64): ${hints}:2: the header is only for the docs`,
    );
    expect(r.stdout).toContain(
      `Hints:\n  ${hints}:2: xdebloop-d without libxdebloop-c-dev: used by step 1 — the header is only for the docs\n  ${hints}:6: xdebloop-a with stage1: not used (the source is not in the plan)`,
    );
    const plan = JSON.parse(
      seq('-a', 'arm64', '--list', '--json', '--bootstrap', '--no-droppable', '--hints', hints, 'xdebloop-c', 'xdebloop-d').stdout,
    );
    expect(plan.steps[0]).toMatchObject({ source: 'xdebloop-d', stage: 'dropped', suite: 'dropped', drops: ['libxdebloop-c-dev'] });
    expect(plan.hints[0]).toMatchObject({ source: 'xdebloop-d', drops: ['libxdebloop-c-dev'], line: 2, step: 1 });
  });

  it('a hints file with a typo: exit 2 naming the file and line', () => {
    const hints = join(work, 'bad-hints');
    writeFileSync(hints, 'Source: xdebloop-d\nDrop-Build-Depend: libxdebloop-c-dev\nReason: x\n');
    const r = seq('-a', 'arm64', '--list', '--bootstrap', '--hints', hints, 'xdebloop-c', 'xdebloop-d');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^xdeb-sequence: error: ${hints}:2: unknown field 'Drop-Build-Depend' \\(did you mean 'Drop-Build-Depends'\\?\\)`),
    );
    expect(seq('-a', 'arm64', '--list', '--bootstrap', '--hints', join(work, 'none'), 'xdebloop-c').status).toBe(2);
  });

  it('--json: steps in build order with source, version, profiles, stage; the loop and what broke it', () => {
    const r = seq('-a', 'arm64', '--list', '--json', '--bootstrap', '--explain', 'xdebloop-b', 'xdebloop-a');
    expect(r.status).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.steps.map((s: any) => [s.source, s.version, s.profiles, s.stage, s.suite, s.after])).toEqual([
      ['xdebloop-a', '1.0', ['cross', 'nocheck', 'stage1'], 'stage1', 'staged-stage1', []],
      ['xdebloop-b', '1.0', ['cross', 'nocheck'], null, 'full', [1]],
      ['xdebloop-a', '1.0', ['cross', 'nocheck'], null, 'full', [1, 2]],
    ]);
    expect(plan.steps[0].arg).toBe(join(FIXTURES, 'xdebloop-a'));
    // --explain: b needs a's -dev package from the staged build; a's full build needs b's.
    expect(plan.steps[1].needs).toEqual([{ step: 1, binaries: ['libxdebloop-a-dev:arm64', 'libxdebloop-a1:arm64'] }]);
    expect(plan.steps[2].needs).toEqual([
      { step: 1, binaries: ['libxdebloop-a-dev:arm64', 'libxdebloop-a1:arm64'] },
      { step: 2, binaries: ['libxdebloop-b-dev:arm64', 'libxdebloop-b1:arm64'] },
    ]);
    expect(plan.loops).toEqual([
      {
        n: 1,
        sources: ['xdebloop-b', 'xdebloop-a'],
        broken: true,
        existing: [],
        staged: [
          {
            source: 'xdebloop-a',
            arch: 'arm64',
            kind: 'profile',
            profiles: ['stage1'],
            stage: 'stage1',
            step: 1,
            breaks: [
              { source: 'xdebloop-b', arch: 'arm64', stage: null, binaries: ['libxdebloop-b-dev:arm64', 'libxdebloop-b1:arm64'] },
              { source: 'xdebloop-a', arch: 'arm64', stage: null, binaries: ['libxdebloop-a-dev:arm64', 'libxdebloop-a1:arm64'] },
            ],
          },
        ],
        nocheck: [],
        seeded: [],
        unbroken: [],
      },
    ]);
    expect(plan.stats).toMatchObject({ sources: 2, cyclicComponents: 1, largestComponent: 2, stagedBuilds: 1, unbrokenLoops: 0 });
  });

  it('without --bootstrap the loop is reported with its shortest cycle, exit 1', () => {
    const r = seq('-a', 'arm64', '--list', 'xdebloop-a', 'xdebloop-b');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      '  loop 1 (2 sources: xdebloop-a, xdebloop-b): NOT BROKEN\n    nothing breaks these 2 builds (no profile, droppable build-dependency, seed or hint); shortest cycle:\n',
    );
    // The shortest: a's full build needs its own -dev package (libxdebloop-b-dev depends on it).
    expect(r.stdout).toContain(
      'nothing breaks these 2 builds (no profile, droppable build-dependency, seed or hint); shortest cycle:\n      xdebloop-a needs libxdebloop-a-dev:arm64, libxdebloop-a1:arm64 from xdebloop-a\n',
    );
    expect(r.stderr).toBe(
      'xdeb-sequence: warning: the plan cannot be completed: 1 loop part nothing breaks (--bootstrap breaks loops with staged builds)\n',
    );
  });

  it('c, d: a loop no profile breaks is named with its shortest cycle, exit 1', () => {
    const r = seq('-a', 'arm64', '--list', '--json', '--bootstrap', 'xdebloop-c', 'xdebloop-d');
    expect(r.status).toBe(1);
    const plan = JSON.parse(r.stdout);
    expect(plan.loops[0]).toMatchObject({ sources: ['xdebloop-c', 'xdebloop-d'], broken: false, staged: [] });
    expect(plan.loops[0].unbroken[0].cycle).toEqual([
      { source: 'xdebloop-c', arch: 'arm64', stage: null, binaries: ['libxdebloop-d-dev:arm64'] },
      { source: 'xdebloop-d', arch: 'arm64', stage: null, binaries: ['libxdebloop-c-dev:arm64'] },
    ]);
    expect(plan.steps.map((s: any) => s.loop)).toEqual([1, 1]);
    expect(r.stderr).toMatch(
      /the plan cannot be completed: 1 loop part nothing breaks \(no profile, droppable build-dependency, seed or hint; --hints FILE says how\)\n$/,
    );
  });

  it('--dot, and --svg draws it with graphviz', () => {
    const svg = join(work, 'plan.svg');
    const r = seq('-a', 'arm64', '--list', '--dot', '--bootstrap', ...(have('dot') ? ['--svg', svg] : []), 'xdebloop-a', 'xdebloop-b');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^digraph xdeb_sequence \{\n/);
    expect(r.stdout).toContain('s1 [label="1. xdebloop-a 1.0 [stage1]", style="rounded,dashed", color="#1f6fb2", penwidth=2];');
    expect(r.stdout).toContain('s1 -> s2;');
    expect(r.stdout).toContain('s2 -> s3;');
    if (have('dot')) expect(readFileSync(svg, 'utf8')).toMatch(/<svg[\s\S]*>2\. xdebloop&#45;b 1\.0<[\s\S]*<\/svg>/);
  });

  it.each([
    [['-a', 'arm64', '--list', 'nosuchsource'], /unknown source package 'nosuchsource'/, 2],
    [['-a', 'arm64', '--list'], /no SOURCE given/, 2],
    [['-a', 'arm64', '--list', '--all', 'xdebloop-a'], /give SOURCE arguments or --all, not both/, 2],
    [['-a', 'arm64', '--list', './no/such/tree'], /no\/such\/tree: no such file or directory/, 2],
    [['-a', 'arm64', '--list', '--available', 'x', 'xdebloop-a'], /--available only makes sense with --full/, 2],
    [['-a', 'arm64', '--resume'], /cannot read the state file .*there is none \(nothing to resume: run without --resume\)/, 2],
    [['-a', 'arm64', '--list', '--dot', '--json', 'xdebloop-a'], /--dot and --json exclude each other/, 2],
    [['-a', 'arm64', '--list', '-j', '0', 'xdebloop-a'], /--jobs must be at least 1/, 2],
  ])('bad input %j: a clear message, exit %s', (args, message, code) => {
    const r = seq(...(args as string[]));
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(code);
  });

  it('no packages for the host architecture: exit 3', () => {
    writeFileSync(
      join(work, 'Packages.amd64only'),
      'Package: debhelper\nVersion: 13\nArchitecture: all\nMulti-Arch: foreign\nProvides: debhelper-compat (= 13)\n',
    );
    const r = runCli(
      ['--local-repo', repo, '--disable-remote-repo', '--repo', join(work, 'Packages.amd64only'), '-a', 'arm64', '--list', 'xdebloop-a'],
      { bin: 'xdeb-sequence', cwd: FIXTURES },
    );
    expect(r.stderr).toMatch(/no arm64 packages in the repositories in use/);
    expect(r.status).toBe(3);
  });

  it('running a plan with a loop no profile breaks: nothing is built, exit 1, the state file says so', () => {
    const r = seq('-a', 'arm64', '--bootstrap', '--json', 'xdebloop-c', 'xdebloop-d');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /error: 2 builds of the plan cannot be done \(1 loop nothing breaks\); nothing was built \(--keep-going builds the rest\)\n {2}loop 1: xdebloop-c needs libxdebloop-d-dev:arm64 → xdebloop-d needs libxdebloop-c-dev:arm64\n/,
    );
    const state = JSON.parse(readFileSync(join(repo, 'xdeb/sequence/arm64/state.json'), 'utf8'));
    expect(state.steps.map((s: any) => s.status)).toEqual(['pending', 'pending']);
    expect(state.plan.loops[0].broken).toBe(false);
    expect(existsSync(join(repo, 'pool'))).toBe(false);
  });
});

const ready = canCrossBuildArm64();

interface Builds {
  builds: {
    source: string;
    suite: string;
    profiles: string[];
    binaries: string[];
    time: string;
    files: { path: string; package?: string }[];
  }[];
}

describe.runIf(ready)('xdeb-sequence: a loop broken by stage1, cross-built for arm64, interrupted and resumed', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-seq-run-'));
  const src = join(work, 'src');
  const repo = join(work, 'repo');
  cpSync(FIXTURES, src, { recursive: true });
  const stateFile = join(repo, 'xdeb/sequence/arm64/state.json');
  const readState = () => JSON.parse(readFileSync(stateFile, 'utf8'));
  const readBuilds = (): Builds => JSON.parse(readFileSync(join(repo, 'xdeb/builds.json'), 'utf8'));
  afterAll(() => {
    removeInstalled('libxdebloop-*', 'xdebloop-*', 'libxdebdemo*');
    rmSync(work, { recursive: true, force: true });
  });

  it('an interrupt during step 2 leaves a consistent state and exit 130', async () => {
    removeInstalled('libxdebloop-*');
    const child = spawn(process.execPath, [BIN, '--local-repo', repo, '-a', 'arm64', '--bootstrap', '--json', 'xdebloop-a', 'xdebloop-b'], {
      cwd: src,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number>((res) => child.on('exit', (code, signal) => res(code ?? (signal ? 128 : -1))));
    // Wait until step 2 runs, then interrupt (as Ctrl-C would, but only this process).
    for (let i = 0; i < 3000; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (existsSync(stateFile) && readState().steps[1].status === 'running') break;
    }
    expect(readState().steps[1].status).toBe('running');
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    const st = readState();
    expect(st.steps[0]).toMatchObject({ n: 1, status: 'done', suite: 'staged-stage1' });
    expect(st.steps.some((s: any) => s.status === 'running')).toBe(false);
    // Step 2 was stopped (pending again) or had been published by then; step 3 never started.
    expect(['pending', 'done']).toContain(st.steps[1].status);
    expect(st.steps[2].status).toBe('pending');
    expect(st.steps[2].started).toBeUndefined();
    const staged = readBuilds().builds.find((b) => b.suite === 'staged-stage1')!;
    expect(staged).toMatchObject({ source: 'xdebloop-a', profiles: ['cross', 'nocheck', 'stage1'] });
    // The plan's graph beside the state, and its picture.
    expect(readFileSync(join(repo, 'xdeb/sequence/arm64/plan.dot'), 'utf8')).toContain('s1 -> s2;');
    if (have('dot'))
      expect(readFileSync(join(repo, 'xdeb/sequence/arm64/plan.svg'), 'utf8')).toMatch(/<svg[\s\S]*1\. xdebloop&#45;a 1\.0 \[stage1\]/);
    expect(staged.binaries).not.toContain('xdebloop-a-utils');
  }, 900_000);

  it('--resume builds the rest, not what is done: all cross for arm64 in the local repository', () => {
    const before = readState();
    const stagedTime = readBuilds().builds.find((b) => b.suite === 'staged-stage1')!.time;
    const r = runCli(['--local-repo', repo, '-a', 'arm64', '--resume', '--json'], { bin: 'xdeb-sequence', cwd: src, timeout: 900_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.results.map((s: any) => s.status)).toEqual(['done', 'done', 'done']);
    // Step 1 was not built again.
    expect(out.results[0].finished).toBe(before.steps[0].finished);
    expect(readBuilds().builds.find((b) => b.suite === 'staged-stage1')!.time).toBe(stagedTime);
    const builds = readBuilds().builds;
    const full = (s: string) => builds.find((b) => b.suite === 'full' && b.source === s)!;
    expect(full('xdebloop-b').profiles).toEqual(['cross', 'nocheck']);
    expect(full('xdebloop-a').binaries).toContain('xdebloop-a-utils');
    // The full build's tool is arm64 and linked with libxdebloop-b.
    const deb = join(repo, full('xdebloop-a').files.find((f) => f.package === 'xdebloop-a-utils')!.path);
    const x = join(work, 'x');
    expect(sh(`dpkg-deb -x ${deb} ${x}`).status).toBe(0);
    expect(elfMachine(join(x, 'usr/bin/xdebloop-a-hello'))).toBe(183);
    expect(sh(`dpkg-deb --field ${deb} Depends`).stdout).toMatch(/libxdebloop-b1 \(>= 1\.0\)/);
    // What the staged build installed (same name, same version) was replaced by the full build's files.
    expect(sh("dpkg-query -W -f '${Version}' libxdebloop-a1:arm64").stdout).toBe('1.0');
    const lib = readFileSync('/usr/lib/aarch64-linux-gnu/libxdebloop-a.so.1', 'latin1');
    expect(lib).toContain('xdebloop-a (full) for arm64');
    expect(lib).not.toContain('(stage1)');
    expect(readState().steps.map((s: any) => s.status)).toEqual(['done', 'done', 'done']);
  }, 900_000);

  it('--resume again: nothing to build; a step the repository has with other profiles is rebuilt', () => {
    const r = runCli(['--local-repo', repo, '-a', 'arm64', '--resume', '--verbose'], { bin: 'xdeb-sequence', cwd: src, timeout: 300_000 });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/resuming .*: 3 of 3 steps built, 0 to go/);
    expect(r.stdout).toMatch(
      /^1\. xdebloop-a 1\.0 \[stage1\]: done .* in staged-stage1\n2\. xdebloop-b 1\.0: done .* in full\n3\. xdebloop-a 1\.0: done .* in full\nstate: /,
    );
    // Say that the plan wants b built with cross alone: the repository has it with cross,nocheck.
    const st = readState();
    st.plan.steps[1].profiles = ['cross'];
    writeFileSync(stateFile, JSON.stringify(st));
    const aTime = readBuilds().builds.find((b) => b.suite === 'full' && b.source === 'xdebloop-a')!.time;
    const r2 = runCli(['--local-repo', repo, '-a', 'arm64', '--resume', '--verbose', '--json'], {
      bin: 'xdeb-sequence',
      cwd: src,
      timeout: 600_000,
    });
    expect(r2.status, r2.stderr).toBe(0);
    expect(r2.stderr).toContain('step 2 (xdebloop-b 1.0): the local repository has it built with cross,nocheck, not cross: rebuilt');
    expect(r2.stderr).toMatch(/resuming .*: 2 of 3 steps built, 1 to go/);
    expect(readBuilds().builds.find((b) => b.suite === 'full' && b.source === 'xdebloop-b')!.profiles).toEqual(['cross']);
    expect(readBuilds().builds.find((b) => b.suite === 'full' && b.source === 'xdebloop-a')!.time).toBe(aTime);
    expect(JSON.parse(r2.stdout).results.map((s: any) => s.status)).toEqual(['done', 'done', 'done']);
  }, 600_000);

  it('a failed build in the middle: --keep-going -j 2 builds what does not depend on it; the state says which failed; --resume retries only that', () => {
    const r = runCli(
      [
        '--local-repo',
        repo,
        '-a',
        'arm64',
        '--keep-going',
        '-j',
        '2',
        '--state',
        join(work, 'fail.json'),
        'xdebdemo-broken',
        'xdebloop-e',
        'libxdebdemo',
      ],
      { bin: 'xdeb-sequence', cwd: src, timeout: 900_000 },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /xdeb-sequence: error: step \d\/3 xdebdemo-broken 1\.0 failed: xdebdemo-broken: runbuild: xdebdemo-broken 1\.0 \(arm64\): the build failed \(dpkg-buildpackage exit status 2\); log: .*\(messages: .*xdeb-sequence\.log\)/,
    );
    const st = JSON.parse(readFileSync(join(work, 'fail.json'), 'utf8'));
    const status = Object.fromEntries(st.plan.steps.map((s: any, i: number) => [s.source, st.steps[i].status]));
    expect(status).toEqual({ 'xdebdemo-broken': 'failed', 'xdebloop-e': 'skipped', libxdebdemo: 'done' });
    const broken = st.steps[st.plan.steps.findIndex((s: any) => s.source === 'xdebdemo-broken')];
    expect(broken).toMatchObject({ exitCode: 1 });
    expect(broken.note).toMatch(/the build failed/);
    expect(readdirSync(broken.dir)).toContain('xdebdemo-broken_1.0_arm64.build');
    const e = st.steps[st.plan.steps.findIndex((s: any) => s.source === 'xdebloop-e')];
    expect(e.note).toMatch(/^needs step \d \(xdebdemo-broken\), which failed$/);
    const libTime = readBuilds().builds.find((b) => b.source === 'libxdebdemo')!.time;

    const again = runCli(['--local-repo', repo, '-a', 'arm64', '--resume', '--keep-going', '--state', join(work, 'fail.json')], {
      bin: 'xdeb-sequence',
      cwd: src,
      timeout: 900_000,
    });
    expect(again.status).toBe(1);
    expect(readBuilds().builds.find((b) => b.source === 'libxdebdemo')!.time).toBe(libTime);
    expect(again.stdout).toMatch(/xdebdemo-broken 1\.0: failed: /);
    expect(again.stdout).toMatch(/libxdebdemo 1\.0: done/);
  }, 1_200_000);

  it('--keep-going: a step whose failed need the repositories have too is built against theirs, and says so', () => {
    // A copy of the library whose build fails; the repository has the library's 1.0 from the run above.
    const broken = join(work, 'broken');
    cpSync(join(src, 'libxdebdemo'), join(broken, 'libxdebdemo'), { recursive: true });
    writeFileSync(join(broken, 'libxdebdemo/debian/rules'), '#!/usr/bin/make -f\n%:\n\tdh $@\noverride_dh_auto_build:\n\tfalse\n');
    const state = join(work, 'soft.json');
    const r = runCli(
      [
        '--local-repo',
        repo,
        '-a',
        'arm64',
        '--keep-going',
        '--json',
        '--state',
        state,
        join(broken, 'libxdebdemo'),
        'xdebdemo-tool',
        'xdebdemo-prog',
      ],
      { bin: 'xdeb-sequence', cwd: src, timeout: 900_000 },
    );
    expect(r.status, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    const step = (name: string) => out.steps.findIndex((s: { source: string }) => s.source === name);
    const prog = out.steps[step('xdebdemo-prog')];
    expect(prog.soft).toEqual([step('libxdebdemo') + 1]);
    expect(out.results[step('libxdebdemo')]).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(out.results[step('xdebdemo-prog')]).toMatchObject({ status: 'done' });
    expect(out.results[step('xdebdemo-prog')].note).toBe(
      `built against the repositories' binaries of step ${step('libxdebdemo') + 1} (libxdebdemo), not built here`,
    );
  }, 900_000);
});
