// The data behind the loop breakers that are not profiles: botch's droppable lines as options
// (each alone, a source's together, the weak ones for every source), and what a seed can take.
import { describe, expect, it } from 'vitest';
import { parseDeb822 } from '../../src/lib/deb822.js';
import { droppableOptions, seedsIn } from '../../src/lib/loop-breakers.js';
import { Universe } from '../../src/lib/universe.js';

describe('droppableOptions', () => {
  const options = droppableOptions([
    { source: 'libselinux', drop: ['swig', 'python3-all-dev'], file: '/usr/share/botch/droppable/wookey.list', line: 2 },
    { source: 'libselinux', drop: ['ruby-dev'], file: '/usr/share/botch/droppable/gentoo.list', line: 9 },
    { source: null, drop: ['doxygen'], file: '/usr/share/botch/droppable/weak-build-dependencies.list', line: 1 },
    { source: null, drop: ['texinfo'], file: '/usr/share/botch/droppable/weak-build-dependencies.list', line: 5 },
  ]);

  it("a source's lines alone, together, and the weak build-dependencies, each with where it comes from", () => {
    expect(options('libselinux')).toEqual([
      { kind: 'drop', drops: ['swig', 'python3-all-dev'], evidence: "botch's wookey.list:2 drops swig, python3-all-dev" },
      { kind: 'drop', drops: ['ruby-dev'], evidence: "botch's gentoo.list:9 drops ruby-dev" },
      { kind: 'drop', drops: ['swig', 'python3-all-dev', 'ruby-dev'], evidence: "botch's wookey.list:2, botch's gentoo.list:9 together" },
      {
        kind: 'drop',
        drops: ['doxygen', 'texinfo'],
        evidence: "botch's weak-build-dependencies.list: weak build-dependencies (doxygen, texinfo)",
      },
    ]);
  });

  it('a source no line names gets the weak ones only', () => {
    expect(options('zlib').map((o) => o.drops)).toEqual([['doxygen', 'texinfo']]);
  });
});

describe('seedsIn', () => {
  const u = new Universe();
  const o = u.addOrigin({ label: 'test', file: 'Packages', kind: 'file', priority: 500 });
  const stanzas = [
    'Package: libb-dev\nVersion: 0.9\nArchitecture: arm64\nSource: b',
    'Package: libb-dev\nVersion: 1.1~rc1\nArchitecture: arm64\nSource: b',
    'Package: libb-dev\nVersion: 2.0\nArchitecture: amd64\nSource: b',
    'Package: libc-dev\nVersion: 3.0\nArchitecture: arm64\nSource: c',
  ];
  const ids = parseDeb822(stanzas.join('\n\n'), { file: 'Packages' }).map((p) => u.addBinary(p, o)!.id);
  // The last one is what a source tree will build (planned): not in the repositories.
  const seed = seedsIn(u, new Set([ids[3]!]));

  it("the newest of the binary's architecture, any version; none for a planned one or another architecture", () => {
    expect(seed('libb-dev:arm64')).toBe('libb-dev:arm64 1.1~rc1');
    expect(seed('libb-dev:armhf')).toBeUndefined();
    expect(seed('libc-dev:arm64')).toBeUndefined();
    expect(seed('libz-dev:arm64')).toBeUndefined();
  });
});
