import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checksumMismatch,
  isPlainName,
  parseChanges,
  parseDsc,
  plainNameProblem,
  resultFileKind,
  splitDebName,
} from '../../src/lib/changes.js';
import { parseSingleParagraph } from '../../src/lib/deb822.js';
import { InputError } from '../../src/lib/errors.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/changes/${name}`, import.meta.url), 'utf8');
const changes = (text: string, file = 'x.changes') => parseChanges(parseSingleParagraph(text, { file }), file);

/** The InputError a parse throws, or a failure when it throws nothing. */
function inputError(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('plain file names', () => {
  const good = [
    'hello_2.10-3_arm64.deb',
    'libfoo1_1.0~rc1+dfsg-2_amd64.deb',
    'foo_1.0.orig.tar.xz',
    'a',
    'Foo_1.0.dsc',
    'x_1.0_arm64.buildinfo',
  ];
  const bad: [string, RegExp][] = [
    ['../evil.deb', /contains '\/'/],
    ['../../etc/passwd', /contains '\/'/],
    ['/etc/passwd', /contains '\/'/],
    ['sub/dir.deb', /contains '\/'/],
    ['..', /not a plain file name/],
    ['.', /not a plain file name/],
    ['', /empty/],
    ['.hidden.deb', /not first/],
    ['-rf', /not first/],
    ['a b.deb', /only letters/],
    ['foo\\bar.deb', /only letters/],
    ['x'.repeat(256), /longer than 255/],
    ['foo\0.deb', /NUL/],
  ];
  it.each(good)('%s is plain', (n) => {
    expect(plainNameProblem(n)).toBeUndefined();
    expect(isPlainName(n)).toBe(true);
  });
  it.each(bad)('%j is refused', (n, why) => {
    expect(plainNameProblem(n)).toMatch(why);
    expect(isPlainName(n)).toBe(false);
  });
});

describe('parseChanges', () => {
  it('reads a .changes written by dpkg-genchanges (cross build)', () => {
    const c = changes(fixture('libxdebdemo_1.0_arm64.changes'));
    expect(c).toMatchObject({
      kind: 'changes',
      source: 'libxdebdemo',
      version: '1.0',
      sourceVersion: '1.0',
      architectures: ['arm64'],
      profiles: ['cross', 'nocheck'],
    });
    expect(c.binaries).toEqual(['libxdebdemo-dev', 'libxdebdemo1', 'libxdebdemo1-dbgsym']);
    expect(c.files.map((f) => f.name)).toEqual([
      'libxdebdemo-dev_1.0_arm64.deb',
      'libxdebdemo1-dbgsym_1.0_arm64.deb',
      'libxdebdemo1_1.0_arm64.deb',
      'libxdebdemo_1.0_arm64.buildinfo',
    ]);
    for (const f of c.files) {
      expect(f.md5).toMatch(/^[0-9a-f]{32}$/);
      expect(f.sha1).toMatch(/^[0-9a-f]{40}$/);
      expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(c.files[2]).toMatchObject({ section: 'libs', priority: 'optional' });
    // The line of each file is its line in Files.
    const lines = fixture('libxdebdemo_1.0_arm64.changes').split('\n');
    for (const f of c.files)
      expect(lines[f.line - 1]).toMatch(new RegExp(`^ [0-9a-f]{32} \\d+ \\S+ \\S+ ${f.name.replace(/[.+]/g, '\\$&')}$`));
  });

  it('reads a source .changes', () => {
    const c = changes(fixture('libxdebdemo_1.0_source.changes'));
    expect(c.architectures).toEqual(['source']);
    expect(c.profiles).toEqual([]);
    expect(c.files.map((f) => resultFileKind(f.name))).toEqual(['dsc', 'source']);
  });

  it('reads the source version of a binNMU', () => {
    const text = fixture('libxdebdemo_1.0_arm64.changes')
      .replace('Source: libxdebdemo', 'Source: libxdebdemo (1.0)')
      .replace('Version: 1.0', 'Version: 1.0+b1');
    const c = changes(text);
    expect(c.version).toBe('1.0+b1');
    expect(c.sourceVersion).toBe('1.0');
  });

  const base = fixture('libxdebdemo_1.0_arm64.changes');
  const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
  /** Edit the entry of `name` in one multi-line field; fails the test if there is none. */
  const editEntry = (text: string, field: string, name: string, edit: (cols: string[]) => string[]) => {
    const lines = text.split('\n');
    let i = lines.indexOf(`${field}:`) + 1;
    expect(i).toBeGreaterThan(0);
    while (i < lines.length && lines[i]!.startsWith(' ') && !lines[i]!.endsWith(` ${name}`)) i++;
    expect(lines[i]).toMatch(new RegExp(`^ .* ${name.replace(/[.+]/g, '\\$&')}$`));
    lines[i] = ' ' + edit(lines[i]!.trim().split(' ')).join(' ');
    return lines.join('\n');
  };

  it('refuses a path traversal name, naming the file and line', () => {
    const text = base.replaceAll('libxdebdemo1_1.0_arm64.deb', '../../../tmp/evil.deb');
    const e = inputError(() => changes(text, '/in/x.changes'));
    expect(e.file).toBe('/in/x.changes');
    // Files is checked first: the error is on its line.
    expect(e.line).toBe(lineOf(text, ' libs optional ../../../tmp/evil.deb'));
    expect(e.message).toMatch(
      /^\/in\/x\.changes:\d+: '\.\.\/\.\.\/\.\.\/tmp\/evil\.deb' is not a plain file name: it contains '\/' \(in 'Files'\)$/,
    );
  });

  it('refuses an absolute name in Checksums-Sha256 alone', () => {
    const text = editEntry(base, 'Checksums-Sha256', 'libxdebdemo1_1.0_arm64.deb', ([sum, size]) => [sum!, size!, '/etc/passwd']);
    const e = inputError(() => changes(text));
    expect(e.line).toBe(lineOf(text, '/etc/passwd'));
    expect(e.reason).toMatch(/'\/etc\/passwd' is not a plain file name.*Checksums-Sha256/);
  });

  it('refuses sizes that disagree between fields', () => {
    const text = editEntry(base, 'Checksums-Sha256', 'libxdebdemo-dev_1.0_arm64.deb', ([sum, size, name]) => [
      sum!,
      String(Number(size) + 1),
      name!,
    ]);
    const e = inputError(() => changes(text));
    expect(e.reason).toMatch(/'libxdebdemo-dev_1\.0_arm64\.deb' has size \d+ in 'Checksums-Sha256' but \d+ on line \d+/);
    expect(e.line).toBe(
      lineOf(text.slice(text.indexOf('Checksums-Sha256:')), 'libxdebdemo-dev') +
        text.slice(0, text.indexOf('Checksums-Sha256:')).split('\n').length -
        1,
    );
  });

  it('refuses a file listed in a checksum field but not in Files', () => {
    const lines = base.split('\n');
    const filesAt = lines.indexOf('Files:');
    const text = lines.filter((l, i) => !(i > filesAt && l.endsWith(' libxdebdemo_1.0_arm64.buildinfo'))).join('\n');
    expect(text).not.toBe(base);
    expect(inputError(() => changes(text)).reason).toMatch(
      /'libxdebdemo_1\.0_arm64\.buildinfo' is in 'Checksums-Sha(256|1)' but not in 'Files'/,
    );
  });

  it('refuses a file in Files that a checksum field leaves out', () => {
    const lines = base.split('\n');
    const at = lines.indexOf('Checksums-Sha256:');
    const text = lines.filter((l, i) => !(i === at + 1)).join('\n');
    expect(inputError(() => changes(text)).reason).toMatch(/is in 'Files' but not in 'Checksums-Sha256'/);
  });

  const dev = 'libxdebdemo-dev_1.0_arm64.deb';
  it.each([
    ['a malformed entry', (t: string) => editEntry(t, 'Files', dev, (c) => c.filter((_, i) => i !== 3)), /malformed 'Files' entry/],
    ['a bad checksum', (t: string) => editEntry(t, 'Checksums-Sha256', dev, (c) => ['nothex', ...c.slice(1)]), /is not a SHA256 checksum/],
    ['a bad size', (t: string) => editEntry(t, 'Files', dev, (c) => [c[0]!, '16x8', ...c.slice(2)]), /'16x8' is not a file size/],
    ['a duplicate', (t: string) => t.replace(/^(Files:\n)( .*\n)/m, '$1$2$2'), /listed twice in 'Files'/],
    ['no Source', (t: string) => t.replace(/^Source: .*\n/m, ''), /missing field 'Source'/],
    ['no Architecture', (t: string) => t.replace(/^Architecture: .*\n/m, ''), /missing field 'Architecture'/],
    ['a bad version', (t: string) => t.replace(/^Version: .*$/m, 'Version: a:b'), /invalid version/],
    ['a bad source name', (t: string) => t.replace(/^Source: .*$/m, 'Source: Foo_Bar'), /not a source package name/],
    ['no files', (t: string) => t.replace(/Checksums-Sha1:[\s\S]*$/, ''), /lists no files/],
  ])('refuses %s', (_what, edit, why) => {
    const text = (edit as (t: string) => string)(base);
    expect(text).not.toBe(base);
    expect(inputError(() => changes(text)).reason).toMatch(why as RegExp);
  });
});

describe('parseDsc', () => {
  it('reads a .dsc written by dpkg-source', () => {
    const d = parseDsc(parseSingleParagraph(fixture('libxdebdemo_1.0.dsc'), { file: 'x.dsc' }), 'x.dsc');
    expect(d).toMatchObject({ kind: 'dsc', source: 'libxdebdemo', version: '1.0', architectures: ['any'] });
    expect(d.binaries).toEqual(['libxdebdemo1', 'libxdebdemo-dev']);
    expect(d.files).toHaveLength(1);
    expect(d.files[0]).toMatchObject({ name: 'libxdebdemo_1.0.tar.xz' });
    expect(d.files[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
  it('refuses a traversal name in a .dsc with its line', () => {
    const text = fixture('libxdebdemo_1.0.dsc').replaceAll('libxdebdemo_1.0.tar.xz', '../libxdebdemo_1.0.tar.xz');
    const e = inputError(() => parseDsc(parseSingleParagraph(text, { file: 'x.dsc' }), 'x.dsc'));
    expect(text.split('\n')[e.line! - 1]).toContain('../libxdebdemo_1.0.tar.xz');
  });
});

describe('helpers', () => {
  it('kinds', () => {
    expect(['a.deb', 'a.udeb', 'a.dsc', 'a.buildinfo', 'a.changes', 'a.orig.tar.gz'].map(resultFileKind)).toEqual([
      'deb',
      'udeb',
      'dsc',
      'buildinfo',
      'changes',
      'source',
    ]);
  });
  it('splitDebName', () => {
    expect(splitDebName('libfoo-dev_1.2~rc1-3_arm64.deb')).toEqual({ package: 'libfoo-dev', version: '1.2~rc1-3', arch: 'arm64' });
    expect(splitDebName('foo.deb')).toBeUndefined();
  });
  it('checksumMismatch names the first disagreement', () => {
    const actual = { size: 3, md5: 'a'.repeat(32), sha1: 'b'.repeat(40), sha256: 'c'.repeat(64) };
    const listed = { name: 'x', line: 1, size: 3, md5: 'a'.repeat(32), sha1: 'b'.repeat(40), sha256: 'c'.repeat(64) };
    expect(checksumMismatch(listed, actual)).toBeUndefined();
    expect(checksumMismatch({ ...listed, size: 4 }, actual)).toBe('size is 3, the upload says 4');
    expect(checksumMismatch({ ...listed, sha256: 'd'.repeat(64) }, actual)).toMatch(/^SHA256 is c+, the upload says d+$/);
    expect(checksumMismatch({ ...listed, md5: 'e'.repeat(32) }, actual)).toMatch(/^MD5 is/);
  });
});
