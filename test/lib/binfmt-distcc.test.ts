// Emulation advice from binfmt_misc's state, and distcc's helpers: host lists, compiler names, probe verdicts.
import { describe, expect, it } from 'vitest';
import { judgeBinfmt, parseBinfmtEntry, type BinfmtState } from '../../src/lib/binfmt.js';
import { distccEnv, distccLinks, distccSlots, judgeProbe, parseDistccHosts } from '../../src/lib/distcc.js';
import { UsageError } from '../../src/lib/errors.js';

describe('binfmt_misc', () => {
  it('reads an entry', () => {
    const e = parseBinfmtEntry('enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: PF\noffset 0\nmagic 7f454c46\n');
    expect(e).toEqual({ enabled: true, interpreter: '/usr/libexec/qemu-binfmt/aarch64-binfmt-P', flags: 'PF' });
    expect(parseBinfmtEntry('disabled\n').enabled).toBe(false);
  });

  const state = (over: Partial<BinfmtState>): BinfmtState => ({ arch: 'arm64', runs: false, mounted: true, qemuInstalled: true, ...over });
  it('is fine when arch-test passes with the F flag', () => {
    expect(judgeBinfmt(state({ runs: true, entry: { enabled: true, interpreter: 'x', flags: 'PF' } }))).toEqual({ ok: true, fix: [] });
  });
  it.each([
    [
      'nothing installed',
      state({ qemuInstalled: false, mounted: false }),
      /qemu-user-static is not installed/,
      [
        'apt-get install qemu-user-static binfmt-support',
        'mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc',
        'update-binfmts --enable qemu-aarch64',
      ],
    ],
    [
      'binfmt_misc not mounted',
      state({ mounted: false }),
      /binfmt_misc is not mounted/,
      ['mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc', 'update-binfmts --enable qemu-aarch64'],
    ],
    ['no entry', state({}), /no binfmt entry qemu-aarch64/, ['update-binfmts --enable qemu-aarch64']],
    [
      'a disabled entry',
      state({ entry: { enabled: false, interpreter: 'x', flags: 'PF' } }),
      /disabled/,
      ['update-binfmts --enable qemu-aarch64'],
    ],
  ])('%s: says why and how to fix it', (_, s, why, fix) => {
    const v = judgeBinfmt(s);
    expect(v.ok).toBe(false);
    expect(v.problem).toMatch(why);
    expect(v.fix).toEqual(fix);
  });
  it('says plainly that qemu has no emulator for an architecture it does not know, and offers no fix', () => {
    const v = judgeBinfmt(state({ arch: 'ia64' }));
    expect(v).toEqual({
      ok: false,
      problem: 'this machine cannot run ia64 programs (arch-test ia64 fails), and qemu-user has no emulator for ia64',
      fix: [],
    });
  });
  it('refuses an entry without F: programs would run outside, not in a chroot', () => {
    const v = judgeBinfmt(state({ runs: true, entry: { enabled: true, interpreter: '/usr/bin/qemu-aarch64', flags: 'P' } }));
    expect(v.ok).toBe(false);
    expect(v.problem).toMatch(/lacks the F flag/);
  });
});

describe('distcc hosts', () => {
  it('parses TCP and ssh helpers with ports, limits and options', () => {
    expect(parseDistccHosts(' 127.0.0.1  10.0.0.2:4000/8,lzo bob@build.example/2 [::1]:3632 ')).toEqual([
      { spec: '127.0.0.1', transport: 'tcp', host: '127.0.0.1', port: undefined, limit: undefined, loopback: true },
      { spec: '10.0.0.2:4000/8,lzo', transport: 'tcp', host: '10.0.0.2', port: 4000, limit: 8, loopback: false },
      { spec: 'bob@build.example/2', transport: 'ssh', host: 'build.example', port: undefined, limit: 2, loopback: false },
      { spec: '[::1]:3632', transport: 'tcp', host: '::1', port: 3632, limit: undefined, loopback: true },
    ]);
  });
  it.each([
    ['', /no helper/],
    ['localhost', /compile locally/],
    ['localhost/4', /compile locally/],
    ['+zeroconf', /only plain helper entries/],
    ['host:0', /out of range/],
    ['host:70000', /out of range/],
    ['@host:22', /takes no port/],
    ['host/0', /at least 1/],
    ['host;rm', /is not a distcc host/],
  ])('refuses %j', (text, re) => {
    expect(() => parseDistccHosts(text)).toThrow(UsageError);
    expect(() => parseDistccHosts(text)).toThrow(re);
  });
  it('counts job slots as distcc does by default', () => {
    expect(distccSlots(parseDistccHosts('a b/8 @c'))).toBe(4 + 8 + 2);
  });
});

