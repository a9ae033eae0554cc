import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { archTable } from '../../src/lib/arch.js';
import { archsForElf, describeElf, elfMatches, elfPathAllowed, expectedElf, MACHINES_BY_CPU, readElfHeader } from '../../src/lib/elf.js';
import { compileElf } from '../support/debs.js';
import { have } from '../support/cli.js';

function header(bits: 1 | 2, data: 1 | 2, machine: number, type = 2): Uint8Array {
  const b = new Uint8Array(64);
  b.set([0x7f, 0x45, 0x4c, 0x46, bits, data, 1]);
  const put = (o: number, v: number) => (data === 1 ? b.set([v & 0xff, v >> 8], o) : b.set([v >> 8, v & 0xff], o));
  put(16, type);
  put(18, machine);
  return b;
}

describe('readElfHeader', () => {
  it('reads class, data, type and machine in either byte order', () => {
    expect(readElfHeader(header(2, 1, 183))).toEqual({ bits: 64, endian: 'little', type: 2, machine: 183 });
    expect(readElfHeader(header(2, 2, 22, 3))).toEqual({ bits: 64, endian: 'big', type: 3, machine: 22 });
    expect(readElfHeader(header(1, 2, 0x9026))).toEqual({ bits: 32, endian: 'big', type: 2, machine: 0x9026 });
  });
  it('is undefined for what is not ELF', () => {
    expect(readElfHeader(new TextEncoder().encode('#!/bin/sh\necho not an ELF file at all\n'))).toBeUndefined();
    expect(readElfHeader(header(2, 1, 62).slice(0, 19))).toBeUndefined();
    const badClass = header(2, 1, 62);
    badClass[4] = 3;
    expect(readElfHeader(badClass)).toBeUndefined();
  });
});

describe('e_machine values against elf.h', () => {
  const elfH = existsSync('/usr/include/elf.h') ? readFileSync('/usr/include/elf.h', 'utf8') : '';
  const em = (name: string) => {
    const m = new RegExp(`#define\\s+${name}\\s+(0x[0-9a-fA-F]+|\\d+)`).exec(elfH);
    return m ? Number(m[1]) : undefined;
  };
  const table: [string, string][] = [
    ['amd64', 'EM_X86_64'], ['arm64', 'EM_AARCH64'], ['arm', 'EM_ARM'], ['armeb', 'EM_ARM'], ['i386', 'EM_386'],
    ['alpha', 'EM_ALPHA'], ['hppa', 'EM_PARISC'], ['ia64', 'EM_IA_64'], ['m68k', 'EM_68K'], ['mips64el', 'EM_MIPS'],
    ['mipsel', 'EM_MIPS'], ['powerpc', 'EM_PPC'], ['ppc64', 'EM_PPC64'], ['ppc64el', 'EM_PPC64'], ['riscv64', 'EM_RISCV'],
    ['s390x', 'EM_S390'], ['s390', 'EM_S390'], ['sh4', 'EM_SH'], ['sparc', 'EM_SPARC'], ['sparc64', 'EM_SPARCV9'],
    ['loong64', 'EM_LOONGARCH'], ['or1k', 'EM_OPENRISC'], ['nios2', 'EM_ALTERA_NIOS2'], ['arc', 'EM_ARCV2'],
    ['tilegx', 'EM_TILEGX'], ['m32r', 'EM_M32R'],
  ];
  it.skipIf(!elfH).each(table)('%s: %s', (cpu, name) => {
    const v = em(name);
    expect(v, `${name} in elf.h`).toBeDefined();
    expect(MACHINES_BY_CPU[cpu]).toContain(v);
  });
  it('every cpu of the table has a machine', () => {
    const cpus = new Set(archTable().names().map((a) => archTable().tuple(a)!.cpu));
    for (const cpu of cpus) expect(MACHINES_BY_CPU[cpu], cpu).toBeDefined();
  });
});

describe('expectedElf against dpkg-architecture', () => {
  const archs = ['amd64', 'arm64', 'armhf', 'armel', 'i386', 'x32', 'ppc64el', 'ppc64', 's390x', 'mips64el', 'mipsel', 'mipsn32el', 'riscv64', 'loong64', 'powerpc', 'sparc64', 'hppa', 'm68k', 'alpha', 'sh4', 'arm64ilp32', 'hurd-amd64', 'kfreebsd-i386'];
  it.skipIf(!have('dpkg-architecture')).each(archs)('%s', (arch) => {
    const q = (v: string) => execFileSync('dpkg-architecture', ['-a', arch, '-q', v], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const want = expectedElf(arch)!;
    expect(want).toBeDefined();
    expect(want.bits).toBe(Number(q('DEB_HOST_ARCH_BITS')));
    expect(want.endian).toBe(q('DEB_HOST_ARCH_ENDIAN'));
    expect(MACHINES_BY_CPU[q('DEB_HOST_ARCH_CPU')]).toBe(want.machines);
  });
  it('is undefined for an unknown architecture', () => {
    expect(expectedElf('nosucharch')).toBeUndefined();
  });
});

describe('real binaries from the build and cross compilers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xdeb-elf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cases: [string, string | undefined, string][] = [
    ['amd64', undefined, 'AArch64'],
    ['arm64', 'aarch64-linux-gnu', 'X86-64'],
  ];
  it.each(cases)('%s', (arch, triplet) => {
    const bin = compileElf(dir, triplet, `t-${arch}`);
    if (!bin) return expect.soft(have(`${triplet ?? 'gcc'}-gcc`), 'compiler present but failed').toBe(false);
    const h = readElfHeader(bin)!;
    expect(h).toBeDefined();
    expect(elfMatches(h, expectedElf(arch)!)).toBe(true);
    expect(elfMatches(h, expectedElf(arch === 'amd64' ? 'arm64' : 'amd64')!)).toBe(false);
    expect(elfMatches(h, expectedElf(arch === 'amd64' ? 'x32' : 'armhf')!)).toBe(false);
    expect(archsForElf(h)).toEqual([arch]);
    // readelf is the reference for class, data and machine.
    if (have('readelf')) {
      const r = spawnSync('readelf', ['-h', join(dir, `t-${arch}`)], { encoding: 'utf8' }).stdout;
      expect(r).toMatch(new RegExp(`Class:\\s+ELF${h.bits}`));
      expect(r).toMatch(/Data:\s+2's complement, little endian/);
      expect(describeElf(h)).toBe(`ELF 64-bit LSB ${arch === 'amd64' ? 'x86-64' : 'AArch64'}`);
      expect(r).toMatch(new RegExp(`Machine:\\s+${arch === 'amd64' ? 'Advanced Micro Devices X86-64' : 'AArch64'}`));
    }
  });
});

describe('allowed paths', () => {
  it.each([
    ['/usr/lib/firmware/x.bin', ['/usr/lib/firmware/*'], true],
    ['/usr/lib/firmware/a/b.elf', ['/usr/lib/firmware/*'], true],
    ['/usr/bin/helper', ['/usr/lib/firmware/*'], false],
    ['/usr/bin/helper', ['/usr/bin/helper'], true],
    ['/usr/bin/helperx', ['/usr/bin/helper'], false],
    ['/usr/lib/x.so', ['*.so'], true],
    ['/usr/lib/xso', ['*.so'], false],
    ['/usr/lib/x.so', [], false],
  ])('%s with %j → %s', (path, patterns, want) => {
    expect(elfPathAllowed(path, patterns)).toBe(want);
  });
});
