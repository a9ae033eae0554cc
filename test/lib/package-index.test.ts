// The binary package index (lib/package-index.ts) and the universe that reads it by name: every
// record comes back as it went in, each table finds what it must, a damaged index is refused,
// and a universe reading indexes lazily answers exactly as one that read every record first —
// on the conformance cases in every mode, and on random universes.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BuildChecker, type SourceVerdict } from '../../src/lib/build-check.js';
import { parseDeb822 } from '../../src/lib/deb822.js';
import { DependencyIndex } from '../../src/lib/installability.js';
import type { ResolverMode } from '../../src/lib/multiarch.js';
import { buildPackageIndex, bufferSource, CorruptIndexError, PackageIndexReader, relationNames } from '../../src/lib/package-index.js';
import { parseRelationField } from '../../src/lib/relation.js';
import { binaryRecord, sourceRecord, Universe, type BinaryRecord } from '../../src/lib/universe.js';
import { sourceStanza, stanza } from '../support/universe.js';

const SAMPLE = (name: string) => readFileSync(new URL(`../fixtures/deb822/${name}`, import.meta.url), 'utf8');
const PACKAGES = parseDeb822(SAMPLE('bookworm-Packages_amd64.sample'), { file: 'Packages' });
const SOURCES = parseDeb822(SAMPLE('bookworm-Sources.sample'), { file: 'Sources' });
const BINARIES = PACKAGES.map((p) => binaryRecord(p, 'Packages'));
const SOURCE_RECORDS = SOURCES.map((p) => sourceRecord(p));
const index = (b: readonly BinaryRecord[] = BINARIES, s = SOURCE_RECORDS) =>
  new PackageIndexReader(bufferSource(buildPackageIndex(b, s, 'stamp')));

