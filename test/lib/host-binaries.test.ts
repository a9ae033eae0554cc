// Which tools may run natively in an emulated chroot (lib/host-binaries.ts), and which must not.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/lib/errors.js';
import {
  chooseHostBinaries,
  DEFAULT_HOST_BINARIES,
  divertedName,
  EMULATED_TOOLS,
  HOST_TOOLS,
  forTriplet,
  hostBinaryList,
  matchToolVersions,
  perlNative,
  programFiles,
  sameToolVersion,
} from '../../src/lib/host-binaries.js';

describe('host binaries', () => {
  it('the default list is every tool that may be swapped, the shell and make first', () => {
    expect(chooseHostBinaries([]).tools.map((t) => t.name)).toEqual(DEFAULT_HOST_BINARIES);
    expect(chooseHostBinaries(['default']).tools.map((t) => t.name)).toEqual(DEFAULT_HOST_BINARIES);
    expect(DEFAULT_HOST_BINARIES.slice(0, 2)).toEqual(['dash', 'make']);
    // binutils-tools and file since the libcap2 measurement (bench/results/emulation-binutils-tools-libcap2-2026-12-07.txt).
    expect(DEFAULT_HOST_BINARIES).toContain('binutils-tools');
    expect(DEFAULT_HOST_BINARIES).toContain('file');
    expect(chooseHostBinaries(['default', 'binutils-tools']).tools.map((t) => t.name)).toEqual(DEFAULT_HOST_BINARIES);
  });

  it("coreutils' swapped programs answer the same anywhere: pwd (perl's Cwd runs it), env, md5sum…; never uname, arch or nproc", () => {
    const c = HOST_TOOLS.find((t) => t.name === 'coreutils-files')!;
    expect(c.programs[0]).toBe('pwd');
    expect(c.programs).toEqual(expect.arrayContaining(['env', 'md5sum', 'readlink', 'basename', '[']));
    for (const p of ['uname', 'arch', 'nproc', 'hostid', 'stty']) expect(c.programs).not.toContain(p);
    expect(new Set(c.programs).size).toBe(c.programs.length);
  });

  describe("which chosen tools go native, from both chroots' versions", () => {
    const tools = chooseHostBinaries(['make', 'file', 'bzip2']).tools;
    const o = { emulatedName: 'emu', nativeName: 'ci', nativeArch: 'amd64', suite: 'bookworm' };
    const emulated = new Map([
      ['make', '4.3-4.1'],
      ['file', '1:5.44-3'],
      ['bzip2', '1.0.8-5+b1'],
    ]);
    it('the same version (a binNMU aside): swapped', () => {
      const r = matchToolVersions(tools, emulated, new Map([...emulated, ['bzip2', '1.0.8-5']]), { ...o, explicit: new Set() });
      expect(r.use.map((u) => [u.tool.name, u.version])).toEqual([
        ['make', '4.3-4.1'],
        ['file', '1:5.44-3'],
        ['bzip2', '1.0.8-5+b1'],
      ]);
      expect([r.absent, r.skipped, r.error]).toEqual([[], [], undefined]);
    });
    it('not in the emulated chroot: absent, nothing to swap', () => {
      const r = matchToolVersions(tools, new Map([['make', '4.3-4.1']]), emulated, { ...o, explicit: new Set() });
      expect(r.use.map((u) => u.tool.name)).toEqual(['make']);
      expect(r.absent).toEqual(['file', 'bzip2']);
    });
    it('from the default list, missing in the native chroot: stays emulated, with the reason', () => {
      const native = new Map([...emulated].filter(([p]) => p !== 'file'));
      const r = matchToolVersions(tools, emulated, native, { ...o, explicit: new Set() });
      expect(r.use.map((u) => u.tool.name)).toEqual(['make', 'bzip2']);
      expect(r.skipped).toEqual([{ name: 'file', why: 'chroot ci has no file' }]);
      expect(r.error).toBeUndefined();
    });
    it('asked for by name, missing in the native chroot: an error that says how to make one with it', () => {
      const native = new Map([...emulated].filter(([p]) => p !== 'file'));
      const r = matchToolVersions(tools, emulated, native, { ...o, explicit: new Set(['file']) });
      expect(r.error).toEqual({
        message: 'host binary file: chroot ci has no file (amd64) installed',
        hint: 'make the native chroot with it: xdeb-chroot create -a amd64 --suite bookworm --include file NAME',
      });
    });
    it('another version in the native chroot: an error, even for a default-list tool', () => {
      const r = matchToolVersions(tools, emulated, new Map([...emulated, ['make', '4.3-4.2']]), { ...o, explicit: new Set() });
      expect(r.error?.message).toBe(
        'host binary make: make is 4.3-4.1 in chroot emu but 4.3-4.2 in chroot ci; the native copy must be the same version',
      );
    });
  });

  it('names a tool by its name or its package, once', () => {
    const c = chooseHostBinaries(['xz-utils', 'make', 'xz', 'diffutils']);
    expect(c.tools.map((t) => t.name)).toEqual(['xz', 'make', 'diff']);
    expect([c.refused, c.unknown]).toEqual([[], []]);
  });

  it.each([
    ['dpkg', /--print-architecture/],
    ['uname', /uname -m/],
    ['arch', /machine/],
    ['coreutils', /uname and arch/],
    ['python3', /platform/],
    ['gcc', /wrappers/],
    ['binutils', /x86-64 objects/],
  ])('%s must stay emulated, and says why', (name, why) => {
    const c = chooseHostBinaries([name]);
    expect(c.tools).toEqual([]);
    expect(c.refused).toHaveLength(1);
    expect(c.refused[0]!.why).toMatch(why);
    expect(() => hostBinaryList(name)).toThrow(UsageError);
  });

  it('no tool that answers with the machine is swappable: uname, arch, dpkg, python are in no list (perl only per build)', () => {
    const programs = HOST_TOOLS.flatMap((t) => t.programs);
    for (const p of ['uname', 'arch', 'dpkg', 'python3', 'gcc', 'ld', 'as', 'strip', 'config.guess']) expect(programs).not.toContain(p);
    expect(HOST_TOOLS.find((t) => t.package === 'dpkg')!.programs).toEqual(['dpkg-deb']);
    expect(EMULATED_TOOLS.map((t) => t.name)).toEqual(expect.arrayContaining(['dpkg', 'uname', 'python3']));
  });

  it('an unknown name is a usage error that names what xdeb knows and how the optional list parses', () => {
    expect(() => hostBinaryList('emu-arm64')).toThrow(
      /no host binary named 'emu-arm64' \(xdeb knows dash, make, .*--host-binaries=default/,
    );
    expect(hostBinaryList(true)).toEqual(DEFAULT_HOST_BINARIES);
    expect(hostBinaryList('make, m4')).toEqual(['make', 'm4']);
  });

  it("takes each program where the package's file list has it (usrmerge moved some to /usr/bin)", () => {
    const dash = HOST_TOOLS.find((t) => t.name === 'dash')!;
    expect(programFiles(dash, ['/.', '/bin', '/bin/dash', '/usr/share/man/man1/dash.1.gz'])).toEqual({ found: ['/bin/dash'], missing: [] });
    expect(programFiles(dash, ['/usr/bin/dash'])).toEqual({ found: ['/usr/bin/dash'], missing: [] });
    const diff = HOST_TOOLS.find((t) => t.name === 'diff')!;
    expect(programFiles(diff, ['/usr/bin/diff'])).toEqual({ found: ['/usr/bin/diff'], missing: ['cmp'] });
  });

  it.each([
    ['debhelper-compat (= 13), libfoo-dev', [], [], true],
    ['debhelper-compat (= 13), perl-xs-dev', [], [], /makes Perl XS modules \(it build-depends on perl-xs-dev\)/],
    ['debhelper-compat (= 13), libperl-dev [linux-any]', [], [], /libperl-dev/],
    ['libxml-libxml-perl-dev-not-really, perl', [['liblocale-gettext-perl', '1.07-5']], [['liblocale-gettext-perl', '1.07-5+b1']], true],
    [
      'debhelper',
      [['libyaml-libyaml-perl', '0.86+ds-1']],
      [],
      /XS module libyaml-libyaml-perl 0\.86\+ds-1 installed here but not in chroot ci/,
    ],
    ['debhelper', [['libyaml-libyaml-perl', '0.86+ds-1']], [['libyaml-libyaml-perl', '0.85-1']], /not in chroot ci at that version/],
  ] as const)('perl may be native for Build-Depends %j (XS modules here %j, there %j): %s', (bd, emu, nat, want) => {
    const v = perlNative({ buildDepends: bd, emulatedXs: new Map(emu), nativeXs: new Map(nat), nativeName: 'ci' });
    if (want === true) expect(v).toEqual({ native: true });
    else {
      expect(v.native).toBe(false);
      expect(v.native ? '' : v.why).toMatch(want);
    }
  });

  it("binutils-tools are the target's cross binutils, named by the chroot's triplet; the other tools stay as they are", () => {
    const b = HOST_TOOLS.find((t) => t.name === 'binutils-tools')!;
    expect(forTriplet(b, 'aarch64-linux-gnu')).toMatchObject({
      package: 'binutils-aarch64-linux-gnu',
      programs: expect.arrayContaining(['aarch64-linux-gnu-strip', 'aarch64-linux-gnu-objcopy', 'aarch64-linux-gnu-objdump']),
    });
    expect(forTriplet(b, 'x86_64-linux-gnu').package).toBe('binutils-x86-64-linux-gnu');
    expect(forTriplet(b, 'aarch64-linux-gnu').programs.some((p) => /-(as|ld)(\.|$)/.test(p))).toBe(false);
    const make = HOST_TOOLS.find((t) => t.name === 'make')!;
    expect(forTriplet(make, 'aarch64-linux-gnu')).toBe(make);
  });

  it('the same version on both sides, a binNMU aside', () => {
    expect(sameToolVersion('4.3-4.1', '4.3-4.1')).toBe(true);
    expect(sameToolVersion('1.0.8-5+b1', '1.0.8-5')).toBe(true);
    expect(sameToolVersion('4.3-4.1', '4.3-4.2')).toBe(false);
    expect(divertedName('/usr/bin/make')).toBe('/usr/bin/make.xdeb-emulated');
  });
});
