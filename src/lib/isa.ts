// Instruction-set levels a flavour allows and ELF files need (docs/toolchains.md): ARM build
// attributes (Tag_CPU_arch, Tag_FP_arch, Tag_Advanced_SIMD_arch of .ARM.attributes) and x86-64
// ISA levels (GNU_PROPERTY_X86_ISA_1_NEEDED/USED of .note.gnu.property). AArch64 objects record
// no architecture level, so nothing can be checked there.

import { InputError, type InputLocation } from './errors.js';

/** Tag_CPU_arch values (ARM IHI 0045, "Addenda to the ARM ELF ABI"). */
export const ARM_CPU_ARCH: Readonly<Record<string, number>> = {
  armv4: 1,
  armv4t: 2,
  armv5t: 3,
  armv5te: 4,
  armv5tej: 5,
  armv6: 6,
  armv6kz: 7,
  armv6zk: 7,
  armv6t2: 8,
  armv6k: 9,
  armv7: 10,
  'armv7-a': 10,
  armv7a: 10,
  armv7ve: 10,
  'armv7-r': 10,
  'armv8-a': 14,
  armv8: 14,
  'armv8-r': 15,
  'armv8.1-a': 18,
  'armv8.2-a': 19,
  'armv8.3-a': 20,
  'armv8.4-a': 20,
  'armv9-a': 22,
};

const CPU_ARCH_NAMES: Readonly<Record<number, string>> = {
  0: 'pre-v4',
  1: 'v4',
  2: 'v4T',
  3: 'v5T',
  4: 'v5TE',
  5: 'v5TEJ',
  6: 'v6',
  7: 'v6KZ',
  8: 'v6T2',
  9: 'v6K',
  10: 'v7',
  11: 'v6-M',
  12: 'v6S-M',
  13: 'v7E-M',
  14: 'v8-A',
  15: 'v8-R',
  16: 'v8-M.baseline',
  17: 'v8-M.mainline',
  18: 'v8.1-A',
  19: 'v8.2-A',
  20: 'v8.3-A',
  21: 'v8.1-M.mainline',
  22: 'v9-A',
};

/** Does an object for Tag_CPU_arch `need` run on a CPU of architecture `have`? (A/R-profile Linux targets.) */
export function armArchIncludes(have: number, need: number): boolean {
  if (need === have) return true;
  // The v6 variants are not a chain: v6 is in each, and each of them is in v7 and later.
  const v6Family = [7, 8, 9];
  if (v6Family.includes(need)) return have >= 10 && !isMProfile(have);
  if (v6Family.includes(have)) return need <= 6;
  if (isMProfile(need) || isMProfile(have)) return false;
  // v8-R (15) is not an A-profile superset of v8-A (14): treat R as its own line.
  if (need === 15 || have === 15) return need <= 10;
  return need < have;
}

function isMProfile(v: number): boolean {
  return v === 11 || v === 12 || v === 13 || v === 16 || v === 17 || v === 21;
}

export function armArchName(v: number): string {
  return CPU_ARCH_NAMES[v] ?? `Tag_CPU_arch ${v}`;
}

