// Property tests: whatever text comes in, the parsers either give a result or throw the typed
// InputError (which the CLI turns into exit 2 with file:line), never anything else.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deb822Parser, Paragraph, formatDeb822, parseDeb822 } from '../../src/lib/deb822.js';
import { InputError } from '../../src/lib/errors.js';
import { parseRelationField, type ParseRelationOptions } from '../../src/lib/relation.js';
import { analyseVersion, compareVersions, formatVersion, parseVersion } from '../../src/lib/version.js';
import { have } from '../support/cli.js';

/** XDEB_FUZZ_SCALE=20 runs every property twenty times as long (to hunt, not for every run). */
const SCALE = Math.max(1, Number(process.env.XDEB_FUZZ_SCALE ?? 1));
const runs = (n: number) => ({ numRuns: Math.round(n * SCALE) });
const fixture = (name: string) => readFileSync(new URL(`../fixtures/deb822/${name}`, import.meta.url), 'utf8');
const SAMPLES = [fixture('bookworm-Sources.sample'), fixture('bookworm-Packages_amd64.sample')];
const REAL_PARAGRAPHS = SAMPLES.flatMap((t) => t.split('\n\n'));
const REAL = REAL_PARAGRAPHS.flatMap((t) => parseDeb822(t));
const CONTROL = fixture('control');
const DSC = fixture('hello.dsc');
/** [field, value] of the dependency fields of the samples. */
const REAL_RELATIONS = REAL.flatMap((p) =>
  ['Depends', 'Pre-Depends', 'Recommends', 'Build-Depends', 'Build-Depends-Indep', 'Build-Conflicts', 'Breaks', 'Provides'].flatMap((f) => {
    const v = p.get(f);
    return v === undefined ? [] : [[f, v] as const];
  }),
);
const REAL_VERSIONS = REAL.flatMap((p) => p.get('Version') ?? []);

/** dpkg's verdict (-1, 0, 1) for each pair, 'E' where it refuses a version: one shell for all. */
function dpkgVerdicts(pairs: [string, string][]): (number | 'E')[] {
  const script = `while IFS='\t' read -r a b; do
    dpkg --compare-versions "$a" lt "$b" 2>/dev/null; rc=$?
    if [ $rc = 2 ]; then echo E
    elif [ $rc = 0 ]; then echo -1
    elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo 0
    else echo 1; fi
  done`;
  const r = spawnSync('sh', ['-c', script], { input: pairs.map(([a, b]) => `${a}\t${b}\n`).join(''), encoding: 'utf8' });
  const out = r.stdout.trim().split('\n');
  expect(out.length).toBe(pairs.length);
  return out.map((x) => (x === 'E' ? 'E' : Number(x)));
}

/** Run `f`: its result, or the InputError it threw. Anything else thrown fails the property. */
function outcome<T>(f: () => T): { ok: T } | { error: InputError } {
  try {
    return { ok: f() };
  } catch (e) {
    if (e instanceof InputError) return { error: e };
    throw new Error(`threw ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)} instead of an InputError`, {
      cause: e,
    });
  }
}

/** Mutations of a text: each edit at a position taken modulo the text's length. */
type Edit = { kind: 'delete' | 'insert' | 'replace' | 'duplicate-line' | 'swap-lines' | 'truncate'; at: number; len: number; text: string };

