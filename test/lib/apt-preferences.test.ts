// apt_preferences(5) as apt 2.6 applies it: parsing with file and line, general pins (first
// match per index), specific pins (first match per version), defaults, and a universe pinned.
// test/commands/repositories.test.ts checks the same rules against apt-cache policy itself.
import { describe, expect, it } from 'vitest';
import {
  defaultPriority,
  expressionRegExp,
  indexPriority,
  localRepositoryPin,
  parsePin,
  parsePreferences,
  pinMatchesRelease,
  specificPin,
  type ReleaseInfo,
} from '../../src/lib/apt-preferences.js';
import { InputError } from '../../src/lib/errors.js';
import { applyPins } from '../../src/lib/pinning.js';
import { Universe } from '../../src/lib/universe.js';
import { Paragraph } from '../../src/lib/deb822.js';

const debian: ReleaseInfo = {
  origin: 'Debian',
  label: 'Debian',
  suite: 'oldstable',
  codename: 'bookworm',
  version: '12.15',
  component: 'main',
  architecture: 'amd64',
  site: 'deb.debian.org',
};
const local: ReleaseInfo = {
  origin: 'xdeb',
  label: 'xdeb local repository',
  suite: 'full',
  codename: 'full',
  component: 'main',
  architecture: 'arm64',
  site: '',
};
const backports: ReleaseInfo = {
  origin: 'Debian Backports',
  label: 'Debian Backports',
  suite: 'bookworm-backports',
  codename: 'bookworm-backports',
  component: 'main',
  site: 'deb.debian.org',
  notAutomatic: true,
  butAutomaticUpgrades: true,
};

describe('parsing', () => {
  it('reads records, skips explanation-only records and comments', () => {
    const recs = parsePreferences(
      '# comment\nExplanation: nothing\n\nPackage: *\nPin: release o=xdeb\nPin-Priority: 100\n\nPackage: perl libfoo*\nPin: version 5.36*\nPin-Priority: 1001\n',
      '/p',
    );
    expect(recs).toHaveLength(2);
    expect(recs[0]).toMatchObject({ packages: null, priority: 100, line: 4 });
    expect(recs[1]!.packages).toHaveLength(2);
    expect(recs[1]!.pin).toEqual({ kind: 'version', pattern: '5.36*' });
  });
  it.each([
    ['Package: *\nPin: release o=x\nPin-Priority: high\n', /\/p:3: Pin-Priority 'high' is not a whole number/],
    ['Package: *\nPin: release o=x\n', /\/p:1: a preferences record needs a Pin-Priority field/],
    ['Package: *\nPin: somewhere x\nPin-Priority: 1\n', /\/p:2: unknown pin type 'somewhere'/],
    ['Package: *\nPin: release q=x\nPin-Priority: 1\n', /\/p:2: 'q=x' is not a release condition/],
    ['Package: *\nPin: release o=x\nPin-Priority: 0\n', /\/p:3: Pin-Priority 0 has undefined behaviour/],
    ['Package: *\nPinn: release o=x\nPin-Priority: 5\n', /\/p:2: unknown field 'Pinn'/],
  ])('%j is refused with file and line', (text, msg) => {
    expect(() => parsePreferences(text, '/p')).toThrow(InputError);
    expect(() => parsePreferences(text, '/p')).toThrow(msg);
  });
  it('bare release words: a version when they start with a digit, else a suite or codename; the last of a key wins', () => {
    expect(parsePin('release 12', { file: 'f', line: 1 })).toMatchObject({ conditions: { v: '12' } });
    expect(parsePin('release stable', { file: 'f', line: 1 })).toMatchObject({ conditions: { release: 'stable' } });
    expect(parsePin('release a=x, a=stable, o="Debian"', { file: 'f', line: 1 })).toMatchObject({
      conditions: { a: 'stable', o: 'Debian' },
    });
  });
  it('globs and regexes as apt matches them', () => {
    expect(expressionRegExp('lib*-dev').test('libfoo-dev')).toBe(true);
    expect(expressionRegExp('lib?').test('libs')).toBe(true);
    expect(expressionRegExp('lib[ab]').test('libc')).toBe(false);
    expect(expressionRegExp('/kde/').test('libkdecore')).toBe(true);
    expect(expressionRegExp('a.b').test('axb')).toBe(false);
  });
});