/** Tag_FP_arch values as (version, 32 double registers?): a need fits when neither is more. */
const FP_ARCH: Readonly<Record<number, { name: string; version: number; d32: boolean }>> = {
  0: { name: 'no FP', version: 0, d32: false },
  1: { name: 'VFPv1', version: 1, d32: false },
  2: { name: 'VFPv2', version: 2, d32: false },
  3: { name: 'VFPv3', version: 3, d32: true },
  4: { name: 'VFPv3-D16', version: 3, d32: false },
  5: { name: 'VFPv4', version: 4, d32: true },
  6: { name: 'VFPv4-D16', version: 4, d32: false },
  7: { name: 'FP-ARMv8', version: 8, d32: true },
  8: { name: 'FPv5-D16', version: 8, d32: false },
};
export const ARM_FP_ARCH: Readonly<Record<string, number>> = {
  none: 0,
  vfp: 2,
  vfpv2: 2,
  vfpv3: 3,
  'vfpv3-d16': 4,
  'vfpv3-d16-fp16': 4,
  vfpv4: 5,
  'vfpv4-d16': 6,
  'fp-armv8': 7,
  'fpv5-d16': 8,
  neon: 3,
  'neon-vfpv3': 3,
  'neon-fp16': 3,
  'neon-vfpv4': 5,
  'neon-fp-armv8': 7,
  'crypto-neon-fp-armv8': 7,
};
/** Tag_Advanced_SIMD_arch: 0 none, 1 NEONv1, 2 NEONv1 with fused MAC, 3 ARMv8 AdvSIMD, 4 ARMv8.1 AdvSIMD. */
export const ARM_SIMD_ARCH: Readonly<Record<string, number>> = {
  none: 0,
  neon: 1,
  neonv1: 1,
  'neon-vfpv4': 2,
  neonv2: 2,
  'neon-fp-armv8': 3,
  armv8: 3,
  'armv8.1': 4,
};
const SIMD_NAMES = ['no Advanced SIMD', 'NEONv1', 'NEONv1 with FMA', 'ARMv8 Advanced SIMD', 'ARMv8.1 Advanced SIMD'];

export function fpArchFits(have: number, need: number): boolean {
  const h = FP_ARCH[have];
  const n = FP_ARCH[need];
  if (!h || !n) return have === need;
  return n.version <= h.version && (!n.d32 || h.d32);
}

export function fpArchName(v: number): string {
  return FP_ARCH[v]?.name ?? `Tag_FP_arch ${v}`;
}

export function simdArchName(v: number): string {
  return SIMD_NAMES[v] ?? `Tag_Advanced_SIMD_arch ${v}`;
}

/** x86-64 ISA levels: the bit of GNU_PROPERTY_X86_ISA_1_* each one sets. */
export const X86_LEVELS: readonly { name: string; bit: number }[] = [
  { name: 'x86-64', bit: 1 },
  { name: 'x86-64-v2', bit: 2 },
  { name: 'x86-64-v3', bit: 4 },
  { name: 'x86-64-v4', bit: 8 },
];

export type IsaLimit =
  { kind: 'arm'; text: string; cpuArch: number; fpArch?: number; simdArch?: number } | { kind: 'x86'; text: string; level: number };

/**
 * An `isa` value: 'armv7-a', 'armv7-a fp=vfpv3-d16 simd=none', 'x86-64-v2'. An InputError names
 * where it was written.
 */
export function parseIsa(text: string, loc: InputLocation = {}): IsaLimit {
  const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const head = words[0] ?? '';
  const x86 = X86_LEVELS.findIndex((l) => l.name === head || (head === 'x86-64-v1' && l.name === 'x86-64'));
  if (x86 >= 0) {
    if (words.length > 1) throw new InputError(`isa: an x86-64 level takes no options ('${words.slice(1).join(' ')}')`, loc);
    return { kind: 'x86', text: text.trim(), level: x86 + 1 };
  }
  const cpuArch = ARM_CPU_ARCH[head];
  if (cpuArch === undefined) {
    throw new InputError(
      `isa: '${head}' is not an architecture xdeb can check (ARM: ${Object.keys(ARM_CPU_ARCH).join(', ')}; x86-64: ${X86_LEVELS.map((l) => l.name).join(', ')})`,
      loc,
    );
  }
  const limit: IsaLimit = { kind: 'arm', text: text.trim(), cpuArch };
  for (const w of words.slice(1)) {
    const [k, v] = w.split('=');
    if (k === 'fp' && v !== undefined && ARM_FP_ARCH[v] !== undefined) limit.fpArch = ARM_FP_ARCH[v];
    else if (k === 'simd' && v !== undefined && ARM_SIMD_ARCH[v] !== undefined) limit.simdArch = ARM_SIMD_ARCH[v];
    else
      throw new InputError(
        `isa: '${w}' is not fp=FPU (${Object.keys(ARM_FP_ARCH).join(', ')}) nor simd=… (${Object.keys(ARM_SIMD_ARCH).join(', ')})`,
        loc,
      );
  }
  return limit;
}

