// Pinning between the local repository and the others follows apt_preferences(5) (issue #8): a
// local build of xdebpin-data 1.0 wins over the 2.0 that a configured remote repository offers,
// by default; a preferences record turns it around. apt itself (apt-cache policy, with the local
// repository in its sources and xdeb's default record in its preferences) agrees in both cases.
// Then --local-config: the configuration's [repository] and preferences instead of apt's.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateApt } from '../../src/adapters/private-apt.js';
import { have, ROOT, runCli } from '../support/cli.js';
import { makeDeb } from '../support/debs.js';

const ready = process.getuid?.() === 0 && have('dpkg-buildpackage') && have('apt-ftparchive');

/** A file: repository with one suite 'remote' holding xdebpin-data 2.0. */
function remoteRepository(dir: string): void {
  mkdirSync(join(dir, 'pool'), { recursive: true });
  makeDeb(join(dir, 'pool'), { package: 'xdebpin-data', version: '2.0', arch: 'all', multiArch: 'foreign' });
  const bin = join(dir, 'dists/remote/main/binary-amd64');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'Packages'), execFileSync('apt-ftparchive', ['packages', 'pool'], { cwd: dir }));
  const fields = {
    Origin: 'Remote Archive',
    Label: 'Remote',
    Suite: 'remote',
    Codename: 'remote',
    Architectures: 'amd64',
    Components: 'main',
  };
  const opts = Object.entries(fields).flatMap(([k, v]) => ['-o', `APT::FTPArchive::Release::${k}=${v}`]);
  writeFileSync(join(dir, 'Release.tmp'), execFileSync('apt-ftparchive', [...opts, 'release', 'dists/remote'], { cwd: dir }));
  renameSync(join(dir, 'Release.tmp'), join(dir, 'dists/remote/Release'));
}

