// --drop-build-depends end to end: a source whose Build-Depends names a package no repository has cannot be satisfied nor built, and
// can be with that package dropped: xdeb-satisfydepends --list says ok, and xdeb-build builds it natively with dpkg-buildpackage -d.
// Against what is installed only (debhelper and build-essential): nothing is installed, no repository is read.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { have, runCli } from '../support/cli.js';
import { makeSource } from '../support/sources.js';

const MISSING = 'xdeb-no-such-package';
// scripts/install-deps installs these; the check is for running this file by hand elsewhere.
const ready = have('dpkg-buildpackage') && have('dh') && have('cc');

describe.runIf(ready)('--drop-build-depends: satisfy and build without a build-dependency', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-drop-'));
  const out = join(work, 'out');
  mkdirSync(out);
  const tree = makeSource(join(work, 'src'), 'xdebdrop', { buildDepends: `${MISSING} (>= 1.0), ${MISSING} | dpkg-dev` });
  const env = {
    XDEB_SYSTEM_CONFIG: join(work, 'none.cfg'),
    XDG_CONFIG_HOME: join(work, 'config'),
    XDEB_LOCAL_REPO: join(work, 'repo'),
    XDEB_HOST_ARCH: '',
  };
  const offline = ['--disable-remote-repo', '--disable-local-repo'];
  const run = (bin: string, args: string[]) => runCli([...offline, ...args], { bin, env, cwd: work, timeout: 600_000 });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('xdeb-satisfydepends --list: broken without the flag, ok with it, the dropped relation shown with --explain', () => {
    const without = run('xdeb-satisfydepends', ['--list', tree]);
    expect(without.status, without.stderr).toBe(1);
    expect(without.stdout).toMatch(new RegExp(`✗ Build-Depends: ${MISSING} \\(>= 1\\.0\\)`));

    const dropped = run('xdeb-satisfydepends', ['--list', '--explain', '--drop-build-depends', MISSING, tree]);
    expect(dropped.status, dropped.stderr + dropped.stdout).toBe(0);
    expect(dropped.stdout).toContain(`Build-Depends: ${MISSING} (>= 1.0) (dropped: ${MISSING})`);
    // The second relation loses its first alternative and keeps the other.
    expect(without.stdout).toContain(`Build-Depends: ${MISSING} | dpkg-dev`);
    expect(dropped.stdout).toMatch(/Build-Depends: dpkg-dev +build/);
    expect(dropped.stdout).not.toContain(`${MISSING} | dpkg-dev`);
    expect(dropped.stdout).not.toMatch(/✗/);
  });

  it('a name that is no package name: exit 2, naming the flag', () => {
    const r = run('xdeb-satisfydepends', ['--list', '--drop-build-depends', `${MISSING},Not_A_Name`, tree]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--drop-build-depends: 'Not_A_Name' is not a binary package name");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('xdeb-build --no-publish: stops at satisfydepends without the flag, builds with it (dpkg-buildpackage -d)', () => {
    const without = run('xdeb-build', ['--no-publish', '--output-dir', out, tree]);
    expect(without.status).toBe(1);
    expect(without.stderr).toMatch(/xdebdrop: satisfydepends: the build-dependencies of xdebdrop 1\.0 cannot be satisfied/);
    expect(readdirSync(out)).toEqual([]);

    const r = run('xdeb-build', ['--no-publish', '--json', '--output-dir', out, '--log-dir', out, '--drop-build-depends', MISSING, tree]);
    expect(r.status, r.stderr).toBe(0);
    const b = JSON.parse(r.stdout).builds[0];
    expect(b).toMatchObject({ source: 'xdebdrop', version: '1.0', profiles: [] });
    expect(b.suite).toBeUndefined();
    expect(existsSync(b.changes)).toBe(true);
    expect(readdirSync(out).filter((f) => /^xdebdrop_1\.0_.*\.deb$/.test(f))).toHaveLength(1);
    const log = readFileSync(b.log, 'utf8');
    expect(log).toMatch(/^Command: dpkg-buildpackage .*--no-check-builddeps/m);
    expect(log).toContain(`Dropped Build-Depends: ${MISSING}\n`);
    expect(log).toMatch(/^Status: successful$/m);
  });
});
