import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/lib/errors.js';
import { TarReader, type TarMember } from '../../src/lib/tar.js';

const dir = mkdtempSync(join(tmpdir(), 'xdeb-tar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A tree with what .debs hold: directories, files of all sizes, symlinks, long paths.
const root = join(dir, 'root');
const longDir = 'usr/share/' + 'a-rather-long-directory-name/'.repeat(5);
const contents: Record<string, Buffer> = {
  'usr/bin/tool': Buffer.from('\x7fELF' + 'x'.repeat(100)),
  'usr/share/doc/empty': Buffer.alloc(0),
  'usr/share/doc/exactly-512': Buffer.alloc(512, 0x61),
  'usr/share/doc/big': Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251)),
  [`${longDir}file-with-a-long-name-${'n'.repeat(120)}`]: Buffer.from('long'),
};
for (const [p, c] of Object.entries(contents)) {
  mkdirSync(join(root, p, '..'), { recursive: true });
  writeFileSync(join(root, p), c);
}
symlinkSync('tool', join(root, 'usr/bin/link'));

function read(archive: Buffer, chunk: number, headBytes = 8): TarMember[] {
  const r = new TarReader(headBytes);
  const out: TarMember[] = [];
  for (let i = 0; i < archive.length; i += chunk) out.push(...r.feed(archive.subarray(i, i + chunk)));
  r.end();
  return out;
}

describe.each(['gnu', 'posix', 'ustar', 'oldgnu'])('tar --format=%s', (format) => {
  const file = join(dir, `${format}.tar`);
  const names = Object.keys(contents).filter((p) => format !== 'ustar' || p.length < 250);
  execFileSync('tar', ['--format', format, '-cf', file, '-C', root, 'usr/bin', 'usr/share/doc', ...(format === 'ustar' ? [] : [longDir])]);
  const archive = readFileSync(file);
  // tar itself lists what the archive holds: the reference.
  const listed = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');

  it.each([1, 7, 512, 4096, 1 << 20])('in chunks of %i bytes', (chunk) => {
    const members = read(archive, chunk);
    expect(members.map((m) => m.path + (m.type === 'directory' && !m.path.endsWith('/') ? '/' : ''))).toEqual(listed);
    for (const name of names) {
      const m = members.find((x) => x.path === name);
      expect(m, name).toBeDefined();
      expect(m!.type).toBe('file');
      expect(m!.size).toBe(contents[name]!.length);
      expect(Buffer.from(m!.head).equals(contents[name]!.subarray(0, 8))).toBe(true);
    }
    expect(members.find((m) => m.path === 'usr/bin/link')!.type).toBe('symlink');
  });
});

describe('broken archives', () => {
  const file = join(dir, 'b.tar');
  execFileSync('tar', ['-cf', file, '-C', root, 'usr/bin']);
  const archive = readFileSync(file);
  it('a truncated archive is an error at the end', () => {
    const r = new TarReader();
    r.feed(archive.subarray(0, 700));
    expect(() => r.end()).toThrow(InputError);
  });
  it('a bad checksum is an error', () => {
    const bad = Buffer.from(archive);
    bad[10] = bad[10]! ^ 1;
    expect(() => new TarReader().feed(bad)).toThrow(/bad checksum/);
  });
});
