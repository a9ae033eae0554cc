import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { archTable } from '../../src/lib/arch.js';
import { archsForElf, describeElf, elfMatches, elfPathAllowed, expectedElf, MACHINES_BY_CPU, readElfHeader } from '../../src/lib/elf.js';
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
    ['amd64', 'EM_X86_64'],
    ['arm64', 'EM_AARCH64'],
    ['arm', 'EM_ARM'],
    ['armeb', 'EM_ARM'],
    ['i386', 'EM_386'],
    ['alpha', 'EM_ALPHA'],
    ['hppa', 'EM_PARISC'],
    ['ia64', 'EM_IA_64'],
    ['m68k', 'EM_68K'],
    ['mips64el', 'EM_MIPS'],
    ['mipsel', 'EM_MIPS'],
    ['powerpc', 'EM_PPC'],
    ['ppc64', 'EM_PPC64'],
    ['ppc64el', 'EM_PPC64'],
    ['riscv64', 'EM_RISCV'],
    ['s390x', 'EM_S390'],
    ['s390', 'EM_S390'],
    ['sh4', 'EM_SH'],
    ['sparc', 'EM_SPARC'],
    ['sparc64', 'EM_SPARCV9'],
    ['loong64', 'EM_LOONGARCH'],
    ['or1k', 'EM_OPENRISC'],
    ['nios2', 'EM_ALTERA_NIOS2'],
    ['arc', 'EM_ARCV2'],
    ['tilegx', 'EM_TILEGX'],
    ['m32r', 'EM_M32R'],
  ];
  it.skipIf(!elfH).each(table)('%s: %s', (cpu, name) => {
    const v = em(name);
    expect(v, `${name} in elf.h`).toBeDefined();
    expect(MACHINES_BY_CPU[cpu]).toContain(v);
  });
  it('every cpu of the table has a machine', () => {
    const cpus = new Set(
      archTable()
        .names()
        .map((a) => archTable().tuple(a)!.cpu),
    );
    for (const cpu of cpus) expect(MACHINES_BY_CPU[cpu], cpu).toBeDefined();
  });
});

describe('expectedElf against dpkg-architecture', () => {
  const archs = [
    'amd64',
    'arm64',
    'armhf',
    'armel',
    'i386',
    'x32',
    'ppc64el',
    'ppc64',
    's390x',
    'mips64el',
    'mipsel',
    'mipsn32el',
    'riscv64',
    'loong64',
    'powerpc',
    'sparc64',
    'hppa',
    'm68k',
    'alpha',
    'sh4',
    'arm64ilp32',
    'hurd-amd64',
    'kfreebsd-i386',
  ];
  it.skipIf(!have('dpkg-architecture')).each(archs)('%s', (arch) => {
    const q = (v: string) =>
      execFileSync('dpkg-architecture', ['-a', arch, '-q', v], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
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
  // gcc (build-essential), aarch64-linux-gnu-gcc (crossbuild-essential-arm64) and readelf
  // (binutils) are installed by scripts/install-deps, even --minimal: a missing one is a failure.
  // readelf is the reference for class, data, type and machine.
  const dir = mkdtempSync(join(tmpdir(), 'xdeb-elf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const buildArch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
  // readelf's name of the machine, and ours (describeElf).
  const MACHINE: Record<string, [readelf: string, ours: string]> = {
    amd64: ['Advanced Micro Devices X86-64', 'x86-64'],
    arm64: ['AArch64', 'AArch64'],
    i386: ['Intel 80386', 'Intel 80386'],
  };
  const READELF_TYPE: Record<string, number> = { REL: 1, EXEC: 2, DYN: 3 };
  const cases: [arch: string, cc: string, flags: string[]][] = [
    [buildArch, 'gcc', []],
    ['arm64', 'aarch64-linux-gnu-gcc', []],
    ['arm64', 'aarch64-linux-gnu-gcc', ['-c']],
  ];
  it.each(cases)('%s: %s %j', (arch, cc, flags) => {
    const src = join(dir, 't.c');
    const out = join(dir, `t-${arch}-${cc}${flags.join('')}`);
    writeFileSync(src, 'int main(void) { return 0; }\n');
    execFileSync(cc, [...flags, '-o', out, src], { stdio: ['ignore', 'ignore', 'pipe'] });
    const h = readElfHeader(readFileSync(out))!;
    expect(h).toBeDefined();
    expect(elfMatches(h, expectedElf(arch)!)).toBe(true);
    expect(archsForElf(h)).toEqual([arch]);
    const ref = execFileSync('readelf', ['-h', out], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    const field = (name: string) => new RegExp(`^\\s*${name}:\\s+(.*)$`, 'm').exec(ref)?.[1]?.trim();
    expect(field('Class')).toBe(`ELF${h.bits}`);
    expect(field('Data')).toBe(`2's complement, ${h.endian} endian`);
    expect(READELF_TYPE[field('Type')!.split(' ')[0]!]).toBe(h.type);
    // An object file is relocatable; a linked program is an executable, or a shared object (PIE).
    expect(flags.includes('-c') ? [1] : [2, 3]).toContain(h.type);
    expect(MACHINE[arch], `${arch}: add readelf's machine name to this test`).toBeDefined();
    expect(field('Machine')).toBe(MACHINE[arch]![0]);
    expect(describeElf(h)).toBe(`ELF ${h.bits}-bit ${h.endian === 'little' ? 'LSB' : 'MSB'} ${MACHINE[arch]![1]}`);
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
