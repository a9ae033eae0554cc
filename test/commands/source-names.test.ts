// Sources named as apt-get source names them (NAME, NAME=VERSION, NAME/SUITE), and a version the
// repositories list but cannot serve: the message names the version, its suite and what else there
// is. The local repository stands in for a mirror: 1.0 in the suite staged-stage1, 2.0 in full with
// its .dsc removed from the pool (listed, not served — as a security suite's sources can be).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canCrossBuildArm64, runCli } from '../support/cli.js';
import { makeDsc } from '../support/sources.js';

const ready = canCrossBuildArm64();

describe.runIf(ready)('sources by name: NAME=VERSION, NAME/SUITE, and a version that cannot be fetched', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-names-'));
  const repo = join(work, 'repo');
  const out = join(work, 'out');
  const env = { XDEB_LOCAL_REPO: repo, XDEB_SYSTEM_CONFIG: join(work, 'none.cfg'), XDG_CONFIG_HOME: join(work, 'config') };
  const run = (bin: string, args: string[]) => runCli(args, { bin, env, cwd: work, timeout: 900_000 });
  const suites = ['--local-suite', 'full', '--local-suite', 'staged-stage1'];

  beforeAll(() => {
    mkdirSync(out);
    const old = makeDsc(join(work, 'dsc'), 'xdebnames', { version: '1.0' });
    const recent = makeDsc(join(work, 'dsc'), 'xdebnames', { version: '2.0' });
    expect(run('xdeb-putresult', ['-P', 'stage1', old]).status).toBe(0);
    expect(run('xdeb-putresult', [recent]).status).toBe(0);
    const served = join(repo, 'pool/full/x/xdebnames/xdebnames_2.0.dsc');
    expect(existsSync(served)).toBe(true);
    rmSync(served);
  }, 900_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('NAME=VERSION builds that version', () => {
    const r = run('xdeb-build', ['-a', 'arm64', '--no-publish', '--json', '--output-dir', out, ...suites, 'xdebnames=1.0']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).builds[0]).toMatchObject({ source: 'xdebnames', version: '1.0', hostArch: 'arm64' });
  });

  it('NAME/SUITE builds the newest version of that suite', () => {
    const r = run('xdeb-build', ['-a', 'arm64', '--no-publish', '--json', '--output-dir', out, ...suites, 'xdebnames/staged-stage1']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).builds[0]).toMatchObject({ source: 'xdebnames', version: '1.0' });
  });

  it('a version listed but not served: exit 1 naming the version and its suite, and what else is there', () => {
    const r = run('xdeb-build', ['-a', 'arm64', '--no-publish', '--output-dir', out, ...suites, 'xdebnames']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/xdebnames: source: cannot fetch xdebnames 2\.0 from full: apt-get source xdebnames=2\.0 failed/);
    expect(r.stderr).toMatch(/also available: xdebnames=1\.0 \(staged-stage1\); give NAME=VERSION or NAME\/SUITE to build another/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a suite or a version the repositories do not have: exit 2, saying which versions there are', () => {
    for (const arg of ['xdebnames/trixie', 'xdebnames=3.0']) {
      const r = run('xdeb-build', ['-a', 'arm64', '--no-publish', '--output-dir', out, ...suites, arg]);
      expect(r.status, arg).toBe(2);
      expect(r.stderr).toContain(`no source '${arg}' in the repositories in use; xdebnames is there as 2.0 (full), 1.0 (staged-stage1)`);
    }
  });

  it('xdeb-sequence -k whose every step fails to fetch its source exits 1; the state names the version and suite', () => {
    const state = join(work, 'state.json');
    const r = run('xdeb-sequence', ['-a', 'arm64', '-k', '--json', '--state', state, 'xdebnames']);
    expect(r.status, r.stderr).toBe(1);
    const steps = JSON.parse(readFileSync(state, 'utf8')).steps;
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(steps[0].note).toMatch(/cannot fetch xdebnames 2\.0 from full/);
  });
});
