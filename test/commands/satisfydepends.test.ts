// xdeb-satisfydepends end to end: bad input, reports, and real installs with apt (root only).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CROSS_BASE_STANZAS, have, removeInstalled, ROOT, runCli, stanza } from '../support/cli.js';

const FIX = join(ROOT, 'test/fixtures/sources');
const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
const isRoot = process.getuid?.() === 0;
const hasArm64 = sh('dpkg --print-foreign-architectures').stdout.split('\n').includes('arm64');
const dpkgStatus = () => sh("dpkg-query -W -f '${Package}:${Architecture} ${Version} ${Status}\\n'").stdout;

/** A small index pair written for the test: build amd64, host arm64. */
function indexes(dir: string): string[] {
  writeFileSync(
    join(dir, 'Packages'),
    [
      ...CROSS_BASE_STANZAS,
      stanza('zlib1g-dev', 'arm64', 'Multi-Arch: same\n'),
      stanza('pkgconf', 'arm64', 'Multi-Arch: same\n'),
      stanza('perl', 'amd64', 'Multi-Arch: allowed\n'),
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'Sources'),
    'Package: demo\nVersion: 2.0-1\nArchitecture: any\nBuild-Depends: zlib1g-dev, r-base-dev\nBinary: demo\n',
  );
  writeFileSync(join(dir, 'Packages.more'), stanza('r-base-dev', 'all'));
  return [
    '--disable-remote-repo',
    '--disable-local-repo',
    '--no-status',
    '--repo',
    join(dir, 'Packages'),
    '--repo',
    join(dir, 'Packages.more'),
    '--repo',
    join(dir, 'Sources'),
  ];
}

describe('xdeb-satisfydepends: input errors (exit 2, file and line, nothing installed)', () => {
  it.each([
    [
      ['-a', 'arm64', '--list', join(FIX, 'broken-control')],
      /broken-control\/debian\/control:4: Build-Depends: unterminated '\(' in version constraint of 'libfoo-dev'/,
    ],
    [['-a', 'mipsfoo', '--list', join(FIX, 'zlib-user')], /'mipsfoo' is not a known Debian architecture/],
    [['-a', 'arm64', '--list', '--disable-remote-repo', '--disable-local-repo', 'nosuchsource'], /unknown source package 'nosuchsource'/],
    [['-a', 'arm64', '--list', './no/such/dir'], /no\/such\/dir: no such file or directory/],
    [['-a', 'arm64', '--list', '--all', 'hello'], /give SOURCE arguments or --all, not both/],
    [['-a', 'arm64', '--list', '--arch-only', '--indep', join(FIX, 'zlib-user')], /--arch-only and --indep exclude each other/],
  ])('%j', (args, message) => {
    const before = dpkgStatus();
    const r = runCli(args as string[], { bin: 'xdeb-satisfydepends' });
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.status).toBe(2);
    expect(dpkgStatus()).toBe(before);
  });

  it('a repository that does not answer is exit 3, named, and nothing installed', () => {
    const before = dpkgStatus();
    const r = runCli(
      ['-a', 'arm64', '--disable-remote-repo', '--repo', 'http://127.0.0.1:9/debian bookworm main', join(FIX, 'zlib-user')],
      { bin: 'xdeb-satisfydepends' },
    );
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/apt-get update failed for deb \[trusted=yes\] http:\/\/127\.0\.0\.1:9\/debian bookworm main/);
    expect(r.stderr).toMatch(/Could not connect/);
    expect(dpkgStatus()).toBe(before);
  });
});

