import { describe, expect, it } from 'vitest';
import {
  compareBuilds,
  compareDebs,
  countByClass,
  formatComparison,
  knownCompilerDifference,
  knownScriptDifference,
  type DebFacts,
  type DebFile,
  type ElfFacts,
} from '../../src/lib/deb-compare.js';

const elf = (over: Partial<ElfFacts> = {}): ElfFacts => ({
  bits: 64,
  machine: 183,
  osabi: 0,
  type: 3,
  soname: 'libx.so.1',
  needed: ['libc.so.6'],
  exports: ['x_answer', 'x_probe'],
  imports: ['__stack_chk_fail', 'memcpy'],
  sections: { '.text': 't1', '.rodata': 'r1', '.dynsym': 'd1' },
  comment: ['GCC: (Debian 12.2.0-14) 12.2.0'],
  ...over,
});
const lib = (over: Partial<DebFile> = {}): DebFile => ({
  path: '/usr/lib/aarch64-linux-gnu/libx.so.1',
  kind: 'file',
  mode: 0o644,
  size: 100,
  digest: 'L1',
  elf: elf(),
  ...over,
});
const deb = (over: Partial<DebFacts> = {}, files: DebFile[] = [lib()]): DebFacts => ({
  file: 'x.deb',
  package: 'libx1',
  version: '1.0',
  arch: 'arm64',
  source: 'x',
  control: { Package: 'libx1', Version: '1.0', Architecture: 'arm64', 'Multi-Arch': 'same', Depends: 'libc6 (>= 2.34)' },
  scripts: { triggers: '# Triggers added by dh_makeshlibs/13.11.4\nactivate-noawait ldconfig\n' },
  files: [{ path: '/usr', kind: 'dir', mode: 0o755 }, ...files],
  ...over,
});
const classes = (a: DebFacts, b: DebFacts) => compareDebs(a, b).map((d) => d.class);