describe('general pins', () => {
  const recs = parsePreferences(
    'Package: *\nPin: release o=Debian, n=bookworm\nPin-Priority: 700\n\nPackage: *\nPin: origin deb.debian.org\nPin-Priority: 50\n\nPackage: *\nPin: release l=xdeb*\nPin-Priority: 200\n',
    '/p',
  );
  it.each([
    ['the first matching record wins', debian, 700],
    ['a glob on the label', local, 200],
    ['origin host', { ...backports }, 50],
    ['no record: NotAutomatic + ButAutomaticUpgrades is 100', { ...backports, site: 'other.example' }, 100],
    ['no record: NotAutomatic alone is 1', { ...backports, site: 'other.example', butAutomaticUpgrades: false }, 1],
    ['no record: 500', { ...debian, origin: 'Other', site: 'x' }, 500],
  ])('%s', (_why, release, prio) => {
    expect(indexPriority(recs, release as ReleaseInfo).priority).toBe(prio);
  });
  it("xdeb's record gives the local repository 990 unless a record before it matches", () => {
    expect(indexPriority([localRepositoryPin()], local).priority).toBe(990);
    expect(indexPriority([...recs, localRepositoryPin()], local).priority).toBe(200);
    expect(indexPriority([localRepositoryPin()], debian).priority).toBe(500);
  });
  it('origin "" is a file: repository; release * matches all', () => {
    expect(pinMatchesRelease(parsePin('origin ""', { file: 'f', line: 1 }), local)).toBe(true);
    expect(pinMatchesRelease(parsePin('origin ""', { file: 'f', line: 1 }), debian)).toBe(false);
    expect(pinMatchesRelease(parsePin('release *', { file: 'f', line: 1 }), debian)).toBe(true);
    expect(defaultPriority(undefined, true)).toBe(100);
  });
});

describe('specific pins', () => {
  const recs = parsePreferences(
    'Package: libfoo1\nPin: version 2.*\nPin-Priority: 1001\n\nPackage: libfoo1:arm64\nPin: release o=xdeb\nPin-Priority: -1\n\nPackage: src:bar:any\nPin: origin ""\nPin-Priority: 42\n',
    '/p',
  );
  const v = (name: string, arch: string, version: string, releases: ReleaseInfo[], source = name) => ({
    name,
    arch,
    version,
    source,
    releases,
  });
  it.each([
    ['version glob, native arch', v('libfoo1', 'amd64', '2.1', [debian]), 1001],
    ['not the native arch without :arch', v('libfoo1', 'arm64', '2.1', [debian]), undefined],
    ['name:arch and a release that one of its files matches', v('libfoo1', 'arm64', '1.0', [debian, local]), -1],
    ['arch all counts as native', v('libfoo1', 'all', '2.0', [debian]), 1001],
    ['src: with :any', v('bar-dev', 'arm64', '1', [local], 'bar'), 42],
    ['nothing matches', v('other', 'amd64', '2.0', [debian]), undefined],
  ])('%s', (_why, version, prio) => {
    expect(specificPin(recs, version, 'amd64')?.priority).toBe(prio);
  });
});

describe('a pinned universe', () => {
  const u = new Universe();
  const remote = u.addOrigin({ label: 'remote', file: '/r', kind: 'remote', priority: 500, release: debian });
  const loc = u.addOrigin({ label: 'local', file: '/l', kind: 'local', priority: 990, release: local });
  const add = (origin: number, name: string, version: string) =>
    u.addBinary(Paragraph.from({ Package: name, Version: version, Architecture: 'amd64' }), origin)!;
  const r2 = add(remote, 'libfoo1', '2.0');
  const l1 = add(loc, 'libfoo1', '1.0');
  const both = add(remote, 'libbar1', '1.0');
  add(loc, 'libbar1', '1.0');
  it('by default the local build outranks the newer remote one', () => {
    applyPins(u, [localRepositoryPin()], 'amd64');
    expect(u.priority(l1.id)).toBe(990);
    expect(u.priority(r2.id)).toBe(500);
    // One version offered by both: the highest of its origins.
    expect(u.priority(both.id)).toBe(990);
  });
  it('a record of the user turns it around, and a specific pin overrides both', () => {
    const user = parsePreferences(
      'Package: *\nPin: release o=xdeb\nPin-Priority: 100\n\nPackage: libbar1\nPin: version 1.0\nPin-Priority: 1\n',
      '/p',
    );
    const s = applyPins(u, [...user, localRepositoryPin()], 'amd64');
    expect(u.priority(l1.id)).toBe(100);
    expect(u.priority(r2.id)).toBe(500);
    expect(u.priority(both.id)).toBe(1);
    expect(u.origins[loc]!.pinnedBy).toBe('/p:1');
    expect(s.packages).toBe(1);
  });
});
