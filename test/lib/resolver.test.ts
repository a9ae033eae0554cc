// The Multi-Arch rules of DESIGN §3 as tables over tiny universes, build amd64 → host arm64.
import { describe, expect, it } from 'vitest';
import type { ResolverMode } from '../../src/lib/multiarch.js';
import { checkerOf, sourceStanza } from '../support/universe.js';

function check(packages: string[], bd: Record<string, string>, opts: { mode?: ResolverMode; installed?: string[]; host?: string } = {}) {
  const checker = checkerOf(packages, opts);
  return checker.check(sourceStanza(bd), {
    buildArch: 'amd64',
    hostArch: opts.host ?? 'arm64',
    profiles: new Set(opts.host === 'amd64' ? [] : ['cross', 'nocheck']),
    arch: true,
    indep: false,
    implicit: 'none',
    explain: true,
    file: 'debian/control',
  });
}

/** name:arch of what was chosen for each requirement. */
function chosen(v: ReturnType<typeof check>): string[] {
  return v.placements.map((p) => (p.package ? `${p.package.name}:${p.package.arch}` : '✗'));
}

describe('placement of build-dependencies (rules 8–10, 13, 14)', () => {
  const lib = ['libfoo-dev amd64 1.0 same', 'libfoo-dev arm64 1.0 same'];
  it.each([
    ['M-A: same library, unqualified → host (8)', lib, 'libfoo-dev', 'libfoo-dev:arm64', 'host'],
    ['M-A: foreign tool → build (8)', ['bison amd64 3.8 foreign', 'bison arm64 3.8 foreign'], 'bison', 'bison:amd64', 'build'],
    ['M-A: foreign tool only for the host → host (8)', ['bison arm64 3.8 foreign'], 'bison', 'bison:arm64', 'host'],
    ['arch:all M-A: foreign → counts as build (9)', ['debhelper all 13 foreign'], 'debhelper', 'debhelper:all', 'build'],
    [':native → build (10)', ['python3 amd64 3.11 allowed', 'python3 arm64 3.11 allowed'], 'python3:native', 'python3:amd64', 'build'],
    [
      ':any on M-A: allowed → build preferred (10)',
      ['perl amd64 5.36 allowed', 'perl arm64 5.36 allowed'],
      'perl:any',
      'perl:amd64',
      'build',
    ],
    ['explicit :arm64', lib, 'libfoo-dev:arm64', 'libfoo-dev:arm64', 'host'],
    ['virtual provided by M-A: foreign → build (14)', ['mawk amd64 1.3 foreign | Provides: awk'], 'awk', 'mawk:amd64', 'build'],
    [
      'virtual provided by M-A: same → host (14)',
      ['libc6-dev amd64 2.36 same | Provides: libc-dev', 'libc6-dev arm64 2.36 same | Provides: libc-dev'],
      'libc-dev',
      'libc6-dev:arm64',
      'host',
    ],
    [
      'versioned virtual needs a versioned Provides',
      ['a arm64 1 same | Provides: v (= 2)', 'b arm64 1 same | Provides: v'],
      'v (>= 2)',
      'a:arm64',
      'host',
    ],
    ['first satisfiable alternative wins', ['b arm64 1 same', 'c arm64 1 same'], 'a | b | c', 'b:arm64', 'host'],
  ])('%s', (_, packages, dep, expected, side) => {
    const v = check(packages, { 'Build-Depends': dep });
    expect(v.status).toBe('ok');
    expect(chosen(v)).toEqual([expected]);
    expect(v.placements[0]!.side).toBe(side);
    expect(v.placements[0]!.reason).not.toBe('');
  });

  it('a package’s own dependencies resolve for its own architecture (13)', () => {
    const v = check(
      [
        'libfoo-dev arm64 1 same | Depends: libfoo1 (= 1)',
        'libfoo1 arm64 1 same',
        'libfoo1 amd64 1 same',
        'debhelper all 13 foreign | Depends: perl',
        'perl amd64 5 allowed',
        'perl arm64 5 allowed',
      ],
      {
        'Build-Depends': 'libfoo-dev, debhelper',
      },
    );
    expect(v.status).toBe('ok');
    const install = v.install.map((p) => `${p.name}:${p.arch}`).sort();
    expect(install).toEqual(['debhelper:all', 'libfoo-dev:arm64', 'libfoo1:arm64', 'perl:amd64']);
  });
});