describe('compareDebs: each class of difference', () => {
  it('the same facts: no difference', () => expect(compareDebs(deb(), deb())).toEqual([]));
  it('a file only one has: missing-file', () => {
    const d = compareDebs(deb(), deb({}, []));
    expect(d).toEqual([{ class: 'missing-file', package: 'libx1', path: lib().path, a: lib().path, detail: `${lib().path}: only in A` }]);
  });
  it('another mode or link target: file-mode', () => {
    expect(classes(deb(), deb({}, [lib({ mode: 0o755 })]))).toEqual(['file-mode']);
    const link = (t: string): DebFile => ({ path: '/usr/lib/x.so', kind: 'symlink', mode: 0o777, target: t });
    expect(compareDebs(deb({}, [link('libx.so.1')]), deb({}, [link('libx.so.2')]))[0]!.detail).toBe(
      '/usr/lib/x.so: symlink 0777 → libx.so.1 / symlink 0777 → libx.so.2',
    );
  });
  it('Depends differ: dependency; Multi-Arch: control', () => {
    const b = deb({ control: { ...deb().control, Depends: 'libc6 (>= 2.36)', 'Multi-Arch': 'foreign' } });
    expect(compareDebs(deb(), b).map((d) => [d.class, d.field, d.a, d.b])).toEqual([
      ['dependency', 'Depends', 'libc6 (>= 2.34)', 'libc6 (>= 2.36)'],
      ['control', 'Multi-Arch', 'same', 'foreign'],
    ]);
  });
  it('a script that differs only in the debhelper version: known; otherwise not', () => {
    const b = deb({ scripts: { triggers: '# Triggers added by dh_makeshlibs/13.10.1\nactivate-noawait ldconfig\n' } });
    const [d] = compareDebs(deb(), b);
    expect(d).toMatchObject({
      class: 'maintainer-script',
      path: 'DEBIAN/triggers',
      known: 'only the debhelper version in its generated comments (13.11.4 / 13.10.1)',
    });
    const c = deb({ scripts: { triggers: '# Triggers added by dh_makeshlibs/13.11.4\nactivate ldconfig\n' } });
    expect(compareDebs(deb(), c)[0]).toMatchObject({
      class: 'maintainer-script',
      detail: 'DEBIAN/triggers: line 2: "activate-noawait ldconfig" / "activate ldconfig"',
    });
    expect(compareDebs(deb(), c)[0]!.known).toBeUndefined();
    expect(compareDebs(deb(), deb({ scripts: {} }))[0]!.detail).toBe('DEBIAN/triggers: only in A');
  });
  it('another machine: elf-header, and nothing more said of that file', () => {
    expect(classes(deb(), deb({}, [lib({ digest: 'L2', elf: elf({ machine: 62 }) })]))).toEqual(['elf-header']);
  });
  it('a function the cross build lacks: symbol-set naming it (the sections differ too, but the interface says it)', () => {
    const b = deb({}, [
      lib({ digest: 'L2', elf: elf({ exports: ['x_answer'], sections: { '.text': 't2', '.rodata': 'r1', '.dynsym': 'd2' } }) }),
    ]);
    const d = compareDebs(deb(), b);
    expect(d.map((x) => x.class)).toEqual(['symbol-set']);
    expect(d[0]!.detail).toBe(`${lib().path}: exported symbols -x_probe`);
    expect(d[0]!.a).toBe('x_probe');
  });
  it('soname and NEEDED', () => {
    expect(classes(deb(), deb({}, [lib({ digest: 'L2', elf: elf({ soname: 'libx.so.2' }) })]))).toEqual(['soname']);
    const n = compareDebs(deb(), deb({}, [lib({ digest: 'L2', elf: elf({ needed: ['libc.so.6', 'libm.so.6'] }) })]));
    expect(n.map((x) => [x.class, x.detail])).toEqual([['needed', `${lib().path}: NEEDED +libm.so.6`]]);
  });
  it('other imported symbols (a configure test answered otherwise): imports', () => {
    const d = compareDebs(
      deb(),
      deb({}, [lib({ digest: 'L2', elf: elf({ imports: ['__stack_chk_fail', 'getcwd', 'memcpy'], sections: { '.text': 't2' } }) })]),
    );
    expect(d.map((x) => [x.class, x.detail])).toEqual([['imports', `${lib().path}: imported symbols +getcwd`]]);
  });
  it('the installed Debian changelog: other-content, known (documentation); a static library: static-library', () => {
    const f = (path: string, digest: string): DebFile => ({ path, kind: 'file', mode: 0o644, size: 10, digest, text: false });
    const a = deb({}, [
      f('/usr/share/doc/libx1/changelog.Debian.gz', 'c1'),
      f('/usr/share/doc/libx1/changelog.Debian.arm64.gz', 'n1'),
      f('/usr/lib/aarch64-linux-gnu/libx.a', 's1'),
    ]);
    const b = deb({}, [
      f('/usr/share/doc/libx1/changelog.Debian.gz', 'c2'),
      f('/usr/share/doc/libx1/changelog.Debian.arm64.gz', 'n2'),
      f('/usr/lib/aarch64-linux-gnu/libx.a', 's2'),
    ]);
    const d = compareDebs(a, b);
    expect(d.map((x) => [x.class, !!x.known])).toEqual([
      ['other-content', true],
      ['other-content', true],
      ['static-library', false],
    ]);
  });
  it('another symbol version needed from libc: symbol-versions', () => {
    const a = deb({}, [lib({ elf: elf({ versionNeeds: ['libc.so.6:GLIBC_2.17'] }) })]);
    const b = deb({}, [
      lib({ digest: 'L2', elf: elf({ versionNeeds: ['libc.so.6:GLIBC_2.17', 'libc.so.6:GLIBC_2.34'], sections: { '.text': 't2' } }) }),
    ]);
    expect(compareDebs(a, b).map((x) => [x.class, x.detail])).toEqual([
      ['symbol-versions', `${lib().path}: symbol versions needed +libc.so.6:GLIBC_2.34`],
    ]);
  });
  it('same interface, other code: code-only; only noise sections differ: nothing', () => {
    expect(
      classes(deb(), deb({}, [lib({ digest: 'L2', elf: elf({ sections: { '.text': 't2', '.rodata': 'r1', '.dynsym': 'd1' } }) })])),
    ).toEqual(['code-only']);
    // The file's digest differs (its build id did), its compared sections do not.
    expect(classes(deb(), deb({}, [lib({ digest: 'L2' })]))).toEqual([]);
  });
  it("bookworm's gcc-12 cross and native revisions: compiler-version, known, and the code difference still shown", () => {
    const b = deb({}, [
      lib({
        digest: 'L2',
        elf: elf({ comment: ['GCC: (Debian 12.2.0-14+deb12u1) 12.2.0'], sections: { '.text': 't2', '.rodata': 'r1', '.dynsym': 'd1' } }),
      }),
    ]);
    const d = compareDebs(deb(), b);
    expect(d.map((x) => x.class)).toEqual(['compiler-version', 'code-only']);
    expect(d[0]!.known).toMatch(/^the same GCC 12\.2\.0, other Debian revisions \(12\.2\.0-14 \/ 12\.2\.0-14\+deb12u1\)/);
    expect(d[1]!.known).toBeUndefined();
  });
  it('other GCC versions: compiler-version, not known', () => {
    expect(knownCompilerDifference(['GCC: (Debian 12.2.0-14) 12.2.0'], ['GCC: (Debian 13.2.0-1) 13.2.0'])).toBeUndefined();
    expect(knownCompilerDifference(['clang version 14'], ['GCC: (Debian 12.2.0-14) 12.2.0'])).toBeUndefined();
  });
  it('pkg-config, text and other files by content', () => {
    const f = (path: string, digest: string, text: boolean): DebFile => ({ path, kind: 'file', mode: 0o644, size: 10, digest, text });
    const a = deb({}, [
      f('/usr/lib/pkgconfig/x.pc', 'p1', true),
      f('/usr/share/x/conf', 'c1', true),
      f('/usr/share/x/data.gz', 'g1', false),
    ]);
    const b = deb({}, [
      f('/usr/lib/pkgconfig/x.pc', 'p2', true),
      f('/usr/share/x/conf', 'c2', true),
      f('/usr/share/x/data.gz', 'g2', false),
    ]);
    expect(classes(a, b)).toEqual(['pkg-config', 'text', 'other-content']);
  });
  it('knownScriptDifference: a real change beside a version is not known', () => {
    expect(knownScriptDifference('# Added by dh_installdeb/13.1\nset -e\n', '# Added by dh_installdeb/13.2\nset -eu\n')).toBeUndefined();
  });
});

