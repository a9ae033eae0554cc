// Flavoured toolchains and the ISA rules: sections and built-in names, the build environment
// (dpkg-buildflags' user variables), flavour suites, ARM attribute and x86 ISA-level limits.
import { describe, expect, it } from 'vitest';
import { parseConfigFile } from '../../src/lib/config.js';
import { InputError } from '../../src/lib/errors.js';
import { armArchIncludes, isaExcess, isaFromFlags, parseIsa } from '../../src/lib/isa.js';
import { flavourOfSuite, isSuiteName, profilesOfSuite, suiteForProfiles } from '../../src/lib/local-repo-layout.js';
import { planToolchain, resolveToolchain } from '../../src/lib/toolchain.js';

const cfg = parseConfigFile(
  [
    '[toolchain a53]',
    'compiler = gcc-12',
    'cflags = -mcpu=cortex-a53',
    '',
    '[toolchain armv7]',
    'cflags = -march=armv7-a -mfpu=vfpv3-d16',
    '',
    '[toolchain bad]',
    'compiler = icc',
    '',
    '[toolchain quoted]',
    "cflags = -DX='1'",
  ].join('\n'),
  '/etc/xdeb/xdeb.cfg',
);

describe('toolchains', () => {
  it('a section: compiler, flags, flavour, ISA from -march/-mfpu', () => {
    const t = resolveToolchain('armv7', cfg.sections);
    expect(t).toMatchObject({
      name: 'armv7',
      flavour: 'armv7',
      compiler: { family: 'gcc' },
      cflags: ['-march=armv7-a', '-mfpu=vfpv3-d16'],
    });
    expect(t.isa).toMatchObject({ kind: 'arm', cpuArch: 10, fpArch: 4, simdArch: 0 });
    expect(resolveToolchain('a53', cfg.sections).isa).toBeUndefined();
  });
  it('built-in names', () => {
    expect(resolveToolchain('gcc-12', [])).toMatchObject({ flavour: 'gcc-12', compiler: { family: 'gcc', version: '12' }, cflags: [] });
    expect(resolveToolchain('clang', [])).toMatchObject({ compiler: { family: 'clang' } });
  });
  it.each([
    ['nope', /no toolchain 'nope'.*there are: a53, armv7, bad, quoted/],
    ['bad', /\/etc\/xdeb\/xdeb.cfg:9: compiler 'icc' is not gcc/],
    ['quoted', /\/etc\/xdeb\/xdeb.cfg:12: cflags: '-DX='1'' is not a compiler option/],
  ])('%s is refused, naming where', (name, msg) => {
    expect(() => resolveToolchain(name, cfg.sections, { file: 'command line --toolchain' })).toThrow(msg);
  });
  it('a cross plan: the versioned cross compiler, flags in the user variables after none, log and .changes fields', () => {
    const p = planToolchain(resolveToolchain('a53', cfg.sections), {
      cross: true,
      hostTriplet: 'aarch64-linux-gnu',
      env: { DEB_CFLAGS_APPEND: '-g3' },
    });
    expect(p.cc).toBe('aarch64-linux-gnu-gcc-12');
    expect(p.cxx).toBe('aarch64-linux-gnu-g++-12');
    expect(p.needs).toEqual([{ program: 'aarch64-linux-gnu-gcc-12', package: 'gcc-12-aarch64-linux-gnu' }]);
    expect(p.env.DEB_CFLAGS_APPEND).toBe('-mcpu=cortex-a53 -g3');
    expect(p.env.DEB_CXXFLAGS_APPEND).toBe('-mcpu=cortex-a53');
    expect(p.env.DEB_LDFLAGS_APPEND).toBeUndefined();
    expect(p.env.DEB_CFLAGS_MAINT_APPEND).toBeUndefined();
    expect(p.changesFields).toEqual({ 'Xdeb-Flavour': 'a53', 'Xdeb-Toolchain': 'a53: aarch64-linux-gnu-gcc-12 -mcpu=cortex-a53' });
    expect(Object.fromEntries(p.log)).toMatchObject({
      Toolchain: 'a53 (/etc/xdeb/xdeb.cfg:1)',
      Flavour: 'a53',
      'ISA limit': 'none (not checked)',
    });
  });
  it('clang cross and native', () => {
    expect(planToolchain(resolveToolchain('clang-14', []), { cross: true, hostTriplet: 'arm-linux-gnueabihf' }).cc).toBe(
      'clang-14 --target=arm-linux-gnueabihf',
    );
    expect(planToolchain(resolveToolchain('clang', []), { cross: false, hostTriplet: 'x86_64-linux-gnu' }).cc).toBe('clang');
    // DWARF 4, so that dh_dwz can read the debug info; before the flavour's flags, which may override it.
    const t = resolveToolchain(
      'fast',
      parseConfigFile('[toolchain fast]\ncompiler = clang\ncflags = -mcpu=cortex-a72 -gdwarf-5\n', '/etc/xdeb/xdeb.cfg').sections,
    );
    expect(planToolchain(t, { cross: true, hostTriplet: 'aarch64-linux-gnu' }).env.DEB_CFLAGS_APPEND).toBe(
      '-gdwarf-4 -mcpu=cortex-a72 -gdwarf-5',
    );
    expect(
      planToolchain(resolveToolchain('gcc', []), { cross: true, hostTriplet: 'aarch64-linux-gnu' }).env.DEB_CFLAGS_APPEND,
    ).toBeUndefined();
  });
});

