// What a build needs of a source's fields, and building without some build-dependencies (--drop-build-depends): every alternative
// naming a dropped package goes, a relation left with none is dropped (and said so), the rest stays as it was.
import { describe, expect, it } from 'vitest';
import { buildDependencies, type BuildOptions } from '../../src/lib/build-deps.js';
import { parseSingleParagraph } from '../../src/lib/deb822.js';

const control = (fields: string) => parseSingleParagraph(`Source: demo\nVersion: 1.0-1\n${fields}`, { file: 'debian/control' });

const native: BuildOptions = {
  buildArch: 'amd64',
  hostArch: 'amd64',
  profiles: new Set(),
  arch: true,
  indep: true,
  implicit: 'none',
  file: 'debian/control',
};

/** The labels of what the build needs, and the texts of what it dropped. */
function needs(fields: string, opts: Partial<BuildOptions> = {}): { requirements: string[]; dropped: string[]; conflicts: string[] } {
  const bd = buildDependencies(control(fields), { ...native, ...opts });
  return {
    requirements: bd.requirements.map((r) => r.label),
    dropped: bd.dropped.map((d) => `${d.field}: ${d.text}`),
    conflicts: bd.prohibitions.map((p) => p.label),
  };
}

describe('buildDependencies with drop', () => {
  const table: [string, string, string[], { requirements: string[]; dropped: string[] }][] = [
    [
      'no drop: as written',
      'Build-Depends: debhelper-compat (= 13), swig, python3-all-dev | python3-dev\n',
      [],
      {
        requirements: ['Build-Depends: debhelper-compat (= 13)', 'Build-Depends: swig', 'Build-Depends: python3-all-dev | python3-dev'],
        dropped: [],
      },
    ],
    [
      'a relation of one dropped package goes, with its reason',
      'Build-Depends: debhelper-compat (= 13), swig (>= 4.0)\n',
      ['swig'],
      { requirements: ['Build-Depends: debhelper-compat (= 13)'], dropped: ['Build-Depends: swig (>= 4.0) (dropped: swig)'] },
    ],
    [
      'an alternative goes, the rest of its relation stays',
      'Build-Depends: python3-all-dev | python3-dev, libfoo-dev\n',
      ['python3-all-dev'],
      { requirements: ['Build-Depends: python3-dev', 'Build-Depends: libfoo-dev'], dropped: [] },
    ],
    [
      'every alternative dropped: the relation goes',
      'Build-Depends: python3-all-dev | python3-dev, libfoo-dev\n',
      ['python3-dev', 'python3-all-dev'],
      {
        requirements: ['Build-Depends: libfoo-dev'],
        dropped: ['Build-Depends: python3-all-dev | python3-dev (dropped: python3-all-dev, python3-dev)'],
      },
    ],
    [
      'by name, whatever the version, architecture qualifier or arch list',
      'Build-Depends: swig:native (>= 4) [amd64], libfoo-dev\n',
      ['swig'],
      { requirements: ['Build-Depends: libfoo-dev'], dropped: ['Build-Depends: swig:native (>= 4) [amd64] (dropped: swig)'] },
    ],
    [
      'an alternative the profiles already remove is dropped for that reason, not for drop',
      'Build-Depends: swig <!stage1>, libfoo-dev\n',
      ['swig'],
      { requirements: ['Build-Depends: libfoo-dev'], dropped: ['Build-Depends: swig <!stage1>'] },
    ],
    [
      'Build-Depends-Arch and -Indep too',
      'Build-Depends: libfoo-dev\nBuild-Depends-Arch: swig\nBuild-Depends-Indep: doxygen, graphviz\n',
      ['swig', 'doxygen'],
      {
        requirements: ['Build-Depends: libfoo-dev', 'Build-Depends-Indep: graphviz'],
        dropped: ['Build-Depends-Arch: swig (dropped: swig)', 'Build-Depends-Indep: doxygen (dropped: doxygen)'],
      },
    ],
    [
      'a package the source does not name: nothing changes',
      'Build-Depends: libfoo-dev\n',
      ['xdeb-no-such-package'],
      { requirements: ['Build-Depends: libfoo-dev'], dropped: [] },
    ],
  ];
  it.each(table)('%s', (_what, fields, drop, want) => {
    const r = needs(fields, { drop: new Set(drop), profiles: new Set(['stage1']) });
    expect({ requirements: r.requirements, dropped: r.dropped }).toEqual(want);
  });

  it('the arch list drop is kept apart from the package drop, and the line is the field', () => {
    const bd = buildDependencies(control('Build-Depends: libarm-dev [arm64],\n swig\n'), { ...native, drop: new Set(['swig']) });
    expect(bd.dropped).toEqual([
      { field: 'Build-Depends', text: 'libarm-dev [arm64]', line: 3 },
      { field: 'Build-Depends', text: 'swig (dropped: swig)', line: 3 },
    ]);
    expect(bd.requirements).toEqual([]);
  });

  it('Build-Conflicts and the implicit build-essential stay', () => {
    const r = needs('Build-Depends: swig\nBuild-Conflicts: swig3.0\n', {
      drop: new Set(['swig', 'swig3.0', 'build-essential']),
      implicit: 'build-essential',
    });
    expect(r.requirements).toEqual(['implicit: build-essential:native']);
    expect(r.conflicts).toEqual(['Build-Conflicts: swig3.0']);
  });

  it('-B: Build-Depends-Indep is not read, so nothing of it is dropped', () => {
    const r = needs('Build-Depends: libfoo-dev\nBuild-Depends-Indep: doxygen\n', { drop: new Set(['doxygen']), indep: false });
    expect(r).toEqual({ requirements: ['Build-Depends: libfoo-dev'], dropped: [], conflicts: [] });
  });
});