describe('package index', () => {
  it('gives back every record as it went in, by ordinal', () => {
    const ix = index();
    expect(ix.binaryCount).toBe(BINARIES.length);
    expect(ix.sourceCount).toBe(SOURCE_RECORDS.length);
    expect(BINARIES.length).toBeGreaterThan(50);
    BINARIES.forEach((r, i) => {
      expect(ix.binary(i)).toEqual(r);
      expect(ix.binaryName(i)).toBe(r.name);
    });
    SOURCE_RECORDS.forEach((r, i) => expect(ix.source(i)).toEqual(r));
    expect(ix.stamp).toBe('stamp');
  });

  it('finds every package, provider, source and Essential package by name', () => {
    const ix = index();
    const want = (pick: (r: BinaryRecord) => string[], name: string) => BINARIES.flatMap((r, i) => (pick(r).includes(name) ? [i] : []));
    const names = new Set(BINARIES.flatMap((r) => [r.name, ...relationNames(r.provides)]));
    for (const n of names) {
      expect(ix.named(n)).toEqual(want((r) => [r.name], n));
      expect(ix.providing(n)).toEqual(want((r) => relationNames(r.provides), n));
    }
    for (const s of SOURCES) {
      const n = s.get('Package')!;
      expect(ix.sourcesNamed(n)).toEqual(SOURCES.flatMap((q, i) => (q.get('Package') === n ? [i] : [])));
    }
    expect(ix.named('no-such-package')).toEqual([]);
    expect(ix.essential()).toEqual(BINARIES.flatMap((r, i) => (r.essential ? [i] : [])));
    expect(ix.archCounts).toEqual(BINARIES.reduce<Record<string, number>>((a, r) => ({ ...a, [r.arch]: (a[r.arch] ?? 0) + 1 }), {}));
  });

  it('names every package a relation field names, as the parser reads it', () => {
    for (const p of PACKAGES) {
      for (const f of ['Depends', 'Provides', 'Conflicts', 'Breaks', 'Pre-Depends']) {
        const text = p.get(f);
        if (!text) continue;
        const parsed = parseRelationField(text, { field: f, buildDep: false })
          .flat()
          .map((a) => a.name);
        expect(relationNames(text)).toEqual(expect.arrayContaining(parsed));
      }
    }
    expect(relationNames('a:any (>= 1) [amd64] <!nocheck> | b, c')).toEqual(['a', 'b', 'c']);
  });

  it('keeps strings that are not ASCII, and an empty index', () => {
    const r: BinaryRecord = { ...BINARIES[0]!, name: 'pkg-é', depends: 'libc6 (>= 2.36), ünïcode' };
    const ix = index([r], []);
    expect(ix.binary(0)).toEqual(r);
    expect(ix.named('pkg-é')).toEqual([0]);
    const empty = index([], []);
    expect([empty.binaryCount, empty.sourceCount, empty.named('x'), empty.essential()]).toEqual([0, 0, [], []]);
  });

  it('refuses what is not an index, or is cut short anywhere', () => {
    const built = buildPackageIndex(BINARIES, SOURCE_RECORDS, 'stamp');
    expect(() => new PackageIndexReader(bufferSource(Buffer.from('Package: hello\n')))).toThrow(CorruptIndexError);
    for (const cut of [100, built.length / 2, built.length - 1]) {
      expect(() => new PackageIndexReader(bufferSource(built.subarray(0, Math.floor(cut))))).toThrow(/truncated|not an xdeb/);
    }
  });

  /** The header of a built index (its offset and length are in the trailer). */
  const headerOf = (b: Buffer) =>
    JSON.parse(b.toString('utf8', b.readUInt32LE(b.length - 36), b.readUInt32LE(b.length - 36) + b.readUInt32LE(b.length - 32)));
  const NAME = BINARIES[5]!.name;
  const DAMAGE: [string, (b: Buffer) => number][] = [
    ['in a record', (b) => b.indexOf(BINARIES[5]!.version)],
    ['in a table entry (a key)', (b) => b.lastIndexOf(NAME)],
    ['in an offsets table', (b) => headerOf(b).binaries.offsets + 4 * 5],
    ['in a bucket table', (b) => headerOf(b).tables.names.at + 1],
    ['in the header', (b) => b.lastIndexOf('"stamp"') + 2],
  ];

  it.each(DAMAGE)('damage %s is caught when read, never used', (_what, find) => {
    const b = Buffer.from(buildPackageIndex(BINARIES, SOURCE_RECORDS, 'stamp'));
    const at = find(b);
    expect(at).toBeGreaterThan(8);
    b[at] ^= 0x20;
    expect(() => {
      const ix = new PackageIndexReader(bufferSource(b));
      ix.named(NAME);
      for (let i = 0; i < ix.binaryCount; i++) ix.binary(i);
    }).toThrow(CorruptIndexError);
  });

  it('with a way to rebuild, goes on from the rebuilt index, which it asks for once', () => {
    const good = index();
    const b = Buffer.from(buildPackageIndex(BINARIES, SOURCE_RECORDS, 'stamp'));
    // Flip a byte in every record's first string: each one is damaged.
    const offsets = headerOf(b).binaries.offsets as number;
    for (let i = 0; i < BINARIES.length; i++) b[b.readUInt32LE(offsets + 4 * i) + 11] ^= 1;
    const reasons: string[] = [];
    const ix = new PackageIndexReader(bufferSource(b), (why) => {
      reasons.push(why);
      return bufferSource(buildPackageIndex(BINARIES, SOURCE_RECORDS, 'stamp'));
    });
    expect(ix.named(NAME)).toEqual(good.named(NAME));
    for (let i = 0; i < BINARIES.length; i++) expect(ix.binary(i)).toEqual(BINARIES[i]);
    expect(reasons).toEqual(['record 0 does not match its checksum']);
  });

  it('refuses a rebuilt index that is not the one in use', () => {
    const b = Buffer.from(buildPackageIndex(BINARIES, SOURCE_RECORDS, 'stamp'));
    const offsets = headerOf(b).binaries.offsets as number;
    b[b.readUInt32LE(offsets) + 11] ^= 1;
    const ix = new PackageIndexReader(bufferSource(b), () => bufferSource(buildPackageIndex(BINARIES.slice(1), SOURCE_RECORDS, 'stamp')));
    expect(() => ix.binary(0)).toThrow(/not the one in use/);
  });
});