describe('flavour suites', () => {
  it.each([
    [[], 'a53', 'flavour-a53', []],
    [['cross', 'nocheck'], 'a53', 'flavour-a53', []],
    [['cross', 'stage1'], 'cortex-a7', 'flavour-cortex-a7+staged-stage1', ['stage1']],
    [['stage1'], undefined, 'staged-stage1', ['stage1']],
  ])('%j with %s → %s', (profiles, flavour, suite, back) => {
    expect(suiteForProfiles(profiles, flavour).suite).toBe(suite);
    expect(profilesOfSuite(suite)).toEqual(back);
    expect(isSuiteName(suite)).toBe(true);
  });
  it('names xdeb does not make', () => {
    expect(flavourOfSuite('flavour-a53+staged-stage1')).toBe('a53');
    expect(isSuiteName('flavour-a53+full')).toBe(false);
    expect(isSuiteName('flavour-A53')).toBe(false);
    expect(isSuiteName('flavour-')).toBe(false);
  });
});

describe('ISA limits', () => {
  it('ARM architecture inclusion', () => {
    expect(armArchIncludes(10, 14)).toBe(false);
    expect(armArchIncludes(14, 10)).toBe(true);
    expect(armArchIncludes(10, 8)).toBe(true); // v6T2 in v7
    expect(armArchIncludes(8, 9)).toBe(false); // v6K is not in v6T2
    expect(armArchIncludes(19, 18)).toBe(true);
    expect(armArchIncludes(14, 13)).toBe(false); // M profile
  });
  it('parses and refuses with the place', () => {
    expect(parseIsa('armv7-a fp=vfpv3-d16 simd=none')).toMatchObject({ cpuArch: 10, fpArch: 4, simdArch: 0 });
    expect(parseIsa('x86-64-v2')).toMatchObject({ kind: 'x86', level: 2 });
    expect(() => parseIsa('armv99', { file: 'c', line: 3 })).toThrow(InputError);
    expect(() => parseIsa('armv99', { file: 'c', line: 3 })).toThrow(/^c:3: isa: 'armv99'/);
    expect(isaFromFlags(['-O2', '-mcpu=cortex-a53'])).toBeUndefined();
    expect(isaFromFlags(['-march=x86-64-v3'])).toMatchObject({ kind: 'x86', level: 3 });
  });
  it('what exceeds', () => {
    const v7 = parseIsa('armv7-a fp=vfpv3-d16 simd=none');
    expect(isaExcess({ arm: { cpuArch: 10, fpArch: 4, simdArch: 0 } }, v7)).toEqual([]);
    expect(isaExcess({ arm: { cpuArch: 14, fpArch: 4 } }, v7)).toEqual(['needs ARM v8-A (Tag_CPU_arch 14), the flavour allows v7']);
    expect(isaExcess({ arm: { cpuArch: 10, fpArch: 3, simdArch: 1 } }, v7)).toEqual([
      'needs VFPv3 (Tag_FP_arch 3), the flavour allows VFPv3-D16',
      'needs NEONv1 (Tag_Advanced_SIMD_arch 1), the flavour allows no Advanced SIMD',
    ]);
    expect(isaExcess({ x86: { needed: 1 | 2 | 4 } }, parseIsa('x86-64-v2'))).toEqual([
      'needs x86-64-v3 (GNU_PROPERTY_X86_ISA_1_NEEDED), the flavour allows x86-64-v2',
    ]);
    expect(isaExcess({ x86: { needed: 1 | 2 } }, parseIsa('x86-64-v2'))).toEqual([]);
    expect(isaExcess({}, v7)).toEqual([]);
  });
});