describe('unsatisfiable cases and their reasons', () => {
  it.each([
    ['arch:all without M-A: foreign (9)', ['r-base-dev all 4.2'], 'r-base-dev', /Architecture: all without Multi-Arch: foreign/],
    ['M-A: none tool only for the build arch (8)', ['help2man amd64 1.49'], 'help2man', /exists for amd64 but is not Multi-Arch/],
    [
      ':any without M-A: allowed (10)',
      ['perl arm64 5.36', 'perl amd64 5.36'],
      'perl:any',
      /':any' cannot be satisfied \(it needs Multi-Arch: allowed\)/,
    ],
    ['a version no package has', ['libfoo-dev arm64 1.0 same'], 'libfoo-dev (>= 2)', /libfoo-dev:arm64 1\.0 does not satisfy \(>= 2\)/],
    ['a name nothing has', [], 'nosuch', /no package is named or provides 'nosuch'/],
    [
      'virtual provided by an M-A: none package of the build arch (14)',
      ['mawk amd64 1.3 | Provides: awk'],
      'awk',
      /provided by mawk:amd64/,
    ],
  ])('%s', (_, packages, dep, why) => {
    const v = check(packages, { 'Build-Depends': dep });
    expect(v.status).toBe('broken');
    expect(v.failures).toHaveLength(1);
    expect(v.failures[0]!.requirement).toBe(`Build-Depends: ${dep}`);
    expect(v.failures[0]!.line).toBe(3);
    expect(v.failures[0]!.reasons.map((r) => r.text).join('\n')).toMatch(why);
  });

  it('names every failing relation, not only the first', () => {
    const v = check(['ok arm64 1 same'], { 'Build-Depends': 'missing-one, ok, missing-two' });
    expect(v.failures.map((f) => f.requirement)).toEqual(['Build-Depends: missing-one', 'Build-Depends: missing-two']);
  });

  it('a conflict between two requirements gives both chains', () => {
    const v = check(
      [
        'gcc amd64 12 | Depends: binutils',
        'binutils amd64 2.40',
        'binutils arm64 2.40',
        'binutils-dev arm64 2.40 same | Depends: binutils (= 2.40)',
      ],
      {
        'Build-Depends': 'gcc:native, binutils-dev',
      },
    );
    expect(v.status).toBe('broken');
    const r = v.failures[0]!.reasons[0]!;
    expect(r.kind).toBe('conflict');
    expect(r.text).toMatch(/binutils:(amd64|arm64) 2\.40 conflicts with binutils:(amd64|arm64) 2\.40/);
    expect([r.chain[0], r.chain2?.[0]].sort()).toEqual(['Build-Depends: binutils-dev', 'Build-Depends: gcc:native']);
  });

  it('Multi-Arch: same version skew between the architectures is named (11)', () => {
    const v = check(
      [
        'libz1 amd64 1.2-1 same',
        'libz1 arm64 1.2-2 same',
        'libz-dev arm64 1.2-2 same | Depends: libz1 (= 1.2-2)',
        'tool amd64 1 | Depends: libz1',
      ],
      {
        'Build-Depends': 'tool:native, libz-dev',
      },
    );
    expect(v.status).toBe('broken');
    const r = v.failures[0]!.reasons[0]!;
    expect(r.kind).toBe('skew');
    expect(r.text).toMatch(
      /libz1 is Multi-Arch: same, but (arm64 has 1\.2-2 where amd64 has 1\.2-1|amd64 has 1\.2-1 where arm64 has 1\.2-2)/,
    );
  });

  it('Multi-Arch: same copies of one version co-install (11)', () => {
    const v = check(
      ['libz1 amd64 1.2 same', 'libz1 arm64 1.2 same', 'libz-dev arm64 1.2 same | Depends: libz1 (= 1.2)', 'tool amd64 1 | Depends: libz1'],
      {
        'Build-Depends': 'tool:native, libz-dev',
      },
    );
    expect(v.status).toBe('ok');
  });

  it('an essential package of the build arch stays: its host copy cannot replace it (apt), dose allows it (16)', () => {
    const pk = ['gzip amd64 1.12 essential', 'gzip arm64 1.12 essential'];
    expect(check(pk, { 'Build-Depends': 'gzip' }).status).toBe('broken');
    expect(check(pk, { 'Build-Depends': 'gzip' }, { mode: 'dose' }).status).toBe('ok');
  });
});

describe('Build-Conflicts (15)', () => {
  it('an unqualified Build-Conflicts applies to every architecture', () => {
    const pk = ['libfoo-dev arm64 1 same | Depends: tool', 'tool amd64 1 foreign'];
    expect(check(pk, { 'Build-Depends': 'libfoo-dev' }).status).toBe('ok');
    const v = check(pk, { 'Build-Depends': 'libfoo-dev', 'Build-Conflicts': 'tool' });
    expect(v.status).toBe('broken');
  });
  it('a qualified one only to its architecture', () => {
    const pk = ['libfoo-dev arm64 1 same | Depends: tool', 'tool amd64 1 foreign'];
    expect(check(pk, { 'Build-Depends': 'libfoo-dev', 'Build-Conflicts': 'tool:arm64' }).status).toBe('ok');
  });
});