describe('compareBuilds: packages matched by name, debug packages left out, the summary', () => {
  it('a package only one build has; -dbgsym ignored; counts; ten lines at most', () => {
    const a = [deb(), deb({ package: 'libx1-dbgsym' }), deb({ package: 'x-utils' })];
    const b = [deb({}, [lib({ digest: 'L2', elf: elf({ exports: ['x_answer'] }) })])];
    const c = compareBuilds({ label: 'cross', debs: a }, { label: 'native', debs: b });
    expect(c.ignored).toEqual(['libx1-dbgsym']);
    expect(c.compared).toEqual(['libx1']);
    expect(countByClass(c.differences)).toEqual([
      ['package', 1],
      ['symbol-set', 1],
    ]);
    expect(c.equivalent).toBe(false);
    expect(formatComparison(c)).toBe(
      [
        'x (arm64): A cross (2 packages), B native (1); debug packages not compared: libx1-dbgsym',
        'different: package 1, symbol-set 1',
        '  package: x-utils: x-utils: only in A',
        `  symbol-set: libx1: ${lib().path}: exported symbols -x_probe`,
        '',
      ].join('\n'),
    );
  });
  it('only known differences: equivalent, and said so', () => {
    const b = deb({ scripts: { triggers: '# Triggers added by dh_makeshlibs/13.10.1\nactivate-noawait ldconfig\n' } });
    const c = compareBuilds({ label: 'A', debs: [deb()] }, { label: 'B', debs: [b] });
    expect(c.equivalent).toBe(true);
    expect(formatComparison(c).split('\n')[1]).toBe('equivalent: 1 package compared; only known differences: maintainer-script 1');
  });
  it('many differences: the summary stays within ten lines', () => {
    const files = Array.from({ length: 40 }, (_, i): DebFile => ({
      path: `/f${i}`,
      kind: 'file',
      mode: 0o644,
      digest: `a${i}`,
      text: true,
    }));
    const other = files.map((f) => ({ ...f, digest: `b${f.path}` }));
    const c = compareBuilds({ label: 'A', debs: [deb({}, files)] }, { label: 'B', debs: [deb({}, other)] });
    const lines = formatComparison(c).trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(lines.at(-1)).toBe('  … and 33 more (--json lists every one)');
  });
});
