// xdeb-build --binnmu N: a .dsc cross-built for arm64 as binNMU N — its packages' version +bN, the
// .changes' Source the source's own version, the entry in changelog[.Debian].arm64.gz (not the
// shared changelog), and the local repository's record with both versions. A tree is refused.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canCrossBuildArm64, runCli } from '../support/cli.js';
import { makeDsc, makeSource } from '../support/sources.js';

describe.runIf(canCrossBuildArm64())('xdeb-build --binnmu', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-binnmu-'));
  const repo = join(work, 'repo');
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('a .dsc built as binNMU 2: version 1.0+b2, Source 1.0, published with both', () => {
    const dsc = makeDsc(work, 'xdebnmu');
    const out = join(work, 'out');
    spawnSync('mkdir', ['-p', out]);
    const r = runCli(['--local-repo', repo, '-a', 'arm64', '--binnmu', '2', '--output-dir', out, dsc], {
      bin: 'xdeb-build',
      timeout: 600_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const deb = join(out, 'xdebnmu_1.0+b2_arm64.deb');
    expect(spawnSync('dpkg-deb', ['--field', deb, 'Version'], { encoding: 'utf8' }).stdout.trim()).toBe('1.0+b2');
    expect(spawnSync('dpkg-deb', ['--field', deb, 'Source'], { encoding: 'utf8' }).stdout.trim()).toBe('xdebnmu (1.0)');
    const changes = readFileSync(
      join(
        out,
        readdirSync(out).find((f) => f.endsWith('.changes'))!,
      ),
      'utf8',
    );
    expect(changes).toMatch(/^Version: 1\.0\+b2$/m);
    expect(changes).toMatch(/^Source: xdebnmu \(1\.0\)$/m);
    const files = spawnSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' }).stdout;
    // A native source's changelog is changelog.gz, and its binNMU entry goes beside it, per architecture.
    expect(files).toMatch(/\.\/usr\/share\/doc\/xdebnmu\/changelog(\.Debian)?\.arm64\.gz\n/);
    const rec = JSON.parse(readFileSync(join(repo, 'xdeb/builds.json'), 'utf8')).builds[0];
    expect(rec).toMatchObject({ source: 'xdebnmu', version: '1.0+b2', sourceVersion: '1.0', suite: 'full' });
  }, 600_000);

  it('a tree is not changed: refused, exit 2; a bad number too', () => {
    const tree = makeSource(join(work, 't'), 'xdebnmu2');
    const r = runCli(['--local-repo', repo, '-a', 'arm64', '--binnmu', '1', tree], { bin: 'xdeb-build' });
    expect(r.stderr).toMatch(/a binNMU \(--binnmu\) is built from a \.dsc or a source by name: the given tree is not changed/);
    expect(r.status).toBe(2);
    const z = runCli(['--local-repo', repo, '-a', 'arm64', '--binnmu', '0', tree], { bin: 'xdeb-build' });
    expect(z.stderr).toMatch(/--binnmu must be a positive number, not 0/);
    expect(z.status).toBe(2);
  });
});