describe('xdeb-satisfydepends: reports over index files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xdeb-sd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const repo = indexes(dir);

  it('--list --json places each dependency and says why', () => {
    const r = runCli(['-a', 'arm64', '--list', '--json', ...repo, join(FIX, 'zlib-user')], { bin: 'xdeb-satisfydepends' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect([j.buildArch, j.hostArch, j.profiles]).toEqual(['amd64', 'arm64', ['cross', 'nocheck']]);
    expect(j.repositories.map((x: { kind: string }) => x.kind)).toEqual(['file', 'file', 'file']);
    const deps = Object.fromEntries(
      j.sources[0].dependencies.map((d: { requirement: string; package: string; arch: string; side: string }) => [
        d.requirement,
        `${d.package}:${d.arch} ${d.side}`,
      ]),
    );
    expect(deps).toEqual({
      'Build-Depends: debhelper-compat (= 13)': 'debhelper:all build',
      'Build-Depends: zlib1g-dev': 'zlib1g-dev:arm64 host',
      'Build-Depends: pkgconf': 'pkgconf:arm64 host',
      'Build-Depends: perl:native': 'perl:amd64 build',
      'implicit: build-essential:native': 'build-essential:amd64 build',
      'implicit: crossbuild-essential-arm64:native': 'crossbuild-essential-arm64:all build',
      'implicit: libc-dev:arm64': 'libc6-dev:arm64 host',
      'implicit: libstdc++-dev:arm64': 'libstdc++-12-dev:arm64 host',
    });
    expect(j.sources[0].dropped.map((d: { text: string }) => d.text)).toEqual(['nosuch-package [mips64el]', 'nosuch-either <!cross>']);
  });

  it('an unsatisfiable source is exit 1 with the reason, in text and JSON', () => {
    const text = runCli(['-a', 'arm64', '--list', ...repo, 'demo'], { bin: 'xdeb-satisfydepends' });
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/demo 2\.0-1 .*NOT satisfiable/);
    expect(text.stdout).toMatch(
      /✗ Build-Depends: r-base-dev .*\n\s+missing: r-base-dev for arm64: r-base-dev is Architecture: all without Multi-Arch: foreign, so it counts as amd64/,
    );
    const j = JSON.parse(runCli(['-a', 'arm64', '--list', '--json', ...repo, 'demo'], { bin: 'xdeb-satisfydepends' }).stdout);
    expect(j.sources[0].status).toBe('broken');
    expect(j.sources[0].failures[0].reasons[0].kind).toBe('missing');
    expect(j.summary).toMatchObject({ ok: 0, broken: 1 });
  });

  it('--all reports every source with a summary', () => {
    const r = runCli(['-a', 'arm64', '--all', ...repo], { bin: 'xdeb-satisfydepends' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^broken demo 2\.0-1 {2}Build-Depends: r-base-dev: /m);
    expect(r.stdout).toMatch(/checked 1 sources: 0 ok, 1 broken/);
    expect(r.stdout).toMatch(/top reasons of failure:\n\s+1 {2}r-base-dev is Architecture: all without Multi-Arch: foreign/);
  });
});

const canInstall = isRoot && hasArm64 && have('apt-get') && have('dpkg-checkbuilddeps');

describe.runIf(canInstall)('xdeb-satisfydepends: real installs (root, arm64 enabled)', () => {
  it('installs the cross build-dependencies of a source tree; dpkg-checkbuilddeps -a arm64 then passes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xdeb-zlib-user-'));
    cpSync(join(FIX, 'zlib-user'), dir, { recursive: true });
    removeInstalled('zlib1g-dev:arm64');
    expect(sh("dpkg-query -W -f '${Status}' zlib1g-dev:arm64").stdout).not.toMatch(/install ok installed/);
    expect(sh(`cd ${dir} && dpkg-checkbuilddeps -B -a arm64 -P cross,nocheck`).status).not.toBe(0);

    const r = runCli(['-a', 'arm64', '--disable-local-repo', dir], { bin: 'xdeb-satisfydepends', timeout: 600_000 });
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(sh("dpkg-query -W -f '${Status}' zlib1g-dev:arm64").stdout).toBe('install ok installed');
    const check = sh(`cd ${dir} && dpkg-checkbuilddeps -B -a arm64 -P cross,nocheck`);
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    // Asked again, there is nothing left to install.
    const again = runCli(['-a', 'arm64', '--disable-local-repo', '--verbose', dir], { bin: 'xdeb-satisfydepends' });
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/build-dependencies already installed/);
    rmSync(dir, { recursive: true, force: true });
  });
});

