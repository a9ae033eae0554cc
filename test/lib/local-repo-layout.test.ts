import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/lib/errors.js';
import {
  decidePoolFile,
  FULL_SUITE,
  generationName,
  isSuiteName,
  mergeRecords,
  packagesFor,
  parseGenerationName,
  parseProfileList,
  poolDir,
  poolPrefix,
  profilesOfSuite,
  referencedPaths,
  releaseFields,
  sourcesFor,
  sourcesLine,
  suiteArchitectures,
  suiteForProfiles,
  suitesOf,
  type BuildRecord,
  type PoolDecision,
  type PublishedFile,
} from '../../src/lib/local-repo-layout.js';

describe('suite naming', () => {
  const table: [string[], string, boolean][] = [
    [[], 'full', false],
    [['cross'], 'full', false],
    [['nocheck'], 'full', false],
    [['cross', 'nocheck'], 'full', false],
    [['nocheck', 'cross', 'nocheck'], 'full', false],
    [['stage1'], 'staged-stage1', true],
    [['cross', 'nocheck', 'stage1'], 'staged-stage1', true],
    [['stage2', 'cross'], 'staged-stage2', true],
    [['stage1', 'nobiarch'], 'staged-nobiarch+stage1', true],
    [['nobiarch', 'stage1', 'cross'], 'staged-nobiarch+stage1', true],
    // nodoc and nocheck keep the binary packages (BuildProfileSpec): final builds.
    [['nodoc'], 'full', false],
    [['cross', 'nocheck', 'nodoc'], 'full', false],
    [['cross', 'nocheck', 'nodoc', 'stage1'], 'staged-stage1', true],
    [['noudeb'], 'staged-noudeb', true],
    [['pkg.gcc-12.nolto', 'stage1'], 'staged-pkg.gcc-12.nolto+stage1', true],
  ];
  it.each(table)('%j → %s', (profiles, suite, staged) => {
    const c = suiteForProfiles(profiles);
    expect(c.suite).toBe(suite);
    expect(c.staged).toBe(staged);
    // The name gives the reducing profiles back.
    expect(profilesOfSuite(suite)).toEqual(c.reducing);
    expect(isSuiteName(suite)).toBe(true);
  });

  it('a stage build and the full build of one version never share a suite or a pool directory', () => {
    const full = suiteForProfiles(['cross', 'nocheck']).suite;
    const stage = suiteForProfiles(['cross', 'nocheck', 'stage1']).suite;
    expect(full).not.toBe(stage);
    expect(poolDir(full, 'libfoo')).not.toBe(poolDir(stage, 'libfoo'));
  });

  it.each([
    'main',
    'staged-',
    'staged-cross',
    'staged-nodoc',
    'staged-stage1+nobiarch',
    'staged-stage1+stage1',
    'staged-Stage1',
    'stage1',
    'full+x',
  ])('%j is not a suite xdeb makes', (s) => {
    expect(profilesOfSuite(s)).toBeUndefined();
    expect(isSuiteName(s)).toBe(false);
  });

  it('profile lists', () => {
    expect(parseProfileList('cross, nocheck  stage1,cross')).toEqual(['cross', 'nocheck', 'stage1']);
    expect(parseProfileList(['cross,nocheck', 'pkg.foo.bar'])).toEqual(['cross', 'nocheck', 'pkg.foo.bar']);
    expect(parseProfileList('')).toEqual([]);
    expect(() => parseProfileList('stage1,../x', { file: '--profiles' })).toThrow(InputError);
    expect(() => parseProfileList('Stage1')).toThrow(/'Stage1' is not a build profile name/);
  });
});

describe('pool paths', () => {
  it.each([
    ['hello', 'h'],
    ['libpng1.6', 'libp'],
    ['lib', 'l'],
    ['libx', 'libx'],
    ['0ad', '0'],
    ['xdebdemo-prog', 'x'],
  ])('%s → %s', (src, prefix) => {
    expect(poolPrefix(src)).toBe(prefix);
    expect(poolDir('full', src)).toBe(`pool/full/${prefix}/${src}`);
  });
});