describe('reduction and implicit requirements (rules 5, 6)', () => {
  it('drops what the arch list or profiles exclude, and says so', () => {
    const v = check(['a arm64 1 same'], { 'Build-Depends': 'a, b [amd64], c <!cross>, d <stage1>' });
    expect(v.status).toBe('ok');
    expect(v.dropped.map((d) => d.text)).toEqual(['b [amd64]', 'c <!cross>', 'd <stage1>']);
  });

  it('a cross build gets build-essential, crossbuild-essential and the host libc/libstdc++ (sbuild)', () => {
    const checker = checkerOf([
      'build-essential amd64 12.9',
      'crossbuild-essential-arm64 all 12.9 foreign',
      'libc6-dev arm64 2.36 same | Provides: libc-dev',
      'libstdc++-12-dev arm64 12 same | Provides: libstdc++-dev',
      'libstdc++-11-dev arm64 11 same | Provides: libstdc++-dev',
    ]);
    const v = checker.check(sourceStanza({ 'Build-Depends': 'debhelper-compat (= 13)' }), {
      buildArch: 'amd64',
      hostArch: 'arm64',
      profiles: new Set(['cross', 'nocheck']),
      arch: true,
      indep: false,
      implicit: 'sbuild',
      explain: true,
    });
    expect(v.placements.filter((p) => p.kind === 'implicit').map((p) => `${p.package?.name}:${p.package?.arch}`)).toEqual([
      'build-essential:amd64',
      'crossbuild-essential-arm64:all',
      'libc6-dev:arm64',
      'libstdc++-12-dev:arm64',
    ]);
    expect(v.failures.map((f) => f.requirement)).toEqual(['Build-Depends: debhelper-compat (= 13)']);
  });

  it('Build-Depends-Indep only for arch-independent builds', () => {
    const checker = checkerOf(['a arm64 1 same']);
    const src = sourceStanza({ 'Build-Depends': 'a', 'Build-Depends-Indep': 'doc-tool' });
    const base = { buildArch: 'amd64', hostArch: 'arm64', profiles: new Set<string>(), implicit: 'none' as const, explain: false };
    expect(checker.check(src, { ...base, arch: true, indep: false }).status).toBe('ok');
    expect(checker.check(src, { ...base, arch: true, indep: true }).status).toBe('broken');
  });
});

describe('warnings (rule 12)', () => {
  it('a Multi-Arch: allowed interpreter unqualified resolves to the host: warned', () => {
    const v = check(['perl amd64 5.36 allowed', 'perl arm64 5.36 allowed'], { 'Build-Depends': 'perl' });
    expect(v.status).toBe('ok');
    expect(chosen(v)).toEqual(['perl:arm64']);
    expect(v.warnings.join('\n')).toMatch(/Multi-Arch: allowed perl resolves to the host architecture; write perl:native/);
  });

  it('a Multi-Arch: no tool installed for the build arch would be removed: said', () => {
    const v = check(['make amd64 4.3', 'make arm64 4.3'], { 'Build-Depends': 'make' }, { installed: ['make amd64 4.3'] });
    expect(v.status).toBe('ok');
    expect(v.warnings.join('\n')).toMatch(/installing it removes make:amd64/);
    expect(v.warnings.join('\n')).toMatch(/removes make:amd64 4\.3/);
  });

  it('a native build has no cross warnings', () => {
    const v = check(['perl amd64 5.36 allowed'], { 'Build-Depends': 'perl' }, { host: 'amd64' });
    expect(v.status).toBe('ok');
    expect(v.warnings).toEqual([]);
  });
});

describe('modes where the tools disagree (16)', () => {
  it.each([
    ['arch:all without M-A: foreign, unqualified', ['tool all 1'], 'tool', { apt: 'broken', dose: 'broken', dpkg: 'ok' }],
    [':any on a package that is not M-A: allowed', ['tool arm64 1'], 'tool:any', { apt: 'broken', dose: 'ok', dpkg: 'broken' }],
    [':native on an M-A: foreign package', ['tool amd64 1 foreign'], 'tool:native', { apt: 'ok', dose: 'ok', dpkg: 'broken' }],
  ] as const)('%s', (_, packages, dep, expected) => {
    for (const mode of ['apt', 'dose', 'dpkg'] as const) {
      expect({ mode, status: check([...packages], { 'Build-Depends': dep }, { mode }).status }).toEqual({ mode, status: expected[mode] });
    }
  });
});
