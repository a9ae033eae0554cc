// Flavoured toolchains end to end (issue #8): one fixture built for arm64 with two flavours that
// coexist in the local repository (each binary carries its own flags), and an armhf fixture built
// for a baseline ARM flavour whose one object compiled for ARMv8 the ISA check catches (readelf
// agrees on what the file needs); a clang flavour; a flavoured library chain (lib → program, each
// flavour reading only its own suite). Root, arm64 and armhf cross compilers needed.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PrivateApt } from '../../src/adapters/private-apt.js';
import { elfMachine, have, removeInstalled, ROOT, runCli } from '../support/cli.js';

const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
const foreign = sh('dpkg --print-foreign-architectures').stdout.split('\n');
const ready =
  process.getuid?.() === 0 &&
  foreign.includes('arm64') &&
  have('dpkg-buildpackage') &&
  have('aarch64-linux-gnu-gcc-12') &&
  have('apt-ftparchive');
const armhf = ready && foreign.includes('armhf') && have('arm-linux-gnueabihf-gcc') && have('readelf');

const work = mkdtempSync(join(tmpdir(), 'xdeb-flavours-'));
const src = join(work, 'src');
cpSync(join(ROOT, 'fixtures/debian'), src, { recursive: true });
const cfg = join(work, 'xdeb.cfg');
writeFileSync(
  cfg,
  [
    '[toolchain a53]',
    'compiler = gcc-12',
    'cflags = -mcpu=cortex-a53',
    '',
    '[toolchain v82]',
    'cflags = -march=armv8.2-a',
    '',
    '[toolchain armv7]',
    'cflags = -march=armv7-a -mfpu=vfpv3-d16',
    '',
    '[toolchain clang-a72]',
    'compiler = clang',
    'cflags = -mcpu=cortex-a72',
    '',
  ].join('\n'),
);
const env = { XDEB_SYSTEM_CONFIG: cfg, XDG_CONFIG_HOME: join(work, 'user') };
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.runIf(ready)('two flavours of one version for arm64', () => {
  const repo = join(work, 'repo');
  const build = (toolchain: string) =>
    runCli(['--local-repo', repo, '-a', 'arm64', '--toolchain', toolchain, '--json', 'xdebflavour'], {
      bin: 'xdeb-build',
      cwd: src,
      env,
      timeout: 600_000,
    });

  it('builds with a53 (gcc-12, -mcpu=cortex-a53) and v82 (-march=armv8.2-a) into their own suites', () => {
    const a = build('a53');
    expect(a.status, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).builds[0]).toMatchObject({ source: 'xdebflavour', flavour: 'a53', suite: 'flavour-a53' });
    const log = readFileSync(JSON.parse(a.stdout).builds[0].log, 'utf8');
    expect(log).toMatch(/^Toolchain: a53 \(.*xdeb\.cfg:1\)$/m);
    expect(log).toMatch(/^CC: aarch64-linux-gnu-gcc-12$/m);
    expect(log).toMatch(/^DEB_CFLAGS_APPEND: -mcpu=cortex-a53$/m);
    // dpkg-buildflags put the flag on the real compiler line.
    expect(log).toMatch(/^aarch64-linux-gnu-gcc-12 .*-mcpu=cortex-a53 .*xdebflavour\.c$/m);
    const v = build('v82');
    expect(v.status, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout).builds[0]).toMatchObject({ flavour: 'v82', suite: 'flavour-v82' });
  });

  it('both coexist: two records, two pool files of one name with other content, each with its flags', () => {
    const builds = JSON.parse(readFileSync(join(repo, 'xdeb/builds.json'), 'utf8')).builds as {
      suite: string;
      flavour?: string;
      toolchain?: string;
      files: { name: string; path: string; sha256: string }[];
    }[];
    const bySuite = new Map(builds.map((b) => [b.suite, b]));
    expect(bySuite.get('flavour-a53')).toMatchObject({ flavour: 'a53', toolchain: 'a53: aarch64-linux-gnu-gcc-12 -mcpu=cortex-a53' });
    expect(bySuite.get('flavour-v82')).toMatchObject({ flavour: 'v82', toolchain: 'v82: aarch64-linux-gnu-gcc -march=armv8.2-a' });
    const deb = (suite: string) => bySuite.get(suite)!.files.find((f) => f.name === 'xdebflavour_1.0_arm64.deb')!;
    expect(deb('flavour-a53').sha256).not.toBe(deb('flavour-v82').sha256);
    for (const [suite, flag] of [
      ['flavour-a53', '-mcpu=cortex-a53'],
      ['flavour-v82', '-march=armv8.2-a'],
    ] as const) {
      const x = join(work, `x-${suite}`);
      expect(sh(`dpkg-deb -x ${join(repo, deb(suite).path)} ${x}`).status).toBe(0);
      const strings = sh(`strings ${x}/usr/bin/xdebflavour`).stdout;
      expect(strings).toContain(flag);
      expect(strings).not.toContain(flag === '-mcpu=cortex-a53' ? '-march=armv8.2-a' : '-mcpu=cortex-a53');
    }
  });

  it('apt sees both suites', async () => {
    const apt = new PrivateApt({
      buildArch: 'amd64',
      foreignArchs: ['arm64'],
      sources: ['flavour-a53', 'flavour-v82'].map((s) => `deb [trusted=yes] file:${repo} ${s} main`),
    });
    try {
      await apt.update();
      const policy = (await apt.run('apt-cache', ['policy', 'xdebflavour:arm64'])).stdout;
      expect(policy).toContain(`file:${repo} flavour-a53/main arm64 Packages`);
      expect(policy).toContain(`file:${repo} flavour-v82/main arm64 Packages`);
    } finally {
      apt.dispose();
    }
  });
});

