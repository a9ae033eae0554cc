// A later release's Multi-Arch: foreign, applied to this release's packages: which names count,
// which packages change, which are kept and why, and how each use reads.
import { describe, expect, it } from 'vitest';
import {
  assumeForeign,
  foreignThere,
  formatAssumed,
  formatKept,
  indexLabel,
  KEPT,
  laterMultiArch,
  summarizeAssumed,
} from '../../src/lib/assumed-foreign.js';
import { parseDeb822 } from '../../src/lib/deb822.js';
import { binaryRecord, Universe } from '../../src/lib/universe.js';

/** Packages stanzas, short: "name version arch [multi-arch]" a line. */
function stanzas(lines: string): string {
  return lines
    .trim()
    .split('\n')
    .map((l) => {
      const [name, version, arch, ma] = l.trim().split(/\s+/);
      return `Package: ${name}\nVersion: ${version}\nArchitecture: ${arch}\n${ma ? `Multi-Arch: ${ma}\n` : ''}`;
    })
    .join('\n');
}

const records = (lines: string, file: string) => parseDeb822(stanzas(lines), { file }).map((p) => binaryRecord(p, file));

function universe(lines: string): Universe {
  const u = new Universe();
  const o = u.addOrigin({ label: 'bookworm', file: 'bookworm/Packages', kind: 'file', priority: 600 });
  for (const r of records(lines, 'bookworm/Packages')) u.addBinaryRecord(r, o);
  return u;
}

describe('laterMultiArch: the names a later index marks Multi-Arch: foreign', () => {
  const cases: [string, string, string[]][] = [
    ['foreign on its only stanza', 'tool-data 2.0 all foreign', ['tool-data']],
    ['no Multi-Arch field', 'python3-mako 1.3.9-1 all', []],
    ['same, allowed', 'libfoo1 2 amd64 same\nperl 5.40 amd64 allowed', []],
    ['foreign on every architecture', 'bin-tool 3 amd64 foreign\nbin-tool 3 arm64 foreign', ['bin-tool']],
    ['foreign on one stanza, not on another: not foreign', 'mixed 3 amd64 foreign\nmixed 3 arm64', []],
    ['the order does not matter', 'mixed 3 arm64\nmixed 3 amd64 foreign', []],
  ];
  it.each(cases)('%s', (_, lines, names) => {
    expect(foreignThere(laterMultiArch(records(lines, 'trixie/Packages_amd64'), "trixie's Packages_amd64"))).toEqual(names);
  });

  it('merges several indexes: one that says otherwise wins; the highest version is the evidence', () => {
    const later = laterMultiArch(records('a 1 amd64 foreign\nb 1 amd64 foreign\nc 1 all foreign', 'x'), 'amd64 index');
    laterMultiArch(records('a 2 arm64 foreign\nb 1 arm64 allowed', 'y'), 'arm64 index', later);
    expect(foreignThere(later)).toEqual(['a', 'c']);
    expect(later.get('a')).toEqual({ version: '2', arch: 'arm64', from: 'arm64 index' });
    expect(later.get('c')).toEqual({ version: '1', arch: 'all', from: 'amd64 index' });
    expect(later.get('b')).toBeNull();
  });
});

describe('assumeForeign: the packages that change', () => {
  const later = laterMultiArch(
    records(
      `python3-doc-tool 2.0 all foreign
       bin-tool 3 amd64 foreign
       bin-tool 3 arm64 foreign
       linux-libc-dev 6.12 all foreign
       sqv 1.3 amd64 foreign
       already 1 all foreign`,
      'trixie/Packages_amd64.xz',
    ),
    "trixie's Packages_amd64.xz",
  );

  it('Multi-Arch: no becomes foreign, each package (name, version, arch) returned; same and allowed are kept with why', () => {
    const u = universe(`python3-doc-tool 1.0 all
      bin-tool 2 amd64
      bin-tool 2 arm64
      linux-libc-dev 6.1 amd64 same
      linux-libc-dev 6.1 arm64 same
      sqv 1.0 amd64 allowed
      already 0.9 all foreign
      unrelated 1 all`);
    const r = assumeForeign(u.packages, later);
    expect(r.assumed.map((a) => `${a.name}:${a.arch} ${a.version} was ${a.was}`)).toEqual([
      'python3-doc-tool:all 1.0 was no',
      'bin-tool:amd64 2 was no',
      'bin-tool:arm64 2 was no',
    ]);
    expect(r.kept.map((k) => [`${k.name}:${k.arch}`, k.reason])).toEqual([
      ['linux-libc-dev:amd64', KEPT.same],
      ['linux-libc-dev:arm64', KEPT.same],
      ['sqv:amd64', KEPT.allowed],
    ]);
    const ma = (name: string, arch: string) => u.get(u.named(name).find((id) => u.get(id).arch === arch)!).multiArch;
    expect(ma('python3-doc-tool', 'all')).toBe('foreign');
    expect(ma('bin-tool', 'arm64')).toBe('foreign');
    expect(ma('linux-libc-dev', 'amd64')).toBe('same');
    expect(ma('sqv', 'amd64')).toBe('allowed');
    expect(ma('unrelated', 'all')).toBe('no');
    // A second application changes nothing more.
    expect(assumeForeign(u.packages, later).assumed).toEqual([]);
  });

  it('reads as each use and a summary', () => {
    const r = assumeForeign(universe('python3-doc-tool 1.0 all\nlinux-libc-dev 6.1 amd64 same').packages, later);
    expect(r.assumed.map(formatAssumed)).toEqual([
      "assuming python3-doc-tool:all 1.0 Multi-Arch: foreign (trixie's Packages_amd64.xz says so of 2.0)",
    ]);
    expect(formatKept(r.kept[0]!)).toMatch(
      /^not assuming linux-libc-dev:amd64 6\.1 Multi-Arch: foreign \(trixie's Packages_amd64\.xz says so of 6\.12\): Multi-Arch: same here/,
    );
    expect(summarizeAssumed(r, ["trixie's Packages_amd64.xz"])).toBe(
      "assumed 1 package (1 name) Multi-Arch: foreign, as trixie's Packages_amd64.xz says; 1 Multi-Arch: same or allowed package kept as it is",
    );
    expect(summarizeAssumed({ assumed: [...r.assumed, ...r.assumed], kept: [] }, ['a', 'b', 'c'])).toBe(
      'assumed 2 packages (1 name) Multi-Arch: foreign, as a, b and c say',
    );
  });
});

describe('indexLabel', () => {
  const cases: [string, string][] = [
    ['/work/shared/data/trixie/Packages_amd64.xz', "trixie's Packages_amd64.xz"],
    ['/srv/mirror/debian/dists/trixie/main/binary-arm64/Packages.xz', "trixie's main/binary-arm64/Packages.xz"],
    ['/var/lib/apt/lists/deb.debian.org_debian_dists_trixie_main_binary-amd64_Packages', "trixie's main_binary-amd64_Packages"],
    ['Packages', 'Packages'],
  ];
  it.each(cases)('%s', (path, label) => expect(indexLabel(path)).toBe(label));
});
