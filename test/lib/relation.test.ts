import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/lib/errors.js';
import {
  formatRelationField,
  mentionedProfiles,
  parseRelationField,
  profilesSatisfied,
  reduceRelationField,
  type ParseRelationOptions,
} from '../../src/lib/relation.js';
import { ROOT } from '../support/cli.js';

const haveDpkgDeps = spawnSync('perl', ['-MDpkg::Deps', '-e', '1']).status === 0;

/**
 * Dpkg::Deps' output for each field (bench/dpkg-deps-reduce.pl, one perl process): reduced for
 * `host` and `profiles`, or only parsed and output() when host is undefined. '#ERROR …' when
 * Dpkg::Deps rejects the field.
 */
function dpkgDeps(values: readonly string[], host?: string, profiles: readonly string[] = [], field = 'Build-Depends'): string[] {
  const args = host === undefined ? ['--no-reduce'] : ['--host-arch', host, '--build-arch', 'amd64', '--profiles', profiles.join(',')];
  const r = spawnSync('perl', [`${ROOT}/bench/dpkg-deps-reduce.pl`, ...args, '--field', field], {
    input: values.map((v) => v.replace(/\n/g, ' ') + '\n').join(''),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`dpkg-deps-reduce.pl: ${r.stderr}`);
  const lines = r.stdout.split('\n');
  lines.pop();
  expect(lines).toHaveLength(values.length);
  return lines;
}

const fmt = (text: string, opts?: ParseRelationOptions) => formatRelationField(parseRelationField(text, opts));
const reduce = (text: string, host: string, profiles: readonly string[] = [], field = 'Build-Depends') =>
  formatRelationField(reduceRelationField(parseRelationField(text, { field }), { hostArch: host, profiles: new Set(profiles) }));

describe('parse', () => {
  it('gives relations of alternatives with every part', () => {
    expect(parseRelationField('a (>= 1.0-1) | b:native [amd64 !i386] <!nocheck> <cross stage1>, c:any')).toEqual([
      [
        { name: 'a', archQualifier: undefined, op: '>=', version: '1.0-1', archList: undefined, profiles: undefined },
        {
          name: 'b',
          archQualifier: 'native',
          op: undefined,
          version: undefined,
          archList: ['amd64', '!i386'],
          profiles: [['!nocheck'], ['cross', 'stage1']],
        },
      ],
      [{ name: 'c', archQualifier: 'any', op: undefined, version: undefined, archList: undefined, profiles: undefined }],
    ]);
  });

  it('gives no relation for an empty field', () => {
    expect(parseRelationField('')).toEqual([]);
    expect(parseRelationField(' \n ')).toEqual([]);
  });

  it.each(['<<', '<=', '=', '>=', '>>'] as const)('reads the operator %s', (op) => {
    expect(parseRelationField(`a (${op} 2:1.0~rc1-3+b1)`)[0]![0]).toMatchObject({ op, version: '2:1.0~rc1-3+b1' });
    expect(parseRelationField(`a(${op}1)`)[0]![0]).toMatchObject({ op, version: '1' });
  });
});

// [field as written, Dpkg::Deps' output() of it (no reduction)]; also checked against live Dpkg::Deps.
const FORMAT: [string, string][] = [
  ['a', 'a'],
  ['a,b', 'a, b'],
  ['  a ,  b  ', 'a, b'],
  ['a|b', 'a | b'],
  ['a | b | c, d', 'a | b | c, d'],
  ['a(>=1)', 'a (>= 1)'],
  ['a ( >= 1.0-1~bpo1 )', 'a (>= 1.0-1~bpo1)'],
  ['a (<< 1)', 'a (<< 1)'],
  ['a (<= 1)', 'a (<= 1)'],
  ['a (= 1:2.3-4)', 'a (= 1:2.3-4)'],
  ['a (>> 1)', 'a (>> 1)'],
  ['a (< 1)', 'a (<= 1)'],
  ['a (> 1)', 'a (>= 1)'],
  ['a (>1)', 'a (>= 1)'],
  ['a:any', 'a:any'],
  ['a:native', 'a:native'],
  ['a:amd64 (>= 1)', 'a:amd64 (>= 1)'],
  ['libA:Any', 'libA:Any'],
  ['g++-12 | clang++', 'g++-12 | clang++'],
  ['a [amd64 !i386]', 'a [amd64 !i386]'],
  ['a [ linux-any  ]', 'a [linux-any]'],
  ['a[amd64]', 'a [amd64]'],
  ['a <!nocheck> <cross stage1>', 'a <!nocheck> <cross stage1>'],
  ['a< !nocheck >', 'a <!nocheck>'],
  ['a (>= 1) [amd64] <!nocheck>', 'a (>= 1) [amd64] <!nocheck>'],
  ['a:native(>=1)[linux-any]<!stage1>', 'a:native (>= 1) [linux-any] <!stage1>'],
  ['a,\n b (>= 1),\n\tc', 'a, b (>= 1), c'],
  ['a (>=\n 1)', 'a (>= 1)'],
  ['a, b,', 'a, b'],
  ['a, b, ,', 'a, b'],
  ['a,, b', 'a, b'],
  ['a, , b', 'a, b'],
  [', a', 'a'],
  ['a |', 'a'],
  ['a | |', 'a'],
  ['a | , b', 'a, b'],
  ['a, |, b', 'a, b'],
  ['', ''],
  ['   ', ''],
  [',', ''],
  ['a (>= 1(2)', 'a (>= 1(2)'], // a version is anything up to ')' or white space
];

describe('format (Dpkg::Deps output())', () => {
  it.each(FORMAT)('%j → %j', (text, expected) => {
    expect(fmt(text)).toBe(expected);
  });

  it('formats its own output to itself', () => {
    for (const [, out] of FORMAT) expect(fmt(out)).toBe(out);
  });

  it.runIf(haveDpkgDeps)('the table is what live Dpkg::Deps prints', () => {
    expect(dpkgDeps(FORMAT.map((f) => f[0]))).toEqual(FORMAT.map((f) => f[1]));
  });
});

describe('warnings: what dpkg accepts but is probably a mistake', () => {
  const loc = { file: 'debian/control', line: 7 };
  it.each([
    ['a (< 1)', ["debian/control:7: Build-Depends: relation '<' of 'a' is deprecated: use '<<' or '<='"]],
    ['a (>1)', ["debian/control:7: Build-Depends: relation '>' of 'a' is deprecated: use '>>' or '>='"]],
    ['a,\n b,\n c (< 1)', ["debian/control:9: Build-Depends: relation '<' of 'c' is deprecated: use '<<' or '<='"]],
    ['a, , b', ["debian/control:7: Build-Depends: empty dependency (a stray ',' or '|') ignored"]],
    ['a,\n ,b', ["debian/control:8: Build-Depends: empty dependency (a stray ',' or '|') ignored"]],
    [', a', ["debian/control:7: Build-Depends: empty dependency (a stray ',' or '|') ignored"]],
    ['x, |, b', ["debian/control:7: Build-Depends: empty dependency (a stray ',' or '|') ignored"]],
    ['a |', ["debian/control:7: Build-Depends: empty alternative after '|' ignored"]],
    ['a <!x><!y>', ["debian/control:7: Build-Depends: build profile lists of 'a' should be separated by white space ('><')"]],
    ['a, b,', []],
    ['a, b,\n', []],
    ['a (>= 1) | b [amd64] <x> <y>', []],
  ])('%j', (text, warnings) => {
    const got: string[] = [];
    parseRelationField(text, { field: 'Build-Depends', loc, warn: (m) => got.push(m) });
    expect(got).toEqual(warnings);
  });

  it('without a location, the message has none', () => {
    const got: string[] = [];
    parseRelationField('a (< 1)', { warn: (m) => got.push(m) });
    expect(got).toEqual(["relation '<' of 'a' is deprecated: use '<<' or '<='"]);
  });
});

describe('qualifiers', () => {
  it(':native only in build-dependency fields', () => {
    expect(fmt('perl:native', { field: 'Build-Depends-Indep' })).toBe('perl:native');
    expect(fmt('perl:native')).toBe('perl:native');
    expect(() => parseRelationField('perl:native', { field: 'Depends' })).toThrow(
      new InputError("Depends: ':native' is only allowed in build dependencies (perl:native)"),
    );
    expect(() => parseRelationField('perl:native', { buildDep: false })).toThrow(
      "':native' is only allowed in build dependencies (perl:native)",
    );
    expect(fmt('perl:any', { field: 'Depends' })).toBe('perl:any');
  });

  it.runIf(haveDpkgDeps)('Dpkg::Deps refuses :native outside build dependencies too', () => {
    const r = spawnSync('perl', ['-MDpkg::Deps', '-e', 'my $d = deps_parse("perl:native"); print defined $d ? "ok" : "undef"'], {
      encoding: 'utf8',
    });
    expect(r.stdout).toBe('undef');
  });
});

// [field, host arch, active profiles, Dpkg::Deps' reduced output]; also checked against live Dpkg::Deps.
const REDUCE: [string, string, string[], string][] = [
  // arch lists, positive and negated
  ['a [amd64]', 'arm64', [], ''],
  ['a [amd64]', 'amd64', [], 'a'],
  ['a [amd64 arm64], b', 'arm64', [], 'a, b'],
  ['a [!amd64]', 'arm64', [], 'a'],
  ['a [!amd64]', 'amd64', [], ''],
  ['a [!i386 !amd64]', 'i386', [], ''],
  ['a [!i386 !amd64]', 'arm64', [], 'a'],
  // mixed lists, left to right as dpkg reads them
  ['a [amd64 !i386]', 'arm64', [], 'a'],
  ['a [amd64 !i386]', 'i386', [], ''],
  ['a [amd64 !i386]', 'amd64', [], 'a'],
  ['a [!amd64 linux-any]', 'amd64', [], ''],
  ['a [!amd64 linux-any]', 'hurd-i386', [], 'a'],
  ['a [linux-any !armel]', 'armel', [], 'a'],
  ['a [!armel linux-any]', 'armel', [], ''],
  // wildcards
  ['a [linux-any]', 'arm64', [], 'a'],
  ['a [linux-any]', 'hurd-i386', [], ''],
  ['a [!linux-any]', 'kfreebsd-amd64', [], 'a'],
  ['a [any-arm]', 'armhf', [], 'a'],
  ['a [any-arm]', 'armel', [], 'a'],
  ['a [any-arm]', 'arm64', [], ''],
  ['a [any-arm64]', 'arm64', [], 'a'],
  ['a [any-amd64]', 'x32', [], 'a'],
  ['a [gnu-any-any]', 'armhf', [], 'a'],
  ['a [gnu-any-any]', 'musl-linux-arm64', [], ''],
  ['a [musl-linux-any]', 'musl-linux-arm64', [], 'a'],
  ['a [any-any-linux-any]', 'arm64', [], 'a'],
  ['a [kfreebsd-any]', 'kfreebsd-i386', [], 'a'],
  ['a [linux-arm64]', 'arm64', [], 'a'],
  ['a [any]', 'arm64', [], 'a'],
  ['a [all]', 'arm64', [], ''],
  ['a [AMD64]', 'amd64', [], 'a'],
  ['a [foo]', 'arm64', [], ''],
  ['a [!foo]', 'arm64', [], 'a'],
  // profiles: any group true; a group is true when all its terms are
  ['a <!nocheck>', 'arm64', ['nocheck'], ''],
  ['a <!nocheck>', 'arm64', [], 'a'],
  ['a <cross>', 'arm64', [], ''],
  ['a <cross>', 'arm64', ['cross', 'nocheck'], 'a'],
  ['a <p !q> <r>', 'arm64', [], ''],
  ['a <p !q> <r>', 'arm64', ['p'], 'a'],
  ['a <p !q> <r>', 'arm64', ['p', 'q'], ''],
  ['a <p !q> <r>', 'arm64', ['q', 'r'], 'a'],
  ['a <p !q> <r>', 'arm64', ['p', 'q', 'r'], 'a'],
  ['a <!p !q>', 'arm64', ['q'], ''],
  ['a <pkg.src.foo>', 'arm64', ['pkg.src.foo'], 'a'],
  // dropped alternatives, emptied relations
  ['a [amd64] | b, c', 'arm64', [], 'b, c'],
  ['a | b <stage1>', 'arm64', [], 'a'],
  ['a <stage1> | b', 'arm64', ['stage1'], 'a | b'],
  ['a [i386] | b [amd64], c', 'arm64', [], 'c'],
  ['a [arm64] <!nocheck>', 'arm64', ['nocheck'], ''],
  ['a [arm64] <!nocheck>', 'arm64', [], 'a'],
  ['a [amd64], b <stage1>', 'arm64', [], ''],
  ['b:native (>= 2) [linux-any] <!stage1> | c:any (<< 3) [armhf]', 'arm64', [], 'b:native (>= 2)'],
  ['b:native (>= 2) [linux-any] <!stage1> | c:any (<< 3) [armhf]', 'armhf', ['stage1'], 'c:any (<< 3)'],
  ['a (< 1) [arm64]', 'arm64', [], 'a (<= 1)'],
  ['a, , b [amd64], c |', 'arm64', [], 'a, c'],
  ['', 'arm64', [], ''],
];

describe('reduce (Dpkg::Deps deps_parse with reduce_arch and reduce_profiles)', () => {
  it.each(REDUCE)('%j for %s with <%s> → %j', (text, host, profiles, expected) => {
    expect(reduce(text, host, profiles)).toBe(expected);
  });

  it.runIf(haveDpkgDeps)('the table is what live Dpkg::Deps prints (one perl per host and profiles)', () => {
    const groups = new Map<string, number[]>();
    REDUCE.forEach(([, host, profiles], i) => {
      const key = `${host} ${profiles.join(',')}`;
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    for (const [key, idx] of groups) {
      const [host, profiles] = key.split(' ') as [string, string];
      const got = dpkgDeps(
        idx.map((i) => REDUCE[i]![0]),
        host,
        profiles.split(',').filter(Boolean),
      );
      expect(got, key).toEqual(idx.map((i) => REDUCE[i]![3]));
    }
  });

  it('keeps a relation without restrictions as it is, and does not change the parsed field', () => {
    const field = parseRelationField('a (>= 1), b [amd64] | c <!x>');
    const copy = structuredClone(field);
    const out = reduceRelationField(field, { hostArch: 'arm64', profiles: new Set() });
    expect(out[0]).toBe(field[0]);
    expect(formatRelationField(out)).toBe('a (>= 1), c');
    expect(field).toEqual(copy);
  });

  it('profilesSatisfied: the empty formula is false, a term is a profile name or ! and one', () => {
    expect(profilesSatisfied([], new Set(['a']))).toBe(false);
    expect(profilesSatisfied([['a']], new Set(['a']))).toBe(true);
    expect(profilesSatisfied([['!a']], new Set(['a']))).toBe(false);
    expect(profilesSatisfied([['!a']], new Set(['!a']))).toBe(true); // '!a' active is not 'a' active
  });

  it('mentionedProfiles lists every profile a field names', () => {
    expect([...mentionedProfiles(parseRelationField('a <!stage1 cross>, b <!nocheck> <stage2> | c'))].sort()).toEqual([
      'cross',
      'nocheck',
      'stage1',
      'stage2',
    ]);
  });
});

describe('Build-Conflicts take no |', () => {
  it.each(['Build-Conflicts', 'Build-Conflicts-Arch', 'build-conflicts-indep'])('%s refuses an alternative, at its line', (field) => {
    expect(() => parseRelationField('a,\n b | c', { field, loc: { file: 'debian/control', line: 12 } })).toThrow(
      new InputError(`${field}: alternatives ('|') are not allowed in ${field}`, { file: 'debian/control', line: 13 }),
    );
  });

  it('accepts a list, and a trailing | as Dpkg::Deps does', () => {
    expect(fmt('a, b (<< 2) [amd64]', { field: 'Build-Conflicts' })).toBe('a, b (<< 2) [amd64]');
    expect(fmt('a |', { field: 'Build-Conflicts' })).toBe('a');
    expect(fmt('a | b', { field: 'Build-Depends' })).toBe('a | b');
  });

  it.runIf(haveDpkgDeps)('live Dpkg::Deps (union, as dpkg-checkbuilddeps parses it) refuses a | b and accepts a |', () => {
    expect(dpkgDeps(['a | b', 'a |', 'a, b'], 'arm64', [], 'Build-Conflicts')).toEqual([
      expect.stringMatching(/^#ERROR .*union/),
      'a',
      'a, b',
    ]);
  });
});

// [field, message after 'debian/control:LINE: Build-Depends: ', line]; the value starts on line 20.
// Each is also refused by live Dpkg::Deps.
const ERRORS: [string, string, number][] = [
  ['a (>= 1', "unterminated '(' in version constraint of 'a'", 20],
  ['a (>= 1, b', "unterminated '(' in version constraint of 'a'", 20],
  ['a (>= 1 | b)', "unterminated '(' in version constraint of 'a'", 20],
  ['x,\n y,\n a (>=', "unterminated '(' in version constraint of 'a'", 22],
  ['a (', "unterminated '(' in version constraint of 'a'", 20],
  ['a [amd64', "unterminated '[' in architecture list of 'a'", 20],
  ['a [amd64, i386]', "unterminated '[' in architecture list of 'a'", 20],
  ['x,\n a [amd64 |\n b]', "unterminated '[' in architecture list of 'a'", 21],
  ['a <!nocheck', "unterminated '<' in build profiles of 'a'", 20],
  ['a <!nocheck, b', "unterminated '<' in build profiles of 'a'", 20],
  ['x,\n\n a <cross> <!nocheck', "unterminated '<' in build profiles of 'a'", 22],
  ['a (~ 1)', "missing operator in version constraint of 'a' (one of << <= = >= >>)", 20],
  ['a (1.0)', "missing operator in version constraint of 'a' (one of << <= = >= >>)", 20],
  ['a (=< 1)', "unknown operator '=<' in version constraint of 'a' (one of << <= = >= >>)", 20],
  ['a (=> 1)', "unknown operator '=>' in version constraint of 'a' (one of << <= = >= >>)", 20],
  ['x,\n a (== 1)', "unknown operator '==' in version constraint of 'a' (one of << <= = >= >>)", 21],
  ['a (= )', "missing version after '=' in version constraint of 'a'", 20],
  ['a (>= 1 2)', "unexpected '2' in version constraint of 'a' (a version has no spaces)", 20],
  ['a [amd_64]', "'amd_64' is not a legal architecture in list 'amd_64' of 'a'", 20],
  ['a [amd64 !!i386]', "'!!i386' is not a legal architecture in list 'amd64 !!i386' of 'a'", 20],
  ['a [!]', "'!' is not a legal architecture in list '!' of 'a'", 20],
  ['x,\n a [linux-any\n  (foo]', "'(foo' is not a legal architecture in list 'linux-any\n  (foo' of 'a'", 21],
  ['a []', "empty architecture list '[]' for 'a'", 20],
  ['a <>', "empty build profile restriction '<>' for 'a'", 20],
  ['a:', "missing architecture qualifier after 'a:'", 20],
  ['a: any', "missing architecture qualifier after 'a:'", 20],
  ['a [amd64] (>= 1)', "the version constraint of 'a' must come right after the name (before [arch] and <profile>)", 20],
  ['a <x> [amd64]', "the architecture list of 'a' must come before its build profiles", 20],
  ['a [amd64] [i386]', "a second architecture list for 'a'", 20],
  ['a)', "unbalanced ')' after 'a'", 20],
  ['a (>= 1))', "unbalanced ')' after 'a (>= 1)'", 20],
  ['a]', "unbalanced ']' after 'a'", 20],
  ['a (>= 1):any', "unexpected ':' after 'a (>= 1)' (the architecture qualifier goes right after the name)", 20],
  ['a b', "unexpected 'b' after 'a' (a missing ','?)", 20],
  ['x,\n a (>= 1) b-dev', "unexpected 'b-dev' after 'a (>= 1)' (a missing ','?)", 21],
  ['a:amd64+', "unexpected '+' after 'a:amd64' (a missing ','?)", 20],
  ['| a', "empty alternative before '|'", 20],
  ['a || b', "empty alternative between '|' and '|'", 20],
  ['x,\n a | | b', "empty alternative between '|' and '|'", 21],
  ['(>= 1)', "expected a package name, found '(>='", 20],
  ['a, -b', "expected a package name, found '-b'", 20],
  ['a, x\n , [amd64]', "expected a package name, found '[amd64'", 21],
  ['a, pkg_b', "unexpected '_b' after 'pkg' (a missing ','?)", 20],
];

describe('errors: the exact message, with the file and the line of the fault', () => {
  it.each(ERRORS)('%j: %s (line %i)', (text, reason, line) => {
    let err: unknown;
    try {
      parseRelationField(text, { field: 'Build-Depends', loc: { file: 'debian/control', line: 20 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const e = err as InputError;
    expect(e.message).toBe(`debian/control:${line}: Build-Depends: ${reason}`);
    expect([e.file, e.line, e.reason]).toEqual(['debian/control', line, `Build-Depends: ${reason}`]);
  });

  it('without a location or field name, the message is the reason alone', () => {
    expect(() => parseRelationField('a (>= 1')).toThrow(new InputError("unterminated '(' in version constraint of 'a'"));
  });

  it.runIf(haveDpkgDeps)('live Dpkg::Deps refuses each of them too', () => {
    const got = dpkgDeps(ERRORS.map((e) => e[0]));
    const accepted = ERRORS.flatMap((e, i) => (got[i]!.startsWith('#ERROR') ? [] : [`${e[0]} → ${got[i]}`]));
    expect(accepted).toEqual([]);
  });
});

// Where Dpkg::Deps reads malformed text in a surprising way, xdeb refuses it (or warns and reads
// it as meant). [field, what xdeb says, what Dpkg::Deps 1.21.22 makes of it (output(), no reduction)]
// (docs/relations.md).
const STRICTER: [string, string, string][] = [
  ['a (>>=1)', "unknown operator '>>=' in version constraint of 'a' (one of << <= = >= >>)", 'a (>> =1)'],
  ['a (=>1)', "unknown operator '=>' in version constraint of 'a' (one of << <= = >= >>)", 'a (= >1)'],
  ['a (==1)', "unknown operator '==' in version constraint of 'a' (one of << <= = >= >>)", 'a (= =1)'],
  ['a (<>1)', "unknown operator '<>' in version constraint of 'a' (one of << <= = >= >>)", 'a (<= >1)'],
  ['a (>= )', "missing version after '>=' in version constraint of 'a'", 'a (>= =)'],
  ['a (<<)', "missing version after '<<' in version constraint of 'a'", 'a (<= <)'],
  ['a [ ]', "empty architecture list '[]' for 'a'", 'a []'],
  ['a < >', "empty build profile restriction '<>' for 'a'", 'a'],
  ['a <x <y>', "unterminated '<' in build profiles of 'a'", 'a <x <y>'],
  ['a <!>', "'!' is not a legal build profile term (in the build profiles of 'a')", 'a <!>'],
  ['a <x!y>', "'x!y' is not a legal build profile term (in the build profiles of 'a')", 'a <x!y>'],
];

describe('where xdeb is stricter than Dpkg::Deps', () => {
  it.each(STRICTER)('%j: %s', (text, reason) => {
    expect(() => parseRelationField(text)).toThrow(new InputError(reason));
  });

  it.runIf(haveDpkgDeps)('live Dpkg::Deps reads them as documented', () => {
    expect(dpkgDeps(STRICTER.map((s) => s[0]))).toEqual(STRICTER.map((s) => s[2]));
  });

  it("'<a><b>': xdeb reads two lists (with a warning), Dpkg::Deps one term 'a><b'", () => {
    expect(reduce('a <!x><!y>', 'arm64', ['x', 'y'])).toBe('');
    expect(reduce('a <!x><!y>', 'arm64', ['y'])).toBe('a');
    expect(fmt('a <!x><!y>')).toBe('a <!x> <!y>');
  });

  it.runIf(haveDpkgDeps)("live Dpkg::Deps reads '<!x><!y>' as one term", () => {
    expect(dpkgDeps(['a <!x><!y>'], 'arm64', ['x', 'y'])).toEqual(['a']);
    expect(dpkgDeps(['a <!x><!y>'])).toEqual(['a <!x><!y>']);
  });

  it.runIf(haveDpkgDeps)('Build-Conflicts: Dpkg::Deps refuses | only after the reduction; xdeb, like dpkg-source, before', () => {
    expect(dpkgDeps(['a [armel] | b'], 'arm64', [], 'Build-Conflicts')).toEqual(['b']);
    expect(() => parseRelationField('a [armel] | b', { field: 'Build-Conflicts' })).toThrow(
      "alternatives ('|') are not allowed in Build-Conflicts",
    );
  });
});

// Random well-formed fields from the pieces real fields use, reduced by xdeb and by Dpkg::Deps.
const ARCH_ITEMS = [
  'amd64',
  'i386',
  'arm64',
  'armhf',
  'armel',
  'linux-any',
  'hurd-any',
  'kfreebsd-any',
  'any-arm',
  'any-arm64',
  'any-amd64',
  'gnu-any-any',
  'musl-linux-any',
  'any',
  'all',
  'x32',
  'foo',
];
const PROFILES = ['nocheck', 'cross', 'stage1', 'stage2', 'nodoc', 'pkg.src.x'];
const alternativeArb = fc
  .record({
    name: fc.constantFrom('a', 'libfoo-dev', 'g++-12', 'python3.11', 'x'),
    qual: fc.option(fc.constantFrom('any', 'native', 'amd64', 'arm64'), { nil: undefined }),
    version: fc.option(fc.tuple(fc.constantFrom('<<', '<=', '=', '>=', '>>'), fc.constantFrom('1', '2:1.0-1', '1.0~rc1+dfsg-2')), {
      nil: undefined,
    }),
    arch: fc.option(fc.array(fc.tuple(fc.boolean(), fc.constantFrom(...ARCH_ITEMS)), { minLength: 1, maxLength: 4 }), { nil: undefined }),
    profiles: fc.option(
      fc.array(fc.array(fc.tuple(fc.boolean(), fc.constantFrom(...PROFILES)), { minLength: 1, maxLength: 3 }), {
        minLength: 1,
        maxLength: 3,
      }),
      { nil: undefined },
    ),
    space: fc.constantFrom(' ', '', '  ', '\n '),
  })
  .map(({ name, qual, version, arch, profiles, space }) => {
    let s = name + (qual ? ':' + qual : '');
    if (version) s += `${space}(${version[0]}${space}${version[1]})`;
    if (arch) s += `${space}[${arch.map(([neg, a]) => (neg ? '!' : '') + a).join(' ')}]`;
    // Lists separated by white space: '<a><b>' is read differently on purpose (tested above).
    if (profiles) for (const g of profiles) s += `${space || ' '}<${g.map(([neg, p]) => (neg ? '!' : '') + p).join(' ')}>`;
    return s;
  });
const fieldArb = fc
  .array(fc.array(alternativeArb, { minLength: 1, maxLength: 3 }), { minLength: 0, maxLength: 6 })
  .map((rels) => rels.map((r) => r.join(' | ')).join(', '));

describe('random fields', () => {
  it('format(parse(x)) is a fixed point of format∘parse', () => {
    fc.assert(
      fc.property(fieldArb, (f) => {
        const once = fmt(f);
        expect(fmt(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it.runIf(haveDpkgDeps)('reduce agrees with live Dpkg::Deps on 600 random fields per configuration (mixed arch lists included)', () => {
    const fields = fc.sample(fieldArb, { numRuns: 600, seed: 20261122 });
    for (const [host, profiles] of [
      ['arm64', ['cross', 'nocheck']],
      ['armhf', ['stage1']],
      ['hurd-i386', []],
      ['amd64', ['nodoc', 'pkg.src.x']],
    ] as [string, string[]][]) {
      const want = dpkgDeps(fields, host, profiles);
      const got = fields.map((f) => reduce(f, host, profiles));
      const diff = fields.flatMap((f, i) => (got[i] === want[i] ? [] : [`${JSON.stringify(f)}: xdeb ${got[i]} dpkg ${want[i]}`]));
      expect(diff, `${host} ${profiles.join(',')}`).toEqual([]);
    }
    expect(dpkgDeps(fields)).toEqual(fields.map((f) => fmt(f)));
  });
});