describe('distcc compiler names', () => {
  it('sends only the full cross names in a cross chroot (plain gcc builds for the build machine there)', () => {
    const links = distccLinks({ triplet: 'aarch64-linux-gnu', major: '12', plainNames: false });
    expect(links.map((l) => [l.name, l.kind])).toEqual([
      ['aarch64-linux-gnu-gcc-12', 'masquerade'],
      ['aarch64-linux-gnu-g++-12', 'masquerade'],
      ['aarch64-linux-gnu-gcc', 'script'],
      ['aarch64-linux-gnu-g++', 'script'],
    ]);
    expect(links[2]!.text).toMatch(/exec aarch64-linux-gnu-gcc-12 "\$@"/);
  });
  it('also the plain names in an emulated chroot, each calling the full cross name', () => {
    const links = distccLinks({ triplet: 'aarch64-linux-gnu', major: '12', plainNames: true });
    expect(links.filter((l) => l.kind === 'script').map((l) => [l.name, /exec (\S+)/.exec(l.text!)![1]])).toEqual([
      ['aarch64-linux-gnu-gcc', 'aarch64-linux-gnu-gcc-12'],
      ['aarch64-linux-gnu-g++', 'aarch64-linux-gnu-g++-12'],
      ['cc', 'aarch64-linux-gnu-gcc-12'],
      ['gcc', 'aarch64-linux-gnu-gcc-12'],
      ['gcc-12', 'aarch64-linux-gnu-gcc-12'],
      ['c++', 'aarch64-linux-gnu-g++-12'],
      ['g++', 'aarch64-linux-gnu-g++-12'],
      ['g++-12', 'aarch64-linux-gnu-g++-12'],
    ]);
  });
  it('sets CC and CXX to the full cross names', () => {
    expect(distccEnv(parseDistccHosts('127.0.0.1:3633 @b'), 'aarch64-linux-gnu', '12')).toEqual({
      DISTCC_HOSTS: '127.0.0.1:3633 @b',
      CC: 'aarch64-linux-gnu-gcc-12',
      CXX: 'aarch64-linux-gnu-g++-12',
    });
  });
});

describe('distcc probes', () => {
  it('passes a helper whose object is for the host architecture', () => {
    expect(
      judgeProbe({ host: '127.0.0.1', code: 0, found: 'x', archs: ['arm64'], matches: true }, 'arm64', 'aarch64-linux-gnu-gcc-12').ok,
    ).toBe(true);
  });
  it('fails a helper that compiled for another architecture, and says which', () => {
    const v = judgeProbe(
      { host: '127.0.0.1:3634', code: 0, found: 'ELF 64-bit little-endian x86-64', archs: ['amd64', 'x32'], matches: false },
      'arm64',
      'aarch64-linux-gnu-gcc-12',
    );
    expect(v.ok).toBe(false);
    expect(v.message).toBe(
      'distcc helper 127.0.0.1:3634 made an object that is ELF 64-bit little-endian x86-64 (for amd64, x32), not arm64: its aarch64-linux-gnu-gcc-12 is not a cross compiler for arm64',
    );
  });
  it("fails a helper that did not answer, with distcc's last words", () => {
    const v = judgeProbe(
      {
        host: 'h',
        code: 110,
        stderr:
          'distcc[1] ERROR: failed to distribute\ndistcc[1] (dcc_build_somewhere) Warning: failed to distribute, fallbacks are disabled\n',
      },
      'arm64',
      'cc',
    );
    expect(v.ok).toBe(false);
    expect(v.message).toMatch(
      /^distcc helper h did not compile the probe with cc: distcc\[1\] ERROR: failed to distribute; .*fallbacks are disabled$/,
    );
  });
});
