// xdeb compare-builds and xdeb-build --compare on real builds: the xdebcompare fixture cross-built
// twice for arm64 compares equivalent; bad input (a .changes whose file is missing or fails its
// checksum, builds of two sources or two architectures) is exit 2 naming it; --compare archive for
// a source the archive does not have says so. (Cross against native, in an emulated chroot, is in
// chroot.test.ts, which has one.)
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canCrossBuildArm64, ROOT, runCli } from '../support/cli.js';

const FIXTURES = join(ROOT, 'fixtures/debian');

describe.runIf(canCrossBuildArm64())('xdeb compare-builds on real builds', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-compare-'));
  const changes = (dir: string) =>
    join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.changes'))!,
    );
  const build = (name: string, out: string, args: string[] = ['-a', 'arm64']) => {
    const src = join(work, `src-${out}`);
    cpSync(join(FIXTURES, name), src, { recursive: true });
    mkdirSync(join(work, out));
    const r = runCli([...args, '--no-publish', '--output-dir', join(work, out), src], { bin: 'xdeb-build', timeout: 900_000 });
    expect(r.status, r.stderr).toBe(0);
    return join(work, out);
  };
  const compare = (...args: string[]) => runCli(['compare-builds', ...args], { timeout: 120_000 });
  let one: string, two: string, demo: string, native: string;
  beforeAll(() => {
    one = build('xdebcompare', 'one');
    two = build('xdebcompare', 'two');
    demo = build('libxdebdemo', 'demo');
    native = build('xdebcompare', 'native', []);
  }, 1_800_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('two builds of the same source: equivalent, exit 0; as .changes or as directories of .debs', () => {
    const r = compare(changes(one), changes(two));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^xdebcompare \(arm64\): A .* \(1 package\), B .* \(1\); debug packages not compared: libxdebcompare1-dbgsym\nequivalent: 1 package compared, no difference\n$/,
    );
    const dirs = compare('--json', one, two);
    expect(dirs.status).toBe(0);
    expect(JSON.parse(dirs.stdout)).toMatchObject({
      source: 'xdebcompare',
      arch: 'arm64',
      compared: ['libxdebcompare1'],
      differences: [],
      equivalent: true,
    });
  });

  it('a doctored build: its library without the function, told as symbol-set naming it (exit 1)', () => {
    // The cross build's package with its library compiled again here with the probe, as the fixture's native build has it.
    const x = join(work, 'doctored');
    spawnSync('dpkg-deb', ['-R', join(one, 'libxdebcompare1_1.0_arm64.deb'), x]);
    const so = join(x, 'usr/lib/aarch64-linux-gnu/libxdebcompare.so.1');
    const cc = spawnSync(
      'aarch64-linux-gnu-gcc',
      [
        '-O2',
        '-fPIC',
        '-shared',
        '-DXDEBCOMPARE_RUNTIME_PROBE',
        '-Wl,-soname,libxdebcompare.so.1',
        '-o',
        so,
        join(FIXTURES, 'xdebcompare/src/xdebcompare.c'),
      ],
      { encoding: 'utf8' },
    );
    expect(cc.status, cc.stderr).toBe(0);
    chmodSync(so, 0o644);
    mkdirSync(join(work, 'doctored-debs'));
    expect(spawnSync('dpkg-deb', ['-b', x, join(work, 'doctored-debs/libxdebcompare1_1.0_arm64.deb')]).status).toBe(0);
    const r = compare(one, join(work, 'doctored-debs'));
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout, r.stdout).toMatch(/^different: .*symbol-set 1/m);
    expect(r.stdout).toContain(
      'symbol-set: libxdebcompare1: /usr/lib/aarch64-linux-gnu/libxdebcompare.so.1: exported symbols +xdebcompare_runtime_probe',
    );
  });

  it('a .changes whose file is missing, or fails its checksum: exit 2 naming it', () => {
    const bad = join(work, 'bad');
    cpSync(one, bad, { recursive: true });
    appendFileSync(join(bad, 'libxdebcompare1_1.0_arm64.deb'), 'x');
    const sum = compare(changes(bad), changes(two));
    expect(sum.status).toBe(2);
    expect(sum.stderr).toMatch(
      new RegExp(`^xdeb compare-builds: error: ${changes(bad).replace(/[.+]/g, '\\$&')}: its files do not match their checksums\n`),
    );
    rmSync(join(bad, 'libxdebcompare1_1.0_arm64.deb'));
    const gone = compare(changes(bad), changes(two));
    expect(gone.status).toBe(2);
    expect(gone.stderr).toMatch(/'libxdebcompare1_1\.0_arm64\.deb' is listed but cannot be read in .*: no such file/);
  });

  it('builds of two sources, or of two architectures: exit 2 saying so', () => {
    const src = compare(changes(one), changes(demo));
    expect(src.status).toBe(2);
    expect(src.stderr).toMatch(/is a build of xdebcompare, .* of libxdebdemo: compare two builds of one source\n$/);
    const arch = compare(changes(one), changes(native));
    expect(arch.status).toBe(2);
    expect(arch.stderr).toMatch(/is for arm64, .* for amd64: compare two builds for one architecture\n$/);
    const none = compare(join(work, 'nothing-here'), one);
    expect(none.status).toBe(2);
  });

  it('xdeb-build --compare archive for a source the archive does not have: exit 2, saying what is missing', () => {
    const src = join(work, 'src-archive');
    cpSync(join(FIXTURES, 'xdebcompare'), src, { recursive: true });
    const r = runCli(['-a', 'arm64', '--no-publish', '--compare', 'archive', src], { bin: 'xdeb-build', timeout: 900_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/the repositories in use do not have libxdebcompare1/);
  });
});
