// The flavour ISA check of a build (docs/toolchains.md): every ELF file of the built .debs that
// records its instruction set (ARM build attributes, x86-64 ISA-level notes) must need no more
// than the flavour allows. The .debs are unpacked into a temporary directory, and only the byte
// ranges that hold the headers and the two sections are read.

import { mkdtemp, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  ELF_LAYOUT_BYTES,
  GNU_PROPERTY_X86_ISA_1_NEEDED,
  GNU_PROPERTY_X86_ISA_1_USED,
  readArmAttributes,
  readElfLayout,
  readGnuProperties,
  readSectionHeaders,
  SHT_ARM_ATTRIBUTES,
  SHT_NOBITS,
  SHT_NOTE,
  stringAt,
} from '../lib/elf.js';
import { EnvironmentError } from '../lib/errors.js';
import { isaCheckable, isaExcess, type ElfIsa, type IsaLimit } from '../lib/isa.js';
import { runTool } from './run-tool.js';

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(Math.max(0, length));
  if (length <= 0) return buf;
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  return buf.subarray(0, bytesRead);
}

/** What an ELF file records of its instruction set; undefined when it is not ELF. */
export async function elfIsaOfFile(path: string): Promise<ElfIsa | undefined> {
  const fh = await open(path, 'r');
  try {
    const layout = readElfLayout(await readAt(fh, 0, ELF_LAYOUT_BYTES));
    if (!layout) return undefined;
    const isa: ElfIsa = {};
    if (!layout.shoff || !layout.shnum || layout.shentsize < (layout.bits === 64 ? 64 : 40)) return isa;
    const sections = readSectionHeaders(await readAt(fh, layout.shoff, layout.shnum * layout.shentsize), layout);
    const names = sections[layout.shstrndx];
    const strtab = names ? await readAt(fh, names.offset, Math.min(names.size, 1 << 20)) : new Uint8Array();
    for (const s of sections) {
      if (s.type === SHT_NOBITS || s.size === 0 || s.size > 1 << 20) continue;
      if (s.type === SHT_ARM_ATTRIBUTES || (layout.machine === 40 && stringAt(strtab, s.nameOffset) === '.ARM.attributes')) {
        const attrs = readArmAttributes(await readAt(fh, s.offset, s.size), layout.endian);
        const num = (t: number) => (typeof attrs.get(t) === 'number' ? (attrs.get(t) as number) : undefined);
        const profile = num(7);
        isa.arm = { cpuArch: num(6), profile: profile ? String.fromCharCode(profile) : undefined, fpArch: num(10), simdArch: num(12) };
      } else if (
        s.type === SHT_NOTE &&
        stringAt(strtab, s.nameOffset) === '.note.gnu.property' &&
        (layout.machine === 62 || layout.machine === 3)
      ) {
        const props = readGnuProperties(await readAt(fh, s.offset, s.size), layout.bits, layout.endian);
        const needed = props.get(GNU_PROPERTY_X86_ISA_1_NEEDED);
        const used = props.get(GNU_PROPERTY_X86_ISA_1_USED);
        if (needed !== undefined || used !== undefined)
          isa.x86 = { ...(needed !== undefined ? { needed } : {}), ...(used !== undefined ? { used } : {}) };
      }
    }
    return isa;
  } finally {
    await fh.close();
  }
}

export interface IsaFinding {
  deb: string;
  /** Path inside the package: /usr/lib/…/libfoo.so.1. */
  path: string;
  reasons: string[];
}

export interface IsaCheckResult {
  /** ELF files looked at. */
  elfFiles: number;
  /** Of those, the ones that record something the limit can be checked against. */
  checkable: number;
  excess: IsaFinding[];
}

async function* walk(dir: string, rel = ''): AsyncGenerator<[string, string]> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) yield* walk(full, `${rel}/${e.name}`);
    else if (e.isFile()) yield [full, `${rel}/${e.name}`];
  }
}

/** Check every ELF file of these .debs against the flavour's limit. */
export async function checkIsa(debs: readonly string[], limit: IsaLimit): Promise<IsaCheckResult> {
  const result: IsaCheckResult = { elfFiles: 0, checkable: 0, excess: [] };
  const work = await mkdtemp(join(tmpdir(), 'xdeb-isa-'));
  try {
    for (const deb of debs) {
      const dir = join(work, basename(deb));
      const r = await runTool('dpkg-deb', ['-x', deb, dir]);
      if (r.code !== 0) throw new EnvironmentError(`dpkg-deb -x ${deb} failed: ${r.stderr.trim()}`);
      for await (const [full, path] of walk(dir)) {
        // Detached debug symbols (-dbgsym) repeat the attributes of the file they describe, which is checked itself.
        if (path.startsWith('/usr/lib/debug/')) continue;
        const isa = await elfIsaOfFile(full);
        if (!isa) continue;
        result.elfFiles++;
        if (!isaCheckable(isa, limit)) continue;
        result.checkable++;
        const reasons = isaExcess(isa, limit);
        if (reasons.length) result.excess.push({ deb: basename(deb), path, reasons });
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return result;
}
