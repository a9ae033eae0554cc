import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/lib/errors.js';
import { analyseVersion, compareVersions, compareWithOperator, parseVersion, versionSatisfies } from '../../src/lib/version.js';
import { have, runCli } from '../support/cli.js';

const pairs = readFileSync(new URL('../fixtures/version-pairs.tsv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t') as [string, string, string, string]);

/** dpkg's own verdict for many pairs at once ('E' when it refuses a version): one shell, two dpkg calls per pair. */
function dpkgVerdicts(list: [string, string][]): (number | 'E')[] {
  const script = `while IFS='\t' read -r a b; do
    dpkg --compare-versions "$a" lt "$b" 2>/dev/null; rc=$?
    if [ $rc = 2 ]; then echo E
    elif [ $rc = 0 ]; then echo -1
    elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo 0
    else echo 1; fi
  done`;
  const r = spawnSync('sh', ['-c', script], { input: list.map(([a, b]) => `${a}\t${b}\n`).join(''), encoding: 'utf8' });
  return r.stdout
    .trim()
    .split('\n')
    .map((x) => (x === 'E' ? 'E' : Number(x)));
}

/** xdeb's verdict: 'E' where dpkg would refuse one of the versions. */
function xdebVerdict(a: string, b: string): number | 'E' {
  if (analyseVersion(a).problem?.severity === 'error' || analyseVersion(b).problem?.severity === 'error') return 'E';
  return compareVersions(a, b);
}