/** The limit compiler flags imply (-march=, -mfpu=), when no isa is written. */
export function isaFromFlags(flags: readonly string[]): IsaLimit | undefined {
  let march: string | undefined;
  let mfpu: string | undefined;
  for (const f of flags) {
    if (f.startsWith('-march=')) march = f.slice(7).split('+')[0]!.toLowerCase();
    else if (f.startsWith('-mfpu=')) mfpu = f.slice(6).toLowerCase();
  }
  if (!march) return undefined;
  if (X86_LEVELS.some((l) => l.name === march)) return parseIsa(march);
  if (ARM_CPU_ARCH[march] === undefined) return undefined;
  const limit = parseIsa(march) as Extract<IsaLimit, { kind: 'arm' }>;
  if (mfpu && ARM_FP_ARCH[mfpu] !== undefined) {
    limit.fpArch = ARM_FP_ARCH[mfpu];
    limit.simdArch = mfpu.includes('neon') ? (mfpu.includes('armv8') ? 3 : mfpu.includes('vfpv4') ? 2 : 1) : 0;
    limit.text = `${march} fp=${mfpu}`;
  }
  return limit;
}

/** What an ELF file records of its instruction set (src/lib/elf.ts reads it). */
export interface ElfIsa {
  arm?: { cpuArch?: number; profile?: string; fpArch?: number; simdArch?: number };
  x86?: { needed?: number; used?: number };
}

/** Why a file needs more than the limit allows (one line per excess), or [] when it fits or records nothing checkable. */
export function isaExcess(isa: ElfIsa, limit: IsaLimit): string[] {
  const out: string[] = [];
  if (limit.kind === 'arm' && isa.arm) {
    const a = isa.arm;
    if (a.cpuArch !== undefined && !armArchIncludes(limit.cpuArch, a.cpuArch))
      out.push(`needs ARM ${armArchName(a.cpuArch)} (Tag_CPU_arch ${a.cpuArch}), the flavour allows ${armArchName(limit.cpuArch)}`);
    if (a.fpArch !== undefined && limit.fpArch !== undefined && !fpArchFits(limit.fpArch, a.fpArch))
      out.push(`needs ${fpArchName(a.fpArch)} (Tag_FP_arch ${a.fpArch}), the flavour allows ${fpArchName(limit.fpArch)}`);
    if (a.simdArch !== undefined && limit.simdArch !== undefined && a.simdArch > limit.simdArch)
      out.push(
        `needs ${simdArchName(a.simdArch)} (Tag_Advanced_SIMD_arch ${a.simdArch}), the flavour allows ${simdArchName(limit.simdArch)}`,
      );
  }
  if (limit.kind === 'x86' && isa.x86) {
    const bits = (isa.x86.needed ?? 0) | (isa.x86.used ?? 0);
    let need = 0;
    X86_LEVELS.forEach((l, i) => {
      if (bits & l.bit) need = i + 1;
    });
    if (need > limit.level)
      out.push(
        `needs ${X86_LEVELS[need - 1]!.name} (GNU_PROPERTY_X86_ISA_1_${isa.x86.needed !== undefined && isa.x86.needed & X86_LEVELS[need - 1]!.bit ? 'NEEDED' : 'USED'}), the flavour allows ${X86_LEVELS[limit.level - 1]!.name}`,
      );
  }
  return out;
}

/** Does this ELF record anything the limit can be checked against? */
export function isaCheckable(isa: ElfIsa, limit: IsaLimit): boolean {
  return limit.kind === 'arm'
    ? isa.arm?.cpuArch !== undefined
    : isa.x86 !== undefined && (isa.x86.needed !== undefined || isa.x86.used !== undefined);
}
