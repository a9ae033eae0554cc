// ELF headers (the first 20 bytes of a file) and which Debian architecture they are for.
// A Debian architecture's cpu (dpkg's cputable) maps to an ELF machine (e_machine), and its
// bits and endianness (cputable, abitable) to the ELF class and data encoding: an arm64 .deb
// must hold ELFCLASS64, ELFDATA2LSB, EM_AARCH64 files, and an x86-64 one in it is a mistake.

import { archTable, type ArchTable } from './arch.js';

export interface ElfHeader {
  bits: 32 | 64;
  endian: 'little' | 'big';
  /** e_machine. */
  machine: number;
  /** e_type: 1 relocatable, 2 executable, 3 shared object, 4 core. */
  type: number;
}

/** How many leading bytes readElfHeader needs. */
export const ELF_HEADER_BYTES = 20;

/** The ELF header of a file's first bytes, or undefined when they are not ELF. */
export function readElfHeader(bytes: Uint8Array): ElfHeader | undefined {
  if (bytes.length < ELF_HEADER_BYTES) return undefined;
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) return undefined;
  const cls = bytes[4];
  const data = bytes[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) return undefined;
  const le = data === 1;
  const u16 = (o: number) => (le ? bytes[o]! | (bytes[o + 1]! << 8) : (bytes[o]! << 8) | bytes[o + 1]!);
  return { bits: cls === 1 ? 32 : 64, endian: le ? 'little' : 'big', type: u16(16), machine: u16(18) };
}

/** e_machine values (elf.h) of each cpu of dpkg's cputable; some cpus have had more than one. */
export const MACHINES_BY_CPU: Readonly<Record<string, readonly number[]>> = {
  alpha: [0x9026, 41],
  amd64: [62],
  arc: [195, 93],
  armeb: [40],
  arm: [40],
  arm64: [183],
  avr32: [0x18ad],
  hppa: [15],
  loong64: [258],
  i386: [3],
  ia64: [50],
  m32r: [88, 0x9041],
  m68k: [4],
  mips: [8],
  mipsel: [8],
  mipsr6: [8],
  mipsr6el: [8],
  mips64: [8],
  mips64el: [8],
  mips64r6: [8],
  mips64r6el: [8],
  nios2: [113],
  or1k: [92],
  powerpc: [20],
  powerpcel: [20],
  ppc64: [21],
  ppc64el: [21],
  riscv64: [243],
  s390: [22],
  s390x: [22],
  sh3: [42],
  sh3eb: [42],
  sh4: [42],
  sh4eb: [42],
  sparc: [2, 18],
  sparc64: [43],
  tilegx: [191],
};

const MACHINE_NAMES: Readonly<Record<number, string>> = {
  2: 'SPARC', 3: 'Intel 80386', 4: 'Motorola 68000', 8: 'MIPS', 15: 'HPPA', 18: 'SPARC32PLUS', 20: 'PowerPC',
  21: 'PowerPC64', 22: 'IBM S/390', 40: 'ARM', 41: 'Alpha', 42: 'Renesas SH', 43: 'SPARC v9', 50: 'IA-64',
  62: 'x86-64', 88: 'M32R', 92: 'OpenRISC', 93: 'ARCompact', 113: 'Nios II', 183: 'AArch64', 191: 'TILE-Gx',
  195: 'ARCv2', 243: 'RISC-V', 247: 'eBPF', 258: 'LoongArch', 0x18ad: 'AVR32', 0x9026: 'Alpha',
};

export interface ExpectedElf {
  machines: readonly number[];
  bits: 32 | 64;
  endian: 'little' | 'big';
}

/** What ELF files built for a Debian architecture look like; undefined for an unknown one. */
export function expectedElf(arch: string, table: ArchTable = archTable()): ExpectedElf | undefined {
  const t = table.tuple(arch);
  const bits = table.bits(arch);
  const endian = table.endian(arch);
  if (!t || !endian || (bits !== 32 && bits !== 64)) return undefined;
  const machines = MACHINES_BY_CPU[t.cpu];
  return machines ? { machines, bits, endian } : undefined;
}

/** Is this ELF header one that a build for `arch` produces? */
export function elfMatches(h: ElfHeader, want: ExpectedElf): boolean {
  return want.machines.includes(h.machine) && h.bits === want.bits && h.endian === want.endian;
}

/** "ELF 64-bit LSB x86-64" for messages. */
export function describeElf(h: ElfHeader): string {
  const m = MACHINE_NAMES[h.machine] ?? `machine ${h.machine}`;
  return `ELF ${h.bits}-bit ${h.endian === 'little' ? 'LSB' : 'MSB'} ${m}`;
}

/**
 * The Debian architectures an ELF header fits, among `candidates` (default: the table's
 * linux-gnu ones), for messages such as "it is for amd64".
 */
export function archsForElf(h: ElfHeader, table: ArchTable = archTable(), candidates?: readonly string[]): string[] {
  const names = candidates ?? table.names().filter((a) => !a.includes('-'));
  return names.filter((a) => {
    const want = expectedElf(a, table);
    return want !== undefined && elfMatches(h, want);
  });
}

/** Is a path inside a package matched by one of the patterns (`*` matches anything, `/` included)? */
export function elfPathAllowed(path: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => new RegExp('^' + p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$').test(path));
}
