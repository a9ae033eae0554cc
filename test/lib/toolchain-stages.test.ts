// The toolchain's stages in rebootstrap's order, for the sources a plan has.
import { describe, expect, it } from 'vitest';
import { formatToolchainStages, toolchainStageOrder } from '../../src/lib/toolchain-stages.js';

const order = (sources: string[], gcc?: string) =>
  toolchainStageOrder(new Set(sources), { hostArch: 'arm64', gnuType: 'aarch64-linux-gnu', ...(gcc ? { gcc } : {}) }).map(
    (s) => `${s.source}:${s.stage ?? 'full'}:${s.build}`,
  );

describe('toolchainStageOrder', () => {
  const cases: [string, string[], string[]][] = [
    [
      'the whole toolchain, among other sources',
      ['zlib', 'glibc', 'gcc-12', 'linux', 'binutils', 'bash'],
      [
        'binutils:full:native',
        'linux:stage1:host',
        'gcc-12:stage1:native',
        'glibc:stage1:host',
        'gcc-12:stage2:native',
        'glibc:stage2:host',
        'gcc-12:full:native',
        'glibc:full:host',
      ],
    ],
    ['the highest gcc-N of the set', ['gcc-11', 'gcc-12', 'gcc-9'], ['gcc-12:stage1:native', 'gcc-12:stage2:native', 'gcc-12:full:native']],
    [
      'no linux (a non-Linux port): its stage is left out',
      ['binutils', 'glibc'],
      ['binutils:full:native', 'glibc:stage1:host', 'glibc:stage2:host', 'glibc:full:host'],
    ],
    ['gcc-defaults and gcc-12-cross are no toolchain stage', ['gcc-defaults', 'gcc-12-cross', 'cross-toolchain-base'], []],
    ['nothing of the toolchain', ['bash', 'coreutils'], []],
  ];
  it.each(cases)('%s', (_, sources, expected) => expect(order(sources)).toEqual(expected));

  it('a given gcc, when the set has it', () => {
    expect(order(['gcc-11', 'gcc-12'], 'gcc-11')).toEqual(['gcc-11:stage1:native', 'gcc-11:stage2:native', 'gcc-11:full:native']);
    expect(order(['gcc-12'], 'gcc-13')).toEqual([]);
  });

  it('names the cross packages and cites what the sources declare', () => {
    const s = toolchainStageOrder(new Set(['binutils', 'linux', 'gcc-12', 'glibc']), { hostArch: 'arm64', gnuType: 'aarch64-linux-gnu' });
    expect(s.length).toBe(8);
    expect(s[0]!.what).toMatch(/^binutils-aarch64-linux-gnu: .*TARGET=arm64/);
    expect(s[1]!.what).toMatch(/^linux-libc-dev:arm64 alone/);
    expect(s[1]!.evidence).toMatch(/every binary but linux-libc-dev is profile=!stage1/);
    expect(s[2]!.what).toMatch(/^gcc-12-aarch64-linux-gnu: a C compiler .* without any libc \(DEB_STAGE=stage1/);
    expect(s[2]!.evidence).toMatch(/^not a build profile/);
    expect(s[3]!.what).toMatch(/^libc6-dev:arm64 only: the headers and the start files/);
    expect(s[5]!.evidence).toMatch(/libcap-dev <!stage2>, libselinux1-dev <!stage2>/);
  });
});

describe('formatToolchainStages', () => {
  it('one numbered line a stage, why and evidence below', () => {
    const text = formatToolchainStages(
      toolchainStageOrder(new Set(['linux', 'glibc']), { hostArch: 'arm64', gnuType: 'aarch64-linux-gnu' }),
    );
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^toolchain, in the order rebootstrap builds it/);
    expect(lines.filter((l) => /^ +\d+\. /.test(l)).map((l) => l.trim().split(/\s+/).slice(0, 3).join(' '))).toEqual([
      '1. linux stage1',
      '2. glibc stage1',
      '3. glibc stage2',
      '4. glibc full',
    ]);
    expect(lines[1]).toBe("   1. linux stage1  -a host, linux-libc-dev:arm64 alone: the kernel's user-space headers");
    expect(lines.filter((l) => l.startsWith('      why: ')).length).toBe(4);
    expect(lines.filter((l) => l.startsWith('      evidence: ')).length).toBe(4);
    expect(formatToolchainStages([], {})).toMatch(/none of binutils/);
    expect(formatToolchainStages(toolchainStageOrder(new Set(['glibc'])), { evidence: false })).not.toMatch(/evidence/);
  });
});
