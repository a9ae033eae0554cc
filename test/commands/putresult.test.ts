import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';
import { makeChanges, makeDeb } from '../support/debs.js';
import { aptPackages, builds } from '../support/repo-check.js';

const dir = mkdtempSync(join(tmpdir(), 'xdeb-put-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function build(
  source: string,
  version = '1.0',
  opts: { lie?: Parameters<typeof makeChanges>[1]['lie']; profiles?: string[] } = {},
): string {
  const d = join(dir, `b${++n}`);
  mkdirSync(d);
  const files = [
    makeDeb(d, { package: `${source}1`, version, arch: 'arm64', source, multiArch: 'same' }),
    makeDeb(d, { package: `${source}-dev`, version, arch: 'arm64', source, multiArch: 'same', depends: `${source}1 (= ${version})` }),
  ];
  return makeChanges(d, {
    source,
    version,
    architectures: ['arm64'],
    files,
    lie: opts.lie,
    profiles: opts.profiles ?? ['cross', 'nocheck'],
  });
}

const put = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(args, { bin: 'xdeb-putresult', env: { XDEB_SYSTEM_CONFIG: '/nonexistent', XDG_CONFIG_HOME: dir, ...env } });

function expectOk(r: { status: number; stderr: string }): void {
  expect(r.status, r.stderr).toBe(0);
}

/** Start a putresult without waiting for it. */
function putAsync(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [`${ROOT}/bin/xdeb-putresult.js`, ...args], {
    env: { ...process.env, XDEB_SYSTEM_CONFIG: '/nonexistent', XDG_CONFIG_HOME: dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const paused = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (stderr.includes('paused in publish at')) resolve();
    });
    child.on('close', () => reject(new Error(`exited before pausing:\n${stderr}`)));
  });
  paused.catch(() => {});
  return { child, done, paused };
}

/** Every published file is there with its recorded checksum, and the indexes list exactly the recorded .debs. */
function checkConsistent(repo: string): void {
  const recs = builds(repo);
  const debs = new Set<string>();
  for (const r of recs) {
    for (const f of r.files) {
      expect(
        createHash('sha256')
          .update(readFileSync(join(repo, f.path)))
          .digest('hex'),
        f.path,
      ).toBe(f.sha256);
      if (f.name.endsWith('.deb')) debs.add(f.path);
    }
  }
  const packages = readFileSync(join(repo, 'dists/full/main/binary-arm64/Packages'), 'utf8');
  const indexed = new Set([...packages.matchAll(/^Filename: (.*)$/gm)].map((m) => m[1]!));
  expect([...indexed].sort()).toEqual([...debs].filter((p) => p.startsWith('pool/full/')).sort());
  // No temp files left in the pool or the state directory.
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [e.name]));
  expect(walk(join(repo, 'pool')).filter((f) => f.includes('xdeb-tmp'))).toEqual([]);
}