describe('decidePoolFile', () => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);
  const table: [string | undefined, string, boolean, boolean, PublishedFile['kind'], PoolDecision][] = [
    [undefined, a, false, false, 'deb', 'copy'],
    [a, a, true, false, 'deb', 'present'],
    [a, a, false, false, 'deb', 'present'],
    [b, a, false, false, 'deb', 'overwrite-orphan'],
    [b, a, true, false, 'deb', 'refuse'],
    [b, a, true, false, 'dsc', 'refuse'],
    [b, a, true, false, 'source', 'refuse'],
    [b, a, true, true, 'deb', 'replace'],
    [b, a, true, false, 'buildinfo', 'replace'],
    [b, a, true, false, 'changes', 'replace'],
  ];
  it.each(table)('existing %s, incoming %s, referenced %s, replace %s, %s → %s', (existing, incoming, referenced, replace, kind, want) => {
    expect(decidePoolFile(existing, incoming, { referenced, replace, kind })).toBe(want);
  });
});

function rec(source: string, version: string, suite = 'full', arch = 'arm64', extra: Partial<BuildRecord> = {}): BuildRecord {
  const dir = poolDir(suite, source);
  const files: PublishedFile[] = [
    {
      name: `${source}_${version}_${arch}.deb`,
      path: `${dir}/${source}_${version}_${arch}.deb`,
      size: 1,
      sha256: 'x',
      kind: 'deb',
      package: source,
      architecture: arch,
    },
    {
      name: `${source}-common_${version}_all.deb`,
      path: `${dir}/${source}-common_${version}_all.deb`,
      size: 1,
      sha256: 'x',
      kind: 'deb',
      package: `${source}-common`,
      architecture: 'all',
    },
    { name: `${source}_${version}.dsc`, path: `${dir}/${source}_${version}.dsc`, size: 1, sha256: 'x', kind: 'dsc' },
    {
      name: `${source}_${version}.orig.tar.gz`,
      path: `${dir}/${source}_${version.replace(/-.*/, '')}.orig.tar.gz`,
      size: 1,
      sha256: 'x',
      kind: 'source',
    },
  ];
  return {
    source,
    version,
    sourceVersion: version,
    architectures: [arch],
    profiles: [],
    suite,
    staged: suite !== FULL_SUITE,
    time: 't',
    from: 'x.changes',
    binaries: [source],
    files,
    ...extra,
  };
}

function dpkgGt(a: string, b: string): boolean {
  return spawnSync('dpkg', ['--compare-versions', a, 'gt', b]).status === 0;
}

describe('mergeRecords', () => {
  it('adds, and replaces a publish of the same build', () => {
    const r1 = rec('foo', '1.0-1');
    const r2 = rec('foo', '1.0-2');
    const again = { ...rec('foo', '1.0-1'), time: 'later' };
    const m = mergeRecords([r1, r2], [again]);
    expect(m.records.map((r) => `${r.version} ${r.time}`)).toEqual(['1.0-2 t', '1.0-1 later']);
    expect(m.dropped).toEqual([r1]);
    expect(m.pruned).toEqual([]);
  });

  it('keeps other architectures, suites and sources', () => {
    const existing = [rec('foo', '1.0-1', 'full', 'amd64'), rec('foo', '1.0-1', 'staged-stage1'), rec('bar', '1.0-1')];
    const m = mergeRecords(existing, [rec('foo', '1.0-1', 'full', 'arm64')]);
    expect(m.records).toHaveLength(4);
    expect(m.dropped).toEqual([]);
  });

  it('a build with an architecture-specific .deb of the same path supersedes the old record', () => {
    const old = rec('foo', '1.0-1', 'full', 'arm64', { architectures: ['source', 'arm64'] });
    const m = mergeRecords([old], [rec('foo', '1.0-1', 'full', 'arm64')]);
    expect(m.dropped).toEqual([old]);
    expect(m.records).toHaveLength(1);
  });

  it('prunes to the newest N versions in dpkg order, per suite and source touched', () => {
    const versions = ['1.0-1', '1.0-10', '1.0-2', '1:0.9-1', '1.0~rc1-1', '1.0-2+b1'];
    const existing = versions.map((v) => rec('foo', v));
    const other = [rec('foo', '0.1-1', 'staged-stage1'), rec('bar', '0.1-1')];
    const m = mergeRecords([...existing, ...other], [rec('foo', '2.0-1')], 3);
    const kept = m.records.filter((r) => r.source === 'foo' && r.suite === 'full').map((r) => r.version);
    // The reference order: dpkg --compare-versions.
    const all = [...versions, '2.0-1'].sort((a, b) => (dpkgGt(a, b) ? -1 : dpkgGt(b, a) ? 1 : 0));
    expect(kept.sort()).toEqual(all.slice(0, 3).sort());
    expect(all[0]).toBe('1:0.9-1');
    expect(m.pruned.map((r) => r.version).sort()).toEqual(all.slice(3).sort());
    expect(m.records).toEqual(expect.arrayContaining(other));
  });

  it('keepVersions 0 keeps everything', () => {
    const m = mergeRecords([rec('foo', '1'), rec('foo', '2')], [rec('foo', '3')], 0);
    expect(m.records).toHaveLength(3);
  });
});

