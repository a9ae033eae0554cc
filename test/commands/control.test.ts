// xdeb control end to end: any deb822 file, compressed or not, signed or not, from a file or
// stdin, as JSON or text; bad input named by file and line, exit 2 and no stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { have, runCli } from '../support/cli.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/deb822/', import.meta.url));
const CONTROL = join(FIXTURES, 'control');
const DSC = join(FIXTURES, 'hello.dsc');
const PACKAGES = join(FIXTURES, 'bookworm-Packages_amd64.sample');
const SOURCES = join(FIXTURES, 'bookworm-Sources.sample');
const read = (path: string) => readFileSync(path, 'utf8');

/** Field names of each paragraph of plain, unsigned text without comments, read with a regex. */
function namesByRegex(text: string): string[][] {
  return text
    .trim()
    .split(/\n\n+/)
    .map((block) => [...block.matchAll(/^([^\s:#][^:\s]*):/gm)].map((m) => m[1]!));
}

let tmp: string;
const at = (name: string) => join(tmp, name);

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'xdeb-control-'));
  writeFileSync(at('Packages.gz'), gzipSync(readFileSync(PACKAGES)));
  if (have('xz')) writeFileSync(at('Packages.xz'), spawnSync('xz', ['-c', PACKAGES], { maxBuffer: 1 << 26 }).stdout);
  writeFileSync(at('bad-control'), 'Source: x\n\nPackage: y\nDescription short\n');
  writeFileSync(at('bad.gz'), gzipSync('Package: a\n\nPackage: b\n continued\n\n continuation without field\n'));
  writeFileSync(at('truncated.gz'), gzipSync(readFileSync(PACKAGES)).subarray(0, 5000));
  const dsc = read(DSC);
  writeFileSync(at('truncated.dsc'), dsc.slice(0, dsc.indexOf('-----END PGP SIGNATURE-----')));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function json(args: string[], input?: string): Record<string, string>[] {
  const r = runCli(['control', '--json', ...args], { input });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Record<string, string>[];
}

describe('xdeb control --json', () => {
  it('prints the paragraphs of a debian/control, fields in order, names as written', () => {
    const paras = json([CONTROL]);
    expect(paras.length).toBe(3);
    expect(Object.keys(paras[0]!)).toEqual([
      'Source',
      'Section',
      'Priority',
      'Maintainer',
      'Build-Depends',
      'Build-Depends-Indep',
      'Standards-Version',
      'Rules-Requires-Root',
      'Homepage',
      'XS-Custom-Field',
    ]);
    expect(paras[0]!['Build-Depends']).toBe(
      'debhelper-compat (= 13),\n               libfoo-dev (>= 1.2) [linux-any],\n               pkgconf <!nocheck>,',
    );
    expect(paras[1]!['Description']).toBe(
      'fixture for the deb822 parser\n A paragraph of the long description,\n folded over two lines.\n .\n A second paragraph.\n Last line.',
    );
    expect(paras[2]).toEqual({
      Package: 'libxdeb-fixture-dev',
      Architecture: 'any',
      'Multi-Arch': 'same',
      'Build-Profiles': '<!stage1>',
      Section: 'libdevel',
      Depends: 'xdeb-fixture (= ${binary:Version}), ${misc:Depends}',
      Description: 'development files of the fixture\n Headers.',
    });
  });

  it('prints the signed paragraph of a clearsigned .dsc', () => {
    const paras = json([DSC]);
    expect(paras.length).toBe(1);
    const body = read(DSC).split('\n').slice(3).join('\n').split('-----BEGIN PGP SIGNATURE-----')[0]!;
    expect(Object.keys(paras[0]!)).toEqual(namesByRegex(body)[0]);
    expect(paras[0]!['Source']).toBe('hello');
    expect(paras[0]!['Checksums-Sha256']).toBe(
      '\n 31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b 725946 hello_2.10.orig.tar.gz' +
        '\n 60ee7a466808301fbaa7fea2490b5e7a6d86f598956fb3e79c71b3295dc1f249 12688 hello_2.10-3.debian.tar.xz',
    );
  });

  it('reads a Packages file plain, gzip- and xz-compressed alike', () => {
    const text = read(PACKAGES);
    const plain = runCli(['control', '--json', PACKAGES]);
    expect(plain.status).toBe(0);
    const paras = JSON.parse(plain.stdout) as Record<string, string>[];
    expect(paras.map((p) => Object.keys(p))).toEqual(namesByRegex(text));
    expect(paras.map((p) => p['Package'])).toEqual([...text.matchAll(/^Package: (.*)$/gm)].map((m) => m[1]));
    expect(runCli(['control', '--json', at('Packages.gz')]).stdout).toBe(plain.stdout);
    if (have('xz')) expect(runCli(['control', '--json', at('Packages.xz')]).stdout).toBe(plain.stdout);
  });

  it('keeps the order of any field names', () => {
    const r = runCli(['control', '--json', '-'], { input: 'B: 1\n1: x\n__proto__: y\n\nC: \n two\n' });
    expect(r.stdout).toBe('[\n  {"B":"1","1":"x","__proto__":"y"},\n  {"C":"\\n two"}\n]\n');
  });

  it("reads standard input as '-'", () => {
    expect(json(['-'], read(CONTROL))).toEqual(json([CONTROL]));
    expect(json(['-'], '')).toEqual([]);
  });

  it('prints the paragraphs of several files in one array', () => {
    expect(json([CONTROL, DSC, '-'], read(CONTROL)).map((p) => p['Source'] ?? p['Package'])).toEqual([
      'xdeb-fixture',
      'xdeb-fixture',
      'libxdeb-fixture-dev',
      'hello',
      'xdeb-fixture',
      'xdeb-fixture',
      'libxdeb-fixture-dev',
    ]);
  });
});

describe('xdeb control (text)', () => {
  it('gives back archive indexes byte for byte', () => {
    for (const file of [SOURCES, PACKAGES]) {
      const r = runCli(['control', file]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(read(file));
    }
  });

  it('prints a signed file without its signature', () => {
    const r = runCli(['control', DSC]);
    expect(r.stdout).toBe(read(DSC).split('\n').slice(3).join('\n').split('-----BEGIN PGP SIGNATURE-----')[0]);
  });
});

describe('xdeb control on bad input', () => {
  /** Exit 2, exactly `message` on stderr, no stack trace. */
  function fails(args: string[], message: string, input?: string): void {
    const r = runCli(['control', ...args], { input });
    expect(r.stderr).toBe(`xdeb control: error: ${message}\n`);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.status).toBe(2);
  }

  it('names the file and line of a malformed file', () => {
    fails(['--json', at('bad-control')], `${at('bad-control')}:4: line is not a field (no ':'): 'Description short'`);
    fails([at('bad-control')], `${at('bad-control')}:4: line is not a field (no ':'): 'Description short'`);
  });

  it('names the line in the decompressed text of a compressed file', () => {
    fails(['--json', at('bad.gz')], `${at('bad.gz')}:6: continuation line before any field`);
  });

  it('names <stdin> for standard input', () => {
    fails(['--json', '-'], "<stdin>:2: field name 'Build Depends' contains white space", 'Source: a\nBuild Depends: b\n');
  });

  it('names the line of a clearsigned file cut short', () => {
    const lines = read(DSC).split('\n');
    fails(
      ['--json', at('truncated.dsc')],
      `${at('truncated.dsc')}:${lines.indexOf('-----BEGIN PGP SIGNATURE-----') + 1}: truncated OpenPGP signature: no END PGP SIGNATURE line`,
    );
  });

  it('refuses a truncated compressed file', () => {
    fails(['--json', at('truncated.gz')], `${at('truncated.gz')}: cannot decompress: unexpected end of file`);
  });

  it('refuses a missing file', () => {
    fails(['--json', at('no-such-file')], `${at('no-such-file')}: no such file`);
    fails([CONTROL, at('no-such-file')], `${at('no-such-file')}: no such file`);
  });

  it('wants a file', () => {
    const r = runCli(['control', '--json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/missing required argument/);
  });
});
