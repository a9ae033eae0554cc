// xdeb-build end to end (issue #4): the library fixture for arm64, the tool natively, then the
// program for arm64 resolving both from the local repository; the results are arm64, and apt
// installs the program from the repository. Root and arm64 as a foreign architecture needed.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PrivateApt } from '../../src/adapters/private-apt.js';
import { canCrossBuildArm64, elfMachine, removeInstalled, ROOT, runCli } from '../support/cli.js';

const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
const ready = canCrossBuildArm64();

describe.runIf(ready)('xdeb-build: a library, a tool and a program, through the local repository', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-build-'));
  const src = join(work, 'src');
  const repo = join(work, 'repo');
  cpSync(join(ROOT, 'fixtures/debian'), src, { recursive: true });
  afterAll(() => {
    removeInstalled('xdebdemo:arm64', 'libxdebdemo-dev:arm64', 'libxdebdemo1:arm64', 'xdebdemo-tool');
    rmSync(work, { recursive: true, force: true });
  });
  const build = (...args: string[]) => runCli(['--local-repo', repo, ...args], { bin: 'xdeb-build', cwd: src, timeout: 900_000 });

  it('the program cannot be built before the library and the tool are published', () => {
    removeInstalled('xdebdemo:arm64', 'libxdebdemo-dev:arm64', 'libxdebdemo1:arm64', 'xdebdemo-tool');
    const r = build('-a', 'arm64', 'xdebdemo-prog');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/xdebdemo-prog: satisfydepends: the build-dependencies of xdebdemo-prog 1\.0 cannot be satisfied/);
    expect(r.stderr).toMatch(/✗ Build-Depends: libxdebdemo-dev/);
  });

  it('builds the library (arm64), the tool (amd64), then the program (arm64) against them', () => {
    const lib = build('-a', 'arm64', '--json', 'libxdebdemo');
    expect(lib.stderr).toBe('');
    expect(lib.status).toBe(0);
    const libOut = JSON.parse(lib.stdout).builds[0];
    expect(libOut).toMatchObject({
      source: 'libxdebdemo',
      version: '1.0',
      hostArch: 'arm64',
      profiles: ['cross', 'nocheck'],
      suite: 'full',
    });

    expect(build('-a', 'amd64', 'xdebdemo-tool').status).toBe(0);

    // Nothing of the library or the tool installed: the program's build must fetch both from the repository.
    removeInstalled('xdebdemo:arm64', 'libxdebdemo-dev:arm64', 'libxdebdemo1:arm64', 'xdebdemo-tool');
    expect(sh("dpkg-query -W -f '${Status}' xdebdemo-tool").stdout).not.toMatch(/install ok installed/);
    const prog = build('-a', 'arm64', '--json', '--verbose', 'xdebdemo-prog');
    expect(prog.status).toBe(0);
    // Both build-dependencies came from the local repository, by path.
    expect(prog.stderr).toMatch(/apt-get install .*\/pool\/full\/libx\/libxdebdemo\/libxdebdemo-dev_1\.0_arm64\.deb/);
    expect(prog.stderr).toMatch(/apt-get install .*\/pool\/full\/x\/xdebdemo-tool\/xdebdemo-tool_1\.0_amd64\.deb/);
    const out = JSON.parse(prog.stdout).builds[0];
    expect(out.changes).toMatch(/xdebdemo-prog_1\.0_arm64\.changes$/);

    const deb = join(src, 'xdebdemo_1.0_arm64.deb');
    expect(sh(`dpkg-deb --field ${deb} Architecture`).stdout.trim()).toBe('arm64');
    const x = join(work, 'x');
    expect(sh(`dpkg-deb -x ${deb} ${x}`).status).toBe(0);
    const bin = readdirSync(join(x, 'usr/bin'))[0]!;
    expect(elfMachine(join(x, 'usr/bin', bin))).toBe(183);
  });

  it('apt installs the program for arm64 from the repository', async () => {
    const apt = new PrivateApt({
      buildArch: 'amd64',
      foreignArchs: ['arm64'],
      sources: [`deb [trusted=yes] file:${repo} full main`],
      status: 'host',
    });
    try {
      await apt.update();
      const policy = await apt.run('apt-cache', ['policy', 'xdebdemo:arm64']);
      expect(policy.stdout).toMatch(new RegExp(`file:${repo} full/main arm64 Packages`));
      // The private apt reads the host's dpkg state and installs through the host's dpkg, for real.
      removeInstalled('xdebdemo:arm64', 'libxdebdemo1:arm64');
      const r = await apt.run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-q', 'xdebdemo:arm64']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Unpacking xdebdemo:arm64 \(1\.0\)/);
      expect(r.stdout).toMatch(/Unpacking libxdebdemo1:arm64 \(1\.0\)/);
      expect(sh("dpkg-query -W -f '${Status}' xdebdemo:arm64").stdout).toBe('install ok installed');
    } finally {
      apt.dispose();
    }
  });
});