function mutate(text: string, edits: Edit[]): string {
  for (const e of edits) {
    const at = text.length ? e.at % (text.length + 1) : 0;
    switch (e.kind) {
      case 'delete':
        text = text.slice(0, at) + text.slice(at + e.len);
        break;
      case 'insert':
        text = text.slice(0, at) + e.text + text.slice(at);
        break;
      case 'replace':
        text = text.slice(0, at) + e.text + text.slice(at + e.text.length);
        break;
      case 'duplicate-line':
      case 'swap-lines': {
        const lines = text.split('\n');
        const i = e.at % lines.length;
        const j = (e.at + e.len + 1) % lines.length;
        if (e.kind === 'duplicate-line') lines.splice(j, 0, lines[i]!);
        else [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        text = lines.join('\n');
        break;
      }
      case 'truncate':
        text = text.slice(0, at);
        break;
    }
  }
  return text;
}

/** Pieces that steer random text into the parsers' interesting states. */
const DEB822_PIECES = [
  'Package',
  'Version',
  'description',
  'X-a_b',
  'a',
  'é',
  '\u2019',
  '\ud800',
  '\u0000',
  '\ufeff',
  ':',
  ': ',
  ' ',
  '\t',
  '\n',
  '\n',
  '\n',
  '\r\n',
  '\r',
  '\n\n',
  ' .',
  '#',
  '# c\n',
  '-',
  '- ',
  '-----',
  '-----BEGIN PGP SIGNED MESSAGE-----\n',
  'Hash: SHA256\n',
  '-----BEGIN PGP SIGNATURE-----\n',
  '-----END PGP SIGNATURE-----\n',
];
const RELATION_PIECES = [
  'libc6',
  'foo-dev',
  'a',
  'g++',
  ':',
  'any',
  'native',
  'amd64',
  'linux-any',
  'any-arm',
  '(',
  ')',
  '>=',
  '<<',
  '=',
  '<',
  '>',
  '<=',
  '>>',
  '1.0-1',
  '2:1.2~rc1',
  '~',
  '[',
  ']',
  '!',
  '<',
  '>',
  '!stage1',
  'nocheck',
  'pkg.x.y',
  ',',
  '|',
  ' ',
  '\n ',
  '\t',
  '${misc:Depends}',
  'é',
  '\ud800',
];
const VERSION_PIECES = [
  '0',
  '1',
  '9',
  '10',
  '00',
  ':',
  '-',
  '.',
  '+',
  '~',
  'a',
  'Z',
  ' ',
  '\t',
  'é',
  '\ud800',
  '_',
  '2147483648',
  '-1',
  '+1',
];

const piecesOf = (pieces: string[], maxLength: number) => fc.string({ unit: fc.constantFrom(...pieces), maxLength });
const anyText = (maxLength: number) => fc.oneof(fc.string({ unit: 'binary', maxLength }), fc.string({ unit: 'binary-ascii', maxLength }));
const edits = (pieces: string[]) =>
  fc.array(
    fc.record({
      kind: fc.constantFrom<Edit['kind']>('delete', 'insert', 'replace', 'duplicate-line', 'swap-lines', 'truncate'),
      at: fc.nat(),
      len: fc.nat({ max: 40 }),
      text: fc.oneof(fc.constantFrom(...pieces), anyText(8)),
    }),
    { minLength: 1, maxLength: 6 },
  );

describe('deb822 parser on random input', () => {
  /** Parse whole and in chunks; both agree, and a parse that succeeds reads back the same after formatting. */
  function check(text: string, sizes: number[]): void {
    const whole = outcome(() => parseDeb822(text, { file: 'fuzz' }));
    const chunked = outcome(() => {
      const parser = new Deb822Parser({ file: 'fuzz' });
      const out: Paragraph[] = [];
      for (let i = 0, k = 0; i < text.length; k++) {
        const n = sizes[k % sizes.length]!;
        out.push(...parser.feed(text.slice(i, i + n)));
        i += n;
      }
      out.push(...parser.end());
      return out;
    });
    if ('error' in whole) {
      expect(whole.error.file).toBe('fuzz');
      expect(whole.error.line).toBeGreaterThanOrEqual(1);
      expect(whole.error.line).toBeLessThanOrEqual(text.split('\n').length);
      expect('error' in chunked && chunked.error.message).toBe(whole.error.message);
      return;
    }
    expect('ok' in chunked).toBe(true);
    const fields = (ps: Paragraph[]) => ps.map((p) => [...p]);
    expect(fields((chunked as { ok: Paragraph[] }).ok)).toEqual(fields(whole.ok));
    const again = outcome(() => parseDeb822(formatDeb822(whole.ok)));
    expect('ok' in again && fields(again.ok)).toEqual(fields(whole.ok));
    // Whatever the parser gives, set() takes (no error), and the canonical form reads back the same.
    const rebuilt = whole.ok.map((p) => Paragraph.from([...p]));
    expect(fields(parseDeb822(formatDeb822(rebuilt)))).toEqual(fields(whole.ok));
  }
  const sizes = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 });

  it('random strings', () => {
    fc.assert(fc.property(anyText(400), sizes, check), runs(1000));
  });

  it('random strings of deb822 and OpenPGP pieces', () => {
    fc.assert(fc.property(piecesOf(DEB822_PIECES, 120), sizes, check), runs(3000));
  });

  it('random mutations of real paragraphs, a debian/control and a clearsigned .dsc', () => {
    const texts = fc.oneof(fc.constantFrom(...REAL_PARAGRAPHS), fc.constantFrom(CONTROL, DSC, DSC.replace(/\n/g, '\r\n')));
    fc.assert(
      fc.property(texts, edits(DEB822_PIECES), sizes, (t, e, s) => check(mutate(t, e), s)),
      runs(2000),
    );
  });

  it('the mutations do reach the errors', () => {
    // Guard against a generator that never makes bad input: most mutated texts must fail.
    let failures = 0;
    fc.assert(
      fc.property(fc.constantFrom(...REAL_PARAGRAPHS), edits(DEB822_PIECES), (t, e) => {
        if ('error' in outcome(() => parseDeb822(mutate(t, e)))) failures++;
      }),
      { numRuns: 500, seed: 42 },
    );
    expect(failures).toBeGreaterThan(100);
  });
});