describe.runIf(ready)('pinning: the local build wins by default, and the user can turn it around', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-pin-'));
  const src = join(work, 'src');
  const repo = join(work, 'repo');
  const remote = join(work, 'remote');
  const consumer = join(work, 'consumer');
  let apt: PrivateApt;
  afterAll(() => {
    apt?.dispose();
    rmSync(work, { recursive: true, force: true });
  });
  beforeAll(async () => {
    cpSync(join(ROOT, 'fixtures/debian/xdebpin'), join(src, 'xdebpin'), { recursive: true });
    remoteRepository(remote);
    mkdirSync(join(consumer, 'debian'), { recursive: true });
    writeFileSync(
      join(consumer, 'debian/control'),
      'Source: xdebpin-user\nBuild-Depends: xdebpin-data\n\nPackage: xdebpin-user\nArchitecture: any\n',
    );
    writeFileSync(
      join(consumer, 'debian/changelog'),
      'xdebpin-user (1.0) unstable; urgency=medium\n\n  * test\n\n -- x <x@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n',
    );
    // apt's configuration for the rest of the test: only the remote repository (a private apt given by APT_CONFIG).
    apt = new PrivateApt({ buildArch: 'amd64', sources: [`deb [trusted=yes] file:${remote} remote main`] });
    await apt.update();
  });

  const chosen = (extraEnv: Record<string, string>, ...args: string[]) => {
    const r = runCli(['-a', 'amd64', '--implicit', 'none', '--list', '--json', '--local-repo', repo, ...args, consumer], {
      bin: 'xdeb-satisfydepends',
      env: { XDG_CONFIG_HOME: join(work, 'user'), XDEB_SYSTEM_CONFIG: join(work, 'none.cfg'), ...extraEnv },
    });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout).sources[0].install.find((p: { name: string }) => p.name === 'xdebpin-data').version as string;
  };
  /** apt's candidate with the local repository in its sources and xdeb's default record first in its preferences. */
  const aptCandidate = async (preferences: string) => {
    const a = new PrivateApt({
      buildArch: 'amd64',
      sources: [`deb [trusted=yes] file:${remote} remote main`, `deb [trusted=yes] file:${repo} full main`],
    });
    try {
      writeFileSync(join(a.dir, 'etc/preferences.d/user'), preferences);
      writeFileSync(
        join(a.dir, 'etc/preferences.d/zz-xdeb'),
        'Package: *\nPin: release o=xdeb, l=xdeb local repository\nPin-Priority: 990\n',
      );
      await a.update();
      return /Candidate: (\S+)/.exec((await a.run('apt-cache', ['policy', 'xdebpin-data'])).stdout)![1];
    } finally {
      a.dispose();
    }
  };

  it('builds xdebpin-data 1.0 into the local repository', () => {
    const r = runCli(['--local-repo', repo, '-a', 'amd64', 'xdebpin'], {
      bin: 'xdeb-build',
      cwd: src,
      env: { XDG_CONFIG_HOME: join(work, 'user') },
      timeout: 600_000,
    });
    expect(r.status, r.stderr).toBe(0);
  });

  it('by default the local 1.0 wins over the remote 2.0, as apt would choose', async () => {
    expect(chosen({ APT_CONFIG: apt.configFile })).toBe('1.0');
    expect(await aptCandidate('')).toBe('1.0');
    // Without the local repository, the remote one is all there is.
    expect(chosen({ APT_CONFIG: apt.configFile }, '--disable-local-repo')).toBe('2.0');
  });

  it("a record in apt's preferences turns it around, and apt agrees", async () => {
    const low = 'Package: *\nPin: release o=xdeb\nPin-Priority: 100\n';
    writeFileSync(join(apt.dir, 'etc/preferences.d/xdeb-local'), low);
    try {
      expect(chosen({ APT_CONFIG: apt.configFile })).toBe('2.0');
      expect(await aptCandidate(low)).toBe('2.0');
      // A specific pin beats the general ones: this version only, back to the local build.
      const specific = `${low}\nPackage: xdebpin-data\nPin: version 1.0\nPin-Priority: 995\n`;
      writeFileSync(join(apt.dir, 'etc/preferences.d/xdeb-local'), specific);
      expect(chosen({ APT_CONFIG: apt.configFile })).toBe('1.0');
      expect(await aptCandidate(specific)).toBe('1.0');
    } finally {
      rmSync(join(apt.dir, 'etc/preferences.d/xdeb-local'));
    }
  });

  it("--local-config: the file's [repository] and preferences, not apt's", () => {
    const cfg = join(work, 'local.cfg');
    writeFileSync(cfg, `[repository remote]\nurl = file:${remote}\nsuite = remote\n`);
    const empty = new PrivateApt({ buildArch: 'amd64', sources: [] });
    try {
      // apt here has no repository at all: the remote comes from the file.
      expect(chosen({ APT_CONFIG: empty.configFile }, '--local-config', cfg)).toBe('1.0');
      writeFileSync(join(work, 'prefs'), 'Package: *\nPin: release l=Remote\nPin-Priority: 995\n');
      writeFileSync(cfg, `preferences = prefs\n\n[repository remote]\nurl = file:${remote}\nsuite = remote\n`);
      expect(chosen({ APT_CONFIG: empty.configFile }, '--local-config', cfg)).toBe('2.0');
      writeFileSync(cfg, `[repository remote]\nurl = file:${remote}\nsuite = remote\npriority = 999\n`);
      expect(chosen({ APT_CONFIG: empty.configFile }, '--local-config', cfg)).toBe('2.0');
      // apt's own preferences do not count with --local-config.
      writeFileSync(join(empty.dir, 'etc/preferences.d/x'), 'Package: *\nPin: release o=xdeb\nPin-Priority: 1\n');
      writeFileSync(cfg, `[repository remote]\nurl = file:${remote}\nsuite = remote\n`);
      expect(chosen({ APT_CONFIG: empty.configFile }, '--local-config', cfg)).toBe('1.0');
    } finally {
      empty.dispose();
    }
  });

  it('bad preferences and repository sections name the file and line', () => {
    const cfg = join(work, 'bad.cfg');
    writeFileSync(cfg, `[repository remote]\nurl = file:${remote}\n`);
    const r = runCli(['-a', 'amd64', '--list', '--local-config', cfg, consumer], { bin: 'xdeb-satisfydepends' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${cfg}:1: [repository remote] has a url but no suite`);
    writeFileSync(join(apt.dir, 'etc/preferences.d/broken'), 'Package: *\nPin: release o=xdeb\nPin-Priority: lots\n');
    try {
      const b = runCli(['-a', 'amd64', '--list', '--local-repo', repo, consumer], {
        bin: 'xdeb-satisfydepends',
        env: { APT_CONFIG: apt.configFile },
      });
      expect(b.status).toBe(2);
      expect(b.stderr).toContain(`${join(apt.dir, 'etc/preferences.d/broken')}:3: Pin-Priority 'lots' is not a whole number`);
    } finally {
      rmSync(join(apt.dir, 'etc/preferences.d/broken'));
    }
  });
});
