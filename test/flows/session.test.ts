// The session: what a command runs with, from flags over XDEB_* variables over configuration
// files over the defaults, each value typed once. Flags: typed reads of commander's options.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, reopenSession, type SessionFlags } from '../../src/flows/session.js';
import { Flags } from '../../src/ui/flags.js';
import { Output } from '../../src/ui/output.js';
import { sessionFlags } from '../../src/commands/common-options.js';

let tmp: string;
let env: NodeJS.ProcessEnv;
let userFile: string;
const out = new Output({ prog: 'xdeb-test', quiet: true });
const machine = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'xdeb-session-'));
  mkdirSync(join(tmp, 'home', '.config', 'xdeb'), { recursive: true });
  userFile = join(tmp, 'home', '.config', 'xdeb', 'xdeb.cfg');
  env = { HOME: join(tmp, 'home'), XDEB_SYSTEM_CONFIG: join(tmp, 'absent.cfg'), PATH: process.env.PATH };
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function session(flags: SessionFlags, file = '', extra: NodeJS.ProcessEnv = {}) {
  writeFileSync(userFile, file);
  return openSession(flags, out, { ...env, ...extra });
}

describe('openSession', () => {
  it('defaults: the machine builds for itself, no profiles, the repository under XDG data home', () => {
    const s = session({});
    expect(s.buildArch).toBe(machine);
    expect(s.hostArch).toBe(machine);
    expect(s.hostArchGiven).toBe(false);
    expect(s.profiles).toEqual([]);
    expect(s.profilesGiven).toBe(false);
    expect(s.localRepo).toEqual({ dir: join(tmp, 'home', '.local', 'share', 'xdeb', 'repo'), use: true });
    expect(s.chrootDir).toBe(join(tmp, 'home', '.local', 'share', 'xdeb', 'chroots'));
    expect(s.useRemoteRepo).toBe(true);
    expect(s.mode).toBe('apt');
    expect(s.jobs).toBe(1);
    expect(s.toolchain()).toBeUndefined();
  });

  it('a cross build gets cross,nocheck by default; given profiles are kept as given', () => {
    expect(session({ hostArch: 'arm64' }).profiles).toEqual(['cross', 'nocheck']);
    const s = session({ hostArch: 'arm64', profiles: 'nocheck,stage1' });
    expect(s.profiles).toEqual(['nocheck', 'stage1']);
    expect(s.profilesGiven).toBe(true);
  });

  const table: { what: string; file: string; env: NodeJS.ProcessEnv; flags: SessionFlags; host: string; repo: string }[] = [
    { what: 'the file', file: 'host-arch = armhf\nlocal-repo = ~/r1\n', env: {}, flags: {}, host: 'armhf', repo: 'home/r1' },
    {
      what: 'XDEB_* over the file',
      file: 'host-arch = armhf\nlocal-repo = ~/r1\n',
      env: { XDEB_HOST_ARCH: 'riscv64', XDEB_LOCAL_REPO: '/srv/r2' },
      flags: {},
      host: 'riscv64',
      repo: '/srv/r2',
    },
    {
      what: 'flags over both',
      file: 'host-arch = armhf\n',
      env: { XDEB_HOST_ARCH: 'riscv64', XDEB_LOCAL_REPO: '/srv/r2' },
      flags: { hostArch: 'arm64', localRepo: '/srv/r3' },
      host: 'arm64',
      repo: '/srv/r3',
    },
  ];
  for (const row of table) {
    it(`host architecture and local repository from ${row.what}`, () => {
      const s = session(row.flags, row.file, row.env);
      expect(s.hostArch).toBe(row.host);
      expect(s.hostArchGiven).toBe(true);
      expect(s.localRepo.dir).toBe(row.repo.startsWith('/') ? row.repo : join(tmp, row.repo));
    });
  }

  it('an unknown architecture from a flag is refused, naming the flag', () => {
    expect(() => session({ hostArch: 'arm65' })).toThrow(/--host-arch.*arm65/);
  });

  it('--disable-local-repo keeps the directory (for the state file) and turns off its use', () => {
    const s = session({ useLocalRepo: false });
    expect(s.localRepo.use).toBe(false);
    expect(s.localRepo.dir).toMatch(/xdeb\/repo$/);
  });

  it('an unknown toolchain is an error only when the toolchain is asked for', () => {
    const s = session({ toolchain: 'nosuch' });
    expect(s.hostArch).toBe(machine);
    expect(() => s.toolchain()).toThrow(/nosuch/);
  });

  it('reopenSession keeps the other flags and replaces the given ones', () => {
    const s = session({ hostArch: 'armhf', localRepo: '/srv/a', jobs: 3 });
    const r = reopenSession(s, { hostArch: 'arm64', localRepo: '/srv/b' });
    expect([r.hostArch, r.localRepo.dir, r.jobs]).toEqual(['arm64', '/srv/b', 3]);
  });
});

describe('Flags and sessionFlags', () => {
  it('reads each kind of flag with its type', () => {
    const f = new Flags({ hostArch: 'arm64', list: true, jobs: 2, repo: ['a', 'b'], distcc: true, native: false, mode: 'dose' });
    expect(f.string('hostArch')).toBe('arm64');
    expect(f.boolean('list')).toBe(true);
    expect(f.boolean('absent')).toBe(false);
    expect(f.integer('jobs')).toBe(2);
    expect(f.strings('repo')).toEqual(['a', 'b']);
    expect(f.strings('absent')).toEqual([]);
    expect(f.optionalString('distcc')).toBe(true);
    expect(f.stringOrOff('native')).toBe(false);
    expect(f.choice('mode', ['apt', 'dose', 'dpkg'] as const)).toBe('dose');
  });

  it('a flag read with the wrong type is a bug, not a silent conversion', () => {
    const f = new Flags({ jobs: '2', list: 'yes', mode: 'other' });
    expect(() => f.integer('jobs')).toThrow(/not a number/);
    expect(() => f.boolean('list')).toThrow(/not a boolean/);
    expect(() => f.choice('mode', ['apt', 'dose'] as const)).toThrow(/one of apt, dose/);
  });

  it('maps the shared flags; --disable-* wins over --use-*', () => {
    const s = sessionFlags(
      new Flags({ hostArch: 'arm64', useLocalRepo: true, disableLocalRepo: true, disableRemoteRepo: true, mode: 'dpkg' }),
    );
    expect(s).toMatchObject({ hostArch: 'arm64', useLocalRepo: false, useRemoteRepo: false, mode: 'dpkg' });
    expect(sessionFlags(new Flags({ useLocalRepo: true })).useLocalRepo).toBe(true);
    expect(sessionFlags(new Flags({})).useLocalRepo).toBeUndefined();
  });
});
