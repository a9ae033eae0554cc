// xdeb config end to end: the layers and their precedence, --local-config, and bad input named
// by file and line.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../src/lib/config.js';
import { runCli } from '../support/cli.js';

let tmp: string;
let system: string;
let user: string;
let env: NodeJS.ProcessEnv;

interface Row {
  key: string;
  value: unknown;
  source: { kind: string; file?: string; line?: number; variable?: string; flag?: string } | null;
  from: string | null;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'xdeb-config-'));
  system = join(tmp, 'etc', 'xdeb.cfg');
  user = join(tmp, 'home', '.config', 'xdeb', 'xdeb.cfg');
  mkdirSync(join(tmp, 'etc'), { recursive: true });
  mkdirSync(join(tmp, 'home', '.config', 'xdeb'), { recursive: true });
  // A clean environment: no XDEB_* from the caller, our own HOME and system file.
  env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('XDEB_') && !k.startsWith('XDG_')));
  Object.assign(env, { HOME: join(tmp, 'home'), XDEB_SYSTEM_CONFIG: system });
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function files(sys: string | null, usr: string | null): void {
  rmSync(system, { force: true });
  rmSync(user, { force: true });
  if (sys !== null) writeFileSync(system, sys);
  if (usr !== null) writeFileSync(user, usr);
}

function config(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  return runCli(['config', ...args], { env: { ...env, ...extraEnv } });
}

