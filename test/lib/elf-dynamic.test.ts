// decodeElf against binutils (the reference): the soname and NEEDED of readelf -d, the exported
// symbols of nm -D --defined-only, on shared libraries and programs of this machine.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeElf, isNoiseSection } from '../../src/lib/elf-dynamic.js';

// amd64's from the base system; arm64's from crossbuild-essential-arm64 (scripts/install-deps): all required, none skipped.
const FILES = [
  '/usr/lib/x86_64-linux-gnu/libz.so.1',
  '/usr/lib/x86_64-linux-gnu/libc.so.6',
  '/usr/bin/dpkg',
  '/usr/lib/aarch64-linux-gnu/libc.so.6',
  '/usr/lib/aarch64-linux-gnu/libstdc++.so.6',
];

const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout;

describe.each(FILES)('%s', (file) => {
  const e = decodeElf(readFileSync(file))!;
  it('soname and NEEDED as readelf -d says', () => {
    const d = run('readelf', ['-dW', file]);
    expect(e.needed).toEqual([...d.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]));
    expect(e.soname).toBe(/\(SONAME\)\s+Library soname: \[([^\]]+)\]/.exec(d)?.[1]);
  });
  it('the exported symbols nm -D --defined-only lists (visible, global or weak)', () => {
    const nm = run('nm', ['-D', '--defined-only', '--format=posix', file])
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' '))
      // Global or weak symbols (upper-case types, u unique, v/w weak, i GNU indirect functions); local ones (other lower-case) are not exported.
      .filter(([, t]) => /^[A-Zuvwi]$/.test(t!))
      .map(([n]) => n!.replace(/@.*$/, ''));
    expect(e.exports).toEqual([...new Set(nm)].sort());
    expect(e.exports.length).toBeGreaterThan(0);
  });
  it('the imported symbols nm -D --undefined-only lists', () => {
    const nm = run('nm', ['-D', '--undefined-only', '--format=posix', file])
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ')[0]!.replace(/@.*$/, ''));
    expect(e.imports).toEqual([...new Set(nm)].sort());
  });
  it('the symbol versions it needs, as readelf -V lists them (Version needs section)', () => {
    const v = run('readelf', ['-VW', file]);
    const needs = v.slice(v.indexOf("Version needs section '.gnu.version_r'"));
    const want: string[] = [];
    let lib = '';
    for (const line of needs.split('\n')) {
      const f = /File: (\S+)/.exec(line);
      if (f) lib = f[1]!;
      const n = /Name: (\S+)\s+Flags/.exec(line);
      if (n && lib) want.push(`${lib}:${n[1]}`);
      if (/^Version (definition|symbols) section/.test(line) && want.length) break;
    }
    expect(e.versionNeeds).toEqual([...new Set(want)].sort());
  });
  it('class, machine and sections as readelf -h -S says', () => {
    const h = run('readelf', ['-hW', file]);
    expect(`ELF${e.bits}`).toBe(/Class:\s+(ELF\d+)/.exec(h)![1]);
    const s = run('readelf', ['-SW', file]);
    const names = [...s.matchAll(/^\s*\[\s*\d+\]\s+(\S*)\s+[A-Z_]/gm)].map((m) => m[1]);
    expect(e.sections.map((x) => x.name).filter(Boolean)).toEqual(names.filter((n) => n && n !== 'NULL'));
  });
});

it('every file compared is on the machine', () => expect(FILES.filter((f) => !existsSync(f))).toEqual([]));
it('noise sections', () => {
  expect(['.note.gnu.build-id', '.gnu_debuglink', '.comment'].every(isNoiseSection)).toBe(true);
  expect(['.text', '.rodata', '.dynsym', '.data'].some(isNoiseSection)).toBe(false);
});
it('not ELF: undefined', () => expect(decodeElf(new TextEncoder().encode('#!/bin/sh\necho hi\n'))).toBeUndefined());