describe('indexes of a suite', () => {
  const records = [rec('foo', '1.0-1', 'full', 'arm64'), rec('foo', '1.0-1', 'full', 'amd64'), rec('bar', '2-1', 'staged-stage1', 'arm64')];
  it('Packages of an architecture include arch:all', () => {
    expect(packagesFor(records, 'full', 'arm64')).toEqual([
      'pool/full/f/foo/foo-common_1.0-1_all.deb',
      'pool/full/f/foo/foo_1.0-1_arm64.deb',
    ]);
    expect(packagesFor(records, 'full', 'armhf')).toEqual(['pool/full/f/foo/foo-common_1.0-1_all.deb']);
    expect(sourcesFor(records, 'full')).toEqual(['pool/full/f/foo/foo_1.0-1.dsc']);
  });
  it('suites and architectures', () => {
    expect(suitesOf(records)).toEqual(['full', 'staged-stage1']);
    expect(suitesOf([])).toEqual(['full']);
    expect(suitesOf([rec('a', '1', 'staged-stage2'), rec('a', '1', 'staged-stage1')])).toEqual(['full', 'staged-stage1', 'staged-stage2']);
    expect(suiteArchitectures(records, 'full', ['amd64'])).toEqual(['amd64', 'arm64']);
    expect(suiteArchitectures(records, 'staged-stage1', ['amd64'])).toEqual(['arm64']);
    expect(suiteArchitectures(records, 'staged-x', ['amd64'])).toEqual(['amd64']);
    // foo: two arch .debs, and one arch:all .deb, .dsc and tarball shared by both builds; bar: four.
    expect([...referencedPaths(records)]).toHaveLength(9);
  });
});

describe('names and lines', () => {
  it('generations', () => {
    expect(generationName(12, 'ab09')).toBe('12.ab09');
    expect(parseGenerationName('12.ab09')).toEqual({ n: 12, id: 'ab09' });
    expect(parseGenerationName('x.1')).toBeUndefined();
    expect(parseGenerationName('12')).toBeUndefined();
  });
  it('sources.list lines', () => {
    expect(sourcesLine('/srv/repo', 'full')).toBe('deb [trusted=yes] file:/srv/repo full main');
    expect(sourcesLine('/srv/repo', 'staged-stage1', { signedBy: '/k.asc', arch: ['arm64'] })).toBe(
      'deb [arch=arm64 signed-by=/k.asc] file:/srv/repo staged-stage1 main',
    );
  });
  it('Release fields are the same for every publish of a suite', () => {
    expect(releaseFields('full', ['arm64'])).toEqual(releaseFields('full', ['arm64']));
    const f = new Map(releaseFields('staged-stage1', ['amd64', 'arm64']));
    expect(f.get('Suite')).toBe('staged-stage1');
    expect(f.get('Codename')).toBe('staged-stage1');
    expect(f.get('Architectures')).toBe('amd64 arm64');
    expect(f.get('Components')).toBe('main');
    expect(f.get('Origin')).toBe('xdeb');
  });
});