function json(
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
): { files: { path: string; read: boolean }[]; keys: Row[]; sections: unknown[] } {
  const r = config(['--json', ...args], extraEnv);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

const row = (rows: Row[], key: string) => rows.find((r) => r.key === key)!;

describe('xdeb config: precedence', () => {
  it('defaults when nothing is set, every key listed', () => {
    files(null, null);
    const out = json([]);
    expect(out.keys.map((k) => k.key)).toEqual(CONFIG_KEYS.map((k) => k.key));
    expect(row(out.keys, 'profiles')).toEqual({
      key: 'profiles',
      value: ['cross', 'nocheck'],
      source: { kind: 'default' },
      from: 'default',
    });
    expect(row(out.keys, 'host-arch')).toEqual({ key: 'host-arch', value: null, source: null, from: null });
    expect(row(out.keys, 'local-repo').value).toBe(join(tmp, 'home', '.local', 'share', 'xdeb', 'repo'));
    expect(row(out.keys, 'chroot-dir').value).toBe(join(tmp, 'home', '.local', 'share', 'xdeb', 'chroots'));
    expect(out.files).toEqual([
      { path: system, read: false },
      { path: user, read: false },
    ]);
  });

  it('system < user < environment < flags, each with its source', () => {
    files(
      'host-arch = armel\nprofiles = nocheck\njobs = 2\nroot-cmd = sudo\nuse-remote-repo = no\n',
      '# user\nhost-arch = armhf\nprofiles = cross\n\njobs = 3\n',
    );
    const fileOnly = json([]);
    expect(row(fileOnly.keys, 'host-arch')).toMatchObject({
      value: 'armhf',
      source: { kind: 'file', file: user, line: 2 },
      from: `${user}:2`,
    });
    expect(row(fileOnly.keys, 'root-cmd')).toMatchObject({ value: 'sudo', source: { kind: 'file', file: system, line: 4 } });
    expect(row(fileOnly.keys, 'jobs')).toMatchObject({ value: 3, source: { file: user, line: 5 } });
    expect(row(fileOnly.keys, 'use-remote-repo')).toMatchObject({ value: false, source: { file: system, line: 5 } });
    expect(fileOnly.files).toEqual([
      { path: system, read: true },
      { path: user, read: true },
    ]);

    const withEnv = json([], { XDEB_HOST_ARCH: 'arm64', XDEB_PROFILES: 'stage1 nocheck' });
    expect(row(withEnv.keys, 'host-arch')).toMatchObject({
      value: 'arm64',
      source: { kind: 'environment', variable: 'XDEB_HOST_ARCH' },
      from: 'environment XDEB_HOST_ARCH',
    });
    expect(row(withEnv.keys, 'profiles').value).toEqual(['stage1', 'nocheck']);
    expect(row(withEnv.keys, 'jobs').source).toMatchObject({ kind: 'file', file: user });

    const withFlags = json(['-a', 'riscv64', '--disable-remote-repo', '--root-cmd', 'doas'], {
      XDEB_HOST_ARCH: 'arm64',
      XDEB_USE_REMOTE_REPO: 'yes',
    });
    expect(row(withFlags.keys, 'host-arch')).toMatchObject({
      value: 'riscv64',
      source: { kind: 'command-line', flag: '--host-arch' },
      from: 'command line --host-arch',
    });
    expect(row(withFlags.keys, 'use-remote-repo')).toMatchObject({
      value: false,
      source: { kind: 'command-line', flag: '--disable-remote-repo' },
    });
    expect(row(withFlags.keys, 'root-cmd')).toMatchObject({ value: 'doas', source: { kind: 'command-line' } });
  });

  it('XDG_CONFIG_HOME moves the user file', () => {
    files(null, 'host-arch = armhf\n');
    const other = join(tmp, 'xdg');
    mkdirSync(join(other, 'xdeb'), { recursive: true });
    writeFileSync(join(other, 'xdeb', 'xdeb.cfg'), 'host-arch = mips64el\n');
    const out = json([], { XDG_CONFIG_HOME: other });
    expect(row(out.keys, 'host-arch')).toMatchObject({ value: 'mips64el', source: { file: join(other, 'xdeb', 'xdeb.cfg'), line: 1 } });
  });

  it('--local-config reads only that file: neither the system nor the user one', () => {
    files('root-cmd = sudo\n', 'host-arch = armhf\n');
    const local = join(tmp, 'local.cfg');
    writeFileSync(local, 'suite = trixie\n');
    const out = json(['--local-config', local]);
    expect(row(out.keys, 'suite')).toMatchObject({ value: 'trixie', source: { file: local, line: 1 } });
    expect(row(out.keys, 'host-arch').value).toBeNull();
    expect(row(out.keys, 'root-cmd').value).toBeNull();
    expect(out.files).toEqual([{ path: local, read: true }]);
    // The environment still applies on top.
    expect(row(json(['--local-config', local], { XDEB_SUITE: 'sid' }).keys, 'suite').value).toBe('sid');
    const missing = config(['--local-config', join(tmp, 'nope.cfg')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`${join(tmp, 'nope.cfg')}: no such configuration file`);
  });

  it('sections are kept and shown', () => {
    files('[repository ppa]\nurl = http://example.org/debian\nsuite = stable\n', null);
    const out = json([]);
    expect(out.sections).toEqual([
      { kind: 'repository', name: 'ppa', file: system, line: 1, entries: { url: 'http://example.org/debian', suite: 'stable' } },
    ]);
    const text = config([]);
    expect(text.stdout).toContain(`[repository ppa]  ${system}:1\nurl = http://example.org/debian\n`);
  });
});

describe('xdeb config: output', () => {
  it('text: one line per key with value and source, unset keys marked', () => {
    files(null, 'host-arch = armhf\n');
    const r = config(['-P', 'stage1']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines.find((l) => l.startsWith('host-arch '))).toMatch(new RegExp(`^host-arch +armhf +${user.replace(/[.]/g, '\\.')}:1$`));
    expect(lines.find((l) => l.startsWith('profiles '))).toMatch(/^profiles +stage1 +command line --profiles$/);
    expect(lines.find((l) => l.startsWith('sign-key '))).toMatch(/^sign-key +\(unset\)$/);
  });

  it('KEY prints the bare value; exit 1 when unset; an unknown key is a usage error with a suggestion', () => {
    files(null, 'host-arch = armhf\nuse-local-repo = off\n');
    expect(config(['host-arch'])).toEqual({ status: 0, stdout: 'armhf\n', stderr: '' });
    expect(config(['use-local-repo']).stdout).toBe('no\n');
    expect(config(['profiles']).stdout).toBe('cross, nocheck\n');
    expect(config(['sign-key'])).toEqual({ status: 1, stdout: '', stderr: '' });
    expect(JSON.parse(config(['--json', 'host-arch']).stdout)).toMatchObject({
      key: 'host-arch',
      value: 'armhf',
      source: { kind: 'file', line: 1 },
    });
    const bad = config(['host-arc']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown configuration key 'host-arc' (did you mean 'host-arch'?)");
  });

  it('--files lists the files in reading order and whether each exists', () => {
    files('jobs = 1\n', null);
    expect(config(['--files']).stdout).toBe(`${system}\n${user}\t(absent)\n`);
    expect(JSON.parse(config(['--files', '--json']).stdout)).toEqual([
      { path: system, read: true },
      { path: user, read: false },
    ]);
  });

  it('warns on stderr about a misspelt XDEB_ variable, and keeps stdout data only', () => {
    files(null, null);
    const r = config(['--json'], { XDEB_HOST_ARHC: 'arm64' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('xdeb config: warning: XDEB_HOST_ARHC is not a configuration variable, ignored (did you mean XDEB_HOST_ARCH?)\n');
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  });
});

describe('xdeb config: bad input is exit 2 with file and line', () => {
  const cases: [string, string, RegExp][] = [
    [
      'unknown key with a suggestion',
      'jobs = 2\nhost-arhc = arm64\n',
      /xdeb\.cfg:2: unknown key 'host-arhc' \(did you mean 'host-arch'\?\)/,
    ],
    ['unknown key, nothing near', '\n\nfrobnicate = 1\n', /xdeb\.cfg:3: unknown key 'frobnicate'$/m],
    ['bad architecture', 'host-arch = arm65\n', /xdeb\.cfg:1: host-arch: 'arm65' is not a known Debian architecture/],
    ['bad boolean', '# c\nuse-local-repo = maybe\n', /xdeb\.cfg:2: use-local-repo: 'maybe' is not yes or no/],
    ['bad number', 'jobs = many\n', /xdeb\.cfg:1: jobs: 'many' is not a whole number/],
    ['malformed line', 'host-arch arm64\n', /xdeb\.cfg:1: expected 'key = value', found 'host-arch arm64'/],
    ['malformed section', '[repository\n', /xdeb\.cfg:1: malformed section header/],
    ['unknown section', '[mirror x]\n', /xdeb\.cfg:1: unknown section '\[mirror\]'/],
    ['key set twice', 'suite = sid\nsuite = trixie\n', /xdeb\.cfg:2: 'suite' is set twice \(also on line 1\)/],
  ];
  for (const [what, text, message] of cases) {
    it(`${what}, in the user file`, () => {
      files(null, text);
      const r = config([]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain(`${user}:`);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    });
  }

  it('in the system file too, and in --local-config', () => {
    files('jobs = -1\n', null);
    const r = config([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${system}:1: jobs: '-1' is not a whole number`);
    const local = join(tmp, 'bad-local.cfg');
    writeFileSync(local, '\nprofiles = cross\nsign_key = ABC\n');
    const l = config(['--local-config', local]);
    expect(l.status).toBe(2);
    expect(l.stderr).toContain(`${local}:3: unknown key 'sign_key' (did you mean 'sign-key'?)`);
  });

  it('a bad environment value names the variable; a bad flag names the flag', () => {
    files(null, null);
    const e = config([], { XDEB_JOBS: 'x' });
    expect(e.status).toBe(2);
    expect(e.stderr).toContain("environment XDEB_JOBS: jobs: 'x' is not a whole number");
    const f = config(['-a', 'nonsense']);
    expect(f.status).toBe(2);
    expect(f.stderr).toContain("--host-arch: host-arch: 'nonsense' is not a known Debian architecture");
  });
});

describe('xdeb config: paths', () => {
  it('a path written ~/… in a file is under $HOME', () => {
    files(null, 'local-repo = ~/my-repo\nchroot-dir = /srv/chroots\n');
    const out = json([]);
    expect(row(out.keys, 'local-repo')).toMatchObject({
      value: join(tmp, 'home', 'my-repo'),
      source: { kind: 'file', file: user, line: 1 },
    });
    expect(row(out.keys, 'chroot-dir').value).toBe('/srv/chroots');
  });
});
