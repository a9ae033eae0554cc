// A distro's set and base files: one source a line, comments, errors with file and line.
import { describe, expect, it } from 'vitest';
import { baseFromEntries, baseFromList, entryName, parseSourceList } from '../../src/lib/source-set.js';

describe('parseSourceList', () => {
  it('names, NAME=VERSION, NAME/SUITE, paths; comments and blank lines skipped; each with its line', () => {
    const text = '# my distro\nbusybox\n\ndropbear=2022.83-1+deb12u1   # the ssh server\nzlib/bookworm\n./local/tree\n/srv/x_1.0.dsc\n';
    expect(parseSourceList(text, 'set.txt')).toEqual([
      { arg: 'busybox', file: 'set.txt', line: 2 },
      { arg: 'dropbear=2022.83-1+deb12u1', file: 'set.txt', line: 4 },
      { arg: 'zlib/bookworm', file: 'set.txt', line: 5 },
      { arg: './local/tree', file: 'set.txt', line: 6 },
      { arg: '/srv/x_1.0.dsc', file: 'set.txt', line: 7 },
    ]);
  });

  const bad: [string, RegExp][] = [
    ['busybox\nBusyBox\n', /^set\.txt:2: 'BusyBox' is not a source/],
    ['busybox dropbear\n', /^set\.txt:1: one source a line, found 'busybox dropbear'/],
    ['zlib=\n', /^set\.txt:1: 'zlib=' is not a source/],
    ['zlib\nbusybox\nzlib\n', /^set\.txt:3: 'zlib' is listed twice \(also on line 1\)/],
  ];
  it.each(bad)('%j is refused naming the line', (text, message) => {
    expect(() => parseSourceList(text, 'set.txt')).toThrow(message);
  });
});

describe('the base', () => {
  it("a list, a file's names, or 'outside'", () => {
    expect(baseFromList('outside')).toEqual({ kind: 'outside' });
    const b = baseFromList('glibc, gcc-12,binutils');
    expect(b.kind === 'sources' && [...b.names.keys()]).toEqual(['glibc', 'gcc-12', 'binutils']);
    const f = baseFromEntries(parseSourceList('glibc\ngcc-12=12.2.0-14\n', 'base.txt'));
    expect(f.kind === 'sources' && Object.fromEntries(f.names)).toEqual({
      glibc: { file: 'base.txt', line: 1 },
      'gcc-12': { file: 'base.txt', line: 2 },
    });
  });

  it('names sources by name only', () => {
    expect(() => baseFromEntries(parseSourceList('./tree\n', 'base.txt'))).toThrow(/^base\.txt:1: a base names sources by name/);
    expect(() => baseFromList('glibc,Nope')).toThrow(/'Nope' is not a source name/);
    expect(entryName('giflib/bookworm')).toBe('giflib');
    expect(entryName('x_1.0.dsc')).toBeUndefined();
  });
});