describe('relation parser on random input', () => {
  const options = fc.record({
    field: fc.constantFrom(
      undefined,
      'Depends',
      'Pre-Depends',
      'Build-Depends',
      'Build-Depends-Arch',
      'Build-Conflicts',
      'Build-Conflicts-Indep',
      'Provides',
    ),
    buildDep: fc.option(fc.boolean(), { nil: undefined }),
    line: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
  });
  const check = (text: string, o: { field?: string; buildDep?: boolean; line?: number }) => {
    const warnings: string[] = [];
    const opts: ParseRelationOptions = { field: o.field, buildDep: o.buildDep, warn: (m) => warnings.push(m) };
    if (o.line !== undefined) opts.loc = { file: 'debian/control', line: o.line };
    const r = outcome(() => parseRelationField(text, opts));
    if ('error' in r && o.line !== undefined) {
      expect(r.error.file).toBe('debian/control');
      expect(r.error.line).toBeGreaterThanOrEqual(o.line);
    }
  };

  it('random strings', () => {
    fc.assert(fc.property(anyText(200), options, check), runs(2000));
  });

  it('random strings of relation pieces', () => {
    fc.assert(fc.property(piecesOf(RELATION_PIECES, 60), options, check), runs(5000));
  });

  it('random mutations of real dependency fields', () => {
    expect(REAL_RELATIONS.length).toBeGreaterThan(100);
    const values = REAL_RELATIONS.map(([, v]) => v);
    fc.assert(
      fc.property(fc.constantFrom(...values), edits(RELATION_PIECES), options, (t, e, o) => check(mutate(t, e), o)),
      runs(3000),
    );
  });

  it('reads every real dependency field of the samples', () => {
    for (const [field, value] of REAL_RELATIONS) expect(() => parseRelationField(value, { field })).not.toThrow();
  });
});

describe('version parser on random input', () => {
  const check = (v: string) => {
    outcome(() => analyseVersion(v));
    const parsed = outcome(() => parseVersion(v));
    const lenient = outcome(() => parseVersion(v, { allowWarnings: true }));
    if ('ok' in parsed) {
      expect('ok' in lenient).toBe(true);
      // A valid version formats to a string that parses to the same parts.
      expect(parseVersion(formatVersion(parsed.ok))).toEqual(parsed.ok);
    }
  };
  const versions = fc.oneof(
    anyText(40),
    piecesOf(VERSION_PIECES, 20),
    fc.constantFrom(...REAL_VERSIONS).chain((v) => edits(VERSION_PIECES).map((e) => mutate(v, e))),
  );

  it('analyseVersion and parseVersion throw nothing but InputError', () => {
    fc.assert(fc.property(versions, check), runs(5000));
  });

  // '0:1:2' (epoch 0, upstream '1:2') once came back as '1:2', read as epoch 1.
  it('formatVersion keeps the epoch 0 when the upstream version holds a colon', () => {
    const v = parseVersion('0:1:2');
    expect(v).toEqual({ epoch: 0, upstream: '1:2', revision: '' });
    expect(formatVersion(v)).toBe('0:1:2');
    expect(parseVersion(formatVersion(v))).toEqual(v);
  });

  it.runIf(have('dpkg'))('compareVersions agrees with dpkg on random pairs that share a start, non-ASCII included', () => {
    // Pairs made by editing one version into the other, so that they share long starts (the
    // comparison skips a common start) and meet non-ASCII characters (compared as UTF-8 bytes).
    const pieces = [
      ...VERSION_PIECES.filter((p) => !/[\t\n]/.test(p)),
      '\u2019',
      '\ud83d\ude00',
      '\ud83d\ude01',
      'é1',
      'ü',
      '~~',
      '-0',
      '.0',
      '9999999999999999999',
    ];
    const pair = fc
      .oneof(
        fc.constantFrom(...REAL_VERSIONS),
        piecesOf(pieces, 12).filter((v) => v.trim() !== ''),
      )
      .chain((a) =>
        fc.tuple(
          fc.constant(a),
          edits(pieces).map((e) => mutate(a, e)),
        ),
      )
      // What the shell cannot hand to dpkg as it is: NUL ends an argument, read splits on TAB and LF.
      .filter(([a, b]) => b.trim() !== '' && !/[\t\n\r\0]/.test(a + b));
    const pairs = fc.sample(pair, { numRuns: Math.round(600 * SCALE), seed: 2024 });
    const verdicts = dpkgVerdicts(pairs);
    let compared = 0;
    pairs.forEach(([a, b], i) => {
      if (verdicts[i] === 'E') return;
      compared++;
      expect([a, b, compareVersions(a, b)]).toEqual([a, b, verdicts[i]]);
    });
    expect(compared).toBeGreaterThan(pairs.length / 3);
  });

  it('compareVersions is a consistent order on any strings', () => {
    fc.assert(
      fc.property(versions, versions, (a, b) => {
        const ab = compareVersions(a, b);
        expect([-1, 0, 1]).toContain(ab);
        expect(compareVersions(b, a)).toBe(ab === 0 ? 0 : -ab);
        expect(compareVersions(a, a)).toBe(0);
      }),
      runs(5000),
    );
  });
});