describe.runIf(armhf)('the ISA check of a baseline ARM flavour (armhf)', () => {
  const out = join(work, 'out');
  mkdirSync(out, { recursive: true });
  const runbuild = (dir: string) =>
    runCli(['-a', 'armhf', '--toolchain', 'armv7', '-o', out, '--json', dir], { bin: 'xdeb-runbuild', cwd: src, env, timeout: 600_000 });

  it('a program with one object compiled for ARMv8 is refused, naming the file and what it needs', () => {
    const r = runbuild('xdebflavour-isa');
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain('1 ELF file(s) need more than the flavour armv7 allows (armv7-a fp=vfpv3-d16)');
    expect(r.stderr).toContain(
      'xdebflavour-isa_1.0_armhf.deb: /usr/bin/xdebflavour-isa needs ARM v8-A (Tag_CPU_arch 14), the flavour allows v7',
    );
    const log = readFileSync(join(out, 'xdebflavour-isa_1.0_armhf.build'), 'utf8');
    expect(log).toMatch(/^ISA limit: armv7-a fp=vfpv3-d16$/m);
    expect(log).toMatch(/^Status: failed$/m);
    // The reference tool reads the same attribute.
    const x = join(work, 'x-isa');
    expect(sh(`dpkg-deb -x ${join(out, 'xdebflavour-isa_1.0_armhf.deb')} ${x}`).status).toBe(0);
    expect(sh(`readelf -A ${x}/usr/bin/xdebflavour-isa`).stdout).toMatch(/Tag_CPU_arch: v8\n/);
  });

  it('the same flavour passes a program built for it, and says what it checked', () => {
    const r = runbuild('xdebflavour');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ flavour: 'armv7', isa: { limit: 'armv7-a fp=vfpv3-d16', checkable: 1 } });
    const x = join(work, 'x-ok');
    expect(sh(`dpkg-deb -x ${join(out, 'xdebflavour_1.0_armhf.deb')} ${x}`).status).toBe(0);
    expect(sh(`readelf -A ${x}/usr/bin/xdebflavour`).stdout).toMatch(/Tag_CPU_arch: v7\n/);
  });
});

