// xdeb-runbuild end to end: real cross builds of the fixtures in fixtures/debian/ (in temporary
// copies), published with xdeb-putresult and read by a private apt.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkElfArch } from '../../src/adapters/deb-contents.js';
import { readElfHeader } from '../../src/lib/elf.js';
import { ROOT, runCli } from '../support/cli.js';
import { aptView, builds } from '../support/repo-check.js';

const dir = mkdtempSync(join(tmpdir(), 'xdeb-runbuild-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;
const env = { XDEB_SYSTEM_CONFIG: '/nonexistent', XDG_CONFIG_HOME: dir, XDEB_HOST_ARCH: '' };

const runbuild = (args: string[], cwd = dir) => runCli(args, { bin: 'xdeb-runbuild', env, cwd, timeout: 300_000 });
const putresult = (args: string[]) => runCli(args, { bin: 'xdeb-putresult', env, timeout: 120_000 });

let n = 0;
/** A temporary copy of a fixture, in a directory of its own (results land beside it). */
function fixture(name: string, edit?: (tree: string) => void): string {
  const parent = join(dir, `f${++n}`);
  mkdirSync(parent);
  cpSync(join(ROOT, 'fixtures/debian', name), join(parent, name), { recursive: true });
  edit?.(join(parent, name));
  return join(parent, name);
}

function installed(pkg: string): boolean {
  return spawnSync('dpkg-query', ['-W', '-f', '${Status}', pkg], { encoding: 'utf8' }).stdout === 'install ok installed';
}

/** The host-arch C library a cross build needs (design §8: apt build-dep does not install it). */
function crossReady(): boolean {
  if (installed('libc6-dev:arm64') && installed('crossbuild-essential-arm64')) return true;
  if (!isRoot) return false;
  const r = spawnSync(
    'apt-get',
    ['install', '-y', '-q', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', 'libc6-dev:arm64', 'crossbuild-essential-arm64'],
    {
      encoding: 'utf8',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    },
  );
  return r.status === 0;
}
const canCross = crossReady();

/**
 * The host's dpkg status without any xdebdemo package, for simulations: other tests (and other
 * engineers' work) may have installed the fixtures on this machine.
 */
function hostStatusWithoutFixtures(): string {
  const file = join(dir, 'status-without-fixtures');
  const paras = readFileSync('/var/lib/dpkg/status', 'utf8').split(/\n\n+/);
  writeFileSync(file, paras.filter((p) => !/^Package: \S*xdebdemo/m.test(p)).join('\n\n') + '\n');
  return file;
}

const field = (deb: string, f: string) => execFileSync('dpkg-deb', ['-f', deb, f], { encoding: 'utf8' }).trim();

describe.skipIf(!canCross)('cross builds of the fixtures', () => {
  it('cross-builds libxdebdemo for arm64, and putresult makes it installable with apt', () => {
    const tree = fixture('libxdebdemo');
    const parent = join(tree, '..');
    const t0 = Date.now();
    const r = runbuild(['-a', 'arm64', tree]);
    const seconds = (Date.now() - t0) / 1000;
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${parent}/libxdebdemo_1.0_arm64.changes\n`);
    process.stderr.write(`libxdebdemo cross build: ${seconds.toFixed(1)} s\n`);

    const changes = readFileSync(join(parent, 'libxdebdemo_1.0_arm64.changes'), 'utf8');
    expect(changes).toMatch(/^Built-For-Profiles: cross nocheck$/m);
    for (const pkg of ['libxdebdemo1', 'libxdebdemo-dev']) {
      const deb = join(parent, `${pkg}_1.0_arm64.deb`);
      expect(field(deb, 'Architecture')).toBe('arm64');
      expect(field(deb, 'Multi-Arch')).toBe('same');
    }
    // The library is an AArch64 shared object: dpkg-deb and readelf as the reference.
    const x = join(parent, 'x');
    execFileSync('dpkg-deb', ['-x', join(parent, 'libxdebdemo1_1.0_arm64.deb'), x]);
    const so = join(x, 'usr/lib/aarch64-linux-gnu/libxdebdemo.so.1');
    expect(readElfHeader(readFileSync(so))).toMatchObject({ bits: 64, endian: 'little', machine: 183, type: 3 });
    expect(execFileSync('readelf', ['-h', so], { encoding: 'utf8' })).toMatch(/Machine:\s+AArch64/);
    expect(execFileSync('readelf', ['-d', so], { encoding: 'utf8' })).toMatch(/SONAME.*libxdebdemo\.so\.1/);

    // The log: architectures and profiles at its head, the verdict at its end.
    const log = readFileSync(join(parent, 'libxdebdemo_1.0_arm64.build'), 'utf8');
    expect(log).toMatch(/^Build Architecture: amd64$/m);
    expect(log).toMatch(/^Host Architecture: arm64$/m);
    expect(log).toMatch(/^Build Profiles: cross nocheck$/m);
    expect(log).toMatch(/^DEB_BUILD_OPTIONS: .*nocheck/m);
    expect(log.indexOf('Host Architecture')).toBeLessThan(log.indexOf('dpkg-buildpackage: info'));
    expect(log).toMatch(/aarch64-linux-gnu-gcc/);
    expect(log).toMatch(/^ELF check: 2 ELF file\(s\) in 3 package\(s\), 0 not for arm64$/m);
    expect(log).toMatch(/\nStatus: successful\n$/);

    const repo = join(dir, 'repo-lib');
    const t1 = Date.now();
    const p = putresult(['--local-repo', repo, r.stdout.trim()]);
    expect(p.status, p.stderr).toBe(0);
    process.stderr.write(`putresult of libxdebdemo: ${((Date.now() - t1) / 1000).toFixed(1)} s\n`);
    expect(builds(repo)[0]).toMatchObject({ source: 'libxdebdemo', version: '1.0', suite: 'full', profiles: ['cross', 'nocheck'] });

    // A private apt that sees the host's installed packages (libc6:arm64) but none of its sources.
    const v = aptView(repo, ['full'], { status: hostStatusWithoutFixtures() });
    try {
      expect(v.ok, v.output).toBe(true);
      const s = v.apt.run(['install', '-s', 'libxdebdemo-dev:arm64']);
      expect(s.status, s.stderr).toBe(0);
      expect(s.stdout).toMatch(/^Inst libxdebdemo1:arm64 \(1\.0 .*\[arm64\]\)$/m);
      expect(s.stdout).toMatch(/^Inst libxdebdemo-dev:arm64 \(1\.0 .*\[arm64\]\)$/m);
    } finally {
      v.cleanup();
    }
  });

  it('a .dsc is unpacked and built, results in the output directory', () => {
    const tree = fixture('libxdebdemo');
    const parent = join(tree, '..');
    execFileSync('dpkg-source', ['-b', 'libxdebdemo'], { cwd: parent, stdio: 'ignore' });
    rmSync(tree, { recursive: true });
    const out = join(parent, 'out');
    mkdirSync(out);
    const r = runbuild(['-a', 'arm64', '-P', 'cross,nocheck,stage1', '-o', out, join(parent, 'libxdebdemo_1.0.dsc')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${out}/libxdebdemo_1.0_arm64.changes\n`);
    expect(readdirSync(out).sort()).toEqual([
      'libxdebdemo-dev_1.0_arm64.deb',
      'libxdebdemo1-dbgsym_1.0_arm64.deb',
      'libxdebdemo1_1.0_arm64.deb',
      'libxdebdemo_1.0_arm64.build',
      'libxdebdemo_1.0_arm64.buildinfo',
      'libxdebdemo_1.0_arm64.changes',
    ]);
    expect(readFileSync(join(out, 'libxdebdemo_1.0_arm64.changes'), 'utf8')).toMatch(/^Built-For-Profiles: cross nocheck stage1$/m);
    // The stage1 library says so (the fixture's debian/rules), so it differs from a full build's.
    expect(
      execFileSync('dpkg-deb', ['--fsys-tarfile', join(out, 'libxdebdemo1_1.0_arm64.deb')]).includes(Buffer.from('arm64, stage1')),
    ).toBe(true);
    // putresult puts it into the staged suite, from Built-For-Profiles.
    const repo = join(dir, 'repo-stage');
    const p = putresult(['--local-repo', repo, r.stdout.trim()]);
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout).toBe(`deb [trusted=yes] file:${repo} staged-stage1 main\n`);
  });

  it('a build that fails exits 1, with the log saying so', () => {
    const tree = fixture('xdebdemo-broken');
    const r = runbuild(['-a', 'arm64', tree]);
    expect(r.status).toBe(1);
    const log = join(tree, '..', 'xdebdemo-broken_1.0_arm64.build');
    expect(r.stderr).toContain(
      `xdeb-runbuild: error: xdebdemo-broken 1.0 (arm64): the build failed (dpkg-buildpackage exit status 2); log: ${log}`,
    );
    expect(r.stderr).toMatch(/undeclared_on_purpose/);
    expect(r.stdout).toBe('');
    expect(readFileSync(log, 'utf8')).toMatch(/\nFail-Reason: dpkg-buildpackage exit status 2\nStatus: failed\n$/);
  });

  it("--log in a directory that does not exist yet: it is made (xdeb-build's --log-dir too)", () => {
    const tree = fixture('xdebdemo-broken');
    const log = join(tree, '..', 'logs-not-there', 'deeper', 'broken.build');
    const r = runbuild(['-a', 'arm64', '--log', log, tree]);
    expect(r.status).toBe(1);
    expect(readFileSync(log, 'utf8')).toMatch(/\nStatus: failed\n$/);
  });

  it('a build-arch binary in a host-arch package fails loudly, naming the package and the file', async () => {
    const tree = fixture('xdebdemo-smuggle');
    // With -o the results are moved out of the tree's parent, the log written there.
    const out = join(tree, '..', 'out');
    mkdirSync(out);
    const r = runbuild(['-a', 'arm64', '-o', out, tree]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /xdeb-runbuild: error: xdebdemo-smuggle 1\.0 \(arm64\): 1 ELF file\(s\) in the built packages are not for arm64; log: /,
    );
    expect(r.stderr).toContain('xdebdemo-smuggle_1.0_arm64.deb: /usr/bin/xdebdemo-helper is ELF 64-bit LSB x86-64 (for amd64), not arm64');
    expect(r.stdout).toBe('');
    expect(readdirSync(out).sort()).toEqual([
      'xdebdemo-smuggle_1.0_arm64.build',
      'xdebdemo-smuggle_1.0_arm64.buildinfo',
      'xdebdemo-smuggle_1.0_arm64.changes',
      'xdebdemo-smuggle_1.0_arm64.deb',
    ]);
    expect(r.stderr).toContain(`the results are left in ${out}; do not publish them`);
    const log = readFileSync(join(out, 'xdebdemo-smuggle_1.0_arm64.build'), 'utf8');
    expect(log).toMatch(/ELF check: 1 ELF file\(s\) in 1 package\(s\), 1 not for arm64/);
    expect(log).toMatch(/Status: failed\n$/);
    // The same package passes when that path is allowed, and the check is right for amd64.
    const deb = join(out, 'xdebdemo-smuggle_1.0_arm64.deb');
    expect((await checkElfArch([deb], 'arm64', ['/usr/bin/xdebdemo-helper'])).mismatches).toEqual([]);
    expect((await checkElfArch([deb], 'amd64')).mismatches).toEqual([]);
  });

  it('SIGTERM is passed on to the build, and the exit status is 130', async () => {
    const tree = fixture('libxdebdemo');
    const child = spawn(process.execPath, [`${ROOT}/bin/xdeb-runbuild.js`, '--verbose', '-a', 'arm64', tree], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const started = new Promise<void>((resolve) =>
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
        if (stderr.includes('dpkg-buildpackage: info: source package')) resolve();
      }),
    );
    const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await started;
    child.kill('SIGTERM');
    expect(await done).toBe(130);
    expect(stderr).toMatch(/the build was interrupted \(SIGTERM\)/);
    expect(readFileSync(join(tree, '..', 'libxdebdemo_1.0_arm64.build'), 'utf8')).toMatch(
      /Fail-Reason: interrupted by SIGTERM\nStatus: attempted\n$/,
    );
    expect(existsSync(join(tree, '..', 'libxdebdemo_1.0_arm64.changes'))).toBe(false);
  });

  it('missing build-dependencies exit 3 before building', () => {
    const tree = fixture('libxdebdemo', (t) => {
      const c = join(t, 'debian/control');
      writeFileSync(
        c,
        readFileSync(c, 'utf8').replace(
          'Build-Depends: debhelper-compat (= 13)',
          'Build-Depends: debhelper-compat (= 13), xdeb-no-such-package (>= 9)',
        ),
      );
    });
    const r = runbuild(['-a', 'arm64', tree]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      /libxdebdemo 1\.0: build-dependencies are not installed for arm64: Unmet build dependencies: xdeb-no-such-package \(>= 9\)/,
    );
    expect(r.stderr).toMatch(/xdeb-satisfydepends -a arm64 -P cross,nocheck/);
    expect(existsSync(join(tree, '..', 'libxdebdemo_1.0_arm64.build'))).toBe(false);
  });
});