/** A deterministic pseudo-random generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function adversarialPairs(n: number): [string, string][] {
  const r = rng(20261122);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const digits = (len: number) => Array.from({ length: len }, () => '0123456789'[Math.floor(r() * 10)]).join('');
  const part = (): string => {
    switch (Math.floor(r() * 9)) {
      case 0:
        return digits(1 + Math.floor(r() * 40)); // far past 2^53
      case 1:
        return '~'.repeat(1 + Math.floor(r() * 3));
      case 2:
        return pick(['a', 'z', 'A', 'Z', 'rc', 'beta', 'dfsg', 'ds']);
      case 3:
        return pick(['.', '+', '~', '-', ':']);
      case 4:
        return '0'.repeat(1 + Math.floor(r() * 5)) + digits(1 + Math.floor(r() * 3));
      default:
        return digits(1 + Math.floor(r() * 3));
    }
  };
  const version = (): string => {
    let v = digits(1 + Math.floor(r() * 2));
    const n = Math.floor(r() * 6);
    for (let i = 0; i < n; i++) v += part();
    if (r() < 0.3) v = `${Math.floor(r() * 4)}:${v}`;
    if (r() < 0.5) v += `-${digits(1)}${r() < 0.5 ? pick(['~', '+', '.']) + digits(1) : ''}`;
    return v.replace(/:+$/, '').replace(/-+$/, '');
  };
  const out: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    const a = version();
    // Half the pairs share a prefix with small changes: that is where orderings are subtle.
    const b = r() < 0.5 ? version() : a + pick(['~', '~~', '0', '+', 'a', '.0', '-1', '~a']);
    out.push([a, b]);
  }
  return out;
}

describe('compareVersions', () => {
  it(`agrees with dpkg on all ${pairs.length} real pairs of version-pairs.tsv`, () => {
    const wrong = pairs.filter(([a, b, cmp]) => compareVersions(a, b) !== Number(cmp));
    expect(wrong).toEqual([]);
  });

  it.each([
    ['1.0~rc1', '1.0', -1],
    ['1.0~~', '1.0~', -1],
    ['1.0', '1.0+b1', -1],
    ['1.0a', '1.0+', -1], // letters before non-letters
    ['1.0', '1.0a', -1],
    ['1:0.1', '2.0', 1],
    ['0:1.0', '1.0', 0],
    ['1.0-1', '1.0-1.0', 0 - 1],
    ['1.01', '1.1', 0],
    ['00001', '1', 0],
    ['1.18446744073709551616', '1.18446744073709551615', 1], // beyond 2^64
    ['9007199254740993', '9007199254740992', 1], // beyond 2^53
    ['1-2-3', '1-2', 1], // the revision starts after the last hyphen
    ['', '0', 0], // a blank version compares like '0' inside dpkg's verrevcmp
  ] as const)('%s vs %s → %d', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
    expect(compareVersions(b, a)).toBe(-expected || 0);
  });

  it('is antisymmetric and reflexive (property)', () => {
    const ver = fc.stringMatching(/^([0-9]:)?[0-9][0-9a-z.+~]{0,12}(-[0-9a-z.+~]{1,6})?$/);
    fc.assert(
      fc.property(ver, ver, (a, b) => {
        expect(compareVersions(a, a)).toBe(0);
        expect(compareVersions(a, b)).toBe(-compareVersions(b, a) || 0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe.runIf(have('dpkg'))('against dpkg itself', () => {
  const adversarial = adversarialPairs(800);

  it('agrees with dpkg --compare-versions on generated adversarial pairs, refusals included', () => {
    const verdicts = dpkgVerdicts(adversarial);
    expect(verdicts).toHaveLength(adversarial.length);
    // The generator must reach both sides: pairs dpkg refuses and pairs it orders every way.
    expect(new Set(verdicts)).toEqual(new Set(['E', -1, 0, 1]));
    const wrong = adversarial.map(([a, b], i) => ({ a, b, dpkg: verdicts[i], xdeb: xdebVerdict(a, b) })).filter((x) => x.dpkg !== x.xdeb);
    expect(wrong).toEqual([]);
  });

  it('xdeb compare-versions - prints the same verdicts as dpkg, in order', () => {
    const valid = adversarial.filter(
      ([a, b]) => analyseVersion(a).problem?.severity !== 'error' && analyseVersion(b).problem?.severity !== 'error',
    );
    const r = runCli(['compare-versions', '-'], { input: valid.map(([a, b]) => `${a}\t${b}\n`).join('') });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n').map(Number)).toEqual(dpkgVerdicts(valid));
  });

  const cases: [string, string, string][] = [
    ['1.0', 'lt', '1.1'],
    ['1.1', 'lt', '1.0'],
    ['1.0', 'eq', '1.0-0'],
    ['1.0', 'ne', '1.0'],
    ['1:1', 'gt', '9'],
    ['1.0', '<<', '1.0'],
    ['1.0', '<=', '1.0'],
    ['1.0', '<', '1.0'],
    ['1.0', '>', '1.0'],
    ['', 'lt', '1'],
    ['', 'lt-nl', '1'],
    ['', 'gt-nl', '1'],
    ['1', 'le-nl', ''],
    ['', 'eq', ''],
    ['<unknown>', 'lt', '0'],
    ['a1', 'lt', '1'], // warning: does not start with a digit; compared anyway
    ['1_0', 'gt', '1'], // warning: invalid character
    ['1.0-', 'lt', '1'], // error: empty revision
    [':1', 'lt', '1'], // error: empty epoch
    ['a:1', 'lt', '1'], // error: epoch not a number
    ['-1:1', 'lt', '1'], // error: negative epoch
    ['99999999999:1', 'lt', '1'], // error: epoch too big
    ['1 2', 'lt', '1'], // error: embedded space
    ['1:', 'lt', '1'], // error: nothing after colon
    ['1.0', 'foo', '1'], // error: bad operator
  ];
  it.each(cases)('xdeb compare-versions %j %s %j exits as dpkg does', (a, op, b) => {
    const dpkg = spawnSync('dpkg', ['--compare-versions', a, op, b], { encoding: 'utf8' });
    const xdeb = runCli(['compare-versions', a, op, b]);
    expect(xdeb.status).toBe(dpkg.status);
    expect(xdeb.stderr.includes('warning')).toBe(dpkg.stderr.includes('warning'));
  });
});

describe('analyseVersion / parseVersion', () => {
  it.each([
    ['', 'version string is empty'],
    ['  ', 'version string is empty'],
    ['1 2', 'version string has embedded spaces'],
    [':1.0', 'epoch in version is empty'],
    ['x:1.0', 'epoch in version is empty'], // strtol() reads no digit at all
    ['1x:1.0', 'epoch in version is not number'],
    ['-1:1.0', 'epoch in version is negative'],
    ['4294967296:1', 'epoch in version is too big'],
    ['1:', 'nothing after colon in version number'],
    ['1.0-', 'revision number is empty'],
    ['-1', 'version number is empty'],
  ])('%j is an error: %s', (v, reason) => {
    expect(analyseVersion(v).problem).toEqual({ severity: 'error', reason });
    expect(() => parseVersion(v)).toThrow(InputError);
    expect(() => parseVersion(v)).toThrow(reason);
  });

  it.each([
    ['a1.0', 'version number does not start with digit'],
    ['1.0_1', 'invalid character in version number'],
    ['1.0-1_1', 'invalid character in revision number'],
  ])('%j is a warning: %s', (v, reason) => {
    expect(analyseVersion(v).problem).toEqual({ severity: 'warning', reason });
    expect(() => parseVersion(v)).toThrow(reason);
    expect(parseVersion(v, { allowWarnings: true })).toBeDefined();
  });

  it('splits epoch, upstream and revision', () => {
    expect(parseVersion('2:1.0-rc1-3ubuntu1')).toEqual({ epoch: 2, upstream: '1.0-rc1', revision: '3ubuntu1' });
    expect(parseVersion(' 1.0 ')).toEqual({ epoch: 0, upstream: '1.0', revision: '' });
  });

  it('errors name where the version came from', () => {
    expect(() => parseVersion('1.0-', { loc: { file: 'debian/changelog', line: 1 } })).toThrow(/^debian\/changelog:1: invalid version/);
  });
});

describe('relations', () => {
  it.each([
    ['1.0', '<<', '1.1', true],
    ['1.1', '<<', '1.1', false],
    ['1.1', '<=', '1.1', true],
    ['1.1', '=', '1.1-0', true],
    ['2', '>=', '1:1', false],
    ['1:1', '>>', '2', true],
  ] as const)('%s %s %s is %s', (v, op, ref, expected) => {
    expect(versionSatisfies(v, op, ref)).toBe(expected);
  });

  it('blank versions sort first, or last for the -nl operators', () => {
    expect(compareWithOperator('', 'lt', '0')).toBe(true);
    expect(compareWithOperator('', 'eq', '0')).toBe(false);
    expect(compareWithOperator('', 'gt-nl', '0')).toBe(true);
    expect(compareWithOperator('', 'eq', '<unknown>')).toBe(true);
  });
});
