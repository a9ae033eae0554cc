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
  2: 'SPARC',
  3: 'Intel 80386',
  4: 'Motorola 68000',
  8: 'MIPS',
  15: 'HPPA',
  18: 'SPARC32PLUS',
  20: 'PowerPC',
  21: 'PowerPC64',
  22: 'IBM S/390',
  40: 'ARM',
  41: 'Alpha',
  42: 'Renesas SH',
  43: 'SPARC v9',
  50: 'IA-64',
  62: 'x86-64',
  88: 'M32R',
  92: 'OpenRISC',
  93: 'ARCompact',
  113: 'Nios II',
  183: 'AArch64',
  191: 'TILE-Gx',
  195: 'ARCv2',
  243: 'RISC-V',
  247: 'eBPF',
  258: 'LoongArch',
  0x18ad: 'AVR32',
  0x9026: 'Alpha',
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
  return patterns.some((p) =>
    new RegExp(
      '^' +
        p
          .split('*')
          .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*') +
        '$',
    ).test(path),
  );
}

// Sections and what they record of the instruction set (issue #8: the flavour ISA check). The
// adapter reads byte ranges of a file; these functions only decode them.

/** What the whole ELF header (52 bytes for ELFCLASS32, 64 for ELFCLASS64) says about sections. */
export interface ElfLayout extends ElfHeader {
  shoff: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

/** How many leading bytes readElfLayout needs. */
export const ELF_LAYOUT_BYTES = 64;

function reader(bytes: Uint8Array, endian: 'little' | 'big') {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = endian === 'little';
  return {
    u16: (o: number) => dv.getUint16(o, le),
    u32: (o: number) => dv.getUint32(o, le),
    u64: (o: number) => Number(dv.getBigUint64(o, le)),
  };
}

export function readElfLayout(bytes: Uint8Array): ElfLayout | undefined {
  const h = readElfHeader(bytes);
  if (!h || bytes.length < (h.bits === 64 ? 64 : 52)) return undefined;
  const r = reader(bytes, h.endian);
  return h.bits === 64
    ? { ...h, shoff: r.u64(40), shentsize: r.u16(58), shnum: r.u16(60), shstrndx: r.u16(62) }
    : { ...h, shoff: r.u32(32), shentsize: r.u16(46), shnum: r.u16(48), shstrndx: r.u16(50) };
}

export interface ElfSection {
  /** Offset of its name in the section name table. */
  nameOffset: number;
  type: number;
  offset: number;
  size: number;
}

export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_ARM_ATTRIBUTES = 0x70000003;

/** The section header table (shnum × shentsize bytes from shoff). */
export function readSectionHeaders(table: Uint8Array, layout: ElfLayout): ElfSection[] {
  const r = reader(table, layout.endian);
  const out: ElfSection[] = [];
  for (let i = 0; i < layout.shnum && (i + 1) * layout.shentsize <= table.length; i++) {
    const o = i * layout.shentsize;
    out.push(
      layout.bits === 64
        ? { nameOffset: r.u32(o), type: r.u32(o + 4), offset: r.u64(o + 24), size: r.u64(o + 32) }
        : { nameOffset: r.u32(o), type: r.u32(o + 4), offset: r.u32(o + 16), size: r.u32(o + 20) },
    );
  }
  return out;
}

/** A NUL-terminated name in a string table. */
export function stringAt(strtab: Uint8Array, offset: number): string {
  let end = offset;
  while (end < strtab.length && strtab[end] !== 0) end++;
  return new TextDecoder('latin1').decode(strtab.subarray(offset, end));
}

function uleb(bytes: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    if (pos >= bytes.length) throw new Error('truncated ULEB128');
    const b = bytes[pos++]!;
    v += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b & 0x80)) return [v, pos];
  }
}

/**
 * The file-scope attributes of the "aeabi" vendor in .ARM.attributes: tag → number or string.
 * Tags 4, 5 and 67 (and odd tags from 32 on) are strings, tag 32 a number and a string, the rest numbers.
 */
export function readArmAttributes(data: Uint8Array, endian: 'little' | 'big'): Map<number, number | string> {
  const out = new Map<number, number | string>();
  if (data.length < 1 || data[0] !== 0x41) return out;
  const r = reader(data, endian);
  let pos = 1;
  while (pos + 4 <= data.length) {
    const len = r.u32(pos);
    if (len < 4 || pos + len > data.length) break;
    const end = pos + len;
    const vendor = stringAt(data, pos + 4);
    let p = pos + 4 + vendor.length + 1;
    if (vendor === 'aeabi') {
      while (p + 5 <= end) {
        const [tag, afterTag] = uleb(data, p);
        const sublen = r.u32(afterTag);
        const subEnd = Math.min(p + sublen, end);
        if (sublen < 5) break;
        // Only the attributes of the whole file (tag 1); section and symbol scopes refine them.
        if (tag === 1) {
          let q = afterTag + 4;
          while (q < subEnd) {
            const [t, at] = uleb(data, q);
            q = at;
            if (t === 4 || t === 5 || t === 67 || (t > 32 && t % 2 === 1)) {
              const s = stringAt(data, q);
              out.set(t, s);
              q += s.length + 1;
            } else if (t === 32) {
              const [v, after] = uleb(data, q);
              const s = stringAt(data, after);
              out.set(t, v);
              q = after + s.length + 1;
            } else {
              const [v, after] = uleb(data, q);
              out.set(t, v);
              q = after;
            }
          }
        }
        p = subEnd;
      }
    }
    pos = end;
  }
  return out;
}

export const GNU_PROPERTY_X86_ISA_1_NEEDED = 0xc0008002;
export const GNU_PROPERTY_X86_ISA_1_USED = 0xc0010002;

/** GNU properties (NT_GNU_PROPERTY_TYPE_0 notes of .note.gnu.property): type → first 32-bit word of its data. */
export function readGnuProperties(data: Uint8Array, bits: 32 | 64, endian: 'little' | 'big'): Map<number, number> {
  const out = new Map<number, number>();
  const r = reader(data, endian);
  const align = bits === 64 ? 8 : 4;
  const up = (n: number, a: number) => Math.ceil(n / a) * a;
  let pos = 0;
  while (pos + 12 <= data.length) {
    const namesz = r.u32(pos);
    const descsz = r.u32(pos + 4);
    const type = r.u32(pos + 8);
    const nameAt = pos + 12;
    const descAt = nameAt + up(namesz, 4);
    if (descAt + descsz > data.length) break;
    if (type === 5 && namesz === 4 && stringAt(data, nameAt) === 'GNU') {
      let p = descAt;
      while (p + 8 <= descAt + descsz) {
        const prType = r.u32(p);
        const size = r.u32(p + 4);
        if (size >= 4 && p + 8 + 4 <= data.length) out.set(prType, r.u32(p + 8));
        p += 8 + up(size, align);
      }
    }
    pos = descAt + up(descsz, align);
  }
  return out;
}
