import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Deb822Parser,
  Paragraph,
  fieldLines,
  formatDeb822,
  formatParagraph,
  parseDeb822,
  parseSingleParagraph,
  type Deb822Options,
} from '../../src/lib/deb822.js';
import { InputError } from '../../src/lib/errors.js';
import { have } from '../support/cli.js';

// Fixtures: test/fixtures/deb822/. bookworm-*.sample are ~200 paragraphs cut unchanged from
// bookworm's Sources and Packages_amd64 (every Nth one, plus some with non-ASCII text and with
// trailing blanks); hello.dsc and InRelease were clearsigned with gpg.
const fixture = (name: string) => readFileSync(new URL(`../fixtures/deb822/${name}`, import.meta.url), 'utf8');
const CONTROL = fixture('control');
const DSC = fixture('hello.dsc');
const IN_RELEASE = fixture('InRelease');
const SOURCES = fixture('bookworm-Sources.sample');
const PACKAGES = fixture('bookworm-Packages_amd64.sample');

/** Everything the parser says about paragraphs, as plain data to compare. */
function snapshot(paras: Paragraph[]) {
  return paras.map((p) => ({ line: p.line, fields: p.names.map((n, i) => [n, p.values[i], p.lines[i]] as const) }));
}

/** The InputError that `f` throws (failing the test when it throws nothing or something else). */
function inputError(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

/** A deterministic pseudo-random generator, so that a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Parse `text` fed in chunks of random sizes (1..max characters). */
function parseChunked(text: string, seed: number, max: number, opts: Deb822Options = {}): Paragraph[] {
  const rand = rng(seed);
  const parser = new Deb822Parser(opts);
  const out: Paragraph[] = [];
  for (let i = 0; i < text.length;) {
    const n = 1 + Math.floor(rand() * max);
    out.push(...parser.feed(text.slice(i, i + n)));
    i += n;
  }
  out.push(...parser.end());
  return out;
}

const crlf = (s: string) => s.replace(/\n/g, '\r\n');
/** The signed text of the .dsc fixture, from line 4 to the signature. */
const DSC_BODY = ((lines) => lines.slice(3, lines.indexOf('-----BEGIN PGP SIGNATURE-----')).join('\n') + '\n')(DSC.split('\n'));

describe('folded and multiline fields', () => {
  const [source, binary, dev] = parseDeb822(CONTROL, { file: 'debian/control' });

  it('reads the paragraphs of a debian/control', () => {
    expect(parseDeb822(CONTROL).length).toBe(3);
    expect(source!.names).toEqual([
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
    expect(binary!.get('Package')).toBe('xdeb-fixture');
    expect(dev!.get('Build-Profiles')).toBe('<!stage1>');
  });

  it('keeps a folded field as written, line by line, without the comment in it', () => {
    expect(source!.get('Build-Depends')).toBe(
      'debhelper-compat (= 13),\n               libfoo-dev (>= 1.2) [linux-any],\n               pkgconf <!nocheck>,',
    );
  });

  it('keeps a multiline Description: first line trimmed, then the lines with their leading space', () => {
    expect(binary!.get('Description')).toBe(
      'fixture for the deb822 parser\n A paragraph of the long description,\n folded over two lines.\n .\n A second paragraph.\n Last line.',
    );
  });

  it('reads Checksums-Sha256 with an empty first line', () => {
    const dsc = parseSingleParagraph(DSC);
    const sums = dsc.get('Checksums-Sha256')!;
    expect(sums.startsWith('\n ')).toBe(true);
    expect(fieldLines(sums)).toEqual([
      '31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b 725946 hello_2.10.orig.tar.gz',
      '60ee7a466808301fbaa7fea2490b5e7a6d86f598956fb3e79c71b3295dc1f249 12688 hello_2.10-3.debian.tar.xz',
    ]);
    expect(fieldLines(dsc.get('Package-List'))).toEqual(['hello deb devel optional arch=any']);
    expect(fieldLines(undefined)).toEqual([]);
  });

  it('trims the first line, keeps blanks inside, and drops trailing blanks of continuation lines', () => {
    const [p] = parseDeb822('A:x\nB:\t two  words \t\nPackage-List: \n a b  \n  c\nEmpty:\nEmpty-Then-Lines:\n x\n');
    expect(p!.toObject()).toEqual({ A: 'x', B: 'two  words', 'Package-List': '\n a b\n  c', Empty: '', 'Empty-Then-Lines': '\n x' });
  });

  it('records the line of each field and of each paragraph', () => {
    expect(source!.line).toBe(2);
    expect(source!.lineOf('Build-Depends')).toBe(7);
    expect(source!.lineOf('Build-Depends-Indep')).toBe(11);
    expect(binary!.line).toBe(17);
    expect(binary!.lineOf('Description')).toBe(21);
    expect(dev!.line).toBe(30);
    expect(dev!.lineOf('No-Such-Field')).toBe(30);
  });

  it('reads a value that contains colons, and a field name with any printable characters', () => {
    const [p] = parseDeb822('Vcs-Git: https://salsa.debian.org/x.git -b debian/latest\nX-Odd_Name.2+: a:b:c\n');
    expect(p!.get('vcs-git')).toBe('https://salsa.debian.org/x.git -b debian/latest');
    expect(p!.get('X-ODD_NAME.2+')).toBe('a:b:c');
  });
});

describe('field names', () => {
  const [source] = parseDeb822(CONTROL);

  it('are looked up without case', () => {
    expect(source!.get('build-depends-indep')).toBe('python3-sphinx');
    expect(source!.get('BUILD-DEPENDS-INDEP')).toBe('python3-sphinx');
    expect(source!.has('xs-custom-field')).toBe(true);
    expect(source!.has('XS-Custom')).toBe(false);
    expect(source!.get('Nope')).toBeUndefined();
  });

  it('keep their spelling', () => {
    const [p] = parseDeb822('PACKAGE: a\nmulti-arch: same\nXs-Go-Import-Path: x\n');
    expect(p!.names).toEqual(['PACKAGE', 'multi-arch', 'Xs-Go-Import-Path']);
    expect(Object.keys(p!.toObject())).toEqual(['PACKAGE', 'multi-arch', 'Xs-Go-Import-Path']);
    expect(p!.get('Package')).toBe('a');
    expect(p!.get('Multi-Arch')).toBe('same');
    expect([...p!]).toEqual([
      ['PACKAGE', 'a'],
      ['multi-arch', 'same'],
      ['Xs-Go-Import-Path', 'x'],
    ]);
  });

  it('can be any printable ASCII, also in toObject()', () => {
    const [p] = parseDeb822('__proto__: a\nconstructor: b\n');
    expect(Object.keys(p!.toObject())).toEqual(['__proto__', 'constructor']);
    expect(p!.toObject()['__proto__']).toBe('a');
  });

  it('keep their spelling when set with another case', () => {
    const p = Paragraph.from({ Package: 'a', Version: '1' });
    p.set('VERSION', '2');
    expect(p.names).toEqual(['Package', 'Version']);
    expect(p.get('version')).toBe('2');
    expect(p.delete('PACKAGE')).toBe(true);
    expect(p.delete('Package')).toBe(false);
    expect(formatParagraph(p)).toBe('Version: 2\n');
  });
});

describe('comments', () => {
  it('are skipped at the top, between paragraphs and inside a field', () => {
    const paras = parseDeb822(CONTROL);
    for (const p of paras) for (const v of p.values) expect(v).not.toContain('#');
    expect(paras.map((p) => p.get('Package') ?? p.get('Source'))).toEqual(['xdeb-fixture', 'xdeb-fixture', 'libxdeb-fixture-dev']);
  });

  it('do not end a paragraph', () => {
    expect(snapshot(parseDeb822('A: 1\n# note\nB: 2\n'))).toEqual([
      {
        line: 1,
        fields: [
          ['A', '1', 1],
          ['B', '2', 3],
        ],
      },
    ]);
  });

  it('are an error where they are not allowed', () => {
    expect(inputError(() => parseDeb822(CONTROL, { file: 'debian/control', comments: false })).message).toBe(
      "debian/control:1: field name '# debian/control of a small package' starts with '#'",
    );
    expect(inputError(() => parseDeb822('#A: 1\n', { file: 'f', comments: false })).message).toBe("f:1: field name '#A' starts with '#'");
  });
});

describe('clearsigned files', () => {
  const body = DSC_BODY;

  it('reads a clearsigned .dsc as its signed paragraph', () => {
    const parser = new Deb822Parser({ file: 'hello.dsc' });
    const paras = [...parser.feed(DSC), ...parser.end()];
    expect(parser.wasSigned).toBe(true);
    expect(paras.length).toBe(1);
    expect(paras[0]!.get('Source')).toBe('hello');
    expect(paras[0]!.line).toBe(4);
    expect(snapshot(paras)).toEqual(snapshot(parseDeb822('\n\n\n' + body)));
    expect(formatParagraph(paras[0]!)).toBe(body);
  });

  it('reads a clearsigned InRelease', () => {
    const r = parseSingleParagraph(IN_RELEASE);
    expect(r.get('Suite')).toBe('xdeb-local');
    expect(fieldLines(r.get('SHA256')).map((l) => l.split(/\s+/)[2])).toEqual([
      'main/binary-arm64/Packages',
      'main/binary-arm64/Packages.gz',
    ]);
  });

  it('a plain file is not signed', () => {
    const parser = new Deb822Parser();
    parser.feed(body);
    parser.end();
    expect(parser.wasSigned).toBe(false);
  });

  it('unescapes dash-escaped lines', () => {
    const text = [
      '-----BEGIN PGP SIGNED MESSAGE-----',
      'Hash: SHA512',
      '',
      '- Source: hello',
      'Checksums-Sha256:',
      '-  abc 1 hello.tar.gz',
      '- ',
      '- Package: hello',
      '-----BEGIN PGP SIGNATURE-----',
      '',
      'iHUEARYIAB0WIQT3xzsi4jS0PcddFzvPxq9EYln2rgUCawJibwAKCRDPxq9EYln2',
      '-----END PGP SIGNATURE-----',
      '',
    ].join('\n');
    expect(snapshot(parseDeb822(text))).toEqual([
      {
        line: 4,
        fields: [
          ['Source', 'hello', 4],
          ['Checksums-Sha256', '\n abc 1 hello.tar.gz', 5],
        ],
      },
      { line: 8, fields: [['Package', 'hello', 8]] },
    ]);
  });

  it('refuses signed data when told to', () => {
    expect(inputError(() => parseDeb822(DSC, { file: 'x.dsc', signed: false })).message).toBe('x.dsc:1: unexpected OpenPGP signed data');
  });

  describe('made with gpg', () => {
    const home = have('gpg') ? mkdtempSync(join(tmpdir(), 'xdeb-gpg-')) : '';
    const gpg = (args: string[], input?: string) => {
      const r = spawnSync('gpg', ['--batch', '--quiet', '--homedir', home, ...args], { input, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`gpg ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    afterAll(() => {
      if (!home) return;
      spawnSync('gpgconf', ['--homedir', home, '--kill', 'all']);
      rmSync(home, { recursive: true, force: true });
    });

    it.runIf(have('gpg'))('reads what gpg --clearsign wrote, and names the line when it is cut short', () => {
      gpg([
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        '',
        '--quick-gen-key',
        'xdeb test <test@example.org>',
        'ed25519',
        'sign',
        'never',
      ]);
      const text = CONTROL + '\n' + body;
      const signed = gpg(['--clearsign'], text);
      expect(signed.startsWith('-----BEGIN PGP SIGNED MESSAGE-----\n')).toBe(true);
      writeFileSync(join(home, 'signed'), signed);
      gpg(['--verify', join(home, 'signed')]);

      const plain = parseDeb822(text);
      const parser = new Deb822Parser({ file: 'signed' });
      const paras = [...parser.feed(signed), ...parser.end()];
      expect(parser.wasSigned).toBe(true);
      expect(paras.map((p) => p.toObject())).toEqual(plain.map((p) => p.toObject()));
      expect(paras.map((p) => p.line)).toEqual(plain.map((p) => p.line + 3));

      const lines = signed.split('\n');
      const sigLine = lines.indexOf('-----BEGIN PGP SIGNATURE-----') + 1;
      const endLine = lines.indexOf('-----END PGP SIGNATURE-----') + 1;
      const cut = (n: number) => lines.slice(0, n).join('\n') + '\n';
      expect(inputError(() => parseDeb822(cut(sigLine - 1), { file: 'signed' })).message).toBe(
        `signed:${sigLine - 1}: truncated clearsigned data: no OpenPGP signature (the signed message starts on line 1)`,
      );
      expect(inputError(() => parseDeb822(cut(endLine - 1), { file: 'signed' })).message).toBe(
        `signed:${sigLine}: truncated OpenPGP signature: no END PGP SIGNATURE line`,
      );
      expect(inputError(() => parseDeb822(signed + 'Source: evil\n', { file: 'signed' })).message).toBe(
        `signed:${endLine + 1}: data after the OpenPGP signature`,
      );
    });
  });
});

describe('line ends and separators', () => {
  it('reads CRLF text as LF text', () => {
    for (const text of [CONTROL, DSC, SOURCES, PACKAGES]) {
      expect(snapshot(parseDeb822(crlf(text)))).toEqual(snapshot(parseDeb822(text)));
    }
    expect(formatDeb822(parseDeb822(crlf(SOURCES)))).toBe(SOURCES);
  });

  it('takes lines of blanks as paragraph separators', () => {
    expect(snapshot(parseDeb822('\n \t\nA: 1\n \nB: 2\n\t\n\n\nC: 3\n   \n'))).toEqual([
      { line: 3, fields: [['A', '1', 3]] },
      { line: 5, fields: [['B', '2', 5]] },
      { line: 9, fields: [['C', '3', 9]] },
    ]);
  });

  it('reads a last line without newline, and gives nothing for empty text', () => {
    expect(snapshot(parseDeb822('A: 1\n B'))).toEqual([{ line: 1, fields: [['A', '1\n B', 1]] }]);
    expect(snapshot(parseDeb822('A: 1\r\n B\r'))).toEqual([{ line: 1, fields: [['A', '1\n B', 1]] }]);
    expect(parseDeb822('')).toEqual([]);
    expect(parseDeb822('\n\n# only a comment\n')).toEqual([]);
  });

  it('skips a UTF-8 byte order mark, only at the very start', () => {
    expect(parseDeb822('\ufeffPackage: a\n')[0]!.names).toEqual(['Package']);
    expect(parseChunked('\ufeffPackage: a\n', 1, 1)[0]!.names).toEqual(['Package']);
    const parser = new Deb822Parser({ file: 'f' });
    parser.feed('\ufeff');
    expect(inputError(() => parser.feed('\ufeffA: 1\n')).message).toBe(
      "f:1: field name '\ufeffA' contains a character that is not printable ASCII (U+FEFF)",
    );
  });

  it('trims a CR left at the end of a line, as a blank', () => {
    const [p] = parseDeb822('A: x\r\r\nB:\r\n y\r\r\n z \r\n');
    expect(p!.toObject()).toEqual({ A: 'x', B: '\n y\n z' });
    expect(parseDeb822(formatParagraph(p!)).map((q) => q.toObject())).toEqual([p!.toObject()]);
    expect(parseDeb822('A: 1\n \r\nB: 2\n').length).toBe(2);
  });
});

describe('malformed input names the file and line', () => {
  const cases: [string, string, string][] = [
    ['continuation line before any field', ' Depends: a\n', 'f:1: continuation line before any field'],
    ['continuation line after a blank line', 'A: 1\n\n b\n', 'f:3: continuation line before any field'],
    ['continuation line after a comment at the start', '# c\n b\n', 'f:2: continuation line before any field'],
    ['line without colon', 'A: 1\nB 2\n', "f:2: line is not a field (no ':'): 'B 2'"],
    ['line without colon, last and without newline', 'A: 1\nB', "f:2: line is not a field (no ':'): 'B'"],
    ['empty field name', 'A: 1\n: 2\n', 'f:2: field name is empty'],
    ['field name starting with a hyphen', 'A: 1\n-B: 2\n', "f:2: field name '-B' starts with '-'"],
    ['field name with a blank', 'Build Depends: a\n', "f:1: field name 'Build Depends' contains white space"],
    ['field name with a tab', 'A: 1\nB\t: a\n', "f:2: field name 'B\t' contains white space"],
    [
      'field name with non-ASCII',
      'A: 1\nPaquet\u00e9: a\n',
      "f:2: field name 'Paquet\u00e9' contains a character that is not printable ASCII (U+00E9)",
    ],
    [
      'field name with a control character',
      'A\u0000B: 1\n',
      "f:1: field name 'A\u0000B' contains a character that is not printable ASCII (U+0000)",
    ],
    ['duplicate field, other case', 'Package: a\nVersion: 1\npackage: b\n', "f:3: duplicate field 'package' (first on line 1)"],
    ['duplicate field in the second paragraph', 'A: 1\n\nB: 1\nB: 2\n', "f:4: duplicate field 'B' (first on line 3)"],
    [
      'clearsigned, no signature',
      '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nSource: a\n',
      'f:4: truncated clearsigned data: no OpenPGP signature (the signed message starts on line 1)',
    ],
    [
      'clearsigned, cut in the armor header',
      '\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n',
      'f:3: truncated clearsigned data: no OpenPGP signature (the signed message starts on line 2)',
    ],
    [
      'clearsigned, no END line',
      '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nSource: a\n-----BEGIN PGP SIGNATURE-----\n\nabc\n',
      'f:5: truncated OpenPGP signature: no END PGP SIGNATURE line',
    ],
    [
      'data after the signature',
      '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nSource: a\n-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n\nSource: b\n',
      'f:10: data after the OpenPGP signature',
    ],
    ['malformed armor header', '-----BEGIN PGP SIGNED MESSAGE-----\nSource: a b\nHash SHA256\n', 'f:3: malformed OpenPGP armor header'],
    [
      'malformed dash escape',
      '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nSource: a\n-x\n-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n',
      'f:5: malformed dash-escaped line in clearsigned data',
    ],
    [
      'a second signed message',
      '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nA: 1\n-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n-----BEGIN PGP SIGNED MESSAGE-----\n',
      'f:9: data after the OpenPGP signature',
    ],
  ];

  for (const [what, text, message] of cases) {
    it(what, () => {
      const err = inputError(() => parseDeb822(text, { file: 'f' }));
      expect(err.message).toBe(message);
      expect(err.file).toBe('f');
      expect(err.line).toBe(Number(/^f:(\d+):/.exec(message)![1]));
      // The same error however the text is cut into chunks, also between CR and LF.
      for (const t of [text, crlf(text)]) {
        for (let seed = 1; seed <= 20; seed++) {
          expect(inputError(() => parseChunked(t, seed, 1 + (seed % 7), { file: 'f' })).message).toBe(message);
        }
      }
    });
  }

  it('without a file name, names the line', () => {
    expect(inputError(() => parseDeb822('A: 1\nB\n')).message).toBe("line 2: line is not a field (no ':'): 'B'");
  });

  it('parseSingleParagraph wants exactly one paragraph', () => {
    expect(inputError(() => parseSingleParagraph('A: 1\n\nB: 2\n', { file: 'x.dsc' })).message).toBe('x.dsc:3: more than one paragraph');
    expect(inputError(() => parseSingleParagraph('\n# nothing\n', { file: 'x.dsc' })).message).toBe('x.dsc: no paragraph found');
  });
});

describe('streaming', () => {
  const texts: [string, string][] = [
    ['debian/control', CONTROL],
    ['debian/control, CRLF', crlf(CONTROL)],
    ['clearsigned .dsc', DSC],
    ['clearsigned .dsc, CRLF', crlf(DSC)],
    ['InRelease', IN_RELEASE],
    ['Sources sample', SOURCES],
    ['Packages sample, CRLF', crlf(PACKAGES)],
    ['odd spacing', 'A:x\nB:  y  \nC: \n a  \n\n  \t\nD:\n\tz\t\n'],
  ];

  for (const [what, text] of texts) {
    it(`gives the same paragraphs in chunks of any size as in one piece: ${what}`, () => {
      const whole = snapshot(parseDeb822(text));
      const written = formatDeb822(parseDeb822(text));
      const maxima = text.length > 20_000 ? [1, 3, 64, 4096] : [1, 2, 3, 5, 17, 100];
      for (const max of maxima) {
        for (let seed = 1; seed <= 6; seed++) {
          const chunked = parseChunked(text, seed * 7919 + max, max);
          expect(snapshot(chunked)).toEqual(whole);
          expect(formatDeb822(chunked)).toBe(written);
        }
      }
    });
  }

  it('returns each paragraph as soon as the blank line after it is fed', () => {
    const parser = new Deb822Parser();
    expect(parser.feed('A: 1\n')).toEqual([]);
    expect(parser.feed(' more\n').length).toBe(0);
    const first = parser.feed('\nB');
    expect(first.map((p) => p.toObject())).toEqual([{ A: '1\n more' }]);
    expect(parser.feed(': 2').length).toBe(0);
    expect(parser.end().map((p) => p.toObject())).toEqual([{ B: '2' }]);
  });
});

describe('writer', () => {
  it('gives back real archive paragraphs byte for byte', () => {
    for (const text of [SOURCES, PACKAGES]) {
      const paras = parseDeb822(text);
      expect(paras.length).toBeGreaterThan(90);
      expect(formatDeb822(paras)).toBe(text);
      expect(paras.map(formatParagraph).join('\n')).toBe(text);
    }
    // The samples hold the non-canonical spellings the archive uses, so this is not trivial.
    expect(SOURCES).toContain('\nPackage-List: \n');
    expect(PACKAGES).toMatch(/[^ \n] \n/);
  });

  it('gives back canonical text byte for byte', () => {
    const canonical =
      'Source: a\nBuild-Depends: b,\n c\nFiles:\n 123 4 a.tar\nEmpty:\n\nPackage: a\nDescription: short\n long\n .\n more\n';
    expect(formatDeb822(parseDeb822(canonical))).toBe(canonical);
    expect(formatDeb822(parseDeb822(DSC_BODY))).toBe(DSC_BODY);
  });

  it('gives back fields that were not written canonically as they were read', () => {
    const odd = 'A:x\nB:\t  y \nPackage-List: \n a  \n b\nDescription: d\n line \n\tline2\n';
    expect(formatDeb822(parseDeb822(odd))).toBe(odd);
    expect(formatDeb822(parseDeb822(crlf(odd)))).toBe(odd);
  });

  it('writes a field canonically once it is changed', () => {
    const [p] = parseDeb822('A:x\nPackage-List: \n a  \n');
    p!.set('a', 'y');
    p!.set('PACKAGE-LIST', '\n b');
    p!.set('New', 'z\n more');
    expect(formatParagraph(p!)).toBe('A: y\nPackage-List:\n b\nNew: z\n more\n');
  });

  it('any parse → format → parse is equal', () => {
    const texts = [CONTROL, crlf(CONTROL), DSC, crlf(DSC), IN_RELEASE, SOURCES, PACKAGES, 'A:x\nB:\t  y \n\n \nC: \n a  \n\tb\t\n'];
    for (const text of texts) {
      const paras = parseDeb822(text);
      const again = parseDeb822(formatDeb822(paras));
      expect(again.map((p) => [...p])).toEqual(paras.map((p) => [...p]));
    }
  });

  it('formats paragraphs built in memory', () => {
    const p = Paragraph.from([
      ['Package', 'x'],
      ['Checksums-Sha256', '\n abc 1 x.tar.gz\n def 2 x.dsc'],
      ['Empty', ''],
    ]);
    expect(formatDeb822([p, Paragraph.from({ Package: 'y' })])).toBe(
      'Package: x\nChecksums-Sha256:\n abc 1 x.tar.gz\n def 2 x.dsc\nEmpty:\n\nPackage: y\n',
    );
    expect(formatDeb822([])).toBe('');
  });

  it('refuses names and values it could not give back', () => {
    const p = new Paragraph();
    const bad: [string, string, string][] = [
      ['', 'x', "cannot set field '': field name is empty"],
      ['A B', 'x', "cannot set field 'A B': field name 'A B' contains white space"],
      ['A\u0001', 'x', "cannot set field 'A\u0001': field name 'A\u0001' contains a character that is not printable ASCII (U+0001)"],
      ['\ufeffA', 'x', "cannot set field '\ufeffA': field name '\ufeffA' contains a character that is not printable ASCII (U+FEFF)"],
      ['A:B', 'x', "cannot set field 'A:B': field name 'A:B' contains ':'"],
      ['-A', 'x', "cannot set field '-A': field name '-A' starts with '-'"],
      ['#A', 'x', "cannot set field '#A': field name '#A' starts with '#'"],
      ['A', ' x', "cannot set field 'A': the first line of the value has blanks around it"],
      ['A', 'x ', "cannot set field 'A': the first line of the value has blanks around it"],
      ['A', 'x\ny', "cannot set field 'A': line 2 of the value does not start with a blank or has nothing else"],
      ['A', 'x\n  ', "cannot set field 'A': line 2 of the value does not start with a blank or has nothing else"],
      ['A', 'x\n\n y', "cannot set field 'A': line 2 of the value does not start with a blank or has nothing else"],
      ['A', 'x\n y ', "cannot set field 'A': line 2 of the value ends with a blank"],
      ['A', 'x\r', "cannot set field 'A': the first line of the value has blanks around it"],
      ['A', 'x\n y\r', "cannot set field 'A': line 2 of the value ends with a blank"],
      ['A', 'x\n \r', "cannot set field 'A': line 2 of the value does not start with a blank or has nothing else"],
    ];
    for (const [name, value, message] of bad) expect(inputError(() => p.set(name, value)).message).toBe(message);
    expect(p.size).toBe(0);
  });
});

// The reference parsers: apt's (python3-apt) for the archive samples, python-debian's for the
// signed .dsc. Values are compared less trailing blanks on each line, which xdeb drops and apt keeps.
const PYTHON = '/usr/bin/python3';
const hasPython = (module: string) => spawnSync(PYTHON, ['-c', `import ${module}`]).status === 0;
const normal = (v: string) =>
  v
    .replace(/^\s+/, '')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');

describe('agrees with the reference parsers', () => {
  it.runIf(hasPython('apt_pkg'))('apt_pkg.TagFile on the archive samples', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xdeb-deb822-'));
    try {
      for (const text of [SOURCES, PACKAGES]) {
        writeFileSync(join(dir, 'index'), text);
        const script = `import apt_pkg, json, sys
print(json.dumps([[[k, s[k]] for k in s.keys()] for s in apt_pkg.TagFile(open(sys.argv[1], 'rb'))]))`;
        const r = spawnSync(PYTHON, ['-c', script, join(dir, 'index')], { encoding: 'utf8', maxBuffer: 1 << 28 });
        expect(r.status).toBe(0);
        const apt = JSON.parse(r.stdout) as [string, string][][];
        const ours = parseDeb822(text).map((p) => [...p].map(([k, v]) => [k, normal(v)]));
        expect(ours).toEqual(apt.map((p) => p.map(([k, v]) => [k, normal(v)])));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(hasPython('debian.deb822'))('python-debian on the clearsigned .dsc', () => {
    const script = `import json, sys
from debian.deb822 import Deb822
d = Deb822(open(sys.argv[1], 'rb'))
print(json.dumps([[k, d[k]] for k in d.keys()]))`;
    const r = spawnSync(PYTHON, ['-c', script, new URL('../fixtures/deb822/hello.dsc', import.meta.url).pathname], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const theirs = JSON.parse(r.stdout) as [string, string][];
    expect([...parseSingleParagraph(DSC)].map(([k, v]) => [k, normal(v)])).toEqual(theirs.map(([k, v]) => [k, normal(v)]));
  });
});

// Last in this file: it fills the parser's table of field names (4096) for the rest of the process.
describe('more field names than the table holds', () => {
  it('still reads, finds and refuses duplicates of names outside it', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `X-Name-${i}: ${i}`).join('\n') + '\n';
    const [p] = parseDeb822(many);
    expect(p!.size).toBe(5000);
    expect(p!.get('x-name-4999')).toBe('4999');
    expect(p!.lineOf('X-NAME-4500')).toBe(4501);
    // Duplicates, either name in the table or not.
    expect(inputError(() => parseDeb822('X-Outside-1: a\nx-outside-1: b\n', { file: 'f' })).message).toBe(
      "f:2: duplicate field 'x-outside-1' (first on line 1)",
    );
    expect(inputError(() => parseDeb822('X-Outside-2: a\nPackage: p\npackage: b\n', { file: 'f' })).message).toBe(
      "f:3: duplicate field 'package' (first on line 2)",
    );
    expect(inputError(() => parseDeb822('Package: p\nX-Outside-3: a\nPACKAGE: b\n', { file: 'f' })).message).toBe(
      "f:3: duplicate field 'PACKAGE' (first on line 1)",
    );
    expect(inputError(() => parseDeb822('X-Outside-4: a\nX-Name-1: p\nx-outside-4: b\n', { file: 'f' })).message).toBe(
      "f:3: duplicate field 'x-outside-4' (first on line 1)",
    );
    expect(formatDeb822(parseDeb822(CONTROL))).toBe(formatDeb822(parseDeb822(crlf(CONTROL))));
  });
});