describe('the fixture packages', () => {
  const names = readdirSync(join(ROOT, 'fixtures/debian'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  it('include the five these tests build (others are free to add theirs)', () => {
    for (const n of ['libxdebdemo', 'xdebdemo-broken', 'xdebdemo-prog', 'xdebdemo-smuggle', 'xdebdemo-tool']) expect(names).toContain(n);
  });
  it.each(names)('%s: dpkg-source -b makes a valid source package', (name) => {
    const tree = fixture(name);
    const r = spawnSync('dpkg-source', ['-b', name], { cwd: join(tree, '..'), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const dsc = readFileSync(join(tree, '..', `${name}_1.0.dsc`), 'utf8');
    expect(dsc).toMatch(new RegExp(`^Source: ${name}$`, 'm'));
    expect(dsc).toMatch(/^Build-Depends: debhelper-compat \(= 13\)/m);
  });
  it('declare the Multi-Arch values the chain relies on', () => {
    const control = (n: string) => readFileSync(join(ROOT, 'fixtures/debian', n, 'debian/control'), 'utf8');
    expect(control('libxdebdemo')).toMatch(/Package: libxdebdemo1\nArchitecture: any\nMulti-Arch: same/);
    expect(control('libxdebdemo')).toMatch(/Package: libxdebdemo-dev\n(?:.*\n)?Architecture: any\nMulti-Arch: same/);
    expect(control('xdebdemo-tool')).toMatch(/Package: xdebdemo-tool\nArchitecture: any\nMulti-Arch: foreign/);
    expect(control('xdebdemo-prog')).toMatch(/^Build-Depends: debhelper-compat \(= 13\), libxdebdemo-dev, xdebdemo-tool, perl:native$/m);
  });
});

describe('bad invocations exit 2', () => {
  it.each([
    [['-a', 'arm64', '/nonexistent/tree'], /\/nonexistent\/tree: not a source tree nor a \.dsc/],
    [['-a', 'arm64', '.'], /not a source tree: it has no debian\/ directory/],
    [['-a', 'nosucharch', '.'], /'nosucharch' is not a known Debian architecture/],
    [['--build', 'everything', '.'], /everything/],
    [['-a', 'arm64', '-o', '/nonexistent/out', '/nonexistent/x.dsc'], /\/nonexistent\/x\.dsc: no such file/],
  ])('%j', (args, why) => {
    const r = runbuild(args as string[]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(why as RegExp);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a .dsc with a traversal name, naming the line', () => {
    const d = join(dir, 'baddsc');
    mkdirSync(d);
    const dsc = join(d, 'xy_1.0.dsc');
    writeFileSync(
      dsc,
      'Format: 3.0 (native)\nSource: xy\nVersion: 1.0\nChecksums-Sha256:\n ' +
        'a'.repeat(64) +
        ' 10 ../../x_1.0.tar.xz\nFiles:\n ' +
        'b'.repeat(32) +
        ' 10 ../../x_1.0.tar.xz\n',
    );
    const r = runbuild(['-a', 'arm64', '-o', d, dsc]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${dsc}:7: '../../x_1.0.tar.xz' is not a plain file name`);
  });
});

// The chain the fixtures exist for: xdebdemo-prog needs the library for arm64 and the tool for
// amd64, both built here and published locally first. Installing them changes the host's dpkg
// database (as a build machine's build-dependencies do); what this test installs it removes.
describe.skipIf(!canCross || !isRoot)('the fixture chain: tool and library first, then the program', () => {
  const repo = join(dir, 'repo-chain');
  const ours = ['xdebdemo-tool', 'libxdebdemo-dev:arm64', 'libxdebdemo1:arm64'].filter((p) => !installed(p));
  afterAll(async () => {
    // Best effort, one package at a time (another package on the machine may depend on one), and
    // waiting while someone else holds dpkg's lock.
    for (const pkg of ours) {
      for (let i = 0; i < 120 && installed(pkg); i++) {
        const r = spawnSync('dpkg', ['--purge', pkg], { encoding: 'utf8' });
        if (r.status === 0 || !/lock/i.test(r.stderr)) break;
        await new Promise((res) => setTimeout(res, 1000));
      }
    }
  }, 150_000);

  beforeAll(() => {
    for (const [name, args] of [
      ['xdebdemo-tool', []],
      ['libxdebdemo', ['-a', 'arm64']],
    ] as const) {
      const r = runbuild([...args, fixture(name)]);
      expect(r.status, r.stderr).toBe(0);
      const p = putresult(['--local-repo', repo, r.stdout.trim()]);
      expect(p.status, p.stderr).toBe(0);
    }
  }, 300_000);

  it('builds xdebdemo-prog for arm64 against what the local repository holds', () => {
    const tree = fixture('xdebdemo-prog');
    if (ours.length === 3) {
      // Nothing installed yet: the build refuses, as it should.
      expect(runbuild(['-a', 'arm64', tree]).status).toBe(3);
    }
    // Install the build-dependencies from the local repository only, with apt.
    const v = aptView(repo, ['full'], { status: '/var/lib/dpkg/status' });
    try {
      expect(v.ok, v.output).toBe(true);
      const i = v.apt.run(['install', '-y', '--no-install-recommends', 'libxdebdemo-dev:arm64', 'xdebdemo-tool']);
      expect(i.status, i.stdout + i.stderr).toBe(0);
    } finally {
      v.cleanup();
    }
    expect(installed('libxdebdemo-dev:arm64')).toBe(true);
    expect(installed('xdebdemo-tool:amd64')).toBe(true);

    const r = runbuild(['-a', 'arm64', tree]);
    expect(r.status, r.stderr).toBe(0);
    const deb = join(tree, '..', 'xdebdemo_1.0_arm64.deb');
    expect(field(deb, 'Architecture')).toBe('arm64');
    expect(field(deb, 'Depends')).toMatch(/libxdebdemo1 \(>= 1\.0\)/);
    const log = readFileSync(join(tree, '..', 'xdebdemo-prog_1.0_arm64.build'), 'utf8');
    expect(log).toMatch(/^xdebdemo-gen motto /m);
    // The program and its detached debug symbols (also ELF, in the -dbgsym package).
    expect(log).toMatch(/^ELF check: 2 ELF file\(s\) in 2 package\(s\), 0 not for arm64$/m);

    const p = putresult(['--local-repo', repo, r.stdout.trim()]);
    expect(p.status, p.stderr).toBe(0);
    expect(builds(repo).map((b) => `${b.source} ${b.suite}`)).toEqual(['xdebdemo-tool full', 'libxdebdemo full', 'xdebdemo-prog full']);
    const w = aptView(repo, ['full'], { status: hostStatusWithoutFixtures() });
    try {
      expect(w.ok, w.output).toBe(true);
      const s = w.apt.run(['install', '-s', 'xdebdemo:arm64']);
      expect(s.status, s.stderr).toBe(0);
      expect(s.stdout).toMatch(/^Inst xdebdemo:arm64 \(1\.0 .*\[arm64\]\)$/m);
    } finally {
      w.cleanup();
    }
  });
});
