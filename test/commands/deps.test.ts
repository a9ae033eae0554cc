import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const reduce = (args: string[], input: string, env?: NodeJS.ProcessEnv) =>
  runCli(['deps', 'reduce', '--build-arch', 'amd64', ...args], { input, env });
const NO_STACK = /^\s+at |internal error/m;

describe('xdeb deps reduce', () => {
  it('reads one field per line and prints each reduced field on one line, as Dpkg::Deps output() does', () => {
    const r = reduce(
      ['--host-arch', 'arm64', '--profiles', 'cross,nocheck'],
      [
        'gcc [amd64], libfoo-dev <!stage1>, perl:native',
        'a (>=1) | b:native [linux-any] <cross>, c [!arm64]',
        'python3-pytest <!nocheck>, d (<< 2) [any-arm64]',
      ].join('\n') + '\n',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(['libfoo-dev, perl:native', 'a (>= 1) | b:native', 'd (<< 2)', ''].join('\n'));
    expect(r.status).toBe(0);
  });

  it('applies --profiles (comma-separated) and -a/-P short options', () => {
    const input = 'a <stage1>, b <!stage1>, c <stage1 !nocheck> <cross>\n';
    expect(reduce(['-a', 'armhf', '-P', 'stage1'], input).stdout).toBe('a, c\n');
    expect(reduce(['-a', 'armhf', '-P', 'stage1,nocheck'], input).stdout).toBe('a\n');
    expect(reduce(['-a', 'armhf'], input).stdout).toBe('b\n');
    expect(reduce(['-a', 'armhf', '--profiles', 'cross'], input).stdout).toBe('b, c\n');
  });

  it('prints an empty line for an empty field and for a field that reduces to nothing, keeping the line count', () => {
    const r = reduce(['-a', 'arm64', '-P', 'nocheck'], '\na [amd64]\nb\n   \nc <!nocheck> | d [i386]\n');
    expect(r.stdout).toBe('\n\nb\n\n\n');
    expect(r.status).toBe(0);
  });

  it('reads the last line without a newline, and CRLF line ends', () => {
    expect(reduce(['-a', 'arm64'], 'a [arm64]\r\nb').stdout).toBe('a\nb\n');
  });

  it('defaults the host to the build architecture, and the build architecture to DEB_BUILD_ARCH', () => {
    expect(reduce([], 'a [amd64], b [arm64]\n').stdout).toBe('a\n');
    const r = runCli(['deps', 'reduce'], { input: 'a [amd64], b [arm64]\n', env: { DEB_BUILD_ARCH: 'arm64' } });
    expect(r.stdout).toBe('b\n');
  });

  it('warns on stderr about a legacy < or >, with <stdin>:LINE, and keeps stdout clean', () => {
    const r = reduce(['-a', 'arm64'], 'a\nb (< 1)\n');
    expect(r.stdout).toBe('a\nb (<= 1)\n');
    expect(r.stderr).toContain("<stdin>:2: Build-Depends: relation '<' of 'b' is deprecated: use '<<' or '<='");
    expect(r.status).toBe(0);
  });

  it.each([
    ['--host-arch', 'foo', "--host-arch: unknown architecture 'foo'"],
    ['--host-arch', 'amd_64', "--host-arch: 'amd_64' is not a legal architecture name"],
    ['--host-arch', 'linux-any', "--host-arch: unknown architecture 'linux-any'"],
    ['--build-arch', 'bar', "--build-arch: unknown architecture 'bar'"],
  ])('a bad %s %s exits 2 with a message', (option, value, message) => {
    const r = runCli(['deps', 'reduce', ...(option === '--build-arch' ? [] : ['--build-arch', 'amd64']), option, value], { input: 'a\n' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`xdeb deps reduce: error: ${message}\n`);
    expect(r.stdout).toBe('');
  });

  it('stops at a malformed field with exit 2, <stdin>:N and no stack trace, after printing the fields before it', () => {
    const r = reduce(['-a', 'arm64'], 'a [arm64]\nb\nc (>= 1, d\ne\n');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('a\nb\n');
    expect(r.stderr).toBe("xdeb deps reduce: error: <stdin>:3: Build-Depends: unterminated '(' in version constraint of 'c'\n");
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it.each([
    ['a [amd64', "unterminated '[' in architecture list of 'a'"],
    ['a <!nocheck', "unterminated '<' in build profiles of 'a'"],
    ['a (=> 1)', "unknown operator '=>' in version constraint of 'a' (one of << <= = >= >>)"],
    ['a [amd_64]', "'amd_64' is not a legal architecture in list 'amd_64' of 'a'"],
  ])('malformed %j → exit 2: %s', (field, reason) => {
    const r = reduce(['-a', 'arm64'], `ok\n${field}\n`);
    expect([r.status, r.stdout, r.stderr]).toEqual([2, 'ok\n', `xdeb deps reduce: error: <stdin>:2: Build-Depends: ${reason}\n`]);
  });

  it('--field Build-Conflicts refuses | with exit 2; --field Depends refuses :native', () => {
    const bc = reduce(['-a', 'arm64', '--field', 'Build-Conflicts'], 'a [arm64], b\nc | d\n');
    expect([bc.status, bc.stdout, bc.stderr]).toEqual([
      2,
      'a, b\n',
      "xdeb deps reduce: error: <stdin>:2: Build-Conflicts: alternatives ('|') are not allowed in Build-Conflicts\n",
    ]);
    const dep = reduce(['-a', 'arm64', '--field', 'Depends'], 'perl:native\n');
    expect([dep.status, dep.stderr]).toEqual([
      2,
      "xdeb deps reduce: error: <stdin>:1: Depends: ':native' is only allowed in build dependencies (perl:native)\n",
    ]);
  });

  it('xdeb deps without a subcommand is a usage error', () => {
    const r = runCli(['deps']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("expected a subcommand: 'xdeb deps reduce'");
  });

  it('reduces the committed bookworm sample as Dpkg::Deps did, for both configurations', () => {
    const fixture = JSON.parse(readFileSync(new URL('../fixtures/relations/bookworm-sample.json', import.meta.url), 'utf8')) as {
      configs: { hostArch: string; profiles: string[] }[];
      fields: { field: string; value: string; expected: string[] }[];
    };
    fixture.configs.forEach((cfg, k) => {
      for (const conflicts of [false, true]) {
        const fields = fixture.fields.filter((f) => /^build-conflicts/i.test(f.field) === conflicts);
        const r = reduce(
          ['-a', cfg.hostArch, '-P', cfg.profiles.join(','), '--field', conflicts ? 'Build-Conflicts' : 'Build-Depends'],
          fields.map((f) => f.value + '\n').join(''),
        );
        expect(r.status).toBe(0);
        expect(r.stdout.split('\n').slice(0, -1)).toEqual(fields.map((f) => f.expected[k]));
      }
    });
  });
});