describe.runIf(ready && have('clang'))('a clang flavour for arm64', () => {
  const repo = join(work, 'repo-clang');

  it('clang --target=aarch64-linux-gnu builds the fixture (DWARF 4 for dh_dwz), into its own suite', () => {
    const r = runCli(['--local-repo', repo, '-a', 'arm64', '--toolchain', 'clang-a72', '--json', 'xdebflavour'], {
      bin: 'xdeb-build',
      cwd: src,
      env,
      timeout: 600_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const b = JSON.parse(r.stdout).builds[0];
    expect(b).toMatchObject({ source: 'xdebflavour', flavour: 'clang-a72', suite: 'flavour-clang-a72' });
    const log = readFileSync(b.log, 'utf8');
    expect(log).toMatch(/^CC: clang --target=aarch64-linux-gnu$/m);
    expect(log).toMatch(/^DEB_CFLAGS_APPEND: -gdwarf-4 -mcpu=cortex-a72$/m);
    expect(log).toMatch(/^clang --target=aarch64-linux-gnu .*-mcpu=cortex-a72 .*xdebflavour\.c$/m);
    const x = join(work, 'x-clang');
    expect(
      sh(`dpkg-deb -x ${join(src, 'xdebflavour_1.0_arm64.deb')} ${x} && dpkg-deb -x ${join(src, 'xdebflavour-dbgsym_1.0_arm64.deb')} ${x}`)
        .status,
    ).toBe(0);
    expect(elfMachine(`${x}/usr/bin/xdebflavour`)).toBe(183);
    // The compiler that made it says so in the debug file it left.
    expect(sh(`find ${x}/usr/lib/debug -name '*.debug' -exec readelf -p .comment {} +`).stdout).toMatch(/Debian clang version \d+/);
  });
});

describe.runIf(ready)('a flavoured library chain for arm64', () => {
  const repo = join(work, 'repo-chain');
  const build = (args: string[]) =>
    runCli(['--local-repo', repo, '--json', ...args], { bin: 'xdeb-build', cwd: src, env, timeout: 600_000 });
  afterAll(() => removeInstalled('libxdebdemo*', 'xdebdemo-tool*'));

  it('the program built with flavour a53 finds the library of flavour a53, the only one there is', () => {
    removeInstalled('libxdebdemo*', 'xdebdemo-tool*');
    const lib = build(['-a', 'arm64', '--toolchain', 'a53', 'libxdebdemo']);
    expect(lib.status, lib.stderr).toBe(0);
    expect(JSON.parse(lib.stdout).builds[0]).toMatchObject({ suite: 'flavour-a53' });
    // The build tool runs on the build machine: built natively, unflavoured.
    const tool = build(['-a', 'amd64', 'xdebdemo-tool']);
    expect(tool.status, tool.stderr).toBe(0);
    expect(JSON.parse(tool.stdout).builds[0]).toMatchObject({ suite: 'full' });
    const prog = build(['-a', 'arm64', '--toolchain', 'a53', 'xdebdemo-prog']);
    expect(prog.status, prog.stderr).toBe(0);
    expect(JSON.parse(prog.stdout).builds[0]).toMatchObject({ source: 'xdebdemo-prog', flavour: 'a53', suite: 'flavour-a53' });
    const log = readFileSync(JSON.parse(prog.stdout).builds[0].log, 'utf8');
    expect(log).toMatch(/^aarch64-linux-gnu-gcc-12 .*-mcpu=cortex-a53 /m);
  });

  it("another flavour does not take a53's library: its build-dependencies are not satisfiable", () => {
    removeInstalled('libxdebdemo*');
    const r = build(['-a', 'arm64', '--toolchain', 'v82', 'xdebdemo-prog']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/✗ Build-Depends: libxdebdemo-dev\s/);
    expect(r.stderr).not.toMatch(/✗ Build-Depends: xdebdemo-tool/);
    expect(r.stderr).toMatch(/satisfydepends: the build-dependencies of xdebdemo-prog 1\.0 cannot be satisfied/);
  });
});

describe.runIf(ready)('xdeb-sequence --toolchain', () => {
  const repo = join(work, 'repo-seq');
  const seq = (args: string[]) =>
    runCli(['--local-repo', repo, '-a', 'arm64', ...args], { bin: 'xdeb-sequence', cwd: src, env, timeout: 900_000 });
  afterAll(() => removeInstalled('libxdebdemo*', 'xdebdemo-tool*'));

  it("the arm64 steps are built with the flavour into its suite, the build machine's tool plain into full", () => {
    removeInstalled('libxdebdemo*', 'xdebdemo-tool*');
    const r = seq(['--toolchain', 'a53', '--json', 'xdebdemo-prog', 'libxdebdemo', 'xdebdemo-tool']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.toolchain).toEqual({ name: 'a53', flavour: 'a53' });
    const steps = out.steps.map((s: { source: string; arch: string; suite: string }) => `${s.source}:${s.arch} ${s.suite}`);
    expect(steps).toEqual([
      'libxdebdemo:arm64 flavour-a53',
      'xdebdemo-tool:amd64 full',
      'xdebdemo-prog:arm64 flavour-a53',
      'xdebdemo-tool:arm64 flavour-a53',
    ]);
    expect(out.results.map((x: { status: string; suite: string }) => `${x.status} ${x.suite}`)).toEqual([
      'done flavour-a53',
      'done full',
      'done flavour-a53',
      'done flavour-a53',
    ]);
    const log = (n: number) =>
      readFileSync(
        readdirSync(out.results[n].dir)
          .map((f: string) => join(out.results[n].dir, f))
          .find((f: string) => f.endsWith('.build'))!,
        'utf8',
      );
    expect(log(2)).toMatch(/^aarch64-linux-gnu-gcc-12 .*-mcpu=cortex-a53 /m);
    expect(log(1)).not.toMatch(/^Toolchain:/m);
    expect(log(1)).not.toContain('-mcpu=cortex-a53');
  });

  it("--resume keeps the plan's toolchain, and refuses another", () => {
    const again = seq(['--resume', '--json']);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).results.every((x: { status: string }) => x.status === 'done')).toBe(true);
    const other = seq(['--resume', '--toolchain', 'gcc-12']);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(
      /was planned with the toolchain 'a53', not 'gcc-12' \(command line --toolchain\): give the same --toolchain or none/,
    );
  });
});