// ---------------------------------------------------------------------------------------------
// Reading lazily answers as reading everything

const BUILD = 'amd64';
const HOST = 'arm64';

/** Packages files (lines in the short form of test/support/universe.ts) and what dpkg's status holds. */
interface Archive {
  files: string[][];
  installed: string[];
}

const recordsOf = (lines: string[], file: string) => parseDeb822(lines.map(stanza).join('\n'), { file }).map((p) => binaryRecord(p, file));

/** As the loader builds it: dpkg's status first, then every index, either added whole or attached. */
function universe(a: Archive, lazy: boolean): Universe {
  const u = new Universe();
  if (a.installed.length) {
    const so = u.addOrigin({ label: 'status', file: 'status', kind: 'status', priority: 100 });
    for (const r of recordsOf(a.installed, 'status')) u.addBinaryRecord(r, so, { installed: true });
  }
  a.files.forEach((lines, i) => {
    const file = `Packages.${i}`;
    const o = u.addOrigin({ label: file, file, kind: 'file', priority: 500 + i });
    const records = recordsOf(lines, file);
    if (lazy) u.attach(o, new PackageIndexReader(bufferSource(buildPackageIndex(records, [], file))), { wanted: [BUILD, HOST, 'all'] });
    else for (const r of records) if ([BUILD, HOST, 'all'].includes(r.arch)) u.addBinaryRecord(r, o);
  });
  return u;
}

function check(a: Archive, lazy: boolean, fields: Record<string, string>, mode: ResolverMode): SourceVerdict {
  const checker = new BuildChecker(new DependencyIndex(universe(a, lazy), { buildArch: BUILD, hostArch: HOST, mode }));
  return checker.check(sourceStanza(fields), {
    buildArch: BUILD,
    hostArch: HOST,
    profiles: new Set(['cross', 'nocheck']),
    arch: true,
    indep: false,
    implicit: mode === 'dose' ? 'dose' : 'build-essential',
  });
}

/** What a verdict says, in plain values (the packages by name, arch, version and origin). */
const plain = (v: SourceVerdict) => ({
  status: v.status,
  install: v.install.map((p) => `${p.name}:${p.arch}=${p.version}@${p.origin}${p.alsoFrom ? `+${p.alsoFrom.join('+')}` : ''}`),
  placements: v.placements,
  failures: JSON.stringify(v.failures),
});

interface ConformanceCase {
  id: string;
  packages: string[];
  installed?: string[];
  source: Record<string, string>;
}
const CONFORMANCE = JSON.parse(readFileSync(new URL('../fixtures/conformance/cases.json', import.meta.url), 'utf8')) as {
  base: string[];
  cases: ConformanceCase[];
};

