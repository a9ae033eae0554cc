// What an ELF file says about its interface, decoded from its bytes: class, machine and OS ABI,
// the soname and NEEDED entries of .dynamic, the symbols it exports (.dynsym: defined, global or
// weak, visible) and those it imports (undefined), its sections (for comparing contents) and the compilers .comment names.

import { readElfLayout, readSectionHeaders, stringAt, SHT_NOBITS } from './elf.js';

export interface ElfSectionRange {
  name: string;
  type: number;
  offset: number;
  size: number;
}

export interface ElfInterface {
  bits: 32 | 64;
  endian: 'little' | 'big';
  machine: number;
  /** e_ident[EI_OSABI]: 0 System V, 3 GNU/Linux. */
  osabi: number;
  /** e_type: 1 relocatable, 2 executable, 3 shared object. */
  type: number;
  soname?: string;
  needed: string[];
  /** Exported dynamic symbols, sorted. */
  exports: string[];
  /** Dynamic symbols it takes from its libraries (undefined, global or weak), sorted. */
  imports: string[];
  /** The symbol versions it needs (.gnu.version_r), as LIBRARY:VERSION, sorted: libc.so.6:GLIBC_2.34. */
  versionNeeds: string[];
  sections: ElfSectionRange[];
  /** The strings of .comment ("GCC: (Debian 12.2.0-14) 12.2.0"), in order, without repeats. */
  comment: string[];
}

const DT_NEEDED = 1;
const DT_SONAME = 14;
const SHN_UNDEF = 0;
const STB_GLOBAL = 1;
const STB_WEAK = 2;
const STB_GNU_UNIQUE = 10;
const STV_DEFAULT = 0;
const STV_PROTECTED = 3;

/** The interface of an ELF file (its whole content), or undefined when it is not ELF or its headers do not fit. */
export function decodeElf(bytes: Uint8Array): ElfInterface | undefined {
  const layout = readElfLayout(bytes);
  if (!layout || layout.shoff === 0 || layout.shoff + layout.shnum * layout.shentsize > bytes.length) return undefined;
  const headers = readSectionHeaders(bytes.subarray(layout.shoff, layout.shoff + layout.shnum * layout.shentsize), layout);
  const shstr = headers[layout.shstrndx];
  const names = shstr ? bytes.subarray(shstr.offset, shstr.offset + shstr.size) : new Uint8Array();
  const sections = headers.map((h) => ({ name: stringAt(names, h.nameOffset), type: h.type, offset: h.offset, size: h.size }));
  const body = (s: ElfSectionRange | undefined) =>
    s && s.type !== SHT_NOBITS && s.offset + s.size <= bytes.length ? bytes.subarray(s.offset, s.offset + s.size) : undefined;
  const find = (name: string) => sections.find((s) => s.name === name);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = layout.endian === 'little';
  const is64 = layout.bits === 64;
  const dynstr = body(find('.dynstr')) ?? new Uint8Array();

  const needed: string[] = [];
  let soname: string | undefined;
  const dyn = find('.dynamic');
  const dynBody = body(dyn);
  if (dyn && dynBody) {
    const size = is64 ? 16 : 8;
    for (let o = dyn.offset; o + size <= dyn.offset + dynBody.length; o += size) {
      const tag = is64 ? Number(dv.getBigInt64(o, le)) : dv.getInt32(o, le);
      const val = is64 ? Number(dv.getBigUint64(o + 8, le)) : dv.getUint32(o + 4, le);
      if (tag === 0) break;
      if (tag === DT_NEEDED) needed.push(stringAt(dynstr, val));
      else if (tag === DT_SONAME) soname = stringAt(dynstr, val);
    }
  }

  const exports = new Set<string>();
  const imports = new Set<string>();
  const sym = find('.dynsym');
  const symBody = body(sym);
  if (sym && symBody) {
    const size = is64 ? 24 : 16;
    for (let o = sym.offset + size; o + size <= sym.offset + symBody.length; o += size) {
      const name = dv.getUint32(o, le);
      const info = is64 ? dv.getUint8(o + 4) : dv.getUint8(o + 12);
      const other = is64 ? dv.getUint8(o + 5) : dv.getUint8(o + 13);
      const shndx = is64 ? dv.getUint16(o + 6, le) : dv.getUint16(o + 14, le);
      const bind = info >> 4;
      const vis = other & 3;
      if (![STB_GLOBAL, STB_WEAK, STB_GNU_UNIQUE].includes(bind)) continue;
      const n = stringAt(dynstr, name);
      if (!n) continue;
      if (shndx === SHN_UNDEF) imports.add(n);
      else if ([STV_DEFAULT, STV_PROTECTED].includes(vis)) exports.add(n);
    }
  }

  // .gnu.version_r: Verneed entries (version, count, file, aux, next) each with Vernaux entries (hash, flags, other, name, next).
  const versionNeeds = new Set<string>();
  const vr = find('.gnu.version_r');
  const vrBody = body(vr);
  if (vr && vrBody) {
    let o = 0;
    for (let guard = 0; guard < 10_000 && o + 16 <= vrBody.length; guard++) {
      const at = vr.offset + o;
      const cnt = dv.getUint16(at + 2, le);
      const file = stringAt(dynstr, dv.getUint32(at + 4, le));
      let a = o + dv.getUint32(at + 8, le);
      for (let i = 0; i < cnt && a + 16 <= vrBody.length; i++) {
        versionNeeds.add(`${file}:${stringAt(dynstr, dv.getUint32(vr.offset + a + 8, le))}`);
        const next = dv.getUint32(vr.offset + a + 12, le);
        if (!next) break;
        a += next;
      }
      const next = dv.getUint32(at + 12, le);
      if (!next) break;
      o += next;
    }
  }

  const comment: string[] = [];
  const c = body(find('.comment'));
  if (c) for (const s of new TextDecoder('latin1').decode(c).split('\0')) if (s && !comment.includes(s)) comment.push(s);

  return {
    bits: layout.bits,
    endian: layout.endian,
    machine: layout.machine,
    osabi: bytes[7]!,
    type: layout.type,
    ...(soname !== undefined ? { soname } : {}),
    needed,
    exports: [...exports].sort(),
    imports: [...imports].sort(),
    versionNeeds: [...versionNeeds].sort(),
    sections,
    comment,
  };
}

/**
 * Sections whose contents say nothing about what the code does: the build id, the link to the
 * debug file, the compilers' names (.comment, compared on its own), and the section names.
 */
export function isNoiseSection(name: string): boolean {
  return (
    name === '' ||
    name === '.note.gnu.build-id' ||
    name === '.gnu_debuglink' ||
    name === '.gnu_debugaltlink' ||
    name === '.comment' ||
    name === '.shstrtab' ||
    name === '.gnu_debugdata'
  );
}
