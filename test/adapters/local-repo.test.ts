import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../../src/adapters/build-results.js';
import { aptSourcesLine, ensureRepo, indexFiles, listSuites, publish, publishFiles, readBuilds } from '../../src/adapters/local-repo.js';
import { EnvironmentError, InputError, NegativeAnswer } from '../../src/lib/errors.js';
import { ROOT } from '../support/cli.js';
import { makeChanges, makeDeb } from '../support/debs.js';
import { aptPackages, aptView, builds } from '../support/repo-check.js';

const dir = mkdtempSync(join(tmpdir(), 'xdeb-repo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** A fresh directory for one test's inputs. */
function work(): string {
  const d = join(dir, `w${++n}`);
  mkdirSync(d);
  return d;
}

/** A build's results: the lib and -dev .debs of `source` and a .changes listing them. */
function libBuild(d: string, source: string, version: string, opts: { arch?: string; profiles?: string[]; flavour?: string } = {}): string {
  const arch = opts.arch ?? 'arm64';
  const files = [
    makeDeb(d, {
      package: `${source}1`,
      version,
      arch,
      source,
      multiArch: 'same',
      files: { [`/usr/lib/${source}.txt`]: `${source} ${version} ${arch} ${opts.flavour ?? 'full'}\n` },
    }),
    makeDeb(d, { package: `${source}-dev`, version, arch, source, multiArch: 'same', depends: `${source}1 (= ${version})` }),
  ];
  return makeChanges(d, { source, version, architectures: [arch], profiles: opts.profiles ?? ['cross', 'nocheck'], files });
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('publish', () => {
  it('creates the repository on first use and publishes a .changes that apt can use', async () => {
    const repo = join(dir, 'r1');
    const d = work();
    const changes = libBuild(d, 'libfoo', '1.0-1');
    const r = await publishFiles(repo, [changes]);
    expect(r.suites).toEqual(['full']);
    expect(r.copied.sort()).toEqual([
      'pool/full/libf/libfoo/libfoo-dev_1.0-1_arm64.deb',
      'pool/full/libf/libfoo/libfoo1_1.0-1_arm64.deb',
      'pool/full/libf/libfoo/libfoo_1.0-1_arm64.changes',
    ]);
    for (const p of r.copied) expect(existsSync(join(repo, p))).toBe(true);

    // Release: made by apt-ftparchive, SHA256 of each index.
    const release = readFileSync(join(repo, 'dists/full/Release'), 'utf8');
    const packages = join(repo, 'dists/full/main/binary-arm64/Packages');
    expect(release).toMatch(/^Suite: full$/m);
    expect(release).toContain(` ${sha256(packages)} `);
    expect(release).toMatch(/^SHA256:$/m);
    expect(readFileSync(packages, 'utf8')).toContain('Filename: pool/full/libf/libfoo/libfoo1_1.0-1_arm64.deb');

    expect(aptPackages(repo, ['full'])).toEqual(['libfoo-dev:arm64 1.0-1', 'libfoo1:arm64 1.0-1']);
    const v = aptView(repo, ['full']);
    try {
      const s = v.apt.run(['install', '-s', 'libfoo-dev:arm64']);
      expect(s.stdout, s.stderr).toMatch(/^Inst libfoo1:arm64 \(1\.0-1 /m);
      expect(s.stdout).toMatch(/^Inst libfoo-dev:arm64 \(1\.0-1 /m);
    } finally {
      v.cleanup();
    }

    const recs = await readBuilds(repo);
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({
      source: 'libfoo',
      version: '1.0-1',
      suite: 'full',
      staged: false,
      profiles: ['cross', 'nocheck'],
      architectures: ['arm64'],
      from: 'libfoo_1.0-1_arm64.changes',
    });
    expect(builds(repo)).toEqual(recs);
    expect(await listSuites(repo)).toEqual([{ name: 'full', staged: false, profiles: [], architectures: ['arm64'], builds: 1 }]);
    const idx = await indexFiles(repo, ['full', 'staged-stage1'], 'arm64');
    expect(idx).toHaveLength(1);
    expect(readFileSync(idx[0]!.packages!, 'utf8')).toContain('Package: libfoo1');
    expect(idx[0]!.sources).toMatch(/\/dists\/full\/main\/source\/Sources$/);
    expect((await indexFiles(repo, ['full'], 'amd64'))[0]!.packages).toBeUndefined();
    expect(aptSourcesLine(repo, 'full')).toBe(`deb [trusted=yes] file:${repo} full main`);
  });

  it('publishing the same results again changes nothing but the generation', async () => {
    const repo = join(dir, 'r2');
    const changes = libBuild(work(), 'libbar', '2-1');
    await publishFiles(repo, [changes]);
    const r = await publishFiles(repo, [changes]);
    expect(r.copied).toEqual([]);
    expect(r.present).toHaveLength(3);
    expect(await readBuilds(repo)).toHaveLength(1);
  });

  it('keeps a stage build and the full build of one version apart', async () => {
    const repo = join(dir, 'r3');
    const stage = libBuild(work(), 'libbaz', '1.0-1', { profiles: ['cross', 'nocheck', 'stage1'], flavour: 'stage1' });
    const full = libBuild(work(), 'libbaz', '1.0-1', { flavour: 'full' });
    // Same names, other content.
    expect(sha256(join(stage, '../libbaz1_1.0-1_arm64.deb'))).not.toBe(sha256(join(full, '../libbaz1_1.0-1_arm64.deb')));
    const r1 = await publishFiles(repo, [stage]);
    const r2 = await publishFiles(repo, [full]);
    expect(r1.suites).toEqual(['staged-stage1']);
    expect(r2.suites).toEqual(['full']);
    const recs = await readBuilds(repo);
    expect(recs.map((r) => [r.suite, r.staged, r.profiles.join(',')])).toEqual([
      ['staged-stage1', true, 'cross,nocheck,stage1'],
      ['full', false, 'cross,nocheck'],
    ]);
    expect(sha256(join(repo, 'pool/staged-stage1/libb/libbaz/libbaz1_1.0-1_arm64.deb'))).toBe(
      sha256(join(stage, '../libbaz1_1.0-1_arm64.deb')),
    );
    expect(sha256(join(repo, 'pool/full/libb/libbaz/libbaz1_1.0-1_arm64.deb'))).toBe(sha256(join(full, '../libbaz1_1.0-1_arm64.deb')));
    expect(aptPackages(repo, ['full'])).toEqual(['libbaz-dev:arm64 1.0-1', 'libbaz1:arm64 1.0-1']);
    expect(aptPackages(repo, ['staged-stage1'])).toEqual(['libbaz-dev:arm64 1.0-1', 'libbaz1:arm64 1.0-1']);
    expect((await listSuites(repo)).map((s) => [s.name, s.staged, s.profiles])).toEqual([
      ['full', false, []],
      ['staged-stage1', true, ['stage1']],
    ]);
    // An explicit profile list overrides Built-For-Profiles.
    const r3 = await publishFiles(repo, [full], { profiles: ['stage2'] });
    expect(r3.suites).toEqual(['staged-stage2']);
  });

  it('refuses other content under a published name, and --replace replaces it', async () => {
    const repo = join(dir, 'r4');
    const first = libBuild(work(), 'libqux', '1.0-1', { flavour: 'one' });
    const second = libBuild(work(), 'libqux', '1.0-1', { flavour: 'two' });
    await publishFiles(repo, [first]);
    const before = readlinkSync(join(repo, 'xdeb/current'));
    const err = await publishFiles(repo, [second]).catch((e) => e);
    expect(err).toBeInstanceOf(NegativeAnswer);
    expect(err.message).toMatch(/refusing to overwrite published files with other content; nothing was published/);
    expect(err.details.join('\n')).toContain('pool/full/libq/libqux/libqux1_1.0-1_arm64.deb: already published with other content');
    expect(readlinkSync(join(repo, 'xdeb/current'))).toBe(before);
    expect(sha256(join(repo, 'pool/full/libq/libqux/libqux1_1.0-1_arm64.deb'))).toBe(sha256(join(first, '../libqux1_1.0-1_arm64.deb')));

    const r = await publishFiles(repo, [second], { replace: true });
    expect(r.replaced).toContain('pool/full/libq/libqux/libqux1_1.0-1_arm64.deb');
    expect(sha256(join(repo, 'pool/full/libq/libqux/libqux1_1.0-1_arm64.deb'))).toBe(sha256(join(second, '../libqux1_1.0-1_arm64.deb')));
    expect(readFileSync(join(repo, 'dists/full/main/binary-arm64/Packages'), 'utf8')).toContain(
      sha256(join(second, '../libqux1_1.0-1_arm64.deb')),
    );
    expect(await readBuilds(repo)).toHaveLength(1);
  });

  it('keeps old versions, or the newest N with keepVersions', async () => {
    const repo = join(dir, 'r5');
    for (const v of ['1.0-1', '1.0-2']) await publishFiles(repo, [libBuild(work(), 'libold', v)]);
    expect(aptPackages(repo, ['full'])).toEqual(['libold-dev:arm64 1.0-2', 'libold1:arm64 1.0-2']);
    expect((await readBuilds(repo)).map((r) => r.version)).toEqual(['1.0-1', '1.0-2']);
    const r = await publishFiles(repo, [libBuild(work(), 'libold', '1.0-3')], { keepVersions: 2 });
    expect(r.dropped).toEqual([{ source: 'libold', version: '1.0-1', suite: 'full' }]);
    expect((await readBuilds(repo)).map((r) => r.version)).toEqual(['1.0-2', '1.0-3']);
    const packages = readFileSync(join(repo, 'dists/full/main/binary-arm64/Packages'), 'utf8');
    expect(packages).not.toContain('1.0-1');
    expect(packages).toContain('libold1_1.0-2_arm64.deb');
    // The previous generation still refers to 1.0-1: its files stay for readers until the next publish.
    expect(existsSync(join(repo, 'pool/full/libo/libold/libold1_1.0-1_arm64.deb'))).toBe(true);
    await publishFiles(repo, [libBuild(work(), 'libother', '1')]);
    expect(existsSync(join(repo, 'pool/full/libo/libold/libold1_1.0-1_arm64.deb'))).toBe(false);
    expect(existsSync(join(repo, 'pool/full/libo/libold/libold1_1.0-2_arm64.deb'))).toBe(true);
  });

  it('publishes loose .debs and a .dsc with its source files (Sources index)', async () => {
    const repo = join(dir, 'r6');
    const d = work();
    cpSync(join(ROOT, 'fixtures/debian/xdebdemo-tool'), join(d, 'xdebdemo-tool'), { recursive: true });
    execFileSync('dpkg-source', ['-b', 'xdebdemo-tool'], { cwd: d, stdio: 'ignore' });
    const deb = makeDeb(d, { package: 'xdebdemo-tool', version: '1.0', arch: 'amd64', multiArch: 'foreign' });
    const all = makeDeb(d, { package: 'xdebdemo-data', version: '1.0', arch: 'all', source: 'xdebdemo-tool' });
    const r = await publishFiles(repo, [join(d, 'xdebdemo-tool_1.0.dsc'), deb, all]);
    expect(r.records.map((x) => x.architectures.join(' '))).toEqual(['source', 'amd64 all']);
    const sources = readFileSync(join(repo, 'dists/full/main/source/Sources'), 'utf8');
    expect(sources).toMatch(/^Package: xdebdemo-tool$/m);
    expect(sources).toMatch(/^Directory: pool\/full\/x\/xdebdemo-tool$/m);
    expect(existsSync(join(repo, 'pool/full/x/xdebdemo-tool/xdebdemo-tool_1.0.tar.xz'))).toBe(true);
    // arch:all packages are in every architecture's Packages.
    expect(aptPackages(repo, ['full'])).toEqual(['xdebdemo-data:all 1.0', 'xdebdemo-tool:amd64 1.0']);
    const v = aptView(repo, ['full'], { withSources: true });
    try {
      expect(v.ok, v.output).toBe(true);
      expect(v.apt.run(['showsrc', 'xdebdemo-tool'], 'apt-cache').stdout).toMatch(/^Package: xdebdemo-tool$/m);
    } finally {
      v.cleanup();
    }
  });

  it('an empty repository is valid for apt', async () => {
    const repo = join(dir, 'r7');
    await ensureRepo(repo, { architectures: ['arm64'] });
    expect(aptPackages(repo, ['full'])).toEqual([]);
    expect(await listSuites(repo)).toEqual([{ name: 'full', staged: false, profiles: [], architectures: ['arm64'], builds: 0 }]);
    const gen = readlinkSync(join(repo, 'xdeb/current'));
    await ensureRepo(repo);
    expect(readlinkSync(join(repo, 'xdeb/current'))).toBe(gen);
  });

  it('is not fooled by a directory that is not an xdeb repository', async () => {
    const repo = join(dir, 'r8');
    mkdirSync(join(repo, 'dists/stable'), { recursive: true });
    const err = await publishFiles(repo, [libBuild(work(), 'libz', '1')]).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(/is not an xdeb local repository: .*dists is a real directory/);
  });
});

describe('faults in the input', () => {
  it('a checksum mismatch publishes nothing', async () => {
    const repo = join(dir, 'f1');
    await publishFiles(repo, [libBuild(work(), 'libgood', '1')]);
    const gen = readlinkSync(join(repo, 'xdeb/current'));
    const d = work();
    const deb = makeDeb(d, { package: 'libbad1', version: '1', arch: 'arm64', source: 'libbad' });
    const ok = makeDeb(d, { package: 'libbad-dev', version: '1', arch: 'arm64', source: 'libbad' });
    const changes = makeChanges(d, {
      source: 'libbad',
      version: '1',
      architectures: ['arm64'],
      files: [ok, deb],
      lie: { 'libbad1_1_arm64.deb': { sha256: '0'.repeat(64) } },
    });
    const err = await publishFiles(repo, [changes]).catch((e) => e);
    expect(err).toBeInstanceOf(NegativeAnswer);
    expect(err.message).toMatch(/a file does not match its checksum; nothing was published/);
    expect(err.details[0]).toMatch(new RegExp(`^${changes}:\\d+: libbad1_1_arm64\\.deb: SHA256 is [0-9a-f]{64}, the upload says 0{64}$`));
    expect(readlinkSync(join(repo, 'xdeb/current'))).toBe(gen);
    expect(existsSync(join(repo, 'pool/full/libb'))).toBe(false);
    expect(aptPackages(repo, ['full'])).toEqual(['libgood-dev:arm64 1', 'libgood1:arm64 1']);
  });

  it('a path traversal name is refused with its file and line, and nothing outside is read', async () => {
    const repo = join(dir, 'f2');
    const d = work();
    mkdirSync(join(d, 'in'));
    const evil = makeDeb(d, { package: 'evil', version: '1', arch: 'arm64' });
    const changes = makeChanges(join(d, 'in'), {
      source: 'evil',
      version: '1',
      architectures: ['arm64'],
      files: [evil],
      lie: { 'evil_1_arm64.deb': { name: '../evil_1_arm64.deb' } },
    });
    const err = await readResults([changes]).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    const lines = readFileSync(changes, 'utf8').split('\n');
    expect(err.file).toBe(changes);
    expect(lines[err.line - 1]).toContain('../evil_1_arm64.deb');
    expect(err.message).toContain("'../evil_1_arm64.deb' is not a plain file name: it contains '/'");
    expect(existsSync(repo)).toBe(false);
  });

  it('a listed file that is missing is bad input naming the line', async () => {
    const d = work();
    const deb = makeDeb(d, { package: 'gone', version: '1', arch: 'arm64' });
    const changes = makeChanges(d, { source: 'gone', version: '1', architectures: ['arm64'], files: [deb] });
    rmSync(deb);
    const err = await readResults([changes]).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(new RegExp(`^${changes}:\\d+: 'gone_1_arm64\\.deb' is listed but cannot be read in .*: no such file$`));
  });
});

describe('signing', () => {
  const gnupg = join(dir, 'gnupg');
  let fpr = '';
  beforeAll(() => {
    mkdirSync(gnupg, { mode: 0o700 });
    const env = { ...process.env, GNUPGHOME: gnupg };
    execFileSync(
      'gpg',
      ['--batch', '--passphrase', '', '--quick-gen-key', 'xdeb test <xdeb-test@example.org>', 'ed25519', 'sign', 'never'],
      { env, stdio: 'ignore' },
    );
    execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'other <other@example.org>', 'ed25519', 'sign', 'never'], {
      env,
      stdio: 'ignore',
    });
    fpr = /^fpr:+([0-9A-F]+):/m.exec(
      execFileSync('gpg', ['--with-colons', '--list-secret-keys', 'xdeb-test@example.org'], { env, encoding: 'utf8' }),
    )![1]!;
    writeFileSync(join(dir, 'other.asc'), execFileSync('gpg', ['--armor', '--export', 'other@example.org'], { env }));
    writeFileSync(join(dir, 'good.gpg'), execFileSync('gpg', ['--export', 'xdeb-test@example.org'], { env }));
  });
  afterAll(() => {
    try {
      execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: gnupg } });
    } catch {
      // no agent
    }
  });

  it('signs InRelease and Release.gpg; apt accepts them with signed-by and refuses another key', async () => {
    const repo = join(dir, 's1');
    const saved = process.env.GNUPGHOME;
    process.env.GNUPGHOME = gnupg;
    try {
      const r = await publishFiles(repo, [libBuild(work(), 'libsig', '1')], { signKey: 'xdeb-test@example.org' });
      expect(r.signedBy).toBe(fpr);
      // A later publish keeps signing with the same key without being told.
      const r2 = await publishFiles(repo, [libBuild(work(), 'libsig2', '1')]);
      expect(r2.signedBy).toBe(fpr);
    } finally {
      if (saved === undefined) delete process.env.GNUPGHOME;
      else process.env.GNUPGHOME = saved;
    }
    expect(readFileSync(join(repo, 'dists/full/InRelease'), 'utf8')).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----/);
    expect(readFileSync(join(repo, 'dists/full/Release.gpg'), 'utf8')).toMatch(/^-----BEGIN PGP SIGNATURE-----/);
    // gpgv, the verifier apt uses, accepts the detached signature with the key.
    execFileSync('gpgv', ['--keyring', join(dir, 'good.gpg'), join(repo, 'dists/full/Release.gpg'), join(repo, 'dists/full/Release')], {
      stdio: 'ignore',
    });

    expect(aptPackages(repo, ['full'], { signedBy: join(dir, 'good.gpg') })).toEqual([
      'libsig-dev:arm64 1',
      'libsig1:arm64 1',
      'libsig2-dev:arm64 1',
      'libsig21:arm64 1',
    ]);
    // The key exported into the repository works too (.asc), and aptSourcesLine names it.
    expect(aptSourcesLine(repo, 'full')).toBe(`deb [signed-by=${repo}/xdeb/signing-key.asc] file:${repo} full main`);
    expect(aptPackages(repo, ['full'], { signedBy: join(repo, 'xdeb/signing-key.asc') })).toHaveLength(4);
    const wrong = aptView(repo, ['full'], { signedBy: join(dir, 'other.asc') });
    try {
      expect(wrong.ok).toBe(false);
      expect(wrong.output).toMatch(/NO_PUBKEY|not signed|signature/i);
    } finally {
      wrong.cleanup();
    }
  });

  it('a key gpg does not have is an environment error, and nothing changes', async () => {
    const repo = join(dir, 's2');
    await publishFiles(repo, [libBuild(work(), 'libns', '1')]);
    const gen = readlinkSync(join(repo, 'xdeb/current'));
    const saved = process.env.GNUPGHOME;
    process.env.GNUPGHOME = gnupg;
    try {
      const err = await publishFiles(repo, [libBuild(work(), 'libns2', '1')], { signKey: 'nobody@example.org' }).catch((e) => e);
      expect(err).toBeInstanceOf(EnvironmentError);
      expect(err.message).toMatch(/no secret key 'nobody@example\.org'/);
    } finally {
      if (saved === undefined) delete process.env.GNUPGHOME;
      else process.env.GNUPGHOME = saved;
    }
    expect(readlinkSync(join(repo, 'xdeb/current'))).toBe(gen);
    expect(aptPackages(repo, ['full'])).toEqual(['libns-dev:arm64 1', 'libns1:arm64 1']);
    // The abandoned generation is cleared by the next publish.
    await publishFiles(repo, [libBuild(work(), 'libns3', '1')]);
    expect(readdirSync(join(repo, 'xdeb/gen'))).toHaveLength(2);
  });
});

describe('publish with explicit results', () => {
  it('two results of one call land in their suites', async () => {
    const repo = join(dir, 'e1');
    const results = await readResults([libBuild(work(), 'liba', '1'), libBuild(work(), 'libb', '1', { profiles: ['stage1'] })]);
    const r = await publish({ repo, results });
    expect(r.suites).toEqual(['full', 'staged-stage1']);
    expect(aptPackages(repo, ['full', 'staged-stage1'])).toEqual([
      'liba-dev:arm64 1',
      'liba1:arm64 1',
      'libb-dev:arm64 1',
      'libb1:arm64 1',
    ]);
  });
});