describe('a universe reading indexes by name', () => {
  it('answers every conformance case as one that read every record, in every mode', () => {
    let compared = 0;
    for (const c of CONFORMANCE.cases) {
      const lines = [...CONFORMANCE.base, ...c.packages];
      const essential = lines.filter((l) => / essential\b/.test(l.split('|')[0]!) && / (amd64|all) /.test(l));
      const installed = [...essential, ...lines.filter((l) => (c.installed ?? []).includes(l.split(/\s+/).slice(0, 2).join(':')))];
      // Split across two files, the second repeating some of the first: duplicates merge the same way.
      const archive: Archive = { files: [lines, lines.filter((_, i) => i % 3 === 0)], installed };
      for (const mode of ['apt', 'dose', 'dpkg'] as const) {
        const a = mode === 'dose' ? { ...archive, installed: [] } : archive;
        expect({ id: c.id, mode, ...plain(check(a, true, c.source, mode)) }).toEqual({
          id: c.id,
          mode,
          ...plain(check(a, false, c.source, mode)),
        });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(60);
  });

  const NAMES = ['a', 'b', 'c', 'd', 'libx', 'liby', 'v1', 'v2'];
  // ':native' only where it is allowed: a malformed field is reported when a question touches it,
  // which a universe that reads everything does for every package.
  const relationWith = (qualifiers: string[]) =>
    fc
      .array(fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...qualifiers), fc.constantFrom('', ' (>= 2)', ' (<< 2)', ' (= 1)')), {
        minLength: 1,
        maxLength: 3,
      })
      .map((alts) => alts.map(([n, q, v]) => `${n}${q}${v}`).join(' | '));
  const relation = relationWith(['', ':any']);
  const buildRelation = relationWith(['', ':any', ':native']);
  const field = (name: string) => fc.option(fc.array(relation, { minLength: 1, maxLength: 3 }).map((r) => `${name}: ${r.join(', ')}`));
  const pkg = fc
    .tuple(
      fc.constantFrom(...NAMES.filter((n) => !n.startsWith('v'))),
      fc.constantFrom('amd64', 'arm64', 'all', 'armhf'),
      fc.constantFrom('1', '2', '3'),
      fc.constantFrom('', 'same', 'foreign', 'allowed'),
      fc.boolean(),
      field('Depends'),
      fc.option(fc.constantFrom('Provides: v1', 'Provides: v2 (= 2)', 'Provides: v1, v2')),
      field('Conflicts'),
      field('Breaks'),
    )
    .map(
      ([n, arch, ver, ma, ess, ...fields]) => `${n} ${arch} ${ver} ${ma} ${ess ? 'essential' : ''} | ${fields.filter(Boolean).join('; ')}`,
    );

  it('answers random universes as one that read every record', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(pkg, { maxLength: 12 }), { minLength: 1, maxLength: 3 }),
        fc.array(pkg, { maxLength: 3 }),
        fc.array(buildRelation, { minLength: 1, maxLength: 3 }),
        fc.constantFrom<ResolverMode>('apt', 'dose', 'dpkg'),
        (files, installed, deps, mode) => {
          const a: Archive = { files, installed: installed.filter((l) => !/ (armhf|all) /.test(l)) };
          const fields = { 'Build-Depends': deps.join(', ') };
          const outcome = (lazy: boolean) => {
            try {
              return plain(check(a, lazy, fields, mode));
            } catch (e) {
              return { error: String(e) };
            }
          };
          expect(outcome(true)).toEqual(outcome(false));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a package added one by one after an index is attached comes after its records: an equal one of the index stays the one', () => {
    const lines = ['libfoo1 arm64 1 same', 'other amd64 1'];
    const planned = recordsOf(['libfoo1 arm64 1 same', 'libfoo1 arm64 2 same'], 'planned');
    for (const lazy of [true, false]) {
      const u = universe({ files: [lines], installed: [] }, lazy);
      const o = u.addOrigin({ label: 'planned', file: 'planned', kind: 'file', priority: 990 });
      const added = planned.map((r) => u.addBinaryRecord(r, o));
      expect({ lazy, origins: added.map((p) => [p.version, p.origin, p.alsoFrom]) }).toEqual({
        lazy,
        origins: [
          ['1', 0, [1]],
          ['2', 1, undefined],
        ],
      });
      expect(u.named('libfoo1').map((id) => u.get(id).version)).toEqual(['1', '2']);
    }
  });

  it('reads only the names a question touches, and everything when asked for all', () => {
    const lines = [
      'hello amd64 1 | Depends: libc6',
      'libc6 amd64 2 same',
      'unrelated amd64 1 | Depends: other',
      'other amd64 1',
      'skipped armhf 1',
    ];
    const u = universe({ files: [lines], installed: [] }, true);
    expect(u.named('hello').map((id) => u.get(id).toString())).toEqual(['hello:amd64 1']);
    expect(u.idLimit).toBe(1);
    expect(u.architectures).toEqual(new Set(['amd64']));
    expect(u.all().map((p) => p.name)).toEqual(['hello', 'libc6', 'unrelated', 'other']);
    expect(u.named('skipped')).toEqual([]);
  });
});