describe('xdeb-putresult', () => {
  it('prints the sources.list line, and JSON with --json', () => {
    const repo = join(dir, 'c1');
    const r = put(['--local-repo', repo, build('libone')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`deb [trusted=yes] file:${repo} full main\n`);
    const j = put(['--local-repo', repo, '--json', build('libtwo', '1.0', { profiles: ['cross', 'stage1'] })]);
    expect(j.status).toBe(0);
    const out = JSON.parse(j.stdout);
    expect(out.suites).toEqual(['staged-stage1']);
    expect(out.sources).toEqual([`deb [trusted=yes] file:${repo} staged-stage1 main`]);
    expect(out.records[0]).toMatchObject({ source: 'libtwo', staged: true, profiles: ['cross', 'stage1'] });
    expect(aptPackages(repo, ['full', 'staged-stage1'])).toEqual([
      'libone-dev:arm64 1.0',
      'libone1:arm64 1.0',
      'libtwo-dev:arm64 1.0',
      'libtwo1:arm64 1.0',
    ]);
  });

  it('takes the repository from the configuration', () => {
    const repo = join(dir, 'c2');
    const r = put([build('libcfg')], { XDEB_LOCAL_REPO: repo });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`file:${repo} full main`);
  });

  it('exit 1 on a checksum mismatch, naming file and line, nothing published', () => {
    const repo = join(dir, 'c3');
    const changes = build('libmis', '1.0', { lie: { 'libmis1_1.0_arm64.deb': { sha256: 'f'.repeat(64) } } });
    const r = put(['--local-repo', repo, changes]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^xdeb-putresult: error: .*libmis_1\.0_arm64\.changes: a file does not match its checksum; nothing was published\n/,
    );
    expect(r.stderr).toMatch(/libmis_1\.0_arm64\.changes:\d+: libmis1_1\.0_arm64\.deb: SHA256 is [0-9a-f]{64}, the upload says f{64}/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(repo)).toBe(false);
  });

  it('exit 1 on a size mismatch', () => {
    const changes = build('libsize', '1.0', { lie: { 'libsize-dev_1.0_arm64.deb': { size: 1 } } });
    const r = put(['--local-repo', join(dir, 'c4'), changes]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/libsize-dev_1\.0_arm64\.deb: size is \d+, the upload says 1/);
  });

  it('exit 2 on a path traversal name, naming file and line', () => {
    const changes = build('libtrav', '1.0', { lie: { 'libtrav1_1.0_arm64.deb': { name: '../../libtrav1_1.0_arm64.deb' } } });
    const r = put(['--local-repo', join(dir, 'c5'), changes]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^xdeb-putresult: error: .*libtrav_1\.0_arm64\.changes:\d+: '\.\.\/\.\.\/libtrav1_1\.0_arm64\.deb' is not a plain file name: it contains '\/'/,
    );
    expect(existsSync(join(dir, 'c5'))).toBe(false);
  });

  it.each([
    [['README.md'], /README\.md: not a build result/],
    [['/nonexistent/x.changes'], /\/nonexistent\/x\.changes: no such file/],
    [['--profiles', 'Stage1', 'x.changes'], /'Stage1'/],
  ])('exit 2 for %j', (args, why) => {
    const r = put(['--local-repo', join(dir, 'c6'), ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(why);
  });

  it('exit 2 without arguments', () => {
    expect(put([]).status).toBe(2);
  });

  it('exit 1 when a published name would get other content; 0 with --replace', () => {
    const repo = join(dir, 'c7');
    expectOk(put(['--local-repo', repo, build('librep', '1.0')]));
    const other = build('librep', '1.0');
    // makeDeb puts the same text in: change a byte of the package list to make it differ.
    const d = join(other, '..');
    makeDeb(d, {
      package: 'librep1',
      version: '1.0',
      arch: 'arm64',
      source: 'librep',
      multiArch: 'same',
      files: { '/usr/share/doc/librep1/README': 'other content\n' },
    });
    const changes = makeChanges(d, {
      source: 'librep',
      version: '1.0',
      architectures: ['arm64'],
      files: [join(d, 'librep1_1.0_arm64.deb'), join(d, 'librep-dev_1.0_arm64.deb')],
    });
    const r = put(['--local-repo', repo, changes]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/refusing to overwrite published files with other content/);
    expectOk(put(['--local-repo', repo, '--replace', changes]));
    checkConsistent(repo);
  });
});

describe('faults while publishing', () => {
  it('ten concurrent putresults all land', async () => {
    const repo = join(dir, 'k1');
    const inputs = Array.from({ length: 10 }, (_, i) => build(`libconc${i}`));
    const t0 = Date.now();
    const runs = await Promise.all(inputs.map((c) => putAsync(['--local-repo', repo, c]).done));
    const seconds = (Date.now() - t0) / 1000;
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(
      builds(repo)
        .map((b) => b.source)
        .sort(),
    ).toEqual(inputs.map((_, i) => `libconc${i}`).sort());
    expect(aptPackages(repo, ['full'])).toHaveLength(20);
    checkConsistent(repo);
    // Only the current generation and the one before it are kept.
    expect(readdirSync(join(repo, 'xdeb/gen'))).toHaveLength(2);
    process.stderr.write(`ten concurrent putresults: ${seconds.toFixed(1)} s\n`);
  });

  it.each(['pool', 'indexes', 'generation', 'switched'])(
    'kill -9 at %s: the repository stays valid and the next publish succeeds',
    async (stage) => {
      const repo = join(dir, `k-${stage}`);
      expectOk(put(['--local-repo', repo, build('libbefore')]));
      const before = aptPackages(repo, ['full']);
      const changes = build(`libkill${stage}`);
      const p = putAsync(['--local-repo', repo, changes], { XDEB_TEST_PAUSE_PUBLISH: stage });
      await p.paused;
      p.child.kill('SIGKILL');
      const r = await p.done;
      expect(r.signal).toBe('SIGKILL');

      // Valid for apt: before the switch it is the previous repository, after it the new one.
      const after = aptPackages(repo, ['full']);
      if (stage === 'switched') expect(after).toEqual([...before, `libkill${stage}-dev:arm64 1.0`, `libkill${stage}1:arm64 1.0`].sort());
      else expect(after).toEqual(before);

      // The lock is free and the same publish goes through.
      const again = put(['--local-repo', repo, changes]);
      expect(again.status, again.stderr).toBe(0);
      expect(aptPackages(repo, ['full'])).toEqual([...before, `libkill${stage}-dev:arm64 1.0`, `libkill${stage}1:arm64 1.0`].sort());
      checkConsistent(repo);
      expect(readdirSync(join(repo, 'xdeb/gen'))).toHaveLength(2);
    },
  );

  it('a file left in the pool by a killed publish is not published by the next one', async () => {
    const repo = join(dir, 'k-orphan');
    expectOk(put(['--local-repo', repo, build('libkeep')]));
    const p = putAsync(['--local-repo', repo, build('liborphan')], { XDEB_TEST_PAUSE_PUBLISH: 'pool' });
    await p.paused;
    p.child.kill('SIGKILL');
    await p.done;
    expect(existsSync(join(repo, 'pool/full/libo/liborphan/liborphan1_1.0_arm64.deb'))).toBe(true);
    expectOk(put(['--local-repo', repo, build('libnext')]));
    expect(aptPackages(repo, ['full'])).toEqual([
      'libkeep-dev:arm64 1.0',
      'libkeep1:arm64 1.0',
      'libnext-dev:arm64 1.0',
      'libnext1:arm64 1.0',
    ]);
    expect(existsSync(join(repo, 'pool/full/libo/liborphan'))).toBe(false);
    checkConsistent(repo);
  });

  it('kills at random moments never leave an invalid repository', async () => {
    const repo = join(dir, 'k-random');
    expectOk(put(['--local-repo', repo, build('libseed')]));
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const published = new Set(['libseed']);
    for (let i = 0; i < 8; i++) {
      const source = `librand${i}`;
      const p = putAsync(['--local-repo', repo, build(source)]);
      await new Promise((r) => setTimeout(r, 100 + rand() * 500));
      p.child.kill('SIGKILL');
      const r = await p.done;
      if (r.code === 0) published.add(source);
      // Whatever the moment, apt reads a complete repository, and it holds at least every finished publish.
      const seen = new Set(aptPackages(repo, ['full']).map((x) => x.replace(/(-dev|1):arm64 .*/, '')));
      for (const s of published) expect(seen.has(s), s).toBe(true);
    }
    expectOk(put(['--local-repo', repo, build('libfinal')]));
    checkConsistent(repo);
  });
});