const canCross = canInstall && have('dpkg-cross') && have('aarch64-linux-gnu-gcc') && have('gcc');

describe.runIf(canCross)('xdeb-satisfydepends: the dpkg-cross fallback', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-old-lib-'));
  const repo = join(work, 'repo');
  afterAll(() => {
    removeInstalled('libxdebold-dev:amd64', 'libxdebold-dev-arm64-cross');
    rmSync(work, { recursive: true, force: true });
  });

  /** A library package without Multi-Arch, for both architectures, compiled here. */
  function oldLibDeb(arch: 'amd64' | 'arm64'): string {
    const triplet = arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
    const cc = arch === 'arm64' ? 'aarch64-linux-gnu-gcc' : 'gcc';
    const root = join(work, `pkg-${arch}`);
    const script = [
      `mkdir -p ${root}/DEBIAN ${root}/usr/lib/${triplet} ${root}/usr/include`,
      `echo 'int xdebold(void){return 42;}' > ${work}/x.c`,
      `${cc} -shared -fPIC -o ${root}/usr/lib/${triplet}/libxdebold.so.1 ${work}/x.c`,
      `ln -sf libxdebold.so.1 ${root}/usr/lib/${triplet}/libxdebold.so`,
      `echo 'int xdebold(void);' > ${root}/usr/include/xdebold.h`,
      `printf 'Package: libxdebold-dev\\nVersion: 1.0-1\\nArchitecture: ${arch}\\nMaintainer: xdeb <xdeb@example.org>\\nDepends: libc6 (>= 2.34)\\nDescription: a library that is not Multi-Arch ready\\n test fixture\\n' > ${root}/DEBIAN/control`,
      `dpkg-deb -b --root-owner-group ${root} ${work}/libxdebold-dev_1.0-1_${arch}.deb`,
    ].join(' && ');
    const r = sh(script);
    expect(r.status, r.stderr).toBe(0);
    return `${work}/libxdebold-dev_1.0-1_${arch}.deb`;
  }

  it('keeps the installed build-arch copy and installs the host one converted (NAME-arm64-cross)', () => {
    const debs = [oldLibDeb('amd64'), oldLibDeb('arm64')];
    const put = runCli(['--local-repo', repo, ...debs], { bin: 'xdeb-putresult' });
    expect(put.stderr).toBe('');
    expect(put.status).toBe(0);
    expect(sh(`apt-get -o DPkg::Lock::Timeout=600 install -y -q ${debs[0]} >/dev/null`).status).toBe(0);

    const list = runCli(['-a', 'arm64', '--list', '--json', '--local-repo', repo, join(FIX, 'old-lib-user')], {
      bin: 'xdeb-satisfydepends',
    });
    expect(list.status).toBe(0);
    const j = JSON.parse(list.stdout);
    expect(j.sources[0].dpkgCross).toEqual([{ name: 'libxdebold-dev', version: '1.0-1', arch: 'arm64' }]);
    expect(j.sources[0].warnings.join('\n')).not.toMatch(/removes libxdebold-dev:amd64/);

    const r = runCli(['-a', 'arm64', '--local-repo', repo, join(FIX, 'old-lib-user')], { bin: 'xdeb-satisfydepends', timeout: 600_000 });
    expect(r.stderr).toMatch(/installed through dpkg-cross: libxdebold-dev:arm64 → libxdebold-dev-arm64-cross/);
    expect(r.status).toBe(0);
    expect(sh("dpkg-query -W -f '${Status}' libxdebold-dev:amd64").stdout).toBe('install ok installed');
    expect(sh("dpkg-query -W -f '${Status}' libxdebold-dev-arm64-cross").stdout).toBe('install ok installed');
    expect(sh('dpkg -L libxdebold-dev-arm64-cross').stdout).toMatch(/\/usr\/aarch64-linux-gnu\/lib\/libxdebold\.so\.1/);
    expect(sh('file -L /usr/aarch64-linux-gnu/lib/libxdebold.so.1').stdout).toMatch(/ARM aarch64/);
  });
});
